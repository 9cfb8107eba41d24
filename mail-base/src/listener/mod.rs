//! The listener code the three protocol crates share (feature `tokio`): what their
//! tokio servers would otherwise each copy.
//!
//! | file | what |
//! | --- | --- |
//! | [`Options`] | the settings every server has: connection limits, timeouts, login-failure delay, shutdown grace |
//! | [`ConnectionLimits`] | connections at once in total and per IP address; a [`ConnectionSlot`] is given back on drop; poison-proof |
//! | [`serve`] | the accept loop: admission, the protocol's refusal line through [`Service::refusal`], implicit TLS, graceful shutdown (a [`Stop`] for every session, a grace period, then abort) |
//! | [`TlsMode`] | TLS per listener: plaintext, STARTTLS offered, or implicit |
//! | [`MaybeTls`] | a stream that runs TLS or not and upgrades in place (handshakes with a timeout) |
//! | [`Driver`], [`Edge::drive`] | a per-connection driver run to the end of the connection, its stream upgraded in place when the session asks for TLS |
//! | [`write_all_within`] | a write with the write timeout |
//! | [`Observer`] | connections opened, refused and closed, for metrics and logs |
//! | [`Edge`] | what a protocol `Server` holds of all this |
//! | [`server_methods!`](crate::server_methods) | the `Server` methods the three crates share (`tls`, `options`, `observer`, `connection_count`, `serve`, `serve_connection`), written once |
//! | [`server_tls_config`], [`client_tls_config`] | rustls configurations from PEM |
//!
//! A protocol crate's `Server` holds an [`Edge`], implements [`Service`] (its
//! refusal line and its per-connection driver) and gets its common methods from
//! [`server_methods!`](crate::server_methods). Applications use
//! the protocol crates' `Server` types, which all have the same shape:
//!
//! ```text
//! let mut server = Server::new(config, handler);   // protocol config, application handler
//! server.tls(tls).options(options);                 // &mut setters; Options from here
//! let server = Arc::new(server);
//! Arc::clone(&server).serve(listener, TlsMode::Starttls, shutdown).await?;  // per listener
//! ```
//!
//! A minimal service, a greeting and goodbye protocol:
//!
//! ```no_run
//! use std::sync::Arc;
//! use mailwright_base::listener::{self, Accepted, Edge, Service, TlsMode};
//! use tokio::io::AsyncWriteExt;
//!
//! struct Hello {
//!     edge: Edge,
//! }
//!
//! impl Service for Hello {
//!     type Error = listener::Error;
//!
//!     fn edge(&self) -> &Edge {
//!         &self.edge
//!     }
//!
//!     fn refusal(&self) -> Vec<u8> {
//!         b"busy, try later\r\n".to_vec()
//!     }
//!
//!     async fn connection(&self, mut accepted: Accepted) -> Result<(), listener::Error> {
//!         let timeout = self.edge.write_timeout();
//!         listener::write_all_within(&mut accepted.stream, b"hello\r\n", timeout).await?;
//!         accepted.stream.shutdown().await?;
//!         Ok(())
//!     }
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let mut edge = Edge::new();
//! let mut options = listener::Options::default();
//! options.max_connections_per_ip(5);
//! edge.set_options(options);
//! let hello = Arc::new(Hello { edge });
//! let socket = tokio::net::TcpListener::bind("127.0.0.1:4000").await?;
//! listener::serve(hello, socket, TlsMode::Plain, std::future::pending()).await
//! # }
//! ```

mod driver;
mod edge;
mod error;
mod io;
mod limits;
mod methods;
mod observer;
mod options;
mod serve;
mod stop;
mod stream;
mod tls;

pub use driver::{Driver, Outcome};
pub use edge::Edge;
pub use error::{Error, ServerError};
pub use io::{sleep_until, write_all_within};
pub use limits::{ConnectionLimits, ConnectionSlot};
pub use observer::Observer;
pub use options::Options;
pub use serve::{Accepted, Service, serve, serve_connection};
pub use stop::Stop;
pub use stream::{MaybeTls, TlsInfo};
pub use tls::{TlsMode, client_tls_config, server_tls_config};

/// What [`server_methods!`](crate::server_methods) names, reachable from any crate.
#[doc(hidden)]
pub mod __private {
    pub use rustls::ServerConfig;
    pub use tokio::net::{TcpListener, TcpStream};
}
