//! The codec layer: pure parsers and encoders of complete frames, and the framers
//! that cut a byte stream into frames with hard limits (the only part that says "need
//! more input"). The sessions in [`crate::server`] use them; use them directly to
//! write your own driver, a proxy or a fuzzer. Most programs need only the sessions
//! and the tokio server.

pub mod encode;
pub mod frame;
pub mod parse;
