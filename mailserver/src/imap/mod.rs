//! The IMAP service: imap-proto's tokio server over mailstore-imap's backend, with
//! logins through [`ImapLogin`] (the server's users, metrics and logs).

mod login;

use std::sync::Arc;

use mailwright_imap::tokio::TlsMode;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use self::login::{ImapLogin, backend};
use crate::listener::{self, ConnectionMetrics};
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
    let mut config = mailwright_imap::server::ServerConfig::default();
    config
        .greeting(format!("{} IMAP4rev2 ready", app.config.hostname))
        .delimiter(mailwright_store::types::HIERARCHY_DELIMITER);
    // APPEND sizes are checked against limits.max_message_size by the backend
    // (`check_append`), before the literal is read.
    let mut server = mailwright_imap::tokio::Server::new(config, backend(app));
    server
        .tls(Arc::clone(tls))
        .options(listener::options(app))
        .observer(ConnectionMetrics::new(app, Service::Imap));
    let server = Arc::new(server);
    let listen = &app.config.listen;
    let listeners = [
        ("imap", &listen.imap[..], TlsMode::Starttls),
        ("imaps", &listen.imaps[..], TlsMode::Implicit),
    ];
    listener::spawn(&listeners, tasks, |socket, mode| {
        Arc::clone(&server).serve(socket, mode, listener::stopped(stopped.clone()))
    })
    .await
}
