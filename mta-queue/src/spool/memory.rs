//! [`MemorySpool`]: entries in memory, for tests and simulations (not durable).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::entry::{QueueEntry, Update};
use crate::envelope::Envelope;
use crate::error::SpoolError;
use crate::id::QueueId;
use crate::spool::{Recovery, Spool};
use crate::time::Timestamp;

/// A spool in memory. Clones share the same entries, so a test can "restart" a queue
/// on the same spool and check recovery.
///
/// <div class="warning">Not durable: everything is lost with the process.</div>
#[derive(Clone, Debug, Default)]
pub struct MemorySpool {
    inner: Arc<Mutex<Inner>>,
    seq: Arc<AtomicU32>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: BTreeMap<QueueId, (QueueEntry, Arc<[u8]>)>,
    fail_writes: bool,
}

impl MemorySpool {
    /// An empty spool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every later write fail as a full disk would (for tests of the
    /// 452 path), or work again.
    pub fn set_full(&self, full: bool) {
        self.lock().fail_writes = full;
    }

    /// The stored entry with this id, as persisted.
    pub fn get(&self, id: QueueId) -> Option<QueueEntry> {
        self.lock().entries.get(&id).map(|(entry, _)| entry.clone())
    }

    /// The number of stored entries.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no entry is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn check(inner: &Inner) -> Result<(), SpoolError> {
        if inner.fail_writes {
            return Err(SpoolError::from_write(std::io::Error::from(
                std::io::ErrorKind::StorageFull,
            )));
        }
        Ok(())
    }
}

impl Spool for MemorySpool {
    fn create(
        &self,
        envelope: Envelope,
        body: &[u8],
        now: Timestamp,
    ) -> Result<QueueEntry, SpoolError> {
        let mut inner = self.lock();
        Self::check(&inner)?;
        let mut id = QueueId::new(now, self.seq.fetch_add(1, Ordering::Relaxed));
        while inner.entries.contains_key(&id) {
            id = id.next();
        }
        let entry = QueueEntry::new(id, envelope, now, body.len() as u64, crc32fast::hash(body));
        inner.entries.insert(id, (entry.clone(), body.into()));
        Ok(entry)
    }

    fn update(&self, id: QueueId, updates: &[Update]) -> Result<(), SpoolError> {
        let mut inner = self.lock();
        Self::check(&inner)?;
        let (entry, _) = inner.entries.get_mut(&id).ok_or(SpoolError::NotFound(id))?;
        for update in updates {
            entry.apply(update);
        }
        Ok(())
    }

    fn remove(&self, id: QueueId) -> Result<(), SpoolError> {
        self.lock().entries.remove(&id);
        Ok(())
    }

    fn read_body(&self, id: QueueId) -> Result<Arc<[u8]>, SpoolError> {
        self.lock()
            .entries
            .get(&id)
            .map(|(_, body)| Arc::clone(body))
            .ok_or(SpoolError::NotFound(id))
    }

    fn recover(&self) -> Result<Recovery, SpoolError> {
        Ok(Recovery {
            entries: self
                .lock()
                .entries
                .values()
                .map(|(entry, _)| entry.clone())
                .collect(),
            ..Recovery::default()
        })
    }
}
