//! Quoted strings.

use crate::error::ValidationError;
use crate::types::newtype::str_newtype;

str_newtype!(
    /// The content of a quoted string (RFC 9051 section 4.3), unescaped.
    ///
    /// ```text
    /// quoted      = DQUOTE *QUOTED-CHAR DQUOTE
    /// QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> /
    ///               "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
    /// ```
    ///
    /// The value holds the text between the quotes with escapes removed; the
    /// encoder adds them back. It may be empty, may hold UTF-8 (IMAP4rev2), never
    /// CR, LF or NUL: such text must be sent as a literal.
    ///
    /// ```
    /// use mailwright_imap::types::Quoted;
    /// assert!(Quoted::try_from("say \"hi\"").is_ok());
    /// assert!(Quoted::try_from("two\r\nlines").is_err());
    /// ```
    Quoted,
    check_quoted
);

pub(crate) fn check_quoted(bytes: &[u8]) -> Result<(), ValidationError> {
    match bytes
        .iter()
        .position(|&b| b == 0 || b == b'\r' || b == b'\n')
    {
        Some(at) => Err(ValidationError::byte(bytes[at], at)),
        None => std::str::from_utf8(bytes).map(drop).map_err(Into::into),
    }
}

impl Quoted<'_> {
    /// Whether the content is 7-bit (IMAP4rev1 clients accept only 7-bit quoted strings).
    pub fn is_ascii(&self) -> bool {
        self.as_str().is_ascii()
    }

    /// The empty quoted string `""`.
    pub fn empty() -> Quoted<'static> {
        Quoted(std::borrow::Cow::Borrowed(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted() {
        for ok in ["", "a b", "\"", "\\", "caf\u{e9}", "[x]"] {
            assert!(Quoted::try_from(ok).is_ok(), "{ok:?}");
        }
        for bad in ["\r", "a\nb", "\0"] {
            assert!(Quoted::try_from(bad).is_err(), "{bad:?}");
        }
        assert!(Quoted::try_from(&b"\xff"[..]).is_err());
        assert!(!Quoted::try_from("\u{e9}").unwrap().is_ascii());
    }
}
