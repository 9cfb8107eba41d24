//! Session errors, grouped by who is at fault, each mapped to the response the
//! client gets.

use crate::codec::frame::FrameErrorKind;
use crate::error::ParseError;
use crate::response::{Code, StatusKind, StatusResponse};
use crate::types::{Charset, Tag, Text};

/// Something the session refused; [`SessionError::response`] is what the client
/// gets, [`SessionError::is_fatal`] whether the connection ends.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    // ----- the peer sent malformed input -----
    /// The command does not parse.
    #[error(transparent)]
    Syntax(#[from] ParseError),
    /// The input broke a size limit.
    #[error("input refused: {0}")]
    Frame(FrameErrorKind),
    /// A line during AUTHENTICATE was not base64 or the SASL data is malformed.
    #[error("malformed authentication data")]
    SaslMalformed,

    // ----- the peer violated the protocol order -----
    /// The command is not valid in the current state.
    #[error("{command} is not allowed now")]
    WrongState {
        /// The command's name.
        command: &'static str,
    },
    /// A message sequence number that does not exist.
    #[error("invalid message sequence number")]
    InvalidSequence,
    /// A change to a mailbox selected read-only.
    #[error("mailbox is read-only")]
    ReadOnly,
    /// The client cancelled AUTHENTICATE with `*`.
    #[error("authentication cancelled")]
    AuthenticationCancelled,
    /// Something other than DONE during IDLE.
    #[error("expected DONE")]
    ExpectedDone,

    // ----- the peer asked for something this session does not offer -----
    /// An extension, mechanism or option that is off or unknown.
    #[error("{0} is not supported")]
    Unsupported(&'static str),
    /// A SEARCH charset other than UTF-8 and US-ASCII.
    #[error("unsupported charset")]
    BadCharset,
    /// A password without TLS where that is not allowed.
    #[error("TLS is required to send a password")]
    PrivacyRequired,

    // ----- limits -----
    /// Too many failed logins: the session says BYE.
    #[error("too many failed logins")]
    TooManyFailedLogins,
    /// The client sent more than the session buffers while it waits.
    #[error("too much pipelined input")]
    TooMuchInput,
    /// A literal over the limit.
    #[error("literal too large")]
    LiteralTooLarge,

    // ----- local misuse of the API -----
    /// The application called the session out of order (a bug in the caller).
    #[error("api misuse: {0}")]
    Misuse(&'static str),
}

impl SessionError {
    /// Whether the session ends after this error.
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::TooManyFailedLogins | Self::TooMuchInput)
    }

    /// The status response the client gets, tagged with `tag` when known.
    pub fn response(&self, tag: Option<Tag<'_>>) -> StatusResponse<'static> {
        let tag = tag.map(Tag::into_owned);
        let (kind, code, text): (StatusKind, Option<Code<'static>>, String) = match self {
            Self::Syntax(e) => (
                StatusKind::Bad,
                None,
                format!("Syntax error in {}", e.rule()),
            ),
            Self::Frame(FrameErrorKind::LiteralTooLarge) | Self::LiteralTooLarge => (
                StatusKind::No,
                Some(Code::TooBig),
                "Literal too large".into(),
            ),
            Self::Frame(kind) => (
                StatusKind::Bad,
                Some(Code::Limit),
                format!("Input refused: {kind}"),
            ),
            Self::SaslMalformed => (
                StatusKind::Bad,
                None,
                "Malformed authentication data".into(),
            ),
            Self::WrongState { command } => {
                (StatusKind::Bad, None, format!("{command} not allowed now"))
            }
            Self::InvalidSequence => (
                StatusKind::Bad,
                None,
                "Invalid message sequence number".into(),
            ),
            Self::ReadOnly => (
                StatusKind::No,
                Some(Code::Cannot),
                "Mailbox is read-only".into(),
            ),
            Self::AuthenticationCancelled => {
                (StatusKind::Bad, None, "Authentication cancelled".into())
            }
            Self::ExpectedDone => (StatusKind::Bad, None, "Expected DONE".into()),
            Self::Unsupported(what) => (
                StatusKind::Bad,
                Some(Code::ClientBug),
                format!("{what} not supported"),
            ),
            Self::BadCharset => (
                StatusKind::No,
                Some(Code::BadCharset(vec![Charset::UTF_8, Charset::US_ASCII])),
                "Unsupported charset".into(),
            ),
            Self::PrivacyRequired => (
                StatusKind::No,
                Some(Code::PrivacyRequired),
                "Use STARTTLS or TLS first".into(),
            ),
            Self::TooManyFailedLogins => (StatusKind::Bye, None, "Too many failed logins".into()),
            Self::TooMuchInput => (StatusKind::Bye, Some(Code::Limit), "Too much input".into()),
            Self::Misuse(_) => (
                StatusKind::No,
                Some(Code::ServerBug),
                "Internal error".into(),
            ),
        };
        let tag = if kind == StatusKind::Bye { None } else { tag };
        StatusResponse {
            tag,
            kind,
            code,
            text: Text::sanitized(&text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_responses() {
        let tag = Tag::try_from("a1").unwrap();
        let r = SessionError::Syntax(ParseError::Syntax {
            rule: "sequence-set",
            offset: 3,
        })
        .response(Some(tag.clone()));
        assert_eq!(
            (r.kind, r.text.as_str()),
            (StatusKind::Bad, "Syntax error in sequence-set")
        );
        assert_eq!(r.tag, Some(tag.clone()));
        let r = SessionError::TooManyFailedLogins.response(Some(tag));
        assert_eq!((r.kind, r.tag), (StatusKind::Bye, None));
        assert!(SessionError::TooManyFailedLogins.is_fatal());
        assert!(!SessionError::ReadOnly.is_fatal());
        assert_eq!(
            SessionError::PrivacyRequired.response(None).code,
            Some(Code::PrivacyRequired)
        );
    }
}
