//! Framers: split a byte stream into complete lines, with hard limits, and stream message
//! bodies in and out of their dot-stuffed multi-line form.
//!
//! Framing comes before parsing: only [`LineFramer`] ever says "need more input"; the
//! parsers in [`parse`](crate::codec::parse) see whole lines. After an oversize line the framer
//! reports it once and discards up to the next line end, so memory stays bounded by the
//! limit whatever the peer sends.
//!
//! * [`LineFramer`]: command lines (server side) and response lines (client side).
//! * [`BodyEncoder`]: a message streamed from the maildrop to the wire, dot-stuffed, bare
//!   LF made CRLF, cut after `n` body lines for `TOP`.
//! * [`multiline_item`]: one received data line of a multi-line response, unstuffed, or
//!   the terminating `.`.

mod body;
mod line;
mod multiline;

pub use body::{BodyEncoder, BodyProgress};
pub use line::{LineFrame, LineFramer};
pub use multiline::{MultilineItem, multiline_item};
