//! An in-memory [`Backend`]: users, mailboxes and messages kept in memory, with
//! change notifications between connections. For tests, examples and prototypes;
//! it shows the backend traits in use without a store.

mod fetch;
mod header;
mod mime;
mod search;
mod store;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::broadcast;

use crate::command::{SearchKey, SortCriterion, StatusItem, StoreKind};
use crate::response::FetchData;
use crate::server::{
    AppendUid, CopyResult, LoginRejection, MailboxChanges, MailboxInfo, Rejection, SelectedMailbox,
    StatusInfo, StoreResult,
};
use crate::tokio::{Account, Backend, FetchRequest, Peer, SelectRequest};
use crate::types::{DateTime, Flag, MailboxAttribute, SequenceSet, Uid};

use self::store::{Folder, Notice, UserStore};

/// Largest message the in-memory backend stores.
const MAX_MESSAGE: u64 = 32 * 1024 * 1024;

/// Users and their mailboxes, in memory. Cloning shares the data.
#[derive(Clone, Debug, Default)]
pub struct MemoryBackend {
    users: Arc<Mutex<HashMap<String, Arc<Mutex<UserStore>>>>>,
    accounts: Arc<AtomicU64>,
}

/// One connection's view of a user's mailboxes in a [`MemoryBackend`].
#[derive(Debug)]
pub struct MemoryAccount {
    store: Arc<Mutex<UserStore>>,
    id: u64,
    selected: Option<Selected>,
}

#[derive(Debug)]
struct Selected {
    name: String,
    notices: broadcast::Receiver<Notice>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep serving it.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn uid(n: u32) -> Uid {
    Uid::new(n).unwrap_or(Uid::MIN)
}

/// The current time as an IMAP date-time in UTC.
fn now() -> DateTime {
    // The store stamps real dates (APPEND without a date): it may read the clock.
    #[allow(
        clippy::disallowed_methods,
        reason = "storage stamps real internal dates"
    )]
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    DateTime::from_unix(seconds, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user (with an INBOX); replaces the password of an existing one.
    pub fn add_user(&self, name: &str, password: &str) {
        let mut users = lock(&self.users);
        match users.get(name) {
            Some(store) => lock(store).password = password.to_owned(),
            None => {
                users.insert(
                    name.to_owned(),
                    Arc::new(Mutex::new(UserStore::new(password.to_owned()))),
                );
            }
        }
    }

    fn user(&self, name: &str) -> Option<Arc<Mutex<UserStore>>> {
        lock(&self.users).get(name).cloned()
    }

    /// Creates a mailbox, optionally with a special use (`\Sent`, `\Trash`, ...).
    /// Returns `false` for an unknown user or an existing mailbox.
    pub fn create_mailbox(
        &self,
        user: &str,
        name: &str,
        special_use: Option<MailboxAttribute<'static>>,
    ) -> bool {
        let Some(store) = self.user(user) else {
            return false;
        };
        let mut store = lock(&store);
        if !store.create(name) {
            return false;
        }
        if let Some(folder) = store.folders.get_mut(name) {
            folder.special_use = special_use;
        }
        true
    }

    /// Stores a message (for seeding); returns its UID, or `None` for an unknown
    /// user or mailbox.
    pub fn append(
        &self,
        user: &str,
        mailbox: &str,
        message: &[u8],
        flags: Vec<Flag<'static>>,
    ) -> Option<Uid> {
        let store = self.user(user)?;
        let mut store = lock(&store);
        let folder = store.folders.get_mut(mailbox)?;
        let new = folder.add(Bytes::copy_from_slice(message), flags, now());
        folder.notify(
            0,
            MailboxChanges::new()
                .added([uid(new)])
                .with_highest_modseq(folder.highest_modseq),
        );
        Some(uid(new))
    }

    /// Number of messages in a mailbox, or `None` for an unknown user or mailbox.
    pub fn message_count(&self, user: &str, mailbox: &str) -> Option<usize> {
        let store = self.user(user)?;
        let store = lock(&store);
        store.folders.get(mailbox).map(|f| f.messages.len())
    }
}

impl Backend for MemoryBackend {
    type Account = MemoryAccount;

    async fn login(
        &self,
        username: &str,
        password: &[u8],
        authzid: Option<&str>,
        _peer: Peer,
    ) -> Result<MemoryAccount, LoginRejection> {
        let store = self.user(username).ok_or(LoginRejection::BadCredentials)?;
        if lock(&store).password.as_bytes() != password {
            return Err(LoginRejection::BadCredentials);
        }
        if authzid.is_some_and(|a| a != username) {
            return Err(LoginRejection::NotAuthorized);
        }
        Ok(MemoryAccount {
            store,
            id: self.accounts.fetch_add(1, Ordering::Relaxed) + 1,
            selected: None,
        })
    }

    fn supports_sort(&self) -> bool {
        true
    }
}

fn status_of(folder: &Folder) -> StatusInfo {
    let unseen = folder
        .messages
        .iter()
        .filter(|m| !m.flags.contains(&Flag::SEEN))
        .count();
    let deleted = folder
        .messages
        .iter()
        .filter(|m| m.flags.contains(&Flag::DELETED))
        .count();
    let size: u64 = folder.messages.iter().map(|m| m.raw.len() as u64).sum();
    StatusInfo::new(
        folder.messages.len() as u32,
        unseen as u32,
        uid(folder.uid_next),
        uid(folder.uid_validity),
    )
    .with_details(deleted as u32, size, Some(folder.highest_modseq))
}

impl MemoryAccount {
    fn with_selected<T>(
        &self,
        f: impl FnOnce(&mut Folder, u64) -> Result<T, Rejection>,
    ) -> Result<T, Rejection> {
        let name = self
            .selected
            .as_ref()
            .map(|s| s.name.clone())
            .ok_or_else(Rejection::server_bug)?;
        let mut store = lock(&self.store);
        let folder = store
            .folders
            .get_mut(&name)
            .ok_or_else(Rejection::nonexistent)?;
        f(folder, self.id)
    }
}

impl Account for MemoryAccount {
    async fn list(&mut self, status: Option<&[StatusItem]>) -> Result<Vec<MailboxInfo>, Rejection> {
        let store = lock(&self.store);
        Ok(store
            .folders
            .iter()
            .map(|(name, folder)| {
                let mut info = MailboxInfo::new(name.clone()).subscribed(folder.subscribed);
                if let Some(attribute) = &folder.special_use {
                    info = info.with_attribute(attribute.clone());
                }
                if status.is_some() {
                    info = info.with_status(status_of(folder));
                }
                info
            })
            .collect())
    }

    async fn status(
        &mut self,
        mailbox: &str,
        _items: &[StatusItem],
    ) -> Result<StatusInfo, Rejection> {
        let store = lock(&self.store);
        store
            .folders
            .get(mailbox)
            .map(status_of)
            .ok_or_else(Rejection::nonexistent)
    }

    async fn create(&mut self, mailbox: &str) -> Result<(), Rejection> {
        match lock(&self.store).create(mailbox) {
            true => Ok(()),
            false => Err(Rejection::already_exists()),
        }
    }

    async fn delete(&mut self, mailbox: &str) -> Result<(), Rejection> {
        match lock(&self.store).folders.remove(mailbox) {
            Some(_) => Ok(()),
            None => Err(Rejection::nonexistent()),
        }
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<(), Rejection> {
        let mut store = lock(&self.store);
        if store.folders.contains_key(to) {
            return Err(Rejection::already_exists());
        }
        if from.eq_ignore_ascii_case("INBOX") {
            // RFC 9051 section 6.3.6: INBOX's messages move; INBOX stays, empty.
            if !store.create(to) {
                return Err(Rejection::already_exists());
            }
            let moved: Vec<store::Stored> = store
                .folders
                .get_mut("INBOX")
                .map(|f| std::mem::take(&mut f.messages))
                .unwrap_or_default();
            if let Some(target) = store.folders.get_mut(to) {
                for m in moved {
                    target.add(m.raw, m.flags, m.internal_date);
                }
            }
            return Ok(());
        }
        let prefix = format!("{from}/");
        let names: Vec<String> = store
            .folders
            .keys()
            .filter(|n| *n == from || n.starts_with(&prefix))
            .cloned()
            .collect();
        if names.is_empty() {
            return Err(Rejection::nonexistent());
        }
        for name in names {
            if let Some(folder) = store.folders.remove(&name) {
                let renamed = format!("{to}{}", &name[from.len()..]);
                store.folders.insert(renamed, folder);
            }
        }
        Ok(())
    }

    async fn subscribe(&mut self, mailbox: &str, subscribed: bool) -> Result<(), Rejection> {
        let mut store = lock(&self.store);
        match store.folders.get_mut(mailbox) {
            Some(folder) => {
                folder.subscribed = subscribed;
                Ok(())
            }
            None if !subscribed => Ok(()),
            None => Err(Rejection::nonexistent()),
        }
    }

    async fn select(
        &mut self,
        mailbox: &str,
        request: &SelectRequest,
    ) -> Result<SelectedMailbox, Rejection> {
        let store = lock(&self.store);
        let folder = store
            .folders
            .get(mailbox)
            .ok_or_else(Rejection::nonexistent)?;
        let uids = folder.messages.iter().map(|m| uid(m.uid)).collect();
        let first_unseen = folder
            .messages
            .iter()
            .find(|m| !m.flags.contains(&Flag::SEEN))
            .map(|m| uid(m.uid));
        let mut snapshot =
            SelectedMailbox::new(uid(folder.uid_validity), uid(folder.uid_next), uids)
                .with_highest_modseq(folder.highest_modseq)
                .with_first_unseen(first_unseen);
        if let Some(q) = &request.qresync
            && q.uid_validity.get() == folder.uid_validity
        {
            let changed = folder
                .messages
                .iter()
                .filter(|m| m.modseq > q.modseq)
                .map(Folder::flags_of)
                .collect();
            let vanished = folder
                .expunged
                .iter()
                .filter(|(_, m)| *m > q.modseq)
                .map(|(u, _)| uid(*u))
                .collect();
            snapshot = snapshot.with_changes(changed, Some(vanished));
        }
        self.selected = Some(Selected {
            name: mailbox.to_owned(),
            notices: folder.notices.subscribe(),
        });
        Ok(snapshot)
    }

    fn deselect(&mut self) {
        self.selected = None;
    }

    async fn check_append(&mut self, mailbox: &str, size: u64) -> Result<(), Rejection> {
        if !lock(&self.store).folders.contains_key(mailbox) {
            return Err(Rejection::try_create());
        }
        if size > MAX_MESSAGE {
            return Err(Rejection::too_big());
        }
        Ok(())
    }

    async fn append(
        &mut self,
        mailbox: &str,
        flags: &[Flag<'static>],
        date: Option<DateTime>,
        message: Bytes,
    ) -> Result<AppendUid, Rejection> {
        let mut store = lock(&self.store);
        let folder = store
            .folders
            .get_mut(mailbox)
            .ok_or_else(Rejection::try_create)?;
        let new = folder.add(message, flags.to_vec(), date.unwrap_or_else(now));
        // New messages are announced to every session, this one included: its
        // session ignores what it already knows.
        folder.notify(
            0,
            MailboxChanges::new()
                .added([uid(new)])
                .with_highest_modseq(folder.highest_modseq),
        );
        Ok(AppendUid {
            uid_validity: uid(folder.uid_validity),
            uid: uid(new),
        })
    }

    async fn fetch(
        &mut self,
        uids: &[Uid],
        request: &FetchRequest,
    ) -> Result<Vec<(Uid, Vec<FetchData<'static>>)>, Rejection> {
        self.with_selected(|folder, origin| {
            let mut out = Vec::with_capacity(uids.len());
            let mut seen = Vec::new();
            for &u in uids {
                let Some(position) = folder
                    .messages
                    .binary_search_by_key(&u.get(), |m| m.uid)
                    .ok()
                else {
                    continue;
                };
                if request
                    .changed_since
                    .is_some_and(|cs| folder.messages[position].modseq <= cs)
                {
                    continue;
                }
                let mut attributes = request.attributes.clone();
                if request.mark_seen && !folder.messages[position].flags.contains(&Flag::SEEN) {
                    let modseq = folder.next_modseq();
                    let m = &mut folder.messages[position];
                    m.flags.push(Flag::SEEN);
                    m.modseq = modseq;
                    seen.push(Folder::flags_of(m));
                    if !attributes.contains(&crate::command::FetchAttribute::Flags) {
                        attributes.push(crate::command::FetchAttribute::Flags);
                    }
                }
                out.push((u, fetch::items(&folder.messages[position], u, &attributes)));
            }
            if !seen.is_empty() {
                let mut changes = MailboxChanges::new().with_highest_modseq(folder.highest_modseq);
                changes.flags = seen;
                folder.notify(origin, changes);
            }
            Ok(out)
        })
    }

    async fn vanished(&mut self, since: u64, range: &SequenceSet) -> Result<Vec<Uid>, Rejection> {
        self.with_selected(|folder, _| {
            Ok(folder
                .expunged
                .iter()
                .filter(|(u, m)| *m > since && range.contains(*u, u32::MAX))
                .map(|(u, _)| uid(*u))
                .collect())
        })
    }

    async fn store(
        &mut self,
        uids: &[Uid],
        kind: StoreKind,
        flags: &[Flag<'static>],
        unchanged_since: Option<u64>,
    ) -> Result<StoreResult, Rejection> {
        self.with_selected(|folder, origin| {
            let mut result = StoreResult::default();
            for &u in uids {
                let Some(current) = folder.find(u.get()).map(|m| (m.modseq, m.flags.clone()))
                else {
                    continue;
                };
                if unchanged_since.is_some_and(|limit| current.0 > limit) {
                    result.modified.push(u);
                    continue;
                }
                let mut new = current.1.clone();
                match kind {
                    StoreKind::Replace => {
                        new = flags
                            .iter()
                            .filter(|f| **f != Flag::RECENT)
                            .cloned()
                            .collect()
                    }
                    StoreKind::Add => {
                        for f in flags.iter().filter(|f| **f != Flag::RECENT) {
                            if !new.contains(f) {
                                new.push(f.clone());
                            }
                        }
                    }
                    StoreKind::Remove => new.retain(|f| !flags.contains(f)),
                }
                let changed =
                    new.len() != current.1.len() || new.iter().any(|f| !current.1.contains(f));
                let modseq = if changed {
                    folder.next_modseq()
                } else {
                    current.0
                };
                if let Some(m) = folder.find_mut(u.get()) {
                    m.flags = new;
                    m.modseq = modseq;
                    result.updated.push(Folder::flags_of(m));
                }
            }
            let mut changes = MailboxChanges::new().with_highest_modseq(folder.highest_modseq);
            changes.flags = result.updated.clone();
            folder.notify(origin, changes);
            Ok(result)
        })
    }

    async fn search(
        &mut self,
        criteria: &[SearchKey<'static>],
        candidates: &[Uid],
        sort: Option<&[SortCriterion]>,
    ) -> Result<(Vec<Uid>, Option<u64>), Rejection> {
        #[allow(
            clippy::disallowed_methods,
            reason = "OLDER/YOUNGER compare with the real time"
        )]
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        self.with_selected(|folder, _| {
            let mut hits: Vec<&store::Stored> = candidates
                .iter()
                .filter_map(|u| folder.find(u.get()))
                .filter(|m| criteria.iter().all(|k| search::matches(k, m, now)))
                .collect();
            if let Some(criteria) = sort {
                search::sort(&mut hits, criteria);
            }
            let modseq = hits.iter().map(|m| m.modseq).max();
            Ok((hits.iter().map(|m| uid(m.uid)).collect(), modseq))
        })
    }

    async fn copy(
        &mut self,
        uids: &[Uid],
        destination: &str,
        is_move: bool,
    ) -> Result<CopyResult, Rejection> {
        let source = self
            .selected
            .as_ref()
            .map(|s| s.name.clone())
            .ok_or_else(Rejection::server_bug)?;
        let mut store = lock(&self.store);
        if !store.folders.contains_key(destination) {
            return Err(Rejection::try_create());
        }
        let copies: Vec<(u32, Bytes, Vec<Flag<'static>>, DateTime)> = {
            let from = store
                .folders
                .get(&source)
                .ok_or_else(Rejection::nonexistent)?;
            let mut wanted: Vec<u32> = uids.iter().map(|u| u.get()).collect();
            wanted.sort_unstable();
            wanted
                .iter()
                .filter_map(|u| from.find(*u))
                .map(|m| (m.uid, m.raw.clone(), m.flags.clone(), m.internal_date))
                .collect()
        };
        let to = store
            .folders
            .get_mut(destination)
            .ok_or_else(Rejection::try_create)?;
        let mut pairs = Vec::with_capacity(copies.len());
        let mut added = Vec::with_capacity(copies.len());
        for (old, raw, flags, date) in copies {
            let new = to.add(raw, flags, date);
            pairs.push((uid(old), uid(new)));
            added.push(uid(new));
        }
        let uid_validity = uid(to.uid_validity);
        // Announced to every session, this one included (it ignores known UIDs).
        to.notify(
            0,
            MailboxChanges::new()
                .added(added)
                .with_highest_modseq(to.highest_modseq),
        );
        if is_move {
            let moved: Vec<u32> = pairs.iter().map(|(s, _)| s.get()).collect();
            if let Some(from) = store.folders.get_mut(&source) {
                from.remove(&moved, self.id);
            }
        }
        Ok(CopyResult {
            uid_validity,
            pairs,
        })
    }

    async fn expunge(&mut self, uids: Option<&[Uid]>) -> Result<Vec<Uid>, Rejection> {
        self.with_selected(|folder, origin| {
            let doomed: Vec<u32> = folder
                .messages
                .iter()
                .filter(|m| m.flags.contains(&Flag::DELETED))
                .filter(|m| uids.is_none_or(|only| only.iter().any(|u| u.get() == m.uid)))
                .map(|m| m.uid)
                .collect();
            Ok(folder.remove(&doomed, origin))
        })
    }

    async fn changes(&mut self) -> MailboxChanges {
        let Some(selected) = &mut self.selected else {
            return std::future::pending().await;
        };
        loop {
            match selected.notices.recv().await {
                Ok(notice) if notice.origin == self.id => {}
                Ok(notice) => return notice.changes,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Notices were lost: report the whole mailbox; the session
                    // ignores what it already knows.
                    let store = lock(&self.store);
                    let Some(folder) = store.folders.get(&selected.name) else {
                        return MailboxChanges::new();
                    };
                    let present: Vec<u32> = folder.messages.iter().map(|m| m.uid).collect();
                    let gone = (1..folder.uid_next)
                        .filter(|u| present.binary_search(u).is_err())
                        .map(uid);
                    let mut changes = MailboxChanges::new()
                        .added(present.iter().map(|&u| uid(u)))
                        .expunged(gone)
                        .with_highest_modseq(folder.highest_modseq);
                    changes.flags = folder.messages.iter().map(Folder::flags_of).collect();
                    return changes;
                }
                Err(broadcast::error::RecvError::Closed) => return std::future::pending().await,
            }
        }
    }
}
