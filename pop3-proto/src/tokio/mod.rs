//! The async edge: a tokio driver for [`ServerSession`](crate::server::ServerSession)
//! with `STLS` and implicit TLS through tokio-rustls (feature `tokio`, on by default).
//!
//! The driver adds no protocol logic. It moves bytes between the socket and the
//! session, answers the session's events with a [`Handler`] (credentials to a locked
//! [`Maildrop`](crate::maildrop::Maildrop)) and the maildrop (listing, streamed
//! messages, UPDATE), and owns what needs a clock: the autologout timer armed from
//! `poll_timeout` and the delay before a failed login's `-ERR`.
//!
//! The accept loop, connection limits (total and per IP), TLS per listener
//! ([`TlsMode`]), handshake and write timeouts and graceful shutdown are the shared
//! listener code of [`mailwright_base::listener`], configured the same way as in the SMTP
//! and IMAP crates: `Server::new(config, handler)`, `&mut` setters ([`Server::tls`],
//! [`Server::options`] with [`Options`], [`Server::observer`],
//! [`Server::plaintext_on_loopback`], [`Server::apop`], [`Server::hostname`]), then
//! `serve(listener, TlsMode, shutdown)` per listener; the defaults are in
//! [`Server`]'s documentation.
//!
//! ```no_run
//! use std::sync::Arc;
//! use mailwright_pop3::maildrop::MemoryStore;
//! use mailwright_pop3::server::ServerConfig;
//! use mailwright_pop3::tokio::{Server, TlsMode};
//!
//! # async fn run() -> std::io::Result<()> {
//! let store = MemoryStore::new();
//! store.add_user("mrose", "tanstaaf");
//! let server = Arc::new(Server::new(ServerConfig::default(), store));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:1110").await?;
//! server.serve(listener, TlsMode::Plain, std::future::pending()).await
//! # }
//! ```

mod error;
mod handler;
mod memory;
mod server;

pub use error::Error;
pub use handler::{Handler, Peer};
pub use mailwright_base::listener::{Observer, Options, Stop, TlsMode, server_tls_config};
pub use server::Server;
