//! What every service shares: configuration, user database, mailbox store, metrics.

use mailstore::MaildirStore;

use crate::config::Config;
use crate::data::DataDir;
use crate::metrics::Metrics;
use crate::users::Directory;

/// The server's shared state, behind an `Arc`.
#[derive(Debug)]
pub struct App {
    /// The configuration.
    pub config: Config,
    /// The data folder.
    pub data: DataDir,
    /// Users, domains, aliases.
    pub directory: Directory,
    /// The mailboxes.
    pub store: MaildirStore,
    /// Counters.
    pub metrics: Metrics,
}

impl App {
    /// Checks a user's password; the user's address when it matches. Blocks (argon2):
    /// call from `spawn_blocking`. A database failure counts as a mismatch (and is
    /// logged).
    pub fn authenticate(&self, user: &str, password: &[u8]) -> Option<String> {
        match self.directory.authenticate(user, password) {
            Ok(found) => found,
            Err(error) => {
                tracing::error!(%error, "user database failed during login");
                None
            }
        }
    }
}
