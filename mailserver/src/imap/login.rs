//! What the server gives mailstore-imap's backend: logins checked against the user
//! database (argon2, off the event loop) with the server's metrics and logs, and the
//! server's mailbox store.

use std::sync::Arc;

use mailwright_imap::server::LoginRejection;
use mailwright_imap::tokio::Peer;
use mailwright_store::store::AccountProvider;
use mailwright_store::{AccountName, AnyAccount};
use mailwright_store_imap::{Authenticator, Delimiter, ImapBackend, Options};

use crate::metrics::Service;
use crate::state::App;

/// The IMAP backend of the server: mailstore-imap over the server's store, logins
/// through [`ImapLogin`], APPEND limited to `limits.max_message_size`, `.` as the
/// hierarchy delimiter (the store's own).
pub fn backend(app: &Arc<App>) -> ImapBackend<ImapLogin, ImapLogin> {
    let login = ImapLogin {
        app: Arc::clone(app),
    };
    let mut backend = ImapBackend::new(login.clone(), login);
    let mut options = Options::new();
    options
        .max_message_size(app.config.limits.max_message_size)
        .delimiter(Delimiter::Dot);
    backend.options(options);
    backend
}

/// IMAP logins against the server's users, and the server's mailbox accounts.
#[derive(Debug, Clone)]
pub struct ImapLogin {
    app: Arc<App>,
}

impl AccountProvider for ImapLogin {
    type Account = AnyAccount;

    fn account(&self, name: &AccountName) -> mailwright_store::Result<AnyAccount> {
        self.app.store.account(name)
    }
}

impl Authenticator for ImapLogin {
    async fn authenticate(
        &self,
        username: &str,
        password: &[u8],
        peer: Peer,
    ) -> Result<AccountName, LoginRejection> {
        let app = Arc::clone(&self.app);
        let (username, password) = (username.to_owned(), password.to_vec());
        let address = tokio::task::spawn_blocking(move || app.authenticate(&username, &password))
            .await
            .map_err(|_| LoginRejection::Unavailable)?;
        let name = address
            .as_deref()
            .and_then(|address| AccountName::try_from(address).ok());
        match (address, name) {
            (Some(address), Some(name)) => {
                self.app.metrics.login(Service::Imap);
                tracing::info!(user = %address, peer = %peer.address, tls = peer.tls, "imap login");
                Ok(name)
            }
            _ => {
                self.app.metrics.auth_failure(Service::Imap);
                tracing::info!(peer = %peer.address, "imap login failed");
                Err(LoginRejection::BadCredentials)
            }
        }
    }
}
