//! SMTP from other servers (port 25): SPF at MAIL FROM, recipients checked at RCPT,
//! DKIM and DMARC at end of data, `Received` and `Authentication-Results` prepended,
//! DMARC `p=reject` honoured, local mailboxes written durably before the 250. No
//! relaying, except for clients in the configured trusted networks.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use mailauth::dmarc::Disposition;
use mailauth::spf::{SpfOutput, SpfResult};
use smtp_proto::{EnhancedStatusCode, Envelope, Reply, ReplyCode};

use crate::delivery;
use crate::headers::{self, Trace};
use crate::metrics::{Rejection, Service};
use crate::smtp::decisions::SmtpHandler;
use crate::smtp::rcpt::{self, Recipient};
use crate::smtp::reply;
use crate::state::App;

/// One inbound connection's decisions.
#[derive(Debug)]
pub struct Inbound {
    app: Arc<App>,
    peer: SocketAddr,
    tls: bool,
    helo: String,
    relay_allowed: bool,
    transaction: Transaction,
}

#[derive(Debug, Default)]
struct Transaction {
    sender: Option<String>,
    spf: Option<SpfOutput>,
    /// Local users the accepted recipients resolve to (no duplicates).
    local: Vec<String>,
    /// Accepted remote recipients (trusted clients only).
    remote: Vec<String>,
    body: Vec<u8>,
}

impl Inbound {
    /// The handler for a connection from `peer`.
    pub fn new(app: Arc<App>, peer: SocketAddr, tls: bool) -> Self {
        let relay_allowed = app
            .config
            .trusted_networks
            .iter()
            .any(|net| net.contains(&peer.ip()));
        Self {
            app,
            peer,
            tls,
            helo: String::new(),
            relay_allowed,
            transaction: Transaction::default(),
        }
    }
}

impl SmtpHandler for Inbound {
    async fn hello(&mut self, host: &str) -> Option<Reply<'static>> {
        self.helo = host.to_owned();
        None
    }

    async fn auth(
        &mut self,
        _username: &str,
        _authzid: Option<&str>,
        _password: &str,
    ) -> Result<(), Option<Reply<'static>>> {
        // Port 25 offers no AUTH; submission is on its own ports.
        Err(None)
    }

    async fn mail_from(
        &mut self,
        from: Option<String>,
        _authenticated: Option<String>,
    ) -> Option<Reply<'static>> {
        self.transaction = Transaction::default();
        let sender = from.unwrap_or_default();
        let spf = self
            .app
            .checks
            .spf(self.peer.ip(), &self.helo, &sender)
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
            return Some(reply(ReplyCode::MAILBOX_UNAVAILABLE, (5, 7, 23), &text));
        }
        self.transaction.sender = (!sender.is_empty()).then_some(sender);
        self.transaction.spf = Some(spf);
        None
    }

    async fn rcpt(&mut self, to: String) -> Option<Reply<'static>> {
        match rcpt::lookup(&self.app, &to).await {
            Ok(Recipient::Local(users)) => {
                for user in users {
                    if !self.transaction.local.contains(&user) {
                        self.transaction.local.push(user);
                    }
                }
                None
            }
            Ok(Recipient::Remote) if self.relay_allowed => {
                self.transaction.remote.push(to);
                None
            }
            Ok(Recipient::Remote) => {
                self.app.metrics.rejected(Rejection::Relay);
                tracing::info!(peer = %self.peer, rcpt = %to, "smtp: relaying denied");
                Some(
                    Reply::new(
                        ReplyCode::TRANSACTION_FAILED,
                        format!("<{to}>: relay access denied"),
                    )
                    .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED),
                )
            }
            Err(reply) => Some(reply),
        }
    }

    fn body_chunk(&mut self, chunk: Bytes) {
        self.transaction.body.extend_from_slice(&chunk);
    }

    async fn message(&mut self, envelope: &Envelope<'static>) -> Result<String, Reply<'static>> {
        let transaction = std::mem::take(&mut self.transaction);
        let id = delivery::new_queue_id().to_string();
        let spf = match transaction.spf {
            Some(spf) => spf,
            None => self.app.checks.spf(self.peer.ip(), &self.helo, "").await,
        };
        let verdict = self.app.checks.verify(&transaction.body, &spf).await;
        let sender = transaction.sender.as_deref().unwrap_or("");
        let log = |outcome: &str| {
            tracing::info!(
                queue_id = %id,
                peer = %self.peer,
                helo = %self.helo,
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
            helo: &self.helo,
            ip: self.peer.ip(),
            by: &self.app.config.hostname,
            with: if self.tls { "ESMTPS" } else { "ESMTP" },
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
        if !transaction.remote.is_empty()
            && let Err(reply) = self
                .app
                .relay(transaction.sender.as_deref(), &transaction.remote, &message)
                .await
        {
            log("deferred: queue");
            return Err(reply);
        }
        let delivered = if transaction.local.is_empty() {
            delivery::Delivered::default()
        } else {
            let app = Arc::clone(&self.app);
            let users = transaction.local.clone();
            tokio::task::spawn_blocking(move || {
                delivery::store_local(&app, &users, &message, folder.as_deref())
            })
            .await
            .unwrap_or_default()
        };
        if delivered.stored.is_empty()
            && !delivered.failed.is_empty()
            && transaction.remote.is_empty()
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

    fn aborted(&mut self) {
        self.transaction.body.clear();
    }

    fn tls_started(&mut self) {
        self.tls = true;
        self.helo.clear();
    }
}
