//! Untagged data responses.

use std::num::NonZeroU32;

use crate::command::IdParameters;
use crate::response::FetchData;
use crate::types::{
    Capability, Flag, IString, Mailbox, MailboxAttribute, NString, SequenceSet, Tag, Vec1,
};

/// Untagged data (RFC 9051 section 7.2-7.5 and extensions).
///
/// ```text
/// response-data = "*" SP (resp-cond-state / resp-cond-bye /
///                 mailbox-data / message-data / capability-data /
///                 enable-data) CRLF
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Data<'a> {
    /// `CAPABILITY ...`.
    Capability(Vec1<Capability<'a>>),
    /// `ENABLED ...` (RFC 5161).
    Enabled(Vec<Capability<'a>>),
    /// `LIST (attrs) delim name [ext]`.
    List(ListItem<'a>),
    /// `LSUB (attrs) delim name` (IMAP4rev1).
    Lsub(ListItem<'a>),
    /// `STATUS mailbox (item value ...)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The values.
        items: Vec<StatusValue>,
    },
    /// `SEARCH n...` (IMAP4rev1), with the highest mod-sequence when a MODSEQ
    /// key was used (RFC 7162).
    Search {
        /// Matching message numbers or UIDs.
        numbers: Vec<NonZeroU32>,
        /// `(MODSEQ n)`.
        modseq: Option<u64>,
    },
    /// `SORT n...` (RFC 5256).
    Sort(Vec<NonZeroU32>),
    /// `ESEARCH ...` (RFC 4731, IMAP4rev2).
    ESearch(ESearchResponse<'a>),
    /// `FLAGS (...)`: the flags defined in the mailbox.
    Flags(Vec<Flag<'a>>),
    /// `n EXISTS`.
    Exists(u32),
    /// `n RECENT` (IMAP4rev1).
    Recent(u32),
    /// `n EXPUNGE`.
    Expunge(NonZeroU32),
    /// `n FETCH (...)`.
    Fetch {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The data items.
        items: Vec1<FetchData<'a>>,
    },
    /// `VANISHED [(EARLIER)] uids` (RFC 7162).
    Vanished {
        /// `(EARLIER)`: a report about the past, not a live expunge.
        earlier: bool,
        /// The UIDs.
        uids: SequenceSet,
    },
    /// `ID (...)` or `ID NIL` (RFC 2971).
    Id(IdParameters<'a>),
    /// `NAMESPACE personal other shared` (RFC 2342).
    Namespace {
        /// Personal namespaces.
        personal: Vec<NamespaceDescription<'a>>,
        /// Other users' namespaces.
        other: Vec<NamespaceDescription<'a>>,
        /// Shared namespaces.
        shared: Vec<NamespaceDescription<'a>>,
    },
}

/// One LIST or LSUB entry.
///
/// ```text
/// mailbox-list = "(" [mbx-list-flags] ")" SP
///                (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
///                [SP mbox-list-extended]
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ListItem<'a> {
    /// The attributes.
    pub attributes: Vec<MailboxAttribute<'a>>,
    /// The hierarchy delimiter; `None` for a flat name space (`NIL`).
    pub delimiter: Option<char>,
    /// The mailbox name, in wire form.
    pub mailbox: Mailbox<'a>,
    /// Extended data items (RFC 5258).
    pub extended: Vec<ListExtendedItem<'a>>,
}

/// An extended data item of a LIST response (RFC 5258, RFC 9051).
///
/// ```text
/// mbox-list-extended-item = "CHILDINFO" SP "(" "SUBSCRIBED" ")" /
///                           "OLDNAME" SP "(" mailbox ")"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ListExtendedItem<'a> {
    /// `CHILDINFO ("SUBSCRIBED")`: a child matches the selection options.
    ChildInfoSubscribed,
    /// `OLDNAME (name)`: the mailbox was renamed from this name.
    OldName(Mailbox<'a>),
}

/// One value of a STATUS response.
///
/// ```text
/// status-att-val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) /
///                  ("UIDVALIDITY" SP nz-number) / ("UNSEEN" SP number) /
///                  ("DELETED" SP number) / ("SIZE" SP number64)
/// status-att-val =/ "RECENT" SP number / "HIGHESTMODSEQ" SP mod-sequence-valzer
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum StatusValue {
    /// `MESSAGES n`.
    Messages(u32),
    /// `UIDNEXT n`.
    UidNext(NonZeroU32),
    /// `UIDVALIDITY n`.
    UidValidity(NonZeroU32),
    /// `UNSEEN n`.
    Unseen(u32),
    /// `DELETED n`.
    Deleted(u32),
    /// `SIZE n`.
    Size(u64),
    /// `RECENT n`.
    Recent(u32),
    /// `HIGHESTMODSEQ n`.
    HighestModSeq(u64),
}

/// An ESEARCH response (RFC 4731, RFC 9051 section 7.3.4).
///
/// ```text
/// esearch-response  = "ESEARCH" [search-correlator] [SP "UID"]
///                     *(SP search-return-data)
/// search-correlator = SP "(" "TAG" SP tag-string ")"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ESearchResponse<'a> {
    /// The tag of the SEARCH this answers.
    pub tag: Option<Tag<'a>>,
    /// Whether the numbers are UIDs.
    pub uid: bool,
    /// The results.
    pub items: Vec<ESearchItem>,
}

/// One ESEARCH result.
///
/// ```text
/// search-return-data = "MIN" SP nz-number / "MAX" SP nz-number /
///                      "ALL" SP sequence-set / "COUNT" SP number /
///                      "MODSEQ" SP mod-sequence-value
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ESearchItem {
    /// Lowest match.
    Min(NonZeroU32),
    /// Highest match.
    Max(NonZeroU32),
    /// All matches.
    All(SequenceSet),
    /// Number of matches.
    Count(u32),
    /// Highest mod-sequence of the matches (RFC 7162).
    ModSeq(u64),
}

/// One namespace (RFC 2342, RFC 9051 section 7.3.5).
///
/// ```text
/// namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
///                   [namespace-response-extensions] ")"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct NamespaceDescription<'a> {
    /// The prefix.
    pub prefix: IString<'a>,
    /// The hierarchy delimiter.
    pub delimiter: Option<char>,
}

impl ListItem<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> ListItem<'static> {
        ListItem {
            attributes: self
                .attributes
                .into_iter()
                .map(MailboxAttribute::into_owned)
                .collect(),
            delimiter: self.delimiter,
            mailbox: self.mailbox.into_owned(),
            extended: self
                .extended
                .into_iter()
                .map(|item| match item {
                    ListExtendedItem::ChildInfoSubscribed => ListExtendedItem::ChildInfoSubscribed,
                    ListExtendedItem::OldName(m) => ListExtendedItem::OldName(m.into_owned()),
                })
                .collect(),
        }
    }
}

impl NamespaceDescription<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> NamespaceDescription<'static> {
        NamespaceDescription {
            prefix: self.prefix.into_owned(),
            delimiter: self.delimiter,
        }
    }
}

impl Data<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Data<'static> {
        let ns = |list: Vec<NamespaceDescription<'_>>| {
            list.into_iter()
                .map(NamespaceDescription::into_owned)
                .collect()
        };
        match self {
            Self::Capability(list) => Data::Capability(list.map(Capability::into_owned)),
            Self::Enabled(list) => {
                Data::Enabled(list.into_iter().map(Capability::into_owned).collect())
            }
            Self::List(item) => Data::List(item.into_owned()),
            Self::Lsub(item) => Data::Lsub(item.into_owned()),
            Self::Status { mailbox, items } => Data::Status {
                mailbox: mailbox.into_owned(),
                items,
            },
            Self::Search { numbers, modseq } => Data::Search { numbers, modseq },
            Self::Sort(numbers) => Data::Sort(numbers),
            Self::ESearch(e) => Data::ESearch(ESearchResponse {
                tag: e.tag.map(Tag::into_owned),
                uid: e.uid,
                items: e.items,
            }),
            Self::Flags(flags) => Data::Flags(flags.into_iter().map(Flag::into_owned).collect()),
            Self::Exists(n) => Data::Exists(n),
            Self::Recent(n) => Data::Recent(n),
            Self::Expunge(n) => Data::Expunge(n),
            Self::Fetch { seq, items } => Data::Fetch {
                seq,
                items: items.map(FetchData::into_owned),
            },
            Self::Vanished { earlier, uids } => Data::Vanished { earlier, uids },
            Self::Id(params) => Data::Id(params.map(|list| {
                list.into_iter()
                    .map(|(k, v): (IString<'_>, NString<'_>)| (k.into_owned(), v.into_owned()))
                    .collect()
            })),
            Self::Namespace {
                personal,
                other,
                shared,
            } => Data::Namespace {
                personal: ns(personal),
                other: ns(other),
                shared: ns(shared),
            },
        }
    }
}
