//! Events of the server session and the decision objects that answer them.
//!
//! A decision borrows the session mutably: while it lives, nothing else can drive the
//! session, and [`ServerSession::poll_event`](crate::server::ServerSession::poll_event)
//! hands out the same event again until it is answered. Dropping a decision without
//! answering it leaves the session waiting.

use zeroize::Zeroize;

use crate::maildrop::{MaildropError, MessageInfo};
use crate::response::StatusLine;
use crate::server::ServerSession;
use crate::types::{
    ApopDigest, ApopTimestamp, MessageNumber, ResponseCode, Secret, Text, UserName,
};

/// Something the application must act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A client presented credentials (`USER`/`PASS`, `APOP`, `AUTH PLAIN`,
    /// `AUTH LOGIN`): check them, open and lock the maildrop, answer.
    Login(LoginDecision<'a>),
    /// `RETR` or `TOP` of an existing, undeleted message: open it and answer; after
    /// [`RetrieveDecision::accept`] stream the message with
    /// [`ServerSession::handle_body`] and [`ServerSession::finish_body`].
    Retrieve(RetrieveDecision<'a>),
    /// `QUIT` in TRANSACTION: remove the messages marked as deleted (the UPDATE state)
    /// and answer; the session closes after the answer.
    Update(UpdateDecision<'a>),
    /// `STLS` was accepted and `+OK` is in the output: once that output is written,
    /// run the TLS handshake on the connection, then call
    /// [`ServerSession::tls_started`]. Repeated until then.
    StartTls,
}

/// How a client authenticated, and with what.
#[derive(Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// A user name and password, from `USER`/`PASS`, `AUTH PLAIN` or `AUTH LOGIN`.
    Password {
        /// The authentication identity (the maildrop to open, unless `authzid` says
        /// otherwise).
        user: String,
        /// The password, as sent.
        password: Secret<Vec<u8>>,
        /// `PLAIN`'s authorization identity, when the client sent one.
        authzid: Option<String>,
        /// Which command carried them.
        method: PasswordMethod,
    },
    /// `APOP name digest`: verify with [`ApopTimestamp::verify`] and the shared secret.
    Apop {
        /// The maildrop.
        user: UserName<'static>,
        /// The client's digest.
        digest: ApopDigest,
        /// The timestamp of this session's greeting.
        timestamp: ApopTimestamp<'static>,
    },
}

impl Credentials {
    /// The user name the credentials are for.
    pub fn user(&self) -> &str {
        match self {
            Self::Password { user, .. } => user,
            Self::Apop { user, .. } => user.as_str(),
        }
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        if let Self::Password { password, .. } = self {
            let mut taken =
                std::mem::replace(password, Secret::new(Vec::new())).into_declassified();
            taken.zeroize();
        }
    }
}

/// The command that carried a password.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum PasswordMethod {
    /// `USER` then `PASS` (RFC 1939 section 7).
    UserPass,
    /// `AUTH PLAIN` (RFC 5034, RFC 4616).
    SaslPlain,
    /// `AUTH LOGIN`.
    SaslLogin,
}

/// Why a login is refused; each maps to the `-ERR` of RFC 2449 and RFC 3206.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum LoginRejection {
    /// Wrong user or password: `-ERR [AUTH]`. Counts towards
    /// [`Limits::max_failed_logins`](crate::server::Limits::max_failed_logins).
    BadCredentials,
    /// The maildrop is locked by another session: `-ERR [IN-USE]`.
    InUse,
    /// The user logged in too recently: `-ERR [LOGIN-DELAY]`.
    LoginDelay,
    /// A temporary failure (storage down): `-ERR [SYS/TEMP]`.
    Temporary,
    /// A permanent failure (account disabled): `-ERR [SYS/PERM]`.
    Permanent,
}

impl From<&MaildropError> for LoginRejection {
    fn from(error: &MaildropError) -> Self {
        match error {
            MaildropError::InUse => Self::InUse,
            MaildropError::MessageGone => Self::Permanent,
            MaildropError::Io(_) => Self::Temporary,
        }
    }
}

impl From<LoginRejection> for StatusLine<'static> {
    fn from(rejection: LoginRejection) -> Self {
        let (code, text) = match rejection {
            LoginRejection::BadCredentials => (ResponseCode::AUTH, "authentication failed"),
            LoginRejection::InUse => (
                ResponseCode::IN_USE,
                "maildrop is locked by another session",
            ),
            LoginRejection::LoginDelay => (ResponseCode::LOGIN_DELAY, "logged in too recently"),
            LoginRejection::Temporary => {
                (ResponseCode::SYS_TEMP, "temporary failure, try again later")
            }
            LoginRejection::Permanent => (ResponseCode::SYS_PERM, "login not possible"),
        };
        Self::err_with_code(code, Text::unvalidated(text))
    }
}

/// The answer to [`Event::Login`].
#[derive(Debug)]
pub struct LoginDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl LoginDecision<'_> {
    /// The credentials to check.
    pub fn credentials(&self) -> &Credentials {
        self.session.pending_credentials()
    }

    /// Logs in: the maildrop is open and locked and holds `messages`, in the order that
    /// numbers them for the session. Sends `+OK` and enters TRANSACTION.
    pub fn accept(self, messages: Vec<MessageInfo>) {
        self.session.accept_login(messages);
    }

    /// Refuses the login with the `-ERR` for `rejection`. The session stays in
    /// AUTHORIZATION, or closes once the failures reach the limit.
    pub fn reject(self, rejection: LoginRejection) {
        self.session.reject_login(rejection);
    }
}

/// The answer to [`Event::Retrieve`].
#[derive(Debug)]
pub struct RetrieveDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl RetrieveDecision<'_> {
    /// The message asked for.
    pub fn message(&self) -> MessageNumber {
        self.session.pending_retrieve().0
    }

    /// Its 0-based position, for [`Maildrop::open`](crate::maildrop::Maildrop::open).
    pub fn index(&self) -> usize {
        self.message().index()
    }

    /// Its listing entry (size and unique-id).
    pub fn info(&self) -> &MessageInfo {
        self.session.pending_retrieve().2
    }

    /// `Some(n)` for `TOP msg n`, `None` for `RETR`.
    pub fn top_lines(&self) -> Option<u32> {
        self.session.pending_retrieve().1
    }

    /// The message is open: sends `+OK`, after which the application MUST stream it
    /// with [`ServerSession::handle_body`] and end with [`ServerSession::finish_body`]
    /// (or [`ServerSession::abort_body`]).
    pub fn accept(self) {
        self.session.accept_retrieve();
    }

    /// The message cannot be read: sends the `-ERR` for `error`; the session goes on.
    pub fn reject(self, error: &MaildropError) {
        self.session.reject_retrieve(StatusLine::from(error));
    }
}

/// The answer to [`Event::Update`].
#[derive(Debug)]
pub struct UpdateDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl UpdateDecision<'_> {
    /// The 0-based positions of the messages marked as deleted, for
    /// [`Maildrop::remove`](crate::maildrop::Maildrop::remove). May be empty.
    pub fn deleted(&self) -> Vec<usize> {
        self.session.deleted_indices()
    }

    /// The messages are removed: sends `+OK` and closes.
    pub fn accept(self) {
        self.session.finish_update(None);
    }

    /// Some messages could not be removed: sends `-ERR [SYS/TEMP]` (or `[SYS/PERM]`
    /// when the error is not an I/O failure) and closes.
    pub fn reject(self, error: &MaildropError) {
        let code = match error {
            MaildropError::Io(_) => ResponseCode::SYS_TEMP,
            _ => ResponseCode::SYS_PERM,
        };
        self.session.finish_update(Some(StatusLine::err_with_code(
            code,
            Text::unvalidated("some deleted messages not removed"),
        )));
    }
}
