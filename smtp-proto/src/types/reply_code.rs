//! Three-digit reply codes.

use std::fmt;

use crate::error::ValidationError;

/// A reply code, [RFC 5321 section 4.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.2):
/// an open registry with the codes of section 4.2.3 (and of RFC 4954, RFC 3207) as
/// consts. Unknown codes in the valid range are kept as they are.
///
/// ```text
/// Reply-code     = %x32-35 %x30-35 %x30-39
/// ```
///
/// ```
/// use mailwright_smtp::{ReplyClass, ReplyCode};
///
/// let code = ReplyCode::try_from(451)?;
/// assert_eq!(code, ReplyCode::LOCAL_ERROR);
/// assert_eq!(code.class(), ReplyClass::TransientNegative);
/// assert!(ReplyCode::try_from(199).is_err());
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Copy, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// 211 System status, or system help reply.
    pub const SYSTEM_STATUS: Self = Self(211);
    /// 214 Help message.
    pub const HELP: Self = Self(214);
    /// 220 `<domain>` Service ready.
    pub const SERVICE_READY: Self = Self(220);
    /// 221 `<domain>` Service closing transmission channel.
    pub const CLOSING: Self = Self(221);
    /// 235 Authentication successful (RFC 4954).
    pub const AUTH_SUCCEEDED: Self = Self(235);
    /// 250 Requested mail action okay, completed.
    pub const OK: Self = Self(250);
    /// 251 User not local; will forward.
    pub const USER_NOT_LOCAL_WILL_FORWARD: Self = Self(251);
    /// 252 Cannot VRFY user, but will accept message and attempt delivery.
    pub const CANNOT_VERIFY: Self = Self(252);
    /// 334 Server challenge (RFC 4954).
    pub const AUTH_CHALLENGE: Self = Self(334);
    /// 354 Start mail input; end with `<CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: Self = Self(354);
    /// 421 `<domain>` Service not available, closing transmission channel.
    pub const SERVICE_NOT_AVAILABLE: Self = Self(421);
    /// 432 A password transition is needed (RFC 4954).
    pub const PASSWORD_TRANSITION: Self = Self(432);
    /// 450 Requested mail action not taken: mailbox unavailable.
    pub const MAILBOX_BUSY: Self = Self(450);
    /// 451 Requested action aborted: local error in processing.
    pub const LOCAL_ERROR: Self = Self(451);
    /// 452 Requested action not taken: insufficient system storage.
    pub const INSUFFICIENT_STORAGE: Self = Self(452);
    /// 454 Temporary authentication failure (RFC 4954); TLS not available (RFC 3207).
    pub const TEMPORARY_FAILURE: Self = Self(454);
    /// 455 Server unable to accommodate parameters.
    pub const PARAMETERS_NOT_ACCOMMODATED: Self = Self(455);
    /// 500 Syntax error, command unrecognized.
    pub const SYNTAX_ERROR: Self = Self(500);
    /// 501 Syntax error in parameters or arguments.
    pub const PARAMETER_SYNTAX_ERROR: Self = Self(501);
    /// 502 Command not implemented.
    pub const NOT_IMPLEMENTED: Self = Self(502);
    /// 503 Bad sequence of commands.
    pub const BAD_SEQUENCE: Self = Self(503);
    /// 504 Command parameter not implemented.
    pub const PARAMETER_NOT_IMPLEMENTED: Self = Self(504);
    /// 521 Server does not accept mail (RFC 7504).
    pub const DOES_NOT_ACCEPT_MAIL: Self = Self(521);
    /// 530 Authentication required (RFC 4954); must issue STARTTLS first (RFC 3207).
    pub const AUTH_REQUIRED: Self = Self(530);
    /// 534 Authentication mechanism is too weak (RFC 4954).
    pub const MECHANISM_TOO_WEAK: Self = Self(534);
    /// 535 Authentication credentials invalid (RFC 4954).
    pub const AUTH_FAILED: Self = Self(535);
    /// 538 Encryption required for requested authentication mechanism (RFC 4954).
    pub const ENCRYPTION_REQUIRED: Self = Self(538);
    /// 550 Requested action not taken: mailbox unavailable.
    pub const MAILBOX_UNAVAILABLE: Self = Self(550);
    /// 551 User not local; please try `<forward-path>`.
    pub const USER_NOT_LOCAL: Self = Self(551);
    /// 552 Requested mail action aborted: exceeded storage allocation.
    pub const EXCEEDED_STORAGE: Self = Self(552);
    /// 553 Requested action not taken: mailbox name not allowed.
    pub const MAILBOX_NAME_NOT_ALLOWED: Self = Self(553);
    /// 554 Transaction failed (or, as a greeting, no SMTP service here).
    pub const TRANSACTION_FAILED: Self = Self(554);
    /// 555 MAIL FROM/RCPT TO parameters not recognized or not implemented.
    pub const PARAMETERS_NOT_RECOGNIZED: Self = Self(555);

    /// Checks that `code` is a valid reply code (first digit 2-5, second 0-5).
    ///
    /// # Errors
    ///
    /// When `code` is outside the grammar.
    pub const fn validate(code: u16) -> Result<(), ValidationError> {
        let (first, second) = (code / 100, code / 10 % 10);
        if first >= 2 && first <= 5 && second <= 5 {
            Ok(())
        } else {
            Err(ValidationError::malformed("reply code", "Reply-code"))
        }
    }

    /// The numeric value.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// What kind of answer this is (the first digit).
    pub const fn class(self) -> ReplyClass {
        match self.0 / 100 {
            2 => ReplyClass::PositiveCompletion,
            3 => ReplyClass::PositiveIntermediate,
            4 => ReplyClass::TransientNegative,
            _ => ReplyClass::PermanentNegative,
        }
    }

    /// 2xx or 3xx.
    pub const fn is_positive(self) -> bool {
        self.0 < 400
    }

    /// 4xx or 5xx.
    pub const fn is_negative(self) -> bool {
        self.0 >= 400
    }

    /// The three ASCII digits.
    pub(crate) const fn digits(self) -> [u8; 3] {
        [
            b'0' + (self.0 / 100) as u8,
            b'0' + (self.0 / 10 % 10) as u8,
            b'0' + (self.0 % 10) as u8,
        ]
    }
}

impl TryFrom<u16> for ReplyCode {
    type Error = ValidationError;

    fn try_from(code: u16) -> Result<Self, Self::Error> {
        Self::validate(code).map(|()| Self(code))
    }
}

impl From<ReplyCode> for u16 {
    fn from(code: ReplyCode) -> Self {
        code.0
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReplyCode({})", self.0)
    }
}

/// The first digit of a reply code,
/// [RFC 5321 section 4.2.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.2.1).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum ReplyClass {
    /// 2yz: the action is done.
    PositiveCompletion,
    /// 3yz: send more (the body after 354, a SASL response after 334).
    PositiveIntermediate,
    /// 4yz: not done, try again later.
    TransientNegative,
    /// 5yz: not done, do not repeat as is.
    PermanentNegative,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_follows_the_abnf() {
        for ok in [200, 211, 250, 354, 421, 559, 599 - 40] {
            assert!(ReplyCode::try_from(ok).is_ok(), "{ok}");
        }
        for bad in [0, 199, 260, 600, 999, 1250] {
            assert!(ReplyCode::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn classes_and_digits() {
        assert_eq!(ReplyCode::OK.digits(), *b"250");
        assert_eq!(
            ReplyCode::START_MAIL_INPUT.class(),
            ReplyClass::PositiveIntermediate
        );
        assert!(ReplyCode::START_MAIL_INPUT.is_positive());
        assert!(ReplyCode::MAILBOX_UNAVAILABLE.is_negative());
        assert_eq!(
            ReplyCode::MAILBOX_UNAVAILABLE.class(),
            ReplyClass::PermanentNegative
        );
    }
}
