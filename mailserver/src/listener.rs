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

/// Connection counts of one service (over all its listeners): at most `total` at once,
/// at most `per_ip` from one address.
#[derive(Debug)]
pub struct ConnectionLimits {
    total: usize,
    per_ip: usize,
    counts: std::sync::Mutex<(usize, std::collections::HashMap<std::net::IpAddr, usize>)>,
}

/// A connection's place in its service's counts, given back when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    limits: Arc<ConnectionLimits>,
    ip: std::net::IpAddr,
}

impl ConnectionLimits {
    /// Limits of `total` connections, `per_ip` from one address.
    pub fn new(total: usize, per_ip: usize) -> Arc<Self> {
        Arc::new(Self {
            total,
            per_ip,
            counts: std::sync::Mutex::default(),
        })
    }

    /// A slot for a connection from `ip`, or `None` when a limit is reached.
    pub fn take(self: &Arc<Self>, ip: std::net::IpAddr) -> Option<ConnectionSlot> {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let from_ip = counts.1.get(&ip).copied().unwrap_or(0);
        if counts.0 >= self.total || from_ip >= self.per_ip {
            return None;
        }
        counts.0 += 1;
        *counts.1.entry(ip).or_insert(0) += 1;
        Some(ConnectionSlot {
            limits: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut counts = self
            .limits
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.0 = counts.0.saturating_sub(1);
        if let Some(n) = counts.1.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                counts.1.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ConnectionLimits;

    #[test]
    fn limits_total_and_per_ip() {
        let limits = ConnectionLimits::new(3, 2);
        let (a, b) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let first = limits.take(a).unwrap();
        let _second = limits.take(a).unwrap();
        assert!(limits.take(a).is_none(), "per address");
        let _third = limits.take(b).unwrap();
        assert!(limits.take(b).is_none(), "in total");
        drop(first);
        assert!(limits.take(a).is_some(), "given back");
    }
}
