//! The states of a POP3 session.
//!
//! [RFC 1939 section 3](https://www.rfc-editor.org/rfc/rfc1939#section-3):
//!
//! ```text
//!   connect, greeting
//!         |
//!         v
//!   +---------------+  USER+PASS / APOP / AUTH accepted   +-------------+
//!   | AUTHORIZATION | ----------------------------------> | TRANSACTION |
//!   +---------------+                                     +-------------+
//!     |  ^      | QUIT                                       |   autologout timer,
//!     |  | STLS |                                            |   lost connection:
//!     +--+      v                                            |   no deletion
//!            (closed)            QUIT                        v
//!                     <-------- +--------+ <----------------+
//!                               | UPDATE |  deletions applied here only
//!                               +--------+
//! ```

/// The RFC 1939 state a session is in.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum State {
    /// Before login: `USER`/`PASS`, `APOP`, `AUTH`, `STLS`, `CAPA`, `UTF8`, `QUIT`.
    Authorization,
    /// The maildrop is open and locked: `STAT`, `LIST`, `RETR`, `DELE`, `TOP`, `UIDL`,
    /// `NOOP`, `RSET`, `CAPA`, `QUIT`.
    Transaction,
    /// After `QUIT` in TRANSACTION: the messages marked as deleted are being removed.
    Update,
    /// The session is over; nothing more is read or written.
    Closed,
}
