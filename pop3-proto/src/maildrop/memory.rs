//! An in-memory maildrop store, for tests and examples.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

use crate::maildrop::{Maildrop, MaildropError, MessageInfo, MessageReader};
use crate::types::{ApopDigest, ApopTimestamp, UniqueId};

/// Maildrops in memory, with passwords: enough for tests and the example server.
///
/// Cheap to clone (all clones share the same maildrops). [`open`](Self::open) takes the
/// maildrop's exclusive lock; the returned [`MemoryMaildrop`] releases it when dropped.
///
/// ```
/// use mailwright_pop3::maildrop::{MaildropError, MemoryStore};
///
/// let store = MemoryStore::new();
/// store.add_user("mrose", "tanstaaf");
/// store.deliver("mrose", "Subject: hi\r\n\r\nhello\r\n");
/// let first = store.open("mrose").unwrap();
/// assert!(matches!(store.open("mrose"), Err(MaildropError::InUse)));
/// drop(first);
/// assert!(store.open("mrose").is_ok());
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Users>>,
}

#[derive(Debug, Default)]
struct Users {
    users: HashMap<String, User>,
    next_uid: u64,
}

#[derive(Debug)]
struct User {
    password: Vec<u8>,
    messages: Vec<StoredMessage>,
    locked: bool,
}

#[derive(Clone, Debug)]
struct StoredMessage {
    info: MessageInfo,
    body: Bytes,
}

impl MemoryStore {
    /// The size of the chunks [`MemoryMessage`] hands out.
    pub const CHUNK: usize = 16 * 1024;

    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user with an empty maildrop (or changes the password of an existing one).
    pub fn add_user(&self, name: &str, password: impl AsRef<[u8]>) {
        let mut inner = self.lock();
        let password = password.as_ref().to_vec();
        inner
            .users
            .entry(name.to_owned())
            .and_modify(|user| user.password.clone_from(&password))
            .or_insert(User {
                password,
                messages: Vec::new(),
                locked: false,
            });
    }

    /// Appends a message to `name`'s maildrop (creating the user with an empty password
    /// if needed) and returns its unique-id. The size listed is the size with bare LF
    /// line ends counted as CRLF, as they will be sent.
    pub fn deliver(&self, name: &str, message: impl Into<Bytes>) -> UniqueId<'static> {
        let body = message.into();
        let mut inner = self.lock();
        inner.next_uid += 1;
        let unique_id = UniqueId::unvalidated(format!("mem{:08}", inner.next_uid));
        let user = inner.users.entry(name.to_owned()).or_insert(User {
            password: Vec::new(),
            messages: Vec::new(),
            locked: false,
        });
        user.messages.push(StoredMessage {
            info: MessageInfo::new(crlf_size(&body), unique_id.clone()),
            body,
        });
        unique_id
    }

    /// How many messages `name`'s maildrop holds now.
    pub fn count(&self, name: &str) -> usize {
        self.lock()
            .users
            .get(name)
            .map_or(0, |user| user.messages.len())
    }

    /// Whether `password` is `name`'s password (compared in constant time).
    pub fn check_password(&self, name: &str, password: &[u8]) -> bool {
        let inner = self.lock();
        let Some(user) = inner.users.get(name) else {
            return false;
        };
        user.password.len() == password.len()
            && user
                .password
                .iter()
                .zip(password)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Whether `digest` is the APOP digest of `timestamp` and `name`'s password.
    pub fn check_apop(
        &self,
        name: &str,
        timestamp: &ApopTimestamp<'_>,
        digest: &ApopDigest,
    ) -> bool {
        let inner = self.lock();
        inner
            .users
            .get(name)
            .is_some_and(|user| timestamp.verify(&user.password, digest))
    }

    /// Opens and locks `name`'s maildrop.
    ///
    /// # Errors
    ///
    /// [`MaildropError::InUse`] while another [`MemoryMaildrop`] of the same user lives;
    /// [`MaildropError::Io`] (`NotFound`) for an unknown user.
    pub fn open(&self, name: &str) -> Result<MemoryMaildrop, MaildropError> {
        let mut inner = self.lock();
        let user = inner.users.get_mut(name).ok_or_else(|| {
            MaildropError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such maildrop",
            ))
        })?;
        if user.locked {
            return Err(MaildropError::InUse);
        }
        user.locked = true;
        Ok(MemoryMaildrop {
            store: self.clone(),
            name: name.to_owned(),
            snapshot: user.messages.clone(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Users> {
        // A panic while holding the lock leaves consistent data (every update is a
        // single push, remove or flag change), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One user's maildrop, locked until dropped.
#[derive(Debug)]
pub struct MemoryMaildrop {
    store: MemoryStore,
    name: String,
    snapshot: Vec<StoredMessage>,
}

impl Maildrop for MemoryMaildrop {
    type Message = MemoryMessage;

    async fn list(&mut self) -> Result<Vec<MessageInfo>, MaildropError> {
        Ok(self
            .snapshot
            .iter()
            .map(|message| message.info.clone())
            .collect())
    }

    async fn open(&mut self, index: usize) -> Result<MemoryMessage, MaildropError> {
        let message = self.snapshot.get(index).ok_or(MaildropError::MessageGone)?;
        Ok(MemoryMessage {
            rest: message.body.clone(),
        })
    }

    async fn remove(&mut self, indices: &[usize]) -> Result<(), MaildropError> {
        let doomed: Vec<&UniqueId<'static>> = indices
            .iter()
            .filter_map(|&index| self.snapshot.get(index))
            .map(|message| &message.info.unique_id)
            .collect();
        let mut inner = self.store.lock();
        if let Some(user) = inner.users.get_mut(&self.name) {
            user.messages
                .retain(|message| !doomed.contains(&&message.info.unique_id));
        }
        Ok(())
    }
}

impl Drop for MemoryMaildrop {
    fn drop(&mut self) {
        if let Some(user) = self.store.lock().users.get_mut(&self.name) {
            user.locked = false;
        }
    }
}

/// A message of a [`MemoryMaildrop`], handed out in [`MemoryStore::CHUNK`]-sized
/// zero-copy slices.
#[derive(Debug)]
pub struct MemoryMessage {
    rest: Bytes,
}

impl MessageReader for MemoryMessage {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, MaildropError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let take = self.rest.len().min(MemoryStore::CHUNK);
        Ok(Some(self.rest.split_to(take)))
    }
}

/// The size of `body` once every bare LF is sent as CRLF.
fn crlf_size(body: &[u8]) -> u64 {
    let bare_lf = memchr::memchr_iter(b'\n', body)
        .filter(|&at| at == 0 || body[at - 1] != b'\r')
        .count();
    (body.len() + bare_lf) as u64
}

#[cfg(test)]
mod tests {
    use std::future::Future;

    use super::*;

    #[test]
    fn sizes_count_crlf() {
        assert_eq!(crlf_size(b"a\r\nb\n"), 6);
        assert_eq!(crlf_size(b"\n"), 2);
        assert_eq!(crlf_size(b""), 0);
    }

    #[test]
    fn passwords_and_remove() {
        let store = MemoryStore::new();
        store.add_user("u", "pw");
        assert!(store.check_password("u", b"pw"));
        assert!(!store.check_password("u", b"pw2"));
        assert!(!store.check_password("nobody", b"pw"));
        store.deliver("u", "one\r\n");
        store.deliver("u", "two\r\n");
        let mut drop_box = store.open("u").unwrap();
        let list = block_on(drop_box.list()).unwrap();
        assert_eq!(list.len(), 2);
        store.deliver("u", "arrives during the session\r\n");
        assert_eq!(
            block_on(drop_box.list()).unwrap(),
            list,
            "numbers are fixed for the session"
        );
        block_on(drop_box.remove(&[0])).unwrap();
        drop(drop_box);
        assert_eq!(store.count("u"), 2, "message 1 removed, the late one kept");
    }

    /// Polls a future that never waits (the memory store never does).
    fn block_on<F: Future>(future: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("the memory store never waits"),
        }
    }
}
