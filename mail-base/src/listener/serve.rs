//! The accept loop: admission within the limits, the protocol's refusal line,
//! implicit TLS, and graceful shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::listener::{
    ConnectionSlot, Edge, Error, MaybeTls, Observer, Stop, TlsMode, write_all_within,
};

/// How long a refused client has to take the refusal line.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);

/// How long to wait after a failed accept (out of file descriptors and the like)
/// before accepting again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// A protocol server, as the shared accept loop drives it: each protocol crate's
/// `Server` implements it, and its `serve` calls [`serve`].
pub trait Service: Send + Sync + 'static {
    /// What ends a connection abnormally (the crate's own error type).
    type Error: std::error::Error + From<Error> + Send + Sync + 'static;

    /// The options, TLS configuration, counts and observer.
    fn edge(&self) -> &Edge;

    /// The line sent to a connection refused over a limit, CRLF included (SMTP
    /// `421 4.7.0`, IMAP `* BYE [UNAVAILABLE]`, POP3 `-ERR [SYS/TEMP]`). It is not
    /// sent on implicit-TLS listeners, where it would need a handshake: those
    /// connections are closed at once.
    fn refusal(&self) -> Vec<u8>;

    /// Runs one admitted connection (past implicit TLS) to its end. When
    /// `accepted.stop` fires, the session says goodbye in its protocol's way.
    fn connection(
        &self,
        accepted: Accepted,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// An admitted connection, handed to [`Service::connection`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Accepted {
    /// The stream, already under TLS on an implicit-TLS listener.
    pub stream: MaybeTls<TcpStream>,
    /// The client's address.
    pub peer: SocketAddr,
    /// The address the client connected to.
    pub local: SocketAddr,
    /// The listener's TLS mode.
    pub mode: TlsMode,
    /// Fires when the server shuts down.
    pub stop: Stop,
}

/// Accepts connections on `listener` until `shutdown` completes, then stops
/// accepting (the listener is closed), fires every session's [`Stop`], waits for the
/// sessions up to the shutdown grace period and drops the rest.
///
/// Each connection takes a slot of the server's [`ConnectionLimits`](crate::listener::ConnectionLimits)
/// (shared by every listener of the service); one over a limit gets
/// [`Service::refusal`] and is closed. Several listeners can be served at once, one
/// `serve` each.
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`] when `mode` needs TLS and the service has no TLS
/// configuration. Failures of single connections are not errors: the
/// [`Observer`] hears of them.
pub async fn serve<S: Service>(
    service: Arc<S>,
    listener: TcpListener,
    mode: TlsMode,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    if mode.needs_tls() && !service.edge().has_tls() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{mode:?} TLS needs a TLS configuration"),
        ));
    }
    let (stop, stopped) = Stop::channel();
    let mut tasks = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => {
                // One failed accept (EMFILE, a reset before accept) is about one
                // connection: back off briefly and go on.
                let Ok((stream, peer)) = accepted else {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                };
                let Ok(local) = stream.local_addr() else { continue };
                let service = Arc::clone(&service);
                match service.edge().limits().take(peer.ip()) {
                    Some(slot) => {
                        let stop = stopped.clone();
                        tasks.spawn(async move {
                            let mut tracked = Tracked::open(service.edge(), peer, local, slot);
                            let result = run(&*service, stream, peer, local, mode, stop).await;
                            tracked.close(result.as_ref().err().map(|e| e as _));
                        });
                    }
                    None => {
                        tasks.spawn(async move { refuse(&*service, stream, peer, local, mode).await });
                    }
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(service.edge().shutdown_grace(), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.shutdown().await;
    }
    Ok(())
}

/// Runs one connection accepted elsewhere (a custom accept loop, an inherited
/// socket): implicit TLS when `mode` says so, then the session. No connection limit
/// and no observer apply.
///
/// # Errors
///
/// The service's error for an abnormal end (I/O, TLS, timeouts).
pub async fn serve_connection<S: Service>(
    service: &S,
    stream: TcpStream,
    mode: TlsMode,
    stop: Stop,
) -> Result<(), S::Error> {
    let peer = stream.peer_addr().map_err(Error::Io)?;
    let local = stream.local_addr().map_err(Error::Io)?;
    run(service, stream, peer, local, mode, stop).await
}

async fn run<S: Service>(
    service: &S,
    stream: TcpStream,
    peer: SocketAddr,
    local: SocketAddr,
    mode: TlsMode,
    stop: Stop,
) -> Result<(), S::Error> {
    let _ = stream.set_nodelay(true);
    let mut stream = MaybeTls::plain(stream);
    if mode == TlsMode::Implicit {
        service.edge().start_tls(&mut stream).await?;
    }
    let accepted = Accepted {
        stream,
        peer,
        local,
        mode,
        stop,
    };
    service.connection(accepted).await
}

async fn refuse<S: Service>(
    service: &S,
    mut stream: TcpStream,
    peer: SocketAddr,
    local: SocketAddr,
    mode: TlsMode,
) {
    if let Some(observer) = service.edge().observer() {
        observer.refused(peer, local);
    }
    if mode != TlsMode::Implicit {
        let line = service.refusal();
        let _ = write_all_within(&mut stream, &line, REFUSAL_TIMEOUT).await;
        let _ = tokio::time::timeout(REFUSAL_TIMEOUT, stream.shutdown()).await;
    }
}

/// An admitted connection's slot and its report to the observer: `closed` runs
/// exactly once, also when the task is dropped (aborted at the end of the grace
/// period, or unwound by a panic).
struct Tracked {
    observer: Option<Arc<dyn Observer>>,
    peer: SocketAddr,
    local: SocketAddr,
    open: bool,
    slot: Option<ConnectionSlot>,
}

impl Tracked {
    fn open(edge: &Edge, peer: SocketAddr, local: SocketAddr, slot: ConnectionSlot) -> Self {
        let observer = edge.observer().cloned();
        if let Some(observer) = &observer {
            observer.opened(peer, local);
        }
        Self {
            observer,
            peer,
            local,
            open: true,
            slot: Some(slot),
        }
    }

    /// Gives the slot back, then tells the observer.
    fn close(&mut self, error: Option<&(dyn std::error::Error + 'static)>) {
        drop(self.slot.take());
        if std::mem::take(&mut self.open)
            && let Some(observer) = &self.observer
        {
            observer.closed(self.peer, self.local, error);
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.close(Some(&Error::Dropped));
    }
}
