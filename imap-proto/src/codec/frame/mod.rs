//! The framer: splits a byte stream into complete frames before anything is parsed.
//!
//! An IMAP command is one line, or several lines joined by literals: `{n}` at the
//! end of a line announces n octets that follow the CRLF, and the command goes on
//! after them. The framer finds these boundaries with a bounded scan, and stops
//! at each literal announcement so that the [server session](crate::server) can
//! decide (send `+` for a synchronizing literal, refuse one that is too large)
//! *before* the literal's bytes arrive. Only then are complete frames handed to
//! [`crate::codec::parse`], which never sees partial input.
//!
//! Why frame first: a parser that may be called on partial input must be able to
//! say "need more" from every rule, and a malicious peer can make it re-parse a
//! growing buffer again and again. Framing is a linear scan with hard limits on
//! line length, literal size and frame size; after an oversize line the framer
//! discards up to the next line end instead of buffering it.
//!
//! ```
//! use mailwright_imap::codec::frame::{FrameEvent, Framer};
//!
//! let mut framer = Framer::for_commands(1024, 64 * 1024);
//! framer.enqueue(b"a1 LOGIN alice {6}\r\n");
//! let Some(FrameEvent::LiteralAnnounced(announced)) = framer.poll() else { panic!() };
//! assert_eq!(announced.length, 6);
//! framer.accept_literal();            // the session also writes "+ Ready"
//! framer.enqueue(b"secret\r\n");
//! let Some(FrameEvent::Frame(frame)) = framer.poll() else { panic!() };
//! assert_eq!(&frame[..], b"a1 LOGIN alice {6}\r\nsecret\r\n");
//! ```

use bytes::{Bytes, BytesMut};

use crate::types::{LiteralMode, Tag};

/// Longest literal announcement at the end of a line, without the LF.
const ANNOUNCEMENT_TAIL: usize = 24;

/// Splits input into frames; see the module docs.
#[derive(Debug)]
pub struct Framer {
    buf: BytesMut,
    /// Bytes at the front of `buf` that belong to the current frame: complete lines
    /// and literal data. The current line starts here.
    scanned: usize,
    /// Where to resume looking for the end of the current line.
    search_from: usize,
    state: State,
    max_line: usize,
    max_frame: usize,
    /// Response mode: literals within the frame limit are taken without asking.
    responses: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Line,
    Announced { length: u64, mode: LiteralMode },
    Literal { remaining: usize },
    Streaming { remaining: u64 },
    Discard { remaining: u64 },
    SkipLine,
}

/// What the framer found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameEvent {
    /// A complete frame: a command or response with its literals and final CRLF.
    Frame(Bytes),
    /// A line ended with a literal announcement. The frame so far is
    /// [`Framer::pending`]. Answer with [`Framer::accept_literal`],
    /// [`Framer::accept_literal_streaming`] or [`Framer::reject_literal`]
    /// before polling again.
    LiteralAnnounced(LiteralAnnouncement),
    /// A piece of a literal accepted with [`Framer::accept_literal_streaming`]. After
    /// the last piece, the bytes that follow the literal (the rest of the command)
    /// start a new frame.
    LiteralData(Bytes),
    /// Input that breaks a limit; the framer has dropped the offending frame and
    /// skips to the end of its line.
    Error(FrameError),
}

/// A literal announcement at the end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralAnnouncement {
    /// Number of octets announced.
    pub length: u64,
    /// `{n}` or `{n+}`.
    pub mode: LiteralMode,
    /// `~{n}` (literal8, RFC 3516).
    pub binary: bool,
}

/// Input the framer refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// What was wrong.
    pub kind: FrameErrorKind,
    /// The tag of the refused command, when its start was readable.
    pub tag: Option<Tag<'static>>,
}

/// What limit the input broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameErrorKind {
    /// A line longer than the line limit.
    #[error("line too long")]
    LineTooLong,
    /// A literal larger than the caller accepts.
    #[error("literal too large")]
    LiteralTooLarge,
    /// A frame (lines and literals together) larger than the frame limit.
    #[error("command too large")]
    FrameTooLarge,
}

impl Framer {
    /// A framer for a server reading commands: stops at each literal announcement.
    ///
    /// `max_line` bounds each line, `max_frame` the lines and buffered literals of
    /// one command together.
    pub fn for_commands(max_line: usize, max_frame: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            scanned: 0,
            search_from: 0,
            state: State::Line,
            max_line,
            max_frame,
            responses: false,
        }
    }

    /// A framer for a client reading responses: literals up to `max_frame` are
    /// taken without asking (servers do not wait for permission).
    pub fn for_responses(max_line: usize, max_frame: usize) -> Self {
        Self {
            responses: true,
            ..Self::for_commands(max_line, max_frame)
        }
    }

    /// Appends input.
    pub fn enqueue(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The buffer to read into directly; call [`Framer::poll`] afterwards.
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Bytes received and not yet handed out (for memory accounting).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The frame so far, while a literal announcement waits for an answer.
    pub fn pending(&self) -> &[u8] {
        &self.buf[..self.scanned]
    }

    /// Drops everything buffered (after STARTTLS: plaintext that arrived before
    /// the handshake must not be taken as commands).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.scanned = 0;
        self.search_from = 0;
        self.state = State::Line;
    }

    /// Reads the next bytes of the current literal into the frame.
    ///
    /// # Panics
    ///
    /// Never; outside an announcement it does nothing.
    pub fn accept_literal(&mut self) {
        if let State::Announced { length, .. } = self.state {
            // `announce` refused lengths that do not fit the frame limit.
            self.state = State::Literal {
                remaining: usize::try_from(length).unwrap_or(usize::MAX),
            };
        }
    }

    /// Hands the announced literal out in [`FrameEvent::LiteralData`] pieces instead
    /// of buffering it; the frame so far is dropped (the caller has parsed it from
    /// [`Framer::pending`]) and the bytes after the literal start a new frame.
    pub fn accept_literal_streaming(&mut self) {
        if let State::Announced { length, .. } = self.state {
            let _ = self.buf.split_to(self.scanned);
            self.scanned = 0;
            self.search_from = 0;
            self.state = if length == 0 {
                State::Line
            } else {
                State::Streaming { remaining: length }
            };
        }
    }

    /// Refuses the announced literal: the frame is dropped. A synchronizing
    /// literal's bytes will not come (the client waits for `+`); a
    /// non-synchronizing one's are read and discarded, and the rest of its line.
    pub fn reject_literal(&mut self) {
        if let State::Announced { length, mode } = self.state {
            let _ = self.buf.split_to(self.scanned);
            self.scanned = 0;
            self.search_from = 0;
            self.state = match mode {
                LiteralMode::Sync => State::Line,
                LiteralMode::NonSync => State::Discard { remaining: length },
            };
        }
    }

    /// Finds the next event in the buffered input, or `None` when more input is needed
    /// (or an announcement waits for an answer).
    pub fn poll(&mut self) -> Option<FrameEvent> {
        loop {
            match self.state {
                State::Announced { .. } => return None,
                State::Literal { remaining } => {
                    let available = self.buf.len() - self.scanned;
                    if available < remaining {
                        return None;
                    }
                    self.scanned += remaining;
                    self.search_from = self.scanned;
                    self.state = State::Line;
                }
                State::Streaming { remaining } => {
                    if self.buf.is_empty() {
                        return None;
                    }
                    let take = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(self.buf.len());
                    let chunk = self.buf.split_to(take).freeze();
                    let left = remaining - take as u64;
                    self.state = if left == 0 {
                        State::Line
                    } else {
                        State::Streaming { remaining: left }
                    };
                    return Some(FrameEvent::LiteralData(chunk));
                }
                State::Discard { remaining } => {
                    if self.buf.is_empty() {
                        return None;
                    }
                    let take = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(self.buf.len());
                    let _ = self.buf.split_to(take);
                    let left = remaining - take as u64;
                    self.state = if left == 0 {
                        State::SkipLine
                    } else {
                        State::Discard { remaining: left }
                    };
                }
                State::SkipLine => match memchr::memchr(b'\n', &self.buf) {
                    Some(lf) => {
                        let line = self.buf.split_to(lf + 1);
                        self.state = State::Line;
                        // A skipped line may announce another non-synchronizing
                        // literal of the same command: skip that too.
                        if let Some(a) = announcement(&line)
                            && a.mode == LiteralMode::NonSync
                        {
                            self.state = State::Discard {
                                remaining: a.length,
                            };
                        }
                    }
                    None => {
                        // Keep the tail: the line may end with a literal
                        // announcement that is still arriving ("~{" + 19 digits + "+}\r").
                        let keep = self.buf.len().min(ANNOUNCEMENT_TAIL);
                        let _ = self.buf.split_to(self.buf.len() - keep);
                        return None;
                    }
                },
                State::Line => return self.poll_line(),
            }
        }
    }

    fn poll_line(&mut self) -> Option<FrameEvent> {
        let from = self.search_from.max(self.scanned);
        let Some(lf) = memchr::memchr(b'\n', &self.buf[from..]) else {
            self.search_from = self.buf.len();
            if self.buf.len() - self.scanned > self.max_line {
                return Some(self.fail(FrameErrorKind::LineTooLong));
            }
            return None;
        };
        let end = from + lf + 1;
        if end - self.scanned > self.max_line {
            return Some(self.fail(FrameErrorKind::LineTooLong));
        }
        let line_start = self.scanned;
        self.scanned = end;
        self.search_from = end;
        match announcement(&self.buf[line_start..end]) {
            None => {
                let frame = self.buf.split_to(end).freeze();
                self.scanned = 0;
                self.search_from = 0;
                Some(FrameEvent::Frame(frame))
            }
            Some(a) => {
                self.state = State::Announced {
                    length: a.length,
                    mode: a.mode,
                };
                if self.responses {
                    if self.literal_exceeds_frame_limit() {
                        // A server sends literal data without waiting: discard it.
                        self.state = State::Announced {
                            length: a.length,
                            mode: LiteralMode::NonSync,
                        };
                        let tag = tag_of(&self.buf[..self.scanned]);
                        self.reject_literal();
                        return Some(FrameEvent::Error(FrameError {
                            kind: FrameErrorKind::FrameTooLarge,
                            tag,
                        }));
                    }
                    self.accept_literal();
                    return self.poll();
                }
                Some(FrameEvent::LiteralAnnounced(a))
            }
        }
    }

    /// Whether accepting the pending announcement into the frame would break the
    /// frame limit (streaming it is not limited by this).
    pub fn literal_exceeds_frame_limit(&self) -> bool {
        match self.state {
            State::Announced { length, .. } => self.scanned as u64 + length > self.max_frame as u64,
            _ => false,
        }
    }

    /// Drops the current frame and skips the rest of the offending line (and the
    /// data of a non-synchronizing literal announced at its end), whether or not
    /// the line has ended yet: the outcome must not depend on how input arrives.
    fn fail(&mut self, kind: FrameErrorKind) -> FrameEvent {
        let tag = tag_of(&self.buf[..self.buf.len().min(256)]);
        let _ = self.buf.split_to(self.scanned.min(self.buf.len()));
        self.scanned = 0;
        self.search_from = 0;
        self.state = State::SkipLine;
        FrameEvent::Error(FrameError { kind, tag })
    }
}

fn tag_of(start: &[u8]) -> Option<Tag<'static>> {
    crate::codec::parse::command_tag(start).map(Tag::into_owned)
}

/// The literal announced at the end of `line` (which ends with LF), if any.
///
/// ```text
/// literal  = "{" number64 ["+"] "}" CRLF
/// literal8 = "~{" number64 ["+"] "}" CRLF
/// ```
fn announcement(line: &[u8]) -> Option<LiteralAnnouncement> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let body = line.strip_suffix(b"}")?;
    let (body, mode) = match body.strip_suffix(b"+") {
        Some(rest) => (rest, LiteralMode::NonSync),
        None => (body, LiteralMode::Sync),
    };
    let digits = body.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let open = body.len() - digits;
    if open == 0 || body[open - 1] != b'{' {
        return None;
    }
    let length = body[open..].iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })?;
    let binary = open >= 2 && body[open - 2] == b'~';
    Some(LiteralAnnouncement {
        length,
        mode,
        binary,
    })
}

#[cfg(test)]
mod tests;
