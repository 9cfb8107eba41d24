//! Human-readable text of a status line.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{str_newtype, validate_bytes};

/// The human-readable text after `+OK` / `-ERR` (and after a response code).
///
/// [RFC 2449 section 8](https://www.rfc-editor.org/rfc/rfc2449#section-8) (UTF-8 per
/// [RFC 6856](https://www.rfc-editor.org/rfc/rfc6856#section-2)):
///
/// ```text
/// single-line = status [SP text] CRLF
/// text        = *schar / resp-code *CHAR
/// schar       = %x21-5A / %x5C-7F   ; printable ASCII, excluding "["
/// ```
///
/// This type holds the text part only: any UTF-8 without NUL, CR or LF, at most
/// [`Text::MAX_LEN`] octets, not starting with `[` (which would read as a response code).
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    /// The longest text accepted, in octets.
    pub const MAX_LEN: usize = 1000;

    /// Checks that `value` is valid text.
    ///
    /// # Errors
    ///
    /// Empty, too long, NUL/CR/LF, a leading `[`, or not UTF-8.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        validate_bytes(value, Self::MAX_LEN, |byte| {
            !matches!(byte, b'\0' | b'\r' | b'\n')
        })?;
        if value.first() == Some(&b'[') {
            return Err(ValidationError::invalid_byte(b'[', 0));
        }
        Ok(())
    }
}

str_newtype!(Text, alphabet = b"abc XYZ 0123 ().,-", fallback = "text");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        assert!(Text::try_from("mrose's maildrop has 2 messages (320 octets)").is_ok());
        assert!(Text::try_from(" leading space is text").is_ok());
        assert!(Text::try_from("Grüße").is_ok());
        assert!(Text::try_from("").is_err());
        assert!(Text::try_from("[IN-USE] looks like a code").is_err());
        assert!(Text::try_from("a\nb").is_err());
        assert!(Text::try_from("a\0b").is_err());
    }
}
