//! A small backend for the tokio server's tests: users, mailboxes and messages in
//! memory, change notifications between connections, and no MIME parser.
//!
//! It answers what the loopback tests ask and no more. A message is a header block
//! and a body (split at the first empty line); header fields are found by name;
//! ENVELOPE carries the date, subject, message-id and the first address of From/To
//! as written; BODYSTRUCTURE is one `TEXT/PLAIN` part; sections are the whole
//! message, `HEADER`, `TEXT`, `HEADER.FIELDS (..)` and `1`; SEARCH knows flags, UIDs,
//! sizes and ASCII-case-insensitive substrings of header fields and text; SORT keeps
//! the UID order. The real backend over a mailbox store is the `mailstore-imap`
//! crate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    dead_code,
    unreachable_pub,
    reason = "test helpers: a failed unwrap is a failed test; not every test uses every helper"
)]

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use mailwright_imap::command::{
    FetchAttribute, Partial, SearchKey, Section, SortCriterion, StatusItem, StoreKind,
};
use mailwright_imap::response::{
    Address, BasicFields, BodyStructure, Envelope, FetchData, SpecificFields,
};
use mailwright_imap::server::{
    AppendUid, CopyResult, LoginRejection, MailboxChanges, MailboxInfo, MessageFlags, Rejection,
    SelectedMailbox, StatusInfo, StoreResult,
};
use mailwright_imap::tokio::{Account, Backend, FetchRequest, Peer, SelectRequest};
use mailwright_imap::types::{
    DateTime, Flag, IString, Literal, MailboxAttribute, NString, SequenceSet, Uid,
};
use tokio::sync::broadcast;

/// Largest message APPEND accepts.
const MAX_MESSAGE: u64 = 32 * 1024 * 1024;

/// One user's mailboxes (all users of a [`TestBackend`] share them) and passwords.
/// Cloning shares the data.
#[derive(Clone, Debug, Default)]
pub struct TestBackend {
    state: Arc<Mutex<State>>,
    accounts: Arc<AtomicU64>,
}

#[derive(Debug, Default)]
struct State {
    passwords: BTreeMap<String, String>,
    folders: BTreeMap<String, Folder>,
}

#[derive(Debug)]
struct Folder {
    uid_validity: u32,
    uid_next: u32,
    highest_modseq: u64,
    special_use: Option<MailboxAttribute<'static>>,
    subscribed: bool,
    messages: Vec<Stored>,
    /// `(uid, modseq)` of expunged messages, for QRESYNC.
    expunged: Vec<(u32, u64)>,
    notices: broadcast::Sender<Notice>,
}

#[derive(Clone, Debug)]
struct Notice {
    /// The account that made the change (0: nobody in particular).
    origin: u64,
    changes: MailboxChanges,
}

#[derive(Clone, Debug)]
struct Stored {
    uid: u32,
    flags: Vec<Flag<'static>>,
    modseq: u64,
    date: DateTime,
    raw: Bytes,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn uid(n: u32) -> Uid {
    Uid::new(n).unwrap_or(Uid::MIN)
}

impl Folder {
    fn new(uid_validity: u32) -> Self {
        Self {
            uid_validity,
            uid_next: 1,
            highest_modseq: 1,
            special_use: None,
            subscribed: true,
            messages: Vec::new(),
            expunged: Vec::new(),
            notices: broadcast::channel(1024).0,
        }
    }

    fn next_modseq(&mut self) -> u64 {
        self.highest_modseq += 1;
        self.highest_modseq
    }

    fn add(&mut self, raw: Bytes, flags: Vec<Flag<'static>>, date: DateTime) -> u32 {
        let modseq = self.next_modseq();
        let uid = self.uid_next;
        self.uid_next += 1;
        self.messages.push(Stored {
            uid,
            flags: flags.into_iter().filter(|f| *f != Flag::RECENT).collect(),
            modseq,
            date,
            raw,
        });
        let changes = MailboxChanges::new()
            .added([self::uid(uid)])
            .with_highest_modseq(self.highest_modseq);
        // Announced to every session, the appending one included: a session ignores
        // what it already knows.
        self.notify(0, changes);
        uid
    }

    fn find(&self, uid: u32) -> Option<&Stored> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid)
            .ok()
            .map(|i| &self.messages[i])
    }

    fn remove(&mut self, uids: &[u32], origin: u64) -> Vec<Uid> {
        let modseq = self.next_modseq();
        let mut removed = Vec::new();
        self.messages.retain(|m| {
            let doomed = uids.contains(&m.uid);
            if doomed {
                removed.push(m.uid);
            }
            !doomed
        });
        self.expunged.extend(removed.iter().map(|u| (*u, modseq)));
        let removed: Vec<Uid> = removed.into_iter().map(uid).collect();
        self.notify(
            origin,
            MailboxChanges::new()
                .expunged(removed.iter().copied())
                .with_highest_modseq(modseq),
        );
        removed
    }

    fn notify(&self, origin: u64, changes: MailboxChanges) {
        let _ = self.notices.send(Notice { origin, changes });
    }

    fn flags_of(m: &Stored) -> MessageFlags {
        MessageFlags {
            uid: uid(m.uid),
            flags: m.flags.clone(),
            modseq: Some(m.modseq),
        }
    }

    fn status(&self) -> StatusInfo {
        let count = |f: &Flag<'_>| self.messages.iter().filter(|m| m.flags.contains(f)).count();
        let total = self.messages.len();
        let size: u64 = self.messages.iter().map(|m| m.raw.len() as u64).sum();
        StatusInfo::new(
            u32::try_from(total).unwrap(),
            u32::try_from(total - count(&Flag::SEEN)).unwrap(),
            nz(self.uid_next),
            nz(self.uid_validity),
        )
        .with_details(
            u32::try_from(count(&Flag::DELETED)).unwrap(),
            size,
            Some(self.highest_modseq),
        )
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// The current time (APPEND without a date).
fn now() -> DateTime {
    #[allow(
        clippy::disallowed_methods,
        reason = "a test store stamps real internal dates"
    )]
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap());
    DateTime::from_unix(seconds, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

impl TestBackend {
    /// A backend with an empty INBOX and no users.
    pub fn new() -> Self {
        let backend = Self::default();
        lock(&backend.state)
            .folders
            .insert("INBOX".to_owned(), Folder::new(1));
        backend
    }

    /// Adds a user.
    pub fn add_user(&self, name: &str, password: &str) {
        lock(&self.state)
            .passwords
            .insert(name.to_owned(), password.to_owned());
    }

    /// Creates a mailbox with an optional special use.
    pub fn create_mailbox(&self, name: &str, special_use: Option<MailboxAttribute<'static>>) {
        let mut state = lock(&self.state);
        let validity = u32::try_from(state.folders.len()).unwrap() + 1;
        let mut folder = Folder::new(validity);
        folder.special_use = special_use;
        state.folders.insert(name.to_owned(), folder);
    }

    /// Stores a message in `mailbox`; its UID.
    pub fn append(&self, mailbox: &str, message: &[u8], flags: Vec<Flag<'static>>) -> Uid {
        let mut state = lock(&self.state);
        let folder = state.folders.get_mut(mailbox).expect("a known mailbox");
        uid(folder.add(Bytes::copy_from_slice(message), flags, now()))
    }
}

/// One connection's view of a [`TestBackend`].
#[derive(Debug)]
pub struct TestAccount {
    state: Arc<Mutex<State>>,
    id: u64,
    selected: Option<Selected>,
}

#[derive(Debug)]
struct Selected {
    name: String,
    notices: broadcast::Receiver<Notice>,
}

impl Backend for TestBackend {
    type Account = TestAccount;

    async fn login(
        &self,
        username: &str,
        password: &[u8],
        authzid: Option<&str>,
        _peer: Peer,
    ) -> Result<TestAccount, LoginRejection> {
        let known = lock(&self.state).passwords.get(username).cloned();
        if known.is_none_or(|p| p.as_bytes() != password) {
            return Err(LoginRejection::BadCredentials);
        }
        if authzid.is_some_and(|a| a != username) {
            return Err(LoginRejection::NotAuthorized);
        }
        Ok(TestAccount {
            state: Arc::clone(&self.state),
            id: self.accounts.fetch_add(1, Ordering::Relaxed) + 1,
            selected: None,
        })
    }

    fn supports_sort(&self) -> bool {
        true
    }
}

impl TestAccount {
    fn with_selected<T>(
        &self,
        f: impl FnOnce(&mut Folder, u64) -> Result<T, Rejection>,
    ) -> Result<T, Rejection> {
        let name = self
            .selected
            .as_ref()
            .map(|s| s.name.clone())
            .ok_or_else(Rejection::server_bug)?;
        let mut state = lock(&self.state);
        let folder = state
            .folders
            .get_mut(&name)
            .ok_or_else(Rejection::nonexistent)?;
        f(folder, self.id)
    }
}

impl Account for TestAccount {
    async fn list(&mut self, status: Option<&[StatusItem]>) -> Result<Vec<MailboxInfo>, Rejection> {
        let state = lock(&self.state);
        Ok(state
            .folders
            .iter()
            .map(|(name, folder)| {
                let mut info = MailboxInfo::new(name.clone()).subscribed(folder.subscribed);
                if let Some(attribute) = &folder.special_use {
                    info = info.with_attribute(attribute.clone());
                }
                if status.is_some() {
                    info = info.with_status(folder.status());
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
        lock(&self.state)
            .folders
            .get(mailbox)
            .map(Folder::status)
            .ok_or_else(Rejection::nonexistent)
    }

    async fn create(&mut self, mailbox: &str) -> Result<(), Rejection> {
        let mut state = lock(&self.state);
        if state.folders.contains_key(mailbox) {
            return Err(Rejection::already_exists());
        }
        let validity = u32::try_from(state.folders.len()).unwrap() + 1;
        state
            .folders
            .insert(mailbox.to_owned(), Folder::new(validity));
        Ok(())
    }

    async fn delete(&mut self, mailbox: &str) -> Result<(), Rejection> {
        match lock(&self.state).folders.remove(mailbox) {
            Some(_) => Ok(()),
            None => Err(Rejection::nonexistent()),
        }
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<(), Rejection> {
        let mut state = lock(&self.state);
        if state.folders.contains_key(to) {
            return Err(Rejection::already_exists());
        }
        let folder = state
            .folders
            .remove(from)
            .ok_or_else(Rejection::nonexistent)?;
        state.folders.insert(to.to_owned(), folder);
        Ok(())
    }

    async fn subscribe(&mut self, mailbox: &str, subscribed: bool) -> Result<(), Rejection> {
        match lock(&self.state).folders.get_mut(mailbox) {
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
        let state = lock(&self.state);
        let folder = state
            .folders
            .get(mailbox)
            .ok_or_else(Rejection::nonexistent)?;
        let uids = folder.messages.iter().map(|m| uid(m.uid)).collect();
        let first_unseen = folder
            .messages
            .iter()
            .find(|m| !m.flags.contains(&Flag::SEEN))
            .map(|m| uid(m.uid));
        let mut snapshot = SelectedMailbox::new(nz(folder.uid_validity), nz(folder.uid_next), uids)
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
        if !lock(&self.state).folders.contains_key(mailbox) {
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
        let mut state = lock(&self.state);
        let folder = state
            .folders
            .get_mut(mailbox)
            .ok_or_else(Rejection::try_create)?;
        let new = folder.add(message, flags.to_vec(), date.unwrap_or_else(now));
        Ok(AppendUid {
            uid_validity: nz(folder.uid_validity),
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
                let Ok(position) = folder.messages.binary_search_by_key(&u.get(), |m| m.uid) else {
                    continue;
                };
                if request
                    .changed_since
                    .is_some_and(|since| folder.messages[position].modseq <= since)
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
                    if !attributes.contains(&FetchAttribute::Flags) {
                        attributes.push(FetchAttribute::Flags);
                    }
                }
                let m = &folder.messages[position];
                out.push((u, attributes.iter().filter_map(|a| item(m, a)).collect()));
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
            let flags: Vec<Flag<'static>> = flags
                .iter()
                .filter(|f| **f != Flag::RECENT)
                .cloned()
                .collect();
            for &u in uids {
                let Ok(position) = folder.messages.binary_search_by_key(&u.get(), |m| m.uid) else {
                    continue;
                };
                if unchanged_since.is_some_and(|limit| folder.messages[position].modseq > limit) {
                    result.modified.push(u);
                    continue;
                }
                let old = folder.messages[position].flags.clone();
                let mut new = match kind {
                    StoreKind::Replace => flags.clone(),
                    StoreKind::Add => old.clone(),
                    StoreKind::Remove => {
                        old.iter().filter(|f| !flags.contains(f)).cloned().collect()
                    }
                };
                if kind == StoreKind::Add {
                    for f in &flags {
                        if !new.contains(f) {
                            new.push(f.clone());
                        }
                    }
                }
                if new.len() != old.len() || new.iter().any(|f| !old.contains(f)) {
                    let modseq = folder.next_modseq();
                    let m = &mut folder.messages[position];
                    m.flags = new;
                    m.modseq = modseq;
                }
                result
                    .updated
                    .push(Folder::flags_of(&folder.messages[position]));
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
        _sort: Option<&[SortCriterion]>,
    ) -> Result<(Vec<Uid>, Option<u64>), Rejection> {
        self.with_selected(|folder, _| {
            let hits: Vec<&Stored> = candidates
                .iter()
                .filter_map(|u| folder.find(u.get()))
                .filter(|m| criteria.iter().all(|k| matches(k, m)))
                .collect();
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
        let mut state = lock(&self.state);
        let copies: Vec<Stored> = {
            let from = state
                .folders
                .get(&source)
                .ok_or_else(Rejection::nonexistent)?;
            let mut wanted: Vec<u32> = uids.iter().map(|u| u.get()).collect();
            wanted.sort_unstable();
            wanted
                .iter()
                .filter_map(|u| from.find(*u))
                .cloned()
                .collect()
        };
        let to = state
            .folders
            .get_mut(destination)
            .ok_or_else(Rejection::try_create)?;
        let pairs: Vec<(Uid, Uid)> = copies
            .iter()
            .map(|m| {
                (
                    uid(m.uid),
                    uid(to.add(m.raw.clone(), m.flags.clone(), m.date)),
                )
            })
            .collect();
        let uid_validity = nz(to.uid_validity);
        if is_move {
            let moved: Vec<u32> = pairs.iter().map(|(s, _)| s.get()).collect();
            if let Some(from) = state.folders.get_mut(&source) {
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
                // The tests never make a thousand changes between two reads.
                Err(_) => return std::future::pending().await,
            }
        }
    }
}

/// The header block (with its empty line) and the body of a message.
fn split(raw: &[u8]) -> (&[u8], &[u8]) {
    match raw.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) => raw.split_at(at + 4),
        None => (raw, &[]),
    }
}

/// The header field lines named `name` (ASCII case-insensitive), unfolded lines only.
fn fields<'a>(raw: &'a [u8], name: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let (header, _) = split(raw);
    header.split(|&b| b == b'\n').filter(move |line| {
        line.len() > name.len()
            && line[..name.len()].eq_ignore_ascii_case(name)
            && line[name.len()] == b':'
    })
}

/// The value of the first field named `name`, trimmed.
fn field<'a>(raw: &'a [u8], name: &'a str) -> Option<&'a [u8]> {
    fields(raw, name.as_bytes())
        .next()
        .map(|line| line[name.len() + 1..].trim_ascii())
}

fn nstring(value: Option<&[u8]>) -> NString<'static> {
    value
        .and_then(|v| NString::from_bytes(v.to_vec()).ok())
        .unwrap_or(NString(None))
}

fn istring(text: &str) -> IString<'static> {
    IString::from_text(text.to_owned()).unwrap()
}

/// `Name <local@domain>` or `local@domain` as one address.
fn address(value: &[u8]) -> Vec<Address<'static>> {
    let text = String::from_utf8_lossy(value);
    let (name, spec) = match (text.find('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let name = text[..open].trim().trim_matches('"');
            (
                (!name.is_empty()).then(|| name.to_owned()),
                &text[open + 1..close],
            )
        }
        _ => (None, text.trim()),
    };
    let (mailbox, host) = spec.split_once('@').unwrap_or((spec, ""));
    vec![Address {
        name: nstring(name.as_deref().map(str::as_bytes)),
        adl: NString(None),
        mailbox: nstring(Some(mailbox.as_bytes())),
        host: nstring(Some(host.as_bytes())),
    }]
}

fn envelope(raw: &[u8]) -> Envelope<'static> {
    let list = |name| field(raw, name).map(address).unwrap_or_default();
    let from = list("From");
    Envelope {
        date: nstring(field(raw, "Date")),
        subject: nstring(field(raw, "Subject")),
        sender: from.clone(),
        reply_to: from.clone(),
        from,
        to: list("To"),
        cc: Vec::new(),
        bcc: Vec::new(),
        in_reply_to: NString(None),
        message_id: nstring(field(raw, "Message-ID")),
    }
}

/// Every message is one `TEXT/PLAIN` part.
fn structure(raw: &[u8]) -> BodyStructure<'static> {
    let (_, body) = split(raw);
    BodyStructure::Single {
        basic: BasicFields {
            parameters: vec![(istring("CHARSET"), istring("US-ASCII"))],
            id: NString(None),
            description: NString(None),
            encoding: istring("7BIT"),
            size: u32::try_from(body.len()).unwrap(),
        },
        specific: SpecificFields::Text {
            subtype: istring("PLAIN"),
            lines: u32::try_from(body.split(|&b| b == b'\n').count() - 1).unwrap(),
        },
        extension: None,
    }
}

/// The bytes of a section, or `None` for one this backend does not know.
fn section(raw: &[u8], section: Option<&Section<'_>>) -> Option<Vec<u8>> {
    let (header, body) = split(raw);
    match section {
        None => Some(raw.to_vec()),
        Some(Section::Header(None)) => Some(header.to_vec()),
        Some(Section::Text(None)) => Some(body.to_vec()),
        Some(Section::Part(part)) if part.0.len() == 1 && part.0.first().get() == 1 => {
            Some(body.to_vec())
        }
        Some(Section::HeaderFields(None, names)) => {
            let mut out = Vec::new();
            for name in names.iter() {
                for line in fields(raw, name.as_bytes()) {
                    out.extend_from_slice(line);
                    out.push(b'\n');
                }
            }
            out.extend_from_slice(b"\r\n");
            Some(out)
        }
        _ => None,
    }
}

/// `data` cut to `partial`.
fn slice(data: Vec<u8>, partial: Option<Partial>) -> Vec<u8> {
    match partial {
        None => data,
        Some(p) => {
            let start = usize::try_from(p.offset).unwrap().min(data.len());
            let end = start.saturating_add(usize::try_from(p.length.get()).unwrap());
            data[start..end.min(data.len())].to_vec()
        }
    }
}

fn literal(data: Option<Vec<u8>>) -> NString<'static> {
    NString(data.map(|d| IString::Literal(Literal::from_bytes_lossy(d))))
}

fn item(m: &Stored, attribute: &FetchAttribute<'_>) -> Option<FetchData<'static>> {
    Some(match attribute {
        FetchAttribute::Flags => FetchData::Flags(m.flags.clone()),
        FetchAttribute::Uid => FetchData::Uid(uid(m.uid)),
        FetchAttribute::ModSeq => FetchData::ModSeq(m.modseq),
        FetchAttribute::InternalDate => FetchData::InternalDate(m.date),
        FetchAttribute::Rfc822Size => FetchData::Rfc822Size(m.raw.len() as u64),
        FetchAttribute::Envelope => FetchData::Envelope(Box::new(envelope(&m.raw))),
        FetchAttribute::BodyStructure => FetchData::BodyStructure(Box::new(structure(&m.raw))),
        FetchAttribute::Body => FetchData::Body(Box::new(structure(&m.raw))),
        FetchAttribute::Rfc822 => FetchData::Rfc822(literal(Some(m.raw.to_vec()))),
        FetchAttribute::Rfc822Header => {
            FetchData::Rfc822Header(literal(section(&m.raw, Some(&Section::Header(None)))))
        }
        FetchAttribute::Rfc822Text => {
            FetchData::Rfc822Text(literal(section(&m.raw, Some(&Section::Text(None)))))
        }
        FetchAttribute::BodySection {
            section: s,
            partial,
            ..
        } => FetchData::BodySection {
            section: s.clone().map(Section::into_owned),
            origin: partial.map(|p| p.offset),
            data: literal(section(&m.raw, s.as_ref()).map(|d| slice(d, *partial))),
        },
        _ => return None,
    })
}

/// ASCII-case-insensitive substring search.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

fn matches(key: &SearchKey<'_>, m: &Stored) -> bool {
    let flag = |f: &Flag<'_>| m.flags.contains(f);
    let header = |name: &str, value: &[u8]| {
        fields(&m.raw, name.as_bytes()).any(|line| contains(&line[name.len() + 1..], value))
    };
    match key {
        SearchKey::All => true,
        SearchKey::Seen => flag(&Flag::SEEN),
        SearchKey::Unseen => !flag(&Flag::SEEN),
        SearchKey::Flagged => flag(&Flag::FLAGGED),
        SearchKey::Unflagged => !flag(&Flag::FLAGGED),
        SearchKey::Deleted => flag(&Flag::DELETED),
        SearchKey::Undeleted => !flag(&Flag::DELETED),
        SearchKey::Answered => flag(&Flag::ANSWERED),
        SearchKey::Unanswered => !flag(&Flag::ANSWERED),
        SearchKey::Subject(s) => header("Subject", s.as_bytes()),
        SearchKey::From(s) => header("From", s.as_bytes()),
        SearchKey::To(s) => header("To", s.as_bytes()),
        SearchKey::Body(s) => contains(split(&m.raw).1, s.as_bytes()),
        SearchKey::Text(s) => contains(&m.raw, s.as_bytes()),
        SearchKey::Larger(n) => m.raw.len() as u64 > *n,
        SearchKey::Smaller(n) => (m.raw.len() as u64) < *n,
        SearchKey::Uid(set) => set.contains(m.uid, u32::MAX),
        SearchKey::ModSeq { modseq, .. } => m.modseq >= *modseq,
        SearchKey::Not(k) => !matches(k, m),
        SearchKey::Or(a, b) => matches(a, m) || matches(b, m),
        SearchKey::And(keys) => keys.iter().all(|k| matches(k, m)),
        _ => false,
    }
}
