//! Errors of the async edge.

use std::io;

use crate::server::SessionError;

/// Why a connection ended abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing failed.
    #[error("connection i/o failed")]
    Io(#[from] io::Error),
    /// The TLS handshake failed.
    #[error("tls handshake failed")]
    Tls(#[source] io::Error),
    /// The peer did not take our output within the write timeout.
    #[error("write timed out")]
    Timeout,
    /// The driver called the session out of order (a bug in this crate).
    #[error(transparent)]
    Session(#[from] SessionError),
}

impl Error {
    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout)
    }
}

impl From<Error> for io::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Io(error) | Error::Tls(error) => error,
            Error::Timeout => Self::new(io::ErrorKind::TimedOut, error),
            Error::Session(_) => Self::other(error),
        }
    }
}
