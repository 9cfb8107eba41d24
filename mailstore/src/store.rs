//! The store traits: what an IMAP, POP3 or SMTP server asks of a mail store.
//!
//! They speak of accounts, mailboxes (by [`MailboxId`]), messages (by [`Uid`]), flags
//! and MODSEQs, never of files, so that another backend (PostgreSQL, for several
//! server nodes; DESIGN.md "Scaling out") can stand behind the same calls. The Maildir
//! + SQLite backend is [`crate::Account`].
//!
//! # Threads and async
//! Every method is synchronous and may block on disk and on the account's single
//! writer. Implementations are `Send + Sync`: share one handle per account between
//! sessions (clone it) and call it from `tokio::task::spawn_blocking` in async code.
//! Change notifications ([`ChangeNotifier::subscribe`]) are awaited without blocking.
//!
//! # Which call for which protocol command
//! | protocol command | call |
//! | --- | --- |
//! | IMAP `LIST`/`LSUB`, `CREATE`, `DELETE`, `RENAME`, `(UN)SUBSCRIBE` | [`MailboxStore`] |
//! | IMAP `SELECT`/`EXAMINE`, `STATUS` | [`MailboxStore::mailbox`], [`MailboxStore::status`], [`MessageReader::uids`], [`MailboxStore::claim_recent`] (rev1 `\Recent`) |
//! | IMAP `FETCH` flags, sizes, dates, `ENVELOPE`, `BODYSTRUCTURE`, `MODSEQ` | [`MessageReader::fetch`] |
//! | IMAP `FETCH BODY[section]<partial>`, `RFC822*` | [`MessageReader::read`] |
//! | IMAP `FETCH BINARY[section]`, `BINARY.SIZE` | [`MessageReader::read_binary`] |
//! | IMAP `STORE` (+ `UNCHANGEDSINCE`) | [`MessageStore::store_flags`] |
//! | IMAP `APPEND`, SMTP/LMTP delivery | [`MessageStore::append`] (durable when it returns) |
//! | IMAP `COPY`/`MOVE` (+ `COPYUID`) | [`MessageStore::copy`], [`MessageStore::move_messages`] |
//! | IMAP `EXPUNGE`, `UID EXPUNGE`, `CLOSE` | [`MessageStore::expunge`] |
//! | IMAP `SEARCH`, `SORT`, web admin search | [`SearchStore`] |
//! | IMAP `IDLE`, `NOOP`, CONDSTORE/QRESYNC | [`ChangeNotifier::subscribe`], [`MessageReader::changes_since`] |
//! | IMAP `GETQUOTA`/`GETQUOTAROOT` | [`QuotaStore`] |
//! | POP3 `STAT`/`LIST`/`UIDL`, `RETR`/`TOP`, `DELE`+`QUIT` | [`MessageReader::fetch`] (`size`, `stable_id`), [`MessageReader::read_listed`] then [`MessageReader::read`], [`MessageStore::remove`] |

use std::io::Read;
use std::num::NonZeroU32;

use crate::data::MessageData;
use crate::error::Result;
use crate::mailbox::{MailboxInfo, MailboxStatus};
use crate::message::{
    AppendOptions, Appended, Changes, Copied, Expunged, FetchOptions, FlagsStored, MessageMeta,
    Unindexed,
};
use crate::mime::Section;
use crate::notify::Subscription;
use crate::quota::{Quota, QuotaUsage};
use crate::search::{SearchKey, SortCriterion};
use crate::types::{
    AccountName, FlagOp, Flags, MailboxId, MailboxName, ModSeq, SpecialUses, Uid, UidSet,
};

/// Opens accounts by name.
pub trait AccountProvider: Send + Sync {
    /// The account handle.
    type Account: MailStore;

    /// Opens (creating if needed) the account. Two calls for one name give handles on
    /// the same account state (same writer, same notifications).
    ///
    /// # Errors
    /// I/O or index errors while opening.
    fn account(&self, name: &AccountName) -> Result<Self::Account>;
}

/// Every area of a store, for `dyn MailStore` and generic code.
pub trait MailStore:
    MailboxStore + MessageStore + MessageReader + SearchStore + ChangeNotifier + QuotaStore
{
}

impl<T: MailboxStore + MessageStore + MessageReader + SearchStore + ChangeNotifier + QuotaStore>
    MailStore for T
{
}

/// Mailboxes: the hierarchy, subscriptions, special use, counters.
pub trait MailboxStore: Send + Sync {
    /// Every mailbox, INBOX first, then by name.
    ///
    /// # Errors
    /// Index errors.
    fn list_mailboxes(&self) -> Result<Vec<MailboxInfo>>;

    /// The mailbox with this name.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn mailbox(&self, name: &MailboxName) -> Result<MailboxInfo>;

    /// Creates a mailbox, and its missing parents, with a fresh UIDVALIDITY.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxExists`].
    fn create_mailbox(&self, name: &MailboxName, special_use: SpecialUses) -> Result<MailboxInfo>;

    /// Deletes a mailbox and its messages. INBOX cannot be deleted; a mailbox with
    /// children cannot be deleted before them.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`], [`crate::StoreError::InboxNotAllowed`],
    /// [`crate::StoreError::MailboxHasChildren`].
    fn delete_mailbox(&self, name: &MailboxName) -> Result<()>;

    /// Renames a mailbox; its children follow. Renaming INBOX moves its messages into
    /// a new mailbox and leaves INBOX empty (RFC 9051 section 6.3.6).
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`], [`crate::StoreError::MailboxExists`],
    /// [`crate::StoreError::InboxNotAllowed`] (renaming to INBOX),
    /// [`crate::StoreError::RenameIntoSelf`].
    fn rename_mailbox(&self, from: &MailboxName, to: &MailboxName) -> Result<()>;

    /// Subscribes or unsubscribes.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn set_subscribed(&self, name: &MailboxName, subscribed: bool) -> Result<()>;

    /// Sets the special-use attributes.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn set_special_use(&self, name: &MailboxName, special_use: SpecialUses) -> Result<()>;

    /// Counters of a mailbox.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn status(&self, mailbox: MailboxId) -> Result<MailboxStatus>;

    /// Claims the messages no session has seen as `\Recent` yet: returns their UIDs and
    /// marks them seen, so exactly one session reports each as recent (IMAP4rev1).
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn claim_recent(&self, mailbox: MailboxId) -> Result<UidSet>;

    /// The messages that are stored but could not be analysed (see [`Unindexed`]), in
    /// every mailbox: for operators (an admin API, a health check). A backend that
    /// never keeps such messages returns none, as the default does.
    ///
    /// # Errors
    /// Index errors.
    fn unindexed(&self) -> Result<Vec<Unindexed>> {
        Ok(Vec::new())
    }
}

/// Writing messages: append, flags, copy, move, expunge.
pub trait MessageStore: Send + Sync {
    /// Stores a message read from a stream. When this returns `Ok`, the message is on
    /// disk and in the index, and survives a crash of the process or the machine.
    ///
    /// # Errors
    /// [`crate::StoreError::MessageTooLarge`], [`crate::StoreError::QuotaExceeded`],
    /// [`crate::StoreError::MailboxNotFound`], I/O and index errors (temporary).
    fn append(
        &self,
        mailbox: MailboxId,
        message: &mut dyn Read,
        options: &AppendOptions,
    ) -> Result<Appended>;

    /// Stores a message held in memory; see [`MessageStore::append`].
    ///
    /// # Errors
    /// As [`MessageStore::append`].
    fn append_bytes(
        &self,
        mailbox: MailboxId,
        message: &[u8],
        options: &AppendOptions,
    ) -> Result<Appended>;

    /// Changes flags of the messages in `uids` (RFC 9051 `STORE`). With
    /// `unchanged_since`, messages whose MODSEQ is above it are left alone and listed in
    /// [`FlagsStored::modified`] (RFC 7162 `UNCHANGEDSINCE`). UIDs that do not exist
    /// are skipped.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`], I/O and index errors.
    fn store_flags(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<FlagsStored>;

    /// Copies messages, with their flags and internal dates, into another mailbox.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`], [`crate::StoreError::QuotaExceeded`].
    fn copy(&self, from: MailboxId, uids: &UidSet, to: MailboxId) -> Result<Copied>;

    /// Moves messages into another mailbox (RFC 6851): copy and expunge in one step.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn move_messages(&self, from: MailboxId, uids: &UidSet, to: MailboxId) -> Result<Copied>;

    /// Expunges the messages flagged `\Deleted`, only those in `uids` when given
    /// (`UID EXPUNGE`, RFC 4315).
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`], I/O and index errors.
    fn expunge(&self, mailbox: MailboxId, uids: Option<&UidSet>) -> Result<Expunged>;

    /// Expunges the messages in `uids` whatever their flags (POP3 `DELE` at `QUIT`,
    /// admin deletion).
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`], I/O and index errors.
    fn remove(&self, mailbox: MailboxId, uids: &UidSet) -> Result<Expunged>;
}

/// Reading messages.
pub trait MessageReader: Send + Sync {
    /// Every UID of the mailbox, ascending: the session's sequence number map.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn uids(&self, mailbox: MailboxId) -> Result<Vec<Uid>>;

    /// Metadata of the messages in `uids`, ascending; missing UIDs are skipped.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`], [`crate::StoreError::Corrupt`].
    fn fetch(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        options: FetchOptions,
    ) -> Result<Vec<MessageMeta>>;

    /// The bytes of a section (`BODY[section]`), byte-exact as stored; with `partial`
    /// = `(offset, length)` only that slice (`BODY[section]<offset.length>`). A section
    /// naming a part that does not exist gives no bytes.
    ///
    /// # Errors
    /// [`crate::StoreError::MessageNotFound`], I/O errors.
    fn read(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        section: &Section,
        partial: Option<(u64, u64)>,
    ) -> Result<MessageData>;

    /// The same section of several messages (`FETCH 1:* BODY[]`, a POP3 session
    /// reading its maildrop): `each` gets `(uid, bytes)` for every message of `uids`
    /// that exists, in ascending UID order, as [`MessageReader::read`] would give
    /// them; missing UIDs are skipped. An error from `each` stops the walk and is
    /// returned.
    ///
    /// A backend finds all the messages in one index query; the default reads them
    /// one by one.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`], I/O errors, and what `each` returns.
    fn read_each(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        section: &Section,
        partial: Option<(u64, u64)>,
        each: &mut dyn FnMut(Uid, MessageData) -> Result<()>,
    ) -> Result<()> {
        for uid in self.uids(mailbox)? {
            if !uids.contains(uid) {
                continue;
            }
            match self.read(mailbox, uid, section, partial) {
                Ok(data) => each(uid, data)?,
                Err(crate::StoreError::MessageNotFound) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// The whole message (`BODY[]`, POP3 `RETR`), or the `partial` range of it, when
    /// the store can give it at once: without waiting on a lock, querying an index or
    /// scanning a folder, so that an async server may call it on its event loop for a
    /// small message. `None` when it cannot (then call [`MessageReader::read`] off the
    /// event loop); the default always says `None`.
    ///
    /// The Maildir backend answers for messages whose file the last
    /// [`MessageReader::fetch`] of the mailbox located (an `open` and a read), as long
    /// as the file is still there.
    ///
    /// # Errors
    /// I/O errors of reading the message (a message not found is `None`).
    fn read_listed(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        partial: Option<(u64, u64)>,
    ) -> Option<Result<MessageData>> {
        let _ = (mailbox, uid, partial);
        None
    }

    /// The decoded content of a part (`BINARY[part]`, RFC 3516): transfer encoding
    /// undone. `Ok(None)` when the encoding is unknown (`UNKNOWN-CTE`).
    ///
    /// # Errors
    /// [`crate::StoreError::MessageNotFound`], I/O errors.
    fn read_binary(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        part: &[NonZeroU32],
        partial: Option<(u64, u64)>,
    ) -> Result<Option<MessageData>>;

    /// What changed after `since`: new and changed messages, expunged UIDs.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn changes_since(&self, mailbox: MailboxId, since: ModSeq) -> Result<Changes>;
}

/// Search and sort.
pub trait SearchStore: Send + Sync {
    /// UIDs of the messages that match, ascending.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`]; [`crate::StoreError::InvalidName`] for a
    /// criteria tree deeper than [`crate::search::MAX_SEARCH_DEPTH`].
    fn search(&self, mailbox: MailboxId, key: &SearchKey) -> Result<Vec<Uid>>;

    /// UIDs of the messages that match, in the order of `sort` (ties by UID).
    ///
    /// # Errors
    /// As [`SearchStore::search`].
    fn sort(&self, mailbox: MailboxId, sort: &[SortCriterion], key: &SearchKey)
    -> Result<Vec<Uid>>;
}

/// Change notifications.
pub trait ChangeNotifier: Send + Sync {
    /// Subscribes to changes of a mailbox: new messages, flag changes, expunges, made
    /// by this process or another one.
    ///
    /// # Errors
    /// [`crate::StoreError::MailboxNotFound`].
    fn subscribe(&self, mailbox: MailboxId) -> Result<Subscription>;
}

/// Quota.
pub trait QuotaStore: Send + Sync {
    /// Usage and limits of the account.
    ///
    /// # Errors
    /// Index errors.
    fn quota(&self) -> Result<QuotaUsage>;

    /// Sets the limits.
    ///
    /// # Errors
    /// Index errors.
    fn set_quota(&self, quota: Quota) -> Result<()>;
}
