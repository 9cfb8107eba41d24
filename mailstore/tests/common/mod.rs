//! One behaviour suite, two backends: the Maildir + SQLite [`Account`] and the
//! in-memory [`MemoryAccount`].
//!
//! A behaviour test is a generic function over [`Backend`]; [`backend_tests!`] makes
//! one `#[test]` per backend of it (`maildir::<name>` and `memory::<name>`), so every
//! assertion about the store traits runs against both. What only the Maildir backend
//! has (files, folders, the index) is checked where [`Backend::root`] gives a folder.
#![allow(
    dead_code,
    unused_macros,
    reason = "each test binary uses a part of the shared helpers"
)]

use std::io::Read;
use std::path::{Path, PathBuf};

use mailwright_store::memory::{MemoryAccount, MemoryStore};
use mailwright_store::store::{AccountProvider, MailStore, MessageReader};
use mailwright_store::{
    Account, AccountName, MailboxId, MailboxName, MaildirStore, Options, Section, Uid,
};

/// How a test wants its account.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Setup {
    /// The largest message accepted (the backends' default when `None`).
    pub(crate) max_message_size: Option<u64>,
    /// Whether the Maildir backend fsyncs (the in-memory one has nothing to sync).
    pub(crate) durable: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            max_message_size: None,
            durable: true,
        }
    }
}

/// A store backend under test: an account named `acct` from its [`AccountProvider`].
pub(crate) trait Backend: Sized {
    /// The account handle.
    type Account: MailStore + Clone + 'static;
    /// The provider the account comes from.
    type Provider: AccountProvider<Account = Self::Account>;

    /// A fresh store with one account.
    fn open_with(setup: Setup) -> Self;

    /// The provider.
    fn provider(&self) -> &Self::Provider;

    /// The account under test.
    fn account(&self) -> &Self::Account;

    /// The account as a program started again would find it: the Maildir backend
    /// opens the files anew (as another process would), the memory backend hands out
    /// the same state.
    fn reopen(&self) -> Self::Account;

    /// The Maildir root, for checks of the files; `None` for a backend without files.
    fn root(&self) -> Option<&Path>;

    /// A fresh store with the defaults.
    fn open() -> Self {
        Self::open_with(Setup::default())
    }

    /// The name of the account under test.
    fn name() -> AccountName {
        AccountName::try_from("acct").unwrap()
    }
}

/// The Maildir + SQLite backend in a temporary folder.
pub(crate) struct Maildir {
    _dir: tempfile::TempDir,
    root: PathBuf,
    options: Options,
    store: MaildirStore,
    account: Account,
}

impl Backend for Maildir {
    type Account = Account;
    type Provider = MaildirStore;

    fn open_with(setup: Setup) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut options = Options::new();
        options.dangerous_set_durable(setup.durable);
        if let Some(max) = setup.max_message_size {
            options.set_max_message_size(max);
        }
        let store = MaildirStore::new(dir.path(), options.clone());
        let account = store.account(&Self::name()).unwrap();
        Self {
            root: dir.path().join("acct"),
            _dir: dir,
            options,
            store,
            account,
        }
    }

    fn provider(&self) -> &MaildirStore {
        &self.store
    }

    fn account(&self) -> &Account {
        &self.account
    }

    fn reopen(&self) -> Account {
        Account::open(&self.root, &self.options).unwrap()
    }

    fn root(&self) -> Option<&Path> {
        Some(&self.root)
    }
}

/// The in-memory backend.
pub(crate) struct Memory {
    store: MemoryStore,
    account: MemoryAccount,
}

impl Backend for Memory {
    type Account = MemoryAccount;
    type Provider = MemoryStore;

    fn open_with(setup: Setup) -> Self {
        let store = match setup.max_message_size {
            Some(max) => MemoryStore::with_max_message_size(max),
            None => MemoryStore::new(),
        };
        let account = store.account(&Self::name()).unwrap();
        Self { store, account }
    }

    fn provider(&self) -> &MemoryStore {
        &self.store
    }

    fn account(&self) -> &MemoryAccount {
        &self.account
    }

    fn reopen(&self) -> MemoryAccount {
        self.store.account(&Self::name()).unwrap()
    }

    fn root(&self) -> Option<&Path> {
        None
    }
}

/// One `#[test]` per backend for each generic test function named:
/// `maildir::<name>` runs `<name>::<Maildir>`, `memory::<name>` runs `<name>::<Memory>`.
macro_rules! backend_tests {
    ($($test:ident),* $(,)?) => {
        mod maildir {
            $(
                #[test]
                fn $test() {
                    super::$test::<crate::common::Maildir>();
                }
            )*
        }
        mod memory {
            $(
                #[test]
                fn $test() {
                    super::$test::<crate::common::Memory>();
                }
            )*
        }
    };
}

/// A mailbox name.
pub(crate) fn name(s: &str) -> MailboxName {
    MailboxName::try_from(s).unwrap()
}

/// A section, read whole, its announced length checked.
pub(crate) fn read_all(
    reader: &impl MessageReader,
    mailbox: MailboxId,
    uid: Uid,
    section: &str,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut data = reader
        .read(mailbox, uid, &section.parse::<Section>().unwrap(), None)
        .unwrap();
    let len = data.len();
    data.read_to_end(&mut out).unwrap();
    assert_eq!(out.len() as u64, len);
    out
}
