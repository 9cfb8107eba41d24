//! The async edge: a tokio driver for [`ServerSession`](crate::server::ServerSession)
//! with `STLS` and implicit TLS through tokio-rustls (feature `tokio`, on by default).
//!
//! The driver adds no protocol logic. It moves bytes between the socket and the
//! session, answers the session's events with a [`Handler`] (credentials to a locked
//! [`Maildrop`](crate::maildrop::Maildrop)) and the maildrop (listing, streamed
//! messages, UPDATE), and owns what needs a clock or a socket: the autologout timer
//! armed from `poll_timeout`, the delay before a failed login's `-ERR`, a write
//! timeout, the TLS handshakes, and graceful shutdown.
//!
//! ```no_run
//! use std::sync::Arc;
//! use pop3_proto::maildrop::MemoryStore;
//! use pop3_proto::tokio::Server;
//!
//! # async fn run() -> std::io::Result<()> {
//! let store = MemoryStore::new();
//! store.add_user("mrose", "tanstaaf");
//! let server = Arc::new(Server::new(store));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:1110").await?;
//! server.serve(listener, false, std::future::pending()).await
//! # }
//! ```

mod error;
mod handler;
mod memory;
mod server;
mod tls;

pub use error::Error;
pub use handler::{Handler, Peer};
pub use server::{Options, Server};
pub use tls::server_config_from_pem;
