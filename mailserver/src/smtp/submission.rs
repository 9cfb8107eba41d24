//! Submission (587 with STARTTLS, 465 with implicit TLS): AUTH required and only over
//! TLS (the session refuses it before), the envelope sender and the From field must
//! belong to the user, per-user hourly limits, DKIM signatures (one per configured
//! algorithm) with the From domain's keys, local recipients stored directly, remote
//! ones handed to the queue.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use mailwright_smtp::server::{AbortReason, Credentials};
use mailwright_smtp::tokio::{AuthResult, Context, MessageOutcome, SessionHandler};
use mailwright_smtp::{
    EnhancedStatusCode, Envelope, ForwardPath, MailParameters, RcptParameters, Reply, ReplyCode,
    ReversePath,
};

use super::rcpt::{self, Recipients};
use super::{helo, reply};
use crate::delivery;
use crate::headers::{self, Trace};
use crate::metrics::{Rejection, Service};
use crate::rate_limit::Exceeded;
use crate::state::App;
use crate::users::address;

/// One submission connection: smtp-proto's session calls it for each decision. The
/// greeting name and TLS state are the session's (`Context`); the user is the address
/// the credentials belong to, which the session forgets on STARTTLS as it forgets the
/// authentication (AUTH needs TLS here, so that cannot happen after a login).
#[derive(Debug)]
pub struct Submission {
    app: Arc<App>,
    peer: SocketAddr,
    user: Option<String>,
    transaction: Transaction,
}

#[derive(Debug, Default)]
struct Transaction {
    sender: Option<String>,
    recipients: Recipients,
    body: Vec<u8>,
}

impl Submission {
    /// The handler for a connection from `peer` (admitted, within the limits, and
    /// counted by the listener).
    pub fn new(app: Arc<App>, peer: SocketAddr) -> Self {
        Self {
            app,
            peer,
            user: None,
            transaction: Transaction::default(),
        }
    }

    fn not_yours(&self, what: &str) -> Reply<'static> {
        self.app.metrics.rejected(Rejection::Sender);
        tracing::info!(peer = %self.peer, user = ?self.user, %what, "submission: sender not owned");
        Reply::new(
            ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
            format!("{what} does not belong to you"),
        )
        .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED)
    }

    async fn owns(&self, user: &str, addresses: Vec<String>) -> Result<bool, Reply<'static>> {
        let app = Arc::clone(&self.app);
        let user = user.to_owned();
        tokio::task::spawn_blocking(move || {
            addresses.iter().try_fold(true, |all, a| {
                Ok::<_, crate::users::DirectoryError>(all && app.directory.may_send_as(&user, a)?)
            })
        })
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| {
            reply(
                ReplyCode::LOCAL_ERROR,
                (4, 3, 0),
                "user database unavailable, try again later",
            )
        })
    }
}

impl SessionHandler for Submission {
    async fn auth(&mut self, _ctx: &Context, credentials: &Credentials) -> AuthResult {
        let username = credentials.username();
        if credentials
            .authzid()
            .is_some_and(|a| !a.eq_ignore_ascii_case(username))
        {
            return AuthResult::InvalidCredentials;
        }
        let app = Arc::clone(&self.app);
        let user = username.to_owned();
        let password = credentials.password().declassify().as_bytes().to_vec();
        let Ok(found) =
            tokio::task::spawn_blocking(move || app.authenticate(&user, &password)).await
        else {
            return AuthResult::Rejected(reply(
                ReplyCode::TEMPORARY_FAILURE,
                (4, 7, 0),
                "authentication unavailable",
            ));
        };
        match found {
            Some(address) => {
                self.app.metrics.login(Service::Submission);
                tracing::info!(user = %address, peer = %self.peer, "submission login");
                self.user = Some(address);
                AuthResult::Accepted
            }
            None => {
                self.app.metrics.auth_failure(Service::Submission);
                tracing::info!(peer = %self.peer, "submission login failed");
                AuthResult::InvalidCredentials
            }
        }
    }

    async fn mail_from(
        &mut self,
        ctx: &Context,
        from: &ReversePath<'static>,
        _params: &MailParameters<'static>,
    ) -> Result<(), Reply<'static>> {
        self.transaction = Transaction::default();
        let user = ctx.authenticated.as_ref().and_then(|_| self.user.clone());
        let Some(user) = user else {
            return Err(
                Reply::new(ReplyCode::AUTH_REQUIRED, "authentication required")
                    .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED),
            );
        };
        let Some(sender) = from.mailbox().map(ToString::to_string) else {
            return Err(self.not_yours("the null sender"));
        };
        match self.owns(&user, vec![sender.clone()]).await {
            Ok(true) => {}
            Ok(false) => return Err(self.not_yours(&format!("<{sender}>"))),
            Err(reply) => return Err(reply),
        }
        self.transaction.sender = Some(sender);
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

impl Submission {
    /// The checks, signatures and storage of a complete message: its queue id, or
    /// the reply that refuses it.
    async fn accept(
        &mut self,
        ctx: &Context,
        envelope: &Envelope<'static>,
    ) -> Result<String, Reply<'static>> {
        let transaction = std::mem::take(&mut self.transaction);
        let user = self.user.clone().unwrap_or_default();
        let id = delivery::new_queue_id().to_string();
        let sender = transaction.sender.clone().unwrap_or_default();
        let log = |outcome: &str| {
            tracing::info!(
                queue_id = %id,
                peer = %self.peer,
                %user,
                from = %sender,
                rcpts = envelope.recipients.len(),
                size = transaction.body.len(),
                outcome,
                "submission transaction"
            );
        };
        let from = headers::from_addresses(&transaction.body);
        if from.is_empty() {
            log("rejected: no From");
            self.app.metrics.rejected(Rejection::Sender);
            return Err(reply(
                ReplyCode::MAILBOX_UNAVAILABLE,
                (5, 6, 0),
                "the message has no From field",
            ));
        }
        match self.owns(&user, from.clone()).await {
            Ok(true) => {}
            Ok(false) => {
                log("rejected: From not owned");
                return Err(self.not_yours(&format!("From {}", from.join(", "))));
            }
            Err(reply) => return Err(reply),
        }
        let limits = &self.app.config.submission;
        let (max_messages, _) = self.app.user_limits(&user);
        let recipients = u32::try_from(envelope.recipients.len()).unwrap_or(u32::MAX);
        #[allow(clippy::disallowed_methods)] // the hourly window reads the clock
        let now = std::time::Instant::now();
        if let Err(which) = self.app.rate_limiter.check(
            &user,
            recipients,
            max_messages,
            limits.recipients_per_hour,
            now,
        ) {
            self.app.metrics.rejected(Rejection::RateLimit);
            log("deferred: rate limit");
            let what = match which {
                Exceeded::Messages => "messages",
                Exceeded::Recipients => "recipients",
            };
            return Err(reply(
                ReplyCode::MAILBOX_BUSY,
                (4, 7, 1),
                &format!("too many {what} this hour, try again later"),
            ));
        }
        let mut message = Vec::with_capacity(transaction.body.len() + 2048);
        let trace = headers::received(&Trace {
            helo: &helo(ctx),
            ip: self.peer.ip(),
            by: &self.app.config.hostname,
            with: "ESMTPSA",
            id: &id,
            recipient: None,
        });
        let mut added = String::new();
        if !headers::has_field(&transaction.body, "Date") {
            added.push_str(&format!(
                "Date: {}\r\n",
                headers::rfc5322_date(headers::unix_now())
            ));
        }
        if !headers::has_field(&transaction.body, "Message-ID") {
            added.push_str(&format!(
                "Message-ID: <{id}@{}>\r\n",
                self.app.config.hostname
            ));
        }
        let unsigned = [added.as_bytes(), &transaction.body].concat();
        let domain = address::domain(&from[0]).to_owned();
        let now_secs = u64::try_from(headers::unix_now()).unwrap_or(0);
        let signatures = match self.app.keys.sign(&domain, &unsigned, now_secs) {
            Ok(fields) => fields,
            Err(error) => {
                tracing::warn!(%domain, %error, "no DKIM signature");
                String::new()
            }
        };
        message.extend_from_slice(trace.as_bytes());
        message.extend_from_slice(signatures.as_bytes());
        message.extend_from_slice(&unsigned);
        if !transaction.recipients.remote.is_empty()
            && let Err(reply) = self
                .app
                .relay(envelope, &transaction.recipients.remote, &message)
                .await
        {
            log("deferred: queue");
            return Err(reply);
        }
        if !transaction.recipients.local.is_empty() {
            let app = Arc::clone(&self.app);
            let users = transaction.recipients.local.clone();
            let delivered = tokio::task::spawn_blocking(move || {
                delivery::store_local(&app, &users, &message, None)
            })
            .await
            .unwrap_or_default();
            if delivered.stored.is_empty() && transaction.recipients.remote.is_empty() {
                log("deferred: store");
                return Err(reply(
                    ReplyCode::LOCAL_ERROR,
                    (4, 3, 0),
                    "mailbox unavailable, try again later",
                ));
            }
        }
        self.app.metrics.accepted(Service::Submission);
        log("accepted");
        Ok(id)
    }
}
