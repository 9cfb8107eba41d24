//! What the server gives mailstore-pop3's handler: logins checked against the user
//! database (argon2, off the event loop) with the server's metrics and logs, and the
//! server's mailbox store.

use std::sync::Arc;

use mailwright_pop3::server::{Credentials, LoginRejection};
use mailwright_pop3::tokio::Peer;
use mailwright_store::store::AccountProvider;
use mailwright_store::{AccountName, AnyAccount};
use mailwright_store_pop3::{Authenticator, Pop3Handler};

use crate::metrics::Service;
use crate::state::App;

/// The POP3 handler of the server: mailstore-pop3 over the server's store, logins
/// through [`Pop3Login`].
pub fn handler(app: &Arc<App>) -> Pop3Handler<Pop3Login, Pop3Login> {
    let login = Pop3Login {
        app: Arc::clone(app),
    };
    Pop3Handler::new(login.clone(), login)
}

/// POP3 logins against the server's users, and the server's mailbox accounts.
#[derive(Debug, Clone)]
pub struct Pop3Login {
    app: Arc<App>,
}

impl AccountProvider for Pop3Login {
    type Account = AnyAccount;

    fn account(&self, name: &AccountName) -> mailwright_store::Result<AnyAccount> {
        self.app.store.account(name)
    }
}

impl Authenticator for Pop3Login {
    async fn authenticate(
        &self,
        credentials: &Credentials,
        peer: Peer,
    ) -> Result<AccountName, LoginRejection> {
        let Credentials::Password { user, password, .. } = credentials else {
            // APOP needs the clear-text password; only argon2 hashes are kept.
            self.app.metrics.auth_failure(Service::Pop3);
            return Err(LoginRejection::BadCredentials);
        };
        let app = Arc::clone(&self.app);
        let (user, password) = (user.clone(), password.declassify().clone());
        let address = tokio::task::spawn_blocking(move || app.authenticate(&user, &password))
            .await
            .map_err(|_| LoginRejection::Temporary)?;
        let name = address
            .as_deref()
            .and_then(|address| AccountName::try_from(address).ok());
        match (address, name) {
            (Some(address), Some(name)) => {
                self.app.metrics.login(Service::Pop3);
                tracing::info!(user = %address, peer = %peer.address, tls = peer.tls, "pop3 login");
                Ok(name)
            }
            _ => {
                self.app.metrics.auth_failure(Service::Pop3);
                tracing::info!(peer = %peer.address, "pop3 login failed");
                Err(LoginRejection::BadCredentials)
            }
        }
    }
}
