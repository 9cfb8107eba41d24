//! What the client session reports to the application.

use crate::error::ParseError;
use crate::reply::Reply;
use crate::types::Secret;
use zeroize::Zeroizing;

/// Something the application should know, from
/// [`ClientSession::poll_event`](crate::client::ClientSession::poll_event).
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// The server greeted and answered `EHLO`/`LHLO` (or `HELO` after `EHLO` was
    /// refused): [`capabilities`](crate::client::ClientSession::capabilities) are known
    /// and the session is ready for commands. Again after STARTTLS.
    Ready,
    /// The server accepted `STARTTLS`: the application MUST run the TLS handshake on
    /// the connection now and call
    /// [`tls_started`](crate::client::ClientSession::tls_started). Repeated until then.
    StartTls,
    /// The server refused `STARTTLS`; the session is ready again, unencrypted.
    StartTlsRejected(Reply<'static>),
    /// `AUTH` succeeded.
    Authenticated,
    /// `AUTH` was refused (`535 5.7.8` for wrong credentials); the session is ready
    /// again.
    AuthRejected(Reply<'static>),
    /// The server answered the envelope. When
    /// [`body_expected`](EnvelopeResult::body_expected) the application MUST now send
    /// the body with [`send_body`](crate::client::ClientSession::send_body) and
    /// [`finish_body`](crate::client::ClientSession::finish_body); otherwise the
    /// transaction is over (the session resets it with `RSET` where needed).
    EnvelopeResult(EnvelopeResult),
    /// The server answered the message: per recipient in LMTP, one reply for all in
    /// SMTP. The session is ready for the next message.
    MessageResult(MessageResult),
    /// The session cannot go on and is closed.
    Failed(Failure),
}

/// The replies to an envelope.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EnvelopeResult {
    pub(crate) mail: Reply<'static>,
    pub(crate) recipients: Vec<Option<Reply<'static>>>,
    pub(crate) data: Option<Reply<'static>>,
    pub(crate) body_expected: bool,
}

impl EnvelopeResult {
    /// The reply to `MAIL FROM`.
    pub fn mail(&self) -> &Reply<'static> {
        &self.mail
    }

    /// The reply to each `RCPT TO`, in the envelope's order; `None` for a recipient
    /// that was not sent because `MAIL` failed first.
    pub fn recipients(&self) -> &[Option<Reply<'static>>] {
        &self.recipients
    }

    /// The reply to `DATA`, when DATA was sent (not with BDAT).
    pub fn data(&self) -> Option<&Reply<'static>> {
        self.data.as_ref()
    }

    /// The indices of the accepted recipients.
    pub fn accepted(&self) -> impl Iterator<Item = usize> + '_ {
        self.recipients
            .iter()
            .enumerate()
            .filter(|(_, reply)| reply.as_ref().is_some_and(Reply::is_positive))
            .map(|(index, _)| index)
    }

    /// Whether the application must now send the body.
    pub fn body_expected(&self) -> bool {
        self.body_expected
    }
}

/// The final replies to a message.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct MessageResult {
    pub(crate) replies: Vec<(usize, Reply<'static>)>,
}

impl MessageResult {
    /// `(recipient index in the envelope, reply)` for every recipient that was
    /// accepted at `RCPT`: LMTP's own reply for each, SMTP's one reply repeated.
    pub fn replies(&self) -> &[(usize, Reply<'static>)] {
        &self.replies
    }

    /// Whether every accepted recipient got a positive reply.
    pub fn is_success(&self) -> bool {
        self.replies.iter().all(|(_, reply)| reply.is_positive())
    }
}

/// Why a client session ended.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// The server refused the session or closed it: a `554` greeting, `421` at any
    /// time, `EHLO` and `HELO` both refused.
    #[error("server refused: {0}")]
    Rejected(Reply<'static>),
    /// The server sent something that is not a valid reply.
    #[error("malformed reply: {0}")]
    Malformed(ParseError),
    /// A reply did not come within its RFC 5321 section 4.5.3.2 timeout.
    #[error("timeout waiting for the server")]
    Timeout,
    /// The connection closed while a reply was expected.
    #[error("connection closed by the server")]
    Closed,
}

/// Credentials for `AUTH PLAIN` or `AUTH LOGIN`.
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    pub(crate) authzid: Option<String>,
    pub(crate) username: String,
    pub(crate) password: Secret<Zeroizing<String>>,
}

impl ClientCredentials {
    /// A user name and password.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            authzid: None,
            username: username.into(),
            password: Secret::new(Zeroizing::new(password.into())),
        }
    }

    /// Asks to act as `authzid` (PLAIN only).
    #[must_use]
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = Some(authzid.into());
        self
    }
}
