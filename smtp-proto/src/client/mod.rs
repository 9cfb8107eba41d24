//! The sans-IO client session: sends mail over SMTP or LMTP.
//!
//! [`ClientSession`] speaks the protocol (greeting, EHLO with HELO fallback or LHLO,
//! STARTTLS, AUTH PLAIN/LOGIN, pipelining when offered, DATA with dot-stuffing or BDAT
//! when offered, RSET between messages, QUIT) and reports each answer as an
//! [`Event`]; the application decides what to send next. Bodies stream in chunks and
//! leave with every bare CR and LF turned into CRLF, so no receiver can read an early
//! end of data into them. mta-queue delivers with it.

mod config;
mod event;
mod session;
mod transaction;

#[cfg(test)]
mod tests;

pub use config::{ClientConfig, Timeouts};
pub use event::{ClientCredentials, EnvelopeResult, Event, Failure, MessageResult};
pub use session::ClientSession;
