//! What the server session answers with `-ERR`, grouped by who is at fault.

use crate::error::ParseError;
use crate::response::StatusLine;
use crate::types::{MessageNumber, ResponseCode, Text};

/// An error of the server session. Each converts to the status line the client gets
/// (`StatusLine::from(&error)`); [`is_fatal`](Self::is_fatal) says whether the session
/// closes after sending it.
#[derive(Clone, Copy, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    // -- the client sent malformed input --
    /// A line longer than [`Limits::max_command_line`](crate::server::Limits::max_command_line).
    #[error("line too long")]
    LineTooLong,
    /// A line that does not parse.
    #[error(transparent)]
    Syntax(#[from] ParseError),
    /// A `PLAIN`/`LOGIN` exchange with malformed data.
    #[error("malformed SASL data")]
    BadSaslData,

    // -- the client broke the protocol order --
    /// A command the current state does not allow.
    #[error("{command} is not valid in this state")]
    WrongState {
        /// The command's keyword.
        command: &'static str,
    },
    /// `PASS` without a `USER` before it.
    #[error("PASS without USER")]
    PassWithoutUser,
    /// A message-number past the end of the maildrop.
    #[error("no such message, only {count} messages in maildrop")]
    NoSuchMessage {
        /// How many messages the maildrop has.
        count: usize,
    },
    /// A message that is marked as deleted.
    #[error("message {0} already deleted")]
    MessageDeleted(MessageNumber),
    /// More pipelined input than
    /// [`Limits::max_pending_input`](crate::server::Limits::max_pending_input).
    #[error("too much pipelined input")]
    TooMuchInput,

    // -- the client asked for something refused or unsupported --
    /// `USER`/`PASS` or a plaintext SASL mechanism without TLS, where not allowed.
    #[error("plaintext authentication disallowed on non-secure connections")]
    PlaintextDisallowed,
    /// `AUTH` with a mechanism the session does not offer.
    #[error("unsupported authentication mechanism")]
    UnsupportedMechanism,
    /// `APOP` when the greeting carried no timestamp.
    #[error("APOP not supported")]
    ApopUnavailable,
    /// `STLS` when no TLS is configured.
    #[error("STLS not available")]
    StlsUnavailable,
    /// `STLS` on a connection that already runs TLS.
    #[error("TLS already active")]
    TlsActive,
    /// The client sent `*` during `AUTH`.
    #[error("authentication cancelled")]
    AuthCancelled,
    /// The login failures reached [`Limits::max_failed_logins`](crate::server::Limits::max_failed_logins).
    #[error("too many failed logins")]
    TooManyFailedLogins,

    // -- the application called the session out of order --
    /// A body method was called when no `RETR`/`TOP` was accepted, or input was
    /// handed in after the session closed.
    #[error("session API misuse: {0}")]
    Misuse(&'static str),
}

impl SessionError {
    /// Whether the session closes after answering this error.
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::TooMuchInput | Self::TooManyFailedLogins)
    }
}

impl From<&SessionError> for StatusLine<'static> {
    fn from(error: &SessionError) -> Self {
        let code = match error {
            SessionError::PlaintextDisallowed | SessionError::TooManyFailedLogins => {
                Some(ResponseCode::AUTH)
            }
            SessionError::Misuse(_) => Some(ResponseCode::SYS_PERM),
            _ => None,
        };
        let text = match error {
            SessionError::Syntax(ParseError::Syntax { syntax }) => format!("syntax: {syntax}"),
            other => other.to_string(),
        };
        Self {
            status: crate::response::Status::Err,
            code,
            text: Some(Text::unvalidated(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::encode;

    #[test]
    fn replies() {
        let rows: &[(SessionError, &[u8])] = &[
            (SessionError::LineTooLong, b"-ERR line too long\r\n"),
            (
                SessionError::Syntax(ParseError::UnknownCommand),
                b"-ERR unknown command\r\n",
            ),
            (
                SessionError::Syntax(ParseError::Syntax {
                    syntax: "TOP msg n",
                }),
                b"-ERR syntax: TOP msg n\r\n",
            ),
            (
                SessionError::NoSuchMessage { count: 2 },
                b"-ERR no such message, only 2 messages in maildrop\r\n",
            ),
            (
                SessionError::MessageDeleted(MessageNumber::new(2).unwrap()),
                b"-ERR message 2 already deleted\r\n",
            ),
            (
                SessionError::PlaintextDisallowed,
                b"-ERR [AUTH] plaintext authentication disallowed on non-secure connections\r\n",
            ),
        ];
        for (error, expected) in rows {
            let mut out = Vec::new();
            encode::status_line(&StatusLine::from(error), &mut out);
            assert_eq!(out, *expected);
        }
        assert!(SessionError::TooManyFailedLogins.is_fatal());
        assert!(!SessionError::LineTooLong.is_fatal());
    }
}
