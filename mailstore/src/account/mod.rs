//! The embedded backend: one Maildir++ folder tree plus one SQLite index per account.

mod append;
mod expunge;
mod flags;
mod locations;
mod mailboxes;
mod read;
mod reconcile;
mod search;
mod transfer;
mod unindexed;
mod watch;

use std::collections::HashMap;
use std::io::Read;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::data::MessageData;
use crate::error::{Result, StoreError};
use crate::index::{rows, schema};
use crate::maildir;
use crate::message::{
    AppendOptions, Appended, Changes, Copied, Expunged, FetchOptions, FlagsStored, MessageMeta,
};
use crate::mime::Section;
use crate::notify::{Hub, Subscription, lock};
use crate::quota::{Quota, QuotaUsage};
use crate::store::{AccountProvider, ChangeNotifier, MessageReader, MessageStore, QuotaStore};
use crate::types::{AccountName, FlagOp, Flags, MailboxId, MailboxName, ModSeq, Uid, UidSet};

/// The name of the index file in the Maildir root.
pub const INDEX_FILE: &str = "mailstore.sqlite";

/// Settings of the embedded backend, with documented defaults and setter chains.
#[derive(Debug, Clone)]
pub struct Options {
    max_message_size: u64,
    durable: bool,
    watch_interval: Duration,
    idle_readers: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_message_size: 64 * 1024 * 1024,
            durable: true,
            watch_interval: Duration::from_millis(250),
            idle_readers: 4,
        }
    }
}

impl Options {
    /// The defaults: 64 MiB messages, durable, 250 ms cross-process polling, 4 idle
    /// reader connections.
    pub fn new() -> Self {
        Self::default()
    }

    /// The largest message [`MessageStore::append`] accepts, in bytes (default 64 MiB).
    pub fn set_max_message_size(&mut self, bytes: u64) -> &mut Self {
        self.max_message_size = bytes;
        self
    }

    /// Whether every acknowledged change is fsynced (default `true`): message files,
    /// their directories, and the index (SQLite `synchronous=FULL`).
    ///
    /// <div class="warning">With <code>false</code> the index is <code>synchronous=NORMAL</code>
    /// and files are not fsynced: a crash of the process loses nothing, but a power
    /// failure may lose the last acknowledged messages. For tests and bulk imports.</div>
    pub fn dangerous_set_durable(&mut self, durable: bool) -> &mut Self {
        self.durable = durable;
        self
    }

    /// How often the watcher thread looks for changes made by other processes while a
    /// subscription is alive (default 250 ms).
    pub fn set_watch_interval(&mut self, interval: Duration) -> &mut Self {
        self.watch_interval = interval;
        self
    }

    /// How many idle read connections to keep (default 4); more are opened on demand.
    pub fn set_idle_readers(&mut self, readers: usize) -> &mut Self {
        self.idle_readers = readers;
        self
    }
}

/// One account: a Maildir++ tree and its SQLite index. Cheap to clone; `Send + Sync`.
///
/// Implements every [`crate::store`] trait. All methods block (disk, the account's
/// single writer); from async code call them in `tokio::task::spawn_blocking`. Many
/// readers run at once (SQLite WAL); writes are serialized per account, across
/// processes too (SQLite's write lock).
#[derive(Debug, Clone)]
pub struct Account {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    db_path: PathBuf,
    options: Options,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    locations: locations::Locations,
    hub: Arc<Hub>,
    watcher_running: AtomicBool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.hub.close();
    }
}

/// The changes a write made, to announce after its commit.
type Touched = Vec<(MailboxId, u64)>;

impl Account {
    /// Opens the account whose Maildir root is `root` (creating it if needed), with the
    /// index in `root/mailstore.sqlite`, and reconciles the index with the files: files
    /// without rows (written by other tools, or by a crash between rename and commit)
    /// are indexed with new UIDs, rows without files are expunged, flag changes made by
    /// renaming files are taken over, folders become mailboxes.
    ///
    /// Open each account once per process and clone the handle (or use
    /// [`MaildirStore`]), so that all sessions share its writer and notifications.
    ///
    /// # Errors
    /// I/O and index errors.
    pub fn open(root: impl Into<PathBuf>, options: &Options) -> Result<Self> {
        let root = root.into();
        maildir::create_folder(&root, true).map_err(StoreError::io("create maildir"))?;
        let db_path = root.join(INDEX_FILE);
        let writer = schema::open(&db_path, true, options.durable)?;
        let account = Self {
            inner: Arc::new(Inner {
                root,
                db_path,
                options: options.clone(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                locations: locations::Locations::default(),
                hub: Arc::new(Hub::default()),
                watcher_running: AtomicBool::new(false),
            }),
        };
        account.reconcile()?;
        Ok(account)
    }

    /// The Maildir root.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// Runs `f` with a read connection from the pool.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = lock(&self.inner.readers).pop();
        let conn = match conn {
            Some(conn) => conn,
            None => schema::open(&self.inner.db_path, false, self.inner.options.durable)?,
        };
        let out = f(&conn);
        let mut pool = lock(&self.inner.readers);
        if pool.len() < self.inner.options.idle_readers {
            pool.push(conn);
        }
        out
    }

    /// Runs `f` in an immediate (write-locked) transaction, commits, then announces the
    /// touched mailboxes' new HIGHESTMODSEQs.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<(T, Touched)>) -> Result<T> {
        let touched;
        let out;
        {
            let mut conn = lock(&self.inner.writer);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            (out, touched) = f(&tx)?;
            tx.commit()?;
        }
        for (mailbox, modseq) in touched {
            self.inner.locations.forget(mailbox);
            self.inner.hub.notify(mailbox, ModSeq::new(modseq));
        }
        Ok(out)
    }

    /// The folder of a mailbox.
    fn folder(&self, name: &MailboxName) -> PathBuf {
        maildir::folder(&self.inner.root, name)
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        if self.inner.options.durable {
            maildir::sync_dir(dir).map_err(StoreError::io("sync directory"))?;
        }
        Ok(())
    }

    /// Re-reads a mailbox folder and brings its index rows in line with the files, as
    /// [`Account::open`] does for all: call it when another program may have delivered
    /// or changed files (an IMAP server may on `SELECT` and `NOOP`).
    ///
    /// # Errors
    /// [`StoreError::MailboxNotFound`], I/O and index errors.
    pub fn sync_mailbox(&self, mailbox: MailboxId) -> Result<()> {
        self.write(|tx| {
            let row = rows::mailbox_by_id(tx, mailbox)?;
            let touched = self.reconcile_mailbox(tx, &row)?;
            Ok(((), touched))
        })
    }

    /// Appends several messages to one mailbox in one transaction, with one directory
    /// fsync and one index commit: for bulk delivery and imports. All or nothing.
    ///
    /// # Errors
    /// As [`MessageStore::append`].
    pub fn append_batch(
        &self,
        mailbox: MailboxId,
        messages: &[(&[u8], AppendOptions)],
    ) -> Result<Vec<Appended>> {
        self.append_many(mailbox, messages)
    }
}

impl MessageStore for Account {
    fn append(
        &self,
        mailbox: MailboxId,
        message: &mut dyn Read,
        options: &AppendOptions,
    ) -> Result<Appended> {
        self.append_stream(mailbox, message, options)
    }

    fn append_bytes(
        &self,
        mailbox: MailboxId,
        message: &[u8],
        options: &AppendOptions,
    ) -> Result<Appended> {
        let mut out = self.append_many(mailbox, &[(message, options.clone())])?;
        out.pop().ok_or(StoreError::Corrupt("append result"))
    }

    fn store_flags(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<FlagsStored> {
        self.change_flags(mailbox, uids, op, flags, unchanged_since)
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

impl MessageReader for Account {
    fn uids(&self, mailbox: MailboxId) -> Result<Vec<Uid>> {
        self.all_uids(mailbox)
    }

    fn fetch(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        options: FetchOptions,
    ) -> Result<Vec<MessageMeta>> {
        self.fetch_meta(mailbox, uids, options)
    }

    fn read(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        section: &Section,
        partial: Option<(u64, u64)>,
    ) -> Result<MessageData> {
        self.read_section(mailbox, uid, section, partial)
    }

    fn read_each(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        section: &Section,
        partial: Option<(u64, u64)>,
        each: &mut dyn FnMut(Uid, MessageData) -> Result<()>,
    ) -> Result<()> {
        self.read_many(mailbox, uids, section, partial, each)
    }

    fn read_listed(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        partial: Option<(u64, u64)>,
    ) -> Option<Result<MessageData>> {
        Self::read_listed(self, mailbox, uid, partial)
    }

    fn read_binary(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        part: &[NonZeroU32],
        partial: Option<(u64, u64)>,
    ) -> Result<Option<MessageData>> {
        self.read_decoded(mailbox, uid, part, partial)
    }

    fn changes_since(&self, mailbox: MailboxId, since: ModSeq) -> Result<Changes> {
        self.changes(mailbox, since)
    }
}

impl ChangeNotifier for Account {
    fn subscribe(&self, mailbox: MailboxId) -> Result<Subscription> {
        let current = self
            .read(|conn| rows::mailbox_by_id(conn, mailbox))?
            .highestmodseq;
        let subscription = self.inner.hub.subscribe(mailbox, ModSeq::new(current));
        self.start_watcher()?;
        Ok(subscription)
    }
}

impl QuotaStore for Account {
    fn quota(&self) -> Result<QuotaUsage> {
        self.read(|conn| {
            let limit = |v: i64| u64::try_from(v).ok();
            Ok(QuotaUsage {
                bytes: u64::try_from(rows::meta(conn, "usage_bytes")?).unwrap_or(0),
                messages: u64::try_from(rows::meta(conn, "usage_messages")?).unwrap_or(0),
                quota: Quota {
                    max_bytes: limit(rows::meta(conn, "quota_bytes")?),
                    max_messages: limit(rows::meta(conn, "quota_messages")?),
                },
            })
        })
    }

    fn set_quota(&self, quota: Quota) -> Result<()> {
        let value = |v: Option<u64>| v.map_or(-1, |v| i64::try_from(v).unwrap_or(i64::MAX));
        self.write(|tx| {
            rows::set_meta(tx, "quota_bytes", value(quota.max_bytes))?;
            rows::set_meta(tx, "quota_messages", value(quota.max_messages))?;
            Ok(((), Vec::new()))
        })
    }
}

/// Checks that adding `messages` messages of `bytes` bytes stays within the quota.
fn check_quota(conn: &Connection, messages: u64, bytes: u64) -> Result<()> {
    use crate::error::QuotaResource;
    let max_bytes = rows::meta(conn, "quota_bytes")?;
    if let Ok(limit) = u64::try_from(max_bytes) {
        let used = u64::try_from(rows::meta(conn, "usage_bytes")?).unwrap_or(0);
        if used.saturating_add(bytes) > limit {
            return Err(StoreError::QuotaExceeded {
                resource: QuotaResource::Storage,
                limit,
            });
        }
    }
    let max_messages = rows::meta(conn, "quota_messages")?;
    if let Ok(limit) = u64::try_from(max_messages) {
        let used = u64::try_from(rows::meta(conn, "usage_messages")?).unwrap_or(0);
        if used.saturating_add(messages) > limit {
            return Err(StoreError::QuotaExceeded {
                resource: QuotaResource::Messages,
                limit,
            });
        }
    }
    Ok(())
}

/// Opens accounts under one directory: account `alice` lives in `<root>/alice/`.
///
/// Keeps one [`Account`] per name while any handle on it is alive, so all sessions of
/// a user share one writer and one set of notifications.
#[derive(Debug)]
pub struct MaildirStore {
    root: PathBuf,
    options: Options,
    open: Mutex<HashMap<AccountName, Weak<Inner>>>,
}

impl MaildirStore {
    /// A store of accounts under `root`.
    pub fn new(root: impl Into<PathBuf>, options: Options) -> Self {
        Self {
            root: root.into(),
            options,
            open: Mutex::new(HashMap::new()),
        }
    }
}

impl AccountProvider for MaildirStore {
    type Account = Account;

    fn account(&self, name: &AccountName) -> Result<Account> {
        let mut open = lock(&self.open);
        if let Some(inner) = open.get(name).and_then(Weak::upgrade) {
            return Ok(Account { inner });
        }
        let account = Account::open(self.root.join(name.as_str()), &self.options)?;
        open.retain(|_, weak| weak.strong_count() > 0);
        open.insert(name.clone(), Arc::downgrade(&account.inner));
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MailboxStore;

    /// The store trait's `read_listed` is the Maildir backend's fast path, not the
    /// default's `None`: it answers once a listing located the file.
    #[test]
    fn read_listed_through_the_trait() -> Result<()> {
        let dir = tempfile::tempdir().map_err(StoreError::io("tempdir"))?;
        let account = Account::open(dir.path().join("acct"), &Options::new())?;
        let inbox = account.mailbox(&MailboxName::inbox())?.id;
        let message = b"Subject: listed\r\n\r\nbody\r\n";
        let uid = account
            .append_bytes(inbox, message, &AppendOptions::default())?
            .uid;
        let reader: &dyn MessageReader = &account;
        let listed = |partial| {
            reader
                .read_listed(inbox, uid, partial)
                .map(|data| data.and_then(|d| d.into_vec().map_err(StoreError::io("read"))))
                .transpose()
        };
        reader.fetch(inbox, &UidSet::all(), FetchOptions::meta())?;
        assert_eq!(listed(None)?.as_deref(), Some(&message[..]));
        assert_eq!(listed(Some((9, 6)))?.as_deref(), Some(&b"listed"[..]));
        account.remove(inbox, &uid.into())?;
        assert_eq!(listed(None)?, None, "gone since the listing");
        Ok(())
    }
}
