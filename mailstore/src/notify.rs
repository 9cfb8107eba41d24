//! Change notifications: in-process at commit time, cross-process by watching the
//! database.
//!
//! Each mailbox with subscribers has a `tokio::sync::watch` channel carrying its
//! HIGHESTMODSEQ. Every write in this process sends the new value after its commit. For
//! writes by other processes (a delivery agent, a second server), a watcher thread polls
//! SQLite's `PRAGMA data_version` (it changes when another connection commits) every
//! [`crate::Options::set_watch_interval`] while any subscription is alive, and sends
//! the HIGHESTMODSEQs that moved. The thread ends when the last subscription is dropped.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::types::{MailboxId, ModSeq};

/// Receives the changes of one mailbox.
///
/// Holds the mailbox's HIGHESTMODSEQ as last announced. Async code awaits
/// [`Subscription::changed`]; blocking code calls [`Subscription::wait_timeout`]. After a
/// wake-up, ask [`crate::store::MessageReader::changes_since`] with the MODSEQ you had
/// to learn what happened. Wake-ups may be coalesced (several changes, one wake-up),
/// never lost.
#[derive(Debug)]
pub struct Subscription {
    mailbox: MailboxId,
    rx: watch::Receiver<ModSeq>,
    hub: std::sync::Arc<Hub>,
}

impl Subscription {
    /// The mailbox this listens to.
    pub fn mailbox(&self) -> MailboxId {
        self.mailbox
    }

    /// The HIGHESTMODSEQ last announced, marking it as seen.
    pub fn current(&mut self) -> ModSeq {
        *self.rx.borrow_and_update()
    }

    /// Whether something changed since the last [`Subscription::current`] or wake-up.
    pub fn has_changed(&self) -> bool {
        self.rx.has_changed().unwrap_or(false)
    }

    /// Waits until the mailbox changes and returns the new HIGHESTMODSEQ. Cancel-safe:
    /// use it in `tokio::select!` with the client's `DONE`.
    ///
    /// # Errors
    /// [`Closed`] when the account was dropped (no more changes will come).
    pub async fn changed(&mut self) -> Result<ModSeq, Closed> {
        self.rx.changed().await.map_err(|_| Closed)?;
        Ok(*self.rx.borrow_and_update())
    }

    /// Blocks until the mailbox changes or `timeout` passes; returns the new
    /// HIGHESTMODSEQ, or `None` on timeout.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ModSeq> {
        // A blocking wait needs a deadline from the clock; this is the caller's thread,
        // not a sans-IO core.
        #[allow(clippy::disallowed_methods)]
        let deadline = Instant::now() + timeout;
        let mut generation = lock(&self.hub.generation);
        loop {
            if self.rx.has_changed().unwrap_or(false) {
                return Some(*self.rx.borrow_and_update());
            }
            #[allow(clippy::disallowed_methods)]
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            generation = self
                .hub
                .wake
                .wait_timeout(generation, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// The account is gone: no more changes will be announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("account closed")]
pub struct Closed;

/// The channels of one account.
#[derive(Debug, Default)]
pub(crate) struct Hub {
    channels: Mutex<HashMap<MailboxId, watch::Sender<ModSeq>>>,
    generation: Mutex<u64>,
    wake: Condvar,
}

impl Hub {
    /// A subscription to `mailbox`, whose HIGHESTMODSEQ is `current` now.
    pub(crate) fn subscribe(
        self: &std::sync::Arc<Self>,
        mailbox: MailboxId,
        current: ModSeq,
    ) -> Subscription {
        let mut channels = lock(&self.channels);
        let sender = channels
            .entry(mailbox)
            .or_insert_with(|| watch::channel(current).0);
        sender.send_if_modified(|v| {
            let newer = current > *v;
            if newer {
                *v = current;
            }
            newer
        });
        let mut rx = sender.subscribe();
        rx.mark_unchanged();
        Subscription {
            mailbox,
            rx,
            hub: self.clone(),
        }
    }

    /// Announces a mailbox's new HIGHESTMODSEQ (ignored when not newer).
    pub(crate) fn notify(&self, mailbox: MailboxId, modseq: ModSeq) {
        let changed = {
            let channels = lock(&self.channels);
            channels.get(&mailbox).is_some_and(|sender| {
                sender.send_if_modified(|v| {
                    let newer = modseq > *v;
                    if newer {
                        *v = modseq;
                    }
                    newer
                })
            })
        };
        if changed {
            *lock(&self.generation) += 1;
            self.wake.notify_all();
        }
    }

    /// Whether any subscription is alive; forgets mailboxes nobody listens to.
    pub(crate) fn has_subscribers(&self) -> bool {
        let mut channels = lock(&self.channels);
        channels.retain(|_, sender| sender.receiver_count() > 0);
        !channels.is_empty()
    }

    /// The mailboxes listened to.
    pub(crate) fn watched(&self) -> Vec<MailboxId> {
        lock(&self.channels).keys().copied().collect()
    }

    /// Tells waiters the account is closing.
    pub(crate) fn close(&self) {
        lock(&self.channels).clear();
        *lock(&self.generation) += 1;
        self.wake.notify_all();
    }
}

/// Locks a mutex, taking over a poisoned one (the data stays consistent: every
/// critical section here is a single map or counter update).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
