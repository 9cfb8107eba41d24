//! Events of the server session and the decision objects that answer them.
//!
//! A decision borrows the session mutably: while it lives nothing else can drive the
//! session, and [`ServerSession::poll_event`] hands out the same event again until it
//! is answered. Dropping a decision without answering it leaves the session waiting
//! (and its timer stopped): every decision MUST be answered before the session goes
//! on.
//!
//! Replies given to `reject` must be 4yz or 5yz and replies given to `respond` are
//! sorted by their code: a positive reply accepts, a negative one rejects. A reply
//! that does not fit the decision (a 250 to `reject`) is replaced by
//! `451 4.3.0 local error in processing`, so an application mistake can never make the
//! session and the client disagree about what was accepted.

use bytes::Bytes;
use zeroize::Zeroizing;

use crate::command::{MailParameters, RcptParameters};
use crate::reply::Reply;
use crate::server::ServerSession;
use crate::types::{
    Argument, EnhancedStatusCode, Envelope, ForwardPath, Host, Mechanism, ReplyCode, ReversePath,
    Secret,
};

/// Something the application must act on, from [`ServerSession::poll_event`].
///
/// Decision events carry an object that is the only way forward; notifications
/// (`StartTls`, `BodyChunk`, `MessageAborted`) carry data.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// `EHLO`, `HELO` or `LHLO`: accept (the reply lists the capabilities) or refuse.
    Hello(HelloDecision<'a>),
    /// A SASL exchange ended with credentials: check them.
    Auth(AuthDecision<'a>),
    /// `MAIL FROM` passed every protocol check: accept the sender or refuse it.
    MailFrom(MailFromDecision<'a>),
    /// `RCPT TO` passed every protocol check: accept the recipient or refuse it.
    Rcpt(RcptDecision<'a>),
    /// `VRFY` or `EXPN`, when [`ServerConfig::vrfy`](crate::server::ServerConfig::vrfy) is on.
    Verify(VerifyDecision<'a>),
    /// `STARTTLS` was accepted and `220` is in the output. The application MUST write
    /// that output, run the TLS handshake, then call
    /// [`ServerSession::tls_started`] (or drop the connection if the handshake
    /// fails). Repeated until then; the session reads no input meanwhile.
    StartTls,
    /// The next piece of the message body, unstuffed, in order (DATA or BDAT). Hand it
    /// to storage; the session never holds the whole body.
    BodyChunk(Bytes),
    /// The body is complete: store the message and answer (in LMTP, per recipient).
    MessageComplete(MessageDecision<'a>),
    /// The message whose body was streaming is abandoned (and gets no decision):
    /// discard what was stored of it.
    MessageAborted(AbortReason),
}

/// Why a message body stopped before its decision.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum AbortReason {
    /// The body passed [`Limits::max_message_size`](crate::server::Limits::max_message_size);
    /// the client gets `552 5.3.4` after the end of data.
    TooLarge,
    /// A bare CR or LF under [`BareLineEndings::Reject`](crate::codec::frame::BareLineEndings::Reject);
    /// the client gets `554 5.6.0` after the end of data.
    BareLineEnding,
    /// `RSET`, `EHLO` or a failed `BDAT` between BDAT chunks ended the transaction.
    Reset,
    /// The connection closed, timed out, or the application closed the session.
    Closed,
}

/// Which greeting command the client sent.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum HelloKind {
    /// `HELO`: no extensions, no enhanced status codes.
    Helo,
    /// `EHLO`.
    Ehlo,
    /// `LHLO` (LMTP).
    Lhlo,
}

/// The answer to [`Event::Hello`].
#[derive(Debug)]
pub struct HelloDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl HelloDecision<'_> {
    /// The name or address the client gave.
    pub fn host(&self) -> &Host<'static> {
        &self.session.pending_hello().0
    }

    /// Which command it was.
    pub fn kind(&self) -> HelloKind {
        self.session.pending_hello().1
    }

    /// Greets the client: `250` with the capability list for `EHLO`/`LHLO`. Any
    /// transaction in progress is reset (RFC 5321 section 4.1.4).
    pub fn accept(self) {
        self.session.answer_hello(None);
    }

    /// Refuses the greeting with `reply` (a 4yz or 5yz, `550 5.7.1` for a blocked
    /// name say); the client may try again.
    pub fn reject(self, reply: Reply<'_>) {
        self.session.answer_hello(Some(negative(reply)));
    }
}

/// Credentials from a finished SASL exchange (`PLAIN` or `LOGIN`).
#[derive(Debug)]
pub struct Credentials {
    pub(crate) mechanism: Mechanism<'static>,
    pub(crate) authzid: Option<String>,
    pub(crate) username: String,
    pub(crate) password: Secret<Zeroizing<String>>,
}

impl Credentials {
    /// The mechanism that carried them.
    pub fn mechanism(&self) -> &Mechanism<'static> {
        &self.mechanism
    }

    /// The authentication identity: who the password belongs to.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The authorization identity `PLAIN` may carry: who the client wants to act as,
    /// if not itself. Refuse it unless the user may act for that identity.
    pub fn authzid(&self) -> Option<&str> {
        self.authzid.as_deref()
    }

    /// The password (redacted in `Debug`, zeroized when dropped).
    pub fn password(&self) -> &Secret<Zeroizing<String>> {
        &self.password
    }
}

/// The answer to [`Event::Auth`].
#[derive(Debug)]
pub struct AuthDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl AuthDecision<'_> {
    /// The credentials to check.
    pub fn credentials(&self) -> &Credentials {
        self.session.pending_credentials()
    }

    /// The credentials are good: `235 2.7.0`. The session is authenticated as the
    /// authorization identity if one was given, else as the user name
    /// ([`ServerSession::authenticated`]).
    pub fn accept(self) {
        self.session.answer_auth(None);
    }

    /// The credentials are wrong: `535 5.7.8`. Counts towards
    /// [`Limits::max_auth_failures`](crate::server::Limits::max_auth_failures).
    pub fn reject(self) {
        let reply = Reply::new(ReplyCode::AUTH_FAILED, "authentication credentials invalid")
            .with_enhanced(EnhancedStatusCode::INVALID_CREDENTIALS);
        self.session.answer_auth(Some(reply));
    }

    /// Refuses with another reply (`454 4.7.0` when the user database is down, say).
    /// Counts towards the failure limit too.
    pub fn reject_with(self, reply: Reply<'_>) {
        self.session.answer_auth(Some(negative(reply)));
    }
}

/// The answer to [`Event::MailFrom`].
#[derive(Debug)]
pub struct MailFromDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl MailFromDecision<'_> {
    /// The sender (`<>` for bounces).
    pub fn from(&self) -> &ReversePath<'static> {
        &self.session.pending_mail().0
    }

    /// The parameters, already checked against what the server offers.
    pub fn params(&self) -> &MailParameters<'static> {
        &self.session.pending_mail().1
    }

    /// Accepts the sender: `250 2.1.0`; the transaction starts.
    pub fn accept(self) {
        self.session.answer_mail(None);
    }

    /// Refuses the sender with `reply` (4yz or 5yz); no transaction starts.
    pub fn reject(self, reply: Reply<'_>) {
        self.session.answer_mail(Some(negative(reply)));
    }
}

/// The answer to [`Event::Rcpt`].
#[derive(Debug)]
pub struct RcptDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl RcptDecision<'_> {
    /// The recipient.
    pub fn to(&self) -> &ForwardPath<'static> {
        &self.session.pending_rcpt().path
    }

    /// The parameters, already checked against what the server offers.
    pub fn params(&self) -> &RcptParameters<'static> {
        &self.session.pending_rcpt().params
    }

    /// The transaction so far: the sender and the recipients accepted before this one.
    pub fn envelope(&self) -> &Envelope<'static> {
        self.session.envelope_in_progress()
    }

    /// Accepts the recipient: `250 2.1.5`.
    pub fn accept(self) {
        self.session.answer_rcpt(None);
    }

    /// Answers with `reply`: a 2yz (`251 2.1.5 will forward`) accepts, a 4yz or 5yz
    /// (`550 5.1.1 no such user`) refuses.
    pub fn respond(self, reply: Reply<'_>) {
        self.session.answer_rcpt(Some(reply));
    }

    /// Refuses the recipient with `reply` (4yz or 5yz).
    pub fn reject(self, reply: Reply<'_>) {
        let reply = negative(reply);
        self.session.answer_rcpt(Some(reply));
    }
}

/// Which verification command the client sent.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum VerifyKind {
    /// `VRFY`: is this a mailbox?
    Vrfy,
    /// `EXPN`: what does this list expand to?
    Expn,
}

/// The answer to [`Event::Verify`].
#[derive(Debug)]
pub struct VerifyDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl VerifyDecision<'_> {
    /// `VRFY` or `EXPN`.
    pub fn kind(&self) -> VerifyKind {
        self.session.pending_verify().0
    }

    /// The string to verify or expand.
    pub fn argument(&self) -> &Argument<'static> {
        &self.session.pending_verify().1
    }

    /// Answers with `reply` (`250 Mark Crispin <Admin.MRC@foo.com>`, `252`, `550`, a
    /// multi-line `250` for EXPN).
    pub fn respond(self, reply: Reply<'_>) {
        self.session.answer_verify(reply);
    }
}

/// The answer to [`Event::MessageComplete`].
#[derive(Debug)]
pub struct MessageDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}

impl MessageDecision<'_> {
    /// The envelope: the sender and every accepted recipient, in order.
    pub fn envelope(&self) -> &Envelope<'static> {
        self.session.envelope_in_progress()
    }

    /// The number of body octets received (after dot-unstuffing).
    pub fn size(&self) -> u64 {
        self.session.body_size()
    }

    /// Whether the session speaks LMTP, where the answer is per recipient.
    pub fn is_lmtp(&self) -> bool {
        self.session.is_lmtp()
    }

    /// The message is stored: `250 2.0.0 OK queued as <queue_id>` (SMTP), or that
    /// reply for every recipient (LMTP). The transaction ends.
    pub fn accept(self, queue_id: &str) {
        self.session
            .answer_message(MessageAnswer::Accepted(queue_id));
    }

    /// The message is refused with `reply` (4yz or 5yz): once in SMTP, for every
    /// recipient in LMTP. The transaction ends.
    pub fn reject(self, reply: Reply<'_>) {
        self.session
            .answer_message(MessageAnswer::Rejected(negative(reply)));
    }

    /// One reply per accepted recipient, in the order of
    /// [`envelope().recipients`](Envelope::recipients) (LMTP,
    /// [RFC 2033 section 4.2](https://www.rfc-editor.org/rfc/rfc2033#section-4.2)).
    /// A missing reply becomes `451 4.3.0`, extra replies are ignored. In SMTP only
    /// the first reply is sent.
    pub fn respond_per_recipient<'r>(self, replies: impl IntoIterator<Item = Reply<'r>>) {
        let replies = replies.into_iter().map(Reply::into_owned).collect();
        self.session
            .answer_message(MessageAnswer::PerRecipient(replies));
    }
}

/// What the application said about a message.
#[derive(Debug)]
pub(crate) enum MessageAnswer<'q> {
    Accepted(&'q str),
    Rejected(Reply<'q>),
    PerRecipient(Vec<Reply<'static>>),
}

/// `reply` if it is 4yz or 5yz, else the local-error reply.
pub(crate) fn negative(reply: Reply<'_>) -> Reply<'_> {
    if reply.is_negative() {
        reply
    } else {
        local_error()
    }
}

/// `451 4.3.0 local error in processing`: stands in for a reply that does not fit.
pub(crate) fn local_error() -> Reply<'static> {
    Reply::new(ReplyCode::LOCAL_ERROR, "local error in processing")
        .with_enhanced(EnhancedStatusCode::MAIL_SYSTEM_OTHER)
}
