//! The SMTP services: inbound on port 25 ([`inbound`]), submission on 587 with STARTTLS
//! and 465 with implicit TLS ([`submission`]), each run by smtp-proto's tokio server,
//! whose `SessionHandler` they implement; both look recipients up the same way
//! ([`rcpt`]). This module builds the session configurations and hands each connection
//! its handler, within the connection limits.

pub mod inbound;
pub mod rcpt;
pub mod submission;

use std::sync::Arc;

use smtp_proto::server::ServerConfig;
use smtp_proto::tokio::{ConnectionInfo, Context, Handler, Options, Server};
use smtp_proto::{Domain, EnhancedStatusCode, Mechanism, Reply, ReplyCode};
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::inbound::Inbound;
use self::submission::Submission;
use crate::listener::{self, ConnectionLimits, ConnectionSlot};
use crate::metrics::Service;
use crate::state::App;

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

/// The greeting name the client gave in this session (empty before EHLO/HELO, and
/// again after STARTTLS).
pub fn helo(ctx: &Context) -> String {
    ctx.hello
        .as_ref()
        .map(|(host, _)| host.to_string())
        .unwrap_or_default()
}

/// Which SMTP service a listener runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inbound,
    Submission,
    Submissions,
}

/// A connection's place in the limits and the metrics, given back when the session
/// handler (which holds it) is dropped.
#[derive(Debug)]
pub struct Admission {
    app: Arc<App>,
    service: Service,
    _slot: ConnectionSlot,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.app.metrics.closed(self.service);
    }
}

/// Admits connections to one SMTP service and makes their session handlers.
#[derive(Debug)]
struct Service25Or587 {
    app: Arc<App>,
    kind: Kind,
    limits: Arc<ConnectionLimits>,
}

impl Service25Or587 {
    fn admit(&self, info: &ConnectionInfo) -> Result<Admission, Reply<'static>> {
        let service = if self.kind == Kind::Inbound {
            Service::Smtp
        } else {
            Service::Submission
        };
        let Some(slot) = self.limits.take(info.peer.ip()) else {
            tracing::info!(peer = %info.peer, "smtp: too many connections, refused");
            return Err(reply(
                ReplyCode::SERVICE_NOT_AVAILABLE,
                (4, 7, 0),
                "too many connections, try again later",
            ));
        };
        self.app.metrics.opened(service);
        Ok(Admission {
            app: Arc::clone(&self.app),
            service,
            _slot: slot,
        })
    }
}

/// The port 25 service.
#[derive(Debug)]
struct InboundService(Service25Or587);

/// The submission services.
#[derive(Debug)]
struct SubmissionService(Service25Or587);

impl Handler for InboundService {
    type Session = Inbound;

    async fn connect(&self, info: &ConnectionInfo) -> Result<Self::Session, Reply<'static>> {
        let admission = self.0.admit(info)?;
        Ok(Inbound::new(Arc::clone(&self.0.app), info.peer, admission))
    }
}

impl Handler for SubmissionService {
    type Session = Submission;

    async fn connect(&self, info: &ConnectionInfo) -> Result<Self::Session, Reply<'static>> {
        let admission = self.0.admit(info)?;
        Ok(Submission::new(
            Arc::clone(&self.0.app),
            info.peer,
            admission,
        ))
    }
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
    if kind != Kind::Inbound {
        config
            .auth_mechanisms([Mechanism::PLAIN, Mechanism::LOGIN])
            .auth_requires_tls(true)
            .auth_required(true);
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
    let listen = &app.config.listen;
    let limits = &app.config.limits;
    let services = [
        ("smtp", &listen.smtp, Kind::Inbound),
        ("submission", &listen.submission, Kind::Submission),
        ("submissions", &listen.submissions, Kind::Submissions),
    ];
    let mut options = Options::default();
    options
        .max_connections(limits.max_connections)
        .shutdown_grace(listener::SHUTDOWN_GRACE);
    for (name, addrs, kind) in services {
        let service = Service25Or587 {
            app: Arc::clone(app),
            kind,
            limits: ConnectionLimits::new(limits.max_connections, limits.max_connections_per_ip),
        };
        let config = session_config(app, kind)?;
        let inbound = Arc::new(InboundService(Service25Or587 {
            app: Arc::clone(&service.app),
            kind,
            limits: Arc::clone(&service.limits),
        }));
        let submission = Arc::new(SubmissionService(service));
        for &addr in addrs {
            let socket = listener::bind(name, addr).await?;
            println!("listening on {addr} ({name})");
            let stop = listener::stopped(stopped.clone());
            match kind {
                Kind::Inbound => {
                    let server = Server::with_handler(config.clone(), Arc::clone(&inbound))
                        .with_starttls(Arc::clone(tls))
                        .with_options(options.clone());
                    tasks.spawn(async move { report(name, server.serve(socket, stop).await) });
                }
                Kind::Submission => {
                    let server = Server::with_handler(config.clone(), Arc::clone(&submission))
                        .with_starttls(Arc::clone(tls))
                        .with_options(options.clone());
                    tasks.spawn(async move { report(name, server.serve(socket, stop).await) });
                }
                Kind::Submissions => {
                    let server = Server::with_handler(config.clone(), Arc::clone(&submission))
                        .with_implicit_tls(Arc::clone(tls))
                        .with_options(options.clone());
                    tasks.spawn(async move { report(name, server.serve(socket, stop).await) });
                }
            }
        }
    }
    Ok(())
}

fn report(name: &str, result: std::io::Result<()>) {
    if let Err(error) = result {
        tracing::error!(listener = name, %error, "SMTP listener failed");
    }
}
