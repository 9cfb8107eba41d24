use proptest::prelude::*;

use super::*;

#[test]
fn parses_every_mechanism_and_modifier() {
    let text = "v=spf1 +all -include:_spf.example.net ~a ?a:mail.example.com/24//64 mx/28 \
                mx:%{d}/30 ptr ptr:example.org ip4:192.0.2.1 ip4:192.0.2.0/24 ip6:2001:db8::/32 \
                exists:%{ir}.%{v}._spf.%{d2} redirect=_spf.example.com exp=explain.%{d} \
                x-custom=%{l1r-}";
    let record = SpfRecord::parse(text).unwrap();
    assert_eq!(record.directives.len(), 12);
    assert_eq!(record.directives[1].qualifier, Qualifier::Fail);
    assert_eq!(
        record.directives[3].mechanism,
        Mechanism::A {
            domain: Some(MacroString {
                parts: vec![MacroPart::Literal("mail.example.com".into())]
            }),
            cidr4: 24,
            cidr6: 64
        }
    );
    assert!(matches!(
        record.directives[4].mechanism,
        Mechanism::Mx {
            domain: None,
            cidr4: 28,
            cidr6: 128
        }
    ));
    assert!(record.redirect.is_some() && record.exp.is_some());
    assert_eq!(record.unknown_modifiers[0].0, "x-custom");
    // The canonical text parses back to the same record.
    assert_eq!(SpfRecord::parse(&record.to_string()).unwrap(), record);
}

#[test]
fn selection_needs_v_spf1_then_space_or_end() {
    assert!(is_spf_record(b"v=spf1"));
    assert!(is_spf_record(b"V=SPF1 -all"));
    assert!(!is_spf_record(b"v=spf10 -all"));
    assert!(!is_spf_record(b"v=spf1-all"));
    assert!(!is_spf_record(b" v=spf1 -all"));
    assert!(SpfRecord::parse("v=spf1   -all  ").is_ok());
}

#[test]
fn rejects_malformed_records() {
    let cases: &[(&str, SpfParseError)] = &[
        ("spf1 -all", SpfParseError::NotSpf),
        ("v=spf1 -all\t", SpfParseError::InvalidCharacter),
        ("v=spf1 include:é.example", SpfParseError::InvalidCharacter),
        ("v=spf1 foo", SpfParseError::UnknownTerm),
        ("v=spf1 all:x", SpfParseError::UnknownTerm),
        ("v=spf1 include", SpfParseError::UnknownTerm),
        ("v=spf1 include:", SpfParseError::InvalidDomainSpec),
        ("v=spf1 a:museum", SpfParseError::InvalidDomainSpec),
        ("v=spf1 a:museum.", SpfParseError::InvalidDomainSpec),
        ("v=spf1 a:111.222.33.44", SpfParseError::InvalidDomainSpec),
        ("v=spf1 a:abc.123", SpfParseError::InvalidDomainSpec),
        ("v=spf1 a:example.-com", SpfParseError::InvalidDomainSpec),
        (
            "v=spf1 exists:%{x}.example.com",
            SpfParseError::InvalidMacro,
        ),
        (
            "v=spf1 exists:%{d0}.example.com",
            SpfParseError::InvalidMacro,
        ),
        ("v=spf1 exists:%{d}%", SpfParseError::InvalidMacro),
        ("v=spf1 exists:%{d", SpfParseError::InvalidMacro),
        (
            "v=spf1 exists:%{d*}.example.com",
            SpfParseError::InvalidMacro,
        ),
        (
            "v=spf1 exists:%{c}.example.com",
            SpfParseError::ExpOnlyMacro,
        ),
        ("v=spf1 ip4:192.0.2.1/33", SpfParseError::InvalidCidr),
        ("v=spf1 ip4:192.0.2.1/024", SpfParseError::InvalidCidr),
        ("v=spf1 ip4:192.0.2.1/", SpfParseError::InvalidCidr),
        ("v=spf1 ip6:::1/129", SpfParseError::InvalidCidr),
        ("v=spf1 a/33", SpfParseError::InvalidCidr),
        ("v=spf1 a//129", SpfParseError::InvalidCidr),
        ("v=spf1 ip4:1.2.3", SpfParseError::InvalidIp),
        ("v=spf1 ip4:2001:db8::1", SpfParseError::InvalidIp),
        ("v=spf1 ip6:192.0.2.1", SpfParseError::InvalidIp),
        (
            "v=spf1 redirect=a.example redirect=b.example",
            SpfParseError::DuplicateModifier,
        ),
        (
            "v=spf1 exp=a.example exp=b.example",
            SpfParseError::DuplicateModifier,
        ),
        ("v=spf1 redirect=", SpfParseError::InvalidDomainSpec),
    ];
    for (text, err) in cases {
        assert_eq!(SpfRecord::parse(text), Err(*err), "{text}");
    }
}

#[test]
fn toplabels_follow_the_abnf() {
    for ok in ["com", "c0m", "x-1", "1-x", "123-456", "a"] {
        assert!(toplabel(ok), "{ok}");
    }
    for bad in ["", "123", "-com", "com-", "c_m"] {
        assert!(!toplabel(bad), "{bad}");
    }
}

fn literal() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9.-]{0,12}"
}

fn domain_spec_value() -> BoxedStrategy<MacroString> {
    let letter = prop_oneof![
        Just(MacroLetter::Sender),
        Just(MacroLetter::Local),
        Just(MacroLetter::SenderDomain),
        Just(MacroLetter::Domain),
        Just(MacroLetter::Ip),
        Just(MacroLetter::ValidatedName),
        Just(MacroLetter::IpVersion),
        Just(MacroLetter::Helo),
    ];
    let mac = (
        letter,
        any::<bool>(),
        proptest::option::of(1u8..=255),
        any::<bool>(),
        "[.+,/_=-]{0,3}",
    )
        .prop_map(|(letter, url_escape, keep, reverse, delimiters)| {
            MacroPart::Macro(Macro {
                letter,
                url_escape,
                keep,
                reverse,
                delimiters,
            })
        });
    let head = proptest::collection::vec(
        prop_oneof![
            literal().prop_map(MacroPart::Literal),
            mac.clone(),
            Just(MacroPart::Percent),
            Just(MacroPart::Space),
            Just(MacroPart::UrlSpace),
        ],
        0..4,
    );
    let end = prop_oneof![
        "[a-z]{1,5}".prop_map(|top| MacroPart::Literal(format!(".example.{top}"))),
        mac,
    ];
    (head, end)
        .prop_map(|(mut parts, end)| {
            parts.push(end);
            // Adjacent literals merge when parsed; build the canonical form.
            let mut merged: Vec<MacroPart> = Vec::new();
            for part in parts {
                match (merged.last_mut(), part) {
                    (Some(MacroPart::Literal(prev)), MacroPart::Literal(next)) => {
                        prev.push_str(&next)
                    }
                    (_, part) => merged.push(part),
                }
            }
            MacroString { parts: merged }
        })
        .boxed()
}

fn mechanism_value() -> impl Strategy<Value = Mechanism> {
    let spec = domain_spec_value();
    prop_oneof![
        Just(Mechanism::All),
        spec.clone().prop_map(Mechanism::Include),
        spec.clone().prop_map(Mechanism::Exists),
        proptest::option::of(spec.clone()).prop_map(Mechanism::Ptr),
        (proptest::option::of(spec.clone()), 0u8..=32, 0u8..=128).prop_map(
            |(domain, cidr4, cidr6)| Mechanism::A {
                domain,
                cidr4,
                cidr6
            }
        ),
        (proptest::option::of(spec), 0u8..=32, 0u8..=128).prop_map(|(domain, cidr4, cidr6)| {
            Mechanism::Mx {
                domain,
                cidr4,
                cidr6,
            }
        }),
        (any::<[u8; 4]>(), 0u8..=32).prop_map(|(a, prefix)| Mechanism::Ip4 {
            addr: a.into(),
            prefix
        }),
        (any::<[u8; 16]>(), 0u8..=128).prop_map(|(a, prefix)| Mechanism::Ip6 {
            addr: a.into(),
            prefix
        }),
    ]
}

fn record_value() -> impl Strategy<Value = SpfRecord> {
    let qualifier = prop_oneof![
        Just(Qualifier::Pass),
        Just(Qualifier::Fail),
        Just(Qualifier::SoftFail),
        Just(Qualifier::Neutral),
    ];
    (
        proptest::collection::vec((qualifier, mechanism_value()), 0..6),
        proptest::option::of(domain_spec_value()),
        proptest::option::of(domain_spec_value()),
    )
        .prop_map(|(directives, redirect, exp)| {
            let mut record = SpfRecord::new(
                directives
                    .into_iter()
                    .map(|(qualifier, mechanism)| Directive {
                        qualifier,
                        mechanism,
                    })
                    .collect(),
            );
            record.redirect = redirect;
            record.exp = exp;
            record
        })
}

proptest! {
    #[test]
    fn encode_then_parse_round_trips(record in record_value()) {
        let text = record.to_string();
        prop_assert_eq!(SpfRecord::parse(&text), Ok(record), "{}", text);
    }

    #[test]
    fn arbitrary_text_never_panics_and_reparses(text in "v=spf1( [-+~?]?[a-z0-9:/.%{}=_-]{0,20}){0,6}") {
        if let Ok(record) = SpfRecord::parse(&text) {
            prop_assert_eq!(SpfRecord::parse(&record.to_string()), Ok(record));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = SpfRecord::parse(&text);
        let _ = SpfRecord::parse(&format!("v=spf1 {text}"));
    }
}

/// Pieces of SPF syntax and multi-byte characters, to be glued together: the
/// parser meets UTF-8 where it expects a term, a macro letter, a transformer, a
/// delimiter or a domain.
fn spf_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" ".to_owned()),
        Just("include:".to_owned()),
        Just("exists:".to_owned()),
        Just("a:".to_owned()),
        Just("mx/".to_owned()),
        Just("ip4:192.0.2.1/".to_owned()),
        Just("ip6:2001:db8::/".to_owned()),
        Just("redirect=".to_owned()),
        Just("exp=".to_owned()),
        Just("%{".to_owned()),
        Just("}".to_owned()),
        Just("%%".to_owned()),
        Just("%_".to_owned()),
        Just(".example.com".to_owned()),
        "[slodiphcrtvSLODIPHCRTV]",
        "[0-9]{1,3}",
        "[rR]",
        "[.+,/_=-]{1,3}",
        Just("日本語の件名テスト #2".to_owned()),
        Just("Привет".to_owned()),
        Just("bücher".to_owned()),
        Just("é".to_owned()),
        Just("😀".to_owned()),
        "\\PC{1,4}",
    ]
}

proptest! {
    #[test]
    fn unicode_in_records_is_refused_without_panic(
        pieces in proptest::collection::vec(spf_piece(), 0..12),
    ) {
        let text = format!("v=spf1 {}", pieces.concat());
        match SpfRecord::parse(&text) {
            Ok(record) => {
                // Only printable ASCII gets through, and it prints back the same.
                prop_assert!(text.is_ascii(), "{}", text);
                prop_assert_eq!(SpfRecord::parse(&record.to_string()), Ok(record));
            }
            Err(err) => {
                if !text.is_ascii() {
                    prop_assert_eq!(err, SpfParseError::InvalidCharacter, "{}", text);
                }
            }
        }
    }

    #[test]
    fn any_string_never_panics(text in any::<String>()) {
        for candidate in [text.clone(), format!("v=spf1 {text}"), format!("v=spf1 include:{text}")] {
            if let Ok(record) = SpfRecord::parse(&candidate) {
                prop_assert!(candidate.is_ascii());
                prop_assert_eq!(SpfRecord::parse(&record.to_string()), Ok(record));
            }
        }
    }

    #[test]
    fn explanation_strings_with_unicode_parse_or_fail_cleanly(
        pieces in proptest::collection::vec(spf_piece(), 0..12),
    ) {
        // exp= text comes from DNS as UTF-8: macros and literals are ASCII only.
        let text = pieces.concat();
        for context in [MacroContext::Explanation, MacroContext::Unknown, MacroContext::DomainSpec] {
            if let Ok(parsed) = macro_string(&text, context) {
                prop_assert!(text.is_ascii(), "{}", text);
                prop_assert_eq!(macro_string(&parsed.to_string(), context), Ok(parsed));
            }
        }
        let _ = domain_spec(&text);
    }
}
