//! What the message operations take and return.

use crate::mime::{BodyStructure, Envelope};
use crate::types::{Flags, InternalDate, MailboxName, ModSeq, Uid, UidSet, UidValidity};

/// How to store a new message.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AppendOptions {
    /// Flags to store it with (`APPEND` flag list). `\Recent` is not a flag here.
    pub flags: Flags,
    /// The internal date; `None` stamps the current time.
    pub internal_date: Option<InternalDate>,
}

impl AppendOptions {
    /// Options with the given flags and date.
    pub fn new(flags: Flags, internal_date: Option<InternalDate>) -> Self {
        Self {
            flags,
            internal_date,
        }
    }
}

/// A stored message: what `APPENDUID` needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Appended {
    /// The mailbox's UIDVALIDITY.
    pub uid_validity: UidValidity,
    /// The new message's UID.
    pub uid: Uid,
    /// The MODSEQ of the append.
    pub modseq: ModSeq,
    /// Size in bytes.
    pub size: u64,
}

/// A message that is stored but could not be analysed (its structure, envelope and
/// search text): it is served as one `text/plain` part with an empty envelope, found
/// by no SEARCH on its text, and analysed again when a later version of the store
/// opens the account. Listed by [`crate::store::MailboxStore::unindexed`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unindexed {
    /// The mailbox that holds it.
    pub mailbox: MailboxName,
    /// Its UID there.
    pub uid: Uid,
    /// Where its bytes are, as the backend names them (a Maildir file name relative to
    /// the mailbox folder, here).
    pub location: String,
    /// Why it could not be analysed.
    pub reason: String,
}

/// What [`crate::store::MessageReader::fetch`] computes besides the metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchOptions {
    /// Decode the cached envelope.
    pub envelope: bool,
    /// Decode the cached body structure.
    pub body_structure: bool,
}

impl FetchOptions {
    /// Metadata only (flags, size, dates, MODSEQ).
    pub const fn meta() -> Self {
        Self {
            envelope: false,
            body_structure: false,
        }
    }

    /// Builder: also the envelope.
    #[must_use]
    pub const fn with_envelope(mut self) -> Self {
        self.envelope = true;
        self
    }

    /// Builder: also the body structure.
    #[must_use]
    pub const fn with_body_structure(mut self) -> Self {
        self.body_structure = true;
        self
    }
}

/// One message's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageMeta {
    /// UID.
    pub uid: Uid,
    /// Flags and keywords.
    pub flags: Flags,
    /// Internal date.
    pub internal_date: InternalDate,
    /// Size in bytes (`RFC822.SIZE`), as stored.
    pub size: u64,
    /// MODSEQ of the last change (RFC 7162 `MODSEQ`).
    pub modseq: ModSeq,
    /// An id unique in the account that never changes, not even when the index is
    /// rebuilt: the Maildir base name. POP3 uses it for `UIDL`.
    pub stable_id: String,
    /// The envelope, when asked for.
    pub envelope: Option<Envelope>,
    /// The body structure, when asked for.
    pub body_structure: Option<BodyStructure>,
}

/// A flag change on one message, as a STORE reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FlagUpdate {
    /// UID.
    pub uid: Uid,
    /// The flags now.
    pub flags: Flags,
    /// The message's MODSEQ now.
    pub modseq: ModSeq,
    /// Whether the flags changed (a STORE that sets what is already set changes
    /// nothing and keeps the MODSEQ).
    pub changed: bool,
}

/// What a STORE did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FlagsStored {
    /// Every message of the set that exists and passed `UNCHANGEDSINCE`, ascending.
    pub updates: Vec<FlagUpdate>,
    /// Messages left alone because their MODSEQ was above `UNCHANGEDSINCE` (the
    /// `MODIFIED` response code of RFC 7162).
    pub modified: UidSet,
}

/// What a COPY or MOVE did: `COPYUID` data (RFC 4315).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Copied {
    /// UIDVALIDITY of the target mailbox.
    pub uid_validity: UidValidity,
    /// `(source UID, new UID)` pairs, ascending by source UID.
    pub uids: Vec<(Uid, Uid)>,
    /// For a MOVE: the source UIDs expunged and the source mailbox's MODSEQ of that.
    pub expunged: Option<Expunged>,
}

/// What an expunge did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Expunged {
    /// The expunged UIDs, ascending.
    pub uids: Vec<Uid>,
    /// The mailbox's HIGHESTMODSEQ after the expunge.
    pub modseq: ModSeq,
}

/// What changed in a mailbox since a MODSEQ: for IDLE, NOOP, CONDSTORE and QRESYNC.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Changes {
    /// The mailbox's HIGHESTMODSEQ now.
    pub highest_modseq: ModSeq,
    /// The next UID now (a UID at or above the caller's last UIDNEXT is new).
    pub uid_next: Uid,
    /// Messages appended or changed after the MODSEQ, ascending by UID.
    pub changed: Vec<MessageMeta>,
    /// UIDs expunged after the MODSEQ (QRESYNC `VANISHED`).
    pub vanished: UidSet,
}
