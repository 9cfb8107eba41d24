//! # Three layers and an edge
//!
//! ```text
//!              bytes from the peer                         bytes to the peer
//!                      |                                           ^
//!  +-------------------v-------------------------------------------+------------+
//!  | frame/    LineFramer   DataDecoder   ChunkDecoder   ReplyFramer  DotStuffer  |
//!  |           bounded lines, dot-unstuffing, BDAT counts, replies, stuffing      |
//!  +-------------------|-------------------------------------------^------------+
//!  | parse/ encode/   Command <-> line     Reply <-> lines     SaslLine <-> line  |
//!  +-------------------|-------------------------------------------^------------+
//!  | server/ client/   ServerSession / ClientSession: RFC state machines,         |
//!  |                   limits, timers (now passed in), Event + decision objects   |
//!  +-------------------|-------------------------------------------^------------+
//!                      v                                           |
//!  tokio/ (feature)    driver loop: read -> handle_input -> poll_event -> handler
//!                      -> decision -> poll_output -> write; TLS, timeouts, limits
//! ```
//!
//! Each layer is usable alone:
//!
//! 1. **Codec** ([`parse`](crate::codec::parse), [`encode`](crate::codec::encode)): pure functions
//!    from one complete frame to a typed value and back. No state, no I/O, no
//!    allocation beyond the value, which borrows from the input
//!    ([`Command<'a>`](crate::Command), `into_owned()` to keep it). Encoding a valid
//!    value never fails, because every value was validated when it was built
//!    ([`types`](crate::types)). The hot paths (the verb, the paths of MAIL and RCPT)
//!    are hand-written byte loops; the parameter lists and replies, which have
//!    repetition and optional parts, use nom.
//! 2. **Framer** ([`frame`](crate::codec::frame)): splits the byte stream into frames under
//!    hard limits. It is the only component that ever says "need more input".
//! 3. **Session** ([`server`](crate::server), [`client`](crate::client)): the RFC
//!    state machine. It owns a bounded input buffer and an output buffer, takes the
//!    time as an argument, and turns what the application must decide into events.
//!
//! The async edge ([`tokio`](crate::tokio), default feature `tokio`) adds sockets,
//! TLS, timers, a connection limit and graceful shutdown, and no protocol rule.
//!
//! # Why frame first
//!
//! A parser that may see half a line has to say "incomplete", and every rule of the
//! grammar then needs two outcomes for running out of input: the parser is longer,
//! slower, and the place where a peer can make it buffer without end. Splitting
//! frames first moves all of that into one small component with one limit per frame
//! type:
//!
//! * a command line is at most [`Limits::max_command_line`](crate::server::Limits::max_command_line)
//!   octets; a longer one is dropped as it arrives, never buffered, and answered once
//!   when its LF arrives (`500 5.5.2`), so the replies stay in step with the lines;
//! * a DATA body is never a frame: the [`DataDecoder`](crate::codec::frame::DataDecoder)
//!   hands out [`Bytes`](bytes::Bytes) chunks split off the input buffer (no copy) as
//!   they arrive, so a 50 MB message never lives in one buffer;
//! * a BDAT chunk is counted off exactly, piece by piece, even when the command was
//!   refused (the octets must still be read past);
//! * a reply (client side) has a line limit and a line count limit.
//!
//! The parsers then use nom's `complete` combinators only: `Incomplete` cannot escape
//! because nothing incomplete reaches them.
