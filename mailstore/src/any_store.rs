//! Any backend behind one type, for programs that choose their store at run time (a
//! configuration file saying `maildir`, `memory` or, later, `postgres`).
//!
//! [`AnyStore`] wraps any [`AccountProvider`] and hands out [`AnyAccount`]s
//! (`Arc<dyn MailStore>`); every store trait is implemented for `Arc<T>` by
//! forwarding each call, the provided methods included, so a backend's fast paths
//! (`read_each`, `read_listed`) are kept behind the `dyn`.
//!
//! ```
//! use mailwright_store::store::{AccountProvider, MailboxStore, MessageStore};
//! use mailwright_store::{AccountName, AnyStore, AppendOptions, MailboxName, MemoryStore};
//!
//! let store = AnyStore::new(MemoryStore::new());
//! let account = store.account(&AccountName::try_from("alice@example.org")?)?;
//! let inbox = account.mailbox(&MailboxName::inbox())?;
//! account.append_bytes(inbox.id, b"Subject: hi\r\n\r\nHello\r\n", &AppendOptions::default())?;
//! assert_eq!(account.status(inbox.id)?.messages, 1);
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::Read;
use std::num::NonZeroU32;
use std::sync::Arc;

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
use crate::store::{
    AccountProvider, ChangeNotifier, MailStore, MailboxStore, MessageReader, MessageStore,
    QuotaStore, SearchStore,
};
use crate::types::{
    AccountName, FlagOp, Flags, MailboxId, MailboxName, ModSeq, SpecialUses, Uid, UidSet,
};

/// An account of any backend.
pub type AnyAccount = Arc<dyn MailStore>;

/// Opens an account of the wrapped provider.
type Open = dyn Fn(&AccountName) -> Result<AnyAccount> + Send + Sync;

/// Any [`AccountProvider`], as one type whose accounts are [`AnyAccount`]s.
#[derive(Clone)]
pub struct AnyStore {
    open: Arc<Open>,
    backend: &'static str,
}

impl AnyStore {
    /// Wraps `provider`.
    pub fn new<P>(provider: P) -> Self
    where
        P: AccountProvider + 'static,
        P::Account: 'static,
    {
        Self {
            backend: std::any::type_name::<P>(),
            open: Arc::new(move |name| Ok(Arc::new(provider.account(name)?) as AnyAccount)),
        }
    }
}

impl AccountProvider for AnyStore {
    type Account = AnyAccount;

    fn account(&self, name: &AccountName) -> Result<AnyAccount> {
        (self.open)(name)
    }
}

impl fmt::Debug for AnyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyStore")
            .field("backend", &self.backend)
            .finish()
    }
}

impl<T: MailboxStore + ?Sized> MailboxStore for Arc<T> {
    fn list_mailboxes(&self) -> Result<Vec<MailboxInfo>> {
        (**self).list_mailboxes()
    }

    fn mailbox(&self, name: &MailboxName) -> Result<MailboxInfo> {
        (**self).mailbox(name)
    }

    fn create_mailbox(&self, name: &MailboxName, special_use: SpecialUses) -> Result<MailboxInfo> {
        (**self).create_mailbox(name, special_use)
    }

    fn delete_mailbox(&self, name: &MailboxName) -> Result<()> {
        (**self).delete_mailbox(name)
    }

    fn rename_mailbox(&self, from: &MailboxName, to: &MailboxName) -> Result<()> {
        (**self).rename_mailbox(from, to)
    }

    fn set_subscribed(&self, name: &MailboxName, subscribed: bool) -> Result<()> {
        (**self).set_subscribed(name, subscribed)
    }

    fn set_special_use(&self, name: &MailboxName, special_use: SpecialUses) -> Result<()> {
        (**self).set_special_use(name, special_use)
    }

    fn status(&self, mailbox: MailboxId) -> Result<MailboxStatus> {
        (**self).status(mailbox)
    }

    fn claim_recent(&self, mailbox: MailboxId) -> Result<UidSet> {
        (**self).claim_recent(mailbox)
    }

    fn unindexed(&self) -> Result<Vec<Unindexed>> {
        (**self).unindexed()
    }
}

impl<T: MessageStore + ?Sized> MessageStore for Arc<T> {
    fn append(
        &self,
        mailbox: MailboxId,
        message: &mut dyn Read,
        options: &AppendOptions,
    ) -> Result<Appended> {
        (**self).append(mailbox, message, options)
    }

    fn append_bytes(
        &self,
        mailbox: MailboxId,
        message: &[u8],
        options: &AppendOptions,
    ) -> Result<Appended> {
        (**self).append_bytes(mailbox, message, options)
    }

    fn store_flags(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<FlagsStored> {
        (**self).store_flags(mailbox, uids, op, flags, unchanged_since)
    }

    fn copy(&self, from: MailboxId, uids: &UidSet, to: MailboxId) -> Result<Copied> {
        (**self).copy(from, uids, to)
    }

    fn move_messages(&self, from: MailboxId, uids: &UidSet, to: MailboxId) -> Result<Copied> {
        (**self).move_messages(from, uids, to)
    }

    fn expunge(&self, mailbox: MailboxId, uids: Option<&UidSet>) -> Result<Expunged> {
        (**self).expunge(mailbox, uids)
    }

    fn remove(&self, mailbox: MailboxId, uids: &UidSet) -> Result<Expunged> {
        (**self).remove(mailbox, uids)
    }
}

impl<T: MessageReader + ?Sized> MessageReader for Arc<T> {
    fn uids(&self, mailbox: MailboxId) -> Result<Vec<Uid>> {
        (**self).uids(mailbox)
    }

    fn fetch(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        options: FetchOptions,
    ) -> Result<Vec<MessageMeta>> {
        (**self).fetch(mailbox, uids, options)
    }

    fn read(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        section: &Section,
        partial: Option<(u64, u64)>,
    ) -> Result<MessageData> {
        (**self).read(mailbox, uid, section, partial)
    }

    fn read_each(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        section: &Section,
        partial: Option<(u64, u64)>,
        each: &mut dyn FnMut(Uid, MessageData) -> Result<()>,
    ) -> Result<()> {
        (**self).read_each(mailbox, uids, section, partial, each)
    }

    fn read_listed(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        partial: Option<(u64, u64)>,
    ) -> Option<Result<MessageData>> {
        (**self).read_listed(mailbox, uid, partial)
    }

    fn read_binary(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        part: &[NonZeroU32],
        partial: Option<(u64, u64)>,
    ) -> Result<Option<MessageData>> {
        (**self).read_binary(mailbox, uid, part, partial)
    }

    fn changes_since(&self, mailbox: MailboxId, since: ModSeq) -> Result<Changes> {
        (**self).changes_since(mailbox, since)
    }
}

impl<T: SearchStore + ?Sized> SearchStore for Arc<T> {
    fn search(&self, mailbox: MailboxId, key: &SearchKey) -> Result<Vec<Uid>> {
        (**self).search(mailbox, key)
    }

    fn sort(
        &self,
        mailbox: MailboxId,
        sort: &[SortCriterion],
        key: &SearchKey,
    ) -> Result<Vec<Uid>> {
        (**self).sort(mailbox, sort, key)
    }
}

impl<T: ChangeNotifier + ?Sized> ChangeNotifier for Arc<T> {
    fn subscribe(&self, mailbox: MailboxId) -> Result<Subscription> {
        (**self).subscribe(mailbox)
    }
}

impl<T: QuotaStore + ?Sized> QuotaStore for Arc<T> {
    fn quota(&self) -> Result<QuotaUsage> {
        (**self).quota()
    }

    fn set_quota(&self, quota: Quota) -> Result<()> {
        (**self).set_quota(quota)
    }
}

#[cfg(test)]
mod tests {
    use super::AnyStore;
    use crate::store::{AccountProvider, MailboxStore, MessageReader, MessageStore};
    use crate::{AccountName, AppendOptions, MailboxName, MaildirStore, MemoryStore, Options};

    /// The same calls give the same answers through `AnyStore` for both backends,
    /// and the provided methods reach the backend's own (`read_listed` answers only
    /// where the backend has a fast path: Maildir after a listing, memory always).
    #[test]
    fn forwards_to_either_backend() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for store in [
            AnyStore::new(MemoryStore::new()),
            AnyStore::new(MaildirStore::new(dir.path(), Options::new())),
        ] {
            let name = AccountName::try_from("bob@example.org").unwrap_or_else(|e| panic!("{e}"));
            let account = store.account(&name).unwrap_or_else(|e| panic!("{e}"));
            let inbox = account
                .mailbox(&MailboxName::inbox())
                .unwrap_or_else(|e| panic!("{e}"));
            let appended = account
                .append_bytes(
                    inbox.id,
                    b"Subject: x\r\n\r\nbody\r\n",
                    &AppendOptions::default(),
                )
                .unwrap_or_else(|e| panic!("{e}"));
            let again = store.account(&name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(again.uids(inbox.id).ok(), Some(vec![appended.uid]));
            let _ = again.fetch(inbox.id, &crate::UidSet::all(), crate::FetchOptions::meta());
            let listed = again.read_listed(inbox.id, appended.uid, None);
            assert!(listed.is_some(), "{store:?}");
        }
    }
}
