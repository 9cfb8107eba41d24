//! What the server adds to the protocol crates' listeners (whose accept loop,
//! connection limits, TLS and shutdown are `mailwright_base::listener`'s): binding with a
//! message that names the listener, the listener options from the configuration, and
//! the connection metrics and logs.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mailwright_base::listener::{Observer, Options, TlsMode};
use tokio::net::TcpListener;
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

/// Binds every address of a service's listeners (`(name, addresses, TLS mode)`, the
/// name as in `listen.<name>`) and runs `serve(socket, mode)` on each socket in
/// `tasks`: the protocol crate's `serve`. A listener that fails for good is logged.
///
/// # Errors
/// A message naming the listener that could not be bound.
pub async fn spawn<F, Fut>(
    listeners: &[(&'static str, &[SocketAddr], TlsMode)],
    tasks: &mut JoinSet<()>,
    serve: F,
) -> Result<(), String>
where
    F: Fn(TcpListener, TlsMode) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    for &(name, addrs, mode) in listeners {
        for &addr in addrs {
            let socket = bind(name, addr).await?;
            println!("listening on {addr} ({name})");
            let served = serve(socket, mode);
            tasks.spawn(async move {
                if let Err(error) = served.await {
                    tracing::error!(listener = name, %error, "listener failed");
                }
            });
        }
    }
    Ok(())
}

/// Completes when `shutdown` turns `true` (or its sender is gone).
pub async fn stopped(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// The listener options of every service: the configured connection limits (per
/// service, over all its listeners) and the server's shutdown grace.
pub fn options(app: &App) -> Options {
    let limits = &app.config.limits;
    let mut options = Options::default();
    options
        .max_connections(limits.max_connections)
        .max_connections_per_ip(limits.max_connections_per_ip)
        .shutdown_grace(SHUTDOWN_GRACE);
    options
}

/// Counts a service's connections in the metrics and logs how they end.
#[derive(Debug)]
pub struct ConnectionMetrics {
    app: Arc<App>,
    service: Service,
}

impl ConnectionMetrics {
    /// The observer for `service`'s listeners.
    pub fn new(app: &Arc<App>, service: Service) -> Arc<Self> {
        Arc::new(Self {
            app: Arc::clone(app),
            service,
        })
    }
}

impl Observer for ConnectionMetrics {
    fn opened(&self, _peer: SocketAddr, _local: SocketAddr) {
        self.app.metrics.opened(self.service);
    }

    fn refused(&self, peer: SocketAddr, _local: SocketAddr) {
        let service = self.service.as_str();
        tracing::info!(%peer, service, "too many connections, refused");
    }

    fn closed(
        &self,
        peer: SocketAddr,
        _local: SocketAddr,
        error: Option<&(dyn std::error::Error + 'static)>,
    ) {
        self.app.metrics.closed(self.service);
        if let Some(error) = error {
            let service = self.service.as_str();
            tracing::debug!(%peer, service, %error, "connection ended");
        }
    }
}
