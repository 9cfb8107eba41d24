//! FETCH response data items.

use std::num::NonZeroU32;

use crate::command::Section;
use crate::response::{BodyStructure, Envelope};
use crate::types::{DateTime, Flag, Literal8, NString};

/// One data item of a FETCH response (RFC 9051 section 7.5.2).
///
/// ```text
/// msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
/// msg-att-static  = "ENVELOPE" SP envelope /
///                   "INTERNALDATE" SP date-time /
///                   "RFC822.SIZE" SP number64 /
///                   "BODY" ["STRUCTURE"] SP body /
///                   "BODY" section ["<" number ">"] SP nstring /
///                   "BINARY" section-binary SP (nstring / literal8) /
///                   "BINARY.SIZE" section-binary SP number /
///                   "UID" SP uniqueid
/// msg-att-static  =/ "RFC822" SP nstring / "RFC822.HEADER" SP nstring /
///                    "RFC822.TEXT" SP nstring                 ; IMAP4rev1
/// fetch-mod-resp  = "MODSEQ" SP "(" permsg-modsequence ")"    ; RFC 7162
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum FetchData<'a> {
    /// `FLAGS (...)`.
    Flags(Vec<Flag<'a>>),
    /// `MODSEQ (n)`.
    ModSeq(u64),
    /// `ENVELOPE (...)`.
    Envelope(Box<Envelope<'a>>),
    /// `INTERNALDATE "..."`.
    InternalDate(DateTime),
    /// `RFC822.SIZE n`.
    Rfc822Size(u64),
    /// `BODY (...)`: the body structure without extension data.
    Body(Box<BodyStructure<'a>>),
    /// `BODYSTRUCTURE (...)`.
    BodyStructure(Box<BodyStructure<'a>>),
    /// `BODY[section]<origin> data`.
    BodySection {
        /// The section; `None` for the whole message.
        section: Option<Section<'a>>,
        /// The first octet's offset when a partial range was asked for.
        origin: Option<u64>,
        /// The data.
        data: NString<'a>,
    },
    /// `BINARY[part]<origin> data` (RFC 3516).
    Binary {
        /// The part numbers; empty for the whole message.
        section: Vec<NonZeroU32>,
        /// The first octet's offset when a partial range was asked for.
        origin: Option<u64>,
        /// The decoded data.
        data: BinaryData<'a>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516).
    BinarySize {
        /// The part numbers; empty for the whole message.
        section: Vec<NonZeroU32>,
        /// Size of the decoded part.
        size: u64,
    },
    /// `UID n`.
    Uid(NonZeroU32),
    /// `RFC822 data` (IMAP4rev1).
    Rfc822(NString<'a>),
    /// `RFC822.HEADER data` (IMAP4rev1).
    Rfc822Header(NString<'a>),
    /// `RFC822.TEXT data` (IMAP4rev1).
    Rfc822Text(NString<'a>),
}

/// The data of a BINARY item: a string or a binary literal.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum BinaryData<'a> {
    /// Data without NUL, as a string or `NIL`.
    String(NString<'a>),
    /// `~{n}` data that may hold NUL.
    Literal8(Literal8<'a>),
}

impl FetchData<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> FetchData<'static> {
        match self {
            Self::Flags(flags) => {
                FetchData::Flags(flags.into_iter().map(Flag::into_owned).collect())
            }
            Self::ModSeq(n) => FetchData::ModSeq(n),
            Self::Envelope(e) => FetchData::Envelope(Box::new(e.into_owned())),
            Self::InternalDate(d) => FetchData::InternalDate(d),
            Self::Rfc822Size(n) => FetchData::Rfc822Size(n),
            Self::Body(b) => FetchData::Body(Box::new(b.into_owned())),
            Self::BodyStructure(b) => FetchData::BodyStructure(Box::new(b.into_owned())),
            Self::BodySection {
                section,
                origin,
                data,
            } => FetchData::BodySection {
                section: section.map(Section::into_owned),
                origin,
                data: data.into_owned(),
            },
            Self::Binary {
                section,
                origin,
                data,
            } => FetchData::Binary {
                section,
                origin,
                data: match data {
                    BinaryData::String(s) => BinaryData::String(s.into_owned()),
                    BinaryData::Literal8(l) => BinaryData::Literal8(l.into_owned()),
                },
            },
            Self::BinarySize { section, size } => FetchData::BinarySize { section, size },
            Self::Uid(uid) => FetchData::Uid(uid),
            Self::Rfc822(d) => FetchData::Rfc822(d.into_owned()),
            Self::Rfc822Header(d) => FetchData::Rfc822Header(d.into_owned()),
            Self::Rfc822Text(d) => FetchData::Rfc822Text(d.into_owned()),
        }
    }
}
