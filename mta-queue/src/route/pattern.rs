//! Patterns routing rules match with: [`DomainPattern`] and [`SenderPattern`].

use std::fmt;

use crate::envelope::Address;

/// A pattern over domain names (compared in lower case, without a trailing dot).
///
/// | text | variant | matches |
/// | --- | --- | --- |
/// | `example.com` | [`Exact`](Self::Exact) | `example.com` only |
/// | `.example.com` | [`Suffix`](Self::Suffix) | `example.com` and every name below it |
/// | `mx*.example.*` | [`Wildcard`](Self::Wildcard) | `*` stands for any run of characters, dots included |
/// | `*` | [`Any`](Self::Any) | everything |
///
/// ```
/// use mta_queue::route::DomainPattern;
///
/// let pattern: DomainPattern = ".example.com".parse().unwrap();
/// assert!(pattern.matches("example.com"));
/// assert!(pattern.matches("mail.EXAMPLE.com"));
/// assert!(!pattern.matches("badexample.com"));
/// assert!("*.example.*".parse::<DomainPattern>().unwrap().matches("a.example.org"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DomainPattern {
    /// Every domain.
    Any,
    /// This domain exactly.
    Exact(String),
    /// This domain and its subdomains.
    Suffix(String),
    /// A glob with `*`.
    Wildcard(String),
}

impl DomainPattern {
    /// Whether `domain` matches (case-insensitively, trailing dot ignored).
    pub fn matches(&self, domain: &str) -> bool {
        let domain = domain.trim_end_matches('.');
        match self {
            Self::Any => true,
            Self::Exact(name) => domain.eq_ignore_ascii_case(name),
            Self::Suffix(name) => {
                domain.eq_ignore_ascii_case(name)
                    || (domain.len() > name.len()
                        && domain.is_char_boundary(domain.len() - name.len() - 1)
                        && domain[domain.len() - name.len()..].eq_ignore_ascii_case(name)
                        && domain.as_bytes()[domain.len() - name.len() - 1] == b'.')
            }
            Self::Wildcard(glob) => {
                glob_matches(glob.as_bytes(), domain.to_ascii_lowercase().as_bytes())
            }
        }
    }
}

/// Matches `text` against `glob`, where `*` is any run of bytes (iterative, linear in
/// practice: the classic two-pointer algorithm with one backtrack point).
fn glob_matches(glob: &[u8], text: &[u8]) -> bool {
    let (mut g, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if g < glob.len() && glob[g] == b'*' {
            star = Some((g, t));
            g += 1;
        } else if g < glob.len() && glob[g] == text[t] {
            g += 1;
            t += 1;
        } else if let Some((sg, st)) = star {
            g = sg + 1;
            t = st + 1;
            star = Some((sg, st + 1));
        } else {
            return false;
        }
    }
    glob[g..].iter().all(|&b| b == b'*')
}

/// The text is not a domain pattern (empty, or holds spaces or control characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid domain pattern")]
pub struct InvalidPattern;

impl std::str::FromStr for DomainPattern {
    type Err = InvalidPattern;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim_end_matches('.').to_ascii_lowercase();
        if text.is_empty()
            || text.len() > 255
            || text.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(InvalidPattern);
        }
        if text == "*" {
            return Ok(Self::Any);
        }
        if text.contains('*') {
            return Ok(Self::Wildcard(text));
        }
        match text.strip_prefix('.') {
            Some("") => Err(InvalidPattern),
            Some(rest) => Ok(Self::Suffix(rest.to_owned())),
            None => Ok(Self::Exact(text)),
        }
    }
}

impl fmt::Display for DomainPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Exact(name) | Self::Wildcard(name) => f.write_str(name),
            Self::Suffix(name) => write!(f, ".{name}"),
        }
    }
}

/// A pattern over the reverse-path.
///
/// | text | matches |
/// | --- | --- |
/// | `<>` | the null reverse-path (bounces) |
/// | `alice@example.org` | that address (local part exact, domain case-insensitive) |
/// | a [`DomainPattern`] | senders whose domain matches |
///
/// ```
/// use mta_queue::route::SenderPattern;
/// use mta_queue::Address;
///
/// let alice = Address::new("alice@example.org").unwrap();
/// assert!("<>".parse::<SenderPattern>().unwrap().matches(None));
/// assert!(".example.org".parse::<SenderPattern>().unwrap().matches(Some(&alice)));
/// assert!("alice@EXAMPLE.org".parse::<SenderPattern>().unwrap().matches(Some(&alice)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SenderPattern {
    /// The null reverse-path `<>`.
    Null,
    /// One address.
    Address(Address),
    /// Senders of these domains.
    Domain(DomainPattern),
}

impl SenderPattern {
    /// Whether the reverse-path `sender` (`None` for `<>`) matches.
    pub fn matches(&self, sender: Option<&Address>) -> bool {
        match (self, sender) {
            (Self::Null, None) => true,
            (Self::Address(want), Some(have)) => {
                want.local_part() == have.local_part() && want.domain() == have.domain()
            }
            (Self::Domain(pattern), Some(have)) => pattern.matches(&have.domain()),
            _ => false,
        }
    }
}

impl std::str::FromStr for SenderPattern {
    type Err = InvalidPattern;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "<>" {
            return Ok(Self::Null);
        }
        if text.contains('@') {
            return Address::new(text)
                .map(Self::Address)
                .map_err(|_| InvalidPattern);
        }
        text.parse().map(Self::Domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn domain_patterns() {
        let rows: &[(&str, &str, bool)] = &[
            ("example.com", "example.com", true),
            ("example.com", "EXAMPLE.COM.", true),
            ("example.com", "a.example.com", false),
            (".example.com", "example.com", true),
            (".example.com", "a.b.example.com", true),
            (".example.com", "aexample.com", false),
            ("*.example.com", "example.com", false),
            ("*.example.com", "a.example.com", true),
            ("mx*.provider.*", "mx12.provider.net", true),
            ("mx*.provider.*", "smtp.provider.net", false),
            ("*", "anything", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            (".é.de", "x.é.de", true),
        ];
        for (pattern, domain, expected) in rows {
            let parsed: DomainPattern = pattern.parse().unwrap();
            assert_eq!(parsed.matches(domain), *expected, "{pattern} vs {domain}");
        }
        for bad in ["", ".", "a b", "a\nb"] {
            assert!(bad.parse::<DomainPattern>().is_err(), "{bad:?}");
        }
        assert!(!".é.de".parse::<DomainPattern>().unwrap().matches("xé.de"));
    }

    proptest! {
        #[test]
        fn glob_agrees_with_a_regex(glob in "[ab*.]{0,8}", text in "[ab.]{0,10}") {
            let expected = regex_match(&glob, &text);
            prop_assert_eq!(glob_matches(glob.as_bytes(), text.as_bytes()), expected);
        }

        #[test]
        fn display_round_trip(text in "\\.?[a-z*]{1,6}(\\.[a-z*]{1,6}){0,2}") {
            let pattern: DomainPattern = text.parse().unwrap();
            prop_assert_eq!(pattern.to_string().parse::<DomainPattern>().unwrap(), pattern);
        }
    }

    /// A slow, obviously right glob matcher (recursive).
    fn regex_match(glob: &str, text: &str) -> bool {
        fn go(g: &[u8], t: &[u8]) -> bool {
            match g.split_first() {
                None => t.is_empty(),
                Some((b'*', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
                Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
            }
        }
        go(glob.as_bytes(), text.as_bytes())
    }
}
