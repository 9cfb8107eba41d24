//! [`QueueEntry`]: one queued message as the queue knows it (envelope, per-recipient
//! state, hold flag), and [`Update`], a persisted change to it.

use crate::envelope::Envelope;
use crate::id::QueueId;
use crate::status::{DeliveryStatus, RecipientState};
use crate::time::Timestamp;

/// One queued message: its envelope and where each recipient stands. The body lives
/// in the spool and is read through [`Spool::read_body`](crate::Spool::read_body).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueEntry {
    /// The message's identifier.
    pub id: QueueId,
    /// Sender, recipients, DSN parameters, named queue.
    pub envelope: Envelope,
    /// When it was enqueued.
    pub created: Timestamp,
    /// The size of the body in bytes.
    pub size: u64,
    /// CRC-32 of the body, checked when the body is read.
    pub body_crc: u32,
    /// Held by an operator: not delivered until released.
    pub held: bool,
    /// One state per recipient of `envelope.recipients`, same order.
    pub recipients: Vec<RecipientState>,
}

impl QueueEntry {
    /// A new entry with every recipient pending and due at `created`.
    pub fn new(
        id: QueueId,
        envelope: Envelope,
        created: Timestamp,
        size: u64,
        body_crc: u32,
    ) -> Self {
        let recipients = vec![RecipientState::pending(created); envelope.recipients.len()];
        Self {
            id,
            envelope,
            created,
            size,
            body_crc,
            held: false,
            recipients,
        }
    }

    /// Applies a change (as replayed from the spool, or as just decided).
    ///
    /// Returns false (and changes nothing) for a recipient index out of range.
    pub fn apply(&mut self, update: &Update) -> bool {
        match update {
            Update::Recipient { index, state } => match self.recipients.get_mut(*index as usize) {
                Some(slot) => {
                    *slot = state.clone();
                    true
                }
                None => false,
            },
            Update::Held(held) => {
                self.held = *held;
                true
            }
        }
    }

    /// Whether every recipient is final and its outcome dealt with: the entry can go.
    pub fn is_done(&self) -> bool {
        self.recipients
            .iter()
            .all(|r| r.status.is_final() && r.final_notified)
    }

    /// The number of recipients in `status`.
    pub fn count(&self, status: DeliveryStatus) -> usize {
        self.recipients
            .iter()
            .filter(|r| r.status == status)
            .count()
    }

    /// The earliest next attempt among recipients still to deliver.
    pub fn next_attempt(&self) -> Option<Timestamp> {
        self.recipients
            .iter()
            .filter(|r| !r.status.is_final())
            .map(|r| r.next_attempt)
            .min()
    }
}

/// A change to a queue entry, persisted by the spool as it happens.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Update {
    /// Recipient `index` now has `state`.
    Recipient {
        /// Index into the envelope's recipients.
        index: u32,
        /// The whole new state.
        state: RecipientState,
    },
    /// Held (true) or released (false).
    Held(bool),
}
