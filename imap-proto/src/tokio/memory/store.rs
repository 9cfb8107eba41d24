//! The data of the in-memory backend: users, mailboxes, messages, and the
//! notification channel of each mailbox.

use std::collections::BTreeMap;

use bytes::Bytes;
use tokio::sync::broadcast;

use crate::server::{MailboxChanges, MessageFlags};
use crate::tokio::memory::mime::Part;
use crate::types::{DateTime, Flag, MailboxAttribute, Uid};

/// Change notifications kept per mailbox before slow listeners lag.
const NOTICES: usize = 4096;

/// A stored message.
#[derive(Debug)]
pub(crate) struct Stored {
    pub(crate) uid: u32,
    pub(crate) raw: Bytes,
    pub(crate) part: Part,
    pub(crate) flags: Vec<Flag<'static>>,
    pub(crate) internal_date: DateTime,
    pub(crate) modseq: u64,
}

/// A change and the account that made it (which does not hear about its own).
#[derive(Clone, Debug)]
pub(crate) struct Notice {
    pub(crate) origin: u64,
    pub(crate) changes: MailboxChanges,
}

/// One mailbox.
#[derive(Debug)]
pub(crate) struct Folder {
    pub(crate) uid_validity: u32,
    pub(crate) uid_next: u32,
    pub(crate) highest_modseq: u64,
    pub(crate) messages: Vec<Stored>,
    pub(crate) subscribed: bool,
    pub(crate) special_use: Option<MailboxAttribute<'static>>,
    /// (UID, mod-sequence of the expunge), for QRESYNC.
    pub(crate) expunged: Vec<(u32, u64)>,
    pub(crate) notices: broadcast::Sender<Notice>,
}

impl Folder {
    pub(crate) fn new(uid_validity: u32) -> Self {
        Self {
            uid_validity,
            uid_next: 1,
            highest_modseq: 1,
            messages: Vec::new(),
            subscribed: false,
            special_use: None,
            expunged: Vec::new(),
            notices: broadcast::channel(NOTICES).0,
        }
    }

    pub(crate) fn next_modseq(&mut self) -> u64 {
        self.highest_modseq += 1;
        self.highest_modseq
    }

    pub(crate) fn add(
        &mut self,
        raw: Bytes,
        flags: Vec<Flag<'static>>,
        internal_date: DateTime,
    ) -> u32 {
        let uid = self.uid_next;
        self.uid_next += 1;
        let modseq = self.next_modseq();
        let part = Part::parse(&raw);
        self.messages.push(Stored {
            uid,
            raw,
            part,
            flags,
            internal_date,
            modseq,
        });
        uid
    }

    pub(crate) fn find_mut(&mut self, uid: u32) -> Option<&mut Stored> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid)
            .ok()
            .map(|i| &mut self.messages[i])
    }

    pub(crate) fn find(&self, uid: u32) -> Option<&Stored> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid)
            .ok()
            .map(|i| &self.messages[i])
    }

    /// Removes messages, logs them for QRESYNC and tells the listeners.
    pub(crate) fn remove(&mut self, uids: &[u32], origin: u64) -> Vec<Uid> {
        let modseq = self.next_modseq();
        let mut gone = Vec::new();
        self.messages.retain(|m| {
            let hit = uids.contains(&m.uid);
            if hit {
                gone.push(m.uid);
            }
            !hit
        });
        self.expunged.extend(gone.iter().map(|&u| (u, modseq)));
        let gone: Vec<Uid> = gone.into_iter().filter_map(Uid::new).collect();
        self.notify(
            origin,
            MailboxChanges::new()
                .expunged(gone.iter().copied())
                .with_highest_modseq(modseq),
        );
        gone
    }

    pub(crate) fn notify(&self, origin: u64, changes: MailboxChanges) {
        if !changes.is_empty() {
            // Nobody listening is fine.
            let _ = self.notices.send(Notice { origin, changes });
        }
    }

    pub(crate) fn flags_of(m: &Stored) -> MessageFlags {
        MessageFlags {
            uid: Uid::new(m.uid).unwrap_or(Uid::MIN),
            flags: m.flags.clone(),
            modseq: Some(m.modseq),
        }
    }
}

/// One user's mailboxes.
#[derive(Debug)]
pub(crate) struct UserStore {
    pub(crate) password: String,
    pub(crate) folders: BTreeMap<String, Folder>,
    next_uid_validity: u32,
}

impl UserStore {
    pub(crate) fn new(password: String) -> Self {
        let mut store = Self {
            password,
            folders: BTreeMap::new(),
            next_uid_validity: 1,
        };
        store.create("INBOX");
        store
    }

    /// Creates a mailbox; `false` when it exists.
    pub(crate) fn create(&mut self, name: &str) -> bool {
        if self.folders.contains_key(name) {
            return false;
        }
        let validity = self.next_uid_validity;
        self.next_uid_validity += 1;
        self.folders.insert(name.to_owned(), Folder::new(validity));
        true
    }
}
