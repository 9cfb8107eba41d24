//! The spool writer: persists state changes and removals in rounds, the changes of one
//! entry in order, different entries in parallel on the blocking pool.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::EventHook;
use crate::entry::Update;
use crate::error::SpoolError;
use crate::event::{Event, EventKind};
use crate::id::QueueId;
use crate::spool::Spool;
use crate::time::Clock;

/// A write for the spool.
#[derive(Debug)]
pub(super) enum Write {
    /// Append changes.
    Persist(QueueId, Vec<Update>),
    /// Remove the entry.
    Remove(QueueId),
}

/// What the writer needs (not the whole queue, so it ends when the queue is dropped).
pub(super) struct WriterContext {
    pub(super) spool: Arc<dyn Spool>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) hooks: Vec<EventHook>,
    pub(super) events: tokio::sync::broadcast::Sender<Event>,
}

/// Writes until every sender is gone.
pub(super) async fn run(context: WriterContext, mut rx: mpsc::UnboundedReceiver<Write>) {
    while let Some(first) = rx.recv().await {
        let mut round = vec![first];
        while round.len() < 4096 {
            match rx.try_recv() {
                Ok(write) => round.push(write),
                Err(_) => break,
            }
        }
        let mut persists: Vec<(QueueId, Vec<Update>)> = Vec::new();
        let mut index: HashMap<QueueId, usize> = HashMap::new();
        let mut removes: Vec<QueueId> = Vec::new();
        for write in round {
            match write {
                Write::Persist(id, updates) => match index.get(&id) {
                    Some(&at) => persists[at].1.extend(updates),
                    None => {
                        index.insert(id, persists.len());
                        persists.push((id, updates));
                    }
                },
                Write::Remove(id) => {
                    // No need to record changes of an entry about to go.
                    if let Some(&at) = index.get(&id) {
                        persists[at].1.clear();
                    }
                    removes.push(id);
                }
            }
        }
        let mut tasks = JoinSet::new();
        for (id, updates) in persists.into_iter().filter(|(_, u)| !u.is_empty()) {
            let spool = Arc::clone(&context.spool);
            tasks.spawn_blocking(move || (id, spool.update(id, &updates)));
        }
        // Unlinks wait on the file system's journal one by one (milliseconds each on
        // some disks) but overlap well: spread them over up to 32 blocking tasks.
        let per_task = removes.len().div_ceil(32).max(1);
        for chunk in removes.chunks(per_task) {
            let spool = Arc::clone(&context.spool);
            let chunk = chunk.to_vec();
            tasks.spawn_blocking(move || {
                for id in &chunk {
                    if let Err(error) = spool.remove(*id) {
                        return (*id, Err(error));
                    }
                }
                (QueueId::from_u64(0), Ok(()))
            });
        }
        while let Some(result) = tasks.join_next().await {
            match result {
                Ok((_, Ok(()))) | Ok((_, Err(SpoolError::NotFound(_)))) => {}
                Ok((id, Err(error))) => {
                    let event = Event {
                        time: context.clock.now(),
                        kind: EventKind::SpoolFailure {
                            id,
                            error: error.to_string(),
                        },
                    };
                    for hook in &context.hooks {
                        hook(&event);
                    }
                    let _ = context.events.send(event);
                }
                Err(_) => {}
            }
        }
    }
}
