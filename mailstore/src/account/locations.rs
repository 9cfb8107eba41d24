//! Where the files of recently listed messages are, so that reading a whole message
//! right after a FETCH or a POP3 listing opens its file without an index query.
//!
//! [`Account::fetch_meta`](super::Account) reads each message's file name anyway; it
//! leaves them here, and [`MessageReader::read`](crate::store::MessageReader::read) of
//! the whole message (`BODY[]`, `RFC822`, POP3 `RETR`) looks here first. That saves
//! one SQLite read transaction (pool checkout, file locks, statement) per message.
//!
//! Why a stale entry cannot serve wrong bytes: a Maildir file name starts with a base
//! that is unique to one message and never given to another, and a UID names one
//! message for the life of its mailbox (mailbox ids are never reused, UIDVALIDITY of a
//! mailbox never changes). So a remembered path either opens the bytes of that very
//! message, or is gone (flags renamed it, it was expunged or moved, the mailbox was
//! renamed): then the entry is dropped and the read goes through the index as before.
//! Writes of this process also drop the entries of the mailboxes they touched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::notify::lock;
use crate::types::{MailboxId, Uid};

/// At most this many files are remembered per account (about 80 bytes each).
const MAX_ENTRIES: usize = 16_384;

/// The remembered file locations of one account.
#[derive(Debug, Default)]
pub(super) struct Locations {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: usize,
    mailboxes: HashMap<MailboxId, Folder>,
}

/// One mailbox's folder and its listed files.
#[derive(Debug)]
struct Folder {
    dir: PathBuf,
    listing: Listing,
}

/// Files of one mailbox as a listing found them: the names in one string, entries
/// in ascending UID order (two allocations for the lot, none per message).
#[derive(Debug, Default)]
pub(super) struct Listing {
    names: String,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    uid: u32,
    start: usize,
    /// 0 once forgotten (a file name is never empty).
    len: usize,
    size: u64,
}

impl Listing {
    /// Adds a message's file (relative to the folder) and size; past [`MAX_ENTRIES`]
    /// the rest is not kept.
    pub(super) fn push(&mut self, uid: Uid, file: &str, size: u64) {
        if self.entries.len() < MAX_ENTRIES && !file.is_empty() {
            self.entries.push(Entry {
                uid: uid.get(),
                start: self.names.len(),
                len: file.len(),
                size,
            });
            self.names.push_str(file);
        }
    }

    fn find(&self, uid: Uid) -> Option<usize> {
        self.entries
            .binary_search_by_key(&uid.get(), |e| e.uid)
            .ok()
    }
}

impl Locations {
    /// Remembers the files of `mailbox`, whose folder is `dir`, replacing what was
    /// known of it. Past [`MAX_ENTRIES`] for the account, the other mailboxes are
    /// forgotten.
    pub(super) fn remember(&self, mailbox: MailboxId, dir: &Path, mut listing: Listing) {
        if !listing.entries.is_sorted_by_key(|e| e.uid) {
            listing.entries.sort_unstable_by_key(|e| e.uid);
        }
        let mut state = lock(&self.state);
        if let Some(old) = state.mailboxes.remove(&mailbox) {
            state.entries -= old.listing.entries.len();
        }
        if state.entries + listing.entries.len() > MAX_ENTRIES {
            state.mailboxes.clear();
            state.entries = 0;
        }
        state.entries += listing.entries.len();
        state.mailboxes.insert(
            mailbox,
            Folder {
                dir: dir.to_path_buf(),
                listing,
            },
        );
    }

    /// The remembered path and size of a message's file.
    pub(super) fn get(&self, mailbox: MailboxId, uid: Uid) -> Option<(PathBuf, u64)> {
        let state = lock(&self.state);
        let folder = state.mailboxes.get(&mailbox)?;
        let entry = folder.listing.entries[folder.listing.find(uid)?];
        if entry.len == 0 {
            return None;
        }
        let name = folder
            .listing
            .names
            .get(entry.start..entry.start + entry.len)?;
        Some((folder.dir.join(name), entry.size))
    }

    /// Forgets one message (its file was not where remembered).
    pub(super) fn forget_message(&self, mailbox: MailboxId, uid: Uid) {
        let mut state = lock(&self.state);
        if let Some(folder) = state.mailboxes.get_mut(&mailbox)
            && let Some(i) = folder.listing.find(uid)
        {
            folder.listing.entries[i].len = 0;
        }
    }

    /// Forgets a mailbox (a write changed it).
    pub(super) fn forget(&self, mailbox: MailboxId) {
        let mut state = lock(&self.state);
        if let Some(old) = state.mailboxes.remove(&mailbox) {
            state.entries -= old.listing.entries.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(n: u32) -> Uid {
        Uid::new(n).unwrap()
    }

    #[test]
    fn remembers_forgets_and_stays_bounded() {
        let locations = Locations::default();
        let (a, b) = (MailboxId(1), MailboxId(2));
        let files = |n: u32| {
            let mut listing = Listing::default();
            for i in (1..=n).rev() {
                listing.push(uid(i), &format!("cur/{i}:2,"), u64::from(i));
            }
            listing
        };
        locations.remember(a, Path::new("/m"), files(3));
        assert_eq!(
            locations.get(a, uid(2)),
            Some((PathBuf::from("/m/cur/2:2,"), 2))
        );
        assert_eq!(
            locations.get(a, uid(3)),
            Some((PathBuf::from("/m/cur/3:2,"), 3))
        );
        assert_eq!(locations.get(a, uid(4)), None);
        assert_eq!(locations.get(b, uid(1)), None);
        locations.forget_message(a, uid(2));
        assert_eq!(locations.get(a, uid(2)), None);
        assert!(locations.get(a, uid(3)).is_some());
        locations.forget(a);
        assert_eq!(locations.get(a, uid(3)), None);
        assert_eq!(lock(&locations.state).entries, 0);

        // Over the bound: the other mailbox goes, the listing is cut at the bound.
        locations.remember(b, Path::new("/b"), files(10));
        let mut big = Listing::default();
        for i in 1..=MAX_ENTRIES as u32 + 5 {
            big.push(uid(i), "cur/x", 1);
        }
        locations.remember(a, Path::new("/m"), big);
        assert_eq!(locations.get(b, uid(1)), None);
        assert!(locations.get(a, uid(MAX_ENTRIES as u32)).is_some());
        assert_eq!(locations.get(a, uid(MAX_ENTRIES as u32 + 1)), None);
        assert_eq!(lock(&locations.state).entries, MAX_ENTRIES);
        // Listing the same mailbox again replaces its entries.
        locations.remember(a, Path::new("/n"), files(2));
        assert_eq!(lock(&locations.state).entries, 2);
        assert_eq!(
            locations.get(a, uid(1)),
            Some((PathBuf::from("/n/cur/1:2,"), 1))
        );
    }
}
