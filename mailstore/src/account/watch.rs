//! The watcher thread that notices commits by other processes.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Account, Inner};
use crate::error::Result;
use crate::index::schema;
use crate::types::{MailboxId, ModSeq};

impl Account {
    /// Starts the watcher thread unless it runs.
    pub(super) fn start_watcher(&self) -> Result<()> {
        if self.inner.watcher_running.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let conn = match schema::open(&self.inner.db_path, false, self.inner.options.durable) {
            Ok(conn) => conn,
            Err(err) => {
                self.inner.watcher_running.store(false, Ordering::Release);
                return Err(err.into());
            }
        };
        let weak = Arc::downgrade(&self.inner);
        let interval = self.inner.options.watch_interval;
        let spawned = std::thread::Builder::new()
            .name("mailstore-watch".to_owned())
            .spawn(move || {
                let mut last_version: i64 = conn
                    .pragma_query_value(None, "data_version", |r| r.get(0))
                    .unwrap_or(0);
                loop {
                    std::thread::sleep(interval);
                    let Some(inner) = weak.upgrade() else {
                        return;
                    };
                    if !inner.hub.has_subscribers() {
                        inner.watcher_running.store(false, Ordering::Release);
                        // A subscription that raced with this exit restarts the thread.
                        if inner.hub.has_subscribers()
                            && !inner.watcher_running.swap(true, Ordering::AcqRel)
                        {
                            continue;
                        }
                        return;
                    }
                    let version: i64 = conn
                        .pragma_query_value(None, "data_version", |r| r.get(0))
                        .unwrap_or(last_version);
                    if version != last_version {
                        last_version = version;
                        announce(&inner, &conn);
                    }
                }
            });
        if spawned.is_err() {
            self.inner.watcher_running.store(false, Ordering::Release);
        }
        Ok(())
    }
}

/// Sends the current HIGHESTMODSEQ of every watched mailbox.
fn announce(inner: &Inner, conn: &rusqlite::Connection) {
    let Ok(mut stmt) = conn.prepare_cached("SELECT highestmodseq FROM mailbox WHERE id = ?1")
    else {
        return;
    };
    for mailbox in inner.hub.watched() {
        match stmt.query_row([mailbox.0], |r| r.get::<_, i64>(0)) {
            Ok(modseq) => inner
                .hub
                .notify(mailbox, ModSeq::new(u64::try_from(modseq).unwrap_or(0))),
            // Deleted by another process: wake its subscribers for good.
            Err(rusqlite::Error::QueryReturnedNoRows) => inner
                .hub
                .notify(MailboxId(mailbox.0), ModSeq::new(u64::MAX)),
            Err(_) => {}
        }
    }
}
