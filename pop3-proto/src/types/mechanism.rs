//! SASL mechanism names (RFC 4422 section 3.1).

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use crate::error::ValidationError;
use crate::types::{str_newtype, validate_bytes};

/// A SASL mechanism name, the first argument of `AUTH`.
///
/// [RFC 4422 section 3.1](https://www.rfc-editor.org/rfc/rfc4422#section-3.1):
///
/// ```text
/// sasl-mech = 1*20mech-char
/// mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
/// ```
///
/// Clients write names in any case (`auth plain`), so lower-case letters are accepted
/// and kept as sent; equality and hashing ignore ASCII case.
#[derive(Clone)]
pub struct Mechanism<'a>(Cow<'a, str>);

impl Mechanism<'static> {
    /// `PLAIN` ([RFC 4616](https://www.rfc-editor.org/rfc/rfc4616)).
    pub const PLAIN: Self = Self(Cow::Borrowed("PLAIN"));
    /// `LOGIN` (draft-murchison-sasl-login), as sent by Outlook and most clients.
    pub const LOGIN: Self = Self(Cow::Borrowed("LOGIN"));
}

impl Mechanism<'_> {
    /// The longest mechanism name, in octets.
    pub const MAX_LEN: usize = 20;

    /// Checks that `value` is a valid mechanism name.
    ///
    /// # Errors
    ///
    /// Empty, longer than 20 octets, or a byte other than a letter, digit, `-` or `_`.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        validate_bytes(value.as_ref(), Self::MAX_LEN, |byte| {
            byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
        })
    }
}

str_newtype!(
    Mechanism,
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
    fallback = "PLAIN"
);

impl PartialEq for Mechanism<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Mechanism<'_> {}

impl Hash for Mechanism<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for byte in self.0.bytes() {
            state.write_u8(byte.to_ascii_uppercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive() {
        let lower = Mechanism::try_from("plain").unwrap();
        assert_eq!(lower, Mechanism::PLAIN);
        assert_eq!(lower.as_str(), "plain", "kept as sent");
        assert!(Mechanism::try_from("SCRAM-SHA-256").is_ok());
        assert!(Mechanism::try_from("X".repeat(21)).is_err());
        assert!(Mechanism::try_from("A B").is_err());
        assert!(Mechanism::try_from("").is_err());
    }
}
