//! SMTP from other servers (port 25): SPF at MAIL FROM, recipients checked at RCPT,
//! DKIM and DMARC at end of data, `Received` and `Authentication-Results` prepended,
//! DMARC `p=reject` honoured, local mailboxes written durably before the 250. No
//! relaying, except for clients in the configured trusted networks.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use mailwright_auth::dmarc::Disposition;
use mailwright_auth::spf::{SpfOutput, SpfResult};
use mailwright_smtp::server::AbortReason;
use mailwright_smtp::tokio::{Context, MessageOutcome, SessionHandler};
use mailwright_smtp::{
    EnhancedStatusCode, Envelope, ForwardPath, MailParameters, RcptParameters, Reply, ReplyCode,
    ReversePath,
};

use super::rcpt::{self, Recipient, Recipients};
use super::{helo, reply};
use crate::delivery;
use crate::headers::{self, Trace};
use crate::metrics::{Rejection, Service};
use crate::state::App;

/// One inbound connection: smtp-proto's session calls it for each decision. The
/// greeting name and TLS state are the session's (`Context`), reset by it on STARTTLS.
#[derive(Debug)]
pub struct Inbound {
    app: Arc<App>,
    peer: SocketAddr,
    relay_allowed: bool,
    transaction: Transaction,
}

#[derive(Debug, Default)]
struct Transaction {
    sender: Option<String>,
    spf: Option<SpfOutput>,
    /// Accepted recipients (remote ones from trusted clients only).
    recipients: Recipients,
    body: Vec<u8>,
}

impl Inbound {
    /// The handler for a connection from `peer` (admitted, within the limits, and
    /// counted by the listener).
    pub fn new(app: Arc<App>, peer: SocketAddr) -> Self {
        let relay_allowed = app
            .config
            .trusted_networks
            .iter()
            .any(|net| net.contains(&peer.ip()));
        Self {
            app,
            peer,
            relay_allowed,
            transaction: Transaction::default(),
        }
    }
}

impl SessionHandler for Inbound {
    // Port 25 offers no AUTH (submission is on its own ports): the default refuses.

    async fn mail_from(
        &mut self,
        ctx: &Context,
        from: &ReversePath<'static>,
        _params: &MailParameters<'static>,
    ) -> Result<(), Reply<'static>> {
        self.transaction = Transaction::default();
        let sender = from.mailbox().map(ToString::to_string).unwrap_or_default();
        let spf = self
            .app
            .checks
            .spf(self.peer.ip(), &helo(ctx), &sender)
            .await;
        if spf.result == SpfResult::Fail
            && self.app.config.inbound.spf_reject_fail
            && !self.relay_allowed
        {
            self.app.metrics.rejected(Rejection::Spf);
            tracing::info!(peer = %self.peer, %sender, "smtp: SPF fail, refused");
            let text = spf
                .explanation
                .unwrap_or_else(|| "SPF check failed".to_owned());
            return Err(reply(ReplyCode::MAILBOX_UNAVAILABLE, (5, 7, 23), &text));
        }
        self.transaction.sender = (!sender.is_empty()).then_some(sender);
        self.transaction.spf = Some(spf);
        Ok(())
    }

    async fn rcpt_to(
        &mut self,
        _ctx: &Context,
        to: &ForwardPath<'static>,
        _params: &RcptParameters<'static>,
        _envelope: &Envelope<'static>,
    ) -> Result<(), Reply<'static>> {
        // `<Postmaster>` without a domain is ours.
        let Some(to) = to.mailbox().map(ToString::to_string) else {
            return Ok(());
        };
        match rcpt::lookup(&self.app, &to).await {
            Ok(Recipient::Remote) if !self.relay_allowed => {
                self.app.metrics.rejected(Rejection::Relay);
                tracing::info!(peer = %self.peer, rcpt = %to, "smtp: relaying denied");
                Err(Reply::new(
                    ReplyCode::TRANSACTION_FAILED,
                    format!("<{to}>: relay access denied"),
                )
                .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED))
            }
            Ok(found) => {
                self.transaction.recipients.add(found, to);
                Ok(())
            }
            Err(reply) => Err(reply),
        }
    }

    async fn body_chunk(&mut self, _ctx: &Context, chunk: Bytes) {
        self.transaction.body.extend_from_slice(&chunk);
    }

    async fn message(
        &mut self,
        ctx: &Context,
        envelope: &Envelope<'static>,
        _size: u64,
    ) -> MessageOutcome {
        rcpt::outcome(self.accept(ctx, envelope).await)
    }

    async fn message_aborted(&mut self, _ctx: &Context, _reason: AbortReason) {
        self.transaction.body.clear();
    }
}

impl Inbound {
    /// The checks, headers and storage of a complete message: its queue id, or the
    /// reply that refuses it.
    async fn accept(
        &mut self,
        ctx: &Context,
        envelope: &Envelope<'static>,
    ) -> Result<String, Reply<'static>> {
        let transaction = std::mem::take(&mut self.transaction);
        let helo = helo(ctx);
        let id = delivery::new_queue_id().to_string();
        let spf = match transaction.spf {
            Some(spf) => spf,
            None => self.app.checks.spf(self.peer.ip(), &helo, "").await,
        };
        let verdict = self.app.checks.verify(&transaction.body, &spf).await;
        let sender = transaction.sender.as_deref().unwrap_or("");
        let log = |outcome: &str| {
            tracing::info!(
                queue_id = %id,
                peer = %self.peer,
                %helo,
                from = %sender,
                rcpts = envelope.recipients.len(),
                size = transaction.body.len(),
                spf = %spf.result,
                dkim = %verdict.dkim.first().map_or("none", |d| d.result.as_str()),
                dmarc = %verdict.dmarc.result.as_str(),
                outcome,
                "smtp transaction"
            );
        };
        if verdict.disposition == Disposition::Reject
            && self.app.config.inbound.dmarc_reject
            && !self.relay_allowed
        {
            self.app.metrics.rejected(Rejection::Dmarc);
            log("rejected: dmarc");
            let domain = verdict.dmarc.domain.clone().unwrap_or_default();
            return Err(Reply::new(
                ReplyCode::MAILBOX_UNAVAILABLE,
                format!("message rejected by the DMARC policy of {domain}"),
            )
            .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED));
        }
        let recipient = match envelope.recipients.as_slice() {
            [one] => one.path.mailbox().map(ToString::to_string),
            _ => None,
        };
        let trace = headers::received(&Trace {
            helo: &helo,
            ip: self.peer.ip(),
            by: &self.app.config.hostname,
            with: if ctx.connection.tls.is_some() {
                "ESMTPS"
            } else {
                "ESMTP"
            },
            id: &id,
            recipient: recipient.as_deref(),
        });
        let mut message =
            Vec::with_capacity(trace.len() + verdict.header.len() + transaction.body.len());
        message.extend_from_slice(trace.as_bytes());
        message.extend_from_slice(verdict.header.as_bytes());
        message.extend_from_slice(&transaction.body);
        let folder = (verdict.disposition == Disposition::Quarantine)
            .then(|| self.app.config.inbound.quarantine_mailbox.clone());
        if !transaction.recipients.remote.is_empty()
            && let Err(reply) = self
                .app
                .relay(envelope, &transaction.recipients.remote, &message)
                .await
        {
            log("deferred: queue");
            return Err(reply);
        }
        let delivered = if transaction.recipients.local.is_empty() {
            delivery::Delivered::default()
        } else {
            let app = Arc::clone(&self.app);
            let users = transaction.recipients.local.clone();
            tokio::task::spawn_blocking(move || {
                delivery::store_local(&app, &users, &message, folder.as_deref())
            })
            .await
            .unwrap_or_default()
        };
        if delivered.stored.is_empty()
            && !delivered.failed.is_empty()
            && transaction.recipients.remote.is_empty()
        {
            let quota = delivered.failed.iter().any(|(_, e)| e.is_quota());
            log("deferred: store");
            return Err(if quota && !delivered.all_failures_temporary() {
                self.app.metrics.rejected(Rejection::Size);
                reply(ReplyCode::INSUFFICIENT_STORAGE, (4, 2, 2), "mailbox full")
            } else {
                self.app.metrics.rejected(Rejection::Other);
                reply(
                    ReplyCode::LOCAL_ERROR,
                    (4, 3, 0),
                    "mailbox unavailable, try again later",
                )
            });
        }
        self.app.metrics.accepted(Service::Smtp);
        log("accepted");
        Ok(id)
    }
}
