//! A POP3 server on any mailstore backend: pop3-proto's tokio
//! [`Handler`](mailwright_pop3::tokio::Handler) and
//! [`Maildrop`](mailwright_pop3::maildrop::Maildrop) implemented over mailstore's
//! [store traits](mailwright_store::store), so the same code serves the Maildir + SQLite store
//! ([`mailwright_store::MaildirStore`]), the in-memory one ([`mailwright_store::MemoryStore`]) and
//! any other implementation of [`AccountProvider`](mailwright_store::store::AccountProvider).
//!
//! The application supplies an [`Authenticator`]: it checks the credentials and names
//! the account whose INBOX is the maildrop. The adapter does the rest: the RFC 1939
//! lock (one session per account), the listing with sizes and unique-ids (the store's
//! stable ids), messages read whole or streamed in chunks, and the removal of deleted
//! messages at `QUIT`.
//!
//! ```
//! use std::sync::Arc;
//!
//! use mailwright_store::{AccountName, MaildirStore};
//! use mailwright_store_pop3::{Authenticator, Pop3Handler};
//! use mailwright_pop3::server::{Credentials, LoginRejection};
//! use mailwright_pop3::server::ServerConfig;
//! use mailwright_pop3::tokio::{Peer, Server, TlsMode};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! /// One user, `mrose` / `tanstaaf`, whose maildrop is the INBOX of account `mrose`.
//! #[derive(Debug)]
//! struct OneUser;
//!
//! impl Authenticator for OneUser {
//!     async fn authenticate(
//!         &self,
//!         credentials: &Credentials,
//!         _peer: Peer,
//!     ) -> Result<AccountName, LoginRejection> {
//!         match credentials {
//!             Credentials::Password { user, password, .. }
//!                 if user == "mrose" && password.declassify().as_slice() == b"tanstaaf" =>
//!             {
//!                 AccountName::try_from("mrose").map_err(|_| LoginRejection::Temporary)
//!             }
//!             _ => Err(LoginRejection::BadCredentials),
//!         }
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let dir = tempfile::tempdir()?;
//! let store = MaildirStore::new(dir.path(), mailwright_store::Options::new());
//! let handler = Pop3Handler::new(store, OneUser);
//! let server = Arc::new(Server::new(ServerConfig::default(), handler));
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let serving = tokio::spawn(Arc::clone(&server).serve(listener, TlsMode::Plain, async {
//!     let _ = stopped.await;
//! }));
//!
//! // A client (loopback may log in without TLS).
//! let mut client = tokio::net::TcpStream::connect(address).await?;
//! client.write_all(b"USER mrose\r\nPASS tanstaaf\r\nSTAT\r\nQUIT\r\n").await?;
//! let mut answer = String::new();
//! client.read_to_string(&mut answer).await?;
//! assert!(answer.contains("+OK 0 0\r\n"), "{answer}");
//! let _ = stop.send(());
//! serving.await??;
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```
//!
//! # Blocking store calls
//!
//! The store traits block. The listing and removals run on the blocking pool; a
//! message up to 128 KiB that the store can give at once
//! ([`read_listed`](mailwright_store::store::MessageReader::read_listed)) is read on the
//! connection's worker, a message up to 1 MiB is read whole with
//! `tokio::task::block_in_place`, a larger one is streamed in 64 KiB chunks from the
//! blocking pool.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod maildrop;

pub use maildrop::{Authenticator, Pop3Handler, Pop3Maildrop, Pop3Message};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
