//! The server: its settings, and the driver of one [`ServerSession`] per connection,
//! admitted and accepted by the shared listener code of [`mailwright_base::listener`].

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::BytesMut;
use mailwright_base::listener::{
    Accepted, Driver, Edge, MaybeTls, Outcome, Service, Stop, TlsMode, sleep_until,
    write_all_within,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::codec::frame::BodyProgress;
use crate::maildrop::{Maildrop, MaildropError, MessageReader};
use crate::server::{Event, LoginRejection, ServerConfig, ServerSession};
use crate::tokio::{Error, Handler, Peer};
use crate::types::ApopTimestamp;

/// A POP3 server: the session configuration, the application's [`Handler`], TLS
/// and the listener [`Options`](crate::tokio::Options). One server serves any number of listeners, each
/// with its own [`TlsMode`]; the connection limits count over all of them.
///
/// Call order: [`Server::new`], then the `&mut` setters, then [`Arc::new`](std::sync::Arc::new) and one
/// [`serve`](Self::serve) per listener.
///
/// | setter | default |
/// | --- | --- |
/// | [`tls`](Self::tls) | none: only [`TlsMode::Plain`] listeners |
/// | [`options`](Self::options) | [`Options::default`](crate::tokio::Options::default): 1,000 connections, 50 per IP, handshake 30 s, write 10 min, login-failure delay 2 s, shutdown grace 30 s |
/// | [`observer`](Self::observer) | none |
/// | [`plaintext_on_loopback`](Self::plaintext_on_loopback) | `true` |
/// | [`apop`](Self::apop) | `true` |
/// | [`hostname`](Self::hostname) | `localhost` |
///
/// The session's autologout timer is in [`Limits`](crate::server::Limits). A
/// connection over a limit gets `-ERR [SYS/TEMP] too many connections`; at shutdown
/// every session gets `-ERR [SYS/TEMP] server shutting down` (no UPDATE).
///
/// ```no_run
/// use std::sync::Arc;
/// use mailwright_pop3::maildrop::MemoryStore;
/// use mailwright_pop3::server::ServerConfig;
/// use mailwright_pop3::tokio::{Options, Server, TlsMode};
///
/// # async fn run(tls: Arc<rustls::ServerConfig>) -> std::io::Result<()> {
/// let store = MemoryStore::new();
/// store.add_user("mrose", "tanstaaf");
/// let mut options = Options::default();
/// options.max_connections(500).max_connections_per_ip(20);
/// let mut server = Server::new(ServerConfig::default(), store);
/// server.tls(tls).options(options).hostname("pop.example.org");
/// let server = Arc::new(server);
/// let pop3 = tokio::net::TcpListener::bind("127.0.0.1:1110").await?;
/// let pop3s = tokio::net::TcpListener::bind("127.0.0.1:1995").await?;
/// let (both, _) = tokio::join!(
///     Arc::clone(&server).serve(pop3, TlsMode::Starttls, std::future::pending()),
///     server.serve(pop3s, TlsMode::Implicit, std::future::pending()),
/// );
/// both
/// # }
/// ```
pub struct Server<H> {
    handler: H,
    config: ServerConfig,
    edge: Edge,
    plaintext_on_loopback: bool,
    apop: bool,
    hostname: String,
}

impl<H> std::fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("edge", &self.edge)
            .field("plaintext_on_loopback", &self.plaintext_on_loopback)
            .field("apop", &self.apop)
            .field("hostname", &self.hostname)
            .finish_non_exhaustive()
    }
}

/// Per-process counter that makes APOP timestamps unique.
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);

impl<H: Handler> Server<H> {
    /// A server with the session configuration `config` (the driver sets the APOP
    /// timestamp, `STLS`, the TLS state and the loopback rule per connection on a
    /// copy) and the application's handler, without TLS, with default [`Options`](crate::tokio::Options).
    pub fn new(config: ServerConfig, handler: H) -> Self {
        Self {
            handler,
            config,
            edge: Edge::new(),
            plaintext_on_loopback: true,
            apop: true,
            hostname: "localhost".to_owned(),
        }
    }

    // tls, options, observer, connection_count, serve, serve_connection: the same
    // in the SMTP, IMAP and POP3 crates, written once in mail-base.
    mailwright_base::server_methods!(Error);

    /// Whether loopback clients may send passwords without TLS (as Dovecot allows).
    /// Default `true`.
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

    fn session_config(&self, address: SocketAddr, mode: TlsMode) -> ServerConfig {
        let mut config = self.config.clone();
        config
            .tls_active(mode == TlsMode::Implicit)
            .stls(mode == TlsMode::Starttls)
            .plaintext_without_tls(self.plaintext_on_loopback && address.ip().is_loopback());
        if self.apop {
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
            self.hostname
        ))
        .ok()
    }
}

impl<H: Handler> Service for Server<H> {
    type Error = Error;

    fn edge(&self) -> &Edge {
        &self.edge
    }

    /// `-ERR [SYS/TEMP] too many connections`.
    fn refusal(&self) -> Vec<u8> {
        b"-ERR [SYS/TEMP] too many connections\r\n".to_vec()
    }

    async fn connection(&self, accepted: Accepted) -> Result<(), Error> {
        let mut stream = accepted.stream;
        let mut connection = Connection {
            server: self,
            session: ServerSession::new(self.session_config(accepted.peer, accepted.mode)),
            maildrop: None,
            peer: Peer {
                address: accepted.peer,
                tls: stream.is_tls(),
            },
            stop: accepted.stop,
        };
        self.edge.drive(&mut connection, &mut stream).await
    }
}

/// The state of one connection across the plaintext and TLS phases.
struct Connection<'s, H: Handler> {
    server: &'s Server<H>,
    session: ServerSession,
    maildrop: Option<H::Maildrop>,
    peer: Peer,
    stop: Stop,
}

impl<H: Handler> Driver for Connection<'_, H> {
    type Error = Error;

    /// Output, events, input and time, until the session closes or asks for TLS.
    async fn drive(&mut self, stream: &mut MaybeTls<TcpStream>) -> Result<Outcome, Error> {
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
                () = self.stop.once() => self.session.close(),
            }
        }
    }

    /// `STLS` succeeded: the session goes back to the greeting state, encrypted.
    fn tls_started(&mut self) {
        self.session.tls_started();
        self.peer.tls = true;
    }
}

impl<H: Handler> Connection<'_, H> {
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
                            tokio::time::sleep(server.edge.login_failure_delay()).await;
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
                    let progress = self.session.handle_body(&chunk).map_err(Error::Session)?;
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
        self.session.finish_body().map_err(Error::Session)?;
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
            write_all_within(stream, out, self.server.edge.write_timeout()).await?;
            out.clear();
        }
    }
}
