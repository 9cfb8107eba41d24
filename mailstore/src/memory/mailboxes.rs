//! Mailbox operations: list, create, delete, rename, subscribe, special use, status.

use super::MemoryAccount;
use super::state::{State, Touched};
use crate::error::{Result, StoreError};
use crate::mailbox::{MailboxInfo, MailboxStatus};
use crate::message::Unindexed;
use crate::store::{MailboxStore, MessageStore};
use crate::types::{MailboxId, MailboxName, ModSeq, SpecialUses, SystemFlag, UidSet};

/// Creates the missing parents of `name`, top down.
fn create_parents(state: &mut State, name: &MailboxName) {
    let mut parents = Vec::new();
    let mut parent = name.parent();
    while let Some(p) = parent {
        parent = p.parent();
        parents.push(p);
    }
    for p in parents.into_iter().rev() {
        if !state.names.contains_key(&p) {
            state.insert_mailbox(&p, SpecialUses::new());
        }
    }
}

impl MailboxStore for MemoryAccount {
    fn list_mailboxes(&self) -> Result<Vec<MailboxInfo>> {
        self.read(|state| {
            let inbox = MailboxName::inbox();
            let ordered = state
                .names
                .get_key_value(&inbox)
                .into_iter()
                .chain(state.names.iter().filter(|(name, _)| !name.is_inbox()));
            let mut out = Vec::with_capacity(state.names.len());
            for (name, id) in ordered {
                out.push(state.mailbox(*id)?.info(state.has_children(name)));
            }
            Ok(out)
        })
    }

    fn mailbox(&self, name: &MailboxName) -> Result<MailboxInfo> {
        self.read(|state| {
            let mailbox = state.mailbox(state.id_of(name)?)?;
            Ok(mailbox.info(state.has_children(name)))
        })
    }

    fn create_mailbox(&self, name: &MailboxName, special_use: SpecialUses) -> Result<MailboxInfo> {
        self.write(|state| {
            if state.names.contains_key(name) {
                return Err(StoreError::MailboxExists);
            }
            create_parents(state, name);
            let id = state.insert_mailbox(name, special_use);
            let info = state.mailbox(id)?.info(state.has_children(name));
            Ok((info, Touched::new()))
        })
    }

    fn delete_mailbox(&self, name: &MailboxName) -> Result<()> {
        if name.is_inbox() {
            return Err(StoreError::InboxNotAllowed);
        }
        self.write(|state| {
            let id = state.id_of(name)?;
            if state.has_children(name) {
                return Err(StoreError::MailboxHasChildren);
            }
            state.remove_mailbox(id);
            // Wakes its subscribers for good, as the index does.
            Ok(((), vec![(id, i64::MAX as u64)]))
        })
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
        self.write(|state| {
            let id = state.id_of(from)?;
            let mut moving = vec![(from.clone(), id)];
            moving.extend(
                state
                    .names
                    .iter()
                    .filter(|(name, _)| name.is_descendant_of(from))
                    .map(|(name, id)| (name.clone(), *id)),
            );
            for (name, _) in &moving {
                if state
                    .names
                    .contains_key(&name.with_prefix_replaced(from, to))
                {
                    return Err(StoreError::MailboxExists);
                }
            }
            create_parents(state, to);
            let mut touched = Touched::new();
            for (name, _) in &moving {
                state.names.remove(name);
            }
            for (name, id) in moving {
                let new_name = name.with_prefix_replaced(from, to);
                state.names.insert(new_name.clone(), id);
                let mailbox = state.mailbox_mut(id)?;
                mailbox.name = new_name;
                touched.push((id, mailbox.next_modseq()));
            }
            Ok(((), touched))
        })
    }

    fn set_subscribed(&self, name: &MailboxName, subscribed: bool) -> Result<()> {
        self.write(|state| {
            let id = state.id_of(name)?;
            state.mailbox_mut(id)?.subscribed = subscribed;
            Ok(((), Touched::new()))
        })
    }

    fn set_special_use(&self, name: &MailboxName, special_use: SpecialUses) -> Result<()> {
        self.write(|state| {
            let id = state.id_of(name)?;
            state.mailbox_mut(id)?.special_use = special_use;
            Ok(((), Touched::new()))
        })
    }

    fn status(&self, mailbox: MailboxId) -> Result<MailboxStatus> {
        self.read(|state| {
            let m = state.mailbox(mailbox)?;
            let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let unseen = m
                .messages
                .iter()
                .filter(|(_, msg)| !msg.flags.has(SystemFlag::Seen));
            Ok(MailboxStatus {
                id: m.id,
                name: m.name.clone(),
                messages: count(m.messages.len()),
                recent: count(
                    m.messages
                        .keys()
                        .filter(|uid| u64::from(uid.get()) > m.recent_uid)
                        .count(),
                ),
                unseen: count(unseen.clone().count()),
                deleted: count(
                    m.messages
                        .values()
                        .filter(|msg| msg.flags.has(SystemFlag::Deleted))
                        .count(),
                ),
                uid_next: m.uid_next(),
                uid_validity: m.uid_validity,
                highest_modseq: ModSeq::new(m.highest_modseq),
                size: m.messages.values().map(|msg| msg.content.size()).sum(),
                first_unseen: unseen.map(|(uid, _)| *uid).next(),
            })
        })
    }

    fn claim_recent(&self, mailbox: MailboxId) -> Result<UidSet> {
        self.write(|state| {
            let m = state.mailbox_mut(mailbox)?;
            let recent: UidSet = m
                .messages
                .keys()
                .copied()
                .filter(|uid| u64::from(uid.get()) > m.recent_uid)
                .collect();
            m.recent_uid = m.uid_next.saturating_sub(1);
            Ok((recent, Touched::new()))
        })
    }

    /// Messages whose MIME analysis failed (it never panics; should it, the message is
    /// kept as plain text): listed with their stable id as the location. Nothing
    /// analyses them again, since a process keeps one version of the analyzer.
    fn unindexed(&self) -> Result<Vec<Unindexed>> {
        self.read(|state| {
            let mut out = Vec::new();
            for id in state.names.values() {
                let mailbox = state.mailbox(*id)?;
                for (uid, message) in &mailbox.messages {
                    if let Some(reason) = &message.content.failure {
                        out.push(Unindexed {
                            mailbox: mailbox.name.clone(),
                            uid: *uid,
                            location: message.stable_id_text(),
                            reason: reason.clone(),
                        });
                    }
                }
            }
            Ok(out)
        })
    }
}
