//! The crate's errors: [`SpoolError`] (storage), [`EnqueueError`] (what an SMTP server
//! answers when a message cannot be taken: `From<&EnqueueError> for Reply`), and
//! [`OperationError`] (operator commands).

use std::io;

use mailwright_smtp::{EnhancedStatusCode, Reply, ReplyCode};

use crate::id::QueueId;
use crate::spool::format::FormatError;

/// A storage failure of the spool.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The file system is full (ENOSPC) or over quota (EDQUOT).
    #[error("spool storage is full")]
    Full(#[source] io::Error),
    /// Writing, renaming or creating a file failed.
    #[error("spool write failed")]
    Write(#[source] io::Error),
    /// `fsync` of a file or directory failed: the data may not be on disk.
    #[error("spool fsync failed")]
    Sync(#[source] io::Error),
    /// Reading a file failed.
    #[error("spool read failed")]
    Read(#[source] io::Error),
    /// No entry with this identifier.
    #[error("no queue entry {0}")]
    NotFound(QueueId),
    /// The entry's files are damaged; they were set aside.
    #[error("queue entry {id} is corrupt: {reason}")]
    Corrupt {
        /// The entry.
        id: QueueId,
        /// What was wrong.
        reason: CorruptReason,
    },
}

impl SpoolError {
    /// Classifies a write-side I/O error: full disk or quota is [`SpoolError::Full`].
    pub fn from_write(error: io::Error) -> Self {
        if is_full(&error) {
            Self::Full(error)
        } else {
            Self::Write(error)
        }
    }

    /// Classifies an fsync error: full disk (delayed allocation) is
    /// [`SpoolError::Full`].
    pub fn from_sync(error: io::Error) -> Self {
        if is_full(&error) {
            Self::Full(error)
        } else {
            Self::Sync(error)
        }
    }

    /// Whether the storage is full.
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }
}

fn is_full(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded | io::ErrorKind::FileTooLarge
    )
}

/// Why a spool entry is corrupt.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CorruptReason {
    /// The queue file does not parse.
    #[error("envelope: {0}")]
    Envelope(#[from] FormatError),
    /// The envelope names another id than its file name.
    #[error("queue file holds another queue id")]
    IdMismatch,
    /// The body file is missing.
    #[error("message body missing")]
    BodyMissing,
    /// The body's size or checksum differs from the envelope's record.
    #[error("message body size or checksum mismatch")]
    BodyMismatch,
}

/// Why a message could not be enqueued; each maps to the reply an SMTP server gives
/// at the end of DATA instead of 250: `Reply::from(&error)`.
///
/// ```
/// use mailwright_queue::{EnqueueError, SpoolError};
/// use mailwright_smtp::{Reply, ReplyCode};
///
/// let full = SpoolError::from_write(std::io::ErrorKind::StorageFull.into());
/// let reply = Reply::from(&EnqueueError::from(full));
/// assert_eq!(reply.code(), ReplyCode::INSUFFICIENT_STORAGE);
/// assert_eq!(reply.to_string(), "452 4.3.1 insufficient system storage");
/// ```
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    /// Storage is full: `452 4.3.1`.
    #[error("insufficient system storage")]
    StorageFull(#[source] SpoolError),
    /// Storage failed otherwise (write or fsync error): `451 4.3.0`.
    #[error("local error in processing")]
    Storage(#[source] SpoolError),
    /// The envelope has no recipients: `554 5.5.1`.
    #[error("no valid recipients")]
    NoRecipients,
    /// The message is larger than the configured maximum: `552 5.3.4`.
    #[error("message too big for system")]
    TooLarge,
    /// The queue is shutting down: `451 4.3.2` (not `421`: a reply to the end of DATA
    /// does not close the connection, which `421` promises).
    #[error("queue is shutting down")]
    ShuttingDown,
}

impl EnqueueError {
    /// The reply code and enhanced status code of the reply (RFC 5321 §4.2.2,
    /// RFC 3463).
    fn codes(&self) -> (ReplyCode, EnhancedStatusCode) {
        match self {
            Self::StorageFull(_) => (
                ReplyCode::INSUFFICIENT_STORAGE,
                EnhancedStatusCode::MAIL_SYSTEM_FULL,
            ),
            Self::Storage(_) => (
                ReplyCode::LOCAL_ERROR,
                EnhancedStatusCode::MAIL_SYSTEM_OTHER,
            ),
            Self::NoRecipients => (
                ReplyCode::TRANSACTION_FAILED,
                EnhancedStatusCode::INVALID_COMMAND,
            ),
            Self::TooLarge => (
                ReplyCode::EXCEEDED_STORAGE,
                EnhancedStatusCode::MESSAGE_TOO_BIG,
            ),
            Self::ShuttingDown => (
                ReplyCode::LOCAL_ERROR,
                EnhancedStatusCode::SYSTEM_NOT_ACCEPTING,
            ),
        }
    }

    /// Whether the client may try again later (a 4xx reply).
    pub fn is_temporary(&self) -> bool {
        self.codes().0.get() < 500
    }
}

impl From<&EnqueueError> for Reply<'static> {
    /// The reply to give instead of 250: the code and enhanced code of the variant,
    /// the error's text.
    fn from(error: &EnqueueError) -> Self {
        let (code, enhanced) = error.codes();
        Reply::new(code, error.to_string()).with_enhanced(enhanced)
    }
}

impl From<SpoolError> for EnqueueError {
    fn from(error: SpoolError) -> Self {
        if error.is_full() {
            Self::StorageFull(error)
        } else {
            Self::Storage(error)
        }
    }
}

/// An operator command could not be carried out.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    /// No entry with this identifier.
    #[error("no queue entry {0}")]
    NotFound(QueueId),
    /// The spool failed while recording the change.
    #[error("spool failure")]
    Spool(#[from] SpoolError),
    /// The queue is shutting down.
    #[error("queue is shutting down")]
    ShuttingDown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_disk_maps_to_452() {
        let full = SpoolError::from_write(io::Error::from(io::ErrorKind::StorageFull));
        assert!(full.is_full());
        let error = EnqueueError::from(full);
        let reply = Reply::from(&error);
        assert_eq!(reply.code(), ReplyCode::INSUFFICIENT_STORAGE);
        assert_eq!(reply.to_string(), "452 4.3.1 insufficient system storage");
        assert!(error.is_temporary());
    }

    #[test]
    fn failed_fsync_maps_to_451() {
        let error = EnqueueError::from(SpoolError::from_sync(io::Error::other("EIO")));
        assert_eq!(
            Reply::from(&error).to_string(),
            "451 4.3.0 local error in processing"
        );
        assert!(error.is_temporary());
    }

    #[test]
    fn every_variant_has_its_reply() {
        let rows = [
            (EnqueueError::NoRecipients, "554 5.5.1 no valid recipients"),
            (
                EnqueueError::TooLarge,
                "552 5.3.4 message too big for system",
            ),
            (
                EnqueueError::ShuttingDown,
                "451 4.3.2 queue is shutting down",
            ),
        ];
        for (error, text) in rows {
            let reply = Reply::from(&error);
            assert_eq!(reply.to_string(), text);
            assert_eq!(error.is_temporary(), reply.code().get() < 500);
        }
    }

    #[test]
    fn raw_enospc_is_full() {
        // ENOSPC = 28, EDQUOT = 122 on Linux.
        for errno in [28, 122] {
            assert!(SpoolError::from_write(io::Error::from_raw_os_error(errno)).is_full());
        }
        assert!(!SpoolError::from_write(io::Error::from_raw_os_error(5)).is_full());
    }
}
