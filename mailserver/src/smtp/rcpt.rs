//! `RCPT TO`: one lookup for inbound and submission. The directory says whose address
//! it is; a local user's mailbox must then be able to take mail (it opens, it is not
//! full), so that the sender hears a temporary refusal now rather than a bounce later.

use std::sync::Arc;

use mailwright_smtp::tokio::MessageOutcome;
use mailwright_smtp::{EnhancedStatusCode, Reply, ReplyCode};
use mailwright_store::StoreError;

use super::reply;
use crate::metrics::Rejection;
use crate::state::App;
use crate::users::{DirectoryError, Resolution};

/// Where a recipient's mail goes.
#[derive(Debug)]
pub enum Recipient {
    /// Into these users' mailboxes.
    Local(Vec<String>),
    /// Out, by the queue (the caller decides whether it may relay).
    Remote,
}

/// The recipients a transaction has accepted.
#[derive(Debug, Default)]
pub struct Recipients {
    /// Local users the accepted recipients resolve to, each once.
    pub local: Vec<String>,
    /// Remote addresses, for the queue.
    pub remote: Vec<String>,
}

impl Recipients {
    /// Adds what `address` was found to be.
    pub fn add(&mut self, found: Recipient, address: String) {
        match found {
            Recipient::Local(users) => {
                for user in users {
                    if !self.local.contains(&user) {
                        self.local.push(user);
                    }
                }
            }
            Recipient::Remote => self.remote.push(address),
        }
    }
}

/// The answer to a complete message: its queue id, or the reply that refuses it.
pub fn outcome(result: Result<String, Reply<'static>>) -> MessageOutcome {
    match result {
        Ok(id) => MessageOutcome::Accepted(id),
        Err(reply) => MessageOutcome::Rejected(reply),
    }
}

/// What went wrong in the blocking part of the lookup.
enum Failure {
    Directory(DirectoryError),
    Mailbox(String, StoreError),
    Full,
}

/// Looks `to` up: the recipient, or the reply that refuses it (550 5.1.1 unknown user,
/// 452 4.2.2 mailbox full, 451 4.3.0 naming what is unavailable).
pub async fn lookup(app: &Arc<App>, to: &str) -> Result<Recipient, Reply<'static>> {
    let shared = Arc::clone(app);
    let address = to.to_owned();
    let looked_up = tokio::task::spawn_blocking(move || {
        let users = match shared.directory.resolve(&address) {
            Ok(Resolution::Local(users)) => users,
            Ok(Resolution::Remote) => return Ok(None),
            Ok(Resolution::UnknownUser) => return Ok(Some(Vec::new())),
            Err(error) => return Err(Failure::Directory(error)),
        };
        let mut all_full = true;
        for user in &users {
            match crate::delivery::mailbox_full(&shared, user) {
                Ok(full) => all_full &= full,
                Err(error) => return Err(Failure::Mailbox(user.clone(), error)),
            }
        }
        if all_full {
            Err(Failure::Full)
        } else {
            Ok(Some(users))
        }
    })
    .await;
    match looked_up {
        Ok(Ok(None)) => Ok(Recipient::Remote),
        Ok(Ok(Some(users))) if users.is_empty() => {
            app.metrics.rejected(Rejection::UnknownUser);
            Err(Reply::new(
                ReplyCode::MAILBOX_UNAVAILABLE,
                format!("<{to}>: no such user here"),
            )
            .with_enhanced(EnhancedStatusCode::BAD_DESTINATION_MAILBOX))
        }
        Ok(Ok(Some(users))) => Ok(Recipient::Local(users)),
        Ok(Err(Failure::Full)) => {
            app.metrics.rejected(Rejection::Size);
            Err(reply(
                ReplyCode::INSUFFICIENT_STORAGE,
                (4, 2, 2),
                &format!("<{to}>: mailbox full"),
            ))
        }
        Ok(Err(Failure::Directory(error))) => {
            tracing::error!(rcpt = %to, %error, "smtp: user database lookup failed");
            Err(reply(
                ReplyCode::LOCAL_ERROR,
                (4, 3, 0),
                "user database unavailable, try again later",
            ))
        }
        Ok(Err(Failure::Mailbox(user, error))) => {
            tracing::error!(rcpt = %to, %user, %error, "smtp: mailbox cannot be opened");
            Err(reply(
                ReplyCode::LOCAL_ERROR,
                (4, 3, 0),
                &format!("<{to}>: mailbox index unavailable, try again later"),
            ))
        }
        Err(error) => {
            tracing::error!(rcpt = %to, %error, "smtp: recipient lookup failed");
            Err(reply(
                ReplyCode::LOCAL_ERROR,
                (4, 3, 0),
                "internal error, try again later",
            ))
        }
    }
}
