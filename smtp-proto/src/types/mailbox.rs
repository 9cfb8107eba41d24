//! Mailbox addresses: `local-part@domain`.

use std::fmt;

use crate::codec::parse;
use crate::error::ValidationError;
use crate::types::{Host, LocalPart, utf8};

/// A mailbox, [RFC 5321 section 4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2):
/// a local part and the host it lives at.
///
/// ```text
/// Mailbox = Local-part "@" ( Domain / address-literal )
/// ```
///
/// ```
/// use mailwright_smtp::Mailbox;
///
/// let mailbox = Mailbox::try_from("\"john smith\"@example.org")?;
/// assert_eq!(mailbox.local_part().content(), "john smith");
/// assert_eq!(mailbox.host().as_str(), "example.org");
/// assert_eq!(mailbox.to_string(), "\"john smith\"@example.org");
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct Mailbox<'a> {
    local_part: LocalPart<'a>,
    host: Host<'a>,
}

impl<'a> Mailbox<'a> {
    /// A mailbox from its two validated halves.
    pub fn new(local_part: LocalPart<'a>, host: impl Into<Host<'a>>) -> Self {
        Self {
            local_part,
            host: host.into(),
        }
    }

    /// Checks `value` against the `Mailbox` grammar.
    ///
    /// # Errors
    ///
    /// When `value` is not UTF-8 or not a mailbox.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let text = utf8("mailbox", value.as_ref())?;
        match parse::path::mailbox(text) {
            Some((_, "")) => Ok(()),
            _ => Err(ValidationError::malformed("mailbox", "Mailbox")),
        }
    }

    /// The local part.
    pub fn local_part(&self) -> &LocalPart<'a> {
        &self.local_part
    }

    /// The domain or address literal.
    pub fn host(&self) -> &Host<'a> {
        &self.host
    }

    /// Whether the address is all ASCII (no `SMTPUTF8` needed).
    pub fn is_ascii(&self) -> bool {
        self.local_part.is_ascii() && self.host.is_ascii()
    }

    /// An owned copy.
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            local_part: self.local_part.into_owned(),
            host: self.host.into_owned(),
        }
    }

    fn parse_whole(text: &'a str) -> Result<Self, ValidationError> {
        match parse::path::mailbox(text) {
            Some((mailbox, "")) => Ok(mailbox),
            _ => Err(ValidationError::malformed("mailbox", "Mailbox")),
        }
    }
}

impl<'a> TryFrom<&'a str> for Mailbox<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::parse_whole(value)
    }
}

impl TryFrom<String> for Mailbox<'static> {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Mailbox::parse_whole(&value).map(Mailbox::into_owned)
    }
}

impl<'a> TryFrom<&'a [u8]> for Mailbox<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a [u8]) -> Result<Self, Self::Error> {
        Self::parse_whole(utf8("mailbox", value)?)
    }
}

impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.host)
    }
}

impl fmt::Debug for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mailbox(\"{self}\")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_at_the_right_at_sign() {
        let mailbox = Mailbox::try_from("\"a@b\"@[192.0.2.1]").unwrap();
        assert_eq!(mailbox.local_part().as_str(), "\"a@b\"");
        assert!(matches!(mailbox.host(), Host::Literal(_)));
    }

    #[test]
    fn rejects_incomplete_or_trailing_input() {
        for bad in [
            "",
            "user",
            "user@",
            "@example.org",
            "user@example.org>",
            "a@b@c",
        ] {
            assert!(Mailbox::validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn knows_when_smtputf8_is_needed() {
        assert!(Mailbox::try_from("user@example.org").unwrap().is_ascii());
        assert!(!Mailbox::try_from("jörg@example.org").unwrap().is_ascii());
        assert!(!Mailbox::try_from("user@bücher.example").unwrap().is_ascii());
    }

    proptest! {
        /// `local@host` of any Unicode: an accepted mailbox prints as it was written,
        /// and its halves are valid on their own.
        #[test]
        fn unicode_mailboxes(
            text in prop_oneof![
                any::<String>(),
                "([a-z.\"]|\\PC){1,12}@([a-z.\\[\\]:-]|\\PC){1,16}",
                "[a-z]{1,8}@\\[(IPv6:)?([0-9a-f:.]|\\PC){1,12}\\]",
            ],
        ) {
            if let Ok(mailbox) = Mailbox::try_from(text.as_str()) {
                prop_assert_eq!(mailbox.to_string(), text.clone());
                prop_assert!(LocalPart::validate(mailbox.local_part().as_str()).is_ok());
                prop_assert_eq!(mailbox.is_ascii(), text.is_ascii());
                prop_assert!(Mailbox::validate(&text).is_ok());
            } else {
                prop_assert!(Mailbox::validate(&text).is_err());
            }
        }
    }
}
