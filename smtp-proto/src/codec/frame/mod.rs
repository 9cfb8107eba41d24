//! The framer: splits a byte stream into frames under hard limits.
//!
//! Framing comes before parsing. The framer is the only part of the crate that ever
//! says "need more input"; the [parsers](crate::codec::parse) see complete frames only. Each
//! frame type has a limit, and after a frame that breaks it the framer skips to the
//! next boundary without buffering the excess:
//!
//! | frame | type | limit, recovery |
//! | --- | --- | --- |
//! | command line | [`LineFramer`] | `max` octets; a longer line is discarded as it arrives and reported once at its LF |
//! | DATA body | [`DataDecoder`] | none needed: chunks are handed out as they arrive, ending only at `<CRLF>.<CRLF>` |
//! | BDAT chunk | [`ChunkDecoder`] | the announced count, taken exactly |
//! | reply (client side) | [`ReplyFramer`] | line length and line count; over them the connection is unusable |
//! | outgoing body | [`DotStuffer`] | CRLF normalization and dot-stuffing, streamed |
//!
//! The session layer decides what the limits are (see
//! [`server::Limits`](crate::server::Limits)) and whether a body chunk is wanted at all
//! (a rejected BDAT chunk is still counted off and dropped).

mod bdat;
mod data;
mod dot_stuff;
mod line;
mod reply;

pub use bdat::ChunkDecoder;
pub use data::{BareLineEndings, DataDecoder, DataEvent};
pub use dot_stuff::DotStuffer;
pub use line::{Line, LineFramer};
pub use reply::{ReplyFrame, ReplyFramer};
