//! The server: an accept loop with a connection limit and graceful shutdown, and the
//! driver that runs one [`ServerSession`] per connection.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Buf;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::reply::Reply;
use crate::server::{Event, ServerConfig, ServerSession};
use crate::tokio::io::{Io, Pump, arm};
use crate::tokio::tls::MaybeTls;
use crate::tokio::{
    AuthResult, ConnectionInfo, Context, Error, Handler, MessageOutcome, SessionHandler, now,
};
use crate::types::{EnhancedStatusCode, ReplyCode};

/// Settings of the driver that are not protocol rules (those are in
/// [`Limits`](crate::server::Limits)).
#[derive(Clone, Debug)]
pub struct Options {
    max_connections: usize,
    handshake_timeout: Duration,
    write_timeout: Duration,
    shutdown_grace: Duration,
    auth_failure_delay: Duration,
    read_size: usize,
}

impl Options {
    /// The most connections served at once; one more gets `421 4.3.2` and is closed.
    /// Default 1,000.
    pub fn max_connections(&mut self, count: usize) -> &mut Self {
        self.max_connections = count.max(1);
        self
    }

    /// How long a TLS handshake may take (implicit TLS or STARTTLS). Default 30 s.
    pub fn handshake_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.handshake_timeout = timeout;
        self
    }

    /// How long the client may leave our output unread. Default 5 minutes.
    pub fn write_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.write_timeout = timeout;
        self
    }

    /// After a shutdown is asked, how long sessions in a transaction may finish it
    /// before they are dropped; idle sessions get `421 4.3.2` at once. Default 30 s.
    pub fn shutdown_grace(&mut self, grace: Duration) -> &mut Self {
        self.shutdown_grace = grace;
        self
    }

    /// How long to wait before answering a failed `AUTH` (slows password guessing).
    /// Default 1 s.
    pub fn auth_failure_delay(&mut self, delay: Duration) -> &mut Self {
        self.auth_failure_delay = delay;
        self
    }

    /// The size of one read from the connection. Default 16 KiB.
    pub fn read_size(&mut self, octets: usize) -> &mut Self {
        self.read_size = octets.max(512);
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_connections: 1000,
            handshake_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(300),
            shutdown_grace: Duration::from_secs(30),
            auth_failure_delay: Duration::from_secs(1),
            read_size: 16 * 1024,
        }
    }
}

/// An SMTP or LMTP server for one listener: plaintext with optional STARTTLS, or
/// implicit TLS.
///
/// ```no_run
/// use smtp_proto::server::ServerConfig;
/// use smtp_proto::tokio::{ConnectionInfo, Handler, Server, SessionHandler};
///
/// /// Accepts everything and throws it away (every method keeps its default).
/// struct Sink;
/// struct SinkSession;
/// impl SessionHandler for SinkSession {}
/// impl Handler for Sink {
///     type Session = SinkSession;
///     async fn connect(&self, _: &ConnectionInfo) -> Result<SinkSession, smtp_proto::Reply<'static>> {
///         Ok(SinkSession)
///     }
/// }
///
/// # async fn run(stop: tokio::sync::oneshot::Receiver<()>) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:2525").await?;
/// let server = Server::new(ServerConfig::default(), Sink);
/// // Serves until `stop` fires (a signal handler, an admin request).
/// server.serve(listener, async { let _ = stop.await; }).await
/// # }
/// ```
pub struct Server<H> {
    config: Arc<ServerConfig>,
    tls_config: Arc<ServerConfig>,
    handler: Arc<H>,
    acceptor: Option<TlsAcceptor>,
    implicit_tls: bool,
    options: Options,
    connections: Arc<Semaphore>,
}

impl<H: Handler> Server<H> {
    /// A plaintext server (no STARTTLS) with default [`Options`].
    pub fn new(config: ServerConfig, handler: H) -> Self {
        Self::with_handler(config, Arc::new(handler))
    }

    /// A server sharing `handler` with other listeners.
    pub fn with_handler(mut config: ServerConfig, handler: Arc<H>) -> Self {
        config.starttls(false).tls_active(false);
        let mut tls_config = config.clone();
        tls_config.tls_active(true);
        let options = Options::default();
        Self {
            config: Arc::new(config),
            tls_config: Arc::new(tls_config),
            handler,
            acceptor: None,
            implicit_tls: false,
            connections: Arc::new(Semaphore::new(options.max_connections)),
            options,
        }
    }

    /// Offers STARTTLS with this TLS configuration (RFC 3207).
    #[must_use]
    pub fn with_starttls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        Arc::make_mut(&mut self.config).starttls(true);
        self.acceptor = Some(TlsAcceptor::from(tls));
        self.implicit_tls = false;
        self
    }

    /// Runs TLS from the first byte (port 465, RFC 8314).
    #[must_use]
    pub fn with_implicit_tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        Arc::make_mut(&mut self.config).starttls(false);
        self.acceptor = Some(TlsAcceptor::from(tls));
        self.implicit_tls = true;
        self
    }

    /// Replaces the driver options.
    #[must_use]
    pub fn with_options(mut self, options: Options) -> Self {
        self.connections = Arc::new(Semaphore::new(options.max_connections));
        self.options = options;
        self
    }

    /// Accepts connections until `shutdown` completes, then stops accepting, closes
    /// idle sessions with `421 4.3.2`, lets sessions in a transaction finish within
    /// the grace period, and drops the rest.
    ///
    /// # Errors
    ///
    /// When the listener fails for good; per-connection errors end only their
    /// connection.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut shutdown = pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                accepted = listener.accept() => {
                    // Out of file descriptors and the like: wait, go on.
                    let Ok((stream, peer)) = accepted else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let local = stream.local_addr()?;
                    let info = ConnectionInfo::new(peer, local);
                    let server = self.clone();
                    match Arc::clone(&self.connections).try_acquire_owned() {
                        Ok(permit) => {
                            let stop = stop_rx.clone();
                            tasks.spawn(async move {
                                let _permit = permit;
                                let _ = server.serve_connection(stream, info, stop).await;
                            });
                        }
                        Err(_) => {
                            tasks.spawn(async move { server.refuse_busy(stream).await });
                        }
                    }
                }
            }
        }
        let _ = stop_tx.send(true);
        let drained = tokio::time::timeout(self.options.shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tasks.shutdown().await;
        }
        Ok(())
    }

    async fn refuse_busy<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) {
        let reply = Reply::new(
            ReplyCode::SERVICE_NOT_AVAILABLE,
            format!("{} too many connections, try later", self.config.hostname()),
        )
        .with_enhanced(EnhancedStatusCode::SYSTEM_NOT_ACCEPTING);
        let mut wire = Vec::new();
        crate::encode::reply(&reply, &mut wire);
        let _ = tokio::time::timeout(Duration::from_secs(10), async {
            let _ = stream.write_all(&wire).await;
            let _ = stream.shutdown().await;
        })
        .await;
    }

    /// Runs one session over `stream` (already accepted; TLS is added here for
    /// implicit TLS and STARTTLS) until it ends. `stop` turning `true` starts a
    /// graceful close.
    ///
    /// # Errors
    ///
    /// I/O and TLS failures, and the write or handshake timeouts; protocol errors are
    /// answered on the wire and end the session normally.
    pub async fn serve_connection<S>(
        &self,
        stream: S,
        mut info: ConnectionInfo,
        stop: watch::Receiver<bool>,
    ) -> Result<(), Error>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send,
    {
        let mut stream = MaybeTls::Plain(stream);
        let mut config = Arc::clone(&self.config);
        if self.implicit_tls {
            self.handshake(&mut stream).await?;
            info.tls = stream.tls_info();
            config = Arc::clone(&self.tls_config);
        }
        let mut pump = Pump::new(self.options.read_size);
        let mut handler = match self.handler.connect(&info).await {
            Ok(handler) => handler,
            Err(reply) => {
                let mut session = ServerSession::refuse(Arc::clone(&config), reply);
                let _ = session.poll_output(&mut pump.out);
                return pump.flush(&mut stream).await.map_err(Error::Io);
            }
        };
        let mut session = ServerSession::new(Arc::clone(&config));
        let mut ctx = Context {
            connection: info,
            hello: None,
            authenticated: None,
            config,
        };
        let mut stop = stop;
        let mut stopping = *stop.borrow();
        let mut stop_signal = pin!(async move {
            let _ = stop.wait_for(|stop| *stop).await;
        });
        let mut sleep = pin!(tokio::time::sleep(Duration::from_secs(1)));
        let mut write_deadline = None;
        session.handle_timeout(now());
        loop {
            let starttls = self.dispatch(&mut session, &mut handler, &mut ctx).await;
            let _ = session.poll_output(&mut pump.out);
            if starttls {
                pump.flush(&mut stream).await?;
                pump.leftover.clear();
                self.handshake(&mut stream).await?;
                ctx.connection.tls = stream.tls_info();
                ctx.hello = None;
                ctx.authenticated = None;
                session.tls_started();
                session.handle_timeout(now());
                continue;
            }
            if session.is_closed() {
                pump.flush(&mut stream).await?;
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
                (false, None) => Some(now() + self.options.write_timeout),
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
                        return Err(Error::Timeout);
                    }
                    session.handle_timeout(now());
                }
                Io::Stop => stopping = true,
            }
        }
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
                            tokio::time::sleep(self.options.auth_failure_delay).await;
                            decision.reject();
                        }
                        AuthResult::Rejected(reply) => {
                            tokio::time::sleep(self.options.auth_failure_delay).await;
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

    async fn handshake<S>(&self, stream: &mut MaybeTls<S>) -> Result<(), Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let Some(acceptor) = &self.acceptor else {
            return Err(Error::Io(io::Error::other("no TLS configuration")));
        };
        let plain = stream.take_plain()?;
        let tls = tokio::time::timeout(self.options.handshake_timeout, acceptor.accept(plain))
            .await
            .map_err(|_| Error::Timeout)?
            .map_err(Error::from_handshake)?;
        *stream = MaybeTls::Server(Box::new(tls));
        Ok(())
    }
}

impl<H> Clone for Server<H> {
    fn clone(&self) -> Self {
        Self {
            config: Arc::clone(&self.config),
            tls_config: Arc::clone(&self.tls_config),
            handler: Arc::clone(&self.handler),
            acceptor: self.acceptor.clone(),
            implicit_tls: self.implicit_tls,
            options: self.options.clone(),
            connections: Arc::clone(&self.connections),
        }
    }
}

impl<H> fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("tls", &self.acceptor.is_some())
            .field("implicit_tls", &self.implicit_tls)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
