//! The async edge: a tokio server and client around the sans-IO sessions, with
//! STARTTLS and implicit TLS through tokio-rustls (feature `tokio`, default).
//!
//! [`Server`] accepts connections (with a connection limit and graceful shutdown) and
//! runs one [`ServerSession`](crate::server::ServerSession) per connection, calling the
//! application's [`Handler`] / [`SessionHandler`] for each decision. [`Client`]
//! connects, upgrades, authenticates and sends. Neither adds protocol logic: the
//! driver loop is described in [`manual::driver`](crate::manual::driver).
//!
//! The RFC 5321 section 4.5.3.2 timeouts come from the sessions
//! ([`Limits::idle_timeout`](crate::server::Limits::idle_timeout),
//! [`client::Timeouts`](crate::client::Timeouts)); the edge adds the TLS handshake and
//! write timeouts of [`Options`].

mod client;
mod error;
mod handler;
mod io;
mod server;
mod tls;

pub use client::{Client, Delivery};
pub use error::Error;
pub use handler::{AuthResult, ConnectionInfo, Context, Handler, MessageOutcome, SessionHandler};
pub use server::{Options, Server};
pub use tls::{TlsInfo, client_tls_config, server_tls_config};

/// The clock of the edge: the sans-IO core never reads it, the drivers pass it in.
#[allow(
    clippy::disallowed_methods,
    reason = "the async edge is where real time enters the sessions"
)]
pub(crate) fn now() -> std::time::Instant {
    std::time::Instant::now()
}
