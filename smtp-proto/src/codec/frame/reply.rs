//! Complete replies, for the client: every line up to the one without `-`.

use bytes::BytesMut;

/// What [`ReplyFramer::next`] found at the front of the input.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum ReplyFrame {
    /// A complete reply of `len` octets (all its lines) at the front of the input,
    /// ready for [`parse::reply`](crate::codec::parse::reply).
    Complete {
        /// The length of every line of the reply, line endings included.
        len: usize,
    },
    /// The server sent something that is not a reply, or a reply over the limits.
    /// The connection cannot go on.
    Malformed,
}

/// Finds complete (possibly multi-line) replies in a byte stream, with limits on the
/// length of a line and the number of lines.
///
/// ```
/// use bytes::BytesMut;
/// use mailwright_smtp::codec::frame::{ReplyFrame, ReplyFramer};
///
/// let mut framer = ReplyFramer::new(512, 100);
/// let mut input = BytesMut::from(&b"250-mx.example.org\r\n250-PIPE"[..]);
/// assert_eq!(framer.next(&input), None);
/// input.extend_from_slice(b"LINING\r\n250 SIZE 100\r\n");
/// assert_eq!(framer.next(&input), Some(ReplyFrame::Complete { len: input.len() }));
/// ```
#[derive(Clone, Debug)]
pub struct ReplyFramer {
    max_line: usize,
    max_lines: usize,
    /// Complete continuation lines already checked at the front of the input.
    scanned: usize,
    lines: usize,
}

impl ReplyFramer {
    /// A framer for lines of at most `max_line` octets and replies of at most
    /// `max_lines` lines.
    pub fn new(max_line: usize, max_lines: usize) -> Self {
        Self {
            max_line: max_line.max(6),
            max_lines: max_lines.max(1),
            scanned: 0,
            lines: 0,
        }
    }

    /// The next complete reply at the front of `input`, or `None` when more input is
    /// needed. After [`ReplyFrame::Complete`] the caller MUST remove the reply from the
    /// input before calling again.
    pub fn next(&mut self, input: &BytesMut) -> Option<ReplyFrame> {
        loop {
            let start = self.scanned.min(input.len());
            let Some(end) = memchr::memchr(b'\n', &input[start..]).map(|at| start + at + 1) else {
                return (input.len() - start > self.max_line).then_some(ReplyFrame::Malformed);
            };
            let line = &input[start..end];
            if line.len() > self.max_line
                || line.len() < 4
                || !line[..3].iter().all(u8::is_ascii_digit)
                || (start > 0 && line[..3] != input[..3])
            {
                return Some(self.done(ReplyFrame::Malformed));
            }
            match line[3] {
                b'-' => {
                    self.lines += 1;
                    if self.lines >= self.max_lines {
                        return Some(self.done(ReplyFrame::Malformed));
                    }
                    self.scanned = end;
                }
                b' ' | b'\r' | b'\n' => return Some(self.done(ReplyFrame::Complete { len: end })),
                _ => return Some(self.done(ReplyFrame::Malformed)),
            }
        }
    }

    fn done(&mut self, frame: ReplyFrame) -> ReplyFrame {
        self.scanned = 0;
        self.lines = 0;
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_in_any_split() {
        let input = b"220 ready\r\n250-a\r\n250-b\r\n250 c\r\n354\r\n";
        for step in 1..input.len() {
            let mut framer = ReplyFramer::new(64, 10);
            let mut buffer = BytesMut::new();
            let mut replies = Vec::new();
            for piece in input.chunks(step) {
                buffer.extend_from_slice(piece);
                while let Some(frame) = framer.next(&buffer) {
                    let ReplyFrame::Complete { len } = frame else {
                        panic!("malformed at step {step}")
                    };
                    replies.push(buffer.split_to(len).to_vec());
                }
            }
            assert_eq!(
                replies,
                [
                    &b"220 ready\r\n"[..],
                    b"250-a\r\n250-b\r\n250 c\r\n",
                    b"354\r\n"
                ],
                "step {step}"
            );
        }
    }

    #[test]
    fn refuses_garbage_and_excess() {
        let cases: &[&[u8]] = &[
            b"hello\r\n",
            b"25\r\n",
            b"250-a\r\n251 b\r\n",
            b"250xa\r\n",
            b"250-1\r\n250-2\r\n250-3\r\n250 4\r\n",
            b"250 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ];
        for input in cases {
            let mut framer = ReplyFramer::new(32, 3);
            let buffer = BytesMut::from(*input);
            assert_eq!(
                framer.next(&buffer),
                Some(ReplyFrame::Malformed),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
}
