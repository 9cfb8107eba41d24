//! The DATA body: dot-unstuffing, and the end of data only at `<CRLF>.<CRLF>`.

use bytes::{Buf, Bytes, BytesMut};

/// What to do with a CR or LF in a DATA body that is not part of a CRLF pair.
///
/// [RFC 5321 section 2.3.8](https://www.rfc-editor.org/rfc/rfc5321#section-2.3.8)
/// allows CR and LF only as CRLF. Bare ones are how SMTP smuggling hides a second
/// message (CVE-2023-51764/51765/51766): a receiver that ends DATA at `<LF>.<LF>`
/// reads the rest as new commands. The decoder never ends DATA at anything but
/// `<CRLF>.<CRLF>`; this policy only says what the message body gets.
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum BareLineEndings {
    /// Replace each bare CR or LF by CRLF in the body handed out (what Postfix 3.9
    /// does with `smtpd_forbid_bare_newline = normalize`). The default.
    #[default]
    Normalize,
    /// Report [`DataEvent::BareLineEnding`] and drop the octet; the server session
    /// rejects the message after its end (`554 5.6.0`).
    Reject,
}

/// What [`DataDecoder::decode`] found.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum DataEvent {
    /// Body octets, unstuffed, in order. Split off the input without copying.
    Chunk(Bytes),
    /// A bare CR or LF under [`BareLineEndings::Reject`]; the octet was dropped.
    BareLineEnding,
    /// The `.` line: the body is complete. The input now starts after its CRLF.
    End,
}

/// Decodes a DATA body from the input that follows the `354` reply,
/// [RFC 5321 section 4.5.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.2).
///
/// A line that starts with `.` has it removed; the line `.` alone ends the body, and
/// only when the octets on the wire are `<CRLF>.<CRLF>` (or `.<CRLF>` as the body's
/// first line). `<LF>.<LF>`, `<CR>.<CR><LF>`, `<LF>.<CR><LF>` and every other
/// variant are body content. The CRLF before the final dot belongs to the body.
///
/// Chunks are split off the input buffer (`BytesMut::split_to(..).freeze()`), so a
/// body is never copied and never held whole: the caller hands each chunk on and the
/// buffer holds at most what was read but not yet decoded. A chunk ends early at a
/// dot-stuffed line or a bare line ending, and never includes a CR whose next octet
/// has not arrived.
///
/// ```
/// use bytes::BytesMut;
/// use mailwright_smtp::codec::frame::{BareLineEndings, DataDecoder, DataEvent};
///
/// let mut decoder = DataDecoder::new(BareLineEndings::Normalize);
/// let mut input = BytesMut::from(&b"Hi\r\n..dot\r\n\n.\n\r\n.\r\nQUIT\r\n"[..]);
/// let mut body = Vec::new();
/// while let Some(event) = decoder.decode(&mut input) {
///     match event {
///         DataEvent::Chunk(chunk) => body.extend_from_slice(&chunk),
///         DataEvent::End => break,
///         DataEvent::BareLineEnding => unreachable!("normalized"),
///     }
/// }
/// assert_eq!(body, b"Hi\r\n.dot\r\n\r\n.\r\n\r\n"); // the smuggling attempt stays in the body
/// assert_eq!(&input[..], b"QUIT\r\n");
/// ```
#[derive(Clone, Debug)]
pub struct DataDecoder {
    policy: BareLineEndings,
    at_line_start: bool,
}

impl DataDecoder {
    /// A decoder at the start of a body.
    pub fn new(policy: BareLineEndings) -> Self {
        Self {
            policy,
            at_line_start: true,
        }
    }

    /// The next piece of the body from the front of `input`, or `None` when more
    /// input is needed. Call again until `None` or [`DataEvent::End`]; after `End` the
    /// decoder is ready for the next body.
    pub fn decode(&mut self, input: &mut BytesMut) -> Option<DataEvent> {
        if !(self.at_line_start && input.first() == Some(&b'.'))
            && let Some(event) = self.decode_clean_run(input)
        {
            return Some(event);
        }
        self.decode_step(input)
    }

    /// The fast path: the longest prefix with no bare CR or LF and no dot at a line
    /// start after its first octet, handed out whole. One branch-free block scan finds
    /// where it stops, so every call costs about the octets it hands out (linear on
    /// any input). `None` when the input starts with something for
    /// [`decode_step`](Self::decode_step).
    fn decode_clean_run(&mut self, input: &mut BytesMut) -> Option<DataEvent> {
        // A CR at the very end may be half of a CRLF: never hand it out yet.
        let known = if input.last() == Some(&b'\r') {
            input.len() - 1
        } else {
            input.len()
        };
        let end = first_stop(&input[..known + usize::from(known < input.len())])
            .unwrap_or(known)
            .min(known);
        if end == 0 {
            return None;
        }
        self.at_line_start = input[..end].ends_with(b"\r\n");
        Some(DataEvent::Chunk(input.split_to(end).freeze()))
    }

    /// The exact path, one decision at a time: a dot at a line start (stuffing or the
    /// end), a bare CR or LF, a CR whose next octet has not arrived.
    fn decode_step(&mut self, input: &mut BytesMut) -> Option<DataEvent> {
        // `input[..ready]` is body content to hand out as it is.
        let mut ready = 0;
        loop {
            if self.at_line_start {
                match input.get(ready) {
                    None => return chunk(input, ready),
                    Some(b'.') if ready > 0 => return chunk(input, ready),
                    Some(b'.') => match (input.get(1), input.get(2)) {
                        (None, _) | (Some(b'\r'), None) => return None,
                        (Some(b'\r'), Some(b'\n')) => {
                            input.advance(3);
                            return Some(DataEvent::End);
                        }
                        // A stuffed dot (or a dot before a bare line ending): drop it.
                        _ => {
                            input.advance(1);
                            self.at_line_start = false;
                        }
                    },
                    Some(_) => self.at_line_start = false,
                }
                continue;
            }
            let Some(found) = memchr::memchr2(b'\r', b'\n', &input[ready..]) else {
                return chunk(input, input.len());
            };
            let at = ready + found;
            if input[at] == b'\r' {
                match input.get(at + 1) {
                    None => return chunk(input, at),
                    Some(b'\n') => {
                        ready = at + 2;
                        self.at_line_start = true;
                        continue;
                    }
                    Some(_) => {}
                }
            }
            // A bare CR or LF at `at`: hand out what comes before it first.
            if at > 0 {
                return chunk(input, at);
            }
            input.advance(1);
            return Some(match self.policy {
                BareLineEndings::Normalize => DataEvent::Chunk(Bytes::from_static(b"\r\n")),
                BareLineEndings::Reject => DataEvent::BareLineEnding,
            });
        }
    }
}

/// Where the clean run at the front of `input` stops: at the first bare CR or LF (an
/// LF not after a CR, an LF first counting as bare since the decoder never leaves the
/// CR of a CRLF behind; a CR followed by something else than LF, a CR last not being
/// judged), or at a dot that starts a line after the first octet. Scans blocks of 64
/// octets with a branch-free test of each octet pair that the compiler vectorizes,
/// and looks closer only in the block that has a stop.
fn first_stop(input: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    if input.first() == Some(&b'\n') {
        return Some(0);
    }
    let stop = |a: u8, b: u8| {
        (u8::from(a == b'\r') ^ u8::from(b == b'\n')) | (u8::from(a == b'\n') & u8::from(b == b'.'))
    };
    let pairs = input.len().saturating_sub(1);
    let mut start = 0;
    while start < pairs {
        let end = (start + BLOCK).min(pairs);
        let block = &input[start..=end];
        let any = block
            .iter()
            .zip(&block[1..])
            .fold(0u8, |acc, (&a, &b)| acc | stop(a, b));
        if any != 0 {
            let at = block
                .windows(2)
                .position(|pair| stop(pair[0], pair[1]) != 0)?;
            // A bare CR stops at itself; a bare LF or a line-start dot at the next octet.
            return Some(start + if block[at] == b'\r' { at } else { at + 1 });
        }
        start = end;
    }
    None
}

/// Splits `len` octets off the front as a chunk, or asks for more when there are none.
fn chunk(input: &mut BytesMut, len: usize) -> Option<DataEvent> {
    (len > 0).then(|| DataEvent::Chunk(input.split_to(len).freeze()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed in pieces of `step` octets: the body, whether it ended,
    /// how many bare line endings were reported, and what is left.
    fn decode(
        policy: BareLineEndings,
        input: &[u8],
        step: usize,
    ) -> (Vec<u8>, bool, usize, Vec<u8>) {
        let mut decoder = DataDecoder::new(policy);
        let mut buffer = BytesMut::new();
        let (mut body, mut ended, mut bare) = (Vec::new(), false, 0);
        let mut pieces = input.chunks(step.max(1));
        'feed: loop {
            while let Some(event) = decoder.decode(&mut buffer) {
                match event {
                    DataEvent::Chunk(chunk) => {
                        assert!(!chunk.is_empty());
                        body.extend_from_slice(&chunk);
                    }
                    DataEvent::BareLineEnding => bare += 1,
                    DataEvent::End => {
                        ended = true;
                        break 'feed;
                    }
                }
            }
            match pieces.next() {
                Some(piece) => buffer.extend_from_slice(piece),
                None => break,
            }
        }
        let mut rest = buffer.to_vec();
        for piece in pieces {
            rest.extend_from_slice(piece);
        }
        (body, ended, bare, rest)
    }

    /// Every split of the input gives the same result (STYLE.md property 4).
    fn check(policy: BareLineEndings, input: &[u8], body: &[u8], ended: bool, bare: usize) {
        for step in 1..=input.len().max(1) {
            let (got, got_end, got_bare, rest) = decode(policy, input, step);
            assert_eq!(
                (String::from_utf8_lossy(&got), got_end, got_bare),
                (String::from_utf8_lossy(body), ended, bare),
                "{:?} in steps of {step}",
                String::from_utf8_lossy(input)
            );
            if ended {
                let consumed = input.len() - rest.len();
                assert!(input[..consumed].ends_with(b".\r\n"));
            }
        }
    }

    #[test]
    fn ends_only_at_crlf_dot_crlf() {
        use BareLineEndings::Normalize as N;
        check(N, b".\r\n", b"", true, 0);
        check(N, b"a\r\n.\r\n", b"a\r\n", true, 0);
        check(N, b"a\r\n.\r\nQUIT\r\n", b"a\r\n", true, 0);
        check(N, b"..\r\n.\r\n", b".\r\n", true, 0);
        check(
            N,
            b"a\r\n..b\r\n...\r\n.\r\n",
            b"a\r\n.b\r\n..\r\n",
            true,
            0,
        );
        check(N, b"a\r\n.b", b"a\r\nb", false, 0);
        check(N, b"a\r\n.", b"a\r\n", false, 0);
        check(N, b"a\r\n.\r", b"a\r\n", false, 0);
    }

    #[test]
    fn smuggling_variants_do_not_end_data() {
        use BareLineEndings::{Normalize as N, Reject as R};
        // CVE-2023-51764/51765/51766 variants: none is an end of data.
        for smuggled in [
            &b"a\n.\nMAIL FROM:<x@y>\n"[..],
            b"a\r.\r\nMAIL",
            b"a\n.\r\nMAIL",
            b"a\r\n.\nMAIL",
            b"a\r\n.\rMAIL",
        ] {
            let (_, ended, _, _) = decode(N, smuggled, 1);
            assert!(!ended, "{:?}", String::from_utf8_lossy(smuggled));
            let (_, ended, bare, _) = decode(R, smuggled, 3);
            assert!(
                !ended && bare > 0,
                "{:?}",
                String::from_utf8_lossy(smuggled)
            );
        }
        check(N, b"a\n.\nb\r\n.\r\n", b"a\r\n.\r\nb\r\n", true, 0);
        check(N, b"a\r.\r\n.\r\n", b"a\r\n.\r\n", true, 0);
        check(N, b"a\n.\r\n.\r\n", b"a\r\n.\r\n", true, 0);
        check(N, b"x\r\n.\nb\r\n.\r\n", b"x\r\n\r\nb\r\n", true, 0);
    }

    #[test]
    fn bare_line_endings_by_policy() {
        use BareLineEndings::{Normalize as N, Reject as R};
        check(N, b"a\nb\rc\r\r\n.\r\n", b"a\r\nb\r\nc\r\n\r\n", true, 0);
        check(R, b"a\nb\rc\r\r\n.\r\n", b"abc\r\n", true, 3);
    }

    /// The one-decision-at-a-time path alone, fed octet by octet: the reference the
    /// fast path must agree with.
    fn decode_exactly(policy: BareLineEndings, input: &[u8]) -> (Vec<u8>, bool, usize) {
        let mut decoder = DataDecoder::new(policy);
        let mut buffer = BytesMut::new();
        let (mut body, mut bare) = (Vec::new(), 0);
        for &octet in input {
            buffer.extend_from_slice(&[octet]);
            while let Some(event) = decoder.decode_step(&mut buffer) {
                match event {
                    DataEvent::Chunk(chunk) => body.extend_from_slice(&chunk),
                    DataEvent::BareLineEnding => bare += 1,
                    DataEvent::End => return (body, true, bare),
                }
            }
        }
        (body, false, bare)
    }

    proptest::proptest! {
        /// The block scan of the fast path finds exactly the stops the exact path
        /// makes, on inputs dense in CR, LF and dots, in any split.
        #[test]
        fn fast_path_agrees_with_the_exact_path(
            input in proptest::collection::vec(
                proptest::sample::select(&b"a.\r\n"[..]), 0..300),
            step in 1usize..100,
            reject in proptest::bool::ANY,
        ) {
            let policy = if reject { BareLineEndings::Reject } else { BareLineEndings::Normalize };
            let (body, ended, bare, _) = decode(policy, &input, step);
            proptest::prop_assert_eq!((body, ended, bare), decode_exactly(policy, &input));
        }
    }

    #[test]
    fn chunks_are_not_copied() {
        let mut input = BytesMut::with_capacity(64);
        input.extend_from_slice(b"line one\r\nline two\r\n");
        let base = input.as_ptr();
        let mut decoder = DataDecoder::new(BareLineEndings::Normalize);
        let Some(DataEvent::Chunk(chunk)) = decoder.decode(&mut input) else {
            panic!()
        };
        assert_eq!(chunk.as_ptr(), base);
        assert_eq!(&chunk[..], b"line one\r\nline two\r\n");
    }
}
