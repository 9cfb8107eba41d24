//! SEARCH keys, ESEARCH return options and SORT criteria.

use crate::types::{AString, Date, Flag, SequenceSet, Vec1};

/// A search key (RFC 9051 section 6.4.4, RFC 3501, RFC 7162, RFC 5032).
///
/// ```text
/// search-key = "ALL" / "ANSWERED" / "BCC" SP astring /
///              "BEFORE" SP date / "BODY" SP astring /
///              "CC" SP astring / "DELETED" / "FLAGGED" /
///              "FROM" SP astring / "KEYWORD" SP flag-keyword /
///              "ON" SP date / "SEEN" /
///              "SINCE" SP date / "SUBJECT" SP astring /
///              "TEXT" SP astring / "TO" SP astring /
///              "UNANSWERED" / "UNDELETED" / "UNFLAGGED" /
///              "UNKEYWORD" SP flag-keyword / "UNSEEN" /
///              "DRAFT" / "HEADER" SP header-fld-name SP astring /
///              "LARGER" SP number64 / "NOT" SP search-key /
///              "OR" SP search-key SP search-key /
///              "SENTBEFORE" SP date / "SENTON" SP date /
///              "SENTSINCE" SP date / "SMALLER" SP number64 /
///              "UID" SP sequence-set / "UNDRAFT" / sequence-set /
///              "(" search-key *(SP search-key) ")"
/// search-key =/ "NEW" / "OLD" / "RECENT"                  ; IMAP4rev1
/// search-key =/ search-modsequence                        ; RFC 7162
/// search-key =/ "OLDER" SP nz-number / "YOUNGER" SP nz-number ; RFC 5032
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SearchKey<'a> {
    /// `ALL`.
    All,
    /// `ANSWERED`.
    Answered,
    /// `BCC string`.
    Bcc(AString<'a>),
    /// `BEFORE date` (internal date).
    Before(Date),
    /// `BODY string`.
    Body(AString<'a>),
    /// `CC string`.
    Cc(AString<'a>),
    /// `DELETED`.
    Deleted,
    /// `DRAFT`.
    Draft,
    /// `FLAGGED`.
    Flagged,
    /// `FROM string`.
    From(AString<'a>),
    /// `HEADER field string`.
    Header(AString<'a>, AString<'a>),
    /// `KEYWORD flag`.
    Keyword(Flag<'a>),
    /// `LARGER n`.
    Larger(u64),
    /// `NEW` (IMAP4rev1).
    New,
    /// `NOT key`.
    Not(Box<Self>),
    /// `OLD` (IMAP4rev1).
    Old,
    /// `OLDER seconds` (RFC 5032).
    Older(u32),
    /// `ON date`.
    On(Date),
    /// `OR key key`.
    Or(Box<Self>, Box<Self>),
    /// `RECENT` (IMAP4rev1).
    Recent,
    /// `SEEN`.
    Seen,
    /// `SENTBEFORE date` (Date: header).
    SentBefore(Date),
    /// `SENTON date`.
    SentOn(Date),
    /// `SENTSINCE date`.
    SentSince(Date),
    /// `SINCE date`.
    Since(Date),
    /// `SMALLER n`.
    Smaller(u64),
    /// `SUBJECT string`.
    Subject(AString<'a>),
    /// `TEXT string`.
    Text(AString<'a>),
    /// `TO string`.
    To(AString<'a>),
    /// `UID set`.
    Uid(SequenceSet),
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNKEYWORD flag`.
    Unkeyword(Flag<'a>),
    /// `UNSEEN`.
    Unseen,
    /// `YOUNGER seconds` (RFC 5032).
    Younger(u32),
    /// `MODSEQ [entry-name entry-type] n` (RFC 7162); the entry is ignored by servers
    /// that keep one mod-sequence per message.
    ModSeq {
        /// `"/flags/<flag>"` and `priv`/`shared`/`all`, when given.
        entry: Option<(Flag<'a>, EntryType)>,
        /// Messages with a greater or equal mod-sequence match.
        modseq: u64,
    },
    /// A sequence set of message numbers.
    SequenceSet(SequenceSet),
    /// `( key key ... )`: all must match.
    And(Vec1<Self>),
}

/// The metadata item type of a MODSEQ search key (RFC 7162).
///
/// ```text
/// entry-type-req = entry-type-resp / "all"
/// entry-type-resp = "priv" / "shared"
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum EntryType {
    /// `priv`.
    Private,
    /// `shared`.
    Shared,
    /// `all`.
    All,
}

/// An ESEARCH return option (RFC 4731, RFC 9051 section 6.4.4).
///
/// ```text
/// search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" /
///                     "SAVE" / search-ret-opt-ext
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SearchReturnOption {
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// `ALL`.
    All,
    /// `COUNT`.
    Count,
    /// `SAVE` (RFC 5182).
    Save,
}

impl SearchKey<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> SearchKey<'static> {
        use SearchKey as K;
        match self {
            K::All => K::All,
            K::Answered => K::Answered,
            K::Bcc(s) => K::Bcc(s.into_owned()),
            K::Before(d) => K::Before(d),
            K::Body(s) => K::Body(s.into_owned()),
            K::Cc(s) => K::Cc(s.into_owned()),
            K::Deleted => K::Deleted,
            K::Draft => K::Draft,
            K::Flagged => K::Flagged,
            K::From(s) => K::From(s.into_owned()),
            K::Header(f, s) => K::Header(f.into_owned(), s.into_owned()),
            K::Keyword(f) => K::Keyword(f.into_owned()),
            K::Larger(n) => K::Larger(n),
            K::New => K::New,
            K::Not(k) => K::Not(Box::new(k.into_owned())),
            K::Old => K::Old,
            K::Older(n) => K::Older(n),
            K::On(d) => K::On(d),
            K::Or(a, b) => K::Or(Box::new(a.into_owned()), Box::new(b.into_owned())),
            K::Recent => K::Recent,
            K::Seen => K::Seen,
            K::SentBefore(d) => K::SentBefore(d),
            K::SentOn(d) => K::SentOn(d),
            K::SentSince(d) => K::SentSince(d),
            K::Since(d) => K::Since(d),
            K::Smaller(n) => K::Smaller(n),
            K::Subject(s) => K::Subject(s.into_owned()),
            K::Text(s) => K::Text(s.into_owned()),
            K::To(s) => K::To(s.into_owned()),
            K::Uid(set) => K::Uid(set),
            K::Unanswered => K::Unanswered,
            K::Undeleted => K::Undeleted,
            K::Undraft => K::Undraft,
            K::Unflagged => K::Unflagged,
            K::Unkeyword(f) => K::Unkeyword(f.into_owned()),
            K::Unseen => K::Unseen,
            K::Younger(n) => K::Younger(n),
            K::ModSeq { entry, modseq } => K::ModSeq {
                entry: entry.map(|(f, t)| (f.into_owned(), t)),
                modseq,
            },
            K::SequenceSet(set) => K::SequenceSet(set),
            K::And(keys) => K::And(keys.map(SearchKey::into_owned)),
        }
    }

    /// Whether this key or one nested in it uses message sequence numbers.
    pub fn uses_sequence_numbers(&self) -> bool {
        match self {
            Self::SequenceSet(_) => true,
            Self::Not(k) => k.uses_sequence_numbers(),
            Self::Or(a, b) => a.uses_sequence_numbers() || b.uses_sequence_numbers(),
            Self::And(keys) => keys.iter().any(SearchKey::uses_sequence_numbers),
            _ => false,
        }
    }

    /// Whether this key or one nested in it is a MODSEQ key (so SEARCH results carry
    /// the highest mod-sequence, RFC 7162 section 3.1.5).
    pub fn uses_modseq(&self) -> bool {
        match self {
            Self::ModSeq { .. } => true,
            Self::Not(k) => k.uses_modseq(),
            Self::Or(a, b) => a.uses_modseq() || b.uses_modseq(),
            Self::And(keys) => keys.iter().any(SearchKey::uses_modseq),
            _ => false,
        }
    }
}

impl SearchReturnOption {
    /// The keyword on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Min => "MIN",
            Self::Max => "MAX",
            Self::All => "ALL",
            Self::Count => "COUNT",
            Self::Save => "SAVE",
        }
    }
}
