//! The store's error type.

use std::io;

use crate::types::ValidationError;

/// Why a store operation failed.
///
/// Grouped by fault: the caller asked for something that does not exist or is not
/// allowed (`MailboxNotFound` ... `InvalidName`), a limit was hit (`QuotaExceeded`,
/// `MessageTooLarge`), or the machine failed (`Io`, `Index`, `Corrupt`). Every error
/// maps to an IMAP response code with [`StoreError::imap_code`] and says whether trying
/// again later can help with [`StoreError::is_temporary`] (an SMTP server answers 4xx
/// then, 5xx otherwise).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No mailbox with that name or id (it may have been deleted by another session).
    #[error("mailbox does not exist")]
    MailboxNotFound,
    /// A mailbox with that name already exists.
    #[error("mailbox already exists")]
    MailboxExists,
    /// The mailbox has children and cannot be deleted before them.
    #[error("mailbox has children")]
    MailboxHasChildren,
    /// INBOX cannot be deleted, and nothing can be renamed to INBOX.
    #[error("operation not allowed on INBOX")]
    InboxNotAllowed,
    /// A mailbox cannot be renamed under itself.
    #[error("cannot rename a mailbox under itself")]
    RenameIntoSelf,
    /// A name or value given by the caller is not valid.
    #[error(transparent)]
    InvalidName(#[from] ValidationError),
    /// No message with that UID in the mailbox (expunged meanwhile, or never there).
    #[error("no such message")]
    MessageNotFound,
    /// The account's quota would be exceeded.
    #[error("quota exceeded: {resource} limit is {limit}")]
    QuotaExceeded {
        /// Which limit.
        resource: QuotaResource,
        /// The limit.
        limit: u64,
    },
    /// The message is larger than the store's maximum message size.
    #[error("message larger than {limit} bytes")]
    MessageTooLarge {
        /// The maximum, in bytes.
        limit: u64,
    },
    /// A file operation failed.
    #[error("{op}: {source}")]
    Io {
        /// What the store was doing, such as `"write message file"`.
        op: &'static str,
        /// The cause.
        source: io::Error,
    },
    /// The SQLite index failed.
    #[error("index: {0}")]
    Index(#[from] rusqlite::Error),
    /// A cached value in the index could not be read back.
    #[error("index holds a corrupt {0}")]
    Corrupt(&'static str),
}

/// A quota resource (RFC 9208 section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QuotaResource {
    /// `STORAGE`: the sum of message sizes, in bytes (RFC 9208 reports KiB).
    Storage,
    /// `MESSAGE`: the number of messages.
    Messages,
}

impl std::fmt::Display for QuotaResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Storage => "storage",
            Self::Messages => "message count",
        })
    }
}

impl StoreError {
    pub(crate) fn io(op: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Io { op, source }
    }

    /// The IMAP response code that fits (RFC 5530, RFC 9051 section 7.1), such as
    /// `NONEXISTENT` or `OVERQUOTA`, to put in a `NO` reply.
    pub fn imap_code(&self) -> &'static str {
        match self {
            Self::MailboxNotFound | Self::MessageNotFound => "NONEXISTENT",
            Self::MailboxExists => "ALREADYEXISTS",
            Self::MailboxHasChildren | Self::InboxNotAllowed | Self::RenameIntoSelf => "CANNOT",
            Self::InvalidName(_) => "CANNOT",
            Self::QuotaExceeded { .. } => "OVERQUOTA",
            Self::MessageTooLarge { .. } => "TOOBIG",
            Self::Io { .. } | Self::Index(_) => "UNAVAILABLE",
            Self::Corrupt(_) => "SERVERBUG",
        }
    }

    /// Whether the same request may succeed later (I/O trouble, a busy database), so
    /// that an SMTP server answers 4xx rather than 5xx.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Io { .. } | Self::Index(_) | Self::Corrupt(_))
    }

    /// Whether this is [`StoreError::QuotaExceeded`].
    pub fn is_quota(&self) -> bool {
        matches!(self, Self::QuotaExceeded { .. })
    }

    /// Whether the mailbox or message asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::MailboxNotFound | Self::MessageNotFound)
    }
}

/// What store operations return.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
