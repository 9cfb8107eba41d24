//! What the application provides to the driver.

use std::future::Future;
use std::net::SocketAddr;

use crate::maildrop::Maildrop;
use crate::server::{Credentials, LoginRejection};

/// The connection a login comes from.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub struct Peer {
    /// The client's address.
    pub address: SocketAddr,
    /// Whether the connection runs TLS.
    pub tls: bool,
}

/// Checks credentials and opens maildrops.
///
/// One method, because that is the only decision the application makes in POP3: the
/// session handles every protocol rule, and the returned [`Maildrop`] answers the
/// rest (listing, messages, removal).
pub trait Handler: Send + Sync + 'static {
    /// The maildrop type; the value holds the maildrop's lock until dropped.
    type Maildrop: Maildrop + 'static;

    /// Verifies `credentials` and opens (and locks) the user's maildrop.
    ///
    /// For [`Credentials::Apop`], verify with
    /// [`ApopTimestamp::verify`](crate::ApopTimestamp::verify) and the shared secret.
    /// Return [`LoginRejection::InUse`] when the maildrop is locked (the client gets
    /// `-ERR [IN-USE]`), [`LoginRejection::BadCredentials`] for a wrong password (the
    /// driver waits its failed-login delay before answering).
    fn login(
        &self,
        credentials: &Credentials,
        peer: Peer,
    ) -> impl Future<Output = Result<Self::Maildrop, LoginRejection>> + Send;
}
