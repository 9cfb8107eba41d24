//! STATUS data item names.

/// A STATUS data item (RFC 9051 section 6.3.11, RFC 7162, RFC 8438).
///
/// ```text
/// status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" /
///              "UNSEEN" / "DELETED" / "SIZE"
/// status-att =/ "RECENT"          ; IMAP4rev1
/// status-att =/ "HIGHESTMODSEQ"   ; RFC 7162
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum StatusItem {
    /// Number of messages.
    Messages,
    /// The next UID.
    UidNext,
    /// The UIDVALIDITY.
    UidValidity,
    /// Number of messages without `\Seen`.
    Unseen,
    /// Number of messages with `\Deleted`.
    Deleted,
    /// Total size of the mailbox in octets.
    Size,
    /// Number of `\Recent` messages (IMAP4rev1; always 0 here).
    Recent,
    /// The highest mod-sequence (RFC 7162).
    HighestModSeq,
}

impl StatusItem {
    /// The keyword on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Messages => "MESSAGES",
            Self::UidNext => "UIDNEXT",
            Self::UidValidity => "UIDVALIDITY",
            Self::Unseen => "UNSEEN",
            Self::Deleted => "DELETED",
            Self::Size => "SIZE",
            Self::Recent => "RECENT",
            Self::HighestModSeq => "HIGHESTMODSEQ",
        }
    }
}
