//! Errors of the async edge.

use std::io;

use mailwright_base::listener;

use crate::client::Failure;
use crate::error::ClientError;
use crate::reply::Reply;

/// What can go wrong in the tokio server or client, beyond what the sessions answer
/// on the wire themselves.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing failed, the TLS handshake failed, or a timeout of the
    /// connection (TLS handshake, write) expired: the same
    /// [`mailwright_base::listener::Error`] as in the IMAP and POP3 crates.
    #[error(transparent)]
    Connection(#[from] listener::Error),
    /// The peer did not answer in time (the client's reply timeouts, RFC 5321
    /// section 4.5.3.2).
    #[error("timeout")]
    Timeout,
    /// The peer closed the connection.
    #[error("connection closed")]
    Closed,
    /// The server refused what the client asked for, with this reply.
    #[error("server refused: {0}")]
    Rejected(Reply<'static>),
    /// The client session failed (malformed reply, `421`).
    #[error(transparent)]
    Client(Failure),
    /// The client session was asked for something it cannot do now.
    #[error(transparent)]
    Usage(#[from] ClientError),
}

impl Error {
    /// Whether a TLS handshake failed (the peer may not support our TLS settings).
    pub fn is_tls(&self) -> bool {
        matches!(self, Self::Connection(listener::Error::Tls(_)))
    }

    /// Whether a timeout ended the connection (a TLS handshake, a write, a reply).
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Timeout => true,
            Self::Connection(error) => error.is_timeout(),
            _ => false,
        }
    }

    /// Whether the server answered with a refusal (as opposed to a network fault).
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected(_)) || matches!(self, Self::Client(Failure::Rejected(_)))
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Self {
        Self::Connection(listener::Error::Io(error))
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
            Error::Connection(error) => error.into(),
            Error::Timeout => Self::new(io::ErrorKind::TimedOut, error),
            Error::Closed => Self::new(io::ErrorKind::UnexpectedEof, error),
            error => Self::other(error),
        }
    }
}
