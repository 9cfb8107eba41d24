//! Extended response codes (RFC 2449 section 8).

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{str_newtype, validate_bytes};

/// An extended response code, the bracketed part of `-ERR [IN-USE] text`.
///
/// [RFC 2449 section 8](https://www.rfc-editor.org/rfc/rfc2449#section-8); the value
/// holds what is between the brackets:
///
/// ```text
/// resp-code  = "[" resp-level *("/" resp-level) "]"
/// resp-level = 1*rchar
/// rchar      = %x21-2E / %x30-5C / %x5E-7F   ; printable ASCII, excluding "/" and "]"
/// ```
///
/// (DEL, `%x7F`, is refused.) An open registry: the codes of RFC 2449 and RFC 3206 are
/// associated constants, unknown codes are kept and printed as they came.
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct ResponseCode<'a>(Cow<'a, str>);

impl ResponseCode<'static> {
    /// `[IN-USE]`: the maildrop is locked by another session (RFC 2449 section 8.1.1).
    pub const IN_USE: Self = Self(Cow::Borrowed("IN-USE"));
    /// `[LOGIN-DELAY]`: logged in too recently (RFC 2449 section 8.1.2).
    pub const LOGIN_DELAY: Self = Self(Cow::Borrowed("LOGIN-DELAY"));
    /// `[SYS/TEMP]`: a temporary system failure (RFC 3206 section 4).
    pub const SYS_TEMP: Self = Self(Cow::Borrowed("SYS/TEMP"));
    /// `[SYS/PERM]`: a permanent system failure (RFC 3206 section 4).
    pub const SYS_PERM: Self = Self(Cow::Borrowed("SYS/PERM"));
    /// `[AUTH]`: the credentials were wrong (RFC 3206 section 5).
    pub const AUTH: Self = Self(Cow::Borrowed("AUTH"));
    /// `[UTF8]`: the maildrop needs UTF-8 mode (RFC 6856 section 3).
    pub const UTF8: Self = Self(Cow::Borrowed("UTF8"));
}

impl ResponseCode<'_> {
    /// The longest code accepted, in octets (without brackets).
    pub const MAX_LEN: usize = 64;

    /// Checks that `value` (without brackets) is a valid response code.
    ///
    /// # Errors
    ///
    /// Empty, too long, an empty level (`A//B`, `/A`), or a byte outside `rchar`.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        validate_bytes(value, Self::MAX_LEN, |byte| {
            (0x21..=0x7e).contains(&byte) && byte != b']'
        })?;
        let mut previous = b'/';
        for (at, &byte) in value.iter().enumerate() {
            if byte == b'/' && previous == b'/' {
                return Err(ValidationError::invalid_byte(byte, at));
            }
            previous = byte;
        }
        if previous == b'/' {
            return Err(ValidationError::invalid_byte(b'/', value.len() - 1));
        }
        Ok(())
    }

    /// The levels of the code: `SYS/TEMP` has `SYS` and `TEMP`.
    pub fn levels(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// Whether this is `code`, ignoring ASCII case.
    pub fn is(&self, code: &ResponseCode<'_>) -> bool {
        self.0.eq_ignore_ascii_case(&code.0)
    }
}

str_newtype!(
    ResponseCode,
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ-/",
    fallback = "SYS/TEMP"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        for ok in ["IN-USE", "SYS/TEMP", "A/B/C", "X-[x"] {
            assert!(ResponseCode::try_from(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/A", "A/", "A//B", "A]", "A B", "A\x7f"] {
            assert!(ResponseCode::try_from(bad).is_err(), "{bad:?}");
        }
        let code = ResponseCode::try_from("sys/temp").unwrap();
        assert!(code.is(&ResponseCode::SYS_TEMP));
        assert_eq!(code.levels().collect::<Vec<_>>(), ["sys", "temp"]);
    }
}
