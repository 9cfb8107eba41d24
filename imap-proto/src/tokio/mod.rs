//! The async edge: a tokio driver for [`ServerSession`](crate::server::ServerSession)
//! with STARTTLS and implicit TLS through tokio-rustls (feature `tokio`, on by
//! default).
//!
//! The driver adds no protocol logic. It moves bytes between the socket and the
//! session, answers the session's events through a [`Backend`] (login) and its
//! [`Account`] (mailboxes), feeds the account's change notifications to the
//! session, and owns what needs a clock or a socket: the timers armed from
//! `poll_timeout` (autologout, IDLE, failed-login delay), the write timeout, the TLS
//! handshakes, connection limits and graceful shutdown. A large FETCH is answered
//! in batches with the output written in between, so it is streamed rather than
//! built whole in memory.
//!
//! ```no_run
//! use std::sync::Arc;
//! use imap_proto::tokio::{MemoryBackend, Server};
//!
//! # async fn run() -> std::io::Result<()> {
//! let backend = MemoryBackend::new();
//! backend.add_user("alice", "secret");
//! let server = Arc::new(Server::new(backend));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:1143").await?;
//! server.serve(listener, false, std::future::pending()).await
//! # }
//! ```

mod backend;
mod driver;
mod error;
#[cfg(feature = "memory")]
mod memory;
mod server;
mod tls;

pub use backend::{Account, Backend, FetchRequest, Peer, SelectRequest};
pub use error::Error;
#[cfg(feature = "memory")]
pub use memory::{MemoryAccount, MemoryBackend};
pub use server::{Options, Server};
pub use tls::server_config_from_pem;
