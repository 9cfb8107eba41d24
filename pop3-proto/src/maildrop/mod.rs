//! The maildrop seen by a POP3 session: a fixed list of messages, streamed bodies,
//! deletions applied at the end.
//!
//! A POP3 server needs very little from its storage, and this module asks for no more:
//!
//! * when a session enters TRANSACTION, the list of messages with their sizes and
//!   unique-ids ([`Maildrop::list`]); the position in that list is the message-number for
//!   the whole session ([RFC 1939 section 5](https://www.rfc-editor.org/rfc/rfc1939#section-5)),
//!   whatever other agents deliver or expunge meanwhile;
//! * one message at a time as a stream of chunks ([`Maildrop::open`],
//!   [`MessageReader::next_chunk`]), so that a 50 MB message never sits in memory whole;
//! * in the UPDATE state, the removal of the messages marked as deleted
//!   ([`Maildrop::remove`]).
//!
//! The exclusive lock of [RFC 1939 section 8](https://www.rfc-editor.org/rfc/rfc1939#section-8)
//! belongs to the value that implements [`Maildrop`]: whoever opens one holds the lock
//! until it is dropped, and a second open of the same maildrop fails with
//! [`MaildropError::InUse`], which a server answers with `-ERR [IN-USE]`.
//!
//! The traits use `impl Future + Send` methods (no runtime, no boxing), so a backend
//! over files, SQLite or PostgreSQL implements them with plain `async fn`.
//! [`MemoryStore`] is an in-memory implementation for tests and examples.

mod memory;

pub use memory::{MemoryMaildrop, MemoryMessage, MemoryStore};

use std::future::Future;
use std::io;

use bytes::Bytes;

use crate::response::StatusLine;
use crate::types::{ResponseCode, Text, UniqueId};

/// One message as listed when the session entered TRANSACTION.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct MessageInfo {
    /// Size in octets, counted with CRLF line ends (the size `LIST` and `STAT` report;
    /// [RFC 1939 section 11](https://www.rfc-editor.org/rfc/rfc1939#section-11)).
    pub size: u64,
    /// The unique-id `UIDL` reports, stable across sessions.
    pub unique_id: UniqueId<'static>,
}

impl MessageInfo {
    /// A message of `size` octets with this unique-id.
    pub fn new(size: u64, unique_id: UniqueId<'static>) -> Self {
        Self { size, unique_id }
    }
}

/// A maildrop opened (and locked) for one session.
///
/// Dropping the value releases the lock. Message positions (`index`) are 0-based
/// positions in the list that [`list`](Self::list) returned; message-number `n` is
/// position `n - 1`.
pub trait Maildrop: Send {
    /// A message being read.
    type Message: MessageReader;

    /// The messages, in the order that fixes their numbers for the session.
    ///
    /// Called once, when the session enters TRANSACTION.
    fn list(&mut self) -> impl Future<Output = Result<Vec<MessageInfo>, MaildropError>> + Send;

    /// Opens the message at `index` for reading from its first octet.
    fn open(
        &mut self,
        index: usize,
    ) -> impl Future<Output = Result<Self::Message, MaildropError>> + Send;

    /// Removes the messages at `indices` (the UPDATE state). Called at most once, at
    /// the end of a session that ended with `QUIT`; never after an autologout or a lost
    /// connection.
    fn remove(
        &mut self,
        indices: &[usize],
    ) -> impl Future<Output = Result<(), MaildropError>> + Send;
}

/// A message being read, chunk by chunk.
pub trait MessageReader: Send {
    /// The next chunk of the message, or `None` at its end. Chunks may be of any size;
    /// line ends may be CRLF or bare LF (bare LF is sent as CRLF).
    fn next_chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, MaildropError>> + Send;
}

/// Why a maildrop operation failed; each kind maps to the `-ERR` the client gets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MaildropError {
    /// Another session holds the maildrop's lock: `-ERR [IN-USE]`.
    #[error("maildrop is locked by another session")]
    InUse,
    /// The message was removed by another agent since the session started:
    /// `-ERR [SYS/PERM]`.
    #[error("message no longer exists")]
    MessageGone,
    /// The storage failed: `-ERR [SYS/TEMP]`.
    #[error("maildrop storage failed")]
    Io(#[from] io::Error),
}

impl MaildropError {
    /// Whether this is [`MaildropError::InUse`].
    pub fn is_in_use(&self) -> bool {
        matches!(self, Self::InUse)
    }
}

impl From<&MaildropError> for StatusLine<'static> {
    fn from(error: &MaildropError) -> Self {
        let (code, text) = match error {
            MaildropError::InUse => (
                ResponseCode::IN_USE,
                "maildrop is locked by another session",
            ),
            MaildropError::MessageGone => (ResponseCode::SYS_PERM, "message no longer exists"),
            MaildropError::Io(_) => (
                ResponseCode::SYS_TEMP,
                "maildrop unavailable, try again later",
            ),
        };
        Self::err_with_code(code, Text::unvalidated(text))
    }
}
