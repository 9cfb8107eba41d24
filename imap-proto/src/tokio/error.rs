//! Errors of the async edge.

/// Why a connection ended abnormally: [`Connection`](mailwright_base::listener::ServerError::Connection)
/// for I/O, TLS and the listener's timeouts (a [`mailwright_base::listener::Error`]),
/// [`Session`](mailwright_base::listener::ServerError::Session) for a driver that called
/// the session out of order (a bug in this crate).
pub type Error = mailwright_base::listener::ServerError<crate::server::SessionError>;
