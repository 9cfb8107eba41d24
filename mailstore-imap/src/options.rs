//! The backend's settings and the login check it asks of the application.

use std::future::Future;

use mailwright_imap::server::LoginRejection;
use mailwright_imap::tokio::Peer;
use mailwright_store::AccountName;

/// Checks IMAP credentials (`LOGIN`, `AUTHENTICATE PLAIN`/`LOGIN`) and names the
/// mailstore account they open.
///
/// This is the one decision [`ImapBackend`](crate::ImapBackend) leaves to the
/// application: a user database with password hashes, an LDAP bind, a fixed table in
/// a test. Logs and metrics of logins belong here too. A PLAIN authorization identity
/// other than the user name is refused by the backend before this is called
/// (`NO [AUTHORIZATIONFAILED]`).
///
/// The future may block briefly; slow checks (argon2, a remote directory) belong in
/// `tokio::task::spawn_blocking` inside it.
pub trait Authenticator: Send + Sync + 'static {
    /// The account that `username` with `password` opens, or why not:
    /// [`LoginRejection::BadCredentials`] for a wrong name or password (the session
    /// counts it and waits its failed-login delay before answering).
    fn authenticate(
        &self,
        username: &str,
        password: &[u8],
        peer: Peer,
    ) -> impl Future<Output = Result<AccountName, LoginRejection>> + Send;
}

/// The hierarchy delimiter IMAP clients see.
///
/// The store's names always use `.` ([`mailwright_store::types::HIERARCHY_DELIMITER`], as
/// Maildir++ folders do); with [`Delimiter::Slash`] the backend translates, and a `.`
/// inside an IMAP name is refused (it would be a level in the store).
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum Delimiter {
    /// `.`, the store's own: names pass through unchanged (the default).
    #[default]
    Dot,
    /// `/`: `Lists/Rust` in IMAP is `Lists.Rust` in the store.
    Slash,
}

impl Delimiter {
    /// The character, for the session's configuration
    /// ([`ServerConfig::delimiter`](mailwright_imap::server::ServerConfig::delimiter)).
    pub fn as_char(self) -> char {
        match self {
            Self::Dot => mailwright_store::types::HIERARCHY_DELIMITER,
            Self::Slash => '/',
        }
    }
}

/// Settings of an [`ImapBackend`](crate::ImapBackend), with documented defaults.
#[derive(Clone, Debug)]
pub struct Options {
    pub(crate) max_message_size: u64,
    pub(crate) delimiter: Delimiter,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_message_size: 64 * 1024 * 1024,
            delimiter: Delimiter::Dot,
        }
    }
}

impl Options {
    /// The defaults: APPEND up to 64 MiB, `.` as the hierarchy delimiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// The largest message APPEND accepts, in octets (default 64 MiB): a larger one is
    /// refused with `NO [TOOBIG]` before its literal is read.
    pub fn max_message_size(&mut self, octets: u64) -> &mut Self {
        self.max_message_size = octets;
        self
    }

    /// The hierarchy delimiter clients see (default [`Delimiter::Dot`]). Configure the
    /// session with the same character (see [`Delimiter::as_char`]).
    pub fn delimiter(&mut self, delimiter: Delimiter) -> &mut Self {
        self.delimiter = delimiter;
        self
    }
}
