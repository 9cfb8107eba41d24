//! The BODY and BODYSTRUCTURE structure (RFC 9051 section 7.5.2).

use crate::response::Envelope;
use crate::types::{IString, NString, Vec1};

/// The MIME structure of a message.
///
/// ```text
/// body            = "(" (body-type-1part / body-type-mpart) ")"
/// body-type-1part = (body-type-basic / body-type-msg / body-type-text)
///                   [SP body-ext-1part]
/// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum BodyStructure<'a> {
    /// A leaf part.
    Single {
        /// Fields every part has.
        basic: BasicFields<'a>,
        /// Fields that depend on the media type.
        specific: SpecificFields<'a>,
        /// Extension data (BODYSTRUCTURE only).
        extension: Option<SinglePartExtension<'a>>,
    },
    /// A multipart with its children.
    Multi {
        /// The children, at least one.
        bodies: Vec1<Self>,
        /// The multipart subtype (`MIXED`, `ALTERNATIVE`, ...).
        subtype: IString<'a>,
        /// Extension data (BODYSTRUCTURE only).
        extension: Option<MultiPartExtension<'a>>,
    },
}

/// The fields every leaf part has.
///
/// ```text
/// body-fields    = body-fld-param SP body-fld-id SP body-fld-desc SP
///                  body-fld-enc SP body-fld-octets
/// body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct BasicFields<'a> {
    /// Content-Type parameters; empty for `NIL`.
    pub parameters: Vec<(IString<'a>, IString<'a>)>,
    /// Content-ID.
    pub id: NString<'a>,
    /// Content-Description.
    pub description: NString<'a>,
    /// Content-Transfer-Encoding.
    pub encoding: IString<'a>,
    /// Size of the body in its transfer encoding, in octets.
    pub size: u32,
}

/// The media-type specific fields of a leaf part.
///
/// ```text
/// body-type-basic = media-basic SP body-fields
/// body-type-msg   = media-message SP body-fields SP envelope
///                   SP body SP body-fld-lines
/// body-type-text  = media-text SP body-fields SP body-fld-lines
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SpecificFields<'a> {
    /// Any type but TEXT and MESSAGE/RFC822 or MESSAGE/GLOBAL.
    Basic {
        /// Media type.
        media_type: IString<'a>,
        /// Media subtype.
        subtype: IString<'a>,
    },
    /// MESSAGE/RFC822 or MESSAGE/GLOBAL: an embedded message.
    Message {
        /// `RFC822` or `GLOBAL`.
        subtype: IString<'a>,
        /// Its envelope.
        envelope: Box<Envelope<'a>>,
        /// Its structure.
        body_structure: Box<BodyStructure<'a>>,
        /// Number of lines.
        lines: u32,
    },
    /// TEXT/*.
    Text {
        /// Media subtype.
        subtype: IString<'a>,
        /// Number of lines.
        lines: u32,
    },
}

/// Extension data of a leaf part.
///
/// ```text
/// body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang
///                  [SP body-fld-loc *(SP body-extension)]]]
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct SinglePartExtension<'a> {
    /// Content-MD5.
    pub md5: NString<'a>,
    /// What follows, if anything.
    pub tail: Option<ExtensionTail<'a>>,
}

/// Extension data of a multipart.
///
/// ```text
/// body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang
///                  [SP body-fld-loc *(SP body-extension)]]]
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct MultiPartExtension<'a> {
    /// Content-Type parameters; empty for `NIL`.
    pub parameters: Vec<(IString<'a>, IString<'a>)>,
    /// What follows, if anything.
    pub tail: Option<ExtensionTail<'a>>,
}

/// Disposition and what follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ExtensionTail<'a> {
    /// Content-Disposition; `None` for `NIL`.
    pub disposition: Option<Disposition<'a>>,
    /// What follows, if anything.
    pub tail: Option<LanguageTail<'a>>,
}

/// Content-Disposition.
///
/// ```text
/// body-fld-dsp = "(" string SP body-fld-param ")" / nil
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Disposition<'a> {
    /// `inline`, `attachment`, ...
    pub kind: IString<'a>,
    /// Parameters; empty for `NIL`.
    pub parameters: Vec<(IString<'a>, IString<'a>)>,
}

/// Content-Language and what follows it.
///
/// ```text
/// body-fld-lang = nstring / "(" string *(SP string) ")"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct LanguageTail<'a> {
    /// The languages; empty for `NIL`.
    pub languages: Vec<IString<'a>>,
    /// What follows, if anything.
    pub tail: Option<LocationTail<'a>>,
}

/// Content-Location and further extension data.
///
/// ```text
/// body-fld-loc = nstring
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct LocationTail<'a> {
    /// Content-Location.
    pub location: NString<'a>,
    /// Extension data of future RFCs.
    pub extensions: Vec<BodyExtension<'a>>,
}

/// Extension data of future RFCs.
///
/// ```text
/// body-extension = nstring / number64 /
///                  "(" body-extension *(SP body-extension) ")"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum BodyExtension<'a> {
    /// A string or `NIL`.
    NString(NString<'a>),
    /// A number.
    Number(u64),
    /// A parenthesised list.
    List(Vec1<Self>),
}

type Params<'a> = Vec<(IString<'a>, IString<'a>)>;

fn own_params(params: Params<'_>) -> Params<'static> {
    params
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl BodyStructure<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> BodyStructure<'static> {
        match self {
            Self::Single {
                basic,
                specific,
                extension,
            } => BodyStructure::Single {
                basic: BasicFields {
                    parameters: own_params(basic.parameters),
                    id: basic.id.into_owned(),
                    description: basic.description.into_owned(),
                    encoding: basic.encoding.into_owned(),
                    size: basic.size,
                },
                specific: match specific {
                    SpecificFields::Basic {
                        media_type,
                        subtype,
                    } => SpecificFields::Basic {
                        media_type: media_type.into_owned(),
                        subtype: subtype.into_owned(),
                    },
                    SpecificFields::Message {
                        subtype,
                        envelope,
                        body_structure,
                        lines,
                    } => SpecificFields::Message {
                        subtype: subtype.into_owned(),
                        envelope: Box::new(envelope.into_owned()),
                        body_structure: Box::new(body_structure.into_owned()),
                        lines,
                    },
                    SpecificFields::Text { subtype, lines } => SpecificFields::Text {
                        subtype: subtype.into_owned(),
                        lines,
                    },
                },
                extension: extension.map(|e| SinglePartExtension {
                    md5: e.md5.into_owned(),
                    tail: e.tail.map(ExtensionTail::into_owned),
                }),
            },
            Self::Multi {
                bodies,
                subtype,
                extension,
            } => BodyStructure::Multi {
                bodies: bodies.map(BodyStructure::into_owned),
                subtype: subtype.into_owned(),
                extension: extension.map(|e| MultiPartExtension {
                    parameters: own_params(e.parameters),
                    tail: e.tail.map(ExtensionTail::into_owned),
                }),
            },
        }
    }

    /// The same structure without extension data, as the `BODY` item returns it.
    pub fn without_extensions(&self) -> Self {
        match self {
            Self::Single {
                basic, specific, ..
            } => Self::Single {
                basic: basic.clone(),
                specific: match specific {
                    SpecificFields::Message {
                        subtype,
                        envelope,
                        body_structure,
                        lines,
                    } => SpecificFields::Message {
                        subtype: subtype.clone(),
                        envelope: envelope.clone(),
                        body_structure: Box::new(body_structure.without_extensions()),
                        lines: *lines,
                    },
                    other => other.clone(),
                },
                extension: None,
            },
            Self::Multi {
                bodies, subtype, ..
            } => Self::Multi {
                bodies: Vec1::unvalidated(bodies.iter().map(Self::without_extensions).collect()),
                subtype: subtype.clone(),
                extension: None,
            },
        }
    }
}

impl ExtensionTail<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> ExtensionTail<'static> {
        ExtensionTail {
            disposition: self.disposition.map(|d| Disposition {
                kind: d.kind.into_owned(),
                parameters: own_params(d.parameters),
            }),
            tail: self.tail.map(|l| LanguageTail {
                languages: l.languages.into_iter().map(IString::into_owned).collect(),
                tail: l.tail.map(|loc| LocationTail {
                    location: loc.location.into_owned(),
                    extensions: loc
                        .extensions
                        .into_iter()
                        .map(BodyExtension::into_owned)
                        .collect(),
                }),
            }),
        }
    }
}

impl BodyExtension<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> BodyExtension<'static> {
        match self {
            Self::NString(s) => BodyExtension::NString(s.into_owned()),
            Self::Number(n) => BodyExtension::Number(n),
            Self::List(list) => BodyExtension::List(list.map(BodyExtension::into_owned)),
        }
    }
}
