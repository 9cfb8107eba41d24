//! Local delivery: a message into users' mailboxes, durably (mailstore fsyncs the file,
//! the directory and the index before `append` returns), so an SMTP server may answer
//! 250 right after. Also the queue ids of messages that never enter the queue.

use std::sync::atomic::{AtomicU32, Ordering};

use mailwright_queue::{Clock, QueueId, SystemClock};
use mailwright_store::store::{MailboxStore, MessageStore};
use mailwright_store::{AppendOptions, MailboxName, SpecialUses, StoreError};

use crate::state::App;

/// What a local delivery did.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Users whose mailbox has the message now.
    pub stored: Vec<String>,
    /// Users it could not be stored for, and why.
    pub failed: Vec<(String, StoreError)>,
}

impl Delivered {
    /// Whether every failure may go away later (so the sender should retry).
    pub fn all_failures_temporary(&self) -> bool {
        self.failed.iter().all(|(_, e)| e.is_temporary())
    }
}

/// A queue id for a message delivered without the queue: same format as mta-queue's
/// (time in milliseconds and a sequence number), so logs read alike.
pub fn new_queue_id() -> QueueId {
    static SEQUENCE: AtomicU32 = AtomicU32::new(0);
    QueueId::new(SystemClock.now(), SEQUENCE.fetch_add(1, Ordering::Relaxed))
}

/// Whether `user`'s mailbox is at or over its storage quota (checked at RCPT, so that
/// the sender hears `452 4.2.2` before sending the message). Blocks.
///
/// # Errors
/// The mailbox cannot be opened (its index, or the disk).
pub fn mailbox_full(app: &App, user: &str) -> Result<bool, StoreError> {
    let account = crate::provision::account(&app.store, user)?;
    let usage = mailwright_store::store::QuotaStore::quota(&account)?;
    Ok(usage.quota.max_bytes.is_some_and(|max| usage.bytes >= max))
}

/// Stores `message` in the mailbox `folder` (INBOX when `None`; created when missing)
/// of each user. Blocks: call from `spawn_blocking`.
pub fn store_local(app: &App, users: &[String], message: &[u8], folder: Option<&str>) -> Delivered {
    let mut delivered = Delivered::default();
    for user in users {
        match store_one(app, user, message, folder) {
            Ok(()) => delivered.stored.push(user.clone()),
            Err(error) => {
                tracing::warn!(%user, %error, "local delivery failed");
                delivered.failed.push((user.clone(), error));
            }
        }
    }
    app.metrics.delivered_local(delivered.stored.len() as u64);
    delivered
}

fn store_one(
    app: &App,
    user: &str,
    message: &[u8],
    folder: Option<&str>,
) -> Result<(), StoreError> {
    let account = crate::provision::account(&app.store, user)?;
    let mailbox = match folder {
        None => account.mailbox(&MailboxName::inbox())?,
        Some(name) => {
            let name = MailboxName::try_from(name)?;
            match account.mailbox(&name) {
                Err(e) if e.is_not_found() => {
                    match account.create_mailbox(&name, SpecialUses::new()) {
                        Err(StoreError::MailboxExists) => account.mailbox(&name)?,
                        other => other?,
                    }
                }
                other => other?,
            }
        }
    };
    account.append_bytes(mailbox.id, message, &AppendOptions::default())?;
    Ok(())
}
