//! Appending messages: tmp/ -> fsync -> rename -> fsync dir -> commit.

use std::fs;
use std::io::Read;
use std::path::PathBuf;

use super::{Account, Touched, check_quota};
use crate::error::{Result, StoreError};
use crate::index::rows::{self, NewMessage};
use crate::maildir::{self, MaildirName, TmpFile};
use crate::message::{AppendOptions, Appended};
use crate::mime::{self, Analysis};
use crate::types::{Flags, InternalDate, Keyword, MailboxId, ModSeq, Uid};

/// A message written and fsynced in `tmp/`, scanned, waiting for its commit.
struct Prepared {
    tmp: TmpFile,
    base: String,
    analysis: Analysis,
    flags: Flags,
    internal_date: InternalDate,
}

/// Whether the flags hold `$Forwarded`, which is the Maildir letter `P`.
pub(super) fn passed(flags: &Flags) -> bool {
    flags.has_keyword(Keyword::FORWARDED)
}

/// The file name (relative to the mailbox folder) for a base and flags: `new/<base>`
/// without flags, else `cur/<base>:2,<letters>`.
pub(super) fn file_for(base: &str, flags: &Flags) -> String {
    if flags.system_bits() == 0 && !passed(flags) {
        format!("new/{base}")
    } else {
        format!(
            "cur/{}",
            MaildirName::new(base.to_owned(), flags.system_bits(), passed(flags)).to_cur_name()
        )
    }
}

impl Account {
    fn tmp_name(&self) -> String {
        let now = InternalDate::now();
        let micros = self.micros();
        // The size is added when known: `<unique>,S=<size>` is the base.
        let unique = maildir::unique_base(now.timestamp(), micros, 0);
        unique.trim_end_matches(",S=0").to_owned()
    }

    fn micros(&self) -> u32 {
        // Part of the unique name only; uniqueness comes from pid and counter too.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now();
        now.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_micros())
    }

    fn tmp_dir(&self) -> PathBuf {
        // Every mailbox's files are written in the root's tmp/ and renamed into the
        // mailbox folder: one filesystem, and a mailbox renamed meanwhile does not
        // strand the file.
        self.root().to_path_buf()
    }

    pub(super) fn append_stream(
        &self,
        mailbox: MailboxId,
        message: &mut dyn Read,
        options: &AppendOptions,
    ) -> Result<Appended> {
        let limit = self.inner.options.max_message_size;
        let name = self.tmp_name();
        let mut tmp = TmpFile::create(&self.tmp_dir(), &name)
            .map_err(StoreError::io("create message file"))?;
        if !tmp
            .copy_from(message, limit)
            .map_err(StoreError::io("write message file"))?
        {
            return Err(StoreError::MessageTooLarge { limit });
        }
        if self.inner.options.durable {
            tmp.sync().map_err(StoreError::io("sync message file"))?;
        } else {
            tmp.close();
        }
        // One copy in memory, for the scan; dropped before the commit.
        let analysis = {
            let data = tmp
                .read_back()
                .map_err(StoreError::io("read message file"))?;
            mime::analyze(&data)
        };
        let base = format!("{name},S={}", tmp.size());
        let prepared = Prepared {
            tmp,
            base,
            analysis,
            flags: options.flags.clone(),
            internal_date: options.internal_date.unwrap_or_else(InternalDate::now),
        };
        let mut out = self.commit(mailbox, vec![prepared])?;
        out.pop().ok_or(StoreError::Corrupt("append result"))
    }

    pub(super) fn append_many(
        &self,
        mailbox: MailboxId,
        messages: &[(&[u8], AppendOptions)],
    ) -> Result<Vec<Appended>> {
        let limit = self.inner.options.max_message_size;
        let mut prepared = Vec::with_capacity(messages.len());
        for (bytes, options) in messages {
            if bytes.len() as u64 > limit {
                return Err(StoreError::MessageTooLarge { limit });
            }
            let name = self.tmp_name();
            let mut tmp = TmpFile::create(&self.tmp_dir(), &name)
                .map_err(StoreError::io("create message file"))?;
            tmp.write_all(bytes)
                .map_err(StoreError::io("write message file"))?;
            if self.inner.options.durable {
                tmp.sync().map_err(StoreError::io("sync message file"))?;
            } else {
                tmp.close();
            }
            prepared.push(Prepared {
                base: format!("{name},S={}", bytes.len()),
                tmp,
                analysis: mime::analyze(bytes),
                flags: options.flags.clone(),
                internal_date: options.internal_date.unwrap_or_else(InternalDate::now),
            });
        }
        self.commit(mailbox, prepared)
    }

    /// Renames the prepared files into the mailbox and commits their rows. On failure
    /// the renamed files are removed again, so nothing unacknowledged stays behind.
    fn commit(&self, mailbox: MailboxId, prepared: Vec<Prepared>) -> Result<Vec<Appended>> {
        let mut placed: Vec<PathBuf> = Vec::new();
        let result = self.write(|tx| {
            let row = rows::mailbox_by_id(tx, mailbox)?;
            let total: u64 = prepared.iter().map(|p| p.tmp.size()).sum();
            check_quota(tx, prepared.len() as u64, total)?;
            let dir = self.folder(&row.name);
            let mut out = Vec::with_capacity(prepared.len());
            let mut modseq = row.highestmodseq;
            let (mut used_new, mut used_cur) = (false, false);
            for p in prepared {
                let uid = rows::take_uid(tx, mailbox)?;
                modseq = rows::next_modseq(tx, mailbox)?;
                let file = file_for(&p.base, &p.flags);
                let target = dir.join(&file);
                fs::rename(p.tmp.path(), &target)
                    .map_err(StoreError::io("move message file into place"))?;
                super::unindexed::log_failure(&target, &p.analysis);
                placed.push(target);
                used_new |= file.starts_with("new/");
                used_cur |= file.starts_with("cur/");
                let size = p.tmp.size();
                p.tmp.finish();
                let content_id = rows::insert_content(tx, &p.analysis)?;
                rows::insert_message(
                    tx,
                    &NewMessage {
                        mailbox,
                        uid,
                        content_id,
                        base: &p.base,
                        file: &file,
                        flags: &p.flags,
                        internal_date: p.internal_date,
                        size,
                        modseq,
                    },
                )?;
                out.push(Appended {
                    uid_validity: row.uidvalidity,
                    uid: Uid::new(uid).ok_or(StoreError::Corrupt("uid"))?,
                    modseq: ModSeq::new(modseq),
                    size,
                });
            }
            if used_new {
                self.sync_dir(&dir.join("new"))?;
            }
            if used_cur {
                self.sync_dir(&dir.join("cur"))?;
            }
            Ok((out, Touched::from([(mailbox, modseq)])))
        });
        if result.is_err() {
            for path in placed {
                let _ = fs::remove_file(path);
            }
        }
        result
    }
}
