//! The author domains: the domains of the RFC5322.From addresses (RFC 7489 §3.1,
//! §6.6.1).

use crate::dkim::header::{fields, split_message};
use crate::dns::normalize_name;

/// The most addresses read from the From fields of one message.
const MAX_ADDRESSES: usize = 50;

/// The domains of every address in every From field of `message` (or of its header
/// section alone), lower case, in order, without duplicates. Display names,
/// comments, quoted strings and groups are understood; addresses without a valid
/// domain are skipped.
///
/// ```
/// use mailwright_auth::dmarc::author_domains;
///
/// let message = b"From: \"Doe, John\" <john@Example.COM>, (c) jane@example.org\r\n\r\n";
/// assert_eq!(author_domains(message), ["example.com", "example.org"]);
/// ```
pub fn author_domains(message: &[u8]) -> Vec<String> {
    let (headers, _) = split_message(message);
    let mut domains: Vec<String> = Vec::new();
    for field in fields(headers).iter().filter(|f| f.is("from")) {
        for address in addresses(field.value).into_iter().take(MAX_ADDRESSES) {
            let Some((_, domain)) = address.rsplit_once('@') else {
                continue;
            };
            if let Ok(domain) = normalize_name(domain.trim())
                && !domains.contains(&domain)
            {
                domains.push(domain);
            }
        }
    }
    domains
}

/// The addr-specs of an address-list, comments and display names removed.
fn addresses(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut angle: Option<Vec<u8>> = None;
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    let mut finish = |current: &mut Vec<u8>, angle: &mut Option<Vec<u8>>| {
        let spec = angle.take().unwrap_or_else(|| std::mem::take(current));
        current.clear();
        let text: String = String::from_utf8_lossy(&spec)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !text.is_empty() {
            out.push(text);
        }
    };
    for &b in value {
        if escaped {
            escaped = false;
            if let Some(a) = angle.as_mut() {
                a.push(b);
            } else if !quoted || depth == 0 {
                current.push(b);
            }
            continue;
        }
        match b {
            b'\\' if quoted || depth > 0 => escaped = true,
            b'(' if !quoted => depth += 1,
            b')' if !quoted && depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            b'"' => quoted = !quoted,
            _ if quoted => {}
            b'<' => angle = Some(Vec::new()),
            b'>' => {}
            // A group's name ends at ':'; its list at ';'.
            b':' if angle.is_none() => current.clear(),
            b',' | b';' => finish(&mut current, &mut angle),
            _ => match angle.as_mut() {
                Some(a) => a.push(b),
                None => current.push(b),
            },
        }
    }
    finish(&mut current, &mut angle);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn finds_author_domains() {
        let cases: &[(&[u8], &[&str])] = &[
            (b"From: joe@example.com\r\n\r\n", &["example.com"]),
            (b"From: Joe <joe@a.example.com>\r\n\r\n", &["a.example.com"]),
            (
                b"From: \"x@evil.example, y\" <joe@good.example>\r\n\r\n",
                &["good.example"],
            ),
            (
                b"From: joe(comment@evil.example)@good.example\r\n\r\n",
                &["good.example"],
            ),
            (
                b"From: a@one.example,\r\n b@two.example\r\n\r\n",
                &["one.example", "two.example"],
            ),
            (
                b"From: team: a@one.example, b@one.example;\r\n\r\n",
                &["one.example"],
            ),
            (
                b"From: a@x.example\r\nFrom: b@y.example\r\n\r\n",
                &["x.example", "y.example"],
            ),
            (b"From: undisclosed\r\n\r\n", &[]),
            (b"To: a@x.example\r\n\r\n", &[]),
            (b"From: <@bad..domain>\r\n\r\n", &[]),
            (
                b"From: =?UTF-8?Q?J=C3=B6rg?= <j\xc3\xb6rg@example.de>\r\n\r\n",
                &["example.de"],
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(
                author_domains(message),
                *expected,
                "{}",
                String::from_utf8_lossy(message)
            );
        }
    }

    #[test]
    fn unicode_display_names_and_u_labels() {
        let cases: &[(&str, &[&str])] = &[
            ("From: \"Jöhn\" <x@bücher.test>\r\n\r\n", &[]),
            ("From: \"Jöhn\" <x@example.com>\r\n\r\n", &["example.com"]),
            (
                "From: Привет <привет@example.com>\r\n\r\n",
                &["example.com"],
            ),
            (
                "From: 日本語の件名テスト #2 <a@b.example>\r\n\r\n",
                &["b.example"],
            ),
            (
                "From: =?UTF-8?B?5pel5pys6Kqe?= <a@xn--bcher-kva.test>\r\n\r\n",
                &["xn--bcher-kva.test"],
            ),
            (
                "From: jöhn@bücher.test, x@y.example\r\n\r\n",
                &["y.example"],
            ),
            ("From: (Привет) a@c.example (日本)\r\n\r\n", &["c.example"]),
        ];
        for (message, expected) in cases {
            assert_eq!(author_domains(message.as_bytes()), *expected, "{message}");
        }
    }

    /// A display name: UTF-8, quoted (with quoted-pairs) or as an encoded word.
    fn display() -> impl Strategy<Value = String> {
        prop_oneof![
            "[^\"\\\\\r\n]{0,12}".prop_map(|d| format!("\"{d}\"")),
            "[^\"\\\\\r\n]{0,6}".prop_map(|d| format!("\"{d}\\\"{d}\\\\\"")),
            Just("=?UTF-8?Q?J=C3=B6rg?=".to_owned()),
            Just("Jöhn Dœ".to_owned()),
            Just(String::new()),
        ]
    }

    /// A local-part without the bytes that structure an address.
    fn local() -> impl Strategy<Value = String> {
        "[^\"\\\\()<>,;:@\\s\\[\\]]{1,12}"
    }

    proptest! {
        #[test]
        fn author_domains_of_unicode_from_fields(
            display in display(),
            local in local(),
            ascii in proptest::collection::vec("[a-z0-9]{1,10}", 2..4).prop_map(|l| l.join(".")),
            u_label in "(bücher|日本語|привет)\\.test",
            use_ascii in any::<bool>(),
        ) {
            let domain = if use_ascii { ascii.clone() } else { u_label };
            let message = format!("From: {display} <{local}@{domain}>\r\n\r\nbody\r\n");
            let found = author_domains(message.as_bytes());
            // The ASCII domain is found; a U-label is not a valid DNS name.
            match use_ascii {
                true => prop_assert_eq!(found, vec![ascii], "{}", message),
                false => prop_assert!(found.is_empty(), "{}", message),
            }
        }

        #[test]
        fn any_from_field_gives_normalized_domains(value in "\\PC{0,80}", text in any::<String>()) {
            for value in [value, text] {
                let message = format!("From: {value}\r\nFrom: {value}\r\n\r\n");
                let found = author_domains(message.as_bytes());
                prop_assert!(found.len() <= 2 * MAX_ADDRESSES);
                for (i, domain) in found.iter().enumerate() {
                    prop_assert_eq!(normalize_name(domain), Ok(domain.clone()));
                    prop_assert!(!found[..i].contains(domain));
                }
            }
        }
    }
}
