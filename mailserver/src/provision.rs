//! Operations that touch several parts at once, shared by the command line and the
//! admin API: a user is a directory row plus a mailbox account with its quota; a
//! domain is a directory row plus DKIM keys and the DNS records to publish.

use mailwright_store::store::{AccountProvider, QuotaStore};
use mailwright_store::{
    AccountName, AnyAccount, AnyStore, MaildirStore, MemoryStore, Options, Quota,
};

use crate::config::{Config, StoreBackend};
use crate::data::DataDir;
use crate::dkim_keys::{self, DnsRecord, KeyError};
use crate::users::{Directory, DirectoryError, User};

/// Why provisioning failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvisionError {
    /// The user database refused or failed.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// The mailbox could not be created.
    #[error("mailbox: {0}")]
    Store(#[from] mailwright_store::StoreError),
    /// DKIM keys could not be made.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl ProvisionError {
    /// Whether the caller asked for something wrong (vs. the machine failing).
    pub fn is_client_error(&self) -> bool {
        matches!(self, Self::Directory(e) if e.is_client_error())
    }
}

/// The mailbox store the configuration names (`[store] backend`): Maildir + SQLite
/// under the data folder, or in memory.
pub fn store(config: &Config, data: &DataDir) -> AnyStore {
    match config.store {
        StoreBackend::Maildir => AnyStore::new(MaildirStore::new(data.mail(), Options::new())),
        StoreBackend::Memory => {
            tracing::warn!("store.backend = \"memory\": mail is lost when the server stops");
            AnyStore::new(MemoryStore::new())
        }
    }
}

/// The mailbox account of a user.
///
/// # Errors
/// Store errors; an address that is not a valid account name.
pub fn account(store: &AnyStore, address: &str) -> mailwright_store::Result<AnyAccount> {
    let name = AccountName::try_from(address)?;
    store.account(&name)
}

/// Adds a user and creates their mailbox with the quota.
///
/// # Errors
/// [`ProvisionError`].
pub fn add_user(
    directory: &Directory,
    store: &AnyStore,
    address: &str,
    password: &str,
    quota_bytes: Option<u64>,
) -> Result<User, ProvisionError> {
    let mut user = directory.add_user(address, password)?;
    let account = account(store, &user.address)?;
    if quota_bytes.is_some() {
        directory.set_limits(&user.address, quota_bytes, None)?;
        account.set_quota(quota(quota_bytes))?;
        user.quota_bytes = quota_bytes;
    }
    Ok(user)
}

fn quota(bytes: Option<u64>) -> Quota {
    match bytes {
        Some(bytes) => Quota::unlimited().with_max_bytes(bytes),
        None => Quota::unlimited(),
    }
}

/// Sets a user's quota in the directory and on the mailbox.
///
/// # Errors
/// [`ProvisionError`].
pub fn set_quota(
    directory: &Directory,
    store: &AnyStore,
    address: &str,
    quota_bytes: Option<u64>,
    messages_per_hour: Option<u32>,
) -> Result<(), ProvisionError> {
    directory.set_limits(address, quota_bytes, messages_per_hour)?;
    account(store, &address.to_ascii_lowercase())?.set_quota(quota(quota_bytes))?;
    Ok(())
}

/// Adds a domain (if new), makes its DKIM keys (if missing), and returns the DNS
/// records to publish.
///
/// # Errors
/// [`ProvisionError`].
pub fn add_domain(
    config: &Config,
    data: &DataDir,
    directory: &Directory,
    domain: &str,
) -> Result<Vec<DnsRecord>, ProvisionError> {
    directory.add_domain(domain)?;
    let domain = domain.trim().to_ascii_lowercase();
    let keys = dkim_keys::ensure(&data.dkim(), &domain, &config.dkim.algorithms)?;
    Ok(dkim_keys::dns_records(&config.hostname, &domain, &keys))
}

/// Creates the configured domains (and their keys) that are missing.
///
/// # Errors
/// [`ProvisionError`].
pub fn ensure_domains(
    config: &Config,
    data: &DataDir,
    directory: &Directory,
) -> Result<(), ProvisionError> {
    for domain in &config.domains {
        add_domain(config, data, directory, domain)?;
    }
    Ok(())
}

/// What start-up made that the operator must see once.
#[derive(Debug, Default)]
pub struct FirstStart {
    /// The demo user and password, when made now.
    pub demo_user: Option<(String, String)>,
}

/// Creates the configured domains (and, for the embedded default, the demo user at
/// first start).
///
/// # Errors
/// [`ProvisionError`].
pub fn on_start(
    config: &Config,
    data: &DataDir,
    directory: &Directory,
    store: &AnyStore,
) -> Result<FirstStart, ProvisionError> {
    ensure_domains(config, data, directory)?;
    let mut first = FirstStart::default();
    if config.demo && directory.users(None)?.is_empty() {
        let address = format!("demo@{}", crate::config::DEMO_DOMAIN);
        let password = crate::users::password::generate();
        add_user(directory, store, &address, &password, None)?;
        first.demo_user = Some((address, password));
    }
    Ok(first)
}
