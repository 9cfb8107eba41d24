//! ESMTP parameters of `MAIL FROM` and `RCPT TO`, and the `BODY=` value.

use std::borrow::Cow;
use std::fmt;

use crate::error::ValidationError;
use crate::types::{string_newtype, utf8};

/// The keyword of an ESMTP parameter,
/// [RFC 5321 section 4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2).
/// Compared case-insensitively.
///
/// ```text
/// esmtp-keyword  = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// ```
#[derive(Clone, Eq)]
pub struct EsmtpKeyword<'a>(pub(crate) Cow<'a, str>);

string_newtype!(EsmtpKeyword);

impl EsmtpKeyword<'_> {
    /// Checks `value` against the grammar.
    ///
    /// # Errors
    ///
    /// When `value` is empty or breaks the ABNF.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        match value.first() {
            None => return Err(ValidationError::empty("esmtp-keyword")),
            Some(b) if !b.is_ascii_alphanumeric() => {
                return Err(ValidationError::byte("esmtp-keyword", *b, 0));
            }
            Some(_) => {}
        }
        match value
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
        {
            None => Ok(()),
            Some(at) => Err(ValidationError::byte("esmtp-keyword", value[at], at)),
        }
    }

    /// Whether this is `keyword`, ignoring ASCII case.
    pub fn is(&self, keyword: &str) -> bool {
        self.0.eq_ignore_ascii_case(keyword)
    }
}

impl PartialEq for EsmtpKeyword<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for EsmtpKeyword<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_uppercase());
        }
    }
}

/// The value of an ESMTP parameter,
/// [RFC 5321 section 4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2) with
/// the UTF-8 of [RFC 6531 section 3.3](https://www.rfc-editor.org/rfc/rfc6531#section-3.3).
///
/// ```text
/// esmtp-value    = 1*(%d33-60 / %d62-126)
/// esmtp-value    =/ UTF8-non-ascii        ; RFC 6531
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct EsmtpValue<'a>(pub(crate) Cow<'a, str>);

string_newtype!(EsmtpValue);

impl EsmtpValue<'_> {
    /// Checks `value` against the grammar.
    ///
    /// # Errors
    ///
    /// When `value` is empty, not UTF-8, or holds SP, `=` or a control character.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        utf8("esmtp-value", value)?;
        if value.is_empty() {
            return Err(ValidationError::empty("esmtp-value"));
        }
        match value.iter().position(|&b| !is_value_byte(b)) {
            None => Ok(()),
            Some(at) => Err(ValidationError::byte("esmtp-value", value[at], at)),
        }
    }
}

pub(crate) fn is_value_byte(b: u8) -> bool {
    VALUE[usize::from(b)]
}

/// `esmtp-value` octets (`%d33-60 / %d62-126` and UTF-8): one lookup per octet of
/// every parameter value.
const VALUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 33;
    while b < 256 {
        table[b] = b != 61 && b != 127;
        b += 1;
    }
    table
};

/// One `keyword[=value]` parameter that the typed parameter structs do not model.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct EsmtpParameter<'a> {
    /// The keyword.
    pub keyword: EsmtpKeyword<'a>,
    /// The value, if the parameter has one.
    pub value: Option<EsmtpValue<'a>>,
}

impl EsmtpParameter<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> EsmtpParameter<'static> {
        EsmtpParameter {
            keyword: self.keyword.into_owned(),
            value: self.value.map(EsmtpValue::into_owned),
        }
    }
}

impl fmt::Display for EsmtpParameter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}={}", self.keyword, value),
            None => write!(f, "{}", self.keyword),
        }
    }
}

/// The `BODY=` parameter of `MAIL FROM`: what the message content is.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum BodyType {
    /// `BODY=7BIT` ([RFC 6152](https://www.rfc-editor.org/rfc/rfc6152)).
    SevenBit,
    /// `BODY=8BITMIME` ([RFC 6152](https://www.rfc-editor.org/rfc/rfc6152)).
    EightBitMime,
    /// `BODY=BINARYMIME` ([RFC 3030](https://www.rfc-editor.org/rfc/rfc3030)): BDAT
    /// only, no line structure.
    BinaryMime,
}

impl BodyType {
    /// The parameter value as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SevenBit => "7BIT",
            Self::EightBitMime => "8BITMIME",
            Self::BinaryMime => "BINARYMIME",
        }
    }

    /// The type for a value, ignoring case.
    pub fn from_value(value: &str) -> Option<Self> {
        [Self::SevenBit, Self::EightBitMime, Self::BinaryMime]
            .into_iter()
            .find(|body| body.as_str().eq_ignore_ascii_case(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_compare_without_case() {
        let a = EsmtpKeyword::try_from("X-Foo").unwrap();
        let b = EsmtpKeyword::try_from("x-foo").unwrap();
        assert_eq!(a, b);
        assert!(a.is("X-FOO"));
        for bad in ["", "-x", "a_b", "a=b"] {
            assert!(EsmtpKeyword::validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_exclude_space_and_equals() {
        assert!(EsmtpValue::validate("rfc822;a@b").is_ok());
        assert!(EsmtpValue::validate("ünï").is_ok());
        for bad in ["", "a b", "a=b", "a\tb"] {
            assert!(EsmtpValue::validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn body_types_ignore_case() {
        assert_eq!(
            BodyType::from_value("8bitmime"),
            Some(BodyType::EightBitMime)
        );
        assert_eq!(
            BodyType::from_value("binarymime"),
            Some(BodyType::BinaryMime)
        );
        assert_eq!(BodyType::from_value("9BIT"), None);
    }
}
