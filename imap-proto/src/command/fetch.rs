//! FETCH data items, body sections and modifiers.

use std::num::{NonZeroU32, NonZeroU64};

use crate::types::{AString, Vec1};

/// What a FETCH asks for: a macro or a list of attributes (RFC 9051 section 6.4.5).
///
/// ```text
/// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" /
///         fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum FetchItems<'a> {
    /// `ALL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`.
    All,
    /// `FAST` = `(FLAGS INTERNALDATE RFC822.SIZE)`.
    Fast,
    /// `FULL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`.
    Full,
    /// One attribute (sent bare) or several (sent in parentheses).
    Attributes(Vec1<FetchAttribute<'a>>),
}

/// One FETCH data item (RFC 9051 section 6.4.5, RFC 3516, RFC 7162).
///
/// ```text
/// fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" /
///             "RFC822.SIZE" /
///             "BODY" ["STRUCTURE"] / "UID" /
///             "BODY" section [partial] /
///             "BODY.PEEK" section [partial] /
///             "BINARY" [".PEEK"] section-binary [partial] /
///             "BINARY.SIZE" section-binary
/// fetch-att =/ "RFC822" / "RFC822.HEADER" / "RFC822.TEXT"   ; IMAP4rev1
/// fetch-att =/ fetch-mod-sequence                            ; RFC 7162 "MODSEQ"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum FetchAttribute<'a> {
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `RFC822` = `BODY[]` (IMAP4rev1).
    Rfc822,
    /// `RFC822.HEADER` = `BODY.PEEK[HEADER]` (IMAP4rev1).
    Rfc822Header,
    /// `RFC822.TEXT` = `BODY[TEXT]` (IMAP4rev1).
    Rfc822Text,
    /// `BODY`: the non-extensible body structure.
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[...]`.
    BodySection {
        /// The section; `None` for the whole message (`[]`).
        section: Option<Section<'a>>,
        /// A byte range of the section.
        partial: Option<Partial>,
        /// `.PEEK`: do not set `\Seen`.
        peek: bool,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[...]` (RFC 3516).
    Binary {
        /// The part numbers; empty for the whole message.
        section: Vec<NonZeroU32>,
        /// A byte range of the decoded part.
        partial: Option<Partial>,
        /// `.PEEK`: do not set `\Seen`.
        peek: bool,
    },
    /// `BINARY.SIZE[part]` (RFC 3516).
    BinarySize {
        /// The part numbers; empty for the whole message.
        section: Vec<NonZeroU32>,
    },
    /// `MODSEQ` (RFC 7162).
    ModSeq,
}

/// A byte range of a section: `<offset.length>`.
///
/// ```text
/// partial = "<" number64 "." nz-number64 ">"
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Partial {
    /// First octet, from 0.
    pub offset: u64,
    /// Most octets to return.
    pub length: NonZeroU64,
}

/// A body part number path such as `1.2.3`.
///
/// ```text
/// section-part = nz-number *("." nz-number)
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Part(pub Vec1<NonZeroU32>);

/// A section of a message (RFC 9051 section 6.4.5).
///
/// ```text
/// section         = "[" [section-spec] "]"
/// section-spec    = section-msgtext / (section-part ["." section-text])
/// section-msgtext = "HEADER" /
///                   "HEADER.FIELDS" [".NOT"] SP header-list /
///                   "TEXT"
/// section-text    = section-msgtext / "MIME"
/// header-list     = "(" header-fld-name *(SP header-fld-name) ")"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Section<'a> {
    /// `[1.2]`: the body of a part.
    Part(Part),
    /// `[HEADER]` or `[1.HEADER]` (for a message/rfc822 part).
    Header(Option<Part>),
    /// `[HEADER.FIELDS (...)]`.
    HeaderFields(Option<Part>, Vec1<AString<'a>>),
    /// `[HEADER.FIELDS.NOT (...)]`.
    HeaderFieldsNot(Option<Part>, Vec1<AString<'a>>),
    /// `[TEXT]` or `[1.TEXT]`.
    Text(Option<Part>),
    /// `[1.MIME]`: the MIME header of a part.
    Mime(Part),
}

/// A FETCH modifier (RFC 7162).
///
/// ```text
/// fetch-modifier     = chgsince-fetch-mod / vanished-fetch-mod
/// chgsince-fetch-mod = "CHANGEDSINCE" SP mod-sequence-value
/// vanished-fetch-mod = "VANISHED"
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum FetchModifier {
    /// Only messages whose mod-sequence is greater.
    ChangedSince(u64),
    /// Also report expunged UIDs with VANISHED (EARLIER) (QRESYNC, UID FETCH only).
    Vanished,
}

impl FetchItems<'_> {
    /// The attributes this stands for, with macros expanded.
    pub fn expand(&self) -> Vec<FetchAttribute<'_>> {
        use FetchAttribute as A;
        match self {
            Self::All => vec![A::Flags, A::InternalDate, A::Rfc822Size, A::Envelope],
            Self::Fast => vec![A::Flags, A::InternalDate, A::Rfc822Size],
            Self::Full => vec![
                A::Flags,
                A::InternalDate,
                A::Rfc822Size,
                A::Envelope,
                A::Body,
            ],
            Self::Attributes(list) => list.iter().map(FetchAttribute::borrowed).collect(),
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> FetchItems<'static> {
        match self {
            Self::All => FetchItems::All,
            Self::Fast => FetchItems::Fast,
            Self::Full => FetchItems::Full,
            Self::Attributes(list) => FetchItems::Attributes(list.map(FetchAttribute::into_owned)),
        }
    }
}

impl FetchAttribute<'_> {
    /// Whether fetching this sets `\Seen` (a non-peek body section, RFC822, RFC822.TEXT).
    pub fn sets_seen(&self) -> bool {
        matches!(
            self,
            Self::BodySection { peek: false, .. }
                | Self::Binary { peek: false, .. }
                | Self::Rfc822
                | Self::Rfc822Text
        )
    }

    /// Borrows the value with a shorter lifetime.
    pub fn borrowed(&self) -> FetchAttribute<'_> {
        match self {
            Self::BodySection {
                section,
                partial,
                peek,
            } => FetchAttribute::BodySection {
                section: section.as_ref().map(Section::borrowed),
                partial: *partial,
                peek: *peek,
            },
            Self::Envelope => FetchAttribute::Envelope,
            Self::Flags => FetchAttribute::Flags,
            Self::InternalDate => FetchAttribute::InternalDate,
            Self::Rfc822Size => FetchAttribute::Rfc822Size,
            Self::Rfc822 => FetchAttribute::Rfc822,
            Self::Rfc822Header => FetchAttribute::Rfc822Header,
            Self::Rfc822Text => FetchAttribute::Rfc822Text,
            Self::Body => FetchAttribute::Body,
            Self::BodyStructure => FetchAttribute::BodyStructure,
            Self::Uid => FetchAttribute::Uid,
            Self::Binary {
                section,
                partial,
                peek,
            } => FetchAttribute::Binary {
                section: section.clone(),
                partial: *partial,
                peek: *peek,
            },
            Self::BinarySize { section } => FetchAttribute::BinarySize {
                section: section.clone(),
            },
            Self::ModSeq => FetchAttribute::ModSeq,
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> FetchAttribute<'static> {
        match self {
            Self::BodySection {
                section,
                partial,
                peek,
            } => FetchAttribute::BodySection {
                section: section.map(Section::into_owned),
                partial,
                peek,
            },
            Self::Envelope => FetchAttribute::Envelope,
            Self::Flags => FetchAttribute::Flags,
            Self::InternalDate => FetchAttribute::InternalDate,
            Self::Rfc822Size => FetchAttribute::Rfc822Size,
            Self::Rfc822 => FetchAttribute::Rfc822,
            Self::Rfc822Header => FetchAttribute::Rfc822Header,
            Self::Rfc822Text => FetchAttribute::Rfc822Text,
            Self::Body => FetchAttribute::Body,
            Self::BodyStructure => FetchAttribute::BodyStructure,
            Self::Uid => FetchAttribute::Uid,
            Self::Binary {
                section,
                partial,
                peek,
            } => FetchAttribute::Binary {
                section,
                partial,
                peek,
            },
            Self::BinarySize { section } => FetchAttribute::BinarySize { section },
            Self::ModSeq => FetchAttribute::ModSeq,
        }
    }
}

impl Part {
    /// The part numbers.
    pub fn numbers(&self) -> &[NonZeroU32] {
        self.0.as_slice()
    }
}

impl Section<'_> {
    /// The part path this section is under, if any.
    pub fn part(&self) -> Option<&Part> {
        match self {
            Self::Part(p) | Self::Mime(p) => Some(p),
            Self::Header(p)
            | Self::Text(p)
            | Self::HeaderFields(p, _)
            | Self::HeaderFieldsNot(p, _) => p.as_ref(),
        }
    }

    /// Borrows the value with a shorter lifetime.
    pub fn borrowed(&self) -> Section<'_> {
        match self {
            Self::Part(p) => Section::Part(p.clone()),
            Self::Header(p) => Section::Header(p.clone()),
            Self::HeaderFields(p, n) => Section::HeaderFields(p.clone(), borrow_names(n)),
            Self::HeaderFieldsNot(p, n) => Section::HeaderFieldsNot(p.clone(), borrow_names(n)),
            Self::Text(p) => Section::Text(p.clone()),
            Self::Mime(p) => Section::Mime(p.clone()),
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Section<'static> {
        match self {
            Self::Part(p) => Section::Part(p),
            Self::Header(p) => Section::Header(p),
            Self::HeaderFields(p, n) => Section::HeaderFields(p, n.map(AString::into_owned)),
            Self::HeaderFieldsNot(p, n) => Section::HeaderFieldsNot(p, n.map(AString::into_owned)),
            Self::Text(p) => Section::Text(p),
            Self::Mime(p) => Section::Mime(p),
        }
    }
}

fn borrow_names<'b>(list: &'b Vec1<AString<'_>>) -> Vec1<AString<'b>> {
    Vec1::unvalidated(
        list.iter()
            .map(|n| match n {
                AString::Atom(a) => AString::Atom(a.borrowed()),
                other => other.clone(),
            })
            .collect(),
    )
}
