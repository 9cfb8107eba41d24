//! A message body on its way out: dot-stuffing, CRLF, and the `TOP` cut.

use bytes::BufMut;

/// Whether a [`BodyEncoder`] wants more of the message.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum BodyProgress {
    /// Feed the next chunk (or finish at the end of the message).
    More,
    /// `TOP` has sent all the lines it was asked for: stop reading the message and
    /// finish; further chunks are ignored.
    Complete,
}

/// Streams one message into the body of a `RETR` or `TOP` response.
///
/// Chunks of any size and alignment go in; out comes the multi-line form of
/// [RFC 1939 section 3](https://www.rfc-editor.org/rfc/rfc1939#section-3): a `.` added
/// before every line that starts with `.`, every line ending in CRLF (a bare LF, as in
/// Maildir files, becomes CRLF; a lone CR is left alone), and on
/// [`finish`](Self::finish) a CRLF if the message did not end with one, then `.` CRLF.
/// The encoder keeps three flags of state between chunks and never holds message bytes,
/// so a 50 MB message passes through in chunk-sized pieces.
///
/// For `TOP msg n` ([RFC 1939 section 7](https://www.rfc-editor.org/rfc/rfc1939#section-7))
/// it passes the header, the empty line that ends it and then `n` lines of the body;
/// a message without an empty line is all header and is sent whole.
///
/// ```
/// use mailwright_pop3::codec::frame::{BodyEncoder, BodyProgress};
///
/// let mut out = Vec::new();
/// let mut body = BodyEncoder::top(1);
/// assert_eq!(body.encode(b"Subject: x\n\n.hidden\nsecond\n", &mut out), BodyProgress::Complete);
/// body.finish(&mut out);
/// assert_eq!(out, b"Subject: x\r\n\r\n..hidden\r\n.\r\n");
/// ```
#[derive(Clone, Debug)]
pub struct BodyEncoder {
    cut: Cut,
    at_line_start: bool,
    after_cr: bool,
    line_len: usize,
}

#[derive(Clone, Copy, Debug)]
enum Cut {
    Whole,
    Header { body_lines: u32 },
    Body { remaining: u32 },
    Done,
}

impl BodyEncoder {
    /// An encoder for a whole message (`RETR`).
    pub fn whole() -> Self {
        Self::with_cut(Cut::Whole)
    }

    /// An encoder for the header and the first `body_lines` lines of the body (`TOP`).
    pub fn top(body_lines: u32) -> Self {
        Self::with_cut(Cut::Header { body_lines })
    }

    fn with_cut(cut: Cut) -> Self {
        Self {
            cut,
            at_line_start: true,
            after_cr: false,
            line_len: 0,
        }
    }

    /// Appends the encoded form of the next `chunk` of the message to `out`.
    pub fn encode(&mut self, chunk: &[u8], out: &mut impl BufMut) -> BodyProgress {
        let mut rest = chunk;
        while !rest.is_empty() {
            if matches!(self.cut, Cut::Done) {
                return BodyProgress::Complete;
            }
            if self.at_line_start && rest[0] == b'.' {
                out.put_u8(b'.');
            }
            match memchr::memchr(b'\n', rest) {
                Some(at) => {
                    let had_cr = match at {
                        0 => self.after_cr,
                        _ => rest[at - 1] == b'\r',
                    };
                    out.put_slice(&rest[..at]);
                    out.put_slice(if had_cr { b"\n" } else { b"\r\n" });
                    let empty = self.line_len + at == usize::from(had_cr);
                    self.end_line(empty);
                    rest = &rest[at + 1..];
                }
                None => {
                    out.put_slice(rest);
                    self.line_len += rest.len();
                    self.after_cr = rest.last() == Some(&b'\r');
                    self.at_line_start = false;
                    rest = &[];
                }
            }
        }
        self.progress()
    }

    /// Appends the end of the response: a CRLF if the message did not end with a line
    /// end, then `.` CRLF.
    pub fn finish(&mut self, out: &mut impl BufMut) {
        if !self.at_line_start {
            out.put_slice(if self.after_cr { b"\n" } else { b"\r\n" });
        }
        out.put_slice(b".\r\n");
        self.cut = Cut::Done;
        self.at_line_start = true;
        self.after_cr = false;
    }

    /// Whether the encoder wants more input.
    pub fn progress(&self) -> BodyProgress {
        match self.cut {
            Cut::Done => BodyProgress::Complete,
            _ => BodyProgress::More,
        }
    }

    fn end_line(&mut self, empty: bool) {
        self.at_line_start = true;
        self.after_cr = false;
        self.line_len = 0;
        self.cut = match self.cut {
            Cut::Header { body_lines: 0 } if empty => Cut::Done,
            Cut::Header { body_lines } if empty => Cut::Body {
                remaining: body_lines,
            },
            Cut::Body { remaining: 1 } => Cut::Done,
            Cut::Body { remaining } => Cut::Body {
                remaining: remaining - 1,
            },
            other => other,
        };
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn encode_all(mut encoder: BodyEncoder, message: &[u8], chunk: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in message.chunks(chunk.max(1)) {
            if encoder.encode(piece, &mut out) == BodyProgress::Complete {
                break;
            }
        }
        encoder.finish(&mut out);
        out
    }

    #[test]
    fn whole_messages() {
        let rows: &[(&[u8], &[u8])] = &[
            (b"", b".\r\n"),
            (b"a\r\n", b"a\r\n.\r\n"),
            (b"a", b"a\r\n.\r\n"),
            (b"a\r", b"a\r\n.\r\n"),
            (b"a\nb\n", b"a\r\nb\r\n.\r\n"),
            (b".\r\n", b"..\r\n.\r\n"),
            (b"a\r\n.\r\n.b\r\n", b"a\r\n..\r\n..b\r\n.\r\n"),
            (b"a\rb\r\n", b"a\rb\r\n.\r\n"),
            (b"x\r\n.", b"x\r\n..\r\n.\r\n"),
        ];
        for (message, expected) in rows {
            for chunk in 1..=message.len().max(1) {
                assert_eq!(
                    encode_all(BodyEncoder::whole(), message, chunk),
                    *expected,
                    "{message:?} in chunks of {chunk}"
                );
            }
        }
    }

    #[test]
    fn top_cuts_after_n_body_lines() {
        let message = b"From: a\r\nSubject: b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n";
        let rows: &[(u32, &[u8])] = &[
            (0, b"From: a\r\nSubject: b\r\n\r\n.\r\n"),
            (1, b"From: a\r\nSubject: b\r\n\r\nline 1\r\n.\r\n"),
            (
                3,
                b"From: a\r\nSubject: b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n.\r\n",
            ),
            (
                9,
                b"From: a\r\nSubject: b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n.\r\n",
            ),
        ];
        for (lines, expected) in rows {
            for chunk in 1..=message.len() {
                assert_eq!(
                    encode_all(BodyEncoder::top(*lines), message, chunk),
                    *expected,
                    "TOP {lines} in chunks of {chunk}"
                );
            }
        }
        // No empty line: all header, sent whole.
        assert_eq!(
            encode_all(BodyEncoder::top(0), b"A: b\r\nC: d", 3),
            b"A: b\r\nC: d\r\n.\r\n"
        );
        // Bare LF messages split the same way.
        assert_eq!(
            encode_all(BodyEncoder::top(1), b"A: b\n\nx\ny\n", 2),
            b"A: b\r\n\r\nx\r\n.\r\n"
        );
        // An empty line inside the body counts as a line.
        assert_eq!(
            encode_all(BodyEncoder::top(2), b"A: b\r\n\r\n\r\n.x\r\ny\r\n", 4),
            b"A: b\r\n\r\n\r\n..x\r\n.\r\n"
        );
    }

    /// Removes the dot-stuffing and the terminator: what a client reconstructs.
    fn unstuff(encoded: &[u8]) -> Vec<u8> {
        assert!(encoded.ends_with(b".\r\n"));
        let body = &encoded[..encoded.len() - 3];
        let mut out = Vec::new();
        for line in body.split_inclusive(|&b| b == b'\n') {
            assert!(line.ends_with(b"\r\n"), "every line ends with CRLF");
            let line = line.strip_prefix(b".").unwrap_or(line);
            out.extend_from_slice(line);
        }
        out
    }

    proptest! {
        /// For CRLF messages the client gets back exactly the message, whatever the
        /// chunking, and the terminator never appears early.
        #[test]
        fn round_trip(
            lines in proptest::collection::vec("[.a-z\r]{0,6}", 0..12),
            chunk in 1usize..20,
        ) {
            let mut message = Vec::new();
            for line in &lines {
                message.extend_from_slice(line.trim_end_matches('\r').as_bytes());
                message.extend_from_slice(b"\r\n");
            }
            let encoded = encode_all(BodyEncoder::whole(), &message, chunk);
            let terminator = encoded
                .windows(5)
                .position(|w| w == b"\r\n.\r\n")
                .map(|at| at + 5);
            prop_assert!(terminator.is_none() || terminator == Some(encoded.len()));
            prop_assert_eq!(unstuff(&encoded), message);
        }

        /// Any bytes, any chunking: the same output as in one piece.
        #[test]
        fn chunking_does_not_matter(
            message in proptest::collection::vec(
                prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'.'), Just(b'x')], 0..64),
            chunk in 1usize..10,
            lines in 0u32..4,
        ) {
            prop_assert_eq!(
                encode_all(BodyEncoder::top(lines), &message, chunk),
                encode_all(BodyEncoder::top(lines), &message, message.len().max(1))
            );
            prop_assert_eq!(
                encode_all(BodyEncoder::whole(), &message, chunk),
                encode_all(BodyEncoder::whole(), &message, message.len().max(1))
            );
        }
    }
}
