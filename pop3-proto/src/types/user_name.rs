//! The maildrop name of `USER` and `APOP`.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{str_newtype, validate_bytes};

/// The name of a maildrop: the argument of `USER` and the first argument of `APOP`.
///
/// [RFC 1939 section 3](https://www.rfc-editor.org/rfc/rfc1939#section-3) makes
/// arguments printable ASCII separated by single spaces; [RFC 6856 section
/// 3](https://www.rfc-editor.org/rfc/rfc6856#section-3) adds UTF-8 names. This crate
/// allows up to 255 octets (the RFC 1939 40-character suggestion is too short for the
/// e-mail addresses used as names today):
///
/// ```text
/// name = 1*255(%x21-7E / UTF8-non-ascii)
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct UserName<'a>(Cow<'a, str>);

impl UserName<'_> {
    /// The longest name accepted, in octets.
    pub const MAX_LEN: usize = 255;

    /// Checks that `value` is a valid name.
    ///
    /// # Errors
    ///
    /// Empty, longer than [`Self::MAX_LEN`], a space or control character, or not UTF-8.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        validate_bytes(value.as_ref(), Self::MAX_LEN, |byte| {
            byte > 0x20 && byte != 0x7f
        })
    }
}

str_newtype!(
    UserName,
    alphabet = crate::types::PRINTABLE,
    fallback = "user"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        assert!(UserName::try_from("mrose").is_ok());
        assert!(UserName::try_from("jürgen@example.org").is_ok());
        assert!(UserName::try_from("").is_err());
        assert!(UserName::try_from("a b").is_err());
        assert!(UserName::try_from("a\r").is_err());
        assert!(UserName::try_from(&b"\xff"[..]).is_err());
        assert!(UserName::try_from("x".repeat(256)).is_err());
        assert_eq!(
            UserName::try_from("ab c").unwrap_err().index(),
            Some(2),
            "the error says where"
        );
    }
}
