//! Bounded CRLF lines.

use bytes::{Bytes, BytesMut};

/// One frame found by [`LineFramer`].
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum LineFrame {
    /// A complete line, without its CRLF (or bare LF).
    Line(Bytes),
    /// A line longer than the limit. Reported once, when the limit is passed; the
    /// framer then discards everything up to and including the next LF.
    TooLong,
}

/// Splits a byte stream into lines of at most `max_len` octets (line end included).
///
/// Lines end with CRLF; a bare LF is accepted as well and the CR before an LF is
/// removed (see [`manual`](crate::manual) for this leniency). The framer keeps no bytes
/// itself: the caller owns the buffer and the framer splits complete lines off its front
/// (zero-copy, `split_to(..).freeze()`), remembering how far it has scanned so no byte
/// is searched twice.
///
/// ```
/// use bytes::BytesMut;
/// use mailwright_pop3::codec::frame::{LineFrame, LineFramer};
///
/// let mut framer = LineFramer::new(255);
/// let mut buf = BytesMut::from(&b"STAT\r\nLIS"[..]);
/// assert_eq!(framer.next_frame(&mut buf), Some(LineFrame::Line("STAT".into())));
/// assert_eq!(framer.next_frame(&mut buf), None, "need more input");
/// buf.extend_from_slice(b"T\r\n");
/// assert_eq!(framer.next_frame(&mut buf), Some(LineFrame::Line("LIST".into())));
/// ```
#[derive(Clone, Debug)]
pub struct LineFramer {
    max_len: usize,
    scanned: usize,
    discarding: bool,
}

impl LineFramer {
    /// A framer for lines of at most `max_len` octets, CRLF included.
    pub fn new(max_len: usize) -> Self {
        Self {
            max_len: max_len.max(2),
            scanned: 0,
            discarding: false,
        }
    }

    /// Changes the limit (a server raises it while a SASL exchange runs).
    pub fn set_max_len(&mut self, max_len: usize) {
        self.max_len = max_len.max(2);
    }

    /// Splits the next frame off the front of `buf`, or returns `None` when `buf` holds
    /// no complete line yet (the caller appends more input to `buf` and asks again).
    #[must_use]
    pub fn next_frame(&mut self, buf: &mut BytesMut) -> Option<LineFrame> {
        loop {
            let from = self.scanned.min(buf.len());
            let Some(found) = memchr::memchr(b'\n', &buf[from..]) else {
                if self.discarding {
                    let _ = buf.split();
                    self.scanned = 0;
                    return None;
                }
                if buf.len() > self.max_len {
                    let _ = buf.split();
                    self.scanned = 0;
                    self.discarding = true;
                    return Some(LineFrame::TooLong);
                }
                self.scanned = buf.len();
                return None;
            };
            let end = from + found + 1;
            let mut line = buf.split_to(end);
            self.scanned = 0;
            if self.discarding {
                self.discarding = false;
                continue;
            }
            if end > self.max_len {
                return Some(LineFrame::TooLong);
            }
            line.truncate(end - 1);
            if line.last() == Some(&b'\r') {
                line.truncate(end - 2);
            }
            return Some(LineFrame::Line(line.freeze()));
        }
    }

    /// Whether the framer is skipping the rest of an oversize line.
    pub fn is_discarding(&self) -> bool {
        self.discarding
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn frames(framer: &mut LineFramer, buf: &mut BytesMut) -> Vec<LineFrame> {
        std::iter::from_fn(|| framer.next_frame(buf)).collect()
    }

    #[test]
    fn table() {
        let rows: &[(&[u8], &[&str], usize)] = &[
            (b"", &[], 0),
            (b"STAT", &[], 4),
            (b"STAT\r", &[], 5),
            (b"STAT\r\n", &["STAT"], 0),
            (b"STAT\n", &["STAT"], 0),
            (b"\r\n", &[""], 0),
            (b"A\r\nB\r\nC", &["A", "B"], 1),
            (b"A\rB\r\n", &["A\rB"], 0),
        ];
        for (input, lines, left) in rows {
            let mut framer = LineFramer::new(16);
            let mut buf = BytesMut::from(*input);
            let found = frames(&mut framer, &mut buf);
            let expected: Vec<_> = lines
                .iter()
                .map(|line| LineFrame::Line(Bytes::copy_from_slice(line.as_bytes())))
                .collect();
            assert_eq!(found, expected, "{input:?}");
            assert_eq!(buf.len(), *left, "{input:?}");
        }
    }

    #[test]
    fn oversize_lines_are_reported_once_and_skipped() {
        let mut framer = LineFramer::new(8);
        let mut buf = BytesMut::from(&b"1234567"[..]);
        assert_eq!(framer.next_frame(&mut buf), None);
        buf.extend_from_slice(b"89");
        assert_eq!(framer.next_frame(&mut buf), Some(LineFrame::TooLong));
        assert!(framer.is_discarding());
        assert!(buf.is_empty(), "the buffer never grows past the limit");
        buf.extend_from_slice(b"still the long line");
        assert_eq!(framer.next_frame(&mut buf), None);
        assert!(buf.is_empty());
        buf.extend_from_slice(b"...\r\nNOOP\r\n");
        assert_eq!(
            framer.next_frame(&mut buf),
            Some(LineFrame::Line("NOOP".into()))
        );
        // Exactly at the limit (CRLF included) is fine; one more is not.
        let mut buf = BytesMut::from(&b"123456\r\n1234567\r\n"[..]);
        assert_eq!(
            framer.next_frame(&mut buf),
            Some(LineFrame::Line("123456".into()))
        );
        assert_eq!(framer.next_frame(&mut buf), Some(LineFrame::TooLong));
        assert_eq!(framer.next_frame(&mut buf), None);
    }

    proptest! {
        /// Splitting the same input at any position yields the same frames.
        #[test]
        fn split_anywhere(input in proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'a'), Just(b'.')], 0..64),
            split in 0usize..64,
        ) {
            let split = split.min(input.len());
            let mut whole = LineFramer::new(10);
            let mut buf = BytesMut::from(&input[..]);
            let expected = frames(&mut whole, &mut buf);

            let mut parts = LineFramer::new(10);
            let mut buf = BytesMut::from(&input[..split]);
            let mut found = frames(&mut parts, &mut buf);
            buf.extend_from_slice(&input[split..]);
            found.extend(frames(&mut parts, &mut buf));
            // An oversize line may be reported from the first part already; the frames
            // after it are the same.
            prop_assert_eq!(found, expected);
        }

        /// The buffer left behind never exceeds the limit.
        #[test]
        fn bounded(input in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut framer = LineFramer::new(32);
            let mut buf = BytesMut::new();
            for chunk in input.chunks(7) {
                buf.extend_from_slice(chunk);
                while let Some(frame) = framer.next_frame(&mut buf) {
                    if let LineFrame::Line(line) = frame {
                        prop_assert!(line.len() <= 32);
                    }
                }
                prop_assert!(buf.len() <= 32);
            }
        }
    }
}
