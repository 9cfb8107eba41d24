//! Macro expansion (RFC 7208 §7): pure, no DNS. The `p` macro's validated name is
//! looked up by the evaluator beforehand and passed in.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::spf::record::{Macro, MacroLetter, MacroPart, MacroString};

/// The values macros expand to.
#[derive(Clone, Debug)]
pub(crate) struct MacroEnv<'a> {
    /// `s`: `local@domain`.
    pub(crate) sender: &'a str,
    /// `l`.
    pub(crate) local: &'a str,
    /// `o`.
    pub(crate) sender_domain: &'a str,
    /// `d`.
    pub(crate) domain: &'a str,
    /// `i`, `c`, `v`.
    pub(crate) ip: IpAddr,
    /// `h`.
    pub(crate) helo: &'a str,
    /// `r`.
    pub(crate) receiver: &'a str,
    /// `t`.
    pub(crate) now: u64,
    /// `p`, looked up beforehand when the string uses it.
    pub(crate) validated_name: Option<&'a str>,
}

impl MacroString {
    /// Whether the string uses the `p` macro (which needs a PTR lookup first).
    pub(crate) fn uses_validated_name(&self) -> bool {
        self.parts.iter().any(
            |part| matches!(part, MacroPart::Macro(m) if m.letter == MacroLetter::ValidatedName),
        )
    }
}

impl MacroString {
    /// The name a domain-spec stands for when it is plain text already in the form
    /// [`expand_domain`] and lower-casing would give (no macro, no capital, no final
    /// dot, at most 253 bytes): it can be used without building a new string.
    pub(crate) fn as_plain_domain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [MacroPart::Literal(text)]
                if text.len() <= 253
                    && !text.ends_with('.')
                    && !text.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                Some(text)
            }
            _ => None,
        }
    }
}

/// Expands a macro-string to text.
pub(crate) fn expand(spec: &MacroString, env: &MacroEnv<'_>) -> String {
    let mut out = String::new();
    for part in &spec.parts {
        match part {
            MacroPart::Literal(text) => out.push_str(text),
            MacroPart::Percent => out.push('%'),
            MacroPart::Space => out.push(' '),
            MacroPart::UrlSpace => out.push_str("%20"),
            MacroPart::Macro(m) => expand_macro(m, env, &mut out),
        }
    }
    out
}

/// Expands a domain-spec and cuts it to a usable name: a trailing dot dropped, and
/// labels removed from the left until it is at most 253 bytes (RFC 7208 §7.3).
pub(crate) fn expand_domain(spec: &MacroString, env: &MacroEnv<'_>) -> String {
    let mut expanded = expand(spec, env);
    if expanded.ends_with('.') {
        expanded.pop();
    }
    let mut cut = 0;
    while expanded.len() - cut > 253 {
        match expanded[cut..].find('.') {
            Some(dot) => cut += dot + 1,
            None => break,
        }
    }
    expanded.drain(..cut);
    expanded
}

fn expand_macro(m: &Macro, env: &MacroEnv<'_>, out: &mut String) {
    if m.keep.is_none() && !m.reverse && m.delimiters.is_empty() && !m.url_escape {
        // No transformer: the value as it is, written in place.
        return write_value(m.letter, env, out);
    }
    let mut value = String::new();
    write_value(m.letter, env, &mut value);
    let delimiters = match m.delimiters.as_str() {
        "" => ".",
        d => d,
    };
    let mut parts: Vec<&str> = value.split(|c| delimiters.contains(c)).collect();
    if m.reverse {
        parts.reverse();
    }
    if let Some(keep) = m.keep {
        let keep = usize::from(keep);
        if keep < parts.len() {
            parts.drain(..parts.len() - keep);
        }
    }
    let joined = parts.join(".");
    match m.url_escape {
        true => url_escape(&joined, out),
        false => out.push_str(&joined),
    }
}

/// Appends the untransformed value of a macro letter.
fn write_value(letter: MacroLetter, env: &MacroEnv<'_>, out: &mut String) {
    match letter {
        MacroLetter::Sender => out.push_str(env.sender),
        MacroLetter::Local => out.push_str(env.local),
        MacroLetter::SenderDomain => out.push_str(env.sender_domain),
        MacroLetter::Domain => out.push_str(env.domain),
        MacroLetter::Helo => out.push_str(env.helo),
        MacroLetter::Receiver => out.push_str(env.receiver),
        MacroLetter::Timestamp => {
            let _ = write!(out, "{}", env.now);
        }
        MacroLetter::ValidatedName => out.push_str(env.validated_name.unwrap_or("unknown")),
        MacroLetter::IpVersion => out.push_str(match env.ip {
            IpAddr::V4(_) => "in-addr",
            IpAddr::V6(_) => "ip6",
        }),
        MacroLetter::ClientIp => {
            let _ = write!(out, "{}", env.ip);
        }
        MacroLetter::Ip => match env.ip {
            IpAddr::V4(ip) => {
                let _ = write!(out, "{ip}");
            }
            IpAddr::V6(ip) => {
                for (i, byte) in ip.octets().into_iter().enumerate() {
                    for (j, nibble) in [byte >> 4, byte & 0x0f].into_iter().enumerate() {
                        if i + j > 0 {
                            out.push('.');
                        }
                        out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                    }
                }
            }
        },
    }
}

/// URL-escapes everything but the RFC 3986 unreserved characters.
fn url_escape(text: &str, out: &mut String) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::spf::parse::{MacroContext, macro_string};

    /// RFC 7208 §7.4 examples.
    #[test]
    fn rfc7208_section_7_4_examples() {
        let env4 = MacroEnv {
            sender: "strong-bad@email.example.com",
            local: "strong-bad",
            sender_domain: "email.example.com",
            domain: "email.example.com",
            ip: "192.0.2.3".parse().unwrap(),
            helo: "mx.example.org",
            receiver: "mx.example.org",
            now: 1_700_000_000,
            validated_name: None,
        };
        let cases = [
            ("%{s}", "strong-bad@email.example.com"),
            ("%{o}", "email.example.com"),
            ("%{d}", "email.example.com"),
            ("%{d4}", "email.example.com"),
            ("%{d3}", "email.example.com"),
            ("%{d2}", "example.com"),
            ("%{d1}", "com"),
            ("%{dr}", "com.example.email"),
            ("%{d2r}", "example.email"),
            ("%{l}", "strong-bad"),
            ("%{l-}", "strong.bad"),
            ("%{lr}", "strong-bad"),
            ("%{lr-}", "bad.strong"),
            ("%{l1r-}", "strong"),
            (
                "%{ir}.%{v}._spf.%{d2}",
                "3.2.0.192.in-addr._spf.example.com",
            ),
            ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
            (
                "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
                "bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
            ),
            (
                "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
                "3.2.0.192.in-addr.strong.lp._spf.example.com",
            ),
            (
                "%{d2}.trusted-domains.example.net",
                "example.com.trusted-domains.example.net",
            ),
            ("%%%_%-", "% %20"),
            ("%{S}", "strong-bad%40email.example.com"),
            ("%{t}", "1700000000"),
            ("%{p}", "unknown"),
        ];
        for (spec, expected) in cases {
            let parsed = macro_string(spec, MacroContext::Explanation).unwrap();
            assert_eq!(expand(&parsed, &env4), expected, "{spec}");
        }
        let env6 = MacroEnv {
            ip: "2001:db8::cb01".parse().unwrap(),
            ..env4
        };
        let parsed = macro_string("%{ir}.%{v}._spf.%{d2}", MacroContext::DomainSpec).unwrap();
        assert_eq!(
            expand(&parsed, &env6),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
        let c = macro_string("%{c}", MacroContext::Explanation).unwrap();
        assert_eq!(expand(&c, &env6), "2001:db8::cb01");
    }

    #[test]
    fn long_names_lose_labels_on_the_left() {
        let long = format!("{}.example.com", "abcdefghi.".repeat(30));
        let env = MacroEnv {
            sender: "a@b.example",
            local: "a",
            sender_domain: "b.example",
            domain: &long,
            ip: "192.0.2.3".parse().unwrap(),
            helo: "h.example",
            receiver: "r.example",
            now: 0,
            validated_name: None,
        };
        let spec = macro_string("%{d}.", MacroContext::DomainSpec).unwrap();
        let name = expand_domain(&spec, &env);
        assert!(name.len() <= 253);
        assert!(name.ends_with(".example.com") && name.starts_with("abcdefghi."));
    }

    fn env<'a>(local: &'a str, domain: &'a str, helo: &'a str, sender: &'a str) -> MacroEnv<'a> {
        MacroEnv {
            sender,
            local,
            sender_domain: domain,
            domain,
            ip: "192.0.2.3".parse().unwrap(),
            helo,
            receiver: "r.example",
            now: 0,
            validated_name: Some(helo),
        }
    }

    #[test]
    fn multibyte_values_expand_without_panic() {
        // A local-part, domain and HELO name in UTF-8 (SMTPUTF8 senders, a forged
        // HELO), through every transformer and the 253-octet cut.
        let long = "日本語の件名テスト.".repeat(20);
        for (local, domain) in [
            ("Привет", "bücher.test"),
            ("日本語の件名テスト #2", "例え.テスト"),
            (long.as_str(), long.as_str()),
            ("é-é+é", "ü"),
        ] {
            let sender = format!("{local}@{domain}");
            let env = env(local, domain, domain, &sender);
            for spec in [
                "%{l}",
                "%{L}",
                "%{l-}",
                "%{l1r-}",
                "%{s}",
                "%{S}",
                "%{d2r}",
                "%{d1}",
                "%{o}",
                "%{h2}",
                "%{p}",
                "%{D200r.-}",
                "%{l}.%{d}.",
            ] {
                let parsed = macro_string(spec, MacroContext::Explanation).unwrap();
                let text = expand(&parsed, &env);
                if spec.chars().any(|c| c.is_ascii_uppercase()) {
                    assert!(text.is_ascii(), "{spec}: {text}");
                }
                let name = expand_domain(&parsed, &env);
                assert!(name.len() <= 253 || !name.contains('.'), "{spec}: {name}");
            }
        }
    }

    /// A macro as written in a record: letter (either case), digits, `r`, delimiters.
    fn macro_spec() -> impl Strategy<Value = String> {
        (
            "[slodiphcrtvSLODIPHCRTV]",
            proptest::option::of(1u16..300),
            any::<bool>(),
            "[.+,/_=-]{0,3}",
        )
            .prop_map(|(letter, keep, reverse, delimiters)| {
                let keep = keep.map(|k| k.to_string()).unwrap_or_default();
                let r = if reverse { "r" } else { "" };
                format!("%{{{letter}{keep}{r}{delimiters}}}")
            })
    }

    /// Values with dots, delimiters and multi-byte characters.
    fn value() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just(".".to_owned()),
                Just("-".to_owned()),
                Just("+".to_owned()),
                Just("Привет".to_owned()),
                Just("bücher".to_owned()),
                Just("日本語".to_owned()),
                "[a-z]{1,70}",
                "\\PC{1,8}",
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn expansion_of_unicode_values_is_bounded(
            specs in proptest::collection::vec(prop_oneof![macro_spec(), Just(".".to_owned()), "[a-z]{1,5}"], 1..5),
            local in value(),
            domain in value(),
            helo in value(),
        ) {
            let sender = format!("{local}@{domain}");
            let env = env(&local, &domain, &helo, &sender);
            let text = specs.concat();
            let parsed = macro_string(&text, MacroContext::Explanation).unwrap();
            let expanded = expand(&parsed, &env);
            let name = expand_domain(&parsed, &env);
            // The name is the expansion (less one final dot) cut on the left at a
            // label boundary, to at most 253 octets unless one label is longer.
            let whole = expanded.strip_suffix('.').unwrap_or(&expanded);
            prop_assert!(whole.ends_with(name.as_str()));
            let cut = whole.len() - name.len();
            prop_assert!(cut == 0 || whole.as_bytes()[cut - 1] == b'.');
            prop_assert!(name.len() <= 253 || !name.contains('.'), "{}", name);
            // A single macro with a digit transformer and the default delimiter
            // keeps at most that many labels; an upper-case letter escapes to ASCII.
            if let [MacroPart::Macro(m)] = parsed.parts.as_slice() {
                if let (Some(keep), "") = (m.keep, m.delimiters.as_str()) {
                    prop_assert!(expanded.split('.').count() <= usize::from(keep));
                }
                if m.url_escape {
                    prop_assert!(expanded.is_ascii());
                }
            }
        }
    }
}
