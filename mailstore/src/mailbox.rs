//! What the store tells about mailboxes.

use crate::types::{MailboxId, MailboxName, ModSeq, SpecialUses, Uid, UidValidity};

/// A mailbox as `LIST` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxInfo {
    /// Stable id, for the message operations.
    pub id: MailboxId,
    /// Current name.
    pub name: MailboxName,
    /// UIDVALIDITY.
    pub uid_validity: UidValidity,
    /// Whether the user subscribed to it (`LSUB`, `LIST (SUBSCRIBED)`).
    pub subscribed: bool,
    /// Special-use attributes (RFC 6154).
    pub special_use: SpecialUses,
    /// Whether other mailboxes sit below it (`\HasChildren` / `\HasNoChildren`).
    pub has_children: bool,
}

/// Counters of a mailbox, as `STATUS` and `SELECT` report them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxStatus {
    /// Stable id.
    pub id: MailboxId,
    /// Current name.
    pub name: MailboxName,
    /// Number of messages (`MESSAGES`, `EXISTS`).
    pub messages: u32,
    /// Messages no session has claimed as recent yet (`RECENT`, IMAP4rev1).
    pub recent: u32,
    /// Messages without `\Seen` (`UNSEEN`).
    pub unseen: u32,
    /// Messages with `\Deleted` (`DELETED`, RFC 9051).
    pub deleted: u32,
    /// The UID the next message will get (`UIDNEXT`).
    pub uid_next: Uid,
    /// UIDVALIDITY.
    pub uid_validity: UidValidity,
    /// HIGHESTMODSEQ (RFC 7162).
    pub highest_modseq: ModSeq,
    /// Sum of message sizes in bytes (`SIZE`, RFC 8438).
    pub size: u64,
    /// The lowest UID without `\Seen`, for the `UNSEEN` response code of SELECT.
    pub first_unseen: Option<Uid>,
}
