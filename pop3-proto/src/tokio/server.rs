//! The connection driver and the accept loop.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::frame::BodyProgress;
use crate::maildrop::{Maildrop, MaildropError, MessageReader};
use crate::server::{Event, LoginRejection, ServerConfig, ServerSession};
use crate::tokio::{Error, Handler, Peer};
use crate::types::ApopTimestamp;

/// Settings of the driver that are not protocol rules.
#[derive(Clone, Debug)]
pub struct Options {
    failed_login_delay: Duration,
    write_timeout: Duration,
    plaintext_on_loopback: bool,
    apop: bool,
    hostname: String,
    shutdown_grace: Duration,
}

impl Options {
    /// How long to wait before answering a rejected login (slows password guessing).
    /// Default 2 seconds.
    pub fn failed_login_delay(&mut self, delay: Duration) -> &mut Self {
        self.failed_login_delay = delay;
        self
    }

    /// How long one write may wait for the client to take our output. Default 10 minutes.
    pub fn write_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.write_timeout = timeout;
        self
    }

    /// Whether loopback clients may send passwords without TLS (DESIGN.md, as Dovecot
    /// does). Default `true`.
    pub fn plaintext_on_loopback(&mut self, allowed: bool) -> &mut Self {
        self.plaintext_on_loopback = allowed;
        self
    }

    /// Whether to offer `APOP` (a timestamp in each greeting). Default `true`.
    pub fn apop(&mut self, offered: bool) -> &mut Self {
        self.apop = offered;
        self
    }

    /// The host name in APOP timestamps. Default `localhost`.
    pub fn hostname(&mut self, hostname: impl Into<String>) -> &mut Self {
        self.hostname = hostname.into();
        self
    }

    /// How long [`Server::serve`] waits for sessions to end after shutdown was asked,
    /// before it drops them. Default 10 seconds.
    pub fn shutdown_grace(&mut self, grace: Duration) -> &mut Self {
        self.shutdown_grace = grace;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            failed_login_delay: Duration::from_secs(2),
            write_timeout: Duration::from_secs(600),
            plaintext_on_loopback: true,
            apop: true,
            hostname: "localhost".to_owned(),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// A POP3 server: the session configuration, TLS, driver options and the handler.
pub struct Server<H> {
    handler: H,
    config: ServerConfig,
    tls: Option<TlsAcceptor>,
    options: Options,
}

impl<H> std::fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("tls", &self.tls.is_some())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Per-process counter that makes APOP timestamps unique.
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);

impl<H: Handler> Server<H> {
    /// A server with the default [`ServerConfig`] and [`Options`], without TLS.
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            config: ServerConfig::default(),
            tls: None,
            options: Options::default(),
        }
    }

    /// The session configuration used for each connection (the driver sets the APOP
    /// timestamp, `STLS`, TLS state and loopback rule per connection on a copy).
    pub fn config(&mut self, config: ServerConfig) -> &mut Self {
        self.config = config;
        self
    }

    /// Enables TLS: `STLS` on plain listeners, and implicit-TLS listeners.
    pub fn tls(&mut self, config: Arc<rustls::ServerConfig>) -> &mut Self {
        self.tls = Some(TlsAcceptor::from(config));
        self
    }

    /// The driver options.
    pub fn options(&mut self, options: Options) -> &mut Self {
        self.options = options;
        self
    }

    /// Accepts connections until `shutdown` completes, then asks every session to
    /// close (`-ERR [SYS/TEMP] server shutting down`, no UPDATE) and waits for them up
    /// to the shutdown grace period.
    ///
    /// `implicit_tls` runs TLS from the first byte (port 995 style).
    ///
    /// # Errors
    ///
    /// Only if accepting fails in a way that is not about one connection. An
    /// implicit-TLS listener without [`tls`](Self::tls) is refused with
    /// [`io::ErrorKind::InvalidInput`].
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        implicit_tls: bool,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        if implicit_tls && self.tls.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "implicit TLS needs a TLS configuration",
            ));
        }
        let (stop, stopped) = watch::channel(false);
        let mut sessions = JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    // One failed accept (EMFILE, a reset before accept) is about one
                    // connection; back off briefly and go on.
                    let Ok((stream, _)) = accepted else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    let server = Arc::clone(&self);
                    let stopped = stopped.clone();
                    sessions.spawn(async move {
                        let _ = server.serve_connection(stream, implicit_tls, stopped).await;
                    });
                }
                Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
                () = &mut shutdown => break,
            }
        }
        let _ = stop.send(true);
        let grace = tokio::time::sleep(self.options.shutdown_grace);
        tokio::pin!(grace);
        while !sessions.is_empty() {
            tokio::select! {
                _ = sessions.join_next() => {}
                () = &mut grace => {
                    sessions.abort_all();
                    break;
                }
            }
        }
        Ok(())
    }

    /// Runs one connection to its end. `shutdown` turning `true` closes the session
    /// gracefully.
    ///
    /// # Errors
    ///
    /// I/O and TLS failures, and the write timeout. A client that simply disconnects
    /// is not an error.
    pub async fn serve_connection(
        &self,
        stream: TcpStream,
        implicit_tls: bool,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(), Error> {
        let address = stream.peer_addr()?;
        let _ = stream.set_nodelay(true);
        let mut connection = Connection {
            server: self,
            session: ServerSession::new(self.session_config(address, implicit_tls)),
            maildrop: None,
            peer: Peer {
                address,
                tls: implicit_tls,
            },
            shutdown,
            shutting_down: false,
        };
        match (&self.tls, implicit_tls) {
            (Some(tls), true) => {
                let mut stream = tls.accept(stream).await?;
                connection.drive(&mut stream).await.map(drop)
            }
            (_, _) => {
                let mut stream = stream;
                match connection.drive(&mut stream).await? {
                    Outcome::Closed => Ok(()),
                    Outcome::StartTls => {
                        let Some(tls) = &self.tls else { return Ok(()) };
                        let mut stream = tls.accept(stream).await?;
                        connection.session.tls_started();
                        connection.peer.tls = true;
                        connection.drive(&mut stream).await.map(drop)
                    }
                }
            }
        }
    }

    fn session_config(&self, address: SocketAddr, implicit_tls: bool) -> ServerConfig {
        let mut config = self.config.clone();
        config
            .tls_active(implicit_tls)
            .stls(self.tls.is_some() && !implicit_tls)
            .plaintext_without_tls(
                self.options.plaintext_on_loopback && address.ip().is_loopback(),
            );
        if self.options.apop {
            config.apop(self.apop_timestamp());
        }
        config
    }

    /// `<pid.connection.seconds@hostname>`, unique per connection of this process.
    fn apop_timestamp(&self) -> Option<ApopTimestamp<'static>> {
        // The async edge may read the clock: the timestamp only has to be unique.
        #[allow(clippy::disallowed_methods, reason = "the async edge owns the clock")]
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let count = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
        ApopTimestamp::try_from(format!(
            "<{}.{count}.{seconds}@{}>",
            std::process::id(),
            self.options.hostname
        ))
        .ok()
    }
}

/// How one run of the driver ended.
enum Outcome {
    Closed,
    StartTls,
}

/// The state of one connection across the plaintext and TLS phases.
struct Connection<'s, H: Handler> {
    server: &'s Server<H>,
    session: ServerSession,
    maildrop: Option<H::Maildrop>,
    peer: Peer,
    shutdown: watch::Receiver<bool>,
    shutting_down: bool,
}

impl<H: Handler> Connection<'_, H> {
    /// Output, events, input and time, until the session closes or asks for TLS.
    async fn drive<S>(&mut self, stream: &mut S) -> Result<Outcome, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send,
    {
        let mut out = BytesMut::with_capacity(16 * 1024);
        let mut read_buf = vec![0u8; 8 * 1024];
        loop {
            self.flush(stream, &mut out).await?;
            if self.session.is_closed() {
                let _ = stream.shutdown().await;
                self.maildrop = None;
                return Ok(Outcome::Closed);
            }
            if self.handle_event(stream, &mut out).await? {
                if matches!(self.session.poll_event(), Some(Event::StartTls)) {
                    self.flush(stream, &mut out).await?;
                    return Ok(Outcome::StartTls);
                }
                continue;
            }
            // The autologout timer: restarted by activity, checked here.
            #[allow(clippy::disallowed_methods, reason = "the async edge owns the clock")]
            self.session.handle_timeout(Instant::now());
            if self.session.is_closed() {
                continue;
            }
            let deadline = self.session.poll_timeout();
            tokio::select! {
                read = stream.read(&mut read_buf), if self.session.wants_input() => {
                    let read = read?;
                    if read == 0 {
                        // The client went away: no UPDATE (RFC 1939 section 6).
                        self.maildrop = None;
                        return Ok(Outcome::Closed);
                    }
                    self.session.handle_input(&read_buf[..read]);
                }
                () = sleep_until(deadline), if deadline.is_some() => {}
                changed = self.shutdown.changed(), if !self.shutting_down => {
                    self.shutting_down = true;
                    if changed.is_err() || *self.shutdown.borrow() {
                        self.session.close();
                    }
                }
            }
        }
    }

    /// Answers one event, if there is one; `true` when one was answered (or is
    /// `StartTls`, which the caller handles).
    async fn handle_event<S>(&mut self, stream: &mut S, out: &mut BytesMut) -> Result<bool, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send,
    {
        let server = self.server;
        let peer = self.peer;
        let Some(event) = self.session.poll_event() else {
            return Ok(false);
        };
        match event {
            Event::StartTls => {}
            Event::Login(decision) => {
                match server.handler.login(decision.credentials(), peer).await {
                    Ok(mut maildrop) => match maildrop.list().await {
                        Ok(messages) => {
                            decision.accept(messages);
                            self.maildrop = Some(maildrop);
                        }
                        Err(error) => decision.reject(LoginRejection::from(&error)),
                    },
                    Err(rejection) => {
                        if rejection == LoginRejection::BadCredentials {
                            tokio::time::sleep(server.options.failed_login_delay).await;
                        }
                        decision.reject(rejection);
                    }
                }
            }
            Event::Retrieve(decision) => {
                let Some(maildrop) = self.maildrop.as_mut() else {
                    decision.reject(&MaildropError::MessageGone);
                    return Ok(true);
                };
                match maildrop.open(decision.index()).await {
                    Err(error) => decision.reject(&error),
                    Ok(mut message) => {
                        decision.accept();
                        self.stream_body(stream, out, &mut message).await?;
                    }
                }
            }
            Event::Update(decision) => {
                let deleted = decision.deleted();
                let removed = match self.maildrop.as_mut() {
                    Some(maildrop) if !deleted.is_empty() => maildrop.remove(&deleted).await,
                    _ => Ok(()),
                };
                match removed {
                    Ok(()) => decision.accept(),
                    Err(error) => decision.reject(&error),
                }
                // The lock goes with the maildrop, after UPDATE.
                self.maildrop = None;
            }
        }
        Ok(true)
    }

    /// Streams an accepted message chunk by chunk: at most one chunk (dot-stuffed) is
    /// in memory at a time.
    async fn stream_body<S, M>(
        &mut self,
        stream: &mut S,
        out: &mut BytesMut,
        message: &mut M,
    ) -> Result<(), Error>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send,
        M: MessageReader,
    {
        loop {
            match message.next_chunk().await {
                Ok(Some(chunk)) => {
                    let progress = self.session.handle_body(&chunk)?;
                    self.flush(stream, out).await?;
                    if progress == BodyProgress::Complete {
                        break;
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    self.session.abort_body();
                    return Ok(());
                }
            }
        }
        self.session.finish_body()?;
        Ok(())
    }

    /// Writes everything the session has to say.
    async fn flush<S>(&mut self, stream: &mut S, out: &mut BytesMut) -> Result<(), Error>
    where
        S: AsyncWrite + Unpin,
    {
        loop {
            if self.session.poll_output(out) == 0 {
                return Ok(());
            }
            let write = async {
                stream.write_all(out).await?;
                stream.flush().await
            };
            tokio::time::timeout(self.server.options.write_timeout, write)
                .await
                .map_err(|_| Error::Timeout)??;
            out.clear();
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}
