//! The async edge: a tokio driver for [`ServerSession`](crate::server::ServerSession)
//! with STARTTLS and implicit TLS through tokio-rustls (feature `tokio`, on by
//! default).
//!
//! The driver adds no protocol logic. It moves bytes between the socket and the
//! session, answers the session's events through a [`Backend`] (login) and its
//! [`Account`] (mailboxes), feeds the account's change notifications to the
//! session, and owns what needs a clock: the timers armed from `poll_timeout`
//! (autologout, IDLE, failed-login delay). A large FETCH is answered in batches with
//! the output written in between, so it is streamed rather than built whole in
//! memory.
//!
//! The accept loop, connection limits (total and per IP), TLS per listener
//! ([`TlsMode`]), handshake and write timeouts and graceful shutdown are the shared
//! listener code of [`mailwright_base::listener`], configured the same way as in the SMTP
//! and POP3 crates: `Server::new(config, backend)`, `&mut` setters
//! ([`Server::tls`], [`Server::options`] with [`Options`], [`Server::observer`],
//! [`Server::plaintext_on_loopback`], [`Server::fetch_batch`]), then
//! `serve(listener, TlsMode, shutdown)` per listener; the defaults are in
//! [`Server`]'s documentation.
//!
//! ```no_run
//! use std::sync::Arc;
//! use mailwright_imap::server::ServerConfig;
//! use mailwright_imap::tokio::{Backend, Server, TlsMode};
//!
//! # async fn run(backend: impl Backend) -> std::io::Result<()> {
//! let server = Arc::new(Server::new(ServerConfig::default(), backend));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:1143").await?;
//! server.serve(listener, TlsMode::Plain, std::future::pending()).await
//! # }
//! ```

mod backend;
mod driver;
mod error;
mod server;

pub use backend::{Account, Backend, FetchRequest, Peer, SelectRequest};
pub use error::Error;
pub use mailwright_base::listener::{Observer, Options, Stop, TlsMode, server_tls_config};
pub use server::Server;
