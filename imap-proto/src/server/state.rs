//! The connection states of RFC 9051 section 3.
//!
//! ```text
//!                +----------------------+
//!                |connection established|
//!                +----------------------+
//!                           ||
//!                           \/
//!         +--------------------------------------+
//!         |          server greeting             |
//!         +--------------------------------------+
//!                   || (1)       || (2)        || (3)
//!                   \/           ||            ||
//!         +-----------------+    ||            ||
//!         |Not Authenticated|    ||            ||
//!         +-----------------+    ||            ||
//!          || (7)   || (4)       ||            ||
//!          ||       \/           \/            ||
//!          ||     +----------------+           ||
//!          ||     | Authenticated  |<=++       ||
//!          ||     +----------------+  ||       ||
//!          ||       || (7)   || (5)   || (6)   ||
//!          ||       ||       \/       ||       ||
//!          ||       ||    +--------+  ||       ||
//!          ||       ||    |Selected|==++       ||
//!          ||       ||    +--------+           ||
//!          ||       ||       || (7)            ||
//!          \/       \/       \/                \/
//!         +--------------------------------------+
//!         |               Logout                 |
//!         +--------------------------------------+
//!
//!  (1) connection without pre-authentication (OK greeting)
//!  (2) pre-authenticated connection (PREAUTH greeting)
//!  (3) rejected connection (BYE greeting)
//!  (4) successful LOGIN or AUTHENTICATE command
//!  (5) successful SELECT or EXAMINE command
//!  (6) CLOSE or UNSELECT command, unsolicited CLOSED response code, or
//!      failed SELECT or EXAMINE command
//!  (7) LOGOUT command, server shutdown, or connection closed
//! ```

/// The state of an IMAP connection (RFC 9051 section 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Before LOGIN / AUTHENTICATE.
    NotAuthenticated,
    /// Logged in, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected,
    /// LOGOUT, shutdown or autologout: the connection ends once output is written.
    Logout,
}
