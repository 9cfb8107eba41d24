//! The decisions of an SMTP session as the inbound and submission handlers make them,
//! and the adapter that runs them under smtp-proto's tokio server
//! ([`SessionHandler`]), holding the connection's admission (limits, metrics).

use std::future::Future;

use bytes::Bytes;
use smtp_proto::server::{AbortReason, Credentials, HelloKind};
use smtp_proto::tokio::{AuthResult, Context, MessageOutcome, SessionHandler};
use smtp_proto::{Envelope, ForwardPath, Host, MailParameters, RcptParameters, Reply, ReversePath};

use super::Admission;

/// What the application decides, one method per decision event. `None` (or `Ok`)
/// accepts; a reply refuses with it.
pub trait SmtpHandler: Send + 'static {
    /// `EHLO`/`HELO` with the name the client gave.
    fn hello(&mut self, host: &str) -> impl Future<Output = Option<Reply<'static>>> + Send;

    /// AUTH credentials: `Ok(())` accepts, `Err(None)` is `535 5.7.8`, `Err(Some(r))`
    /// answers `r` (a temporary failure).
    fn auth(
        &mut self,
        username: &str,
        authzid: Option<&str>,
        password: &str,
    ) -> impl Future<Output = Result<(), Option<Reply<'static>>>> + Send;

    /// `MAIL FROM` (`None` for `<>`); a new transaction starts.
    fn mail_from(
        &mut self,
        from: Option<String>,
        authenticated: Option<String>,
    ) -> impl Future<Output = Option<Reply<'static>>> + Send;

    /// `RCPT TO`.
    fn rcpt(&mut self, to: String) -> impl Future<Output = Option<Reply<'static>>> + Send;

    /// The next piece of the body.
    fn body_chunk(&mut self, chunk: Bytes);

    /// The body is complete: store or queue it; `Ok(queue id)` for the 250.
    fn message(
        &mut self,
        envelope: &Envelope<'static>,
    ) -> impl Future<Output = Result<String, Reply<'static>>> + Send;

    /// The body in progress is void.
    fn aborted(&mut self);

    /// TLS is now active (after STARTTLS).
    fn tls_started(&mut self);
}

/// Runs an [`SmtpHandler`] as smtp-proto's [`SessionHandler`].
#[derive(Debug)]
pub struct Session<H> {
    handler: H,
    tls_told: bool,
    _admission: Admission,
}

impl<H: SmtpHandler> Session<H> {
    /// The session of an admitted connection.
    pub fn new(handler: H, admission: Admission) -> Self {
        Self {
            handler,
            tls_told: false,
            _admission: admission,
        }
    }

    /// Tells the handler once that the connection runs TLS (implicit or STARTTLS).
    fn note_tls(&mut self, ctx: &Context) {
        if ctx.connection.tls.is_some() && !self.tls_told {
            self.tls_told = true;
            self.handler.tls_started();
        }
    }
}

impl<H: SmtpHandler> SessionHandler for Session<H> {
    async fn hello(
        &mut self,
        ctx: &Context,
        host: &Host<'static>,
        _kind: HelloKind,
    ) -> Result<(), Reply<'static>> {
        self.note_tls(ctx);
        self.handler.hello(host.as_ref()).await.map_or(Ok(()), Err)
    }

    async fn auth(&mut self, ctx: &Context, credentials: &Credentials) -> AuthResult {
        self.note_tls(ctx);
        let password = credentials.password().declassify().clone();
        match self
            .handler
            .auth(credentials.username(), credentials.authzid(), &password)
            .await
        {
            Ok(()) => AuthResult::Accepted,
            Err(None) => AuthResult::InvalidCredentials,
            Err(Some(reply)) => AuthResult::Rejected(reply),
        }
    }

    async fn mail_from(
        &mut self,
        ctx: &Context,
        from: &ReversePath<'static>,
        _params: &MailParameters<'static>,
    ) -> Result<(), Reply<'static>> {
        self.note_tls(ctx);
        let from = from.mailbox().map(ToString::to_string);
        self.handler
            .mail_from(from, ctx.authenticated.clone())
            .await
            .map_or(Ok(()), Err)
    }

    async fn rcpt_to(
        &mut self,
        _ctx: &Context,
        to: &ForwardPath<'static>,
        _params: &RcptParameters<'static>,
        _envelope: &Envelope<'static>,
    ) -> Result<(), Reply<'static>> {
        // `<Postmaster>` without a domain is ours.
        let Some(to) = to.mailbox().map(ToString::to_string) else {
            return Ok(());
        };
        self.handler.rcpt(to).await.map_or(Ok(()), Err)
    }

    async fn body_chunk(&mut self, _ctx: &Context, chunk: Bytes) {
        self.handler.body_chunk(chunk);
    }

    async fn message(
        &mut self,
        _ctx: &Context,
        envelope: &Envelope<'static>,
        _size: u64,
    ) -> MessageOutcome {
        match self.handler.message(envelope).await {
            Ok(id) => MessageOutcome::Accepted(id),
            Err(reply) => MessageOutcome::Rejected(reply),
        }
    }

    async fn message_aborted(&mut self, _ctx: &Context, _reason: AbortReason) {
        self.handler.aborted();
    }
}
