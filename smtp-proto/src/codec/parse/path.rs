//! Paths and addresses: `<>`, `<@relay:user@example.org>`, `"quoted"@[IPv6:::1]`.
//!
//! Hand-written byte loops: `MAIL` and `RCPT` make up most SMTP traffic, and the
//! grammar is flat. Each function parses one ABNF rule at the start of its input and
//! returns the value with the rest of the input, or `None`; the command parser turns
//! `None` into the [`ParseError`](crate::ParseError) of its command.

use std::borrow::Cow;

use crate::types::domain::domain_len;
use crate::types::local_part::local_part_len;
use crate::types::{AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath};

/// The longest path, [RFC 5321 section 4.5.3.1.3](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1.3),
/// brackets included. Longer local parts are accepted as the RFC asks (section
/// 4.5.3.1), as long as the whole path fits.
pub(crate) const MAX_PATH: usize = 256;

/// ```text
/// Reverse-path   = Path / "<>"
/// ```
#[inline]
pub(crate) fn reverse_path(input: &str) -> Option<(ReversePath<'_>, &str)> {
    if let Some(rest) = input.strip_prefix("<>") {
        return Some((ReversePath::Null, rest));
    }
    let (mailbox, rest) = path(input)?;
    Some((ReversePath::Mailbox(mailbox), rest))
}

/// ```text
/// Forward-path   = Path
/// Rcpt           = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///                  Forward-path ) [SP Rcpt-parameters]
/// ```
#[inline]
pub(crate) fn forward_path(input: &str) -> Option<(ForwardPath<'_>, &str)> {
    const POSTMASTER: &str = "<postmaster>";
    // `get` and not indexing: the input is UTF-8 and the cut may fall inside a
    // character.
    if input
        .get(..POSTMASTER.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(POSTMASTER))
    {
        return Some((ForwardPath::Postmaster, &input[POSTMASTER.len()..]));
    }
    let (mailbox, rest) = path(input)?;
    Some((ForwardPath::Mailbox(mailbox), rest))
}

/// ```text
/// Path           = "<" [ A-d-l ":" ] Mailbox ">"
/// A-d-l          = At-domain *( "," At-domain )
/// At-domain      = "@" Domain
/// ```
///
/// The source route is checked and dropped (RFC 5321 section 4.1.2: "SHOULD
/// ignore").
#[inline]
pub(crate) fn path(input: &str) -> Option<(Mailbox<'_>, &str)> {
    let mut rest = input.strip_prefix('<')?;
    if rest.starts_with('@') {
        loop {
            let (_, after) = domain(rest.strip_prefix('@')?)?;
            match after.as_bytes().first()? {
                b',' => rest = &after[1..],
                b':' => {
                    rest = &after[1..];
                    break;
                }
                _ => return None,
            }
        }
    }
    let (mailbox, after) = mailbox(rest)?;
    let rest = after.strip_prefix('>')?;
    if input.len() - rest.len() > MAX_PATH {
        return None;
    }
    Some((mailbox, rest))
}

/// ```text
/// Mailbox        = Local-part "@" ( Domain / address-literal )
/// ```
#[inline]
pub(crate) fn mailbox(input: &str) -> Option<(Mailbox<'_>, &str)> {
    let local_len = local_part_len(input.as_bytes()).ok()?;
    let (local, rest) = input.split_at(local_len);
    let rest = rest.strip_prefix('@')?;
    let (host, rest) = host(rest)?;
    Some((Mailbox::new(LocalPart(Cow::Borrowed(local)), host), rest))
}

/// A domain or an address literal.
#[inline]
pub(crate) fn host(input: &str) -> Option<(Host<'_>, &str)> {
    if input.starts_with('[') {
        let (literal, rest) = address_literal(input)?;
        Some((Host::Literal(literal), rest))
    } else {
        let (domain, rest) = domain(input)?;
        Some((Host::Domain(domain), rest))
    }
}

/// ```text
/// Domain         = sub-domain *("." sub-domain)
/// ```
#[inline]
pub(crate) fn domain(input: &str) -> Option<(Domain<'_>, &str)> {
    let len = domain_len(input.as_bytes());
    if len == 0 || len > Domain::MAX_LEN {
        return None;
    }
    let (domain, rest) = input.split_at(len);
    Some((Domain(Cow::Borrowed(domain)), rest))
}

/// ```text
/// address-literal  = "[" ( IPv4-address-literal / IPv6-address-literal /
///                    General-address-literal ) "]"
/// ```
#[inline]
pub(crate) fn address_literal(input: &str) -> Option<(AddressLiteral<'_>, &str)> {
    let end = input.find(']')? + 1;
    let (literal, rest) = input.split_at(end);
    Some((AddressLiteral::try_from(literal).ok()?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_paths() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("<>", Some(("<>", ""))),
            ("<> SIZE=1", Some(("<>", " SIZE=1"))),
            ("<user@example.org>", Some(("<user@example.org>", ""))),
            (
                "<@relay1.example,@relay2.example:user@example.org> X",
                Some(("<user@example.org>", " X")),
            ),
            ("<\"a b\"@[192.0.2.1]>", Some(("<\"a b\"@[192.0.2.1]>", ""))),
            ("<user@example.org", None),
            ("user@example.org", None),
            ("<user>", None),
            ("<@relay:>", None),
            ("<@relay user@example.org>", None),
            ("<user@@example.org>", None),
            ("<user@example..org>", None),
            ("< user@example.org>", None),
        ];
        for (input, expected) in cases {
            let parsed = reverse_path(input).map(|(path, rest)| (path.to_string(), rest));
            assert_eq!(
                parsed.as_ref().map(|(path, rest)| (path.as_str(), *rest)),
                *expected,
                "{input}"
            );
        }
    }

    #[test]
    fn forward_paths() {
        assert_eq!(
            forward_path("<Postmaster>").unwrap().0,
            ForwardPath::Postmaster
        );
        assert_eq!(
            forward_path("<POSTMASTER> NOTIFY=NEVER").unwrap().1,
            " NOTIFY=NEVER"
        );
        let (path, _) = forward_path("<postmaster@example.org>").unwrap();
        assert_eq!(path.to_string(), "<postmaster@example.org>");
        assert!(forward_path("<>").is_none());
        // A cut at 12 octets falls inside "ü": found by the round-trip property.
        let (path, _) = forward_path("<abcdefgh@bü.example>").unwrap();
        assert_eq!(path.to_string(), "<abcdefgh@bü.example>");
    }

    #[test]
    fn paths_are_bounded() {
        let long = format!("<{}@example.org>", "a".repeat(250));
        assert!(reverse_path(&long).is_none());
        let fits = format!("<{}@example.org>", "a".repeat(200));
        assert!(reverse_path(&fits).is_some());
    }

    #[test]
    fn utf8_addresses() {
        let (path, _) = reverse_path("<jörg@bücher.example>").unwrap();
        assert!(!path.is_ascii());
    }
}
