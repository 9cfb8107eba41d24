//! Mailbox operations: list, create, delete, rename, subscribe, special use, status.

use std::fs;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Account, Touched};
use crate::error::{Result, StoreError};
use crate::index::rows::{self, MAILBOX_COLUMNS, MailboxRow};
use crate::mailbox::{MailboxInfo, MailboxStatus};
use crate::maildir;
use crate::store::{MailboxStore, MessageStore};
use crate::types::{InternalDate, MailboxId, MailboxName, ModSeq, SpecialUses, Uid, UidSet};

impl Account {
    /// Inserts a mailbox row (with a fresh UIDVALIDITY) and creates its folder.
    pub(super) fn insert_mailbox(
        &self,
        tx: &Connection,
        name: &MailboxName,
        special_use: SpecialUses,
    ) -> Result<MailboxRow> {
        let dir = self.folder(name);
        maildir::create_folder(&dir, name.is_inbox())
            .map_err(StoreError::io("create mailbox folder"))?;
        self.sync_dir(self.root())?;
        let uidvalidity = new_uidvalidity(tx)?;
        tx.execute(
            "INSERT INTO mailbox(name, uidvalidity, special_use) VALUES (?1, ?2, ?3)",
            params![name.as_str(), uidvalidity, special_use.bits()],
        )?;
        rows::mailbox_by_name(tx, name)
    }

    fn info(conn: &Connection, row: MailboxRow) -> Result<MailboxInfo> {
        let has_children = has_children(conn, &row.name)?;
        Ok(MailboxInfo {
            id: row.id,
            uid_validity: row.uidvalidity,
            subscribed: row.subscribed,
            special_use: SpecialUses::from_bits(row.special_use),
            has_children,
            name: row.name,
        })
    }
}

/// A UIDVALIDITY larger than every one handed out before: the clock's seconds, or the
/// last value plus one, whichever is larger (so that a rebuilt index, which forgot the
/// last value, still moves forward).
fn new_uidvalidity(conn: &Connection) -> Result<u32> {
    let now = InternalDate::now().timestamp();
    let last = rows::meta(conn, "last_uidvalidity")?;
    let value = now.max(last + 1).clamp(1, i64::from(u32::MAX));
    rows::set_meta(conn, "last_uidvalidity", value)?;
    Ok(value as u32)
}

fn has_children(conn: &Connection, name: &MailboxName) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM mailbox WHERE substr(name, 1, ?2) = ?1 LIMIT 1")?
        .query_row(
            params![format!("{}.", name.as_str()), name.as_str().len() + 1],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn descendants(conn: &Connection, name: &MailboxName) -> Result<Vec<MailboxRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MAILBOX_COLUMNS} FROM mailbox WHERE substr(name, 1, ?2) = ?1 ORDER BY name"
    ))?;
    let rows = stmt.query_map(
        params![format!("{}.", name.as_str()), name.as_str().len() + 1],
        MailboxRow::from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn exists(conn: &Connection, name: &MailboxName) -> Result<bool> {
    match rows::mailbox_by_name(conn, name) {
        Ok(_) => Ok(true),
        Err(StoreError::MailboxNotFound) => Ok(false),
        Err(err) => Err(err),
    }
}

impl MailboxStore for Account {
    fn list_mailboxes(&self) -> Result<Vec<MailboxInfo>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {MAILBOX_COLUMNS} FROM mailbox ORDER BY name != 'INBOX', name"
            ))?;
            let rows: Vec<MailboxRow> = stmt
                .query_map([], MailboxRow::from_row)?
                .collect::<rusqlite::Result<_>>()?;
            let names: Vec<&MailboxName> = rows.iter().map(|r| &r.name).collect();
            let children: Vec<bool> = rows
                .iter()
                .map(|r| names.iter().any(|n| n.is_descendant_of(&r.name)))
                .collect();
            Ok(rows
                .into_iter()
                .zip(children)
                .map(|(row, has_children)| MailboxInfo {
                    id: row.id,
                    uid_validity: row.uidvalidity,
                    subscribed: row.subscribed,
                    special_use: SpecialUses::from_bits(row.special_use),
                    has_children,
                    name: row.name,
                })
                .collect())
        })
    }

    fn mailbox(&self, name: &MailboxName) -> Result<MailboxInfo> {
        self.read(|conn| {
            let row = rows::mailbox_by_name(conn, name)?;
            Self::info(conn, row)
        })
    }

    fn create_mailbox(&self, name: &MailboxName, special_use: SpecialUses) -> Result<MailboxInfo> {
        self.write(|tx| {
            if exists(tx, name)? {
                return Err(StoreError::MailboxExists);
            }
            let mut parents = Vec::new();
            let mut parent = name.parent();
            while let Some(p) = parent {
                parent = p.parent();
                parents.push(p);
            }
            for p in parents.into_iter().rev() {
                if !exists(tx, &p)? {
                    self.insert_mailbox(tx, &p, SpecialUses::new())?;
                }
            }
            let row = self.insert_mailbox(tx, name, special_use)?;
            Ok((Self::info(tx, row)?, Touched::new()))
        })
    }

    fn delete_mailbox(&self, name: &MailboxName) -> Result<()> {
        if name.is_inbox() {
            return Err(StoreError::InboxNotAllowed);
        }
        let trash = self.write(|tx| {
            let row = rows::mailbox_by_name(tx, name)?;
            if has_children(tx, name)? {
                return Err(StoreError::MailboxHasChildren);
            }
            // Move the folder aside first (atomic), so a crash leaves either the
            // mailbox or nothing; the files go after the commit.
            let trash = self
                .root()
                .join("tmp")
                .join(format!(".deleted-{}-{}", row.id, row.uidvalidity));
            match fs::rename(self.folder(name), &trash) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(StoreError::io("move mailbox folder aside")(err)),
            }
            self.sync_dir(self.root())?;
            let contents: Vec<i64> = tx
                .prepare("SELECT content_id FROM message WHERE mailbox_id = ?1")?
                .query_map([row.id.0], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            tx.execute("DELETE FROM message WHERE mailbox_id = ?1", [row.id.0])?;
            for content in contents {
                rows::release_content(tx, content)?;
            }
            tx.execute("DELETE FROM expunged WHERE mailbox_id = ?1", [row.id.0])?;
            tx.execute("DELETE FROM mailbox WHERE id = ?1", [row.id.0])?;
            Ok((trash, vec![(row.id, i64::MAX as u64)]))
        })?;
        let _ = fs::remove_dir_all(trash);
        Ok(())
    }

    fn rename_mailbox(&self, from: &MailboxName, to: &MailboxName) -> Result<()> {
        if to.is_inbox() {
            return Err(StoreError::InboxNotAllowed);
        }
        if to == from || to.is_descendant_of(from) {
            return Err(StoreError::RenameIntoSelf);
        }
        if from.is_inbox() {
            // RFC 9051 section 6.3.6: the messages move to a new mailbox, INBOX stays.
            let inbox = self.mailbox(from)?;
            let target = self.create_mailbox(to, SpecialUses::new())?;
            self.move_messages(inbox.id, &UidSet::all(), target.id)?;
            return Ok(());
        }
        self.write(|tx| {
            let row = rows::mailbox_by_name(tx, from)?;
            let mut moving = vec![row];
            moving.extend(descendants(tx, from)?);
            for m in &moving {
                if exists(tx, &m.name.with_prefix_replaced(from, to))? {
                    return Err(StoreError::MailboxExists);
                }
            }
            let mut parent = to.parent();
            let mut parents = Vec::new();
            while let Some(p) = parent {
                parent = p.parent();
                parents.push(p);
            }
            for p in parents.into_iter().rev() {
                if !exists(tx, &p)? {
                    self.insert_mailbox(tx, &p, SpecialUses::new())?;
                }
            }
            let mut touched = Touched::new();
            for m in &moving {
                let new_name = m.name.with_prefix_replaced(from, to);
                fs::rename(self.folder(&m.name), self.folder(&new_name))
                    .map_err(StoreError::io("rename mailbox folder"))?;
                tx.execute(
                    "UPDATE mailbox SET name = ?1 WHERE id = ?2",
                    params![new_name.as_str(), m.id.0],
                )?;
                touched.push((m.id, rows::next_modseq(tx, m.id)?));
            }
            self.sync_dir(self.root())?;
            Ok(((), touched))
        })
    }

    fn set_subscribed(&self, name: &MailboxName, subscribed: bool) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE mailbox SET subscribed = ?1 WHERE name = ?2",
                params![subscribed, name.as_str()],
            )?;
            if n == 0 {
                return Err(StoreError::MailboxNotFound);
            }
            Ok(((), Touched::new()))
        })
    }

    fn set_special_use(&self, name: &MailboxName, special_use: SpecialUses) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE mailbox SET special_use = ?1 WHERE name = ?2",
                params![special_use.bits(), name.as_str()],
            )?;
            if n == 0 {
                return Err(StoreError::MailboxNotFound);
            }
            Ok(((), Touched::new()))
        })
    }

    fn status(&self, mailbox: MailboxId) -> Result<MailboxStatus> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let row = rows::mailbox_by_id(&tx, mailbox)?;
            let (messages, recent, unseen, deleted, size): (u32, u32, u32, u32, i64) = tx
                .prepare_cached(
                    "SELECT count(*), count(*) FILTER (WHERE uid > ?2), count(*) FILTER (WHERE flags & 1 = 0),
                        count(*) FILTER (WHERE flags & 8 != 0), coalesce(sum(size), 0)
                     FROM message WHERE mailbox_id = ?1",
                )?
                .query_row(params![mailbox.0, row.recent_uid], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?;
            let first_unseen: Option<u32> = tx
                .prepare_cached("SELECT min(uid) FROM message WHERE mailbox_id = ?1 AND flags & 1 = 0")?
                .query_row([mailbox.0], |r| r.get(0))?;
            Ok(MailboxStatus {
                id: row.id,
                name: row.name,
                messages,
                recent,
                unseen,
                deleted,
                uid_next: Uid::new(row.uidnext).unwrap_or(Uid::MAX),
                uid_validity: row.uidvalidity,
                highest_modseq: ModSeq::new(row.highestmodseq),
                size: u64::try_from(size).unwrap_or(0),
                first_unseen: first_unseen.and_then(Uid::new),
            })
        })
    }

    fn claim_recent(&self, mailbox: MailboxId) -> Result<UidSet> {
        self.write(|tx| {
            let row = rows::mailbox_by_id(tx, mailbox)?;
            let uids: UidSet = tx
                .prepare_cached(
                    "SELECT uid FROM message WHERE mailbox_id = ?1 AND uid > ?2 ORDER BY uid",
                )?
                .query_map(params![mailbox.0, row.recent_uid], |r| r.get::<_, u32>(0))?
                .filter_map(|r| r.ok().and_then(Uid::new))
                .collect();
            tx.execute(
                "UPDATE mailbox SET recent_uid = uidnext - 1 WHERE id = ?1",
                [mailbox.0],
            )?;
            Ok((uids, Touched::new()))
        })
    }

    fn unindexed(&self) -> Result<Vec<crate::message::Unindexed>> {
        self.list_unindexed()
    }
}
