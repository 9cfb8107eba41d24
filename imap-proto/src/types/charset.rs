//! Charset names of SEARCH and BADCHARSET.

use crate::error::ValidationError;
use crate::types::newtype::str_newtype;
use crate::types::quoted::check_quoted;

str_newtype!(
    /// A charset name (RFC 9051 section 6.4.4).
    ///
    /// ```text
    /// charset = atom / quoted
    /// ```
    ///
    /// Encoded as an atom when it is one, quoted otherwise.
    Charset,
    check_charset
);

fn check_charset(bytes: &[u8]) -> Result<(), ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::empty());
    }
    check_quoted(bytes)
}

impl Charset<'_> {
    /// `UTF-8`.
    pub const UTF_8: Charset<'static> = Charset(std::borrow::Cow::Borrowed("UTF-8"));
    /// `US-ASCII`.
    pub const US_ASCII: Charset<'static> = Charset(std::borrow::Cow::Borrowed("US-ASCII"));

    /// Whether the name is one that every server must support (`UTF-8`, `US-ASCII`),
    /// compared without regard to case.
    pub fn is_utf8_or_ascii(&self) -> bool {
        self.as_str().eq_ignore_ascii_case("UTF-8")
            || self.as_str().eq_ignore_ascii_case("US-ASCII")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets() {
        assert!(Charset::try_from("utf-8").unwrap().is_utf8_or_ascii());
        assert!(!Charset::try_from("ISO-8859-1").unwrap().is_utf8_or_ascii());
        assert!(Charset::try_from("").is_err());
    }
}
