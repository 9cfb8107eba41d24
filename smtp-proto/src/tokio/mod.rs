//! The async edge: a tokio server and client around the sans-IO sessions, with
//! STARTTLS and implicit TLS through tokio-rustls (feature `tokio`, default).
//!
//! [`Server`] runs one [`ServerSession`](crate::server::ServerSession) per connection,
//! calling the application's [`Handler`] / [`SessionHandler`] for each decision; the
//! accept loop, connection limits (total and per IP), TLS per listener ([`TlsMode`]),
//! handshake and write timeouts and graceful shutdown are the shared listener code of
//! [`mailwright_base::listener`], configured the same way as in the IMAP and POP3 crates:
//! `Server::new(config, handler)`, `&mut` setters ([`Server::tls`],
//! [`Server::options`] with [`Options`], [`Server::observer`]), then
//! `serve(listener, TlsMode, shutdown)` per listener. [`Client`] connects, upgrades,
//! authenticates and sends. Neither adds protocol logic: the driver loop is described
//! in [`manual::driver`](crate::manual::driver).
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

pub use client::{Client, Delivery};
pub use error::Error;
pub use handler::{AuthResult, ConnectionInfo, Context, Handler, MessageOutcome, SessionHandler};
pub use mailwright_base::listener::{
    Observer, Options, Stop, TlsInfo, TlsMode, client_tls_config, server_tls_config,
};
pub use server::Server;

/// The clock of the edge: the sans-IO core never reads it, the drivers pass it in.
#[allow(
    clippy::disallowed_methods,
    reason = "the async edge is where real time enters the sessions"
)]
pub(crate) fn now() -> std::time::Instant {
    std::time::Instant::now()
}
