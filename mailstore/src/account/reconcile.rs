//! Bringing the index in line with the files: on open, and on demand per mailbox.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use rusqlite::{Connection, params};

use super::{Account, Touched};
use crate::error::{Result, StoreError};
use crate::index::rows::{self, MAILBOX_COLUMNS, MailboxRow, NewMessage, keywords_text};
use crate::maildir::{self, FoundFile};
use crate::mime;
use crate::types::{Flag, Flags, InternalDate, Keyword, MailboxName, SpecialUses, UidSet};

/// Files in `tmp/` older than this are leftovers of crashed deliveries (the Maildir
/// convention is 36 hours).
const TMP_MAX_AGE: Duration = Duration::from_secs(36 * 3600);

impl Account {
    /// Reconciles every mailbox: see [`Account::open`].
    pub(super) fn reconcile(&self) -> Result<()> {
        self.write(|tx| {
            let inbox = MailboxName::inbox();
            if rows::mailbox_by_name(tx, &inbox).is_err() {
                self.insert_mailbox(tx, &inbox, SpecialUses::new())?;
            }
            // Folders on disk are mailboxes.
            let entries = fs::read_dir(self.root()).map_err(StoreError::io("list maildir"))?;
            for entry in entries.flatten() {
                let Ok(file_name) = entry.file_name().into_string() else {
                    continue;
                };
                let Some(name) = maildir::mailbox_of_folder(&file_name) else {
                    continue;
                };
                if entry.path().join("cur").is_dir() && rows::mailbox_by_name(tx, &name).is_err() {
                    self.insert_mailbox(tx, &name, SpecialUses::new())?;
                }
            }
            let mailboxes: Vec<MailboxRow> = tx
                .prepare(&format!("SELECT {MAILBOX_COLUMNS} FROM mailbox"))?
                .query_map([], MailboxRow::from_row)?
                .collect::<rusqlite::Result<_>>()?;
            let mut touched = Touched::new();
            for row in mailboxes {
                if !row.name.is_inbox() && !self.folder(&row.name).join("cur").is_dir() {
                    // The folder is gone: so is the mailbox.
                    let contents: Vec<i64> = tx
                        .prepare("SELECT content_id FROM message WHERE mailbox_id = ?1")?
                        .query_map([row.id.0], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    tx.execute("DELETE FROM message WHERE mailbox_id = ?1", [row.id.0])?;
                    for content in contents {
                        rows::release_content(tx, content)?;
                    }
                    tx.execute("DELETE FROM mailbox WHERE id = ?1", [row.id.0])?;
                    continue;
                }
                touched.extend(self.reconcile_mailbox(tx, &row)?);
            }
            self.reanalyze_failed(tx)?;
            clean_tmp(&self.root().join("tmp"));
            Ok(((), touched))
        })
    }

    /// Reconciles one mailbox's rows with its files.
    pub(super) fn reconcile_mailbox(&self, tx: &Connection, row: &MailboxRow) -> Result<Touched> {
        let dir = self.folder(&row.name);
        maildir::create_folder(&dir, row.name.is_inbox())
            .map_err(StoreError::io("create mailbox folder"))?;
        let mut files: HashMap<String, FoundFile> = HashMap::new();
        for found in maildir::list_messages(&dir).map_err(StoreError::io("list mailbox folder"))? {
            files.entry(found.name.base().to_owned()).or_insert(found);
        }
        let keyword_letters = dovecot_keywords(&dir);
        let mut modseq: Option<u64> = None;
        let mut bump = |tx: &Connection| -> Result<u64> {
            match modseq {
                Some(ms) => Ok(ms),
                None => Ok(*modseq.insert(rows::next_modseq(tx, row.id)?)),
            }
        };
        for message in rows::messages_in(tx, row.id, &UidSet::all())? {
            match files.remove(&message.base) {
                Some(found) if found.relative() == message.file => {}
                Some(found) => {
                    // Renamed by another program: take over its flags (a file in new/
                    // carries none, so the index keeps its own).
                    let flags = if found.subdir == "cur" {
                        flags_of(&found, &keyword_letters, Some(&message.flags))
                    } else {
                        message.flags.clone()
                    };
                    let ms = if flags.same_as(&message.flags) {
                        message.modseq.get()
                    } else {
                        bump(tx)?
                    };
                    tx.prepare_cached("UPDATE message SET file = ?1, flags = ?2, keywords = ?3, modseq = ?4 WHERE id = ?5")?
                        .execute(params![found.relative(), flags.system_bits(), keywords_text(&flags), ms, message.id])?;
                }
                None => {
                    let ms = bump(tx)?;
                    rows::delete_message(tx, row.id, &message, ms)?;
                }
            }
        }
        // Files without rows: indexed as new messages, in name order (which is arrival
        // order for names that start with a timestamp).
        let mut new_files: Vec<FoundFile> = files.into_values().collect();
        new_files.sort_by(|a, b| a.name.base().cmp(b.name.base()));
        for found in new_files {
            let path = dir.join(found.relative());
            let Ok(meta) = fs::metadata(&path) else {
                continue;
            };
            // A file that cannot be read is left alone (and indexed when it can be):
            // one bad file must not keep the rest of the account from opening.
            let data = match read_limited(&path, self.inner.options.max_message_size) {
                Ok(data) => data,
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "cannot read a message file to index it");
                    continue;
                }
            };
            let analysis = mime::analyze(&data);
            drop(data);
            super::unindexed::log_failure(&path, &analysis);
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
            let flags = flags_of(&found, &keyword_letters, None);
            let uid = rows::take_uid(tx, row.id)?;
            let ms = bump(tx)?;
            let content_id = rows::insert_content(tx, &analysis)?;
            rows::insert_message(
                tx,
                &NewMessage {
                    mailbox: row.id,
                    uid,
                    content_id,
                    base: found.name.base(),
                    file: &found.relative(),
                    flags: &flags,
                    internal_date: InternalDate::new(mtime, 0),
                    size: meta.len(),
                    modseq: ms,
                },
            )?;
        }
        Ok(modseq.map(|ms| (row.id, ms)).into_iter().collect())
    }
}

/// The flags a file name says: its system letters, `P` as `$Forwarded`, Dovecot
/// keyword letters through `dovecot-keywords`; other keywords come from `previous`.
fn flags_of(
    found: &FoundFile,
    letters: &HashMap<char, Keyword>,
    previous: Option<&Flags>,
) -> Flags {
    let mut keywords: Vec<Keyword> = previous
        .map(|p| {
            p.keywords()
                .iter()
                .filter(|k| {
                    !k.as_str().eq_ignore_ascii_case(Keyword::FORWARDED)
                        && !letters.values().any(|l| l == *k)
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if found.name.passed() {
        keywords.extend(Keyword::try_from(Keyword::FORWARDED).ok());
    }
    keywords.extend(
        found
            .name
            .other_letters()
            .chars()
            .filter_map(|c| letters.get(&c).cloned()),
    );
    let mut flags = Flags::from_parts(found.name.system_bits(), Vec::new());
    for k in keywords {
        flags.insert(Flag::Keyword(k));
    }
    flags
}

/// Dovecot's `dovecot-keywords` file: `<index> <keyword>` per line, letter `a` + index.
fn dovecot_keywords(dir: &Path) -> HashMap<char, Keyword> {
    let Ok(text) = fs::read_to_string(dir.join("dovecot-keywords")) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| {
            let (index, name) = line.split_once(' ')?;
            let index: u8 = index.parse().ok().filter(|i| *i < 26)?;
            Some((
                char::from(b'a' + index),
                Keyword::try_from(name.trim()).ok()?,
            ))
        })
        .collect()
}

pub(super) fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    fs::File::open(path)?.take(limit).read_to_end(&mut data)?;
    Ok(data)
}

/// Removes leftovers from `tmp/`: folders of deleted mailboxes and files of crashed
/// deliveries older than [`TMP_MAX_AGE`].
fn clean_tmp(tmp: &Path) {
    let Ok(entries) = fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with(".deleted-") {
            let _ = fs::remove_dir_all(&path);
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > TMP_MAX_AGE);
        if old {
            let _ = fs::remove_file(&path);
        }
    }
}
