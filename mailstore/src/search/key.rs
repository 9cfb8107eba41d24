//! The search criteria tree.

use crate::types::{Date, Keyword, ModSeq, SystemFlag, UidSet};

/// A search criterion (RFC 9051 section 6.4.4), combined with `And`, `Or` and `Not`.
///
/// Sequence numbers are the session's business: an IMAP server turns a sequence set
/// into a [`UidSet`] with its own view of the mailbox and uses [`SearchKey::Uid`]. The
/// same goes for `RECENT` (see [`crate::store::MailboxStore::claim_recent`]).
/// `OLDER`/`YOUNGER` (RFC 5032) are [`SearchKey::ArrivedBefore`] /
/// [`SearchKey::ArrivedSince`] with a timestamp the caller computes from its clock.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchKey {
    /// Every message.
    All,
    /// All of these (an empty list matches everything).
    And(Vec<Self>),
    /// Either.
    Or(Box<Self>, Box<Self>),
    /// Not this.
    Not(Box<Self>),
    /// The system flag is set (`SEEN`, `ANSWERED`, ...; `UNSEEN` is `!Flag(Seen)`).
    Flag(SystemFlag),
    /// The keyword is set (`KEYWORD`).
    Keyword(Keyword),
    /// The UID is in the set (`UID`).
    Uid(UidSet),
    /// Internal date before the day (`BEFORE`).
    Before(Date),
    /// Internal date on the day (`ON`).
    On(Date),
    /// Internal date on or after the day (`SINCE`).
    Since(Date),
    /// `Date:` header before the day (`SENTBEFORE`).
    SentBefore(Date),
    /// `Date:` header on the day (`SENTON`).
    SentOn(Date),
    /// `Date:` header on or after the day (`SENTSINCE`).
    SentSince(Date),
    /// Internal date earlier than this many seconds since the epoch (`OLDER`).
    ArrivedBefore(i64),
    /// Internal date at or after this many seconds since the epoch (`YOUNGER`).
    ArrivedSince(i64),
    /// Larger than this many bytes (`LARGER`).
    Larger(u64),
    /// Smaller than this many bytes (`SMALLER`).
    Smaller(u64),
    /// A header field whose (unfolded) value contains the string; the empty string
    /// matches every message with the field (`HEADER`).
    Header(String, String),
    /// `FROM` contains the string (names and addresses, decoded).
    From(String),
    /// `TO` contains the string.
    To(String),
    /// `CC` contains the string.
    Cc(String),
    /// `BCC` contains the string.
    Bcc(String),
    /// `SUBJECT` contains the string (decoded).
    Subject(String),
    /// The body text holds the words (`BODY`, full-text).
    Body(String),
    /// The header or body text holds the words (`TEXT`, full-text).
    Text(String),
    /// MODSEQ at or above (`MODSEQ`, RFC 7162).
    ModSeq(ModSeq),
}

impl SearchKey {
    /// `Or(self, other)`.
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        Self::Or(Box::new(self), Box::new(other))
    }

    /// `And(self, other)`, flattening nested `And`s.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        match self {
            Self::And(mut keys) => {
                keys.push(other);
                Self::And(keys)
            }
            key => Self::And(vec![key, other]),
        }
    }
}

impl std::ops::Not for SearchKey {
    type Output = Self;

    /// `Not(self)`: `!SearchKey::Flag(SystemFlag::Seen)` is `UNSEEN`.
    fn not(self) -> Self {
        Self::Not(Box::new(self))
    }
}
