//! What one in-memory account holds: its mailboxes, their messages, counters and
//! quota, with the bookkeeping rules of the SQLite index (the `mailbox`, `message`,
//! `content`, `expunged` and `meta` tables) so that both backends count alike.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::vanished::Vanished;
use crate::error::{QuotaResource, Result, StoreError};
use crate::mailbox::MailboxInfo;
use crate::mime::{Analysis, BodyStructure};
use crate::quota::Quota;
use crate::search::eval::{Candidate, Indexed};
use crate::search::words::Words;
use crate::types::{
    Flags, InternalDate, MailboxId, MailboxName, ModSeq, SpecialUses, Uid, UidSet, UidValidity,
};

/// The changes a write made, announced after it: mailboxes and their new HIGHESTMODSEQ.
pub(super) type Touched = Vec<(MailboxId, u64)>;

/// A message's bytes and what was computed from them when it was stored; shared by its
/// copies (the index's `content` row, the Maildir hard link).
#[derive(Debug)]
pub(super) struct Content {
    pub(super) bytes: Box<[u8]>,
    pub(super) structure: BodyStructure,
    pub(super) indexed: Indexed,
    /// Why the analysis failed, when it did (see [`crate::Unindexed`]).
    pub(super) failure: Option<String>,
}

impl Content {
    /// Analyses a message, as an append to the index does.
    pub(super) fn new(bytes: Box<[u8]>) -> Self {
        let Analysis {
            structure,
            summary,
            sort_subject,
            header,
            header_text,
            body_text,
            failure,
        } = crate::mime::analyze(&bytes);
        Self {
            indexed: Indexed {
                summary,
                sort_subject,
                header,
                header_words: Words::of(&header_text),
                body_words: Words::of(&body_text),
            },
            bytes,
            structure,
            failure,
        }
    }

    pub(super) fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// One message in a mailbox.
#[derive(Debug, Clone)]
pub(super) struct Message {
    pub(super) flags: Flags,
    pub(super) internal_date: InternalDate,
    pub(super) modseq: ModSeq,
    /// Unique in the account, kept by a move (POP3 `UIDL`).
    pub(super) stable_id: u64,
    pub(super) content: Arc<Content>,
}

impl Message {
    /// The message as search and sort see it.
    pub(super) fn candidate(&self, uid: Uid) -> Candidate<'_> {
        Candidate {
            uid,
            flags: &self.flags,
            internal_date: self.internal_date,
            size: self.content.size(),
            modseq: self.modseq,
            content: &self.content.indexed,
        }
    }

    /// The stable id as [`crate::MessageMeta::stable_id`] gives it.
    pub(super) fn stable_id_text(&self) -> String {
        format!("M{}", self.stable_id)
    }
}

/// One mailbox: the index's `mailbox` row with its messages and expunge history.
#[derive(Debug)]
pub(super) struct Mailbox {
    pub(super) id: MailboxId,
    pub(super) name: MailboxName,
    pub(super) uid_validity: UidValidity,
    pub(super) uid_next: u64,
    pub(super) highest_modseq: u64,
    /// The highest UID claimed as `\Recent` by a session.
    pub(super) recent_uid: u64,
    pub(super) subscribed: bool,
    pub(super) special_use: SpecialUses,
    pub(super) messages: BTreeMap<Uid, Message>,
    pub(super) vanished: Vanished,
}

impl Mailbox {
    /// Takes the next UID.
    pub(super) fn take_uid(&mut self) -> Result<Uid> {
        let uid = u32::try_from(self.uid_next)
            .ok()
            .and_then(Uid::new)
            .ok_or(StoreError::Corrupt("uid"))?;
        self.uid_next = self.uid_next.saturating_add(1);
        Ok(uid)
    }

    /// Whether `count` more UIDs can be given (UIDs end at `u32::MAX`).
    pub(super) fn check_uids_left(&self, count: usize) -> Result<()> {
        if self.uid_next.saturating_add(count as u64) > u64::from(u32::MAX) + 1 {
            return Err(StoreError::Corrupt("uid"));
        }
        Ok(())
    }

    /// The messages whose UIDs are in `uids`, ascending.
    pub(super) fn messages_in<'a>(
        &'a self,
        uids: &'a UidSet,
    ) -> impl Iterator<Item = (Uid, &'a Message)> + 'a {
        uids.ranges()
            .filter(|(lo, hi)| lo <= hi)
            .flat_map(|(lo, hi)| self.messages.range(lo..=hi))
            .map(|(uid, message)| (*uid, message))
    }

    /// Raises HIGHESTMODSEQ by one and returns it.
    pub(super) fn next_modseq(&mut self) -> u64 {
        self.highest_modseq = self.highest_modseq.saturating_add(1);
        self.highest_modseq
    }

    /// UIDNEXT as a UID.
    pub(super) fn uid_next(&self) -> Uid {
        u32::try_from(self.uid_next)
            .ok()
            .and_then(Uid::new)
            .unwrap_or(Uid::MAX)
    }

    pub(super) fn info(&self, has_children: bool) -> MailboxInfo {
        MailboxInfo {
            id: self.id,
            name: self.name.clone(),
            uid_validity: self.uid_validity,
            subscribed: self.subscribed,
            special_use: self.special_use,
            has_children,
        }
    }
}

/// Everything one account holds.
#[derive(Debug)]
pub(super) struct State {
    pub(super) mailboxes: HashMap<MailboxId, Mailbox>,
    /// Mailbox ids by name, in name order (byte order, as the index sorts).
    pub(super) names: BTreeMap<MailboxName, MailboxId>,
    next_id: i64,
    last_uidvalidity: i64,
    next_stable_id: u64,
    usage_bytes: u64,
    usage_messages: u64,
    pub(super) quota: Quota,
}

impl State {
    /// An account with its INBOX.
    pub(super) fn new() -> Self {
        let mut state = Self {
            mailboxes: HashMap::new(),
            names: BTreeMap::new(),
            next_id: 1,
            last_uidvalidity: 0,
            next_stable_id: 1,
            usage_bytes: 0,
            usage_messages: 0,
            quota: Quota::unlimited(),
        };
        state.insert_mailbox(&MailboxName::inbox(), SpecialUses::new());
        state
    }

    pub(super) fn mailbox(&self, id: MailboxId) -> Result<&Mailbox> {
        self.mailboxes.get(&id).ok_or(StoreError::MailboxNotFound)
    }

    pub(super) fn mailbox_mut(&mut self, id: MailboxId) -> Result<&mut Mailbox> {
        self.mailboxes
            .get_mut(&id)
            .ok_or(StoreError::MailboxNotFound)
    }

    pub(super) fn id_of(&self, name: &MailboxName) -> Result<MailboxId> {
        self.names
            .get(name)
            .copied()
            .ok_or(StoreError::MailboxNotFound)
    }

    /// Whether other mailboxes sit below `name`.
    pub(super) fn has_children(&self, name: &MailboxName) -> bool {
        self.names
            .range(name..)
            .skip(1)
            .take_while(|(n, _)| n.as_str().starts_with(name.as_str()))
            .any(|(n, _)| n.is_descendant_of(name))
    }

    /// Adds a mailbox with a fresh UIDVALIDITY (the name must be free).
    pub(super) fn insert_mailbox(
        &mut self,
        name: &MailboxName,
        special_use: SpecialUses,
    ) -> MailboxId {
        let id = MailboxId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        let mailbox = Mailbox {
            id,
            name: name.clone(),
            uid_validity: self.new_uidvalidity(),
            uid_next: 1,
            highest_modseq: 1,
            recent_uid: 0,
            subscribed: false,
            special_use,
            messages: BTreeMap::new(),
            vanished: Vanished::default(),
        };
        self.names.insert(name.clone(), id);
        self.mailboxes.insert(id, mailbox);
        id
    }

    /// A UIDVALIDITY larger than every one handed out before: the clock's seconds, or
    /// the last value plus one, whichever is larger (as the index does).
    fn new_uidvalidity(&mut self) -> UidValidity {
        let now = InternalDate::now().timestamp();
        let value = now
            .max(self.last_uidvalidity.saturating_add(1))
            .clamp(1, i64::from(u32::MAX));
        self.last_uidvalidity = value;
        u32::try_from(value)
            .ok()
            .and_then(UidValidity::new)
            .unwrap_or(UidValidity::MIN)
    }

    /// A stable id never given before in this account.
    pub(super) fn new_stable_id(&mut self) -> u64 {
        let id = self.next_stable_id;
        self.next_stable_id = self.next_stable_id.saturating_add(1);
        id
    }

    /// Checks that adding `messages` messages of `bytes` bytes stays within the quota.
    pub(super) fn check_quota(&self, messages: u64, bytes: u64) -> Result<()> {
        if let Some(limit) = self.quota.max_bytes
            && self.usage_bytes.saturating_add(bytes) > limit
        {
            return Err(StoreError::QuotaExceeded {
                resource: QuotaResource::Storage,
                limit,
            });
        }
        if let Some(limit) = self.quota.max_messages
            && self.usage_messages.saturating_add(messages) > limit
        {
            return Err(StoreError::QuotaExceeded {
                resource: QuotaResource::Messages,
                limit,
            });
        }
        Ok(())
    }

    /// Usage: bytes and messages.
    pub(super) fn usage(&self) -> (u64, u64) {
        (self.usage_bytes, self.usage_messages)
    }

    /// Adds a message to a mailbox, counting it in the usage.
    pub(super) fn add_message(
        &mut self,
        mailbox: MailboxId,
        uid: Uid,
        message: Message,
    ) -> Result<()> {
        let size = message.content.size();
        self.mailbox_mut(mailbox)?.messages.insert(uid, message);
        self.usage_bytes = self.usage_bytes.saturating_add(size);
        self.usage_messages = self.usage_messages.saturating_add(1);
        Ok(())
    }

    /// Takes a message out of a mailbox and records its UID as expunged at `modseq`.
    pub(super) fn expunge_message(
        &mut self,
        mailbox: MailboxId,
        uid: Uid,
        modseq: u64,
    ) -> Result<Option<Message>> {
        let boxed = self.mailbox_mut(mailbox)?;
        let removed = boxed.messages.remove(&uid);
        if removed.is_some() {
            boxed.vanished.record(uid, modseq);
        }
        if let Some(message) = &removed {
            self.uncount(message);
        }
        Ok(removed)
    }

    /// Removes a mailbox and its messages.
    pub(super) fn remove_mailbox(&mut self, id: MailboxId) {
        if let Some(mailbox) = self.mailboxes.remove(&id) {
            self.names.remove(&mailbox.name);
            for message in mailbox.messages.values() {
                self.uncount(message);
            }
        }
    }

    fn uncount(&mut self, message: &Message) {
        self.usage_bytes = self.usage_bytes.saturating_sub(message.content.size());
        self.usage_messages = self.usage_messages.saturating_sub(1);
    }
}
