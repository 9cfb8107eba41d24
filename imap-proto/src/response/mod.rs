//! Responses a server sends (RFC 9051 section 7 and the extension RFCs), as data.
//!
//! A [`Response`] is a status response (tagged or untagged), untagged data, or a
//! continuation request. Encode one with [`crate::codec::encode::response`], parse one
//! with [`crate::codec::parse::response`].

mod body;
mod code;
mod data;
mod envelope;
mod fetch;

use std::borrow::Cow;

pub use body::{
    BasicFields, BodyExtension, BodyStructure, Disposition, ExtensionTail, LanguageTail,
    LocationTail, MultiPartExtension, SinglePartExtension, SpecificFields,
};
pub use code::Code;
pub use data::{
    Data, ESearchItem, ESearchResponse, ListExtendedItem, ListItem, NamespaceDescription,
    StatusValue,
};
pub use envelope::{Address, Envelope};
pub use fetch::{BinaryData, FetchData};

use crate::types::{Tag, Text};

/// One server response.
///
/// ```text
/// response = *(continue-req / response-data) response-done
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Response<'a> {
    /// A status response: `tag OK ...`, `* NO ...`, `* BYE ...`.
    Status(StatusResponse<'a>),
    /// Untagged data: `* 3 EXISTS`, `* LIST ...`, `* 1 FETCH (...)`.
    Data(Data<'a>),
    /// A continuation request: `+ Ready`.
    Continue(Continue<'a>),
}

/// A status response (RFC 9051 section 7.1).
///
/// ```text
/// response-tagged = tag SP resp-cond-state CRLF
/// resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
/// resp-cond-auth  = ("OK" / "PREAUTH") SP resp-text
/// resp-cond-bye   = "BYE" SP resp-text
/// resp-text       = ["[" resp-text-code "]" SP] [text]
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct StatusResponse<'a> {
    /// The tag of the command this completes; `None` for `*`.
    pub tag: Option<Tag<'a>>,
    /// OK, NO, BAD, PREAUTH or BYE.
    pub kind: StatusKind,
    /// The response code in brackets.
    pub code: Option<Code<'a>>,
    /// Human-readable text.
    pub text: Text<'a>,
}

/// The condition of a status response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum StatusKind {
    /// `OK`: success (tagged) or information (untagged).
    Ok,
    /// `NO`: the operation failed.
    No,
    /// `BAD`: the command was not understood or not allowed.
    Bad,
    /// `PREAUTH`: greeting of a connection that is already authenticated.
    PreAuth,
    /// `BYE`: the server closes the connection.
    Bye,
}

/// A continuation request (RFC 9051 section 7.5).
///
/// ```text
/// continue-req = "+" SP (resp-text / base64) CRLF
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Continue<'a> {
    /// `+ [code] text`: go on sending (the literal, the IDLE `DONE`).
    Basic {
        /// A response code, rarely used here.
        code: Option<Code<'a>>,
        /// Human-readable text.
        text: Text<'a>,
    },
    /// `+ base64`: a SASL challenge, decoded.
    Base64(Cow<'a, [u8]>),
}

impl StatusKind {
    /// The keyword on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::No => "NO",
            Self::Bad => "BAD",
            Self::PreAuth => "PREAUTH",
            Self::Bye => "BYE",
        }
    }
}

impl<'a> StatusResponse<'a> {
    /// `tag OK [code] text`.
    pub fn ok(tag: Option<Tag<'a>>, code: Option<Code<'a>>, text: Text<'a>) -> Self {
        Self {
            tag,
            kind: StatusKind::Ok,
            code,
            text,
        }
    }

    /// `tag NO [code] text`.
    pub fn no(tag: Option<Tag<'a>>, code: Option<Code<'a>>, text: Text<'a>) -> Self {
        Self {
            tag,
            kind: StatusKind::No,
            code,
            text,
        }
    }

    /// `tag BAD [code] text`.
    pub fn bad(tag: Option<Tag<'a>>, code: Option<Code<'a>>, text: Text<'a>) -> Self {
        Self {
            tag,
            kind: StatusKind::Bad,
            code,
            text,
        }
    }

    /// `* BYE [code] text`.
    pub fn bye(code: Option<Code<'a>>, text: Text<'a>) -> Self {
        Self {
            tag: None,
            kind: StatusKind::Bye,
            code,
            text,
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> StatusResponse<'static> {
        StatusResponse {
            tag: self.tag.map(Tag::into_owned),
            kind: self.kind,
            code: self.code.map(Code::into_owned),
            text: self.text.into_owned(),
        }
    }
}

impl Continue<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Continue<'static> {
        match self {
            Self::Basic { code, text } => Continue::Basic {
                code: code.map(Code::into_owned),
                text: text.into_owned(),
            },
            Self::Base64(data) => Continue::Base64(Cow::Owned(data.into_owned())),
        }
    }
}

impl Response<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Response<'static> {
        match self {
            Self::Status(s) => Response::Status(s.into_owned()),
            Self::Data(d) => Response::Data(d.into_owned()),
            Self::Continue(c) => Response::Continue(c.into_owned()),
        }
    }
}
