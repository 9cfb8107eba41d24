//! What every service shares: configuration, user database, mailbox store, DNS
//! checks, DKIM keys, limits, the queue, metrics.

use std::sync::{Arc, OnceLock};

use mailwright_smtp::{Reply, ReplyCode};
use mailwright_store::AnyStore;

use crate::config::Config;
use crate::data::DataDir;
use crate::dkim_keys::KeyRing;
use crate::mail_auth::Checks;
use crate::metrics::{Metrics, Rejection};
use crate::queue::Outbound;
use crate::rate_limit::RateLimiter;
use crate::smtp::reply;
use crate::users::Directory;

/// The server's shared state, behind an `Arc`.
#[derive(Debug)]
pub struct App {
    /// The configuration.
    pub config: Config,
    /// The data folder.
    pub data: DataDir,
    /// Users, domains, aliases.
    pub directory: Directory,
    /// The mailboxes, in the backend the configuration names.
    pub store: AnyStore,
    /// SPF, DKIM, DMARC verification.
    pub checks: Checks,
    /// DKIM signing keys.
    pub keys: KeyRing,
    /// Submission limits.
    pub rate_limiter: RateLimiter,
    /// The outbound queue, set once it has started.
    pub queue: OnceLock<Arc<dyn Outbound>>,
    /// Counters.
    pub metrics: Metrics,
    /// The admin API's bearer token.
    pub admin_token: String,
}

impl App {
    /// Checks a user's password; the user's address when it matches. Blocks (argon2):
    /// call from `spawn_blocking`. A database failure counts as a mismatch (and is
    /// logged).
    pub fn authenticate(&self, user: &str, password: &[u8]) -> Option<String> {
        match self.directory.authenticate(user, password) {
            Ok(found) => found,
            Err(error) => {
                tracing::error!(%error, "user database failed during login");
                None
            }
        }
    }

    /// A user's submission limits: (messages, recipients) per hour.
    pub fn user_limits(&self, user: &str) -> (u32, u32) {
        let defaults = &self.config.submission;
        let own = self
            .directory
            .user(user)
            .ok()
            .flatten()
            .and_then(|u| u.messages_per_hour);
        (
            own.unwrap_or(defaults.messages_per_hour),
            defaults.recipients_per_hour,
        )
    }

    /// Hands a message for the `remote` recipients of `envelope` to the queue (with the
    /// envelope's parameters); durable when it returns `Ok`. The error is the SMTP reply
    /// to give.
    ///
    /// # Errors
    /// The reply for the client: 451 when the queue is not running or the spool failed,
    /// 452 when it is full, 554 for addresses it refuses.
    pub async fn relay(
        &self,
        envelope: &mailwright_smtp::Envelope<'_>,
        remote: &[String],
        message: &[u8],
    ) -> Result<(), Reply<'static>> {
        let Some(queue) = self.queue.get() else {
            self.metrics.rejected(Rejection::Other);
            return Err(reply(
                ReplyCode::LOCAL_ERROR,
                (4, 3, 0),
                "outbound queue not running, try again later",
            ));
        };
        let envelope = crate::queue::envelope(envelope, remote).map_err(|_| {
            reply(
                ReplyCode::TRANSACTION_FAILED,
                (5, 1, 3),
                "an address cannot be relayed",
            )
        })?;
        match queue.enqueue(envelope, message.to_vec()).await {
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::warn!(%error, "enqueue failed");
                self.metrics.rejected(Rejection::Other);
                Err(Reply::from(&error))
            }
        }
    }
}
