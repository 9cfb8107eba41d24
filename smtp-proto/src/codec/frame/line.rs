//! Bounded command lines.

use bytes::{Buf, BytesMut};

/// What [`LineFramer::next`] found at the front of the input.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Line {
    /// A complete line of `len` octets, line ending included, at the front of the
    /// input. The caller parses `&input[..len]` and then advances the input by `len`.
    Complete {
        /// The length of the line with its CRLF (or LF).
        len: usize,
    },
    /// A line longer than the limit ended; its octets were discarded as they came,
    /// without being buffered. Reported once per line, when its end arrives, so the
    /// reply to it comes in order.
    TooLong,
}

/// Splits command lines off a buffer, never holding more than `max` octets of one.
///
/// A line ends at LF; the CR before it is part of the line (a command line ending in a
/// bare LF is accepted, as a quirk that is harmless outside DATA). A line longer than
/// `max` (ending included) is dropped octet by octet as it arrives: the buffer never
/// grows past `max` however long the peer's line is, and [`Line::TooLong`] comes out
/// once its end arrives.
///
/// ```
/// use bytes::{Buf, BytesMut};
/// use mailwright_smtp::codec::frame::{Line, LineFramer};
///
/// let mut framer = LineFramer::new(16);
/// let mut input = BytesMut::from(&b"NOOP\r\nAAAAAAAAAAAAAAAAAAAAAAA"[..]);
/// assert_eq!(framer.next(&mut input), Some(Line::Complete { len: 6 }));
/// input.advance(6);
/// assert_eq!(framer.next(&mut input), None); // the long line is being discarded
/// assert!(input.is_empty());
/// input.extend_from_slice(b"AAAA\r\nQUIT\r\n");
/// assert_eq!(framer.next(&mut input), Some(Line::TooLong));
/// assert_eq!(framer.next(&mut input), Some(Line::Complete { len: 6 }));
/// ```
#[derive(Clone, Debug)]
pub struct LineFramer {
    max: usize,
    /// Octets at the front of the input already scanned without finding LF.
    scanned: usize,
    /// Inside an oversize line, discarding up to its LF.
    discarding: bool,
}

impl LineFramer {
    /// A framer for lines of at most `max` octets, line ending included (at least 3).
    pub fn new(max: usize) -> Self {
        Self {
            max: max.max(3),
            scanned: 0,
            discarding: false,
        }
    }

    /// Changes the limit (the SASL exchange allows longer lines than commands).
    pub fn set_max(&mut self, max: usize) {
        self.max = max.max(3);
    }

    /// The current limit.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The next line at the front of `input`, or `None` when more input is needed.
    ///
    /// After [`Line::Complete`] the caller MUST advance `input` past the line before
    /// calling again. Discarded octets of an oversize line are removed from `input`
    /// here.
    pub fn next(&mut self, input: &mut BytesMut) -> Option<Line> {
        loop {
            if self.discarding {
                match memchr::memchr(b'\n', input) {
                    Some(at) => {
                        input.advance(at + 1);
                        self.discarding = false;
                        return Some(Line::TooLong);
                    }
                    None => {
                        input.clear();
                        return None;
                    }
                }
            }
            let end = input.len().min(self.max);
            // Robust against a caller that shrank the input since the last call.
            self.scanned = self.scanned.min(end);
            match memchr::memchr(b'\n', &input[self.scanned..end]) {
                Some(at) => {
                    let len = self.scanned + at + 1;
                    self.scanned = 0;
                    return Some(Line::Complete { len });
                }
                None if input.len() >= self.max => {
                    // No LF within the limit: the line is too long.
                    input.advance(self.max);
                    self.scanned = 0;
                    self.discarding = true;
                }
                None => {
                    self.scanned = input.len();
                    return None;
                }
            }
        }
    }

    /// Forgets a partial line (after STARTTLS, whose pipelined plaintext is dropped).
    pub fn reset(&mut self) {
        self.scanned = 0;
        self.discarding = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in pieces of `step` octets and collects what comes out.
    fn frames(max: usize, input: &[u8], step: usize) -> (Vec<Vec<u8>>, usize) {
        let mut framer = LineFramer::new(max);
        let mut buffer = BytesMut::new();
        let mut out = Vec::new();
        let mut peak = 0;
        for piece in input.chunks(step.max(1)) {
            buffer.extend_from_slice(piece);
            while let Some(line) = framer.next(&mut buffer) {
                match line {
                    Line::Complete { len } => out.push(buffer.split_to(len).to_vec()),
                    Line::TooLong => out.push(b"<too long>".to_vec()),
                }
            }
            peak = peak.max(buffer.len());
        }
        (out, peak)
    }

    #[test]
    fn lines_and_oversize_lines_in_order() {
        let input = b"EHLO a\r\nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\r\nQUIT\r\nbare\n";
        let expected: Vec<Vec<u8>> = vec![
            b"EHLO a\r\n".to_vec(),
            b"<too long>".to_vec(),
            b"QUIT\r\n".to_vec(),
            b"bare\n".to_vec(),
        ];
        for step in 1..input.len() {
            let (out, peak) = frames(16, input, step);
            assert_eq!(out, expected, "step {step}");
            assert!(peak < 16 + step, "step {step}: buffer grew to {peak}");
        }
    }

    #[test]
    fn exactly_max_is_allowed() {
        let (out, _) = frames(6, b"QUIT\r\nNOOPX\r\n", 100);
        assert_eq!(out, [b"QUIT\r\n".to_vec(), b"<too long>".to_vec()]);
    }

    #[test]
    fn a_huge_line_never_fills_the_buffer() {
        let mut input = vec![b'A'; 1 << 20];
        input.extend_from_slice(b"\r\nQUIT\r\n");
        let (out, peak) = frames(512, &input, 4096);
        assert_eq!(out, [b"<too long>".to_vec(), b"QUIT\r\n".to_vec()]);
        assert!(peak <= 4096 + 512);
    }
}
