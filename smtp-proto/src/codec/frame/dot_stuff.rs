//! The client side of DATA and BDAT: CRLF line endings, dot-stuffing, the final dot.

use bytes::BufMut;

/// Encodes a message body for sending, chunk by chunk.
///
/// Every bare CR and bare LF becomes CRLF before anything else, so that no receiver
/// can read an early end of data into the body (outbound SMTP smuggling); then, for
/// DATA, a `.` at the start of a line is doubled
/// ([RFC 5321 section 4.5.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.2)),
/// and [`finish`](Self::finish) ends the body with CRLF (if the last line had none) and
/// `.` CRLF. For BDAT ([`for_bdat`](Self::for_bdat)) the line endings are fixed the
/// same way but nothing is stuffed or appended beyond the final CRLF. A CR at the end
/// of a chunk is held back until the next octet shows whether an LF follows.
///
/// ```
/// use mailwright_smtp::codec::frame::DotStuffer;
///
/// let mut stuffer = DotStuffer::for_data();
/// let mut out = Vec::new();
/// stuffer.encode(b"Hi\n.\n.hidden\r", &mut out);
/// stuffer.encode(b"\nlast line", &mut out);
/// stuffer.finish(&mut out);
/// assert_eq!(out, b"Hi\r\n..\r\n..hidden\r\nlast line\r\n.\r\n");
/// ```
#[derive(Clone, Debug)]
pub struct DotStuffer {
    stuff: bool,
    at_line_start: bool,
    pending_cr: bool,
}

impl DotStuffer {
    /// For a DATA body: normalized line endings, dot-stuffing, `.` CRLF at the end.
    pub fn for_data() -> Self {
        Self {
            stuff: true,
            at_line_start: true,
            pending_cr: false,
        }
    }

    /// For BDAT chunks of a text (`7BIT`/`8BITMIME`) body: normalized line endings
    /// only.
    pub fn for_bdat() -> Self {
        Self {
            stuff: false,
            ..Self::for_data()
        }
    }

    /// Encodes the next piece of the body into `out`.
    pub fn encode(&mut self, mut data: &[u8], out: &mut impl BufMut) {
        while let Some(&first) = data.first() {
            if self.pending_cr {
                self.pending_cr = false;
                self.line_end(out);
                if first == b'\n' {
                    data = &data[1..];
                    continue;
                }
            }
            if self.at_line_start && self.stuff && first == b'.' {
                out.put_u8(b'.');
            }
            self.at_line_start = false;
            let Some(at) = memchr::memchr2(b'\r', b'\n', data) else {
                out.put_slice(data);
                return;
            };
            out.put_slice(&data[..at]);
            if data[at] == b'\n' {
                self.line_end(out);
            } else {
                self.pending_cr = true;
            }
            data = &data[at + 1..];
        }
    }

    /// Ends the body: a held-back CR becomes CRLF, a last line without a line ending
    /// gets one, and for DATA the `.` CRLF follows. The stuffer is then ready for the
    /// next message.
    pub fn finish(&mut self, out: &mut impl BufMut) {
        if self.pending_cr || !self.at_line_start {
            self.line_end(out);
        }
        if self.stuff {
            out.put_slice(b".\r\n");
        }
        self.pending_cr = false;
        self.at_line_start = true;
    }

    fn line_end(&mut self, out: &mut impl BufMut) {
        out.put_slice(b"\r\n");
        self.at_line_start = true;
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;

    use super::*;
    use crate::codec::frame::{BareLineEndings, DataDecoder, DataEvent};

    fn stuffed(body: &[u8], step: usize) -> Vec<u8> {
        let mut stuffer = DotStuffer::for_data();
        let mut out = Vec::new();
        for piece in body.chunks(step.max(1)) {
            stuffer.encode(piece, &mut out);
        }
        stuffer.finish(&mut out);
        out
    }

    #[test]
    fn known_answers() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b".\r\n"),
            (b"a", b"a\r\n.\r\n"),
            (b"a\r\n", b"a\r\n.\r\n"),
            (b".", b"..\r\n.\r\n"),
            (b"\n.\n", b"\r\n..\r\n.\r\n"),
            (b"\r.\r\n", b"\r\n..\r\n.\r\n"),
            (b"\n.\r\n", b"\r\n..\r\n.\r\n"),
            (b"a\r\r\nb", b"a\r\n\r\nb\r\n.\r\n"),
        ];
        for (body, wire) in cases {
            for step in 1..=body.len().max(1) {
                assert_eq!(
                    String::from_utf8_lossy(&stuffed(body, step)),
                    String::from_utf8_lossy(wire),
                    "{:?} step {step}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    }

    #[test]
    fn bdat_mode_only_fixes_line_endings() {
        let mut stuffer = DotStuffer::for_bdat();
        let mut out = Vec::new();
        stuffer.encode(b".a\nb\r", &mut out);
        stuffer.finish(&mut out);
        assert_eq!(out, b".a\r\nb\r\n");
    }

    #[test]
    fn what_we_send_decodes_to_the_normalized_body() {
        let body = b"x\n.\n..y\r.\r\nz\r\n.\r\nend";
        let wire = stuffed(body, 5);
        let mut decoder = DataDecoder::new(BareLineEndings::Reject);
        let mut input = BytesMut::from(&wire[..]);
        let mut decoded = Vec::new();
        loop {
            match decoder.decode(&mut input) {
                Some(DataEvent::Chunk(chunk)) => decoded.extend_from_slice(&chunk),
                Some(DataEvent::End) => break,
                other => panic!("{other:?}"),
            }
        }
        assert!(input.is_empty());
        assert_eq!(decoded, b"x\r\n.\r\n..y\r\n.\r\nz\r\n.\r\nend\r\n");
    }
}
