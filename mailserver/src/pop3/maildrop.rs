//! pop3-proto's maildrop over mailstore: the user's INBOX, listed once per session,
//! messages streamed from their files, deletions applied at QUIT. The RFC 1939 lock
//! is one entry per user in a set that the maildrop's guard leaves when dropped.

use std::collections::HashSet;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use mailstore::store::{MailboxStore, MessageReader, MessageStore};
use mailstore::{
    Account, FetchOptions, MailboxId, MailboxName, MessageData, Section, StoreError, Uid, UidSet,
};
use pop3_proto::UniqueId;
use pop3_proto::maildrop::{Maildrop, MaildropError, MessageInfo, MessageReader as Pop3Reader};
use pop3_proto::server::{Credentials, LoginRejection};
use pop3_proto::tokio::{Handler, Peer};

use crate::metrics::Service;
use crate::state::App;

/// Size of the chunks a message is streamed in.
const CHUNK: usize = 64 * 1024;
/// Messages up to this size are read whole when opened (one trip to the blocking pool).
const READ_WHOLE: u64 = 1 << 20;
/// Messages up to this size are read whole on the connection's own worker thread when
/// the listing located their file ([`Account::read_listed`]).
///
/// Such a read is an `open` and one `pread`, a few microseconds from the page cache:
/// less than the hand-off of [`crate::offload::short`], where the runtime wakes another
/// thread to take over the worker's tasks on every call. That hand-off held a
/// sequential POP3 client to 12,000 RETR/s where inline reads give 19,500 (same
/// machine, same maildrop of 4 KiB messages). A read that must wait for the disk blocks
/// this worker for that one small read, as nginx's workers do for file reads without
/// `aio`; a message whose file moved since the listing is found off the event loop.
const READ_INLINE: u64 = 128 * 1024;

/// Checks POP3 logins and opens maildrops.
#[derive(Debug, Clone)]
pub struct StoreHandler {
    app: Arc<App>,
    locked: Arc<Mutex<HashSet<String>>>,
}

impl StoreHandler {
    /// A handler over the server's users and mailboxes.
    pub fn new(app: Arc<App>) -> Self {
        Self {
            app,
            locked: Arc::default(),
        }
    }
}

/// One user's INBOX, locked for one session.
#[derive(Debug)]
pub struct StoreMaildrop {
    account: Account,
    inbox: MailboxId,
    /// UID and size of each message of the listing, by POP3 message number - 1.
    listing: Vec<(Uid, u64)>,
    lock: LockGuard,
}

#[derive(Debug)]
struct LockGuard {
    set: Arc<Mutex<HashSet<String>>>,
    user: String,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.user);
    }
}

/// A message being streamed.
#[derive(Debug)]
pub struct StoreMessage {
    data: Option<MessageData>,
    /// The whole message, when it was small enough to read at open.
    whole: Option<Bytes>,
}

impl StoreMessage {
    /// A message read whole when it is small enough, else streamed from `data`.
    fn new(mut data: MessageData) -> Result<Self, MaildropError> {
        if data.len() > READ_WHOLE {
            return Ok(Self {
                data: Some(data),
                whole: None,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(data.len()).unwrap_or(0));
        data.read_to_end(&mut bytes)?;
        Ok(Self {
            data: None,
            whole: Some(Bytes::from(bytes)),
        })
    }
}

fn io(error: StoreError) -> MaildropError {
    if error.is_not_found() {
        MaildropError::MessageGone
    } else {
        MaildropError::Io(std::io::Error::other(error))
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, MaildropError> + Send + 'static,
) -> Result<T, MaildropError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(MaildropError::Io(std::io::Error::other(e))))
}

/// The UIDL of a message: its Maildir base name, or a hash of it when that does not
/// fit RFC 1939's 70 printable characters.
fn unique_id(stable_id: &str) -> Result<UniqueId<'static>, MaildropError> {
    if let Ok(id) = UniqueId::try_from(stable_id.to_owned()) {
        return Ok(id);
    }
    // FNV-1a, 64 bits twice with different offsets: stable and printable.
    let hash = |offset: u64| {
        stable_id.bytes().fold(offset, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let text = format!(
        "{:016x}{:016x}",
        hash(0xcbf2_9ce4_8422_2325),
        hash(0x8422_2325_cbf2_9ce4)
    );
    UniqueId::try_from(text).map_err(|e| MaildropError::Io(std::io::Error::other(e)))
}

impl Handler for StoreHandler {
    type Maildrop = StoreMaildrop;

    async fn login(
        &self,
        credentials: &Credentials,
        peer: Peer,
    ) -> Result<StoreMaildrop, LoginRejection> {
        let Credentials::Password {
            user,
            password,
            authzid,
            ..
        } = credentials
        else {
            // APOP needs the clear-text password; only argon2 hashes are kept.
            self.app.metrics.auth_failure(Service::Pop3);
            return Err(LoginRejection::BadCredentials);
        };
        if authzid
            .as_deref()
            .is_some_and(|a| !a.eq_ignore_ascii_case(user))
        {
            return Err(LoginRejection::BadCredentials);
        }
        let app = Arc::clone(&self.app);
        let (user, password) = (user.clone(), password.declassify().clone());
        let address = tokio::task::spawn_blocking(move || app.authenticate(&user, &password))
            .await
            .map_err(|_| LoginRejection::Temporary)?;
        let Some(address) = address else {
            self.app.metrics.auth_failure(Service::Pop3);
            tracing::info!(peer = %peer.address, "pop3 login failed");
            return Err(LoginRejection::BadCredentials);
        };
        if !self
            .locked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(address.clone())
        {
            return Err(LoginRejection::InUse);
        }
        let lock = LockGuard {
            set: Arc::clone(&self.locked),
            user: address.clone(),
        };
        let app = Arc::clone(&self.app);
        let name = address.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let account = crate::provision::account(&app.store, &name)?;
            let inbox = account.mailbox(&MailboxName::inbox())?.id;
            Ok::<_, StoreError>((account, inbox))
        })
        .await;
        let Ok(Ok((account, inbox))) = opened else {
            return Err(LoginRejection::Temporary);
        };
        self.app.metrics.login(Service::Pop3);
        tracing::info!(user = %address, peer = %peer.address, tls = peer.tls, "pop3 login");
        Ok(StoreMaildrop {
            account,
            inbox,
            listing: Vec::new(),
            lock,
        })
    }
}

impl Maildrop for StoreMaildrop {
    type Message = StoreMessage;

    async fn list(&mut self) -> Result<Vec<MessageInfo>, MaildropError> {
        let (account, inbox) = (self.account.clone(), self.inbox);
        let metas = blocking(move || {
            account
                .fetch(inbox, &UidSet::all(), FetchOptions::meta())
                .map_err(io)
        })
        .await?;
        self.listing = metas.iter().map(|m| (m.uid, m.size)).collect();
        metas
            .iter()
            .map(|m| Ok(MessageInfo::new(m.size, unique_id(&m.stable_id)?)))
            .collect()
    }

    async fn open(&mut self, index: usize) -> Result<StoreMessage, MaildropError> {
        let (uid, size) = *self.listing.get(index).ok_or(MaildropError::MessageGone)?;
        if size <= READ_INLINE
            && let Some(data) = self.account.read_listed(self.inbox, uid, None)
        {
            return StoreMessage::new(data.map_err(io)?);
        }
        // Not located by the listing any more (renamed or moved by another program):
        // the index, and maybe a folder scan, find it, off the event loop.
        let (account, inbox) = (self.account.clone(), self.inbox);
        let read = move || {
            StoreMessage::new(
                account
                    .read(inbox, uid, &Section::full(), None)
                    .map_err(io)?,
            )
        };
        crate::offload::short(read)
            .await
            .unwrap_or_else(|| Err(MaildropError::Io(std::io::Error::other("read task failed"))))
    }

    async fn remove(&mut self, indices: &[usize]) -> Result<(), MaildropError> {
        let set: UidSet = indices
            .iter()
            .filter_map(|i| self.listing.get(*i).map(|(uid, _)| *uid))
            .collect();
        if set.is_empty() {
            return Ok(());
        }
        let (account, inbox) = (self.account.clone(), self.inbox);
        tracing::debug!(user = %self.lock.user, count = set.len(), "pop3 update");
        blocking(move || account.remove(inbox, &set).map(|_| ()).map_err(io)).await
    }
}

impl Pop3Reader for StoreMessage {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, MaildropError> {
        if let Some(whole) = self.whole.take() {
            return Ok((!whole.is_empty()).then_some(whole));
        }
        let Some(mut data) = self.data.take() else {
            return Ok(None);
        };
        let (data, chunk) = blocking(move || {
            let mut buf = vec![0; CHUNK];
            let n = data.read(&mut buf)?;
            buf.truncate(n);
            Ok((data, buf))
        })
        .await?;
        if chunk.is_empty() {
            return Ok(None);
        }
        self.data = Some(data);
        Ok(Some(Bytes::from(chunk)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ids_fit_rfc_1939() {
        assert_eq!(
            unique_id("1700000000.M1P2Q3.host").unwrap().as_str(),
            "1700000000.M1P2Q3.host"
        );
        let long = "x".repeat(100);
        let id = unique_id(&long).unwrap();
        assert_eq!(id.as_str().len(), 32);
        assert_eq!(id, unique_id(&long).unwrap(), "stable");
    }
}
