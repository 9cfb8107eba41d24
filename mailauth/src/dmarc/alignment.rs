//! Organizational domains (RFC 7489 §3.2, with the Public Suffix List from the `psl`
//! crate) and identifier alignment (§3.1).

use crate::dmarc::record::AlignmentMode;

/// The organizational domain of `domain`: its registrable domain (one label below
/// the longest public suffix), or the name itself when it is a public suffix or
/// has no registrable part. Lower case, no trailing dot.
///
/// ```
/// use mailwright_auth::dmarc::organizational_domain;
///
/// assert_eq!(organizational_domain("mail.example.co.uk"), "example.co.uk");
/// assert_eq!(organizational_domain("A.B.Example.COM."), "example.com");
/// assert_eq!(organizational_domain("co.uk"), "co.uk");
/// ```
pub fn organizational_domain(domain: &str) -> String {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    match psl::domain_str(&domain) {
        Some(org) => org.to_owned(),
        None => domain,
    }
}

/// Whether `identifier` (a DKIM `d=` or SPF domain) is aligned with the author
/// domain under `mode`.
pub fn is_aligned(mode: AlignmentMode, author: &str, identifier: &str) -> bool {
    let author = author.trim_end_matches('.');
    let identifier = identifier.trim_end_matches('.');
    match mode {
        AlignmentMode::Strict => author.eq_ignore_ascii_case(identifier),
        AlignmentMode::Relaxed => {
            organizational_domain(author) == organizational_domain(identifier)
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rfc7489_section_3_1_examples() {
        // 3.1.1: relaxed aligns the subdomain, strict does not.
        assert!(is_aligned(
            AlignmentMode::Relaxed,
            "example.com",
            "mail.example.com"
        ));
        assert!(!is_aligned(
            AlignmentMode::Strict,
            "example.com",
            "mail.example.com"
        ));
        assert!(is_aligned(
            AlignmentMode::Strict,
            "Example.COM",
            "example.com."
        ));
        assert!(!is_aligned(
            AlignmentMode::Relaxed,
            "example.com",
            "example.net"
        ));
        // Different registrable domains under a multi-label public suffix.
        assert!(!is_aligned(AlignmentMode::Relaxed, "a.co.uk", "b.co.uk"));
        assert!(is_aligned(AlignmentMode::Relaxed, "x.a.co.uk", "y.a.co.uk"));
        assert_eq!(
            organizational_domain("example.unknowntld"),
            "example.unknowntld"
        );
        assert_eq!(
            organizational_domain("deep.sub.example.unknowntld"),
            "example.unknowntld"
        );
    }

    #[test]
    fn unicode_names_have_an_organizational_domain() {
        // U-labels reach the public-suffix lookup from d= or a From field as they
        // are; the answer is a whole-label suffix of the name.
        for (name, org) in [
            ("mail.bücher.test", "bücher.test"),
            ("ÉXAMPLE.com", "Éxample.com"),
            ("a.b.日本語.jp", "日本語.jp"),
            ("例え.テスト", "例え.テスト"),
            ("привет.рф.", "привет.рф"),
        ] {
            assert_eq!(organizational_domain(name), org, "{name}");
        }
        assert!(is_aligned(
            AlignmentMode::Relaxed,
            "bücher.test",
            "mail.bücher.test"
        ));
        assert!(!is_aligned(
            AlignmentMode::Strict,
            "bücher.test",
            "mail.bücher.test"
        ));
    }

    /// Names mixing ASCII labels, U-labels and odd dots.
    fn name() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[a-z0-9-]{1,8}",
                Just("co.uk".to_owned()),
                Just("bücher".to_owned()),
                Just("日本語".to_owned()),
                Just("рф".to_owned()),
                Just("jp".to_owned()),
                Just(String::new()),
                "\\PC{1,6}",
            ],
            0..5,
        )
        .prop_map(|labels| labels.join("."))
    }

    proptest! {
        #[test]
        fn organizational_domain_is_a_label_suffix(domain in name(), other in name(), dots in "[.]{0,2}") {
            let domain = format!("{domain}{dots}");
            let org = organizational_domain(&domain);
            let lowered = domain.trim_end_matches('.').to_ascii_lowercase();
            prop_assert!(lowered.ends_with(org.as_str()), "{} -> {}", domain, org);
            let cut = lowered.len() - org.len();
            prop_assert!(cut == 0 || lowered.as_bytes()[cut - 1] == b'.', "{} -> {}", domain, org);
            for mode in [AlignmentMode::Strict, AlignmentMode::Relaxed] {
                prop_assert!(is_aligned(mode, &domain, &domain));
                prop_assert_eq!(is_aligned(mode, &domain, &other), is_aligned(mode, &other, &domain));
            }
        }
    }
}
