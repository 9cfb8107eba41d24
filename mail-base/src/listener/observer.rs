//! What an application learns about the connections of a server.

use std::net::SocketAddr;

/// Told about every connection of a server: for metrics and logs. Every method has
/// an empty default.
///
/// `opened` and `closed` come in pairs for each admitted connection, whichever way it
/// ends (`closed` also runs for a session dropped at the end of the shutdown grace
/// period); a connection over a limit is only `refused`.
pub trait Observer: Send + Sync + 'static {
    /// A connection from `peer` to `local` was admitted (before any TLS handshake).
    fn opened(&self, peer: SocketAddr, local: SocketAddr) {
        let _ = (peer, local);
    }

    /// A connection over a limit got the protocol's refusal line and was closed.
    fn refused(&self, peer: SocketAddr, local: SocketAddr) {
        let _ = (peer, local);
    }

    /// An admitted connection ended; `error` says why when it was not a normal close.
    fn closed(
        &self,
        peer: SocketAddr,
        local: SocketAddr,
        error: Option<&(dyn std::error::Error + 'static)>,
    ) {
        let _ = (peer, local, error);
    }
}
