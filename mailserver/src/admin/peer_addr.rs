//! The client's address as connection info for the admin listener's handlers, over
//! plain TCP and over TLS alike (the web admin counts failed sign-ins per address).

use std::net::SocketAddr;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::net::TcpListener;

use super::tls_listener::TlsListener;

// A struct of our own: the orphan rule forbids `Connected` impls for `SocketAddr` here.

/// The remote address of an admin connection, in each request's
/// `ConnectInfo<PeerAddr>` extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, TcpListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        Self(*stream.remote_addr())
    }
}
