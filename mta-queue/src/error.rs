//! The crate's errors: [`SpoolError`] (storage), [`EnqueueError`] (what an SMTP server
//! answers when a message cannot be taken), and [`OperationError`] (operator commands).

use std::io;

use crate::id::QueueId;
use crate::spool::format::FormatError;
use crate::status::EnhancedStatus;

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
/// at the end of DATA instead of 250 ([`EnqueueError::reply_code`]).
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
    /// The queue is shutting down: `421 4.3.2`.
    #[error("queue is shutting down")]
    ShuttingDown,
}

impl EnqueueError {
    /// The SMTP reply code and enhanced status for this error (RFC 5321 §4.2.2,
    /// RFC 3463), e.g. `(452, 4.3.1)` for a full disk.
    pub fn reply_code(&self) -> (u16, EnhancedStatus) {
        let (code, class, subject, detail) = match self {
            Self::StorageFull(_) => (452, 4, 3, 1),
            Self::Storage(_) => (451, 4, 3, 0),
            Self::NoRecipients => (554, 5, 5, 1),
            Self::TooLarge => (552, 5, 3, 4),
            Self::ShuttingDown => (421, 4, 3, 2),
        };
        let status =
            EnhancedStatus::new(class, subject, detail).unwrap_or(EnhancedStatus::TEMPORARY);
        (code, status)
    }

    /// Whether the client may try again later (a 4xx reply).
    pub fn is_temporary(&self) -> bool {
        self.reply_code().0 < 500
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
        assert_eq!(error.reply_code().0, 452);
        assert_eq!(error.reply_code().1.to_string(), "4.3.1");
        assert!(error.is_temporary());
    }

    #[test]
    fn failed_fsync_maps_to_451() {
        let error = EnqueueError::from(SpoolError::from_sync(io::Error::other("EIO")));
        assert_eq!(error.reply_code().0, 451);
        assert_eq!(error.reply_code().1.to_string(), "4.3.0");
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
