//! # The sans-IO session
//!
//! [`ServerSession`](crate::server::ServerSession) (and
//! [`ClientSession`](crate::client::ClientSession), same shape) is a state machine
//! that never touches a socket and never reads the clock. It follows quinn-proto's
//! vocabulary: inputs are `handle_*`, outputs are `poll_*`, both on `&mut self`, and
//! getters on `&self`.
//!
//! ## Call order
//!
//! | call | when | what it does |
//! | --- | --- | --- |
//! | `new(config)` | the connection opened | the greeting is queued in the output |
//! | `poll_event() -> Option<Event<'_>>` | until `None`, after every input | processes buffered input up to the next event; returns the same decision until it is answered |
//! | `poll_output(&mut BytesMut) -> usize` | after events | appends the bytes to write; a pipelined group's replies come out together |
//! | `wants_input()` | before reading | false while the input buffer is full, during STARTTLS, once closing |
//! | `handle_input(&[u8]) -> usize` | bytes were read | takes what fits in the bounded input buffer, returns how much; offer the rest again later |
//! | `handle_eof()` | the peer closed | a body in progress is aborted |
//! | `handle_timeout(now)` | after input, and when `poll_timeout()` passes | restarts or fires the RFC 5321 section 4.5.3.2 timer |
//! | `poll_timeout() -> Option<Instant>` | to arm the timer | `None` while the application holds a decision |
//! | `tls_started()` | the TLS handshake after `Event::StartTls` succeeded | the session starts over (see [`starttls`](super::starttls)) |
//! | `close()` | server shutdown | `421 4.3.2`, then closed once the output is written |
//! | `is_closed()` | after writing output | drop the connection |
//!
//! Every `poll_*` is `#[must_use]`. `handle_input` returning how much it took (as
//! rustls's `read_tls` does) is the backpressure: a client that pipelines while the
//! application is deciding fills the input buffer, the driver stops reading, and TCP
//! slows the client down. Memory per connection stays at
//! [`Limits::max_pending_input`](crate::server::Limits::max_pending_input) plus the
//! output of the commands in it, whatever the peer sends.
//!
//! ## Decisions are objects
//!
//! Events that need an answer carry a decision object that borrows the session
//! mutably ([`MailFromDecision`](crate::server::MailFromDecision),
//! [`RcptDecision`](crate::server::RcptDecision),
//! [`MessageDecision`](crate::server::MessageDecision), ...), the pattern of rustls's
//! `Accepted`. The decision is the only way forward: while it is unanswered
//! `poll_event` hands out the same event again and no further command is processed,
//! so the replies to pipelined commands can never come out of order. Answering
//! (`accept()`, `reject(reply)`) writes the reply and lets the session go on with the
//! next buffered command. Protocol rules (order of commands, pipelining, the SASL
//! exchange, dot-stuffing, BDAT counts, size and recipient limits) are enforced before
//! an event is raised: the application never sees an out-of-sequence `RCPT`, and it
//! cannot send a reply that contradicts the session's state (a positive reply given
//! to `reject` becomes `451 4.3.0`).
//!
//! Notifications carry data and need no answer:
//! [`BodyChunk(Bytes)`](crate::server::Event::BodyChunk) hands out the body piece by
//! piece (the session holds none of it),
//! [`MessageAborted`](crate::server::Event::MessageAborted) says a body in progress
//! is void (too large, bare line endings refused, connection lost), and
//! [`StartTls`](crate::server::Event::StartTls) says the handshake must run now.
//!
//! ## Limits
//!
//! Every protocol limit lives in [`Limits`](crate::server::Limits), with a documented
//! default taken from the RFC where it names one, and a `&mut self -> &mut Self`
//! setter (quinn's `TransportConfig` style). The limits bound memory (line lengths,
//! pending input, message size, recipients) and abuse (errors and failed logins
//! before disconnect, the idle timer). None can be switched off. Limits that are not
//! protocol rules (connections per listener, TLS handshake time, the shutdown grace
//! period) belong to the async edge.
//!
//! ## Errors become replies
//!
//! [`SessionError`](crate::SessionError) groups faults by who is at fault, as rustls
//! does: malformed input (`500`/`501`), the wrong order (`503`), something the server
//! does not offer (`502`/`504`/`555`/`553`), a policy of the listener (`530`/`538`), a
//! limit (`552`/`452`/`421`), a timeout (`421`). `From<&SessionError> for Reply` gives
//! the reply with its enhanced status code, and
//! [`is_fatal`](crate::SessionError::is_fatal) says whether the session closes after
//! it. Callers never guess. Protocol errors count towards
//! [`Limits::max_errors`](crate::server::Limits::max_errors).
//!
//! ## Pipelining (RFC 2920)
//!
//! The session processes every complete command in its input before it stops, so the
//! replies to a pipelined group accumulate in the output and the driver writes them
//! with one `write` (RFC 2920 section 3.2: "the server MUST NOT flush ... until ...
//! the group is complete"). A decision in the middle of the group stops processing
//! but not the group's reply batching: the driver answers the decision, polls again,
//! and writes when no event is left. `DATA`, `BDAT ... LAST`, `STARTTLS` and `QUIT`
//! end a group because the session needs input it does not have yet (the body, the
//! handshake) or closes.
