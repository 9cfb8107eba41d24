//! Domain names as SMTP writes them.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{string_newtype, utf8};

/// A domain name, [RFC 5321 section 4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2),
/// with the U-labels of [RFC 6531 section 3.3](https://www.rfc-editor.org/rfc/rfc6531#section-3.3).
///
/// ```text
/// Domain     = sub-domain *("." sub-domain)
/// sub-domain = Let-dig [Ldh-str]
/// sub-domain =/ U-label                      ; RFC 6531
/// Let-dig    = ALPHA / DIGIT
/// Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
/// ```
///
/// At most 255 octets, labels at most 63 octets. A U-label is taken as any run of
/// letters, digits, hyphens and non-ASCII characters (no IDNA mapping is done here);
/// [`is_ascii`](Self::is_ascii) tells whether the name needs `SMTPUTF8`. Comparison
/// with `==` is exact; use [`eq_ignore_ascii_case`](Self::eq_ignore_ascii_case) for DNS
/// semantics.
///
/// ```
/// use mailwright_smtp::Domain;
///
/// let domain = Domain::try_from("mx1.example.org")?;
/// assert_eq!(domain.as_str(), "mx1.example.org");
/// assert!(Domain::try_from("-bad.example").is_err());
/// assert!(!Domain::try_from("bücher.example")?.is_ascii());
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct Domain<'a>(pub(crate) Cow<'a, str>);

string_newtype!(Domain);

impl Domain<'_> {
    /// The longest domain name, in octets.
    pub const MAX_LEN: usize = 255;
    /// The longest label, in octets.
    pub const MAX_LABEL_LEN: usize = 63;

    /// Checks `value` against the `Domain` grammar.
    ///
    /// # Errors
    ///
    /// When `value` is empty, too long, not UTF-8, or breaks the ABNF.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        let text = utf8("domain", value)?;
        if text.is_empty() {
            return Err(ValidationError::empty("domain"));
        }
        if text.len() > Self::MAX_LEN {
            return Err(ValidationError::too_long("domain", Self::MAX_LEN));
        }
        match domain_len(text.as_bytes()) {
            n if n == text.len() => Ok(()),
            n => Err(ValidationError::byte(
                "domain",
                value[n.min(value.len() - 1)],
                n,
            )),
        }
    }

    /// Whether every label is ASCII (no `SMTPUTF8` needed).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }

    /// Compares as DNS does: ASCII letters case-insensitively.
    pub fn eq_ignore_ascii_case(&self, other: &Domain<'_>) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

/// The length of the longest prefix of `input` that is a `Domain` made of whole
/// labels (0 when there is none); `validate` compares it with the input's length. The
/// parsers use it to find where a domain ends (at `>`, SP, ...): one pass, one table
/// lookup per octet.
#[inline]
pub(crate) fn domain_len(input: &[u8]) -> usize {
    let mut valid_end = 0;
    let mut pos = 0;
    loop {
        let start = pos;
        while pos < input.len() && is_label_byte(input[pos]) {
            pos += 1;
        }
        let label = &input[start..pos];
        let good = match (label.first(), label.last()) {
            (Some(&first), Some(&last)) => {
                first != b'-' && last != b'-' && label.len() <= Domain::MAX_LABEL_LEN
            }
            _ => false,
        };
        if !good {
            return valid_end;
        }
        valid_end = pos;
        if input.get(pos) == Some(&b'.') {
            pos += 1;
        } else {
            return valid_end;
        }
    }
}

/// Letters, digits, hyphen, and the octets of non-ASCII UTF-8 characters (U-labels).
/// The caller has already checked that the whole input is UTF-8.
fn is_label_byte(b: u8) -> bool {
    LABEL[usize::from(b)]
}

const LABEL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'-' || c >= 0x80;
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_rfc_domains() {
        for ok in [
            "a",
            "example.org",
            "mx-1.example.co.uk",
            "1.2.3.example",
            "xn--bcher-kva.example",
            "bücher.example",
            "例え.テスト",
            &format!("{}.example", "a".repeat(63)),
        ] {
            assert!(Domain::validate(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_the_abnf_forbids() {
        for bad in [
            "",
            ".",
            "example.",
            ".example",
            "a..b",
            "-a.example",
            "a-.example",
            "a_b.example",
            "a b",
            "[1.2.3.4]",
            "a@b",
            &format!("{}.example", "a".repeat(64)),
            &format!("{}a", "a.".repeat(128)),
        ] {
            assert!(Domain::validate(bad).is_err(), "{bad:?}");
        }
        assert!(Domain::try_from(&b"ex\xffample"[..]).is_err());
    }

    #[test]
    fn prefix_length_stops_at_the_first_foreign_byte() {
        assert_eq!(domain_len(b"example.org>"), 11);
        assert_eq!(domain_len(b"example.org SIZE=1"), 11);
        assert_eq!(domain_len(b"example.org.>"), 11);
        assert_eq!(domain_len(b">"), 0);
    }

    #[test]
    fn compares_case_insensitively_on_request() {
        let a = Domain::try_from("Example.ORG").unwrap();
        let b = Domain::try_from("example.org").unwrap();
        assert_ne!(a, b);
        assert!(a.eq_ignore_ascii_case(&b));
        assert_eq!(format!("{a:?}"), "Domain(\"Example.ORG\")");
    }

    proptest! {
        /// Any Unicode: the prefix length is always on a character boundary (the path
        /// parser splits the line there), and a valid domain keeps the label rules.
        #[test]
        fn unicode_domains(
            text in prop_oneof![
                any::<String>(),
                "(([a-z0-9-]|\\PC){0,8}\\.?){0,5}([>\\] ]\\PC{0,4})?",
                "([a-zé日]{1,70}\\.){1,5}[a-z]{1,3}",
            ],
        ) {
            let len = domain_len(text.as_bytes());
            prop_assert!(text.is_char_boundary(len), "{text:?} cut at {len}");
            if Domain::validate(&text).is_ok() {
                prop_assert_eq!(len, text.len());
                prop_assert!(text.len() <= Domain::MAX_LEN);
                for label in text.split('.') {
                    prop_assert!(!label.is_empty() && label.len() <= Domain::MAX_LABEL_LEN);
                    prop_assert!(!label.starts_with('-') && !label.ends_with('-'));
                }
                let domain = Domain::try_from(text.as_str()).unwrap();
                prop_assert_eq!(domain.is_ascii(), text.is_ascii());
            }
        }
    }
}
