//! The in-memory backend: every [`crate::store`] trait over accounts held in memory.
//!
//! [`MemoryAccount`] behaves as [`crate::Account`] does, call for call: the same UIDs,
//! UIDVALIDITY rule, MODSEQ steps, flags, COPYUID and VANISHED data, sections and
//! BODYSTRUCTURE (the same MIME analysis), search and sort results (the same matchers,
//! the same full-text words as the SQLite index's FTS5 tokenizer), notifications,
//! quota errors and error variants. The integration tests run one suite against both
//! (`tests/common/mod.rs`, used by `store.rs`, `edges.rs`, `read_path.rs`,
//! `indexing.rs`, `durability.rs`) and compare them on random operation sequences
//! (`tests/equivalence.rs`). Nothing is written anywhere: when the last handle goes, so
//! does the mail. For tests, demos, and as the second implementation that keeps the
//! store traits honest.
//!
//! ```
//! use mailwright_store::memory::MemoryStore;
//! use mailwright_store::store::{AccountProvider, MailboxStore, MessageStore, SearchStore};
//! use mailwright_store::{AccountName, AppendOptions, MailboxName, SearchKey};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = MemoryStore::new();
//! let alice = store.account(&AccountName::try_from("alice")?)?;
//! let inbox = alice.mailbox(&MailboxName::inbox())?;
//! let message = b"Subject: Lunch?\r\n\r\nAt noon.\r\n";
//! let appended = alice.append_bytes(inbox.id, message, &AppendOptions::default())?;
//!
//! // A second handle on the same name sees the same account.
//! let again = store.account(&AccountName::try_from("alice")?)?;
//! assert_eq!(again.search(inbox.id, &SearchKey::Text("noon".into()))?, vec![appended.uid]);
//! # Ok(())
//! # }
//! ```
//!
//! Where the two backends differ, and why:
//! * [`crate::MessageMeta::stable_id`] is `M<n>` (a counter of the account), not a
//!   Maildir base name; unique in the account and kept by a move, as there.
//! * The expunge history behind `VANISHED` is bounded (see `vanished.rs`): past 4096
//!   runs of expunged UIDs per mailbox, old runs are merged and may be reported to a
//!   client asking for changes since a later MODSEQ (RFC 7162 allows this; a UID that
//!   exists is never reported). The index keeps every expunged UID.
//! * Nothing changes behind the store's back (no other program writes its files), so
//!   there is no reconciling and no cross-process watcher; and
//!   [`MessageReader::read_listed`](crate::store::MessageReader::read_listed) answers
//!   for every message that exists, listed or not (unless a writer holds the account at
//!   that moment), where the Maildir backend answers for the files its last listing
//!   located.
//! * [`MailboxStore::unindexed`](crate::store::MailboxStore::unindexed) lists the
//!   messages whose analysis failed with their stable id as the location; they are not
//!   analysed again later, as the index does when a newer version opens it: a process
//!   runs one version of the analyzer, and the mail does not outlive the process.

mod mailboxes;
mod messages;
mod read;
mod search;
mod state;
mod vanished;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use self::state::{State, Touched};
use crate::error::Result;
use crate::notify::{Hub, Subscription, lock};
use crate::quota::{Quota, QuotaUsage};
use crate::store::{AccountProvider, ChangeNotifier, QuotaStore};
use crate::types::{AccountName, MailboxId, ModSeq};

/// The largest message an account accepts unless told otherwise: 64 MiB, as
/// [`crate::Options`] has it.
const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 * 1024 * 1024;

/// One account in memory. Cheap to clone (clones share the account); `Send + Sync`.
///
/// Implements every [`crate::store`] trait with the behaviour of [`crate::Account`]
/// (see the [module docs](self)). Calls take a lock on the account (many readers or
/// one writer) and never touch a disk; MIME analysis of an appended message runs
/// before the lock is taken.
#[derive(Clone)]
pub struct MemoryAccount {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<State>,
    hub: Arc<Hub>,
    max_message_size: u64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.hub.close();
    }
}

impl std::fmt::Debug for MemoryAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryAccount")
            .field("max_message_size", &self.inner.max_message_size)
            .finish_non_exhaustive()
    }
}

impl Default for MemoryAccount {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryAccount {
    /// An empty account (an INBOX) that takes messages up to 64 MiB.
    pub fn new() -> Self {
        Self::with_max_message_size(DEFAULT_MAX_MESSAGE_SIZE)
    }

    /// An empty account that refuses messages larger than `bytes` with
    /// [`crate::StoreError::MessageTooLarge`].
    pub fn with_max_message_size(bytes: u64) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: RwLock::new(State::new()),
                hub: Arc::new(Hub::default()),
                max_message_size: bytes,
            }),
        }
    }

    /// Runs `f` on the account's state, shared with other readers.
    fn read<T>(&self, f: impl FnOnce(&State) -> Result<T>) -> Result<T> {
        let state = self
            .inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        f(&state)
    }

    /// Runs `f` on the account's state alone, then announces the touched mailboxes'
    /// new HIGHESTMODSEQs. `f` checks everything before it changes anything, so an
    /// error leaves the state as it was.
    fn write<T>(&self, f: impl FnOnce(&mut State) -> Result<(T, Touched)>) -> Result<T> {
        let (out, touched) = {
            let mut state = self
                .inner
                .state
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            f(&mut state)?
        };
        for (mailbox, modseq) in touched {
            self.inner.hub.notify(mailbox, ModSeq::new(modseq));
        }
        Ok(out)
    }
}

impl ChangeNotifier for MemoryAccount {
    fn subscribe(&self, mailbox: MailboxId) -> Result<Subscription> {
        let current = self.read(|state| Ok(state.mailbox(mailbox)?.highest_modseq))?;
        // Forgets the channels of mailboxes nobody listens to any more, so that they
        // do not pile up (the Maildir backend's watcher does this as it polls).
        self.inner.hub.has_subscribers();
        Ok(self.inner.hub.subscribe(mailbox, ModSeq::new(current)))
    }
}

impl QuotaStore for MemoryAccount {
    fn quota(&self) -> Result<QuotaUsage> {
        self.read(|state| {
            let (bytes, messages) = state.usage();
            Ok(QuotaUsage {
                bytes,
                messages,
                quota: state.quota,
            })
        })
    }

    fn set_quota(&self, quota: Quota) -> Result<()> {
        // The index keeps limits as SQLite integers: above i64::MAX is i64::MAX.
        let clamp = |limit: Option<u64>| limit.map(|v| v.min(i64::MAX as u64));
        self.write(|state| {
            state.quota = Quota {
                max_bytes: clamp(quota.max_bytes),
                max_messages: clamp(quota.max_messages),
            };
            Ok(((), Touched::new()))
        })
    }
}

/// Accounts in memory by name, created on first use. Cheap to clone (clones share the
/// accounts); `Send + Sync`.
///
/// Keeps every account it created for as long as any clone of it lives: an account's
/// mail is in memory only, so it is not dropped when the last session lets go.
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<StoreInner>,
}

struct StoreInner {
    accounts: Mutex<HashMap<AccountName, MemoryAccount>>,
    max_message_size: u64,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("accounts", &lock(&self.inner.accounts).len())
            .field("max_message_size", &self.inner.max_message_size)
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// A store without accounts whose accounts take messages up to 64 MiB.
    pub fn new() -> Self {
        Self::with_max_message_size(DEFAULT_MAX_MESSAGE_SIZE)
    }

    /// A store whose accounts refuse messages larger than `bytes`.
    pub fn with_max_message_size(bytes: u64) -> Self {
        Self {
            inner: Arc::new(StoreInner {
                accounts: Mutex::new(HashMap::new()),
                max_message_size: bytes,
            }),
        }
    }
}

impl AccountProvider for MemoryStore {
    type Account = MemoryAccount;

    fn account(&self, name: &AccountName) -> Result<MemoryAccount> {
        let mut accounts = lock(&self.inner.accounts);
        Ok(accounts
            .entry(name.clone())
            .or_insert_with(|| MemoryAccount::with_max_message_size(self.inner.max_message_size))
            .clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MailStore, MessageStore};
    use crate::types::MailboxName;
    use crate::{AppendOptions, StoreError};

    fn shareable<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn handles_are_shareable_and_accounts_shared() -> Result<()> {
        shareable::<MemoryStore>();
        shareable::<MemoryAccount>();
        let store = MemoryStore::with_max_message_size(10);
        let name = AccountName::try_from("a")?;
        let (one, two) = (store.clone().account(&name)?, store.account(&name)?);
        assert!(Arc::ptr_eq(&one.inner, &two.inner));
        let dynamic: &dyn MailStore = &one;
        let inbox = dynamic.mailbox(&MailboxName::inbox())?.id;
        let refused = two.append_bytes(inbox, &[b'x'; 11], &AppendOptions::default());
        assert!(matches!(
            refused,
            Err(StoreError::MessageTooLarge { limit: 10 })
        ));
        assert_eq!(
            format!("{store:?}"),
            "MemoryStore { accounts: 1, max_message_size: 10 }"
        );
        Ok(())
    }
}
