//! STORE: flag changes with MODSEQ and UNCHANGEDSINCE, mirrored in Maildir file names.

use std::fs;
use std::path::PathBuf;

use rusqlite::params;

use super::append::passed;
use super::{Account, Touched};
use crate::error::{Result, StoreError};
use crate::index::rows::{self, keywords_text};
use crate::maildir::MaildirName;
use crate::message::{FlagUpdate, FlagsStored};
use crate::types::{FlagOp, Flags, MailboxId, ModSeq, UidSet};

/// The file name (relative to the folder) a message gets for new flags: `cur/` with the
/// new letters, keeping letters this store does not interpret.
pub(super) fn renamed_file(current: &str, base: &str, flags: &Flags) -> String {
    let file_name = current.rsplit('/').next().unwrap_or(current);
    let name = MaildirName::parse(file_name)
        .unwrap_or_else(|| MaildirName::new(base.to_owned(), 0, false));
    let name = if current.starts_with("new/") {
        MaildirName::new(name.base().to_owned(), 0, false)
    } else {
        name
    };
    format!(
        "cur/{}",
        name.with_flags(flags.system_bits(), passed(flags))
            .to_cur_name()
    )
}

impl Account {
    pub(super) fn change_flags(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<FlagsStored> {
        let mut renamed: Vec<(PathBuf, PathBuf)> = Vec::new();
        let result = self.write(|tx| {
            let row = rows::mailbox_by_id(tx, mailbox)?;
            let dir = self.folder(&row.name);
            let messages = rows::messages_in(tx, mailbox, uids)?;
            let mut out = FlagsStored::default();
            let mut modseq: Option<u64> = None;
            let mut update = tx.prepare_cached(
                "UPDATE message SET flags = ?1, keywords = ?2, file = ?3, modseq = ?4 WHERE id = ?5",
            )?;
            for m in messages {
                if unchanged_since.is_some_and(|since| m.modseq > since) {
                    out.modified.insert(m.uid);
                    continue;
                }
                let new = m.flags.apply(op, flags);
                if new.same_as(&m.flags) {
                    out.updates.push(FlagUpdate {
                        uid: m.uid,
                        flags: m.flags,
                        modseq: m.modseq,
                        changed: false,
                    });
                    continue;
                }
                let ms = match modseq {
                    Some(ms) => ms,
                    None => *modseq.insert(rows::next_modseq(tx, mailbox)?),
                };
                let system_changed = new.system_bits() != m.flags.system_bits() || passed(&new) != passed(&m.flags);
                let mut file = m.file.clone();
                if system_changed {
                    let target = renamed_file(&m.file, &m.base, &new);
                    let (from, to) = (dir.join(&m.file), dir.join(&target));
                    match fs::rename(&from, &to) {
                        Ok(()) => {
                            renamed.push((from, to));
                            file = target;
                        }
                        // Moved or removed by another program: the flags still change in
                        // the index; the next reconcile finds the file (or drops the row).
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                        Err(err) => return Err(StoreError::io("rename message file")(err)),
                    }
                }
                update.execute(params![new.system_bits(), keywords_text(&new), file, ms, m.id])?;
                out.updates.push(FlagUpdate {
                    uid: m.uid,
                    flags: new,
                    modseq: ModSeq::new(ms),
                    changed: true,
                });
            }
            if !renamed.is_empty() {
                self.sync_dir(&dir.join("cur"))?;
                if renamed.iter().any(|(from, _)| from.parent().is_some_and(|p| p.ends_with("new"))) {
                    self.sync_dir(&dir.join("new"))?;
                }
            }
            let touched: Touched = modseq.map(|ms| (mailbox, ms)).into_iter().collect();
            Ok((out, touched))
        });
        if result.is_err() {
            for (from, to) in renamed.into_iter().rev() {
                let _ = fs::rename(to, from);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SystemFlag;

    #[test]
    fn file_names_follow_flags() {
        let seen = Flags::new().with(SystemFlag::Seen);
        assert_eq!(
            renamed_file("new/abc,S=3", "abc,S=3", &seen),
            "cur/abc,S=3:2,S"
        );
        assert_eq!(
            renamed_file("cur/abc:2,Sa", "abc", &Flags::new()),
            "cur/abc:2,a"
        );
        let fwd = Flags::new()
            .with(SystemFlag::Flagged)
            .with(crate::types::Keyword::try_from("$Forwarded").unwrap());
        assert_eq!(renamed_file("cur/abc:2,", "abc", &fwd), "cur/abc:2,FP");
    }
}
