//! An IMAP4rev2 server on any mailstore backend: imap-proto's tokio
//! [`Backend`](mailwright_imap::tokio::Backend) and [`Account`](mailwright_imap::tokio::Account)
//! implemented over mailstore's
//! [store traits](mailwright_store::store), so the same code serves the Maildir + SQLite store
//! ([`mailwright_store::MaildirStore`]), the in-memory one ([`mailwright_store::MemoryStore`]) and
//! any other implementation of [`AccountProvider`](mailwright_store::store::AccountProvider).
//!
//! The application supplies one thing, an [`Authenticator`]: it checks a login and
//! names the account it opens. Everything else (mailboxes, UIDs, flags, MODSEQs,
//! FETCH sections, ENVELOPE and BODYSTRUCTURE, SEARCH and SORT, COPY/MOVE with
//! UIDPLUS, EXPUNGE and VANISHED, IDLE from the store's change notifications, quota
//! checks at APPEND) is translated between the two crates here.
//!
//! ```
//! use std::sync::Arc;
//!
//! use mailwright_imap::server::{LoginRejection, ServerConfig};
//! use mailwright_imap::tokio::{Peer, Server, TlsMode};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use mailwright_store::{AccountName, MaildirStore};
//! use mailwright_store_imap::{Authenticator, Delimiter, ImapBackend, Options};
//!
//! /// One user, `alice` / `secret`, whose mail is the account `alice`.
//! #[derive(Debug)]
//! struct OneUser;
//!
//! impl Authenticator for OneUser {
//!     async fn authenticate(
//!         &self,
//!         username: &str,
//!         password: &[u8],
//!         _peer: Peer,
//!     ) -> Result<AccountName, LoginRejection> {
//!         if username == "alice" && password == b"secret" {
//!             AccountName::try_from("alice").map_err(|_| LoginRejection::Unavailable)
//!         } else {
//!             Err(LoginRejection::BadCredentials)
//!         }
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let dir = tempfile::tempdir()?;
//! let store = MaildirStore::new(dir.path(), mailwright_store::Options::new());
//! let mut backend = ImapBackend::new(store, OneUser);
//! let mut options = Options::new();
//! options.max_message_size(25 << 20).delimiter(Delimiter::Slash);
//! backend.options(options);
//!
//! // The session uses the backend's hierarchy delimiter.
//! let mut config = ServerConfig::default();
//! backend.configure(&mut config);
//! let server = Server::new(config, backend);
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let serving = tokio::spawn(Arc::new(server).serve(listener, TlsMode::Plain, async {
//!     let _ = stopped.await;
//! }));
//!
//! // A client (loopback may log in without TLS).
//! let mut client = tokio::net::TcpStream::connect(address).await?;
//! client.write_all(b"a LOGIN alice secret\r\nb CREATE Lists/Rust\r\nc LIST \"\" *\r\nd LOGOUT\r\n").await?;
//! let mut answer = String::new();
//! client.read_to_string(&mut answer).await?;
//! assert!(answer.contains("a OK"), "{answer}");
//! assert!(answer.contains(" \"/\" Lists/Rust\r\n"), "{answer}");
//! let _ = stop.send(());
//! serving.await??;
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```
//!
//! # Blocking store calls
//!
//! The store traits block (disk, SQLite, a database client). Each call runs with
//! `tokio::task::block_in_place` in a multi-threaded runtime (the connection's worker
//! does the short call itself and lends its other tasks to the other workers) and on
//! the blocking pool in a current-thread runtime; a panic in the store answers
//! `NO [SERVERBUG]` and the connection goes on.
//!
//! # Mapping
//!
//! | IMAP | store |
//! | --- | --- |
//! | mailbox names (`/` or `.` levels, see [`Delimiter`]) | [`MailboxName`](mailwright_store::MailboxName) (`.` levels) |
//! | `CREATE Sent` (also `Trash`, `Drafts`, `Junk`, `Archive`) | a mailbox with that special use (RFC 6154) |
//! | `\Recent` | not kept (nothing is recent) |
//! | `NO [TRYCREATE]`, `[TOOBIG]`, `[OVERQUOTA]`, `[NONEXISTENT]`, `[ALREADYEXISTS]`, `[UNAVAILABLE]` | [`StoreError`](mailwright_store::StoreError) kinds |

#![cfg_attr(docsrs, feature(doc_cfg))]

mod backend;
mod convert;
mod fetch;
mod options;
#[cfg(test)]
mod tests;

pub use backend::{ImapAccount, ImapBackend};
pub use options::{Authenticator, Delimiter, Options};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
