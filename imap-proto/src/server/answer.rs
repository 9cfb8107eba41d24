//! What the application answers decisions with: mailbox snapshots, message flags,
//! copy results, and refusals.

use std::num::NonZeroU32;

use crate::response::Code;
use crate::types::{Flag, FlagPerm, MailboxAttribute, Text, Uid};

/// A mailbox as the application sees it at SELECT/EXAMINE time.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SelectedMailbox {
    /// UIDVALIDITY.
    pub uid_validity: NonZeroU32,
    /// The UID the next message will get.
    pub uid_next: NonZeroU32,
    /// The UIDs of the messages, ascending: message sequence number n is `uids[n-1]`.
    pub uids: Vec<Uid>,
    /// The flags defined in the mailbox (the FLAGS response).
    pub flags: Vec<Flag<'static>>,
    /// Flags the client can change permanently (`\*` for new keywords).
    pub permanent_flags: Vec<FlagPerm<'static>>,
    /// The highest mod-sequence, or `None` when the mailbox has none (NOMODSEQ).
    pub highest_modseq: Option<u64>,
    /// UID of the first message without `\Seen` (for IMAP4rev1's `[UNSEEN n]`).
    pub first_unseen: Option<Uid>,
    /// Whether the mailbox can only be read (forces READ-ONLY even for SELECT).
    pub read_only: bool,
    /// For QRESYNC: messages changed since the client's mod-sequence (sent as
    /// FETCH responses during SELECT).
    pub changed: Vec<MessageFlags>,
    /// For QRESYNC: UIDs expunged since the client's mod-sequence, when the
    /// application keeps that history; otherwise the session works it out from
    /// the client's known UIDs.
    pub vanished: Option<Vec<Uid>>,
}

impl SelectedMailbox {
    /// A snapshot with the standard system flags, all permanent, and `\*`.
    pub fn new(uid_validity: NonZeroU32, uid_next: NonZeroU32, uids: Vec<Uid>) -> Self {
        let flags = vec![
            Flag::ANSWERED,
            Flag::FLAGGED,
            Flag::DELETED,
            Flag::SEEN,
            Flag::DRAFT,
        ];
        let mut permanent_flags: Vec<FlagPerm<'static>> =
            flags.iter().cloned().map(FlagPerm::Flag).collect();
        permanent_flags.push(FlagPerm::Asterisk);
        Self {
            uid_validity,
            uid_next,
            uids,
            flags,
            permanent_flags,
            highest_modseq: None,
            first_unseen: None,
            read_only: false,
            changed: Vec::new(),
            vanished: None,
        }
    }

    /// Sets the highest mod-sequence.
    pub fn with_highest_modseq(mut self, modseq: u64) -> Self {
        self.highest_modseq = Some(modseq);
        self
    }

    /// Sets the first unseen message.
    pub fn with_first_unseen(mut self, uid: Option<Uid>) -> Self {
        self.first_unseen = uid;
        self
    }

    /// Sets the QRESYNC data.
    pub fn with_changes(mut self, changed: Vec<MessageFlags>, vanished: Option<Vec<Uid>>) -> Self {
        self.changed = changed;
        self.vanished = vanished;
        self
    }

    /// Marks the mailbox read-only.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
}

/// The flags (and mod-sequence) of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageFlags {
    /// The message.
    pub uid: Uid,
    /// Its flags now.
    pub flags: Vec<Flag<'static>>,
    /// Its mod-sequence now, when the mailbox has mod-sequences.
    pub modseq: Option<u64>,
}

/// One mailbox of a LIST answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxInfo {
    /// The full Unicode name, with the server's hierarchy delimiter.
    pub name: String,
    /// Attributes the application knows (`\Noselect`, `\Noinferiors`, special uses);
    /// the session adds `\HasChildren`/`\HasNoChildren` and `\Subscribed`.
    pub attributes: Vec<MailboxAttribute<'static>>,
    /// Whether the user subscribed to it.
    pub subscribed: bool,
    /// Status values, when the LIST asked for them (`RETURN (STATUS ...)`).
    pub status: Option<StatusInfo>,
}

impl MailboxInfo {
    /// A selectable mailbox without attributes.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            attributes: Vec::new(),
            subscribed: false,
            status: None,
        }
    }

    /// Adds an attribute.
    pub fn with_attribute(mut self, attribute: MailboxAttribute<'static>) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Sets the subscription.
    pub fn subscribed(mut self, subscribed: bool) -> Self {
        self.subscribed = subscribed;
        self
    }

    /// Sets the status values.
    pub fn with_status(mut self, status: StatusInfo) -> Self {
        self.status = Some(status);
        self
    }

    /// Whether the mailbox can be selected (no `\Noselect` / `\NonExistent`).
    pub fn is_selectable(&self) -> bool {
        !self
            .attributes
            .iter()
            .any(|a| *a == MailboxAttribute::NOSELECT || *a == MailboxAttribute::NON_EXISTENT)
    }
}

/// STATUS values; the session sends those the client asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusInfo {
    /// Number of messages.
    pub messages: u32,
    /// The next UID.
    pub uid_next: Option<NonZeroU32>,
    /// UIDVALIDITY.
    pub uid_validity: Option<NonZeroU32>,
    /// Messages without `\Seen`.
    pub unseen: u32,
    /// Messages with `\Deleted`.
    pub deleted: u32,
    /// Total size in octets.
    pub size: u64,
    /// The highest mod-sequence.
    pub highest_modseq: Option<u64>,
}

impl StatusInfo {
    /// Status values from the main counters.
    pub fn new(messages: u32, unseen: u32, uid_next: NonZeroU32, uid_validity: NonZeroU32) -> Self {
        Self {
            messages,
            unseen,
            uid_next: Some(uid_next),
            uid_validity: Some(uid_validity),
            ..Self::default()
        }
    }

    /// Sets the remaining values.
    pub fn with_details(mut self, deleted: u32, size: u64, highest_modseq: Option<u64>) -> Self {
        self.deleted = deleted;
        self.size = size;
        self.highest_modseq = highest_modseq;
        self
    }
}

/// The result of APPEND.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendUid {
    /// The destination's UIDVALIDITY.
    pub uid_validity: NonZeroU32,
    /// The new message's UID.
    pub uid: Uid,
}

/// The result of COPY or MOVE: the UIDVALIDITY of the destination and the
/// source/destination UID pairs (UIDPLUS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyResult {
    /// The destination's UIDVALIDITY.
    pub uid_validity: NonZeroU32,
    /// (source UID, new UID) for each message copied, in the source's order.
    pub pairs: Vec<(Uid, Uid)>,
}

/// The result of STORE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreResult {
    /// Messages whose flags are now as listed (changed or not).
    pub updated: Vec<MessageFlags>,
    /// Messages left alone because their mod-sequence was greater than
    /// UNCHANGEDSINCE (RFC 7162 `[MODIFIED ...]`).
    pub modified: Vec<Uid>,
}

/// Why the application refuses an operation: a `NO` with an optional code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub(crate) code: Option<Code<'static>>,
    pub(crate) text: Text<'static>,
}

impl Rejection {
    /// `NO text`.
    pub fn no(text: &str) -> Self {
        Self {
            code: None,
            text: Text::sanitized(text),
        }
    }

    /// `NO [code] text`.
    pub fn with_code(code: Code<'static>, text: &str) -> Self {
        Self {
            code: Some(code),
            text: Text::sanitized(text),
        }
    }

    /// `NO [NONEXISTENT] No such mailbox`.
    pub fn nonexistent() -> Self {
        Self::with_code(Code::NonExistent, "No such mailbox")
    }

    /// `NO [TRYCREATE] No such mailbox` (for COPY/MOVE/APPEND destinations).
    pub fn try_create() -> Self {
        Self::with_code(Code::TryCreate, "No such mailbox")
    }

    /// `NO [ALREADYEXISTS] Mailbox already exists`.
    pub fn already_exists() -> Self {
        Self::with_code(Code::AlreadyExists, "Mailbox already exists")
    }

    /// `NO [OVERQUOTA] Quota exceeded`.
    pub fn over_quota() -> Self {
        Self::with_code(Code::OverQuota, "Quota exceeded")
    }

    /// `NO [TOOBIG] Message too large`.
    pub fn too_big() -> Self {
        Self::with_code(Code::TooBig, "Message too large")
    }

    /// `NO [NOPERM] Permission denied`.
    pub fn no_perm() -> Self {
        Self::with_code(Code::NoPerm, "Permission denied")
    }

    /// `NO [UNAVAILABLE] Try again later` (a temporary failure).
    pub fn unavailable() -> Self {
        Self::with_code(Code::Unavailable, "Temporary failure, try again later")
    }

    /// `NO [SERVERBUG] Internal error`.
    pub fn server_bug() -> Self {
        Self::with_code(Code::ServerBug, "Internal error")
    }

    /// `NO [CANNOT] text`.
    pub fn cannot(text: &str) -> Self {
        Self::with_code(Code::Cannot, text)
    }

    /// The response code.
    pub fn code(&self) -> Option<&Code<'static>> {
        self.code.as_ref()
    }

    /// The text.
    pub fn text(&self) -> &str {
        self.text.as_str()
    }
}

/// Why a login is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LoginRejection {
    /// Wrong user name or password: `NO [AUTHENTICATIONFAILED]`, counted towards
    /// [`Limits::max_failed_logins`](crate::server::Limits::max_failed_logins) and
    /// answered after the failed-login delay.
    BadCredentials,
    /// The credentials are right but the user may not log in here:
    /// `NO [AUTHORIZATIONFAILED]`.
    NotAuthorized,
    /// The password has expired: `NO [EXPIRED]`.
    Expired,
    /// A temporary failure: `NO [UNAVAILABLE]`.
    Unavailable,
}
