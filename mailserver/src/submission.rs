//! Submission (587 with STARTTLS, 465 with implicit TLS): AUTH required and only over
//! TLS (the session refuses it before), the envelope sender and the From field must
//! belong to the user, per-user hourly limits, DKIM signatures (one per configured
//! algorithm) with the From domain's keys, local recipients stored directly, remote
//! ones handed to the queue.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use smtp_proto::{EnhancedStatusCode, Envelope, Reply, ReplyCode};

use crate::delivery;
use crate::headers::{self, Trace};
use crate::metrics::{Rejection, Service};
use crate::rate_limit::Exceeded;
use crate::smtp::decisions::SmtpHandler;
use crate::smtp::rcpt::{self, Recipient};
use crate::smtp::reply;
use crate::state::App;
use crate::users::address;

/// One submission connection's decisions.
#[derive(Debug)]
pub struct Submission {
    app: Arc<App>,
    peer: SocketAddr,
    helo: String,
    user: Option<String>,
    transaction: Transaction,
}

#[derive(Debug, Default)]
struct Transaction {
    sender: Option<String>,
    local: Vec<String>,
    remote: Vec<String>,
    body: Vec<u8>,
}

impl Submission {
    /// The handler for a connection from `peer`.
    pub fn new(app: Arc<App>, peer: SocketAddr) -> Self {
        Self {
            app,
            peer,
            helo: String::new(),
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

impl SmtpHandler for Submission {
    async fn hello(&mut self, host: &str) -> Option<Reply<'static>> {
        self.helo = host.to_owned();
        None
    }

    async fn auth(
        &mut self,
        username: &str,
        authzid: Option<&str>,
        password: &str,
    ) -> Result<(), Option<Reply<'static>>> {
        if authzid.is_some_and(|a| !a.eq_ignore_ascii_case(username)) {
            return Err(None);
        }
        let app = Arc::clone(&self.app);
        let (user, password) = (username.to_owned(), password.as_bytes().to_vec());
        let found = tokio::task::spawn_blocking(move || app.authenticate(&user, &password))
            .await
            .map_err(|_| {
                Some(reply(
                    ReplyCode::TEMPORARY_FAILURE,
                    (4, 7, 0),
                    "authentication unavailable",
                ))
            })?;
        match found {
            Some(address) => {
                self.app.metrics.login(Service::Submission);
                tracing::info!(user = %address, peer = %self.peer, "submission login");
                self.user = Some(address);
                Ok(())
            }
            None => {
                self.app.metrics.auth_failure(Service::Submission);
                tracing::info!(peer = %self.peer, "submission login failed");
                Err(None)
            }
        }
    }

    async fn mail_from(
        &mut self,
        from: Option<String>,
        authenticated: Option<String>,
    ) -> Option<Reply<'static>> {
        self.transaction = Transaction::default();
        let Some(user) = authenticated.or_else(|| self.user.clone()) else {
            return Some(
                Reply::new(ReplyCode::AUTH_REQUIRED, "authentication required")
                    .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED),
            );
        };
        let Some(sender) = from else {
            return Some(self.not_yours("the null sender"));
        };
        match self.owns(&user, vec![sender.clone()]).await {
            Ok(true) => {}
            Ok(false) => return Some(self.not_yours(&format!("<{sender}>"))),
            Err(reply) => return Some(reply),
        }
        self.transaction.sender = Some(sender);
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
            Ok(Recipient::Remote) => {
                self.transaction.remote.push(to);
                None
            }
            Err(reply) => Some(reply),
        }
    }

    fn body_chunk(&mut self, chunk: Bytes) {
        self.transaction.body.extend_from_slice(&chunk);
    }

    async fn message(&mut self, envelope: &Envelope<'static>) -> Result<String, Reply<'static>> {
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
            helo: &self.helo,
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
        if !transaction.remote.is_empty()
            && let Err(reply) = self
                .app
                .relay(Some(&sender), &transaction.remote, &message)
                .await
        {
            log("deferred: queue");
            return Err(reply);
        }
        if !transaction.local.is_empty() {
            let app = Arc::clone(&self.app);
            let users = transaction.local.clone();
            let delivered = tokio::task::spawn_blocking(move || {
                delivery::store_local(&app, &users, &message, None)
            })
            .await
            .unwrap_or_default();
            if delivered.stored.is_empty() && transaction.remote.is_empty() {
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

    fn aborted(&mut self) {
        self.transaction.body.clear();
    }

    fn tls_started(&mut self) {
        self.helo.clear();
        self.user = None;
    }
}
