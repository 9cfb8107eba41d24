//! COPY and MOVE: hard links (or copies) for COPY, renames for MOVE.

use std::fs;
use std::io;
use std::path::Path;

use super::append::file_for;
use super::{Account, Touched, check_quota};
use crate::error::{Result, StoreError};
use crate::index::rows::{self, NewMessage};
use crate::maildir;
use crate::message::{Copied, Expunged};
use crate::types::{InternalDate, MailboxId, ModSeq, Uid, UidSet};

/// Makes `to` a copy of `from`: a hard link where the filesystem allows, else a copy
/// written and fsynced.
fn link_or_copy(from: &Path, to: &Path, durable: bool) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Err(err),
        Err(_) => {
            fs::copy(from, to)?;
            if durable {
                fs::File::open(to)?.sync_all()?;
            }
            Ok(())
        }
    }
}

impl Account {
    pub(super) fn transfer(
        &self,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
        remove: bool,
    ) -> Result<Copied> {
        let mut placed: Vec<(std::path::PathBuf, Option<std::path::PathBuf>)> = Vec::new();
        let result = self.write(|tx| {
            let source = rows::mailbox_by_id(tx, from)?;
            let target = rows::mailbox_by_id(tx, to)?;
            let (src_dir, dst_dir) = (self.folder(&source.name), self.folder(&target.name));
            let messages = rows::messages_in(tx, from, uids)?;
            if !remove {
                check_quota(
                    tx,
                    messages.len() as u64,
                    messages.iter().map(|m| m.size).sum(),
                )?;
            }
            let mut pairs = Vec::with_capacity(messages.len());
            let mut target_modseq = target.highestmodseq;
            let source_modseq = if remove && !messages.is_empty() {
                Some(rows::next_modseq(tx, from)?)
            } else {
                None
            };
            for m in &messages {
                let uid = rows::take_uid(tx, to)?;
                target_modseq = rows::next_modseq(tx, to)?;
                // A copy is a new file with a new unique base; a move keeps its base.
                let base = if remove && from != to {
                    m.base.clone()
                } else {
                    maildir::unique_base(InternalDate::now().timestamp(), uid, m.size)
                };
                let file = file_for(&base, &m.flags);
                let (src, dst) = (src_dir.join(&m.file), dst_dir.join(&file));
                if remove {
                    fs::rename(&src, &dst).map_err(StoreError::io("move message file"))?;
                    placed.push((dst, Some(src)));
                } else {
                    link_or_copy(&src, &dst, self.inner.options.durable)
                        .map_err(StoreError::io("copy message file"))?;
                    placed.push((dst, None));
                }
                rows::insert_message(
                    tx,
                    &NewMessage {
                        mailbox: to,
                        uid,
                        content_id: m.content_id,
                        base: &base,
                        file: &file,
                        flags: &m.flags,
                        internal_date: m.internal_date,
                        size: m.size,
                        modseq: target_modseq,
                    },
                )?;
                if let Some(ms) = source_modseq {
                    rows::delete_message(tx, from, m, ms)?;
                }
                pairs.push((m.uid, Uid::new(uid).ok_or(StoreError::Corrupt("uid"))?));
            }
            if !messages.is_empty() {
                self.sync_dir(&dst_dir.join("cur"))?;
                self.sync_dir(&dst_dir.join("new"))?;
                if remove {
                    self.sync_dir(&src_dir.join("cur"))?;
                    self.sync_dir(&src_dir.join("new"))?;
                }
            }
            let mut touched = Touched::new();
            if !messages.is_empty() {
                touched.push((to, target_modseq));
            }
            if let Some(ms) = source_modseq {
                touched.push((from, ms));
            }
            Ok((
                Copied {
                    uid_validity: target.uidvalidity,
                    uids: pairs.clone(),
                    expunged: remove.then(|| Expunged {
                        uids: pairs.iter().map(|p| p.0).collect(),
                        modseq: ModSeq::new(source_modseq.unwrap_or(source.highestmodseq)),
                    }),
                },
                touched,
            ))
        });
        if result.is_err() {
            for (dst, src) in placed.into_iter().rev() {
                match src {
                    Some(src) => {
                        let _ = fs::rename(dst, src);
                    }
                    None => {
                        let _ = fs::remove_file(dst);
                    }
                }
            }
        }
        result
    }
}
