//! The states of an SMTP server session.
//!
//! ```text
//!            connect (220 greeting)
//!                  |
//!                  v
//!   +------> Connected --EHLO/HELO/LHLO--> Ready <-----------------------------+
//!   |            ^                         |  ^ ^                               |
//!   |  STARTTLS  |        AUTH (334 ...)   |  | | 235 / 535                     |
//!   |  + handshake           +------------>+--+ Auth                           |
//!   |            |                         |                                    |
//!   +-- StartTls <------ STARTTLS ---------+ MAIL (250)                         |
//!                                          v                                    |
//!                                        Mail --RCPT (250)--> Recipients        |
//!                                                              |  |             |
//!                                             DATA (354)  <----+  +---> BDAT n  |
//!                                                 v                      v      |
//!                                               Data                   Bdat     |
//!                                                 | <CRLF>.<CRLF>        | LAST |
//!                                                 +--> message decision <+------+
//!
//!   RSET: back to Ready.  QUIT, 421 (timeout, errors, shutdown): Closed.
//! ```

/// Where a [`ServerSession`](crate::server::ServerSession) is in the RFC 5321 dialogue.
///
/// A closed set from the RFC, so a plain enum; the session computes it from its
/// fields ([`ServerSession::state`](crate::server::ServerSession::state)).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum State {
    /// The greeting is sent (or STARTTLS completed); `EHLO`/`HELO`/`LHLO` expected.
    Connected,
    /// Greeted, no mail transaction.
    Ready,
    /// A SASL exchange (`AUTH`) is in progress.
    Auth,
    /// `MAIL` accepted, no recipient yet.
    Mail,
    /// At least one recipient accepted.
    Recipients,
    /// A DATA body is coming in.
    Data,
    /// A `BDAT` transaction is in progress (within or between chunks).
    Bdat,
    /// `STARTTLS` was accepted; the TLS handshake must run next.
    StartTls,
    /// The session is over (QUIT, a fatal error, a timeout, a shutdown).
    Closed,
}
