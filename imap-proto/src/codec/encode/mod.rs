//! Encoders: typed values to bytes, mirroring [`crate::codec::parse`].
//!
//! Encoding a valid value never fails. Responses go straight into a caller's
//! buffer ([`response`]); commands come back as [`Encoded`], split into
//! [`Fragment`]s where a client must wait for the server's continuation request
//! before sending a synchronizing literal.
//!
//! ```
//! use mailwright_imap::command::{Command, CommandBody};
//! use mailwright_imap::codec::encode::{self, Fragment};
//! use mailwright_imap::types::{AString, Literal, Secret, Tag};
//!
//! let login = Command::new(
//!     Tag::try_from("a1").unwrap(),
//!     CommandBody::Login {
//!         username: AString::from_text("alice").unwrap(),
//!         password: Secret::new(AString::String(Literal::try_from("pass word\r\n").unwrap().into())),
//!     },
//! );
//! let encoded = encode::command(&login);
//! let fragments: Vec<Fragment<'_>> = encoded.fragments().collect();
//! assert_eq!(fragments.len(), 3, "line up to the literal, the literal, the rest");
//! assert!(matches!(fragments[0], Fragment::Line(b"a1 LOGIN alice {11}\r\n")));
//! assert_eq!(encoded.as_bytes(), b"a1 LOGIN alice {11}\r\npass word\r\n\r\n");
//! ```

mod body;
mod command;
mod core;
mod response;

use crate::command::Command;
use crate::response::Response;
use crate::types::LiteralMode;

pub(crate) use self::core::Writer;

/// A command encoded to bytes, with the places where the sender must wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    data: Vec<u8>,
    /// End offsets of fragments; each literal's fragment follows a line fragment.
    cuts: Vec<(usize, Option<LiteralMode>)>,
}

/// A piece of an [`Encoded`] message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fragment<'a> {
    /// Bytes to send at once; a line ending with a literal announcement when a
    /// [`Fragment::Literal`] follows.
    Line(&'a [u8]),
    /// A synchronizing literal's bytes: send them only after the server's `+`.
    Literal {
        /// The literal's bytes.
        data: &'a [u8],
        /// Always [`LiteralMode::Sync`]: non-synchronizing literals stay in the line.
        mode: LiteralMode,
    },
}

impl Encoded {
    /// All bytes, as one would send them to a server that needs no waiting.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// All bytes, taken out.
    pub fn into_bytes(self) -> Vec<u8> {
        self.data
    }

    /// The fragments in order.
    pub fn fragments(&self) -> impl Iterator<Item = Fragment<'_>> + '_ {
        let mut start = 0;
        let mut cuts = self.cuts.iter().copied().chain(
            // The final line, unless the message ends right after a literal.
            std::iter::once((self.data.len(), None)),
        );
        std::iter::from_fn(move || {
            loop {
                let (end, literal) = cuts.next()?;
                let piece = &self.data[start..end];
                start = end;
                match literal {
                    Some(mode) => return Some(Fragment::Literal { data: piece, mode }),
                    None if piece.is_empty() => continue,
                    None => return Some(Fragment::Line(piece)),
                }
            }
        })
    }
}

/// Encodes a command, split into fragments at synchronizing literals.
pub fn command(command: &Command<'_>) -> Encoded {
    let mut data = Vec::with_capacity(64);
    let mut cuts = Vec::new();
    let mut w = Writer::with_cuts(&mut data, &mut cuts);
    command::command(&mut w, command);
    Encoded { data, cuts }
}

/// Appends the encoding of a response to `out`.
pub fn response(response: &Response<'_>, out: &mut Vec<u8>) {
    let mut w = Writer::new(out);
    response::response(&mut w, response);
}

/// Appends the encoding of a response to `out` (alias of [`response`] under the
/// name the session uses).
pub fn response_to(out: &mut Vec<u8>, value: &Response<'_>) {
    response(value, out);
}

/// Writes a decimal number.
#[inline]
pub(crate) fn write_u32(out: &mut Vec<u8>, n: u32) {
    write_u64(out, u64::from(n));
}

/// Writes a decimal number.
#[inline]
pub(crate) fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while n > 0 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let mut out = Vec::new();
        for n in [0u64, 7, 10, 4_294_967_295, u64::MAX] {
            out.clear();
            write_u64(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
