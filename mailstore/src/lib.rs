//! Mailbox storage for mail servers: Maildir++ message files plus an embedded SQLite
//! index per account, with everything an IMAP, POP3 or SMTP server asks of a store.
//!
//! Message bodies stay plain Maildir files, so Dovecot, mutt and backup tools read
//! them as they are; UIDs, UIDVALIDITY, flags and keywords, MODSEQs, internal dates,
//! cached ENVELOPE and BODYSTRUCTURE data, and a full-text index live in one SQLite
//! database (WAL) in the Maildir root. The IMAP server (SELECT, FETCH with sections
//! and partials, STORE with UNCHANGEDSINCE, COPY/MOVE with UIDPLUS, EXPUNGE/VANISHED,
//! SEARCH/SORT, IDLE, CONDSTORE/QRESYNC), the POP3 maildrop, the SMTP delivery path
//! and the web admin search all build on the [`store`] traits.
//!
//! Two backends implement the traits: [`Account`] (Maildir + SQLite, with
//! [`MaildirStore`] as its [`AccountProvider`](store::AccountProvider)) and
//! [`MemoryAccount`] (everything in memory, with [`MemoryStore`]; see [`memory`]),
//! which behaves call for call as `Account` does: for tests and demos, and as the
//! second implementation that keeps the traits honest. One test suite runs against
//! both.
//!
//! ```
//! use std::io::Read;
//! use mailwright_store::store::{MailboxStore, MessageReader, MessageStore, SearchStore};
//! use mailwright_store::{Account, AppendOptions, FetchOptions, Flags, MailboxName, Options, SearchKey, Section, SystemFlag};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let account = Account::open(dir.path().join("alice"), &Options::new())?;
//! let inbox = account.mailbox(&MailboxName::inbox())?;
//!
//! // Deliver: durable on disk and in the index when this returns.
//! let message = b"From: Bob <bob@example.org>\r\nSubject: Lunch?\r\n\r\nAt noon.\r\n";
//! let appended = account.append_bytes(inbox.id, message, &AppendOptions::default())?;
//!
//! // Flag it, search for it, read it back byte for byte.
//! let uids = appended.uid.into();
//! account.store_flags(inbox.id, &uids, mailwright_store::FlagOp::Add, &Flags::new().with(SystemFlag::Seen), None)?;
//! assert_eq!(account.search(inbox.id, &SearchKey::Text("noon".into()))?, vec![appended.uid]);
//! let meta = account.fetch(inbox.id, &uids, FetchOptions::meta().with_envelope())?;
//! assert!(meta[0].flags.has(SystemFlag::Seen));
//! assert_eq!(meta[0].envelope.as_ref().unwrap().subject.as_deref(), Some(&b"Lunch?"[..]));
//! let mut body = Vec::new();
//! account.read(inbox.id, appended.uid, &"TEXT".parse::<Section>()?, None)?.read_to_end(&mut body)?;
//! assert_eq!(body, b"At noon.\r\n");
//! # Ok(())
//! # }
//! ```
//!
//! Code written against the traits runs on either:
//!
//! ```
//! use mailwright_store::store::{AccountProvider, MailboxStore, MessageStore, SearchStore};
//! use mailwright_store::{AccountName, AppendOptions, MailboxName, MaildirStore, MemoryStore, Options};
//! use mailwright_store::{SearchKey, Uid};
//!
//! /// Delivers a message to INBOX and finds it again.
//! fn deliver(provider: &impl AccountProvider, message: &[u8]) -> mailwright_store::Result<Vec<Uid>> {
//!     let account = provider.account(&AccountName::try_from("bob")?)?;
//!     let inbox = account.mailbox(&MailboxName::inbox())?;
//!     account.append_bytes(inbox.id, message, &AppendOptions::default())?;
//!     account.search(inbox.id, &SearchKey::Subject("report".into()))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let message = b"Subject: Weekly report\r\n\r\nAll good.\r\n";
//! let dir = tempfile::tempdir()?;
//! let on_disk = deliver(&MaildirStore::new(dir.path(), Options::new()), message)?;
//! let in_memory = deliver(&MemoryStore::new(), message)?;
//! assert_eq!(on_disk, in_memory);
//! # Ok(())
//! # }
//! ```
//!
//! # Design
//!
//! ```text
//!   IMAP session   POP3 maildrop   SMTP delivery   web admin
//!         \              |               |            /
//!          +------- store traits (accounts, mailboxes, UIDs) -------+
//!                              |                          |
//!                           Account                 MemoryAccount   (a PostgreSQL
//!               +--------------+---------------+    (in memory)      backend could
//!        Maildir++ files                 SQLite index (WAL)          stand here too)
//!   tmp/ -> fsync -> new|cur/      mailbox, message, content (envelope,
//!   <base>:2,<flags>               structure), expunged, fts (FTS5)
//! ```
//!
//! What does not depend on the storage is shared by the backends: the MIME analysis
//! ([`mime`]), section location, the search matchers and the full-text word splitting
//! (the in-memory backend splits and folds words as the index's FTS5 tokenizer does),
//! the sort order, the notification hub.
//!
//! * **Durability.** An append writes `tmp/<unique>`, fsyncs it, renames it into
//!   `new/` or `cur/`, fsyncs the directory, and only then commits the index row
//!   (`synchronous=FULL`). Expunge unlinks files before it commits. On open, the index
//!   is reconciled with the files: files without rows are indexed with new UIDs, rows
//!   without files are expunged, flags changed by renaming files are taken over.
//! * **Concurrency.** Many readers (a small pool of connections), one writer per
//!   account; writes are `BEGIN IMMEDIATE` transactions, so two processes on one
//!   account serialize too. Handles are `Send + Sync`; every call blocks, so async
//!   servers call them in `tokio::task::spawn_blocking`.
//! * **Reading.** A section is served from the message file at the offsets cached at
//!   append: ranges up to [`READ_WHOLE_MAX`] in one read of the known size, larger ones
//!   streamed. [`MessageReader::fetch`](store::MessageReader::fetch) remembers the file
//!   names it lists, so a whole-message read right after it (FETCH `BODY[]`, POP3 RETR)
//!   opens the file without an index query; a file that moved since is looked up
//!   again. [`MessageReader::read_each`](store::MessageReader::read_each) reads many
//!   messages from one index query. The message's own `HEADER` and `HEADER.FIELDS`
//!   come from the header block the index keeps (for HEADER search), without the file,
//!   so a client's message list opens no file.
//! * **Changes.** [`notify::Subscription`] wakes IDLE sessions (async or blocking) on
//!   commits of this process at once, and on commits of other processes within the
//!   watch interval (SQLite `data_version` polling).
//! * **Parsing.** Each message is scanned once at append: part offsets, BODYSTRUCTURE
//!   data and the ENVELOPE (header fields parsed with `mail-parser`) are cached, and
//!   text parts feed the FTS5 index. Malformed MIME degrades to defaults; nothing
//!   panics; a streamed append holds the message in memory once, for the scan.
//! * **Interop.** Flags live in the file names (`:2,DFPRST`), folder names are
//!   Maildir++ `.Name.Sub` in modified UTF-7, Dovecot keyword letters are read through
//!   `dovecot-keywords`.
//!
//! # Features
//!
//! | feature | default | what |
//! | --- | --- | --- |
//! | (none) | | the crate has no optional features; `rusqlite` is built with SQLite bundled |
//!
//! # Standards
//!
//! | RFC / spec | what | status |
//! | --- | --- | --- |
//! | RFC 9051 / 3501 | mailboxes, UIDs, flags, sections, ENVELOPE, BODYSTRUCTURE, SEARCH keys | supported |
//! | RFC 7162 | CONDSTORE/QRESYNC: MODSEQ, UNCHANGEDSINCE, VANISHED data | supported |
//! | RFC 4315, 6851 | UIDPLUS (APPENDUID, COPYUID), MOVE | supported |
//! | RFC 3516 | BINARY (decoded parts) | supported |
//! | RFC 5256, 5957 | SORT (base subject), DISPLAYFROM/DISPLAYTO | supported (THREAD: not yet) |
//! | RFC 6154 | special-use attributes | supported |
//! | RFC 9208 | QUOTA (STORAGE, MESSAGE) | supported |
//! | Maildir, Maildir++ | file names, flags, folders | supported |

#![cfg_attr(docsrs, feature(doc_cfg))]

mod account;
mod any_store;
mod data;
mod error;
#[cfg(feature = "__fuzz")]
#[doc(hidden)]
pub mod fuzz;
mod index;
mod mailbox;
pub mod maildir;
pub mod memory;
mod message;
pub mod mime;
pub mod notify;
mod quota;
pub mod search;
pub mod store;
pub mod types;

pub use account::{Account, INDEX_FILE, MaildirStore, Options};
pub use any_store::{AnyAccount, AnyStore};
pub use data::{MessageData, READ_WHOLE_MAX};
pub use error::{QuotaResource, Result, StoreError};
pub use mailbox::{MailboxInfo, MailboxStatus};
pub use memory::{MemoryAccount, MemoryStore};
pub use message::{
    AppendOptions, Appended, Changes, Copied, Expunged, FetchOptions, FlagUpdate, FlagsStored,
    MessageMeta, Unindexed,
};
pub use mime::{Section, SectionText};
pub use quota::{Quota, QuotaUsage};
pub use search::{SearchKey, SortCriterion, SortKey};
pub use types::{
    AccountName, Date, Flag, FlagOp, Flags, InternalDate, Keyword, MailboxId, MailboxName, ModSeq,
    SpecialUse, SpecialUses, SystemFlag, Uid, UidSet, UidValidity, ValidationError,
};

/// The crate README's examples, run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
