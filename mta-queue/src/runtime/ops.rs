//! Operations: list and inspect entries, retry now, hold and release, delete, bounce
//! now.

use mailwright_auth::dns::Resolver;

use super::Queue;
use crate::entry::QueueEntry;
use crate::error::OperationError;
use crate::id::QueueId;
use crate::status::DeliveryStatus;
use crate::transport::Transport;

/// Which entries [`Queue::list`] returns; every condition set must hold.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryFilter {
    /// Some recipient's domain is this (lower case).
    pub domain: Option<String>,
    /// Some recipient has this status.
    pub status: Option<DeliveryStatus>,
    /// Held (true) or not held (false).
    pub held: Option<bool>,
    /// Submitted to this named queue.
    pub queue: Option<String>,
    /// The reverse-path contains this text (case-insensitive).
    pub sender_contains: Option<String>,
}

impl EntryFilter {
    /// Everything.
    pub fn all() -> Self {
        Self::default()
    }

    /// Entries with a recipient at `domain`.
    pub fn domain(mut self, domain: &str) -> Self {
        self.domain = Some(domain.to_ascii_lowercase());
        self
    }

    /// Entries with a recipient in `status`.
    pub fn status(mut self, status: DeliveryStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Held or not.
    pub fn held(mut self, held: bool) -> Self {
        self.held = Some(held);
        self
    }

    /// Whether `entry` passes.
    pub fn matches(&self, entry: &QueueEntry) -> bool {
        let rcpts = entry.envelope.recipients.iter().zip(&entry.recipients);
        self.domain
            .as_ref()
            .is_none_or(|d| entry.envelope.recipients.iter().any(|r| r.domain() == *d))
            && self
                .status
                .is_none_or(|s| rcpts.clone().any(|(_, st)| st.status == s))
            && self.held.is_none_or(|h| entry.held == h)
            && self
                .queue
                .as_ref()
                .is_none_or(|q| entry.envelope.queue == *q)
            && self.sender_contains.as_ref().is_none_or(|text| {
                entry.envelope.sender.mailbox().is_some_and(|s| {
                    s.to_string()
                        .to_ascii_lowercase()
                        .contains(&text.to_ascii_lowercase())
                })
            })
    }
}

impl<R, T> Queue<R, T>
where
    R: Resolver + 'static,
    T: Transport,
{
    /// The entries that pass `filter`, oldest first.
    pub fn list(&self, filter: &EntryFilter) -> Vec<QueueEntry> {
        let scheduler = self.inner.lock();
        let mut entries: Vec<QueueEntry> = scheduler
            .entries()
            .filter(|entry| filter.matches(entry))
            .cloned()
            .collect();
        entries.sort_by_key(|entry| entry.id);
        entries
    }

    /// One entry.
    pub fn inspect(&self, id: QueueId) -> Option<QueueEntry> {
        self.inner.lock().entry(id).cloned()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.inner.lock().is_empty()
    }

    /// The message of an entry.
    ///
    /// # Errors
    ///
    /// As [`Spool::read_body`](crate::Spool::read_body).
    pub async fn message(&self, id: QueueId) -> Result<std::sync::Arc<[u8]>, OperationError> {
        let spool = std::sync::Arc::clone(&self.inner.spool);
        tokio::task::spawn_blocking(move || spool.read_body(id))
            .await
            .map_err(|_| OperationError::ShuttingDown)?
            .map_err(OperationError::from)
    }

    fn operate(
        &self,
        id: QueueId,
        op: impl FnOnce(&mut crate::Scheduler, QueueId, crate::Timestamp) -> bool,
    ) -> Result<(), OperationError> {
        let now = self.inner.clock.now();
        let found = op(&mut self.inner.lock(), id, now);
        self.inner.wake.notify_one();
        if found {
            Ok(())
        } else {
            Err(OperationError::NotFound(id))
        }
    }

    /// Makes every waiting recipient due now (and releases a hold).
    ///
    /// # Errors
    ///
    /// [`OperationError::NotFound`].
    pub fn retry_now(&self, id: QueueId) -> Result<(), OperationError> {
        self.operate(id, crate::Scheduler::retry_now)
    }

    /// Retries every entry now.
    pub fn retry_all(&self) {
        let ids: Vec<QueueId> = self.inner.lock().entries().map(|e| e.id).collect();
        for id in ids {
            let _ = self.retry_now(id);
        }
    }

    /// Holds an entry.
    ///
    /// # Errors
    ///
    /// [`OperationError::NotFound`].
    pub fn hold(&self, id: QueueId) -> Result<(), OperationError> {
        self.operate(id, crate::Scheduler::hold)
    }

    /// Releases a held entry.
    ///
    /// # Errors
    ///
    /// [`OperationError::NotFound`].
    pub fn release(&self, id: QueueId) -> Result<(), OperationError> {
        self.operate(id, crate::Scheduler::release)
    }

    /// Deletes an entry without a DSN.
    ///
    /// # Errors
    ///
    /// [`OperationError::NotFound`].
    pub fn delete(&self, id: QueueId) -> Result<(), OperationError> {
        self.operate(id, crate::Scheduler::delete)
    }

    /// Fails every recipient not yet final and sends the DSN.
    ///
    /// # Errors
    ///
    /// [`OperationError::NotFound`].
    pub fn bounce_now(&self, id: QueueId) -> Result<(), OperationError> {
        self.operate(id, crate::Scheduler::bounce_now)
    }
}
