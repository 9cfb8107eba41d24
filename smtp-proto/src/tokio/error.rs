//! Errors of the async edge.

use std::io;

use crate::client::Failure;
use crate::error::ClientError;
use crate::reply::Reply;

/// What can go wrong in the tokio server or client, beyond what the sessions answer
/// on the wire themselves.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing the connection failed.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// The TLS handshake failed.
    #[error("tls: {0}")]
    Tls(rustls::Error),
    /// A timeout of the edge expired (the TLS handshake, a write of body data).
    #[error("timeout")]
    Timeout,
    /// The peer closed the connection.
    #[error("connection closed")]
    Closed,
    /// The server refused what the client asked for, with this reply.
    #[error("server refused: {0}")]
    Rejected(Reply<'static>),
    /// The client session failed (malformed reply, reply timeout, `421`).
    #[error(transparent)]
    Client(Failure),
    /// The client session was asked for something it cannot do now.
    #[error(transparent)]
    Usage(#[from] ClientError),
}

impl Error {
    /// Whether a TLS handshake failed (the peer may not support our TLS settings).
    pub fn is_tls(&self) -> bool {
        matches!(self, Self::Tls(_))
    }

    /// Whether the server answered with a refusal (as opposed to a network fault).
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected(_)) || matches!(self, Self::Client(Failure::Rejected(_)))
    }

    /// A TLS handshake error: the rustls error inside the `io::Error` when there is one.
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

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Closed => Self::Closed,
            Failure::Timeout => Self::Timeout,
            failure => Self::Client(failure),
        }
    }
}

impl From<Error> for io::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Io(io) => io,
            Error::Timeout => Self::new(io::ErrorKind::TimedOut, error),
            Error::Closed => Self::new(io::ErrorKind::UnexpectedEof, error),
            error => Self::other(error),
        }
    }
}
