//! The SMTP listeners: inbound on port 25 ([`crate::smtp_inbound`]), submission on 587
//! with STARTTLS and 465 with implicit TLS ([`crate::submission`]), each connection
//! driven by [`driver::drive`] over smtp-proto's sans-IO server session.

pub mod driver;
pub mod stream;

use std::net::SocketAddr;
use std::sync::Arc;

use smtp_proto::server::{ServerConfig, ServerSession};
use smtp_proto::{Domain, EnhancedStatusCode, Mechanism, Reply, ReplyCode};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use self::stream::Stream;
use crate::listener::{self, ConnectionLimits, ConnectionSlot};
use crate::metrics::Service;
use crate::smtp_inbound::Inbound;
use crate::state::App;
use crate::submission::Submission;

/// A reply with an enhanced status code given as `(class, subject, detail)`.
pub fn reply(
    code: ReplyCode,
    (class, subject, detail): (u8, u16, u16),
    text: &str,
) -> Reply<'static> {
    let reply = Reply::new(code, text.to_owned());
    match EnhancedStatusCode::new(class, subject, detail) {
        Ok(enhanced) => reply.with_enhanced(enhanced),
        Err(_) => reply,
    }
}

/// Which SMTP service a listener runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inbound,
    Submission,
    Submissions,
}

fn session_config(app: &App, kind: Kind) -> Result<ServerConfig, String> {
    let hostname =
        Domain::try_from(app.config.hostname.clone()).map_err(|e| format!("hostname: {e}"))?;
    let mut config = ServerConfig::new(hostname);
    config
        .limits_mut()
        .max_message_size(app.config.limits.max_message_size)
        .max_recipients(app.config.limits.max_recipients)
        .max_auth_failures(app.config.limits.max_auth_failures);
    config
        .dsn(true)
        .eight_bit_mime(true)
        .smtputf8(true)
        .chunking(true);
    match kind {
        Kind::Inbound => {
            config.starttls(true);
        }
        Kind::Submission | Kind::Submissions => {
            config
                .starttls(kind == Kind::Submission)
                .tls_active(kind == Kind::Submissions)
                .auth_mechanisms([Mechanism::PLAIN, Mechanism::LOGIN])
                .auth_requires_tls(true)
                .auth_required(true);
        }
    }
    Ok(config)
}

/// Starts every SMTP listener of the configuration.
///
/// # Errors
/// A message naming the listener that could not be bound.
pub async fn start(
    app: &Arc<App>,
    tls: &Arc<rustls::ServerConfig>,
    stopped: &watch::Receiver<bool>,
    tasks: &mut JoinSet<()>,
) -> Result<(), String> {
    let acceptor = TlsAcceptor::from(Arc::clone(tls));
    let listen = &app.config.listen;
    let services = [
        ("smtp", &listen.smtp, Kind::Inbound),
        ("submission", &listen.submission, Kind::Submission),
        ("submissions", &listen.submissions, Kind::Submissions),
    ];
    let limits = &app.config.limits;
    for (name, addrs, kind) in services {
        let config = Arc::new(session_config(app, kind)?);
        let counts = ConnectionLimits::new(limits.max_connections, limits.max_connections_per_ip);
        for &addr in addrs {
            let socket = listener::bind(name, addr).await?;
            println!("listening on {addr} ({name})");
            let service = if kind == Kind::Inbound {
                Service::Smtp
            } else {
                Service::Submission
            };
            let (app2, config, acceptor) = (Arc::clone(app), Arc::clone(&config), acceptor.clone());
            let counts = Arc::clone(&counts);
            tasks.spawn(listener::serve(
                Arc::clone(app),
                service,
                socket,
                stopped.clone(),
                move |stream, peer, stop| {
                    let slot = counts.take(peer.ip());
                    connection(
                        Arc::clone(&app2),
                        kind,
                        Arc::clone(&config),
                        acceptor.clone(),
                        (stream, slot),
                        peer,
                        stop,
                    )
                },
            ));
        }
    }
    Ok(())
}

async fn connection(
    app: Arc<App>,
    kind: Kind,
    config: Arc<ServerConfig>,
    acceptor: TlsAcceptor,
    (tcp, slot): (TcpStream, Option<ConnectionSlot>),
    peer: SocketAddr,
    stop: watch::Receiver<bool>,
) {
    let _ = tcp.set_nodelay(true);
    let stream = if kind == Kind::Submissions {
        match tokio::time::timeout(std::time::Duration::from_secs(30), acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => Stream::Tls(Box::new(tls)),
            _ => return,
        }
    } else {
        Stream::Plain(tcp)
    };
    let session = match &slot {
        Some(_) => ServerSession::new(config),
        None => {
            tracing::info!(%peer, "smtp: too many connections, refused");
            ServerSession::refuse(
                config,
                reply(
                    ReplyCode::SERVICE_NOT_AVAILABLE,
                    (4, 7, 0),
                    "too many connections, try again later",
                ),
            )
        }
    };
    let result = match kind {
        Kind::Inbound => {
            let mut handler = Inbound::new(app, peer, false);
            driver::drive(stream, session, &mut handler, Some(&acceptor), stop).await
        }
        Kind::Submission | Kind::Submissions => {
            let mut handler = Submission::new(app, peer);
            driver::drive(stream, session, &mut handler, Some(&acceptor), stop).await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "smtp connection ended");
    }
}
