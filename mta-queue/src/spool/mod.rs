//! Storage of queue entries: the [`Spool`] trait and its backends.
//!
//! The trait speaks of queue entries, never of files, so that a shared backend
//! (PostgreSQL with leases, see DESIGN.md "Scaling out") can take the file spool's
//! place. Its methods block: the runtime calls them on tokio's blocking pool.
//!
//! | backend | durable | for |
//! | --- | --- | --- |
//! | [`FileSpool`] | yes: fsync of file and directory before `create` returns | production, the default |
//! | [`MemorySpool`] | no | tests and simulations |

pub mod file;
pub mod format;
mod memory;

use std::sync::Arc;

pub use file::FileSpool;
pub use memory::MemorySpool;

use crate::entry::{QueueEntry, Update};
use crate::envelope::Envelope;
use crate::error::{CorruptReason, SpoolError};
use crate::id::QueueId;
use crate::time::Timestamp;

/// Durable storage of queue entries and their bodies.
///
/// Contract:
/// * [`create`](Spool::create) returns only once the body and the envelope are durable:
///   a crash at any moment after it returns loses neither.
/// * [`update`](Spool::update) makes the changes durable before it returns; a crash
///   during it keeps either the old or the new state of each change.
/// * [`recover`](Spool::recover) returns every entry not yet removed, with all
///   durable changes applied, and sets damaged entries aside (reporting them) without
///   losing any other entry.
pub trait Spool: Send + Sync + 'static {
    /// Stores a new message and returns its entry (every recipient pending, due at
    /// `now`).
    ///
    /// # Errors
    ///
    /// [`SpoolError::Full`] when storage is full, [`SpoolError::Write`] or
    /// [`SpoolError::Sync`] when it failed; nothing is stored then.
    fn create(
        &self,
        envelope: Envelope,
        body: &[u8],
        now: Timestamp,
    ) -> Result<QueueEntry, SpoolError>;

    /// Records changes to an entry, durably.
    ///
    /// # Errors
    ///
    /// [`SpoolError::NotFound`] for an unknown id, storage errors otherwise.
    fn update(&self, id: QueueId, updates: &[Update]) -> Result<(), SpoolError>;

    /// Removes an entry and its body (all recipients final).
    ///
    /// # Errors
    ///
    /// Storage errors; removing an unknown id is not an error.
    fn remove(&self, id: QueueId) -> Result<(), SpoolError>;

    /// The body of an entry, checked against its recorded size and checksum.
    ///
    /// # Errors
    ///
    /// [`SpoolError::NotFound`], [`SpoolError::Corrupt`] (the entry was set aside), or a
    /// read error.
    fn read_body(&self, id: QueueId) -> Result<Arc<[u8]>, SpoolError>;

    /// Loads every entry at start.
    ///
    /// # Errors
    ///
    /// Only when the storage as a whole cannot be read; single damaged entries are
    /// reported in [`Recovery::corrupt`] instead.
    fn recover(&self) -> Result<Recovery, SpoolError>;
}

/// What [`Spool::recover`] found.
#[non_exhaustive]
#[derive(Debug, Default)]
pub struct Recovery {
    /// Every entry still in the spool.
    pub entries: Vec<QueueEntry>,
    /// Entries set aside as damaged.
    pub corrupt: Vec<CorruptEntry>,
    /// Leftovers of enqueues that never completed (never acknowledged), removed.
    pub incomplete_removed: usize,
    /// Entries whose last change was torn by a crash and cut off.
    pub torn_tails: usize,
}

/// A damaged entry that was set aside.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorruptEntry {
    /// Its identifier, when the name could be read.
    pub id: Option<QueueId>,
    /// Where its files went (a file spool's `corrupt/` folder), for an operator.
    pub moved_to: String,
    /// What was wrong.
    pub reason: CorruptReason,
}
