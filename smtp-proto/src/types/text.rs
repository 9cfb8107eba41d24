//! Free text: reply lines and the string arguments of VRFY, EXPN, HELP and NOOP.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{string_newtype, utf8};

/// The text of one reply line,
/// [RFC 5321 section 4.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.2), with the
/// UTF-8 that servers send under `SMTPUTF8` (RFC 6531 section 3.7.4).
///
/// ```text
/// textstring     = 1*(%d09 / %d32-126) ; HT, SP, Printable US-ASCII
/// ```
///
/// It may be empty (a reply line may carry only its code). No other control
/// character, and so never a CR or LF: a text cannot inject a reply line.
/// [`Text::lossy`] turns any string into a valid text.
///
/// ```
/// use mailwright_smtp::Text;
///
/// assert!(Text::try_from("queued as 4Fh2kT0qZ9z8").is_ok());
/// assert!(Text::try_from("two\r\nlines").is_err());
/// assert_eq!(Text::lossy("two\r\nlines").as_str(), "two  lines");
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct Text<'a>(pub(crate) Cow<'a, str>);

string_newtype!(Text);

impl<'a> Text<'a> {
    /// Checks `value` against the `textstring` grammar (empty allowed).
    ///
    /// # Errors
    ///
    /// When `value` is not UTF-8 or holds a control character other than HT.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        utf8("text", value)?;
        match value.iter().position(|&b| !is_text_byte(b)) {
            None => Ok(()),
            Some(at) => Err(ValidationError::byte("text", value[at], at)),
        }
    }

    /// A text from any string: control characters (CR and LF among them) become
    /// spaces. Borrows when there is nothing to replace.
    pub fn lossy(value: impl Into<Cow<'a, str>>) -> Self {
        let value = value.into();
        if value.bytes().all(is_text_byte) {
            return Self(value);
        }
        let cleaned = value
            .chars()
            .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
            .collect();
        Self(Cow::Owned(cleaned))
    }

    /// The empty text.
    pub const fn empty() -> Self {
        Self(Cow::Borrowed(""))
    }

    /// A text from a `'static` string known to be valid (checked in debug builds).
    pub(crate) const fn from_static(value: &'static str) -> Text<'static> {
        Text(Cow::Borrowed(value))
    }
}

fn is_text_byte(b: u8) -> bool {
    b == b'\t' || (b >= 32 && b != 127)
}

/// The string argument of `VRFY`, `EXPN`, `HELP` and `NOOP`,
/// [RFC 5321 section 4.1.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1).
///
/// ```text
/// String         = Atom / Quoted-string
/// ```
///
/// Real clients send more than the ABNF allows (`VRFY John Smith`), so this keeps
/// any text that can be one command argument: not empty, no control characters, no
/// leading or trailing space.
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct Argument<'a>(pub(crate) Cow<'a, str>);

string_newtype!(Argument);

impl Argument<'_> {
    /// Checks `value`.
    ///
    /// # Errors
    ///
    /// When `value` is empty, not UTF-8, holds a control character, or starts or ends
    /// with a space.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        utf8("argument", value)?;
        if value.is_empty() {
            return Err(ValidationError::empty("argument"));
        }
        if let Some(at) = value.iter().position(|&b| b < 32 || b == 127) {
            return Err(ValidationError::byte("argument", value[at], at));
        }
        if value[0] == b' ' {
            return Err(ValidationError::byte("argument", b' ', 0));
        }
        if value[value.len() - 1] == b' ' {
            return Err(ValidationError::byte("argument", b' ', value.len() - 1));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_refuses_line_breaks_and_controls() {
        for ok in ["", "OK", "tab\there", "ünïcode", "<CRLF>.<CRLF>"] {
            assert!(Text::validate(ok).is_ok(), "{ok:?}");
        }
        for bad in ["a\rb", "a\nb", "nul\0", "del\x7f"] {
            assert!(Text::validate(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lossy_borrows_clean_text() {
        assert!(matches!(
            Text::lossy("clean").into_inner(),
            Cow::Borrowed(_)
        ));
        assert_eq!(Text::lossy("a\r\nb\0").as_str(), "a  b ");
    }

    #[test]
    fn argument_is_one_trimmed_value() {
        assert!(Argument::validate("John Smith").is_ok());
        for bad in ["", " x", "x ", "a\tb", "a\r\n"] {
            assert!(Argument::validate(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        /// Any Unicode becomes a valid reply text with the same characters, controls
        /// as spaces; an argument is valid only without controls or outer spaces.
        #[test]
        fn unicode_text_and_arguments(text in prop_oneof![
            any::<String>(),
            "( |\\PC|[\r\n\t\u{0}\u{7f}\u{85}]){0,40}",
        ]) {
            let lossy = Text::lossy(text.as_str());
            prop_assert!(Text::validate(lossy.as_str()).is_ok());
            prop_assert_eq!(lossy.as_str().chars().count(), text.chars().count());
            prop_assert!(!lossy.as_str().contains(['\r', '\n']));
            if Argument::validate(&text).is_ok() {
                prop_assert!(!text.is_empty() && !text.starts_with(' ') && !text.ends_with(' '));
                prop_assert!(!text.bytes().any(|b| b < 32 || b == 127));
            }
        }
    }
}
