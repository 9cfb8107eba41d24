//! xtext: the `+HH` encoding of DSN and AUTH parameter values.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{string_newtype, utf8};

/// A value in xtext encoding, [RFC 3461 section 4](https://www.rfc-editor.org/rfc/rfc3461#section-4),
/// as used by `ENVID`, `ORCPT` and `AUTH=`; kept encoded, decoded on request.
///
/// ```text
/// xtext = *( xchar / hexchar )
/// xchar = any ASCII CHAR between "!" (33) and "~" (126) inclusive,
///         except for "+" and "=".
/// hexchar = ASCII "+" immediately followed by two upper case
///           hexadecimal digits
/// ```
///
/// Quirk, on input only: lower-case hex digits are accepted, and so are the UTF-8
/// characters that `SMTPUTF8` allows in parameter values (RFC 6531 section 3.3).
/// The value may not be empty (it is always an `esmtp-value`).
///
/// ```
/// use mailwright_smtp::XText;
///
/// let text = XText::encode(b"a+b=c")?;
/// assert_eq!(text.as_str(), "a+2Bb+3Dc");
/// assert_eq!(text.decode(), "a+b=c");
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct XText<'a>(pub(crate) Cow<'a, str>);

string_newtype!(XText);

impl XText<'_> {
    /// Checks `value` against the xtext grammar.
    ///
    /// # Errors
    ///
    /// When `value` is empty, not UTF-8, or holds a byte outside xtext.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        utf8("xtext", value)?;
        check(value)
    }

    /// Encodes `value`: bytes outside `xchar` (and so every non-ASCII byte) become
    /// `+HH`.
    ///
    /// # Errors
    ///
    /// When `value` is empty: an ESMTP parameter value has at least one character.
    pub fn encode(value: &[u8]) -> Result<XText<'static>, ValidationError> {
        if value.is_empty() {
            return Err(ValidationError::empty("xtext"));
        }
        let mut out = String::with_capacity(value.len());
        for &b in value {
            if is_xchar(b) {
                out.push(char::from(b));
            } else {
                out.push('+');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
        Ok(XText(Cow::Owned(out)))
    }

    /// The decoded value (invalid UTF-8 after decoding is replaced, as
    /// [`String::from_utf8_lossy`] does).
    pub fn decode(&self) -> Cow<'_, str> {
        if !self.0.contains('+') {
            return Cow::Borrowed(&self.0);
        }
        let bytes = self.0.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut pos = 0;
        while pos < bytes.len() {
            if bytes[pos] == b'+' && pos + 2 < bytes.len() {
                out.push(hex_value(bytes[pos + 1]) << 4 | hex_value(bytes[pos + 2]));
                pos += 3;
            } else {
                out.push(bytes[pos]);
                pos += 1;
            }
        }
        Cow::Owned(String::from_utf8_lossy(&out).into_owned())
    }
}

impl<'a> XText<'a> {
    /// An xtext from text already known to be UTF-8 (a parsed line), checked against
    /// the grammar only.
    pub(crate) fn from_str_checked(value: &'a str) -> Option<Self> {
        check(value.as_bytes())
            .ok()
            .map(|()| Self(Cow::Borrowed(value)))
    }
}

/// The xtext grammar over bytes whose UTF-8 is already checked.
fn check(value: &[u8]) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::empty("xtext"));
    }
    let mut pos = 0;
    while pos < value.len() {
        match value[pos] {
            b'+' => {
                let hex = value.get(pos + 1..pos + 3);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    return Err(ValidationError::byte("xtext", b'+', pos));
                }
                pos += 3;
            }
            b if is_xchar(b) || b >= 0x80 => pos += 1,
            b => return Err(ValidationError::byte("xtext", b, pos)),
        }
    }
    Ok(())
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn is_xchar(b: u8) -> bool {
    matches!(b, 33..=42 | 44..=60 | 62..=126)
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn validates_xtext() {
        for ok in ["QQ580756.0", "rfc822", "a+2Bb", "a+2bb", "<>", "jörg"] {
            assert!(XText::validate(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a=b", "a b", "+2", "+zz", "a+"] {
            assert!(XText::validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips_arbitrary_bytes() {
        for value in [&b"plain"[..], b"a b=c+d", b"\x00\xff", "jörg".as_bytes()] {
            let text = XText::encode(value).unwrap();
            assert!(XText::validate(text.as_str()).is_ok());
            assert_eq!(
                text.decode().as_bytes(),
                String::from_utf8_lossy(value).as_bytes()
            );
        }
        assert!(XText::encode(b"").is_err());
    }

    proptest! {
        /// Any Unicode: validation and decoding never panic; any bytes encode to valid
        /// ASCII xtext that decodes back to them.
        #[test]
        fn unicode_xtext(
            text in prop_oneof![any::<String>(), "([a-z+=]|\\+[0-9A-Fa-f]{0,2}|\\PC){0,20}"],
            bytes in prop::collection::vec(any::<u8>(), 1..32),
        ) {
            if let Ok(xtext) = XText::try_from(text.as_str()) {
                let _ = xtext.decode();
            }
            let encoded = XText::encode(text.as_bytes());
            if let Ok(encoded) = encoded {
                prop_assert!(encoded.as_str().is_ascii());
                prop_assert_eq!(encoded.decode(), text.as_str());
            }
            let encoded = XText::encode(&bytes).unwrap();
            prop_assert!(XText::validate(encoded.as_str()).is_ok());
            prop_assert_eq!(encoded.decode(), String::from_utf8_lossy(&bytes));
        }
    }
}
