//! Design notes: why the crate is shaped as it is (no API here).
//!
//! These pages explain the decisions behind the API, for users and for the authors
//! of the workspace's other protocol crates, which follow the same pattern:
//!
//! * [`layers`]: the three layers (codec, framer, session) and the thin async edge,
//!   and why framing comes before parsing.
//! * [`session`]: the sans-IO session's calling protocol, decision objects, limits,
//!   errors and the replies they become, pipelining.
//! * [`driver`]: the tokio driver loop and the handler trait built on the session.
//! * [`smuggling`]: why DATA ends only at `<CRLF>.<CRLF>`, and what happens to bare CR
//!   and LF in both directions.
//! * [`starttls`]: why everything buffered is dropped at STARTTLS and the session
//!   starts over.
//! * [`quirks`]: the leniencies the parser allows, and the ones it does not.

pub mod driver;
pub mod layers;
pub mod quirks;
pub mod session;
pub mod smuggling;
pub mod starttls;
