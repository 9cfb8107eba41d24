//! The server: one [`ServerSession`] per connection, admitted and accepted by the
//! shared listener code of [`mailwright_base::listener`].

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Buf;
use mailwright_base::listener::{Accepted, Edge, Service, TlsMode};
use tokio::io::AsyncWriteExt;

use crate::reply::Reply;
use crate::server::{Event, ServerConfig, ServerSession};
use crate::tokio::io::{Io, Pump, arm};
use crate::tokio::{
    AuthResult, ConnectionInfo, Context, Error, Handler, MessageOutcome, SessionHandler, now,
};
use crate::types::{EnhancedStatusCode, ReplyClass, ReplyCode};

/// The default size of one read from the connection.
const READ_SIZE: usize = 16 * 1024;

/// An SMTP or LMTP server: the session configuration, the application's
/// [`Handler`], TLS and the listener [`Options`](crate::tokio::Options). One server serves any number of
/// listeners, each with its own [`TlsMode`]; the connection limits count over all
/// of them.
///
/// Call order: [`Server::new`], then the `&mut` setters, then [`Arc::new`](std::sync::Arc::new) and one
/// [`serve`](Self::serve) per listener.
///
/// | setter | default |
/// | --- | --- |
/// | [`tls`](Self::tls) | none: only [`TlsMode::Plain`] listeners |
/// | [`options`](Self::options) | [`Options::default`](crate::tokio::Options::default): 1,000 connections, 50 per IP, handshake 30 s, write 10 min, login-failure delay 2 s, shutdown grace 30 s |
/// | [`observer`](Self::observer) | none |
/// | [`read_size`](Self::read_size) | 16 KiB |
///
/// The session's own timeouts (RFC 5321 section 4.5.3.2) are in
/// [`Limits`](crate::server::Limits). A connection over a limit gets
/// `421 4.7.0 <hostname> too many connections, try again later`. At shutdown, idle
/// sessions get `421 4.3.2` at once; sessions in a transaction may finish it within
/// the shutdown grace.
///
/// ```no_run
/// use std::sync::Arc;
/// use mailwright_smtp::server::ServerConfig;
/// use mailwright_smtp::tokio::{ConnectionInfo, Handler, Options, Server, SessionHandler, TlsMode};
///
/// /// Accepts everything and throws it away (every method keeps its default).
/// struct Sink;
/// struct SinkSession;
/// impl SessionHandler for SinkSession {}
/// impl Handler for Sink {
///     type Session = SinkSession;
///     async fn connect(&self, _: &ConnectionInfo) -> Result<SinkSession, mailwright_smtp::Reply<'static>> {
///         Ok(SinkSession)
///     }
/// }
///
/// # async fn run(stop: tokio::sync::oneshot::Receiver<()>) -> std::io::Result<()> {
/// let mut options = Options::default();
/// options.max_connections(100).max_connections_per_ip(10);
/// let mut server = Server::new(ServerConfig::default(), Sink);
/// server.options(options);
/// let server = Arc::new(server);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:2525").await?;
/// // Serves until `stop` fires (a signal handler, an admin request).
/// server.serve(listener, TlsMode::Plain, async { let _ = stop.await; }).await
/// # }
/// ```
pub struct Server<H> {
    /// The session configuration per [`TlsMode`]: plain, STARTTLS offered, TLS active.
    plain: Arc<ServerConfig>,
    starttls: Arc<ServerConfig>,
    implicit: Arc<ServerConfig>,
    handler: H,
    edge: Edge,
    read_size: usize,
}

impl<H: Handler> Server<H> {
    /// A server with the session configuration `config` (the driver sets STARTTLS
    /// and the TLS state per listener on copies) and the application's handler,
    /// without TLS, with default [`Options`](crate::tokio::Options).
    pub fn new(mut config: ServerConfig, handler: H) -> Self {
        config.starttls(false).tls_active(false);
        let mut starttls = config.clone();
        starttls.starttls(true);
        let mut implicit = config.clone();
        implicit.tls_active(true);
        Self {
            plain: Arc::new(config),
            starttls: Arc::new(starttls),
            implicit: Arc::new(implicit),
            handler,
            edge: Edge::new(),
            read_size: READ_SIZE,
        }
    }

    // tls, options, observer, connection_count, serve, serve_connection: the same
    // in the SMTP, IMAP and POP3 crates, written once in mail-base.
    mailwright_base::server_methods!(Error);

    /// The size of one read from the connection. At least 512. Default 16 KiB.
    pub fn read_size(&mut self, octets: usize) -> &mut Self {
        self.read_size = octets.max(512);
        self
    }

    /// Answers every pending event through the handler; true when STARTTLS must run.
    async fn dispatch(
        &self,
        session: &mut ServerSession,
        handler: &mut H::Session,
        ctx: &mut Context,
    ) -> bool {
        while let Some(event) = session.poll_event() {
            let mut refresh = false;
            match event {
                Event::StartTls => return true,
                Event::Hello(decision) => {
                    refresh = true;
                    match handler.hello(ctx, decision.host(), decision.kind()).await {
                        Ok(()) => decision.accept(),
                        Err(reply) => decision.reject(reply),
                    }
                }
                Event::Auth(decision) => {
                    refresh = true;
                    match handler.auth(ctx, decision.credentials()).await {
                        AuthResult::Accepted => decision.accept(),
                        AuthResult::InvalidCredentials => {
                            tokio::time::sleep(self.edge.login_failure_delay()).await;
                            decision.reject();
                        }
                        AuthResult::Rejected(reply) => {
                            tokio::time::sleep(self.edge.login_failure_delay()).await;
                            decision.reject_with(reply);
                        }
                    }
                }
                Event::MailFrom(decision) => {
                    match handler
                        .mail_from(ctx, decision.from(), decision.params())
                        .await
                    {
                        Ok(()) => decision.accept(),
                        Err(reply) => decision.reject(reply),
                    }
                }
                Event::Rcpt(decision) => {
                    let answer = handler
                        .rcpt_to(ctx, decision.to(), decision.params(), decision.envelope())
                        .await;
                    match answer {
                        Ok(()) => decision.accept(),
                        Err(reply) => decision.reject(reply),
                    }
                }
                Event::Verify(decision) => {
                    let reply = handler
                        .verify(ctx, decision.kind(), decision.argument())
                        .await;
                    decision.respond(reply);
                }
                Event::BodyChunk(chunk) => handler.body_chunk(ctx, chunk).await,
                Event::MessageComplete(decision) => {
                    let outcome = handler
                        .message(ctx, decision.envelope(), decision.size())
                        .await;
                    match outcome {
                        MessageOutcome::Accepted(id) => decision.accept(&id),
                        MessageOutcome::Rejected(reply) => decision.reject(reply),
                        MessageOutcome::PerRecipient(replies) => {
                            decision.respond_per_recipient(replies);
                        }
                    }
                }
                Event::MessageAborted(reason) => handler.message_aborted(ctx, reason).await,
            }
            if refresh {
                ctx.hello = session.hello().map(|(host, kind)| (host.clone(), kind));
                ctx.authenticated = session.authenticated().map(str::to_owned);
            }
        }
        false
    }
}

impl<H: Handler> Service for Server<H> {
    type Error = Error;

    fn edge(&self) -> &Edge {
        &self.edge
    }

    /// `421 4.7.0 <hostname> too many connections, try again later`.
    fn refusal(&self) -> Vec<u8> {
        let reply = Reply::new(
            ReplyCode::SERVICE_NOT_AVAILABLE,
            format!(
                "{} too many connections, try again later",
                self.plain.hostname()
            ),
        )
        .with_enhanced(
            EnhancedStatusCode::SECURITY_OTHER.with_class(ReplyClass::TransientNegative),
        );
        let mut wire = Vec::new();
        crate::codec::encode::reply(&reply, &mut wire);
        wire
    }

    async fn connection(&self, accepted: Accepted) -> Result<(), Error> {
        let Accepted {
            mut stream,
            peer,
            local,
            mode,
            mut stop,
            ..
        } = accepted;
        let mut info = ConnectionInfo::new(peer, local);
        info.tls = stream.tls_info();
        let config = Arc::clone(match mode {
            TlsMode::Plain => &self.plain,
            TlsMode::Starttls => &self.starttls,
            TlsMode::Implicit => &self.implicit,
        });
        let write_timeout = self.edge.write_timeout();
        let mut pump = Pump::new(self.read_size);
        let mut handler = match self.handler.connect(&info).await {
            Ok(handler) => handler,
            Err(reply) => {
                let mut session = ServerSession::refuse(Arc::clone(&config), reply);
                let _ = session.poll_output(&mut pump.out);
                return pump.flush(&mut stream, write_timeout).await;
            }
        };
        let mut session = ServerSession::new(Arc::clone(&config));
        let mut ctx = Context {
            connection: info,
            hello: None,
            authenticated: None,
            config,
        };
        let mut stopping = stop.is_stopping();
        let mut stop_signal = pin!(async move { stop.stopped().await });
        let mut sleep = pin!(tokio::time::sleep(Duration::from_secs(1)));
        let mut write_deadline = None;
        session.handle_timeout(now());
        loop {
            let starttls = self.dispatch(&mut session, &mut handler, &mut ctx).await;
            let _ = session.poll_output(&mut pump.out);
            if starttls {
                pump.flush(&mut stream, write_timeout).await?;
                pump.leftover.clear();
                self.edge.start_tls(&mut stream).await?;
                ctx.connection.tls = stream.tls_info();
                ctx.hello = None;
                ctx.authenticated = None;
                session.tls_started();
                session.handle_timeout(now());
                continue;
            }
            if session.is_closed() {
                pump.flush(&mut stream, write_timeout).await?;
                let _ = stream.shutdown().await;
                return Ok(());
            }
            if stopping && !session.in_transaction() {
                session.close();
                continue;
            }
            if !pump.leftover.is_empty() && session.wants_input() {
                let taken = session.handle_input(&pump.leftover);
                pump.leftover.advance(taken);
                session.handle_timeout(now());
                continue;
            }
            write_deadline = match (pump.out.is_empty(), write_deadline) {
                (true, _) => None,
                (false, None) => Some(now() + write_timeout),
                (false, deadline) => deadline,
            };
            arm(sleep.as_mut(), &[session.poll_timeout(), write_deadline]);
            let read = pump.leftover.is_empty() && session.wants_input();
            let signal =
                (!stopping)
                    .then_some(stop_signal.as_mut()
                        as std::pin::Pin<&mut (dyn Future<Output = ()> + Send)>);
            match pump.step(&mut stream, read, sleep.as_mut(), signal).await? {
                Io::Wrote => {
                    if pump.out.is_empty() {
                        write_deadline = None;
                    }
                }
                Io::Read(0) => session.handle_eof(),
                Io::Read(n) => {
                    let taken = session.handle_input(&pump.scratch[..n]);
                    if taken < n {
                        pump.leftover.extend_from_slice(&pump.scratch[taken..n]);
                    }
                    session.handle_timeout(now());
                }
                Io::Timer => {
                    if write_deadline.is_some_and(|deadline| now() >= deadline) {
                        return Err(mailwright_base::listener::Error::WriteTimeout.into());
                    }
                    session.handle_timeout(now());
                }
                Io::Stop => stopping = true,
            }
        }
    }
}

impl<H> fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.plain)
            .field("edge", &self.edge)
            .field("read_size", &self.read_size)
            .finish_non_exhaustive()
    }
}
