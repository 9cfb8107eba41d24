//! The sans-IO server session: SMTP and LMTP, as a state machine that takes bytes and
//! gives bytes and events.
//!
//! [`ServerSession`] enforces every protocol rule (command order, pipelining, the
//! SASL exchange, STARTTLS, dot-unstuffing, BDAT counting, size and recipient limits,
//! timeouts); the application only makes the decisions that are its own, through
//! the [`Event`]s and their decision objects. [`ServerConfig`] says what a listener
//! offers and requires, [`Limits`] bounds every resource. The design notes are in
//! [`manual::session`](crate::manual::session).
//!
//! ```
//! use mailwright_smtp::server::{ServerConfig, ServerSession, State};
//!
//! let mut session = ServerSession::new(ServerConfig::default());
//! assert_eq!(session.state(), State::Connected);
//! let line = b"MAIL FROM:<a@example.org>\r\n";
//! assert_eq!(session.handle_input(line), line.len());
//! let mut out = bytes::BytesMut::new();
//! let _ = session.poll_output(&mut out);
//! // No enhanced status codes before EHLO (RFC 2034).
//! assert!(out.ends_with(b"503 bad sequence of commands: send EHLO or HELO first\r\n"));
//! ```

mod body;
mod config;
mod dispatch;
mod event;
mod limits;
mod sasl;
mod session;
mod state;
#[cfg(test)]
mod tests;

pub use crate::codec::frame::BareLineEndings;
pub use config::{Protocol, ServerConfig};
pub(crate) use event::local_error;
pub use event::{
    AbortReason, AuthDecision, Credentials, Event, HelloDecision, HelloKind, MailFromDecision,
    MessageDecision, RcptDecision, VerifyDecision, VerifyKind,
};
pub use limits::Limits;
pub use session::ServerSession;
pub use state::State;
