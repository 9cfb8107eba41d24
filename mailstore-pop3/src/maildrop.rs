//! pop3-proto's [`Handler`] and [`Maildrop`] over the store traits: the user's INBOX,
//! listed once per session, messages streamed from the store, deletions applied at
//! QUIT. The RFC 1939 lock is one entry per account in a set that the maildrop's guard
//! leaves when dropped.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use mailwright_pop3::UniqueId;
use mailwright_pop3::maildrop::{Maildrop, MaildropError, MessageInfo, MessageReader};
use mailwright_pop3::server::{Credentials, LoginRejection};
use mailwright_pop3::tokio::{Handler, Peer};
use mailwright_store::store::{AccountProvider, MailStore, MailboxStore};
use mailwright_store::{
    AccountName, FetchOptions, MailboxId, MailboxName, MessageData, Section, StoreError, Uid,
    UidSet,
};

/// Size of the chunks a large message is streamed in.
const CHUNK: usize = 64 * 1024;
/// Messages up to this size are read whole when opened (one trip off the event loop).
const READ_WHOLE: u64 = 1 << 20;
/// Messages up to this size are read whole on the connection's own worker thread when
/// the store can give them at once ([`MessageReader::read_listed`]: the Maildir store
/// after the listing located their file).
///
/// Such a read is an `open` and one `pread`, a few microseconds from the page cache:
/// less than the hand-off of `block_in_place`, where the runtime wakes another thread
/// to take over the worker's tasks on every call. That hand-off held a sequential POP3
/// client to 12,000 RETR/s where inline reads give 19,500 (same machine, same maildrop
/// of 4 KiB messages). A read that must wait for the disk blocks this worker for that
/// one small read, as nginx's workers do for file reads without `aio`; a message the
/// store cannot give at once is read off the event loop.
///
/// [`MessageReader::read_listed`]: mailwright_store::store::MessageReader::read_listed
const READ_INLINE: u64 = 128 * 1024;

/// Checks POP3 credentials (`USER`/`PASS`, `AUTH PLAIN`/`LOGIN`, `APOP`) and names the
/// mailstore account whose INBOX is the maildrop.
///
/// This is the one decision [`Pop3Handler`] leaves to the application, logs and
/// metrics of logins included. A PLAIN authorization identity other than the user name
/// is refused by the handler before this is called. [`Credentials::Apop`] needs the
/// clear-text secret ([`ApopTimestamp::verify`](mailwright_pop3::ApopTimestamp::verify)):
/// an application that keeps only password hashes refuses it (and turns APOP off in
/// the server's options).
///
/// The future may block briefly; slow checks (argon2, a remote directory) belong in
/// `tokio::task::spawn_blocking` inside it.
pub trait Authenticator: Send + Sync + 'static {
    /// The account that `credentials` open, or why not:
    /// [`LoginRejection::BadCredentials`] for a wrong name or password (the driver
    /// waits its failed-login delay before answering).
    fn authenticate(
        &self,
        credentials: &Credentials,
        peer: Peer,
    ) -> impl Future<Output = Result<AccountName, LoginRejection>> + Send;
}

/// pop3-proto's tokio [`Handler`] over a mailstore [`AccountProvider`]: logs users in
/// with an [`Authenticator`] and opens (and locks) their INBOX as the maildrop.
///
/// Give it to [`mailwright_pop3::tokio::Server::new`]. One session at a time holds an
/// account's maildrop (RFC 1939 section 8); a second login gets `-ERR [IN-USE]`.
pub struct Pop3Handler<P, A> {
    provider: Arc<P>,
    authenticator: A,
    locked: Arc<Mutex<HashSet<AccountName>>>,
}

impl<P, A: fmt::Debug> fmt::Debug for Pop3Handler<P, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pop3Handler")
            .field("authenticator", &self.authenticator)
            .field("locked", &self.locked)
            .finish_non_exhaustive()
    }
}

impl<P: AccountProvider + 'static, A: Authenticator> Pop3Handler<P, A> {
    /// A handler over the accounts of `provider`.
    pub fn new(provider: P, authenticator: A) -> Self {
        Self::shared(Arc::new(provider), authenticator)
    }

    /// A handler over a provider the application keeps using too (delivery, admin).
    pub fn shared(provider: Arc<P>, authenticator: A) -> Self {
        Self {
            provider,
            authenticator,
            locked: Arc::default(),
        }
    }

    /// The provider.
    pub fn provider(&self) -> &Arc<P> {
        &self.provider
    }
}

/// One account's INBOX, locked for one session: the [`Maildrop`] of a
/// [`Pop3Handler`], over the store account `S`.
pub struct Pop3Maildrop<S> {
    account: Arc<S>,
    inbox: MailboxId,
    /// UID and size of each message of the listing, by POP3 message number - 1.
    listing: Vec<(Uid, u64)>,
    lock: LockGuard,
}

impl<S> fmt::Debug for Pop3Maildrop<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pop3Maildrop")
            .field("account", &self.lock.account)
            .field("inbox", &self.inbox)
            .field("messages", &self.listing.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct LockGuard {
    set: Arc<Mutex<HashSet<AccountName>>>,
    account: AccountName,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.account);
    }
}

/// A message being streamed: the [`MessageReader`] of a [`Pop3Maildrop`].
#[derive(Debug)]
pub struct Pop3Message {
    data: Option<MessageData>,
    /// The whole message, when it was small enough to read at open.
    whole: Option<Bytes>,
}

impl Pop3Message {
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

/// The UIDL of a message: the store's stable id (the Maildir base name), or a hash of
/// it when that does not fit RFC 1939's 70 printable characters.
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

impl<P, A> Handler for Pop3Handler<P, A>
where
    P: AccountProvider + 'static,
    P::Account: 'static,
    A: Authenticator,
{
    type Maildrop = Pop3Maildrop<P::Account>;

    async fn login(
        &self,
        credentials: &Credentials,
        peer: Peer,
    ) -> Result<Self::Maildrop, LoginRejection> {
        if let Credentials::Password {
            user,
            authzid: Some(authzid),
            ..
        } = credentials
            && !authzid.eq_ignore_ascii_case(user)
        {
            return Err(LoginRejection::BadCredentials);
        }
        let name = self.authenticator.authenticate(credentials, peer).await?;
        if !self
            .locked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.clone())
        {
            return Err(LoginRejection::InUse);
        }
        let lock = LockGuard {
            set: Arc::clone(&self.locked),
            account: name.clone(),
        };
        let provider = Arc::clone(&self.provider);
        let opened = tokio::task::spawn_blocking(move || {
            let account = provider.account(&name)?;
            let inbox = account.mailbox(&MailboxName::inbox())?.id;
            Ok::<_, StoreError>((account, inbox))
        })
        .await;
        match opened {
            Ok(Ok((account, inbox))) => Ok(Pop3Maildrop {
                account: Arc::new(account),
                inbox,
                listing: Vec::new(),
                lock,
            }),
            Ok(Err(error)) => {
                tracing::warn!(account = %lock.account, %error, "pop3: cannot open the maildrop");
                Err(LoginRejection::Temporary)
            }
            Err(_) => Err(LoginRejection::Temporary),
        }
    }
}

impl<S: MailStore + 'static> Maildrop for Pop3Maildrop<S> {
    type Message = Pop3Message;

    async fn list(&mut self) -> Result<Vec<MessageInfo>, MaildropError> {
        let (account, inbox) = (Arc::clone(&self.account), self.inbox);
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

    async fn open(&mut self, index: usize) -> Result<Pop3Message, MaildropError> {
        let (uid, size) = *self.listing.get(index).ok_or(MaildropError::MessageGone)?;
        if size <= READ_INLINE
            && let Some(data) = self.account.read_listed(self.inbox, uid, None)
        {
            return Pop3Message::new(data.map_err(io)?);
        }
        // Not at hand (a file renamed or moved by another program, another store):
        // the store finds it, off the event loop.
        let (account, inbox) = (Arc::clone(&self.account), self.inbox);
        let read = move || {
            Pop3Message::new(
                account
                    .read(inbox, uid, &Section::full(), None)
                    .map_err(io)?,
            )
        };
        mailwright_base::blocking::short(read)
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
        let (account, inbox) = (Arc::clone(&self.account), self.inbox);
        tracing::debug!(account = %self.lock.account, count = set.len(), "pop3 update");
        blocking(move || account.remove(inbox, &set).map(|_| ()).map_err(io)).await
    }
}

impl MessageReader for Pop3Message {
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
