//! The SMTP services: inbound on port 25 ([`inbound`]), submission on 587 with STARTTLS
//! and 465 with implicit TLS ([`submission`]), each run by smtp-proto's tokio server,
//! whose `SessionHandler` they implement; both look recipients up the same way
//! ([`rcpt`]). This module builds the session configurations and hands each connection
//! its handler; smtp-proto's server keeps the connection limits.

pub mod inbound;
pub mod rcpt;
pub mod submission;

use std::sync::Arc;

use mailwright_smtp::server::ServerConfig;
use mailwright_smtp::tokio::{ConnectionInfo, Context, Handler, Server, TlsMode};
use mailwright_smtp::{Domain, EnhancedStatusCode, Mechanism, Reply, ReplyCode};
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::inbound::Inbound;
use self::submission::Submission;
use crate::listener::{self, ConnectionMetrics};
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
}

/// The port 25 service.
#[derive(Debug)]
struct InboundService(Arc<App>);

/// The submission services (587 with STARTTLS, 465 with implicit TLS).
#[derive(Debug)]
struct SubmissionService(Arc<App>);

impl Handler for InboundService {
    type Session = Inbound;

    async fn connect(&self, info: &ConnectionInfo) -> Result<Self::Session, Reply<'static>> {
        Ok(Inbound::new(Arc::clone(&self.0), info.peer))
    }
}

impl Handler for SubmissionService {
    type Session = Submission;

    async fn connect(&self, info: &ConnectionInfo) -> Result<Self::Session, Reply<'static>> {
        Ok(Submission::new(Arc::clone(&self.0), info.peer))
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

/// Starts every SMTP listener of the configuration: one server for port 25, one for
/// submission (587 and 465, whose connection limits count together).
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
    let mut inbound = Server::new(
        session_config(app, Kind::Inbound)?,
        InboundService(Arc::clone(app)),
    );
    inbound
        .tls(Arc::clone(tls))
        .options(listener::options(app))
        .observer(ConnectionMetrics::new(app, Service::Smtp));
    let inbound = Arc::new(inbound);
    let listeners = [("smtp", &listen.smtp[..], TlsMode::Starttls)];
    listener::spawn(&listeners, tasks, |socket, mode| {
        Arc::clone(&inbound).serve(socket, mode, listener::stopped(stopped.clone()))
    })
    .await?;
    let mut submission = Server::new(
        session_config(app, Kind::Submission)?,
        SubmissionService(Arc::clone(app)),
    );
    submission
        .tls(Arc::clone(tls))
        .options(listener::options(app))
        .observer(ConnectionMetrics::new(app, Service::Submission));
    let submission = Arc::new(submission);
    let listeners = [
        ("submission", &listen.submission[..], TlsMode::Starttls),
        ("submissions", &listen.submissions[..], TlsMode::Implicit),
    ];
    listener::spawn(&listeners, tasks, |socket, mode| {
        Arc::clone(&submission).serve(socket, mode, listener::stopped(stopped.clone()))
    })
    .await
}
