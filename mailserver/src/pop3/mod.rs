//! The POP3 service: pop3-proto's tokio server over mailstore-pop3's handler (the
//! maildrop is the user's INBOX), with logins through [`Pop3Login`] (the server's
//! users, metrics and logs).

mod login;

use std::sync::Arc;

use mailwright_pop3::tokio::TlsMode;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use self::login::{Pop3Login, handler};
use crate::listener::{self, ConnectionMetrics};
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
    let mut config = mailwright_pop3::server::ServerConfig::default();
    let mut limits = mailwright_pop3::server::Limits::default();
    limits.max_failed_logins(app.config.limits.max_auth_failures);
    config.limits(limits);
    let mut server = mailwright_pop3::tokio::Server::new(config, handler(app));
    server
        .tls(Arc::clone(tls))
        .options(listener::options(app))
        .observer(ConnectionMetrics::new(app, Service::Pop3))
        .hostname(app.config.hostname.clone())
        .apop(false);
    let server = Arc::new(server);
    let listen = &app.config.listen;
    let listeners = [
        ("pop3", &listen.pop3[..], TlsMode::Starttls),
        ("pop3s", &listen.pop3s[..], TlsMode::Implicit),
    ];
    listener::spawn(&listeners, tasks, |socket, mode| {
        Arc::clone(&server).serve(socket, mode, listener::stopped(stopped.clone()))
    })
    .await
}
