//! Enhanced mail system status codes: `class.subject.detail`.

use std::fmt;

use crate::error::ValidationError;
use crate::types::ReplyClass;

/// An enhanced status code, [RFC 3463](https://www.rfc-editor.org/rfc/rfc3463) as
/// carried in replies by [RFC 2034](https://www.rfc-editor.org/rfc/rfc2034): an open
/// registry with the codes this crate and its users need as consts.
///
/// ```text
/// status-code  = class "." subject "." detail
/// class        = "2" / "4" / "5"
/// subject      = 1*3digit
/// detail       = 1*3digit
/// ```
///
/// The consts carry the class they are usually sent with; [`with_class`] moves one to
/// another class (`5.7.0` and `4.7.0` are the same condition, permanent or not). A
/// [`Reply`](crate::Reply) always sends the class of its reply code.
///
/// ```
/// use mailwright_smtp::{EnhancedStatusCode, ReplyClass};
///
/// let code = EnhancedStatusCode::try_from("5.1.1")?;
/// assert_eq!(code, EnhancedStatusCode::BAD_DESTINATION_MAILBOX);
/// assert_eq!(code.with_class(ReplyClass::TransientNegative).to_string(), "4.1.1");
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
///
/// [`with_class`]: Self::with_class
#[derive(Clone, Copy, Eq, Hash, PartialEq)]
pub struct EnhancedStatusCode {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedStatusCode {
    /// 2.0.0 Other undefined status (success).
    pub const OK: Self = Self::known(2, 0, 0);
    /// 2.1.0 Other address status (a sender accepted).
    pub const ADDRESS_OK: Self = Self::known(2, 1, 0);
    /// 2.1.5 Destination address valid.
    pub const DESTINATION_VALID: Self = Self::known(2, 1, 5);
    /// 5.1.1 Bad destination mailbox address.
    pub const BAD_DESTINATION_MAILBOX: Self = Self::known(5, 1, 1);
    /// 5.1.2 Bad destination system address.
    pub const BAD_DESTINATION_SYSTEM: Self = Self::known(5, 1, 2);
    /// 5.1.3 Bad destination mailbox address syntax.
    pub const BAD_RECIPIENT_SYNTAX: Self = Self::known(5, 1, 3);
    /// 5.1.6 Destination mailbox has moved, no forwarding address.
    pub const MAILBOX_MOVED: Self = Self::known(5, 1, 6);
    /// 5.1.7 Bad sender's mailbox address syntax.
    pub const BAD_SENDER_SYNTAX: Self = Self::known(5, 1, 7);
    /// 5.1.8 Bad sender's system address.
    pub const BAD_SENDER_SYSTEM: Self = Self::known(5, 1, 8);
    /// 5.1.10 Recipient address has null MX (RFC 7505).
    pub const NULL_MX: Self = Self::known(5, 1, 10);
    /// 5.2.0 Other or undefined mailbox status.
    pub const MAILBOX_OTHER: Self = Self::known(5, 2, 0);
    /// 5.2.1 Mailbox disabled, not accepting messages.
    pub const MAILBOX_DISABLED: Self = Self::known(5, 2, 1);
    /// 4.2.2 Mailbox full.
    pub const MAILBOX_FULL: Self = Self::known(4, 2, 2);
    /// 5.2.3 Message length exceeds administrative limit.
    pub const MESSAGE_LENGTH_EXCEEDS_LIMIT: Self = Self::known(5, 2, 3);
    /// 4.3.0 Other or undefined mail system status.
    pub const MAIL_SYSTEM_OTHER: Self = Self::known(4, 3, 0);
    /// 4.3.1 Mail system full.
    pub const MAIL_SYSTEM_FULL: Self = Self::known(4, 3, 1);
    /// 4.3.2 System not accepting network messages (shutting down, overloaded).
    pub const SYSTEM_NOT_ACCEPTING: Self = Self::known(4, 3, 2);
    /// 5.3.4 Message too big for system.
    pub const MESSAGE_TOO_BIG: Self = Self::known(5, 3, 4);
    /// 4.4.1 No answer from host.
    pub const NO_ANSWER_FROM_HOST: Self = Self::known(4, 4, 1);
    /// 4.4.2 Bad connection (used for timeouts).
    pub const BAD_CONNECTION: Self = Self::known(4, 4, 2);
    /// 4.4.3 Directory server failure (a DNS lookup failed).
    pub const DIRECTORY_FAILURE: Self = Self::known(4, 4, 3);
    /// 4.4.4 Unable to route.
    pub const UNABLE_TO_ROUTE: Self = Self::known(4, 4, 4);
    /// 4.4.5 System congestion.
    pub const CONGESTION: Self = Self::known(4, 4, 5);
    /// 4.4.7 Delivery time expired (5.4.7 with [`Self::with_class`] when given up).
    pub const DELIVERY_TIME_EXPIRED: Self = Self::known(4, 4, 7);
    /// 5.5.0 Other or undefined protocol status.
    pub const PROTOCOL_OTHER: Self = Self::known(5, 5, 0);
    /// 5.5.1 Invalid command (also: bad sequence).
    pub const INVALID_COMMAND: Self = Self::known(5, 5, 1);
    /// 5.5.2 Syntax error.
    pub const SYNTAX_ERROR: Self = Self::known(5, 5, 2);
    /// 4.5.3 Too many recipients.
    pub const TOO_MANY_RECIPIENTS: Self = Self::known(4, 5, 3);
    /// 5.5.4 Invalid command arguments.
    pub const INVALID_ARGUMENTS: Self = Self::known(5, 5, 4);
    /// 5.5.6 Authentication exchange line is too long (RFC 4954).
    pub const AUTH_LINE_TOO_LONG: Self = Self::known(5, 5, 6);
    /// 5.6.0 Other or undefined media error.
    pub const MEDIA_OTHER: Self = Self::known(5, 6, 0);
    /// 5.6.7 Non-ASCII addresses not permitted for that sender/recipient (RFC 6531).
    pub const NON_ASCII_ADDRESS: Self = Self::known(5, 6, 7);
    /// 5.7.0 Other or undefined security status.
    pub const SECURITY_OTHER: Self = Self::known(5, 7, 0);
    /// 2.7.0 Authentication succeeded (RFC 4954).
    pub const AUTH_SUCCEEDED: Self = Self::known(2, 7, 0);
    /// 5.7.1 Delivery not authorized, message refused.
    pub const DELIVERY_NOT_AUTHORIZED: Self = Self::known(5, 7, 1);
    /// 5.7.8 Authentication credentials invalid (RFC 4954).
    pub const INVALID_CREDENTIALS: Self = Self::known(5, 7, 8);
    /// 5.7.9 Authentication mechanism is too weak (RFC 4954).
    pub const MECHANISM_TOO_WEAK: Self = Self::known(5, 7, 9);
    /// 5.7.11 Encryption required for requested authentication mechanism (RFC 4954).
    pub const ENCRYPTION_NEEDED: Self = Self::known(5, 7, 11);
    /// 4.7.5 Cryptographic failure (required TLS not available).
    pub const CRYPTOGRAPHIC_FAILURE: Self = Self::known(4, 7, 5);

    const fn known(class: u8, subject: u16, detail: u16) -> Self {
        Self {
            class,
            subject,
            detail,
        }
    }

    /// A code from its three parts.
    ///
    /// # Errors
    ///
    /// When `class` is not 2, 4 or 5, or `subject` or `detail` exceed 999.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Result<Self, ValidationError> {
        if matches!(class, 2 | 4 | 5) && subject <= 999 && detail <= 999 {
            Ok(Self::known(class, subject, detail))
        } else {
            Err(ValidationError::malformed(
                "enhanced status code",
                "status-code",
            ))
        }
    }

    /// The class digit: 2 (success), 4 (persistent transient failure) or 5
    /// (permanent failure).
    pub const fn class(self) -> u8 {
        self.class
    }

    /// The subject (1 addressing, 2 mailbox, 3 mail system, 4 network, 5 protocol,
    /// 6 content, 7 security).
    pub const fn subject(self) -> u16 {
        self.subject
    }

    /// The detail within the subject.
    pub const fn detail(self) -> u16 {
        self.detail
    }

    /// The same condition in another class; a 3yz class has no enhanced code and
    /// leaves the code unchanged.
    #[must_use]
    pub const fn with_class(self, class: ReplyClass) -> Self {
        let class = match class {
            ReplyClass::PositiveCompletion => 2,
            ReplyClass::TransientNegative => 4,
            ReplyClass::PermanentNegative => 5,
            ReplyClass::PositiveIntermediate => self.class,
        };
        Self { class, ..self }
    }

    /// Parses the code at the start of `text`, returning it and its length. Used by
    /// the reply parser, where a code is followed by SP or the end of the line.
    pub(crate) fn parse_prefix(text: &[u8]) -> Option<(Self, usize)> {
        let class = match text.first()? {
            b'2' => 2,
            b'4' => 4,
            b'5' => 5,
            _ => return None,
        };
        if text.get(1) != Some(&b'.') {
            return None;
        }
        let (subject, after_subject) = number(&text[2..])?;
        let rest = &text[2 + after_subject..];
        if rest.first() != Some(&b'.') {
            return None;
        }
        let (detail, after_detail) = number(&rest[1..])?;
        let len = 2 + after_subject + 1 + after_detail;
        Some((Self::known(class, subject, detail), len))
    }
}

/// 1*3digit at the start of `text`, with its length; refuses a fourth digit.
fn number(text: &[u8]) -> Option<(u16, usize)> {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let value = text[..digits]
        .iter()
        .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    Some((value, digits))
}

impl TryFrom<&str> for EnhancedStatusCode {
    type Error = ValidationError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        match Self::parse_prefix(text.as_bytes()) {
            Some((code, len)) if len == text.len() => Ok(code),
            _ => Err(ValidationError::malformed(
                "enhanced status code",
                "status-code",
            )),
        }
    }
}

impl fmt::Display for EnhancedStatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl fmt::Debug for EnhancedStatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnhancedStatusCode({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints() {
        for text in ["2.0.0", "5.1.10", "4.7.999", "5.999.1"] {
            let code = EnhancedStatusCode::try_from(text).unwrap();
            assert_eq!(code.to_string(), text);
        }
        for bad in [
            "3.0.0", "2.0", "2..0", "2.0.0.", "2.1000.0", "25.0.0", "x.0.0", "",
        ] {
            assert!(EnhancedStatusCode::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefix_is_found_in_reply_text() {
        assert_eq!(
            EnhancedStatusCode::parse_prefix(b"2.1.5 recipient ok"),
            Some((EnhancedStatusCode::DESTINATION_VALID, 5))
        );
        assert_eq!(EnhancedStatusCode::parse_prefix(b"2.1 ok"), None);
    }

    #[test]
    fn classes_move() {
        let code = EnhancedStatusCode::SECURITY_OTHER;
        assert_eq!(code.with_class(ReplyClass::TransientNegative).class(), 4);
        assert_eq!(code.with_class(ReplyClass::PositiveIntermediate), code);
        assert!(EnhancedStatusCode::new(3, 0, 0).is_err());
        assert!(EnhancedStatusCode::new(4, 1000, 0).is_err());
    }

    proptest! {
        /// Any Unicode, as a whole code or as reply text: no panic; a code found is
        /// ASCII, within the text, and prints to text that parses back to it.
        #[test]
        fn unicode_codes(text in prop_oneof![
            any::<String>(),
            "[245]\\.([0-9]|\\PC){0,4}\\.([0-9]|\\PC){0,4}( \\PC{0,8})?",
        ]) {
            if let Some((code, len)) = EnhancedStatusCode::parse_prefix(text.as_bytes()) {
                prop_assert!(len <= text.len() && text.is_char_boundary(len));
                prop_assert!(text[..len].is_ascii());
                prop_assert_eq!(EnhancedStatusCode::try_from(code.to_string().as_str()), Ok(code));
            }
            if let Ok(code) = EnhancedStatusCode::try_from(text.as_str()) {
                prop_assert!(text.is_ascii());
                prop_assert_eq!(EnhancedStatusCode::try_from(code.to_string().as_str()), Ok(code));
            }
        }
    }
}
