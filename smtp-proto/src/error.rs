//! Error types of the crate, grouped by who is at fault.
//!
//! * [`ValidationError`]: a value handed to a newtype constructor breaks its ABNF.
//! * [`ParseError`]: the codec found bytes that are not a command or a reply. Small and
//!   `Copy`; it carries the rule that failed so a server can put it in its reply.
//! * [`SessionError`]: the server session's view of a protocol fault. Each maps to the
//!   reply the client gets (`From<&SessionError> for Reply`) and says whether it ends
//!   the connection ([`SessionError::is_fatal`]).
//! * [`ClientError`]: the application asked the client session for something it cannot
//!   do in its current state (local API misuse). Faults of the server come out of the
//!   client session as events carrying the server's [`Reply`].
//!
//! The tokio edge adds its own error type for I/O, TLS and timeouts
//! (`mailwright_smtp::tokio::Error`). Incomplete input is never an error: the framer answers
//! "need more" with `None`.

use std::fmt;

use crate::reply::Reply;
use crate::types::{EnhancedStatusCode, ReplyCode};

/// A value does not match the grammar of the newtype it was meant for.
///
/// Opaque so that the kinds of fault can grow; [`Display`](fmt::Display) says which
/// type, and which byte at which index where that applies.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[error("invalid {what}: {kind}")]
pub struct ValidationError {
    what: &'static str,
    kind: ValidationErrorKind,
}

impl ValidationError {
    pub(crate) const fn empty(what: &'static str) -> Self {
        Self {
            what,
            kind: ValidationErrorKind::Empty,
        }
    }

    pub(crate) const fn too_long(what: &'static str, max: usize) -> Self {
        Self {
            what,
            kind: ValidationErrorKind::TooLong { max },
        }
    }

    pub(crate) const fn byte(what: &'static str, byte: u8, at: usize) -> Self {
        Self {
            what,
            kind: ValidationErrorKind::InvalidByte { byte, at },
        }
    }

    pub(crate) const fn malformed(what: &'static str, rule: &'static str) -> Self {
        Self {
            what,
            kind: ValidationErrorKind::Malformed { rule },
        }
    }

    /// The name of the type that refused the value (`"domain"`, `"local-part"`, ...).
    pub fn what(&self) -> &'static str {
        self.what
    }
}

#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum ValidationErrorKind {
    Empty,
    TooLong { max: usize },
    InvalidByte { byte: u8, at: usize },
    Malformed { rule: &'static str },
}

impl fmt::Display for ValidationErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty"),
            Self::TooLong { max } => write!(f, "longer than {max} octets"),
            Self::InvalidByte { byte, at } => write!(f, "byte 0x{byte:02x} at index {at}"),
            Self::Malformed { rule } => write!(f, "does not match {rule}"),
        }
    }
}

/// A complete frame (a command line, a reply) that does not parse.
///
/// Carries no heap data: the variant and the rule name are enough for a server to
/// build its reply (see [`Reply::from`]) and for a client to report the fault.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The line does not start with a command verb this crate knows: `500 5.5.2`.
    #[error("command not recognized")]
    UnknownCommand,
    /// The line is not UTF-8: `500 5.5.2`.
    #[error("line is not UTF-8")]
    InvalidUtf8,
    /// The arguments do not match the command's syntax, given as the rule that failed
    /// (`"MAIL FROM:<reverse-path> [SP mail-parameters]"`): `501 5.5.4`.
    #[error("syntax: {0}")]
    Syntax(&'static str),
    /// The reverse-path of `MAIL FROM` is malformed: `501 5.1.7`.
    #[error("bad sender address syntax")]
    InvalidSender,
    /// The forward-path of `RCPT TO` is malformed: `501 5.1.3`.
    #[error("bad recipient address syntax")]
    InvalidRecipient,
    /// A known ESMTP parameter has a malformed or repeated value, named here: `501 5.5.4`.
    #[error("invalid {0} parameter")]
    InvalidParameter(&'static str),
    /// A server reply is malformed, for the rule named here (client side).
    #[error("malformed reply: {0}")]
    InvalidReply(&'static str),
}

impl From<ParseError> for Reply<'static> {
    fn from(error: ParseError) -> Self {
        let (code, enhanced) = match error {
            ParseError::UnknownCommand | ParseError::InvalidUtf8 => {
                (ReplyCode::SYNTAX_ERROR, EnhancedStatusCode::SYNTAX_ERROR)
            }
            ParseError::InvalidSender => (
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                EnhancedStatusCode::BAD_SENDER_SYNTAX,
            ),
            ParseError::InvalidRecipient => (
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                EnhancedStatusCode::BAD_RECIPIENT_SYNTAX,
            ),
            ParseError::Syntax(_)
            | ParseError::InvalidParameter(_)
            | ParseError::InvalidReply(_) => (
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                EnhancedStatusCode::INVALID_ARGUMENTS,
            ),
        };
        Reply::new(code, error.to_string()).with_enhanced(enhanced)
    }
}

/// A protocol fault seen by the server session, grouped by who is at fault.
///
/// Every variant converts to the reply the client gets; [`is_fatal`](Self::is_fatal)
/// says whether the session closes after sending it.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The client sent a line that does not parse.
    #[error(transparent)]
    Malformed(#[from] ParseError),
    /// The client sent a command line longer than the limit; it was discarded
    /// without being buffered: `500 5.5.2`.
    #[error("line too long")]
    LineTooLong,
    /// The client sent a SASL line longer than the limit: `500 5.5.6` (RFC 4954).
    #[error("authentication exchange line too long")]
    AuthLineTooLong,
    /// A SASL response that is not base64, or credentials that do not decode:
    /// `501 5.5.2`.
    #[error("cannot decode authentication response")]
    InvalidAuthResponse,
    /// The client cancelled the SASL exchange with `*`: `501 5.7.0`.
    #[error("authentication cancelled")]
    AuthCancelled,
    /// The command is valid but not in this state of the session: `503 5.5.1`.
    #[error("bad sequence of commands: {0}")]
    OutOfSequence(Sequence),
    /// DATA or BDAT LAST without an accepted recipient, after some were rejected
    /// (RFC 5321 section 3.3): `554 5.5.1`.
    #[error("no valid recipients")]
    NoValidRecipients,
    /// The client asked for something the server does not offer.
    #[error("{0}")]
    Unsupported(Unsupported),
    /// The configuration requires something first (TLS, authentication).
    #[error("{0}")]
    Policy(Policy),
    /// A limit of [`Limits`](crate::server::Limits) was reached.
    #[error("{0}")]
    Limit(LimitExceeded),
    /// The client was silent for longer than the RFC 5321 section 4.5.3.2 timeout:
    /// `421 4.4.2`, fatal.
    #[error("timeout waiting for the client")]
    Timeout,
}

impl SessionError {
    /// Whether the session closes after the reply for this error.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Self::Timeout
                | Self::Limit(
                    LimitExceeded::Errors | LimitExceeded::AuthFailures | LimitExceeded::Input
                )
        )
    }
}

impl From<&SessionError> for Reply<'static> {
    fn from(error: &SessionError) -> Self {
        use EnhancedStatusCode as E;
        use ReplyCode as C;
        let (code, enhanced) = match error {
            SessionError::Malformed(parse) => return Self::from(*parse),
            SessionError::LineTooLong => (C::SYNTAX_ERROR, E::SYNTAX_ERROR),
            SessionError::AuthLineTooLong => (C::SYNTAX_ERROR, E::AUTH_LINE_TOO_LONG),
            SessionError::InvalidAuthResponse => (C::PARAMETER_SYNTAX_ERROR, E::SYNTAX_ERROR),
            SessionError::AuthCancelled => (C::PARAMETER_SYNTAX_ERROR, E::SECURITY_OTHER),
            SessionError::OutOfSequence(_) => (C::BAD_SEQUENCE, E::INVALID_COMMAND),
            SessionError::NoValidRecipients => (C::TRANSACTION_FAILED, E::INVALID_COMMAND),
            SessionError::Unsupported(unsupported) => match unsupported {
                Unsupported::Command(_) => (C::NOT_IMPLEMENTED, E::INVALID_COMMAND),
                Unsupported::Mechanism => (C::PARAMETER_NOT_IMPLEMENTED, E::INVALID_ARGUMENTS),
                Unsupported::Parameter(_)
                | Unsupported::UnknownParameter
                | Unsupported::ParametersAfterHelo => {
                    (C::PARAMETERS_NOT_RECOGNIZED, E::INVALID_ARGUMENTS)
                }
                Unsupported::NonAsciiAddress => (C::MAILBOX_NAME_NOT_ALLOWED, E::NON_ASCII_ADDRESS),
                Unsupported::BinaryBodyWithData => (C::BAD_SEQUENCE, E::INVALID_COMMAND),
            },
            SessionError::Policy(policy) => match policy {
                Policy::TlsRequired | Policy::AuthRequired => (C::AUTH_REQUIRED, E::SECURITY_OTHER),
                Policy::AuthNeedsTls => (C::ENCRYPTION_REQUIRED, E::ENCRYPTION_NEEDED),
            },
            SessionError::Limit(limit) => match limit {
                LimitExceeded::MessageSize => (C::EXCEEDED_STORAGE, E::MESSAGE_TOO_BIG),
                LimitExceeded::Recipients => (C::INSUFFICIENT_STORAGE, E::TOO_MANY_RECIPIENTS),
                LimitExceeded::Errors | LimitExceeded::Input => {
                    (C::SERVICE_NOT_AVAILABLE, E::SECURITY_OTHER)
                }
                LimitExceeded::AuthFailures => (C::SERVICE_NOT_AVAILABLE, E::SECURITY_OTHER),
            },
            SessionError::Timeout => (C::SERVICE_NOT_AVAILABLE, E::BAD_CONNECTION),
        };
        Self::new(code, error.to_string()).with_enhanced(enhanced)
    }
}

/// What the client must do before the command it sent (the text of a `503`).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Sequence {
    /// `MAIL`, `AUTH` or `STARTTLS`... before `EHLO`/`HELO`.
    #[error("send EHLO or HELO first")]
    HelloFirst,
    /// `RCPT`, `DATA` or `BDAT` without a `MAIL` transaction.
    #[error("send MAIL first")]
    MailFirst,
    /// `DATA` or `BDAT` before any `RCPT`.
    #[error("send RCPT first")]
    RcptFirst,
    /// `MAIL` inside a transaction (RFC 5321 section 4.1.1.2).
    #[error("nested MAIL command")]
    NestedMail,
    /// `AUTH` or `STARTTLS` inside a mail transaction.
    #[error("mail transaction in progress")]
    TransactionInProgress,
    /// A second successful `AUTH` (RFC 4954 section 4).
    #[error("already authenticated")]
    AlreadyAuthenticated,
    /// `STARTTLS` on a connection that already runs TLS (RFC 3207 section 4.2).
    #[error("TLS already active")]
    TlsActive,
    /// `DATA` after `BDAT` chunks in the same transaction (RFC 3030 section 3).
    #[error("BDAT in progress, DATA not allowed")]
    DataAfterBdat,
}

/// What the client asked for that the server does not offer.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Unsupported {
    /// A known command whose extension is not offered here (`502 5.5.1`), named.
    #[error("{0} not available")]
    Command(&'static str),
    /// An `AUTH` mechanism that is not offered (`504 5.5.4`).
    #[error("unrecognized authentication type")]
    Mechanism,
    /// A `MAIL`/`RCPT` parameter of an extension not offered (`555 5.5.4`), named.
    #[error("{0} parameter not supported")]
    Parameter(&'static str),
    /// A `MAIL`/`RCPT` parameter of no extension this server knows (`555 5.5.4`).
    #[error("unrecognized parameter")]
    UnknownParameter,
    /// `MAIL`/`RCPT` parameters after `HELO`: they need `EHLO` (`555 5.5.4`).
    #[error("parameters need EHLO")]
    ParametersAfterHelo,
    /// A non-ASCII address without `SMTPUTF8` (RFC 6531 section 3.4): `553 5.6.7`.
    #[error("non-ASCII address needs SMTPUTF8")]
    NonAsciiAddress,
    /// `DATA` in a `BODY=BINARYMIME` transaction (RFC 3030 section 3): `503 5.5.1`.
    #[error("BINARYMIME needs BDAT")]
    BinaryBodyWithData,
}

/// A requirement of the server's configuration that the client has not met.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Policy {
    /// The listener requires STARTTLS before mail: `530 5.7.0` (RFC 3207 section 4).
    #[error("must issue a STARTTLS command first")]
    TlsRequired,
    /// The listener requires authentication before mail: `530 5.7.0` (RFC 4954
    /// section 6).
    #[error("authentication required")]
    AuthRequired,
    /// `AUTH` is offered only over TLS: `538 5.7.11` (RFC 4954 section 6).
    #[error("encryption required for requested authentication mechanism")]
    AuthNeedsTls,
}

/// Which limit was reached.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitExceeded {
    /// The message (declared `SIZE`, DATA or BDAT octets) is larger than
    /// [`Limits::max_message_size`](crate::server::Limits::max_message_size):
    /// `552 5.3.4`.
    #[error("message size exceeds fixed maximum message size")]
    MessageSize,
    /// More recipients than [`Limits::max_recipients`](crate::server::Limits::max_recipients):
    /// `452 4.5.3` (RFC 5321 section 4.5.3.1.10).
    #[error("too many recipients")]
    Recipients,
    /// More protocol errors than [`Limits::max_errors`](crate::server::Limits::max_errors):
    /// `421 4.7.0`, fatal.
    #[error("too many errors")]
    Errors,
    /// More failed `AUTH` attempts than
    /// [`Limits::max_auth_failures`](crate::server::Limits::max_auth_failures):
    /// `421 4.7.0`, fatal.
    #[error("too many authentication failures")]
    AuthFailures,
    /// More unprocessed input than
    /// [`Limits::max_pending_input`](crate::server::Limits::max_pending_input):
    /// `421 4.7.0`, fatal.
    #[error("too much pipelined input")]
    Input,
}

/// The application asked the client session for something it cannot do now.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The session is busy with another command, or not greeted yet: wait for the
    /// event that makes [`ClientSession::is_ready`](crate::client::ClientSession::is_ready)
    /// true.
    #[error("client session is not ready for a new command")]
    NotReady,
    /// The body was offered while no body is expected (before an
    /// [`EnvelopeResult`](crate::client::EnvelopeResult) that
    /// [expects one](crate::client::EnvelopeResult::body_expected), or after the end).
    #[error("no message body is expected now")]
    NoBodyExpected,
    /// The server did not offer the extension the command needs, named.
    #[error("server does not offer {0}")]
    NotOffered(&'static str),
    /// An envelope without recipients.
    #[error("envelope has no recipients")]
    NoRecipients,
    /// The session is closed.
    #[error("session closed")]
    Closed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::encode;

    fn wire(reply: &Reply<'_>) -> String {
        let mut out = Vec::new();
        encode::reply(reply, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn errors_map_to_their_replies() {
        let cases: &[(SessionError, &str)] = &[
            (
                SessionError::Malformed(ParseError::UnknownCommand),
                "500 5.5.2 command not recognized\r\n",
            ),
            (
                SessionError::Malformed(ParseError::Syntax("MAIL FROM:<reverse-path>")),
                "501 5.5.4 syntax: MAIL FROM:<reverse-path>\r\n",
            ),
            (
                SessionError::Malformed(ParseError::InvalidSender),
                "501 5.1.7 bad sender address syntax\r\n",
            ),
            (SessionError::LineTooLong, "500 5.5.2 line too long\r\n"),
            (
                SessionError::AuthLineTooLong,
                "500 5.5.6 authentication exchange line too long\r\n",
            ),
            (
                SessionError::OutOfSequence(Sequence::MailFirst),
                "503 5.5.1 bad sequence of commands: send MAIL first\r\n",
            ),
            (
                SessionError::NoValidRecipients,
                "554 5.5.1 no valid recipients\r\n",
            ),
            (
                SessionError::Unsupported(Unsupported::Parameter("DSN")),
                "555 5.5.4 DSN parameter not supported\r\n",
            ),
            (
                SessionError::Unsupported(Unsupported::NonAsciiAddress),
                "553 5.6.7 non-ASCII address needs SMTPUTF8\r\n",
            ),
            (
                SessionError::Policy(Policy::TlsRequired),
                "530 5.7.0 must issue a STARTTLS command first\r\n",
            ),
            (
                SessionError::Policy(Policy::AuthNeedsTls),
                "538 5.7.11 encryption required for requested authentication mechanism\r\n",
            ),
            (
                SessionError::Limit(LimitExceeded::MessageSize),
                "552 5.3.4 message size exceeds fixed maximum message size\r\n",
            ),
            (
                SessionError::Limit(LimitExceeded::Recipients),
                "452 4.5.3 too many recipients\r\n",
            ),
            (
                SessionError::Timeout,
                "421 4.4.2 timeout waiting for the client\r\n",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(wire(&Reply::from(error)), *expected, "{error:?}");
        }
    }

    #[test]
    fn fatal_errors_are_the_ones_that_close() {
        assert!(SessionError::Timeout.is_fatal());
        assert!(SessionError::Limit(LimitExceeded::Errors).is_fatal());
        assert!(SessionError::Limit(LimitExceeded::AuthFailures).is_fatal());
        assert!(!SessionError::Limit(LimitExceeded::Recipients).is_fatal());
        assert!(!SessionError::LineTooLong.is_fatal());
    }

    #[test]
    fn validation_error_says_what_and_where() {
        let error = ValidationError::byte("domain", b' ', 3);
        assert_eq!(error.to_string(), "invalid domain: byte 0x20 at index 3");
        assert_eq!(error.what(), "domain");
    }
}
