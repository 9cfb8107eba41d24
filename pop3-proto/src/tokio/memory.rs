//! [`Handler`] for the in-memory store.

use crate::maildrop::{MemoryMaildrop, MemoryStore};
use crate::server::{Credentials, LoginRejection};
use crate::tokio::{Handler, Peer};

impl Handler for MemoryStore {
    type Maildrop = MemoryMaildrop;

    async fn login(
        &self,
        credentials: &Credentials,
        _peer: Peer,
    ) -> Result<MemoryMaildrop, LoginRejection> {
        let verified = match credentials {
            Credentials::Password { user, password, .. } => {
                self.check_password(user, password.declassify())
            }
            Credentials::Apop {
                user,
                digest,
                timestamp,
            } => self.check_apop(user.as_str(), timestamp, digest),
        };
        if !verified {
            return Err(LoginRejection::BadCredentials);
        }
        self.open(credentials.user())
            .map_err(|error| LoginRejection::from(&error))
    }
}
