//! The IMAP service: imap-proto's tokio server over [`StoreBackend`], the backend that
//! answers imap-proto's calls from the user's mailstore account.

mod backend;
mod convert;
mod fetch;

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinSet;

pub use self::backend::{StoreAccount, StoreBackend};
use crate::listener;
use crate::metrics::Service;
use crate::state::App;

/// Starts the IMAP (143, STARTTLS) and IMAPS (993, implicit TLS) listeners of the
/// configuration.
///
/// # Errors
/// A message naming the listener that could not be bound.
pub async fn start(
    app: &Arc<App>,
    tls: &Arc<rustls::ServerConfig>,
    stopped: &watch::Receiver<bool>,
    tasks: &mut JoinSet<()>,
) -> Result<(), String> {
    let limits = &app.config.limits;
    let mut config = imap_proto::server::ServerConfig::default();
    config
        .greeting(format!("{} IMAP4rev2 ready", app.config.hostname))
        .delimiter(mailstore::types::HIERARCHY_DELIMITER);
    // APPEND sizes are checked against limits.max_message_size by the backend
    // (`check_append`), before the literal is read.
    let mut options = imap_proto::tokio::Options::default();
    options
        .max_connections(limits.max_connections)
        .max_connections_per_ip(limits.max_connections_per_ip)
        .shutdown_grace(listener::SHUTDOWN_GRACE);
    let mut server = imap_proto::tokio::Server::new(StoreBackend::new(Arc::clone(app)));
    server.config(config).tls(Arc::clone(tls)).options(options);
    let server = Arc::new(server);
    let listen = &app.config.listen;
    for (name, addrs, implicit) in [
        ("imap", &listen.imap, false),
        ("imaps", &listen.imaps, true),
    ] {
        for &addr in addrs {
            let socket = listener::bind(name, addr).await?;
            println!("listening on {addr} ({name})");
            let server = Arc::clone(&server);
            tasks.spawn(listener::serve(
                Arc::clone(app),
                Service::Imap,
                socket,
                stopped.clone(),
                move |stream, peer, stop| {
                    let server = Arc::clone(&server);
                    async move {
                        if let Err(error) =
                            server.serve_connection(stream, peer, implicit, stop).await
                        {
                            tracing::debug!(%peer, %error, "imap connection ended");
                        }
                    }
                },
            ));
        }
    }
    Ok(())
}
