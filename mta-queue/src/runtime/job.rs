//! A delivery job: connect with failover, send batches on one connection, report.

use std::sync::Arc;

use mailwright_auth::dns::Resolver;
use mailwright_smtp::EnhancedStatusCode;

use super::Inner;
use crate::mx;
use crate::route::{RelayTls, TlsMode};
use crate::scheduler::{Batch, Job, JobEnd, NextBatch, RcptOutcome, Target};
use crate::status::{Diagnostic, codes};
use crate::transport::{
    ConnectRequest, Connection, Endpoint, LocalMessage, OutgoingMessage, Protocol, TlsRequirement,
    Transport,
};

pub(super) async fn run<R, T>(inner: Arc<Inner<R, T>>, job: Job)
where
    R: Resolver + 'static,
    T: Transport,
{
    if let Target::Local { handler } = &job.target {
        local(&inner, &job, handler).await;
    } else {
        remote(&inner, &job).await;
    }
    inner.wake.notify_one();
}

/// Delivers to an application handler, batch after batch.
async fn local<R, T>(inner: &Arc<Inner<R, T>>, job: &Job, name: &str)
where
    R: Resolver + 'static,
    T: Transport,
{
    let Some(handler) = inner.local.get(name).cloned() else {
        let diagnostic = Diagnostic::local(
            EnhancedStatusCode::MAIL_SYSTEM_OTHER,
            &format!("no local delivery handler named {name:?}"),
        );
        inner
            .lock()
            .handle_job_end(job.id, JobEnd::Failed(diagnostic), inner.clock.now());
        return;
    };
    let mut batch = job.batch.clone();
    loop {
        let outcomes = match inner.read_body(&batch).await {
            Ok(body) => {
                let message = LocalMessage {
                    id: batch.id,
                    sender: batch.envelope.sender.clone(),
                    recipients: batch
                        .recipients
                        .iter()
                        .filter_map(|&i| batch.envelope.recipients.get(i as usize).cloned())
                        .collect(),
                    body,
                };
                handler.deliver(message).await
            }
            Err(outcomes) => outcomes,
        };
        let pairs = batch.recipients.iter().copied().zip(outcomes).collect();
        let next = {
            let now = inner.clock.now();
            let mut scheduler = inner.lock();
            scheduler.handle_batch(job.id, pairs, true, now);
            scheduler.next_batch(job.id, now)
        };
        inner.wake.notify_one();
        match next {
            NextBatch::Batch(next) => batch = next,
            // A local handler keeps no connection open.
            NextBatch::Idle | NextBatch::Close => break,
        }
    }
    inner
        .lock()
        .handle_job_end(job.id, JobEnd::Done, inner.clock.now());
}

/// Delivers over SMTP or LMTP.
async fn remote<R, T>(inner: &Arc<Inner<R, T>>, job: &Job)
where
    R: Resolver + 'static,
    T: Transport,
{
    let (mut connection, host, protocol) = match connect(inner, job).await {
        Ok(connected) => connected,
        Err(diagnostic) => {
            inner
                .lock()
                .handle_job_end(job.id, JobEnd::Failed(diagnostic), inner.clock.now());
            return;
        }
    };
    let mut batch = job.batch.clone();
    loop {
        let result = match inner.read_body(&batch).await {
            Ok(body) => {
                let recipients: Vec<&crate::envelope::Recipient> = batch
                    .recipients
                    .iter()
                    .filter_map(|&i| batch.envelope.recipients.get(i as usize))
                    .collect();
                let message = OutgoingMessage {
                    id: batch.id,
                    envelope: &batch.envelope,
                    recipients: &recipients,
                    body: &body,
                };
                connection.send(message).await
            }
            Err(outcomes) => Ok(outcomes),
        };
        let outcomes = match result {
            Ok(outcomes) => outcomes,
            Err(error) => {
                let diagnostic = with_remote(error.diagnostic, &host);
                inner
                    .lock()
                    .handle_job_end(job.id, JobEnd::Failed(diagnostic), inner.clock.now());
                return;
            }
        };
        let outcomes = outcomes
            .into_iter()
            .map(|outcome| match outcome {
                RcptOutcome::Delivered(d) => RcptOutcome::Delivered(with_remote(d, &host)),
                RcptOutcome::Deferred(d) => RcptOutcome::Deferred(with_remote(d, &host)),
                RcptOutcome::Failed(d) => RcptOutcome::Failed(with_remote(d, &host)),
            })
            .collect::<Vec<_>>();
        let dsn_owed = protocol == Protocol::Lmtp || !connection.supports_dsn();
        let pairs = batch.recipients.iter().copied().zip(outcomes).collect();
        let next = {
            let now = inner.clock.now();
            let mut scheduler = inner.lock();
            scheduler.handle_batch(job.id, pairs, dsn_owed, now);
            scheduler.next_batch(job.id, now)
        };
        inner.wake.notify_one();
        let next = match next {
            NextBatch::Idle => wait_for_work(inner, job).await,
            other => other,
        };
        match next {
            NextBatch::Batch(next) => {
                if let Err(error) = connection.reset().await {
                    let diagnostic = with_remote(error.diagnostic, &host);
                    inner.lock().handle_job_end(
                        job.id,
                        JobEnd::Failed(diagnostic),
                        inner.clock.now(),
                    );
                    return;
                }
                batch = next;
            }
            NextBatch::Idle | NextBatch::Close => break,
        }
    }
    connection.quit().await;
    inner
        .lock()
        .handle_job_end(job.id, JobEnd::Done, inner.clock.now());
}

/// Keeps an idle connection open for new mail to its site, up to the idle time:
/// returns the next batch, or `Close` when none came.
async fn wait_for_work<R, T>(inner: &Arc<Inner<R, T>>, job: &Job) -> NextBatch
where
    R: Resolver + 'static,
    T: Transport,
{
    if inner.connection_idle.is_zero() {
        return NextBatch::Close;
    }
    let deadline = tokio::time::Instant::now() + inner.connection_idle;
    loop {
        // Listen before asking, so a wake between the two is not lost.
        let notified = inner.work.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let next = inner.lock().next_batch(job.id, inner.clock.now());
        if !matches!(next, NextBatch::Idle) {
            return next;
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => return NextBatch::Close,
        }
    }
}

fn with_remote(diagnostic: Diagnostic, host: &str) -> Diagnostic {
    if diagnostic.remote_mta.is_some() {
        diagnostic
    } else {
        diagnostic.with_remote(host)
    }
}

/// One host to try.
struct Candidate {
    host: String,
    port: u16,
    tls: TlsRequirement,
    auth: Option<crate::route::Credentials>,
    protocol: Protocol,
}

/// Connects to the first host and address that answers well: MX hosts in preference
/// order, each host's addresses IPv6 first; the next is tried on a connection failure
/// or a refusing greeting (RFC 5321 §5.1).
async fn connect<R, T>(
    inner: &Arc<Inner<R, T>>,
    job: &Job,
) -> Result<(T::Connection, String, Protocol), Diagnostic>
where
    R: Resolver + 'static,
    T: Transport,
{
    let options = &job.options;
    let smtp_tls = match options.tls {
        TlsMode::Opportunistic => TlsRequirement::Opportunistic,
        TlsMode::Required => TlsRequirement::StartTlsRequired,
        TlsMode::Disabled => TlsRequirement::Disabled,
    };
    let candidates: Vec<Candidate> = match &job.target {
        Target::Mx { hosts, port } => hosts
            .iter()
            .map(|h| Candidate {
                host: h.name.clone(),
                port: *port,
                tls: smtp_tls,
                auth: None,
                protocol: Protocol::Smtp,
            })
            .collect(),
        Target::Relay(relay) => vec![Candidate {
            host: relay.host.clone(),
            port: relay.port,
            tls: match relay.tls {
                RelayTls::Implicit => TlsRequirement::Implicit,
                RelayTls::StartTlsRequired => TlsRequirement::StartTlsRequired,
                RelayTls::Opportunistic => TlsRequirement::Opportunistic,
                RelayTls::None => TlsRequirement::Disabled,
            },
            auth: relay.auth.clone(),
            protocol: Protocol::Smtp,
        }],
        Target::Lmtp(crate::route::LmtpTarget::Tcp { host, port }) => vec![Candidate {
            host: host.clone(),
            port: *port,
            tls: smtp_tls,
            auth: None,
            protocol: Protocol::Lmtp,
        }],
        Target::Lmtp(crate::route::LmtpTarget::Unix(path)) => {
            let request = ConnectRequest {
                endpoint: Endpoint::Unix(path.clone()),
                host: "localhost".to_owned(),
                source: None,
                ehlo: options
                    .ehlo
                    .clone()
                    .unwrap_or_else(|| inner.hostname.clone()),
                protocol: Protocol::Lmtp,
                tls: TlsRequirement::Disabled,
                verify_certificates: false,
                auth: None,
            };
            return match inner.transport.connect(&request).await {
                Ok(connection) => Ok((connection, request.endpoint.to_string(), Protocol::Lmtp)),
                Err(error) => Err(error.diagnostic),
            };
        }
        Target::Local { .. } => Vec::new(),
    };
    let mut last = Diagnostic::local(codes::UNABLE_TO_ROUTE, "no host to connect to");
    let turn = job.id.0 as usize;
    for candidate in candidates {
        let addresses =
            match mx::resolve_addresses(&inner.resolver, &candidate.host, options.family).await {
                Ok(addresses) => addresses,
                Err(diagnostic) => {
                    last = diagnostic;
                    continue;
                }
            };
        for ip in addresses.into_iter().filter(|ip| options.can_reach(*ip)) {
            let source = options.source_for(ip, turn);
            let request = ConnectRequest {
                endpoint: Endpoint::Tcp(std::net::SocketAddr::new(ip, candidate.port)),
                host: candidate.host.clone(),
                source: source.map(|s| s.ip),
                ehlo: source
                    .map(|s| s.ehlo.clone())
                    .or_else(|| options.ehlo.clone())
                    .unwrap_or_else(|| inner.hostname.clone()),
                protocol: candidate.protocol,
                tls: candidate.tls,
                verify_certificates: options.verify_certificates
                    || matches!(job.target, Target::Relay(_)),
                auth: candidate.auth.clone(),
            };
            match inner.transport.connect(&request).await {
                Ok(connection) => return Ok((connection, candidate.host, candidate.protocol)),
                Err(error) => {
                    last = with_remote(error.diagnostic, &format!("{} [{ip}]", candidate.host))
                }
            }
        }
    }
    Err(last)
}

impl<R, T> Inner<R, T>
where
    R: Resolver + 'static,
    T: Transport,
{
    /// The body of a batch's entry, or the outcomes to report when it cannot be had.
    async fn read_body(&self, batch: &Batch) -> Result<Arc<[u8]>, Vec<RcptOutcome>> {
        let spool = Arc::clone(&self.spool);
        let id = batch.id;
        let result = tokio::task::spawn_blocking(move || spool.read_body(id)).await;
        match result {
            Ok(Ok(body)) => Ok(body),
            Ok(Err(error)) => {
                let (status, text) = match &error {
                    crate::SpoolError::Corrupt { .. } => (
                        EnhancedStatusCode::MEDIA_OTHER,
                        "the queued message file is damaged",
                    ),
                    _ => (
                        EnhancedStatusCode::MAIL_SYSTEM_OTHER,
                        "the queued message could not be read",
                    ),
                };
                let diagnostic = Diagnostic::local(status, text);
                Err(batch
                    .recipients
                    .iter()
                    .map(|_| RcptOutcome::from_diagnostic(diagnostic.clone()))
                    .collect())
            }
            Err(_) => Err(batch
                .recipients
                .iter()
                .map(|_| {
                    RcptOutcome::Deferred(Diagnostic::local(
                        EnhancedStatusCode::MAIL_SYSTEM_OTHER,
                        "reading the message failed",
                    ))
                })
                .collect()),
        }
    }
}
