//! Human-readable text of status responses.

use crate::error::ValidationError;
use crate::types::newtype::str_newtype;

str_newtype!(
    /// The human-readable text of a status response or continuation request
    /// (RFC 9051 section 7.1).
    ///
    /// ```text
    /// text      = 1*(TEXT-CHAR / UTF8-2 / UTF8-3 / UTF8-4)
    /// TEXT-CHAR = <any CHAR except CR and LF>
    /// ```
    ///
    /// It may be empty (IMAP4rev2 makes the text optional) and must not start
    /// with `[`, which would read as the start of a response code.
    ///
    /// ```
    /// use mailwright_imap::types::Text;
    /// assert!(Text::try_from("LOGIN completed").is_ok());
    /// assert!(Text::try_from("[ALERT] x").is_err());
    /// ```
    Text,
    check_text
);

pub(crate) fn check_text(bytes: &[u8]) -> Result<(), ValidationError> {
    if bytes.first() == Some(&b'[') {
        return Err(ValidationError::byte(b'[', 0));
    }
    match bytes
        .iter()
        .position(|&b| b == 0 || b == b'\r' || b == b'\n')
    {
        Some(at) => Err(ValidationError::byte(bytes[at], at)),
        None => std::str::from_utf8(bytes).map(drop).map_err(Into::into),
    }
}

impl Text<'_> {
    /// Builds text from any string, replacing what text may not hold (CR, LF, NUL)
    /// with spaces and a leading `[` with `(`; for messages that come from elsewhere.
    pub fn sanitized(text: &str) -> Text<'static> {
        let mut out: String = text
            .chars()
            .map(|c| {
                if matches!(c, '\r' | '\n' | '\0') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        if out.starts_with('[') {
            out.replace_range(..1, "(");
        }
        Text(std::borrow::Cow::Owned(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text() {
        for ok in ["", "OK", "caf\u{e9} ]"] {
            assert!(Text::try_from(ok).is_ok(), "{ok}");
        }
        for bad in ["[x", "a\rb", "a\nb"] {
            assert!(Text::try_from(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Text::sanitized("[a]\r\nb").as_str(), "(a]  b");
        assert!(Text::validate(Text::sanitized("\0[").as_str()).is_ok());
    }
}
