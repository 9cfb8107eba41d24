//! Encoders, mirroring [`parse`](crate::codec::parse): typed values in, wire bytes out.
//!
//! Encoding a valid value never fails: every newtype was checked when it was built,
//! so the output always parses back to the same value (the round-trip property the
//! tests check). Output goes to any [`BufMut`](bytes::BufMut): a `Vec<u8>`, or the
//! `BytesMut` a session writes into.
//!
//! ```
//! use mailwright_smtp::{Reply, ReplyCode, codec::encode};
//!
//! let mut out = Vec::new();
//! encode::reply(&Reply::new(ReplyCode::CLOSING, "bye"), &mut out);
//! assert_eq!(out, b"221 bye\r\n");
//! ```

mod command;
mod reply;

pub use command::{command, sasl_line};
pub use reply::reply;
pub(crate) use reply::{decimal, put_decimal, reply_line, reply_lines};

#[cfg(test)]
mod tests;
