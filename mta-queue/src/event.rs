//! The stream of things that happen in the queue, for logs and metrics.

use std::fmt;

use crate::dsn::DsnKind;
use crate::id::QueueId;
use crate::spool::CorruptEntry;
use crate::status::Diagnostic;
use crate::time::Timestamp;

/// Something that happened.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// When.
    pub time: Timestamp,
    /// What.
    pub kind: EventKind,
}

/// The kinds of [`Event`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// A message was accepted into the spool.
    Queued {
        /// The new entry.
        id: QueueId,
        /// Its reverse-path (empty for `<>`).
        sender: String,
        /// Number of recipients.
        recipients: usize,
        /// Body size in bytes.
        size: u64,
        /// The named queue it was submitted to.
        queue: String,
    },
    /// A message was handed to a connection (one transaction).
    Attempt {
        /// The entry.
        id: QueueId,
        /// The site (destination) key.
        site: String,
        /// Recipients in the transaction.
        recipients: usize,
    },
    /// A recipient was accepted by the next hop.
    Delivered {
        /// The entry.
        id: QueueId,
        /// The recipient.
        recipient: String,
        /// The next hop's reply.
        diagnostic: Diagnostic,
    },
    /// A recipient failed temporarily and waits.
    Deferred {
        /// The entry.
        id: QueueId,
        /// The recipient.
        recipient: String,
        /// Why.
        diagnostic: Diagnostic,
        /// When it is tried next.
        next_attempt: Timestamp,
    },
    /// A recipient failed for good (permanent reply, expiry, route, operator).
    Failed {
        /// The entry.
        id: QueueId,
        /// The recipient.
        recipient: String,
        /// Why.
        diagnostic: Diagnostic,
    },
    /// A delivery status notification was queued.
    Bounced {
        /// The entry it reports on.
        id: QueueId,
        /// Its kind.
        kind: DsnKind,
        /// The DSN's own queue entry.
        dsn: QueueId,
    },
    /// Every recipient is final: the entry left the spool.
    Completed {
        /// The entry.
        id: QueueId,
    },
    /// An operator held an entry.
    Held {
        /// The entry.
        id: QueueId,
    },
    /// An operator released an entry.
    Released {
        /// The entry.
        id: QueueId,
    },
    /// An operator deleted an entry (no DSN).
    Deleted {
        /// The entry.
        id: QueueId,
    },
    /// A site answered 421/4xx or could not be reached: no new connections until
    /// `until`.
    SiteBackoff {
        /// The site key.
        site: String,
        /// End of the backoff.
        until: Timestamp,
        /// Why.
        diagnostic: Diagnostic,
    },
    /// A damaged spool entry was set aside.
    Corrupt {
        /// What was found.
        entry: CorruptEntry,
    },
    /// The spool failed to record a change (it is retried or, for a delivery, may lead
    /// to a duplicate after a crash).
    SpoolFailure {
        /// The entry.
        id: QueueId,
        /// The error, as text.
        error: String,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.time.as_millis();
        match &self.kind {
            EventKind::Queued {
                id,
                sender,
                recipients,
                size,
                queue,
            } => write!(
                f,
                "{t} {id} queued from=<{sender}> rcpts={recipients} size={size} queue={queue}"
            ),
            EventKind::Attempt {
                id,
                site,
                recipients,
            } => {
                write!(f, "{t} {id} attempt site={site} rcpts={recipients}")
            }
            EventKind::Delivered {
                id,
                recipient,
                diagnostic,
            } => {
                write!(f, "{t} {id} delivered to=<{recipient}> {diagnostic}")
            }
            EventKind::Deferred {
                id,
                recipient,
                diagnostic,
                next_attempt,
            } => write!(
                f,
                "{t} {id} deferred to=<{recipient}> {diagnostic} next={}",
                next_attempt.as_millis()
            ),
            EventKind::Failed {
                id,
                recipient,
                diagnostic,
            } => {
                write!(f, "{t} {id} failed to=<{recipient}> {diagnostic}")
            }
            EventKind::Bounced { id, kind, dsn } => write!(f, "{t} {id} dsn={kind:?} as {dsn}"),
            EventKind::Completed { id } => write!(f, "{t} {id} completed"),
            EventKind::Held { id } => write!(f, "{t} {id} held"),
            EventKind::Released { id } => write!(f, "{t} {id} released"),
            EventKind::Deleted { id } => write!(f, "{t} {id} deleted"),
            EventKind::SiteBackoff {
                site,
                until,
                diagnostic,
            } => write!(
                f,
                "{t} site {site} backed off until {} {diagnostic}",
                until.as_millis()
            ),
            EventKind::Corrupt { entry } => write!(
                f,
                "{t} corrupt spool entry {:?} moved to {}: {}",
                entry.id, entry.moved_to, entry.reason
            ),
            EventKind::SpoolFailure { id, error } => write!(f, "{t} {id} spool failure: {error}"),
        }
    }
}
