//! BDAT chunks: a counted number of octets, no stuffing, no terminator.

use bytes::{Bytes, BytesMut};

/// Takes the octets of one `BDAT n` chunk off the input,
/// [RFC 3030 section 2](https://www.rfc-editor.org/rfc/rfc3030#section-2).
///
/// The count is exact: the chunk may hold anything (a `.` line, bare LFs, binary
/// data) and the command after it starts right after its last octet. Pieces are split
/// off the input without copying, as they arrive; a 1 GB chunk never sits in memory.
///
/// ```
/// use bytes::BytesMut;
/// use mailwright_smtp::codec::frame::ChunkDecoder;
///
/// let mut chunk = ChunkDecoder::new(5);
/// let mut input = BytesMut::from(&b"a\n.\nbQUIT\r\n"[..]);
/// assert_eq!(&chunk.decode(&mut input).unwrap()[..], b"a\n.\nb");
/// assert!(chunk.is_done());
/// assert_eq!(&input[..], b"QUIT\r\n");
/// ```
#[derive(Clone, Debug)]
pub struct ChunkDecoder {
    remaining: u64,
}

impl ChunkDecoder {
    /// A decoder for a chunk of `size` octets.
    pub fn new(size: u64) -> Self {
        Self { remaining: size }
    }

    /// The next piece of the chunk from the front of `input`; `None` when the input
    /// is empty or the chunk is done.
    pub fn decode(&mut self, input: &mut BytesMut) -> Option<Bytes> {
        if self.remaining == 0 || input.is_empty() {
            return None;
        }
        let len = usize::try_from(self.remaining).map_or(input.len(), |r| r.min(input.len()));
        self.remaining -= len as u64;
        Some(input.split_to(len).freeze())
    }

    /// Octets of the chunk not yet seen.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Whether every octet of the chunk was taken.
    pub fn is_done(&self) -> bool {
        self.remaining == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_exactly_the_count_in_any_split() {
        let input = b"0123456789BDAT 0 LAST\r\n";
        for step in 1..input.len() {
            let mut chunk = ChunkDecoder::new(10);
            let mut buffer = BytesMut::new();
            let mut body = Vec::new();
            for piece in input.chunks(step) {
                buffer.extend_from_slice(piece);
                while let Some(bytes) = chunk.decode(&mut buffer) {
                    body.extend_from_slice(&bytes);
                }
                if chunk.is_done() {
                    break;
                }
            }
            assert_eq!(body, b"0123456789", "step {step}");
            assert!(input[10..].starts_with(&buffer));
        }
    }

    #[test]
    fn empty_chunk_is_done_at_once() {
        let mut chunk = ChunkDecoder::new(0);
        let mut input = BytesMut::from(&b"QUIT\r\n"[..]);
        assert!(chunk.is_done());
        assert_eq!(chunk.decode(&mut input), None);
        assert_eq!(input.len(), 6);
    }
}
