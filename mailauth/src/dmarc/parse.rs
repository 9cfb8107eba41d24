//! The DMARC record parser (RFC 7489 §6.3, §6.4).
//!
//! As §6.3 says, syntax errors in optional tags are ignored in favour of defaults;
//! a record is refused only when `v=DMARC1` is not its first tag, or when `p=` is
//! missing or invalid (a missing `p=` with a valid `rua=` reads as `p=none`, §6.6.3).

use crate::dkim::parse::{TagListError, tag_list};
use crate::dmarc::record::{AlignmentMode, DmarcRecord, FailureOptions, Policy};

/// Why a DMARC record is refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DmarcParseError {
    /// The tag-list is malformed.
    #[error("malformed tag list: {0}")]
    TagList(#[from] TagListError),
    /// The first tag is not `v=DMARC1`.
    #[error("not a DMARC record (v=DMARC1 must come first)")]
    NotDmarc,
    /// `p=` is invalid, or missing without a usable `rua=`.
    #[error("missing or invalid p= tag")]
    InvalidPolicy,
}

/// Whether a TXT record's text is a DMARC record candidate (starts with `v=DMARC1`).
pub fn is_dmarc_record(text: &[u8]) -> bool {
    let text = text.strip_prefix(b"v").unwrap_or(b"");
    let text = trim_wsp(text);
    let Some(text) = text.strip_prefix(b"=") else {
        return false;
    };
    let text = trim_wsp(text);
    text.starts_with(b"DMARC1")
        && text[6..]
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t'))
            .is_none_or(|&b| b == b';')
}

fn trim_wsp(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(text.len());
    &text[start..]
}

impl DmarcRecord {
    /// Parses a DMARC record.
    ///
    /// ```
    /// use mailwright_auth::dmarc::{DmarcRecord, Policy};
    ///
    /// let record = DmarcRecord::parse(b"v=DMARC1; p=reject; sp=none; pct=50; rua=mailto:d@example.com").unwrap();
    /// assert_eq!(record.policy, Policy::Reject);
    /// assert_eq!(record.subdomain_policy, Some(Policy::None));
    /// assert_eq!(record.percent, 50);
    /// ```
    ///
    /// # Errors
    ///
    /// [`DmarcParseError`].
    pub fn parse(text: &[u8]) -> Result<Self, DmarcParseError> {
        let tags = tag_list(text)?;
        match tags.first() {
            Some(&("v", "DMARC1")) => {}
            _ => return Err(DmarcParseError::NotDmarc),
        }
        let get = |name: &str| {
            tags.iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        let uris = |name: &str| -> Vec<String> {
            get(name)
                .map(|v| {
                    v.split(',')
                        .map(|u| u.trim().to_owned())
                        .filter(|u| valid_uri(u))
                        .collect()
                })
                .unwrap_or_default()
        };
        let rua = uris("rua");
        let policy = match get("p") {
            Some(p) => Policy::from_name(p).ok_or(DmarcParseError::InvalidPolicy)?,
            None if !rua.is_empty() => Policy::None,
            None => return Err(DmarcParseError::InvalidPolicy),
        };
        let mut record = Self::new(policy);
        record.rua = rua;
        record.ruf = uris("ruf");
        record.subdomain_policy = get("sp").and_then(Policy::from_name);
        if let Some(pct) = get("pct")
            .and_then(|v| v.parse::<u8>().ok())
            .filter(|p| *p <= 100)
        {
            record.percent = pct;
        }
        let mode = |name: &str| match get(name) {
            Some(v) if v.eq_ignore_ascii_case("s") => AlignmentMode::Strict,
            _ => AlignmentMode::Relaxed,
        };
        record.adkim = mode("adkim");
        record.aspf = mode("aspf");
        if let Some(ri) = get("ri").and_then(|v| v.parse::<u32>().ok()) {
            record.report_interval = ri;
        }
        if let Some(fo) = get("fo") {
            let mut options = FailureOptions::default();
            for flag in fo.split(':').map(str::trim) {
                match flag {
                    "0" => options.all_fail = true,
                    "1" => options.any_fail = true,
                    "d" | "D" => options.dkim = true,
                    "s" | "S" => options.spf = true,
                    _ => {}
                }
            }
            if options != FailureOptions::default() {
                record.failure_options = options;
            }
        }
        if let Some(rf) = get("rf") {
            let formats: Vec<String> = rf
                .split(':')
                .map(|f| f.trim().to_ascii_lowercase())
                .filter(|f| !f.is_empty())
                .collect();
            if !formats.is_empty() {
                record.report_formats = formats;
            }
        }
        Ok(record)
    }
}

/// `dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]`: a scheme, a colon,
/// and no whitespace or commas.
fn valid_uri(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        && !uri.contains(|c: char| c.is_whitespace() || c == ',' || c == ';')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parses_records() {
        let record = DmarcRecord::parse(
            b"v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=r; pct=20; \
              rua=mailto:a@example.com, mailto:b@example.net!10m; ruf=mailto:f@example.com; \
              fo=1:d; rf=afrf; ri=3600",
        )
        .unwrap();
        assert_eq!(record.policy, Policy::Quarantine);
        assert_eq!(record.subdomain_policy, Some(Policy::Reject));
        assert_eq!(record.adkim, AlignmentMode::Strict);
        assert_eq!(record.aspf, AlignmentMode::Relaxed);
        assert_eq!(record.percent, 20);
        assert_eq!(
            record.rua,
            ["mailto:a@example.com", "mailto:b@example.net!10m"]
        );
        assert!(record.failure_options.any_fail && record.failure_options.dkim);
        assert!(!record.failure_options.all_fail);
        assert_eq!(record.report_interval, 3600);
        assert_eq!(
            DmarcRecord::parse(record.to_string().as_bytes()).unwrap(),
            record
        );
    }

    #[test]
    fn defaults_and_refusals() {
        let record = DmarcRecord::parse(b"v=DMARC1; p=none").unwrap();
        assert_eq!(record, DmarcRecord::new(Policy::None));
        // Bad optional values fall back to defaults.
        let lenient =
            DmarcRecord::parse(b"v=DMARC1; p=reject; pct=300; adkim=x; sp=bogus; ri=x").unwrap();
        assert_eq!(lenient, DmarcRecord::new(Policy::Reject));
        // A missing p= with a valid rua= reads as p=none.
        let rua = DmarcRecord::parse(b"v=DMARC1; rua=mailto:r@example.com").unwrap();
        assert_eq!(rua.policy, Policy::None);
        let cases: &[(&[u8], DmarcParseError)] = &[
            (b"p=none; v=DMARC1", DmarcParseError::NotDmarc),
            (b"v=DMARC2; p=none", DmarcParseError::NotDmarc),
            (b"v=DMARC1; p=block", DmarcParseError::InvalidPolicy),
            (b"v=DMARC1; rua=nonsense", DmarcParseError::InvalidPolicy),
            (
                b"v=DMARC1; p=none; p=reject",
                DmarcParseError::TagList(TagListError::DuplicateTag),
            ),
        ];
        for (text, err) in cases {
            assert_eq!(DmarcRecord::parse(text), Err(*err));
        }
        assert!(is_dmarc_record(b"v=DMARC1; p=none"));
        assert!(is_dmarc_record(b"v = DMARC1"));
        assert!(!is_dmarc_record(b"v=DMARC10; p=none"));
        assert!(!is_dmarc_record(b"v=spf1 -all"));
    }

    fn policy() -> impl Strategy<Value = Policy> {
        prop_oneof![
            Just(Policy::None),
            Just(Policy::Quarantine),
            Just(Policy::Reject)
        ]
    }

    fn mode() -> impl Strategy<Value = AlignmentMode> {
        prop_oneof![Just(AlignmentMode::Relaxed), Just(AlignmentMode::Strict)]
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(
            p in policy(),
            sp in proptest::option::of(policy()),
            percent in 0u8..=100,
            (adkim, aspf) in (mode(), mode()),
            rua in proptest::collection::vec("mailto:[a-z]{1,8}@[a-z]{1,8}\\.com(![0-9]{1,3}[kmgt]?)?", 0..3),
            ruf in proptest::collection::vec("mailto:[a-z]{1,8}@[a-z]{1,8}\\.net", 0..2),
            fo in (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
            ri in any::<u32>(),
        ) {
            let mut record = DmarcRecord::new(p);
            record.subdomain_policy = sp;
            record.percent = percent;
            record.adkim = adkim;
            record.aspf = aspf;
            record.rua = rua;
            record.ruf = ruf;
            record.report_interval = ri;
            let options = FailureOptions { all_fail: fo.0, any_fail: fo.1, dkim: fo.2, spf: fo.3 };
            if options != FailureOptions::default() {
                record.failure_options = options;
            }
            prop_assert_eq!(DmarcRecord::parse(record.to_string().as_bytes()), Ok(record));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(record) = DmarcRecord::parse(&bytes) {
                prop_assert_eq!(DmarcRecord::parse(record.to_string().as_bytes()), Ok(record));
            }
            let mut prefixed = b"v=DMARC1; ".to_vec();
            prefixed.extend_from_slice(&bytes);
            let _ = DmarcRecord::parse(&prefixed);
        }

        #[test]
        fn unicode_tag_values_never_panic(
            tags in proptest::collection::vec(prop_oneof![
                Just("p=".to_owned()), Just("sp=".to_owned()), Just("rua=mailto:".to_owned()),
                Just("ruf=".to_owned()), Just("pct=".to_owned()), Just("fo=".to_owned()),
                Just("rf=".to_owned()), Just("adkim=".to_owned()), Just("ri=".to_owned()),
                Just("reject".to_owned()), Just("none".to_owned()), Just("50".to_owned()),
                Just("d@bücher.test".to_owned()), Just("Привет".to_owned()),
                Just("日本語の件名テスト #2".to_owned()), Just("!10m".to_owned()),
                Just(":".to_owned()), Just(",".to_owned()), Just(" ".to_owned()),
                "\\PC{1,6}",
            ], 0..10).prop_map(|t| t.concat()),
            separators in proptest::collection::vec("; ?", 0..4),
            text in any::<String>(),
        ) {
            let record = format!("v=DMARC1; {}{}", tags, separators.concat());
            for input in [record, text.clone(), format!("v=DMARC1; p={text}")] {
                match DmarcRecord::parse(input.as_bytes()) {
                    Ok(parsed) => {
                        // Records are ASCII (UTF-8 anywhere refuses them) and print back.
                        prop_assert!(input.is_ascii(), "{:?}", input);
                        prop_assert!(is_dmarc_record(input.as_bytes()));
                        prop_assert_eq!(DmarcRecord::parse(parsed.to_string().as_bytes()), Ok(parsed));
                    }
                    Err(err) => {
                        if !input.is_ascii() {
                            prop_assert!(matches!(err, DmarcParseError::TagList(_)), "{:?}", err);
                        }
                    }
                }
                if is_dmarc_record(input.as_bytes()) {
                    prop_assert!(input.starts_with('v'));
                }
            }
        }
    }
}
