//! The POP3 service: pop3-proto's tokio server over [`StoreHandler`], whose maildrop
//! is the user's mailstore INBOX.

mod maildrop;

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinSet;

pub use self::maildrop::{StoreHandler, StoreMaildrop, StoreMessage};
use crate::listener;
use crate::metrics::Service;
use crate::state::App;

/// Starts the POP3 (110, STLS) and POP3S (995, implicit TLS) listeners of the
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
    let mut config = pop3_proto::server::ServerConfig::default();
    let mut limits = pop3_proto::server::Limits::default();
    limits.max_failed_logins(app.config.limits.max_auth_failures);
    config.limits(limits);
    let mut options = pop3_proto::tokio::Options::default();
    options
        .hostname(app.config.hostname.clone())
        .apop(false)
        .shutdown_grace(listener::SHUTDOWN_GRACE);
    let mut server = pop3_proto::tokio::Server::new(StoreHandler::new(Arc::clone(app)));
    server.config(config).tls(Arc::clone(tls)).options(options);
    let server = Arc::new(server);
    let listen = &app.config.listen;
    let limits = &app.config.limits;
    let counts =
        listener::ConnectionLimits::new(limits.max_connections, limits.max_connections_per_ip);
    for (name, addrs, implicit) in [
        ("pop3", &listen.pop3, false),
        ("pop3s", &listen.pop3s, true),
    ] {
        for &addr in addrs {
            let socket = listener::bind(name, addr).await?;
            println!("listening on {addr} ({name})");
            let server = Arc::clone(&server);
            let counts = Arc::clone(&counts);
            tasks.spawn(listener::serve(
                Arc::clone(app),
                Service::Pop3,
                socket,
                stopped.clone(),
                move |mut stream, peer, stop| {
                    let server = Arc::clone(&server);
                    let slot = counts.take(peer.ip());
                    async move {
                        let Some(_slot) = slot else {
                            if !implicit {
                                use tokio::io::AsyncWriteExt;
                                let _ = stream
                                    .write_all(b"-ERR [SYS/TEMP] too many connections\r\n")
                                    .await;
                            }
                            return;
                        };
                        if let Err(error) = server.serve_connection(stream, implicit, stop).await {
                            tracing::debug!(%peer, %error, "pop3 connection ended");
                        }
                    }
                },
            ));
        }
    }
    Ok(())
}
