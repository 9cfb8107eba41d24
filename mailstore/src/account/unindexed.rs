//! Messages that could not be analysed: listed for operators, analysed again by a
//! later version of the store.

use rusqlite::Connection;

use super::Account;
use crate::error::{Result, StoreError};
use crate::index::rows::{self, MailboxRow};
use crate::message::Unindexed;
use crate::mime::{self, ANALYZER_VERSION};
use crate::types::{MailboxId, MailboxName, Uid};

impl Account {
    /// Every message whose analysis failed, in every mailbox.
    pub(super) fn list_unindexed(&self) -> Result<Vec<Unindexed>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT b.name, m.uid, m.file, c.failure FROM content c
                 JOIN message m ON m.content_id = c.id JOIN mailbox b ON b.id = m.mailbox_id
                 WHERE c.failure IS NOT NULL ORDER BY b.name, m.uid",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (mailbox, uid, location, reason) = row?;
                out.push(Unindexed {
                    mailbox: MailboxName::try_from(mailbox)
                        .map_err(|_| StoreError::Corrupt("mailbox name"))?,
                    uid: Uid::new(uid).ok_or(StoreError::Corrupt("uid"))?,
                    location,
                    reason,
                });
            }
            Ok(out)
        })
    }

    /// Analyses again the messages whose analysis failed under an older version of
    /// the analyzer (part of reconciling on open). Each is updated in place, keeping
    /// its UID and flags; one that fails again is recorded with this version, and one
    /// whose file cannot be read is left for the next open.
    pub(super) fn reanalyze_failed(&self, tx: &Connection) -> Result<()> {
        let any: bool = tx
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM content WHERE failure IS NOT NULL AND analyzer < ?1)",
            )?
            .query_row([ANALYZER_VERSION], |r| r.get(0))?;
        if !any {
            return Ok(());
        }
        let stale: Vec<(i64, i64, String)> = tx
            .prepare(
                "SELECT c.id, min(m.mailbox_id), min(m.file) FROM content c
                 JOIN message m ON m.content_id = c.id
                 WHERE c.failure IS NOT NULL AND c.analyzer < ?1 GROUP BY c.id",
            )?
            .query_map([ANALYZER_VERSION], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (content, mailbox, file) in stale {
            let row: MailboxRow = rows::mailbox_by_id(tx, MailboxId(mailbox))?;
            let path = self.folder(&row.name).join(&file);
            let data = match super::reconcile::read_limited(
                &path,
                self.inner.options.max_message_size,
            ) {
                Ok(data) => data,
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "cannot read a message to analyse it again");
                    continue;
                }
            };
            let analysis = mime::analyze(&data);
            log_failure(&path, &analysis);
            if analysis.failure.is_none() {
                tracing::info!(path = %path.display(), "message analysed again and indexed");
            }
            rows::update_content(tx, content, &analysis)?;
        }
        Ok(())
    }
}

/// Logs a message whose analysis failed: it is stored all the same.
pub(super) fn log_failure(path: &std::path::Path, analysis: &mime::Analysis) {
    if let Some(reason) = &analysis.failure {
        tracing::error!(
            path = %path.display(),
            reason,
            "message stored without its index entry (served as plain text, not searchable); \
             it is analysed again by the next version"
        );
    }
}
