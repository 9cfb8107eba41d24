//! Writing messages: append, flags (MODSEQ, UNCHANGEDSINCE), copy and move (COPYUID),
//! expunge (VANISHED data).

use std::io::Read;
use std::sync::Arc;

use super::MemoryAccount;
use super::state::{Content, Message, Touched};
use crate::error::{Result, StoreError};
use crate::message::{AppendOptions, Appended, Copied, Expunged, FlagUpdate, FlagsStored};
use crate::store::MessageStore;
use crate::types::{FlagOp, Flags, InternalDate, MailboxId, ModSeq, SystemFlag, Uid, UidSet};

impl MemoryAccount {
    /// Stores a message whose size was checked: analysed first, outside the lock.
    fn insert(
        &self,
        mailbox: MailboxId,
        bytes: Box<[u8]>,
        options: &AppendOptions,
    ) -> Result<Appended> {
        let content = Arc::new(Content::new(bytes));
        let size = content.size();
        let internal_date = options.internal_date.unwrap_or_else(InternalDate::now);
        self.write(|state| {
            state.mailbox(mailbox)?.check_uids_left(1)?;
            state.check_quota(1, size)?;
            let stable_id = state.new_stable_id();
            let target = state.mailbox_mut(mailbox)?;
            let uid = target.take_uid()?;
            let modseq = target.next_modseq();
            let uid_validity = target.uid_validity;
            let message = Message {
                flags: options.flags.clone(),
                internal_date,
                modseq: ModSeq::new(modseq),
                stable_id,
                content,
            };
            state.add_message(mailbox, uid, message)?;
            let appended = Appended {
                uid_validity,
                uid,
                modseq: ModSeq::new(modseq),
                size,
            };
            Ok((appended, vec![(mailbox, modseq)]))
        })
    }

    /// COPY (`remove` false) or MOVE (`remove` true).
    fn transfer(
        &self,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
        remove: bool,
    ) -> Result<Copied> {
        self.write(|state| {
            let source = state.mailbox(from)?;
            let target = state.mailbox(to)?;
            let found: Vec<(Uid, Message)> = source
                .messages_in(uids)
                .map(|(uid, message)| (uid, message.clone()))
                .collect();
            target.check_uids_left(found.len())?;
            if !remove {
                let bytes = found.iter().map(|(_, m)| m.content.size()).sum();
                state.check_quota(found.len() as u64, bytes)?;
            }
            let (source_highest, uid_validity) = (source.highest_modseq, target.uid_validity);
            let source_modseq = if remove && !found.is_empty() {
                Some(state.mailbox_mut(from)?.next_modseq())
            } else {
                None
            };
            let mut target_modseq = 0;
            let mut pairs = Vec::with_capacity(found.len());
            for (uid, message) in found {
                let target = state.mailbox_mut(to)?;
                let new_uid = target.take_uid()?;
                target_modseq = target.next_modseq();
                // A move keeps the message's identity; a copy is a new message.
                let stable_id = if remove && from != to {
                    message.stable_id
                } else {
                    state.new_stable_id()
                };
                let copy = Message {
                    modseq: ModSeq::new(target_modseq),
                    stable_id,
                    ..message
                };
                state.add_message(to, new_uid, copy)?;
                if let Some(ms) = source_modseq {
                    state.expunge_message(from, uid, ms)?;
                }
                pairs.push((uid, new_uid));
            }
            let mut touched = Touched::new();
            if !pairs.is_empty() {
                touched.push((to, target_modseq));
            }
            if let Some(ms) = source_modseq {
                touched.push((from, ms));
            }
            let expunged = remove.then(|| Expunged {
                uids: pairs.iter().map(|p| p.0).collect(),
                modseq: ModSeq::new(source_modseq.unwrap_or(source_highest)),
            });
            let copied = Copied {
                uid_validity,
                uids: pairs,
                expunged,
            };
            Ok((copied, touched))
        })
    }

    /// Expunges the messages in `uids` (all when `None`); with `only_deleted`, only
    /// those flagged `\Deleted`.
    fn expunge_where(
        &self,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
        only_deleted: bool,
    ) -> Result<Expunged> {
        let all = UidSet::all();
        let uids = uids.unwrap_or(&all);
        self.write(|state| {
            let source = state.mailbox(mailbox)?;
            let doomed: Vec<Uid> = source
                .messages_in(uids)
                .filter(|(_, m)| !only_deleted || m.flags.has(SystemFlag::Deleted))
                .map(|(uid, _)| uid)
                .collect();
            if doomed.is_empty() {
                let modseq = ModSeq::new(source.highest_modseq);
                return Ok((
                    Expunged {
                        uids: doomed,
                        modseq,
                    },
                    Touched::new(),
                ));
            }
            let modseq = state.mailbox_mut(mailbox)?.next_modseq();
            for uid in &doomed {
                state.expunge_message(mailbox, *uid, modseq)?;
            }
            let expunged = Expunged {
                uids: doomed,
                modseq: ModSeq::new(modseq),
            };
            Ok((expunged, vec![(mailbox, modseq)]))
        })
    }
}

impl MessageStore for MemoryAccount {
    fn append(
        &self,
        mailbox: MailboxId,
        message: &mut dyn Read,
        options: &AppendOptions,
    ) -> Result<Appended> {
        let limit = self.inner.max_message_size;
        let mut bytes = Vec::new();
        message
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(StoreError::io("read message"))?;
        if bytes.len() as u64 > limit {
            return Err(StoreError::MessageTooLarge { limit });
        }
        self.insert(mailbox, bytes.into_boxed_slice(), options)
    }

    fn append_bytes(
        &self,
        mailbox: MailboxId,
        message: &[u8],
        options: &AppendOptions,
    ) -> Result<Appended> {
        let limit = self.inner.max_message_size;
        if message.len() as u64 > limit {
            return Err(StoreError::MessageTooLarge { limit });
        }
        self.insert(mailbox, message.into(), options)
    }

    fn store_flags(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<FlagsStored> {
        self.write(|state| {
            let target = state.mailbox_mut(mailbox)?;
            let current: Vec<(Uid, Flags, ModSeq)> = target
                .messages_in(uids)
                .map(|(uid, m)| (uid, m.flags.clone(), m.modseq))
                .collect();
            let mut out = FlagsStored::default();
            let mut modseq: Option<u64> = None;
            for (uid, old, old_modseq) in current {
                if unchanged_since.is_some_and(|since| old_modseq > since) {
                    out.modified.insert(uid);
                    continue;
                }
                let new = old.apply(op, flags);
                if new.same_as(&old) {
                    out.updates.push(FlagUpdate {
                        uid,
                        flags: old,
                        modseq: old_modseq,
                        changed: false,
                    });
                    continue;
                }
                let ms = match modseq {
                    Some(ms) => ms,
                    None => *modseq.insert(target.next_modseq()),
                };
                if let Some(message) = target.messages.get_mut(&uid) {
                    message.flags = new.clone();
                    message.modseq = ModSeq::new(ms);
                }
                out.updates.push(FlagUpdate {
                    uid,
                    flags: new,
                    modseq: ModSeq::new(ms),
                    changed: true,
                });
            }
            let touched: Touched = modseq.map(|ms| (mailbox, ms)).into_iter().collect();
            Ok((out, touched))
        })
    }

    fn copy(&self, from: MailboxId, uids: &UidSet, to: MailboxId) -> Result<Copied> {
        self.transfer(from, uids, to, false)
    }

    fn move_messages(&self, from: MailboxId, uids: &UidSet, to: MailboxId) -> Result<Copied> {
        self.transfer(from, uids, to, true)
    }

    fn expunge(&self, mailbox: MailboxId, uids: Option<&UidSet>) -> Result<Expunged> {
        self.expunge_where(mailbox, uids, true)
    }

    fn remove(&self, mailbox: MailboxId, uids: &UidSet) -> Result<Expunged> {
        self.expunge_where(mailbox, Some(uids), false)
    }
}
