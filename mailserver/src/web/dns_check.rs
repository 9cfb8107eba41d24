//! "Check DNS" of the domains page: looks up what a domain publishes now (through
//! the server's configured name servers, without the cache) and compares it with
//! the records it should publish ([`crate::dkim_keys::dns_records`]).
//!
//! Each record comes out [`Verdict::Correct`], [`Verdict::Missing`] (nothing of that
//! kind there), [`Verdict::Different`] (a record of that kind with other content:
//! another MX host, another SPF policy, another DKIM key, another DMARC policy) or
//! [`Verdict::LookupFailed`] (no answer: timeout, server failure).

use std::collections::BTreeMap;

use mailwright_auth::dns::{DnsError, Resolver};

use crate::dkim_keys::DnsRecord;

/// How a published record compares with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Published as expected.
    Correct,
    /// Nothing of that kind is published.
    Missing,
    /// Published with other content.
    Different,
    /// The lookup gave no answer.
    LookupFailed,
}

impl Verdict {
    /// The word shown (also the CSS class suffix).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correct => "correct",
            Self::Missing => "missing",
            Self::Different => "different",
            Self::LookupFailed => "unknown",
        }
    }
}

/// One expected record and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordCheck {
    /// The record to publish.
    pub record: DnsRecord,
    /// The comparison.
    pub verdict: Verdict,
    /// What is published there now (records of the same kind), or the lookup error.
    pub found: Vec<String>,
}

/// Checks each of `records` against what `resolver` answers now.
pub async fn check<R: Resolver>(resolver: &R, records: &[DnsRecord]) -> Vec<RecordCheck> {
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let name = record.name.trim_end_matches('.');
        let (verdict, found) = if record.kind == "MX" {
            check_mx(resolver, name, &record.value).await
        } else {
            check_txt(resolver, name, &record.value).await
        };
        out.push(RecordCheck {
            record: record.clone(),
            verdict,
            found,
        });
    }
    out
}

fn failed(error: &DnsError) -> (Verdict, Vec<String>) {
    if error.is_not_found() {
        (Verdict::Missing, Vec::new())
    } else {
        (
            Verdict::LookupFailed,
            vec![format!("lookup failed: {error}")],
        )
    }
}

async fn check_mx<R: Resolver>(resolver: &R, name: &str, expected: &str) -> (Verdict, Vec<String>) {
    let host = expected
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    match resolver.mx(name).await {
        Ok(lookup) => {
            let found: Vec<String> = lookup
                .records
                .iter()
                .map(|mx| format!("{} {}.", mx.preference, mx.exchange))
                .collect();
            let verdict = if lookup.records.iter().any(|mx| mx.exchange == host) {
                Verdict::Correct
            } else {
                Verdict::Different
            };
            (verdict, found)
        }
        Err(error) => failed(&error),
    }
}

async fn check_txt<R: Resolver>(
    resolver: &R,
    name: &str,
    expected: &str,
) -> (Verdict, Vec<String>) {
    let expected = unquote(expected);
    // The version tag says which TXT records at the name are of the same kind.
    let version = expected
        .split(';')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let lookup = match resolver.txt(name).await {
        Ok(lookup) => lookup,
        Err(error) => return failed(&error),
    };
    let found: Vec<String> = lookup
        .records
        .iter()
        .map(|txt| String::from_utf8_lossy(&txt.joined()).into_owned())
        .filter(|text| text.trim_start().to_ascii_lowercase().starts_with(&version))
        .collect();
    let verdict = if found.is_empty() {
        Verdict::Missing
    } else if found.iter().any(|text| same_txt(text, &expected)) {
        Verdict::Correct
    } else {
        Verdict::Different
    };
    (verdict, found)
}

/// The text of a zone-file TXT value: the quoted strings joined.
fn unquote(value: &str) -> String {
    value
        .split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .collect()
}

/// Whether two TXT texts say the same: tag lists (DKIM, DMARC) compare tag by tag
/// with white space removed; SPF compares its terms case-insensitively.
fn same_txt(published: &str, expected: &str) -> bool {
    if expected.to_ascii_lowercase().starts_with("v=spf1") {
        let terms = |t: &str| -> Vec<String> {
            t.split_whitespace().map(str::to_ascii_lowercase).collect()
        };
        return terms(published) == terms(expected);
    }
    tags(published) == tags(expected)
}

fn tags(text: &str) -> BTreeMap<String, String> {
    text.split(';')
        .filter_map(|tag| tag.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.chars().filter(|c| !c.is_whitespace()).collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use mailwright_auth::dns::Zone;

    use super::*;

    fn record(name: &str, kind: &'static str, value: &str) -> DnsRecord {
        DnsRecord {
            name: name.to_owned(),
            kind,
            value: value.to_owned(),
        }
    }

    #[tokio::test]
    async fn marks_correct_missing_different_and_failed() {
        let zone = Zone::parse(concat!(
            "example.org. 300 IN MX 10 mx.example.org.\n",
            "example.org. 300 IN TXT \"v=spf1  MX -all\"\n",
            "example.org. 300 IN TXT \"google-site-verification=x\"\n",
            "ed1._domainkey.example.org. 300 IN TXT \"v=DKIM1; k=ed25519; \" \"p=AAAA\"\n",
            "_dmarc.example.org. 300 IN TXT \"v=DMARC1; p=none\"\n",
            "other.test. 300 IN MX 10 mail.elsewhere.test.\n",
        ))
        .unwrap();
        let records = [
            record("example.org.", "MX", "10 mx.example.org."),
            record("example.org.", "TXT", "\"v=spf1 mx -all\""),
            record(
                "ed1._domainkey.example.org.",
                "TXT",
                "\"v=DKIM1; k=ed25519; p=AA\" \"AA\"",
            ),
            record(
                "rsa1._domainkey.example.org.",
                "TXT",
                "\"v=DKIM1; k=rsa; p=BBBB\"",
            ),
            record("_dmarc.example.org.", "TXT", "\"v=DMARC1; p=quarantine\""),
            record("other.test.", "MX", "10 mx.example.org."),
            record("other.test.", "TXT", "\"v=spf1 mx -all\""),
        ];
        let checks = check(&zone, &records).await;
        let verdicts: Vec<Verdict> = checks.iter().map(|c| c.verdict).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Correct,
                Verdict::Correct,
                Verdict::Correct,
                Verdict::Missing,
                Verdict::Different,
                Verdict::Different,
                Verdict::Missing,
            ]
        );
        assert_eq!(checks[4].found, ["v=DMARC1; p=none"]);
        assert_eq!(checks[5].found, ["10 mail.elsewhere.test."]);
        let failing = Zone::builder();
        let mut failing = failing;
        failing.timeout("slow.test").unwrap();
        let checks = check(
            &failing.build(),
            &[record("slow.test.", "MX", "10 mx.slow.test.")],
        )
        .await;
        assert_eq!(checks[0].verdict, Verdict::LookupFailed);
        assert!(
            checks[0].found[0].starts_with("lookup failed"),
            "{:?}",
            checks[0].found
        );
    }
}
