//! The local part of a mailbox: `john.smith` or `"john smith"`.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{string_newtype, utf8};

/// The local part of a mailbox, [RFC 5321 section 4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2),
/// with the UTF-8 of [RFC 6531 section 3.3](https://www.rfc-editor.org/rfc/rfc6531#section-3.3),
/// kept in its wire form (quotes and backslashes included).
///
/// ```text
/// Local-part     = Dot-string / Quoted-string
/// Dot-string     = Atom *("."  Atom)
/// Atom           = 1*atext
/// Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
/// QcontentSMTP   = qtextSMTP / quoted-pairSMTP
/// quoted-pairSMTP = %d92 %d32-126
/// qtextSMTP      = %d32-33 / %d35-91 / %d93-126
/// atext          =/ UTF8-non-ascii         ; RFC 6531
/// qtextSMTP      =/ UTF8-non-ascii         ; RFC 6531
/// ```
///
/// ```
/// use mailwright_smtp::LocalPart;
///
/// let quoted = LocalPart::try_from(r#""john \"jr\" smith""#)?;
/// assert!(quoted.is_quoted());
/// assert_eq!(quoted.content(), r#"john "jr" smith"#);
/// assert_eq!(LocalPart::from_content("john smith")?.as_str(), r#""john smith""#);
/// assert_eq!(LocalPart::from_content("john.smith")?.as_str(), "john.smith");
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct LocalPart<'a>(pub(crate) Cow<'a, str>);

string_newtype!(LocalPart);

impl<'a> LocalPart<'a> {
    /// Checks `value` against the `Local-part` grammar.
    ///
    /// # Errors
    ///
    /// When `value` is empty, not UTF-8, or breaks the ABNF.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        utf8("local-part", value)?;
        match local_part_len(value) {
            Ok(n) if n == value.len() => Ok(()),
            Ok(n) | Err(n) if n < value.len() => {
                Err(ValidationError::byte("local-part", value[n], n))
            }
            _ if value.is_empty() => Err(ValidationError::empty("local-part")),
            _ => Err(ValidationError::malformed("local-part", "Local-part")),
        }
    }

    /// The wire form for `content`: a Dot-string when it is one, otherwise a
    /// Quoted-string with `"` and `\` escaped.
    ///
    /// # Errors
    ///
    /// When `content` is empty or holds a control character, which no local part can
    /// carry.
    pub fn from_content(content: &'a str) -> Result<Self, ValidationError> {
        if Self::validate(content).is_ok() && !content.starts_with('"') {
            return Ok(Self(Cow::Borrowed(content)));
        }
        if content.is_empty() {
            return Err(ValidationError::empty("local-part"));
        }
        let mut quoted = String::with_capacity(content.len() + 2);
        quoted.push('"');
        for (at, c) in content.char_indices() {
            match c {
                '"' | '\\' => {
                    quoted.push('\\');
                    quoted.push(c);
                }
                ' '..='~' => quoted.push(c),
                c if !c.is_ascii() => quoted.push(c),
                c => return Err(ValidationError::byte("local-part", c as u8, at)),
            }
        }
        quoted.push('"');
        Ok(Self(Cow::Owned(quoted)))
    }

    /// Whether it is a Quoted-string.
    pub fn is_quoted(&self) -> bool {
        self.0.starts_with('"')
    }

    /// The content without quotes and quoted-pair backslashes.
    pub fn content(&self) -> Cow<'_, str> {
        let Some(inner) = self
            .0
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
        else {
            return Cow::Borrowed(&self.0);
        };
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        let mut content = String::with_capacity(inner.len());
        let mut escaped = false;
        for c in inner.chars() {
            if escaped || c != '\\' {
                content.push(c);
                escaped = false;
            } else {
                escaped = true;
            }
        }
        Cow::Owned(content)
    }

    /// Whether it is all ASCII (no `SMTPUTF8` needed).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }
}

/// `atext` of RFC 5322 plus the octets of UTF-8 non-ASCII characters (RFC 6531).
pub(crate) fn is_atext(b: u8) -> bool {
    ATEXT[usize::from(b)]
}

/// The `atext` table: one lookup per octet on the hot path of every address.
const ATEXT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || c >= 0x80
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'/'
                    | b'='
                    | b'?'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
            );
        b += 1;
    }
    table
};

/// The length of the `Local-part` at the start of `input`: `Ok(len)` when one is
/// there (it may be followed by anything), `Err(at)` with the offending position
/// otherwise.
#[inline]
pub(crate) fn local_part_len(input: &[u8]) -> Result<usize, usize> {
    if input.first() == Some(&b'"') {
        let mut pos = 1;
        loop {
            match input.get(pos) {
                Some(b'"') => return Ok(pos + 1),
                Some(b'\\') => match input.get(pos + 1) {
                    Some(32..=126) => pos += 2,
                    _ => return Err(pos),
                },
                Some(&b) if matches!(b, 32..=33 | 35..=91 | 93..=126) || b >= 0x80 => pos += 1,
                _ => return Err(pos),
            }
        }
    }
    let mut pos = 0;
    loop {
        let atom = input[pos..].iter().take_while(|&&b| is_atext(b)).count();
        if atom == 0 {
            return Err(pos);
        }
        pos += atom;
        if input.get(pos) == Some(&b'.') {
            pos += 1;
        } else {
            return Ok(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_dot_strings_and_quoted_strings() {
        for ok in [
            "a",
            "john.smith",
            "x+tag",
            "!#$%&'*+-/=?^_`{|}~",
            "\"\"",
            "\"john smith\"",
            "\"a\\\"b\"",
            "\"a@b\"",
            "jörg",
            "\"jörg w\"",
        ] {
            assert!(LocalPart::validate(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_the_abnf_forbids() {
        for bad in [
            "",
            ".a",
            "a.",
            "a..b",
            "a b",
            "a@b",
            "\"open",
            "\"a\\\u{7}\"",
            "a\"b\"",
            "\"a\"b",
            "(c)",
        ] {
            assert!(LocalPart::validate(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn content_unquotes() {
        let cases = [
            ("john", "john"),
            ("\"john smith\"", "john smith"),
            ("\"a\\\\b\\\"c\"", "a\\b\"c"),
        ];
        for (wire, content) in cases {
            assert_eq!(LocalPart::try_from(wire).unwrap().content(), content);
        }
    }

    #[test]
    fn from_content_quotes_only_when_needed() {
        for content in [
            "plain",
            "two words",
            "a\"b\\c",
            "dots..here",
            ".lead",
            "\"x\"",
        ] {
            let local = LocalPart::from_content(content).unwrap();
            assert!(LocalPart::validate(local.as_str()).is_ok(), "{local}");
            assert_eq!(local.content(), content);
        }
        assert!(LocalPart::from_content("").is_err());
        assert!(LocalPart::from_content("tab\there").is_err());
    }

    proptest! {
        /// Any Unicode: a local part found at the start ends on a character boundary,
        /// and `from_content` gives a valid local part whose content is the input.
        #[test]
        fn unicode_local_parts(
            text in prop_oneof![
                any::<String>(),
                "\"?([a-z.\\\\\" ]|\\PC){0,16}\"?(@\\PC{0,4})?",
            ],
        ) {
            if let Ok(len) = local_part_len(text.as_bytes()) {
                prop_assert!(text.is_char_boundary(len), "{text:?} cut at {len}");
                prop_assert!(LocalPart::validate(&text[..len]).is_ok());
            }
            if let Ok(local) = LocalPart::from_content(&text) {
                prop_assert!(LocalPart::validate(local.as_str()).is_ok(), "{local:?}");
                prop_assert_eq!(local.content(), text.as_str());
            } else {
                prop_assert!(text.is_empty() || text.chars().any(|c| c.is_ascii_control()));
            }
        }
    }
}
