//! The accept loop every service shares: binds, counts connections in the metrics,
//! hands each to its protocol driver, and on shutdown waits for the sessions up to a
//! grace period.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::metrics::Service;
use crate::state::App;

/// How long sessions may take to finish after shutdown was asked.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Binds `addr` for `name`, with a message naming both when it fails.
///
/// # Errors
/// The bind error, as text.
pub async fn bind(name: &str, addr: SocketAddr) -> Result<TcpListener, String> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    }
    .map_err(|e| format!("listen.{name}: {addr}: {e}"))?;
    let _ = socket.set_reuseaddr(true);
    socket
        .bind(addr)
        .map_err(|e| format!("listen.{name}: cannot listen on {addr}: {e}"))?;
    socket
        .listen(1024)
        .map_err(|e| format!("listen.{name}: cannot listen on {addr}: {e}"))
}

/// Accepts connections until `shutdown` turns `true`, running `handle` for each, then
/// waits up to [`SHUTDOWN_GRACE`] for the running ones (each also sees `shutdown`).
pub async fn serve<F, Fut>(
    app: Arc<App>,
    service: Service,
    listener: TcpListener,
    shutdown: watch::Receiver<bool>,
    handle: F,
) where
    F: Fn(TcpStream, SocketAddr, watch::Receiver<bool>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut sessions = JoinSet::new();
    let stop = stopped(shutdown.clone());
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    // EMFILE or a reset before accept: about one connection.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let session = handle(stream, peer, shutdown.clone());
                let app = Arc::clone(&app);
                sessions.spawn(async move {
                    let _open = app.metrics.connection(service);
                    session.await;
                });
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            () = &mut stop => break,
        }
    }
    drop(listener);
    let grace = tokio::time::sleep(SHUTDOWN_GRACE);
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
}

/// Completes when `shutdown` turns `true` (or its sender is gone).
pub async fn stopped(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
