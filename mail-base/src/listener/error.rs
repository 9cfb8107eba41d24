//! What can end a connection in the shared listener code.

use std::io;

/// Why a connection ended abnormally, as far as the listener code is concerned
/// (protocol crates wrap it in their own error type).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing the connection failed.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// The TLS handshake failed.
    #[error("tls: {0}")]
    Tls(rustls::Error),
    /// The TLS handshake took longer than the handshake timeout.
    #[error("TLS handshake timed out")]
    HandshakeTimeout,
    /// The peer left our output unread longer than the write timeout.
    #[error("write timed out")]
    WriteTimeout,
    /// TLS was asked for (implicit TLS, STARTTLS) but the server has no TLS
    /// configuration.
    #[error("no TLS configuration")]
    NoTls,
    /// The session was dropped before it ended: it was still running at the end of
    /// the shutdown grace period (or it panicked).
    #[error("session dropped before it ended (end of the shutdown grace period)")]
    Dropped,
}

impl Error {
    /// Whether a timeout of the listener (handshake or write) ended the connection.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::HandshakeTimeout | Self::WriteTimeout)
    }

    /// A TLS handshake failure: the rustls error inside the `io::Error` when there
    /// is one.
    pub(crate) fn from_handshake(error: io::Error) -> Self {
        match error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => Self::Tls(tls.clone()),
            None => Self::Io(error),
        }
    }
}

impl From<Error> for io::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Io(io) => io,
            Error::HandshakeTimeout | Error::WriteTimeout => {
                Self::new(io::ErrorKind::TimedOut, error)
            }
            Error::NoTls => Self::new(io::ErrorKind::InvalidInput, error),
            error => Self::other(error),
        }
    }
}

/// Why a connection of a protocol server ended abnormally: the connection itself,
/// or the protocol session `S` (a driver that called it out of order, a bug). The
/// IMAP and POP3 crates' `tokio::Error` is this type with their `SessionError`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError<S> {
    /// Reading or writing failed, the TLS handshake failed, or a timeout of the
    /// listener (handshake, write) expired.
    #[error(transparent)]
    Connection(#[from] Error),
    /// The driver called the session out of order (a bug in the protocol crate).
    #[error(transparent)]
    Session(S),
}

impl<S> ServerError<S> {
    /// Whether a timeout (TLS handshake, write) ended the connection.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Connection(error) if error.is_timeout())
    }
}

impl<S> From<io::Error> for ServerError<S> {
    fn from(error: io::Error) -> Self {
        Self::Connection(Error::Io(error))
    }
}

impl<S: std::error::Error + Send + Sync + 'static> From<ServerError<S>> for io::Error {
    fn from(error: ServerError<S>) -> Self {
        match error {
            ServerError::Connection(error) => error.into(),
            ServerError::Session(error) => Self::other(error),
        }
    }
}
