//! Patterns routing rules match with: [`DomainPattern`] and [`SenderPattern`].

use std::fmt;

use mailwright_smtp::{Mailbox, ReversePath};

use crate::envelope::domain_of;

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
/// use mailwright_queue::route::DomainPattern;
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
                // On bytes: the cut may fall inside a character of the domain, which
                // then cannot match (the octet before the suffix must be an ASCII dot).
                domain.eq_ignore_ascii_case(name)
                    || domain.len().checked_sub(name.len() + 1).is_some_and(|dot| {
                        let (head, tail) = domain.as_bytes().split_at(dot + 1);
                        head[dot] == b'.' && tail.eq_ignore_ascii_case(name.as_bytes())
                    })
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
/// | `alice@example.org` | that mailbox (local part exact, domain case-insensitive) |
/// | a [`DomainPattern`] | senders whose domain matches |
///
/// ```
/// use mailwright_queue::route::SenderPattern;
/// use mailwright_smtp::{Mailbox, ReversePath};
///
/// let alice = ReversePath::Mailbox(Mailbox::try_from("alice@example.org")?);
/// assert!("<>".parse::<SenderPattern>()?.matches(&ReversePath::Null));
/// assert!(".example.org".parse::<SenderPattern>()?.matches(&alice));
/// assert!("alice@EXAMPLE.org".parse::<SenderPattern>()?.matches(&alice));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SenderPattern {
    /// The null reverse-path `<>`.
    Null,
    /// One mailbox.
    Mailbox(Mailbox<'static>),
    /// Senders of these domains.
    Domain(DomainPattern),
}

impl SenderPattern {
    /// Whether the reverse-path `sender` matches.
    pub fn matches(&self, sender: &ReversePath<'_>) -> bool {
        match (self, sender.mailbox()) {
            (Self::Null, None) => true,
            (Self::Mailbox(want), Some(have)) => {
                want.local_part() == have.local_part() && domain_of(want) == domain_of(have)
            }
            (Self::Domain(pattern), Some(have)) => pattern.matches(&domain_of(have)),
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
            return Mailbox::try_from(text.to_owned())
                .map(Self::Mailbox)
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

    /// The suffix test once checked the char boundary one octet before the cut and
    /// sliced at the cut: `.b` against `é` (two octets) sliced inside the `é` and
    /// panicked. The domain comes from a recipient address (RCPT TO with SMTPUTF8).
    #[test]
    fn suffix_cut_inside_a_character_is_no_match() {
        let suffix: DomainPattern = ".b".parse().unwrap();
        assert!(!suffix.matches("é"));
        assert!(!suffix.matches("日本"));
        assert!(
            !".example"
                .parse::<DomainPattern>()
                .unwrap()
                .matches("日本語の件名テスト")
        );
        // The input the property shrank to.
        assert!(!".é".parse::<DomainPattern>().unwrap().matches("\u{fffc}"));
        assert!(suffix.matches("é.b"));
        assert!(suffix.matches("日.B."));
    }

    proptest! {
        #[test]
        fn glob_agrees_with_a_regex(glob in "[ab*.]{0,8}", text in "[ab.]{0,10}") {
            let expected = regex_match(&glob, &text);
            prop_assert_eq!(glob_matches(glob.as_bytes(), text.as_bytes()), expected);
        }

        /// Any pattern against any Unicode domain (labels mixing ASCII and multi-byte
        /// characters): never panics, and agrees with a plain reference matcher.
        #[test]
        fn unicode_domains_match_like_the_reference(
            pattern in "\\.?(\\*|[a-zé日.]|\\PC){1,8}",
            domain in prop_oneof!["(([a-zA-Zé日本]|\\PC){0,6}\\.){0,3}([a-zé日]|\\PC){0,6}\\.?", any::<String>()],
        ) {
            let Ok(parsed) = pattern.parse::<DomainPattern>() else {
                return Ok(());
            };
            let lower = domain.trim_end_matches('.').to_ascii_lowercase();
            let expected = match &parsed {
                DomainPattern::Any => true,
                DomainPattern::Exact(name) => lower == *name,
                DomainPattern::Suffix(name) => lower == *name || lower.ends_with(&format!(".{name}")),
                // The reference is exponential in the stars: only a few.
                DomainPattern::Wildcard(glob) if glob.matches('*').count() <= 3 => regex_match(glob, &lower),
                DomainPattern::Wildcard(_) => parsed.matches(&domain),
            };
            prop_assert_eq!(parsed.matches(&domain), expected, "{} vs {:?}", pattern, domain);
        }

        /// Sender patterns from any text, against any address with a Unicode domain.
        #[test]
        fn sender_patterns_never_panic(
            pattern in prop_oneof!["\\PC{0,12}", "\\PC{1,6}@\\PC{1,6}", any::<String>()],
            local in "[a-z]{1,4}|\\PC{1,4}",
            domain in "\\PC{1,12}",
        ) {
            let address = Mailbox::try_from(format!("{local}@{domain}"))
                .map_or(ReversePath::Null, ReversePath::Mailbox);
            if let Ok(parsed) = pattern.parse::<SenderPattern>() {
                let _ = parsed.matches(&address);
                let _ = parsed.matches(&ReversePath::Null);
                if let SenderPattern::Mailbox(want) = &parsed {
                    prop_assert!(parsed.matches(&ReversePath::Mailbox(want.clone())));
                }
            }
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
