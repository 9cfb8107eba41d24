//! Server responses (data only; parsing in [`parse`](crate::codec::parse), encoding in
//! [`encode`](crate::codec::encode)).
//!
//! A POP3 response starts with a status line (`+OK` or `-ERR`, an optional extended
//! response code, optional text). Some successful responses go on with data lines and
//! end with a line holding a single `.` ([RFC 1939 section
//! 3](https://www.rfc-editor.org/rfc/rfc1939#section-3)): scan listings (`LIST`),
//! unique-id listings (`UIDL`), capabilities (`CAPA`), a message (`RETR`, `TOP`). During
//! SASL the server sends continuation lines (`+ challenge`).

use crate::types::{MessageNumber, ResponseCode, Text, UniqueId};

/// `+OK` or `-ERR`.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Status {
    /// `+OK`: the command succeeded.
    Ok,
    /// `-ERR`: the command failed.
    Err,
}

/// A status line: `+OK` / `-ERR`, an optional response code, optional text.
///
/// [RFC 2449 section 8](https://www.rfc-editor.org/rfc/rfc2449#section-8):
///
/// ```text
/// single-line = status [SP text] CRLF
/// status      = "+OK" / "-ERR"
/// text        = *schar / resp-code *CHAR
/// ```
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct StatusLine<'a> {
    /// `+OK` or `-ERR`.
    pub status: Status,
    /// The extended response code, such as `[IN-USE]`.
    pub code: Option<ResponseCode<'a>>,
    /// The human-readable text.
    pub text: Option<Text<'a>>,
}

impl<'a> StatusLine<'a> {
    /// `+OK text`.
    pub fn ok(text: Text<'a>) -> Self {
        Self {
            status: Status::Ok,
            code: None,
            text: Some(text),
        }
    }

    /// `-ERR text`.
    pub fn err(text: Text<'a>) -> Self {
        Self {
            status: Status::Err,
            code: None,
            text: Some(text),
        }
    }

    /// `-ERR [code] text`.
    pub fn err_with_code(code: ResponseCode<'a>, text: Text<'a>) -> Self {
        Self {
            status: Status::Err,
            code: Some(code),
            text: Some(text),
        }
    }

    /// Whether the status is `+OK`.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The status line with its borrows released.
    pub fn into_owned(self) -> StatusLine<'static> {
        StatusLine {
            status: self.status,
            code: self.code.map(ResponseCode::into_owned),
            text: self.text.map(Text::into_owned),
        }
    }
}

/// The first line of any server response.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum ResponseLine<'a> {
    /// `+OK ...` or `-ERR ...`.
    Status(StatusLine<'a>),
    /// `+ base64`: a SASL challenge, decoded
    /// ([RFC 5034 section 4](https://www.rfc-editor.org/rfc/rfc5034#section-4)).
    Continuation(Vec<u8>),
}

/// The answer to `STAT`: `+OK nn mm`
/// ([RFC 1939 section 5](https://www.rfc-editor.org/rfc/rfc1939#section-5)).
///
/// ```text
/// stat-text = count SP octets [SP *CHAR]   ; anything after the size is ignored
/// ```
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Stat {
    /// Messages in the maildrop, not counting those marked as deleted.
    pub count: u32,
    /// Their size in octets.
    pub octets: u64,
}

/// A scan listing: `msg size`, the data line of `LIST` and the text of `LIST msg`
/// ([RFC 1939 section 5](https://www.rfc-editor.org/rfc/rfc1939#section-5)).
///
/// ```text
/// scan-listing = msg SP octets [SP *CHAR]   ; anything after the size is ignored
/// ```
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ScanListing {
    /// The message-number.
    pub message: MessageNumber,
    /// The size in octets.
    pub octets: u64,
}

/// A unique-id listing: `msg unique-id`, the data line of `UIDL` and the text of
/// `UIDL msg` ([RFC 1939 section 7](https://www.rfc-editor.org/rfc/rfc1939#section-7)).
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct UniqueIdListing<'a> {
    /// The message-number.
    pub message: MessageNumber,
    /// The message's unique-id.
    pub unique_id: UniqueId<'a>,
}

impl UniqueIdListing<'_> {
    /// The listing with its borrow released.
    pub fn into_owned(self) -> UniqueIdListing<'static> {
        UniqueIdListing {
            message: self.message,
            unique_id: self.unique_id.into_owned(),
        }
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for StatusLine<'static> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Self {
            status: u.arbitrary()?,
            code: u.arbitrary()?,
            text: u.arbitrary()?,
        })
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for UniqueIdListing<'static> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Self {
            message: u.arbitrary()?,
            unique_id: u.arbitrary()?,
        })
    }
}
