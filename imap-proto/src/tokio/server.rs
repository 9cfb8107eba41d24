//! The server: its settings, and one [`ServerSession`] per connection, admitted and
//! accepted by the shared listener code of [`mailwright_base::listener`].

use std::net::SocketAddr;

use mailwright_base::listener::{Accepted, Edge, Service, TlsMode};

use crate::server::{Extension, ServerConfig, ServerSession};
use crate::tokio::driver::Connection;
use crate::tokio::{Backend, Error, Peer};

/// The default number of messages fetched from the account per call.
const FETCH_BATCH: usize = 32;

/// An IMAP server: the session configuration, the application's [`Backend`], TLS
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
/// | [`fetch_batch`](Self::fetch_batch) | 32 |
///
/// The session's own timers (autologout, IDLE) are in
/// [`Limits`](crate::server::Limits); the login-failure delay of the options
/// replaces [`Limits::failed_login_delay`](crate::server::Limits::failed_login_delay)
/// (the session multiplies it by the failures so far). A connection over a limit gets
/// `* BYE [UNAVAILABLE] Too many connections`; at shutdown every session gets
/// `* BYE [UNAVAILABLE] Server shutting down`.
///
/// ```no_run
/// use std::sync::Arc;
/// use mailwright_imap::server::ServerConfig;
/// use mailwright_imap::tokio::{Backend, Options, Server, TlsMode};
///
/// # async fn run(backend: impl Backend, tls: Arc<rustls::ServerConfig>) -> std::io::Result<()> {
/// let mut options = Options::default();
/// options.max_connections(500).max_connections_per_ip(20);
/// let mut server = Server::new(ServerConfig::default(), backend);
/// server.tls(tls).options(options);
/// let server = Arc::new(server);
/// let imap = tokio::net::TcpListener::bind("127.0.0.1:1143").await?;
/// let imaps = tokio::net::TcpListener::bind("127.0.0.1:1993").await?;
/// let (both, _) = tokio::join!(
///     Arc::clone(&server).serve(imap, TlsMode::Starttls, std::future::pending()),
///     server.serve(imaps, TlsMode::Implicit, std::future::pending()),
/// );
/// both
/// # }
/// ```
pub struct Server<B> {
    pub(crate) backend: B,
    config: ServerConfig,
    pub(crate) edge: Edge,
    pub(crate) fetch_batch: usize,
    plaintext_on_loopback: bool,
}

impl<B> std::fmt::Debug for Server<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("edge", &self.edge)
            .field("fetch_batch", &self.fetch_batch)
            .field("plaintext_on_loopback", &self.plaintext_on_loopback)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> Server<B> {
    /// A server with the session configuration `config` (the driver sets TLS,
    /// STARTTLS, the loopback rule, the login-failure delay and SORT per connection on
    /// a copy) and the application's backend, without TLS, with default [`Options`](crate::tokio::Options).
    pub fn new(config: ServerConfig, backend: B) -> Self {
        Self {
            backend,
            config,
            edge: Edge::new(),
            fetch_batch: FETCH_BATCH,
            plaintext_on_loopback: true,
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

    /// Messages fetched from the account per call during a FETCH; the output is
    /// written to the client between batches, so a FETCH of many messages is
    /// streamed. At least 1. Default 32.
    pub fn fetch_batch(&mut self, count: usize) -> &mut Self {
        self.fetch_batch = count.max(1);
        self
    }

    fn session_config(&self, address: SocketAddr, mode: TlsMode) -> ServerConfig {
        let mut config = self.config.clone();
        config
            .tls_active(mode == TlsMode::Implicit)
            .starttls(mode == TlsMode::Starttls);
        config
            .limits_mut()
            .failed_login_delay(self.edge.login_failure_delay());
        if self.plaintext_on_loopback && address.ip().is_loopback() {
            config.plaintext_auth(true);
        }
        if self.backend.supports_sort() {
            config.enable(Extension::Sort);
        }
        config
    }
}

impl<B: Backend> Service for Server<B> {
    type Error = Error;

    fn edge(&self) -> &Edge {
        &self.edge
    }

    /// `* BYE [UNAVAILABLE] Too many connections`.
    fn refusal(&self) -> Vec<u8> {
        b"* BYE [UNAVAILABLE] Too many connections\r\n".to_vec()
    }

    async fn connection(&self, accepted: Accepted) -> Result<(), Error> {
        let mut stream = accepted.stream;
        let peer = Peer {
            address: accepted.peer,
            tls: stream.is_tls(),
        };
        let session = ServerSession::new(self.session_config(peer.address, accepted.mode));
        let mut connection = Connection::new(self, session, peer, accepted.stop);
        self.edge.drive(&mut connection, &mut stream).await
    }
}
