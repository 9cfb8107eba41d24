//! The accept loop, connection limits and graceful shutdown.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::server::{Extension, ServerConfig, ServerSession};
use crate::tokio::driver::{Connection, Outcome};
use crate::tokio::{Backend, Error, Peer};

/// Settings of the driver that are not protocol rules.
#[derive(Clone, Debug)]
pub struct Options {
    pub(crate) write_timeout: Duration,
    pub(crate) plaintext_on_loopback: bool,
    pub(crate) shutdown_grace: Duration,
    pub(crate) max_connections: usize,
    pub(crate) max_connections_per_ip: usize,
    pub(crate) fetch_batch: usize,
    pub(crate) handshake_timeout: Duration,
}

impl Options {
    /// How long one write may wait for the client to take our output. Default 10 minutes.
    pub fn write_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.write_timeout = timeout;
        self
    }

    /// Whether loopback clients may send passwords without TLS (as Dovecot allows).
    /// Default `true`.
    pub fn plaintext_on_loopback(&mut self, allowed: bool) -> &mut Self {
        self.plaintext_on_loopback = allowed;
        self
    }

    /// How long [`Server::serve`] waits for sessions to say BYE after shutdown was
    /// asked, before it drops them. Default 10 seconds.
    pub fn shutdown_grace(&mut self, grace: Duration) -> &mut Self {
        self.shutdown_grace = grace;
        self
    }

    /// Most connections at once, over all listeners of this server; more are told
    /// `* BYE` and closed. Default 10,000.
    pub fn max_connections(&mut self, count: usize) -> &mut Self {
        self.max_connections = count;
        self
    }

    /// Most connections at once from one IP address. Default 50.
    pub fn max_connections_per_ip(&mut self, count: usize) -> &mut Self {
        self.max_connections_per_ip = count;
        self
    }

    /// Messages fetched from the account per call during a FETCH; the output is
    /// written to the client between batches, so a FETCH of many messages is
    /// streamed. Default 32.
    pub fn fetch_batch(&mut self, count: usize) -> &mut Self {
        self.fetch_batch = count.max(1);
        self
    }

    /// How long a TLS handshake may take. Default 30 seconds.
    pub fn handshake_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.handshake_timeout = timeout;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            write_timeout: Duration::from_secs(600),
            plaintext_on_loopback: true,
            shutdown_grace: Duration::from_secs(10),
            max_connections: 10_000,
            max_connections_per_ip: 50,
            fetch_batch: 32,
            handshake_timeout: Duration::from_secs(30),
        }
    }
}

/// An IMAP server: the session configuration, TLS, driver options and the backend.
pub struct Server<B> {
    pub(crate) backend: B,
    config: ServerConfig,
    tls: Option<TlsAcceptor>,
    pub(crate) options: Options,
    connections: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// Releases a connection slot when the connection ends.
struct Slot<'s> {
    counts: &'s Mutex<Counts>,
    ip: IpAddr,
}

/// Locks the connection counts. Every critical section on them is a counter
/// update that leaves them consistent, so a panic elsewhere while holding the
/// lock must not shut the server: a poisoned lock is taken over.
fn lock_counts(counts: &Mutex<Counts>) -> MutexGuard<'_, Counts> {
    counts.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut counts = lock_counts(self.counts);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_ip.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
    }
}

impl<B> std::fmt::Debug for Server<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("tls", &self.tls.is_some())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> Server<B> {
    /// A server with the default [`ServerConfig`] and [`Options`], without TLS.
    pub fn new(backend: B) -> Self {
        Self {
            backend,
            config: ServerConfig::default(),
            tls: None,
            options: Options::default(),
            connections: Mutex::new(Counts::default()),
        }
    }

    /// The session configuration used for each connection (the driver sets TLS,
    /// STARTTLS, the loopback rule and SORT per connection on a copy).
    pub fn config(&mut self, config: ServerConfig) -> &mut Self {
        self.config = config;
        self
    }

    /// Enables TLS: STARTTLS on plain listeners, and implicit-TLS listeners.
    pub fn tls(&mut self, config: Arc<rustls::ServerConfig>) -> &mut Self {
        self.tls = Some(TlsAcceptor::from(config));
        self
    }

    /// The driver options.
    pub fn options(&mut self, options: Options) -> &mut Self {
        self.options = options;
        self
    }

    /// Accepts connections until `shutdown` completes, then tells every session
    /// `* BYE` and waits for them up to the shutdown grace period.
    ///
    /// `implicit_tls` runs TLS from the first byte (port 993 style). Several
    /// listeners can be served by one server (one `serve` each); connection
    /// limits count over all of them.
    ///
    /// # Errors
    ///
    /// An implicit-TLS listener without [`tls`](Self::tls) is refused with
    /// [`io::ErrorKind::InvalidInput`]. Failures of single connections are not errors.
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
                    let Ok((stream, address)) = accepted else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    let server = Arc::clone(&self);
                    let stopped = stopped.clone();
                    sessions.spawn(async move {
                        let _ = server.serve_connection(stream, address, implicit_tls, stopped).await;
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

    /// Runs one connection to its end. `shutdown` turning `true` closes the
    /// session with `* BYE`.
    ///
    /// # Errors
    ///
    /// I/O and TLS failures, and the write timeout. A client that simply
    /// disconnects is not an error.
    pub async fn serve_connection(
        &self,
        mut stream: TcpStream,
        address: SocketAddr,
        implicit_tls: bool,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(), Error> {
        let Some(_slot) = self.take_slot(address.ip()) else {
            let bye = b"* BYE [UNAVAILABLE] Too many connections\r\n";
            if !implicit_tls {
                let _ = tokio::time::timeout(Duration::from_secs(5), stream.write_all(bye)).await;
            }
            return Ok(());
        };
        let _ = stream.set_nodelay(true);
        let peer = Peer {
            address,
            tls: implicit_tls,
        };
        let session = ServerSession::new(self.session_config(address, implicit_tls));
        let mut connection = Connection::new(self, session, peer, shutdown);
        match (&self.tls, implicit_tls) {
            (Some(tls), true) => {
                let mut stream = self.handshake(tls, stream).await?;
                connection.drive(&mut stream).await.map(drop)
            }
            _ => {
                let mut stream = stream;
                match connection.drive(&mut stream).await? {
                    Outcome::Closed => Ok(()),
                    Outcome::StartTls => {
                        let Some(tls) = &self.tls else { return Ok(()) };
                        let mut stream = self.handshake(tls, stream).await?;
                        connection.tls_started();
                        connection.drive(&mut stream).await.map(drop)
                    }
                }
            }
        }
    }

    async fn handshake(
        &self,
        tls: &TlsAcceptor,
        stream: TcpStream,
    ) -> Result<tokio_rustls::server::TlsStream<TcpStream>, Error> {
        tokio::time::timeout(self.options.handshake_timeout, tls.accept(stream))
            .await
            .map_err(|_| Error::Timeout)?
            .map_err(Error::Tls)
    }

    fn take_slot(&self, ip: IpAddr) -> Option<Slot<'_>> {
        let mut counts = lock_counts(&self.connections);
        let from_ip = counts.per_ip.get(&ip).copied().unwrap_or(0);
        if counts.total >= self.options.max_connections
            || from_ip >= self.options.max_connections_per_ip
        {
            return None;
        }
        counts.total += 1;
        *counts.per_ip.entry(ip).or_insert(0) += 1;
        Some(Slot {
            counts: &self.connections,
            ip,
        })
    }

    /// Connections open now.
    pub fn connection_count(&self) -> usize {
        lock_counts(&self.connections).total
    }

    fn session_config(&self, address: SocketAddr, implicit_tls: bool) -> ServerConfig {
        let mut config = self.config.clone();
        config
            .tls_active(implicit_tls)
            .starttls(self.tls.is_some() && !implicit_tls);
        if self.options.plaintext_on_loopback && address.ip().is_loopback() {
            config.plaintext_auth(true);
        }
        if self.backend.supports_sort() {
            config.enable(Extension::Sort);
        }
        config
    }
}

#[cfg(all(test, feature = "memory"))]
mod tests {
    use std::net::Ipv4Addr;

    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

    use super::*;
    use crate::tokio::MemoryBackend;

    /// Panics in another thread while holding the connection counts, as a
    /// panicking session would; the mutex is poisoned afterwards.
    fn poison(server: &Server<MemoryBackend>) {
        let panicked = std::thread::scope(|s| {
            s.spawn(|| {
                let _counts = server.connections.lock();
                panic!("a session panicked while holding the connection counts");
            })
            .join()
        });
        assert!(panicked.is_err());
        assert!(server.connections.is_poisoned());
    }

    #[test]
    fn poisoned_counts_still_take_and_release_slots() {
        let mut server = Server::new(MemoryBackend::new());
        server.options(Options {
            max_connections_per_ip: 2,
            ..Options::default()
        });
        poison(&server);
        let ip = IpAddr::from(Ipv4Addr::LOCALHOST);
        let first = server.take_slot(ip);
        let second = server.take_slot(ip);
        assert!(first.is_some() && second.is_some(), "slots are still given");
        assert!(server.take_slot(ip).is_none(), "and the limits still hold");
        assert_eq!(server.connection_count(), 2);
        drop(first);
        assert_eq!(server.connection_count(), 1, "and released");
        drop(second);
        assert_eq!(server.connection_count(), 0);
        assert!(lock_counts(&server.connections).per_ip.is_empty());
    }

    #[tokio::test]
    async fn poisoned_counts_still_accept_connections() -> Result<(), Box<dyn std::error::Error>> {
        let server = Arc::new(Server::new(MemoryBackend::new()));
        poison(&server);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(Arc::clone(&server).serve(listener, false, async {
            let _ = stopped.await;
        }));
        let stream = TcpStream::connect(address).await?;
        let mut client = BufReader::new(stream);
        let mut greeting = String::new();
        client.read_line(&mut greeting).await?;
        assert!(greeting.starts_with("* OK"), "{greeting:?}");
        assert_eq!(server.connection_count(), 1, "counted");
        client.get_mut().write_all(b"a LOGOUT\r\n").await?;
        let mut rest = String::new();
        client.read_to_string(&mut rest).await?;
        assert!(rest.contains("a OK"), "{rest:?}");
        for _ in 0..500 {
            if server.connection_count() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(server.connection_count(), 0, "released");
        let _ = stop.send(());
        serving.await??;
        Ok(())
    }
}
