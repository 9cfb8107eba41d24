//! EXPUNGE: unlink files, fsync, then drop rows and record the UIDs as vanished.

use std::fs;

use super::{Account, Touched};
use crate::error::{Result, StoreError};
use crate::index::rows;
use crate::message::Expunged;
use crate::types::{MailboxId, ModSeq, SystemFlag, UidSet};

impl Account {
    /// Expunges the messages in `uids` (all when `None`); with `only_deleted`, only
    /// those flagged `\Deleted`.
    pub(super) fn expunge_where(
        &self,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
        only_deleted: bool,
    ) -> Result<Expunged> {
        let all = UidSet::all();
        let uids = uids.unwrap_or(&all);
        self.write(|tx| {
            let row = rows::mailbox_by_id(tx, mailbox)?;
            let dir = self.folder(&row.name);
            let doomed: Vec<_> = rows::messages_in(tx, mailbox, uids)?
                .into_iter()
                .filter(|m| !only_deleted || m.flags.has(SystemFlag::Deleted))
                .collect();
            if doomed.is_empty() {
                return Ok((
                    Expunged {
                        uids: Vec::new(),
                        modseq: ModSeq::new(row.highestmodseq),
                    },
                    Touched::new(),
                ));
            }
            // Files go first: a crash after this leaves rows without files, which the
            // next open expunges; the reverse order would bring messages back.
            for m in &doomed {
                match fs::remove_file(dir.join(&m.file)) {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => return Err(StoreError::io("remove message file")(err)),
                }
            }
            self.sync_dir(&dir.join("cur"))?;
            self.sync_dir(&dir.join("new"))?;
            let modseq = rows::next_modseq(tx, mailbox)?;
            for m in &doomed {
                rows::delete_message(tx, mailbox, m, modseq)?;
            }
            Ok((
                Expunged {
                    uids: doomed.iter().map(|m| m.uid).collect(),
                    modseq: ModSeq::new(modseq),
                },
                Touched::from([(mailbox, modseq)]),
            ))
        })
    }
}
