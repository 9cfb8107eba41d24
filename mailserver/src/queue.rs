//! The outbound queue: mta-queue with our configuration, routing (our own domains go
//! to the local mailbox handler, so bounces reach the sender's INBOX; the configured
//! rules; the rest by MX), the events fed into metrics and logs, and an object-safe
//! face ([`Outbound`]) so the rest of the server and the admin API need not know the
//! queue's type parameters.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use mailwright_auth::dns::Resolver;
use mailwright_queue::route::{DeliveryOptions, Relay, RelayTls, Route, RouteAction, Router, Rule};
use mailwright_queue::scheduler::RcptOutcome;
use mailwright_queue::transport::{LocalDelivery, LocalMessage, Transport};
use mailwright_queue::{
    Diagnostic, EnqueueError, Envelope, EventKind, FileSpool, OperationError, Queue, QueueBuilder,
    QueueConfig, QueueEntry, QueueId, RetryPolicy, SchedulerConfig,
};
use mailwright_smtp::{EnhancedStatusCode, Mailbox, ReplyClass};

use crate::config::{Config, RouteTarget};
use crate::delivery;
use crate::metrics::Metrics;
use crate::state::App;
use crate::users::{Directory, Resolution};

/// A boxed future, for the object-safe [`Outbound`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The name of the local-delivery handler our domains are routed to.
const LOCAL_HANDLER: &str = "mailbox";

/// What the server asks of the queue, whatever its resolver and transport.
pub trait Outbound: Send + Sync + std::fmt::Debug {
    /// Stores a message durably for `recipients` and returns its id.
    fn enqueue(
        &self,
        envelope: Envelope,
        body: Vec<u8>,
    ) -> BoxFuture<'_, Result<QueueId, EnqueueError>>;
    /// The entries, oldest first.
    fn list(&self) -> Vec<QueueEntry>;
    /// One entry.
    fn inspect(&self, id: QueueId) -> Option<QueueEntry>;
    /// The message of an entry.
    fn message(&self, id: QueueId) -> BoxFuture<'_, Result<Arc<[u8]>, OperationError>>;
    /// Tries an entry again now.
    ///
    /// # Errors
    /// [`OperationError`] for an unknown entry.
    fn retry(&self, id: QueueId) -> Result<(), OperationError>;
    /// Tries every entry again now.
    fn retry_all(&self);
    /// Holds an entry (no attempts until released).
    ///
    /// # Errors
    /// [`OperationError`].
    fn hold(&self, id: QueueId) -> Result<(), OperationError>;
    /// Releases a held entry.
    ///
    /// # Errors
    /// [`OperationError`].
    fn release(&self, id: QueueId) -> Result<(), OperationError>;
    /// Deletes an entry without a bounce.
    ///
    /// # Errors
    /// [`OperationError`].
    fn delete(&self, id: QueueId) -> Result<(), OperationError>;
    /// Fails an entry's pending recipients now, with a bounce to the sender.
    ///
    /// # Errors
    /// [`OperationError`].
    fn bounce(&self, id: QueueId) -> Result<(), OperationError>;
    /// Stops the queue (entries stay in the spool).
    fn shutdown(&self) -> BoxFuture<'_, ()>;
}

impl<R: Resolver + 'static, T: Transport> Outbound for Queue<R, T> {
    fn enqueue(
        &self,
        envelope: Envelope,
        body: Vec<u8>,
    ) -> BoxFuture<'_, Result<QueueId, EnqueueError>> {
        Box::pin(Self::enqueue(self, envelope, body))
    }
    fn list(&self) -> Vec<QueueEntry> {
        Self::list(self, &mailwright_queue::EntryFilter::all())
    }
    fn inspect(&self, id: QueueId) -> Option<QueueEntry> {
        Self::inspect(self, id)
    }
    fn message(&self, id: QueueId) -> BoxFuture<'_, Result<Arc<[u8]>, OperationError>> {
        Box::pin(Self::message(self, id))
    }
    fn retry(&self, id: QueueId) -> Result<(), OperationError> {
        self.retry_now(id)
    }
    fn retry_all(&self) {
        Self::retry_all(self);
    }
    fn hold(&self, id: QueueId) -> Result<(), OperationError> {
        Self::hold(self, id)
    }
    fn release(&self, id: QueueId) -> Result<(), OperationError> {
        Self::release(self, id)
    }
    fn delete(&self, id: QueueId) -> Result<(), OperationError> {
        Self::delete(self, id)
    }
    fn bounce(&self, id: QueueId) -> Result<(), OperationError> {
        self.bounce_now(id)
    }
    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(Self::shutdown(self))
    }
}

/// The queue envelope of a received message for its `remote` recipients: mta-queue's
/// conversion (DSN parameters, `BODY=`, `SMTPUTF8` kept) of the envelope without the
/// recipients delivered here.
///
/// # Errors
/// A recipient mta-queue cannot route (a bare `<Postmaster>`, which is never remote).
pub fn envelope(
    received: &mailwright_smtp::Envelope<'_>,
    remote: &[String],
) -> Result<Envelope, mailwright_queue::FromSmtpError> {
    let mut received = received.clone();
    received.recipients.retain(|rcpt| {
        rcpt.path
            .mailbox()
            .is_some_and(|mailbox| remote.contains(&mailbox.to_string()))
    });
    Envelope::from_smtp(&received)
}

/// The routing rules: our domains to the mailbox handler (checked live against the
/// user database), the configured rules, the rest by MX on the configured port.
fn router(config: &Config, directory: Directory) -> Router {
    let mut router = Router::new();
    router.set_default(DeliveryOptions::default(), config.queue.mx_port);
    for rule in &config.queue.routes {
        let action = match &rule.target {
            RouteTarget::Mx { port } => RouteAction::Mx { port: *port },
            RouteTarget::Relay {
                host,
                port,
                tls_required,
            } => RouteAction::Relay(Relay::new(host.clone(), *port).with_tls(if *tls_required {
                RelayTls::StartTlsRequired
            } else {
                RelayTls::Opportunistic
            })),
        };
        router.push(
            Rule::new(rule.name.clone())
                .domain(rule.domain.clone())
                .action(action),
        );
    }
    router.set_hook(Arc::new(
        move |envelope: &Envelope, rcpt: &Mailbox<'static>| match directory
            .is_local_domain(rcpt.host().as_str())
        {
            Ok(true) => Some(Route::new(
                RouteAction::Local {
                    handler: LOCAL_HANDLER.to_owned(),
                },
                envelope.queue.clone(),
            )),
            _ => None,
        },
    ));
    router
}

/// Stores queued messages for our own users (bounces, mail between our domains that
/// went through the queue).
fn local_handler(app: std::sync::Weak<App>) -> Arc<dyn LocalDelivery> {
    Arc::new(move |message: LocalMessage| {
        let app = app.clone();
        async move {
            let Some(app) = app.upgrade() else {
                let d = Diagnostic::local(
                    EnhancedStatusCode::MAIL_SYSTEM_OTHER,
                    "server shutting down",
                );
                return message
                    .recipients
                    .iter()
                    .map(|_| RcptOutcome::Deferred(d.clone()))
                    .collect();
            };
            tokio::task::spawn_blocking(move || {
                message
                    .recipients
                    .iter()
                    .map(|r| match app.directory.resolve(&r.address.to_string()) {
                        Ok(Resolution::Local(users)) => {
                            let done = delivery::store_local(&app, &users, &message.body, None);
                            if done.failed.is_empty() {
                                RcptOutcome::Delivered(Diagnostic::local(
                                    EnhancedStatusCode::OK,
                                    "stored",
                                ))
                            } else if done.all_failures_temporary() {
                                RcptOutcome::Deferred(Diagnostic::local(
                                    EnhancedStatusCode::MAIL_SYSTEM_OTHER,
                                    "mailbox unavailable",
                                ))
                            } else {
                                RcptOutcome::Failed(Diagnostic::local(
                                    EnhancedStatusCode::OK
                                        .with_class(ReplyClass::PermanentNegative),
                                    "mailbox full",
                                ))
                            }
                        }
                        Ok(_) => RcptOutcome::Failed(Diagnostic::local(
                            EnhancedStatusCode::BAD_DESTINATION_MAILBOX,
                            "no such user here",
                        )),
                        Err(_) => RcptOutcome::Deferred(Diagnostic::local(
                            EnhancedStatusCode::MAIL_SYSTEM_OTHER,
                            "user database unavailable",
                        )),
                    })
                    .collect()
            })
            .await
            .unwrap_or_default()
        }
    })
}

/// Feeds queue events into the metrics and the log.
fn on_event(
    metrics: std::sync::Weak<App>,
) -> impl Fn(&mailwright_queue::Event) + Send + Sync + 'static {
    move |event| {
        let Some(app) = metrics.upgrade() else { return };
        let metrics: &Metrics = &app.metrics;
        match &event.kind {
            EventKind::Queued {
                id,
                sender,
                recipients,
                size,
                ..
            } => {
                tracing::info!(queue_id = %id, from = %sender, rcpts = recipients, size, "queued");
            }
            EventKind::Delivered {
                id,
                recipient,
                diagnostic,
            } => {
                // Local-handler deliveries (bounces to our users) count as local when stored.
                if diagnostic.remote_mta.is_some() {
                    metrics.delivered_remote();
                }
                tracing::info!(queue_id = %id, %recipient, reply = %diagnostic.text, "delivered");
            }
            EventKind::Deferred {
                id,
                recipient,
                diagnostic,
                ..
            } => {
                metrics.deferred(&format!("{id} to {recipient}: {}", diagnostic.text));
                tracing::info!(queue_id = %id, %recipient, reply = %diagnostic.text, "deferred");
            }
            EventKind::Failed {
                id,
                recipient,
                diagnostic,
                ..
            } => {
                metrics.bounced(&format!("{id} to {recipient}: {}", diagnostic.text));
                tracing::info!(queue_id = %id, %recipient, reply = %diagnostic.text, "failed");
            }
            other => tracing::debug!(event = ?other, "queue"),
        }
    }
}

/// Starts the queue over the data folder's spool with `transport`.
///
/// # Errors
/// A message when the spool cannot be opened or read.
pub async fn start<R: Resolver + 'static, T: Transport>(
    app: &Arc<App>,
    resolver: R,
    transport: T,
) -> Result<Queue<R, T>, String> {
    let config = &app.config;
    let spool = FileSpool::open(app.data.queue())
        .map_err(|e| format!("queue spool {}: {e}", app.data.queue().display()))?;
    let retry = RetryPolicy::default()
        .schedule(config.queue.retry.clone())
        .max_lifetime(config.queue.max_lifetime)
        .delay_warning(config.queue.delay_warning);
    let scheduler = SchedulerConfig::default()
        .queue(QueueConfig::new(Envelope::DEFAULT_QUEUE).retry(retry.clone()))
        .queue(QueueConfig::new("bounces").retry(retry))
        .site_limits(
            mailwright_queue::Limits::default().connections(config.queue.max_connections_per_site),
        );
    let queue = QueueBuilder::new(Arc::new(spool), resolver, transport)
        .config(scheduler)
        .router(router(config, app.directory.clone()))
        .hostname(config.hostname.clone())
        .max_message_size(
            usize::try_from(config.limits.max_message_size)
                .unwrap_or(usize::MAX)
                .saturating_add(64 << 10),
        )
        .local_handler(LOCAL_HANDLER, local_handler(Arc::downgrade(app)))
        .on_event(on_event(Arc::downgrade(app)))
        .start()
        .await
        .map_err(|e| format!("queue spool: {e}"))?;
    let report = queue.recovery();
    if report.entries > 0 || !report.corrupt.is_empty() {
        tracing::info!(
            entries = report.entries,
            corrupt = report.corrupt.len(),
            "queue recovered"
        );
    }
    Ok(queue)
}
