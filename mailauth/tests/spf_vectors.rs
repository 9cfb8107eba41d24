//! Replays the RFC 7208 vectors of `tests/vectors/spf/` (format in its README.md):
//! each scenario's zone is loaded into an in-memory [`Zone`] and every case is checked
//! for its result and, where given, its explanation.
//!
//! Every case is also run through the other ways answers reach the evaluator, which
//! must give the same output: a resolver that copies each answer into new records
//! (the trait's default `query_shared`; nothing kept with the records) and a [`Cache`]
//! in front of it, asked twice (records kept and shared).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::fs;
use std::path::Path;

use mailwright_auth::dns::{
    Cache, DnsError, Lookup, ManualClock, Rdata, RecordType, Resolver, Txt, Zone,
};
use mailwright_auth::spf::{SpfConfig, SpfOutput, SpfResult, SpfVerifier};

const NOW: u64 = 1_700_000_000;

struct Case {
    name: String,
    helo_identity: bool,
    ip: String,
    helo: String,
    sender: String,
    result: String,
    explanation: Option<String>,
}

struct Scenario {
    name: String,
    zone: String,
    cases: Vec<Case>,
}

fn scenarios(text: &str) -> Vec<Scenario> {
    let mut out: Vec<Scenario> = Vec::new();
    let mut in_zone = false;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("== ") {
            out.push(Scenario {
                name: name.to_owned(),
                zone: String::new(),
                cases: Vec::new(),
            });
            continue;
        }
        let Some(scenario) = out.last_mut() else {
            continue;
        };
        match line.trim() {
            "zone:" => in_zone = true,
            "cases:" => in_zone = false,
            "" => {}
            _ if in_zone => {
                scenario.zone.push_str(line);
                scenario.zone.push('\n');
            }
            _ if line.starts_with('#') => {}
            _ => {
                let mut words = line.splitn(6, ' ');
                let mut next = || words.next().unwrap().to_owned();
                let name = next();
                let (name, helo_identity) = match name.strip_prefix("helo:") {
                    Some(name) => (name.to_owned(), true),
                    None => (name, false),
                };
                let (ip, helo, sender, result) = (next(), next(), next(), next());
                let sender = if sender == "<>" {
                    String::new()
                } else {
                    sender
                };
                scenario.cases.push(Case {
                    name,
                    helo_identity,
                    ip,
                    helo,
                    sender,
                    result,
                    explanation: words.next().map(str::to_owned),
                });
            }
        }
    }
    out
}

/// Answers from a zone with new records every time (as a resolver asking the network
/// does), through `query` only.
struct Copying(Zone);

impl Resolver for Copying {
    async fn query(&self, name: &str, rtype: RecordType) -> Result<Lookup<Rdata>, DnsError> {
        let mut lookup = self.0.query(name, rtype).await?;
        for rdata in &mut lookup.records {
            if let Rdata::Txt(txt) = rdata {
                *txt = Txt::new(txt.strings());
            }
        }
        Ok(lookup)
    }
}

async fn run<R: Resolver>(spf: &SpfVerifier<R>, case: &Case) -> SpfOutput {
    let ip = case.ip.parse().unwrap();
    match case.helo_identity {
        true => spf.verify_helo(ip, &case.helo, NOW).await,
        false => {
            spf.verify_mail_from(ip, &case.helo, &case.sender, NOW)
                .await
        }
    }
}

#[tokio::test]
async fn rfc7208_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/spf");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        assert!(
            text.starts_with("# RFC 7208"),
            "{}: name the RFC",
            file.display()
        );
        for scenario in scenarios(&text) {
            let zone = Zone::parse(&scenario.zone)
                .unwrap_or_else(|err| panic!("{} / {}: {err}", file.display(), scenario.name));
            let config = SpfConfig::new("receiver.example");
            let copying = SpfVerifier::new(Copying(zone.clone()), config.clone());
            let cached = SpfVerifier::new(
                Cache::new(Copying(zone.clone()), ManualClock::new()),
                config.clone(),
            );
            let spf = SpfVerifier::new(zone, config);
            for case in &scenario.cases {
                count += 1;
                let out = run(&spf, case).await;
                for (how, other) in [
                    ("copied", run(&copying, case).await),
                    ("cached", run(&cached, case).await),
                    ("cached again", run(&cached, case).await),
                ] {
                    if other != out {
                        failures.push(format!(
                            "{} / {}: {how} answers gave {other:?}, the zone {out:?}",
                            scenario.name, case.name
                        ));
                    }
                }
                let expected: SpfResult = case.result.parse().unwrap();
                if out.result != expected {
                    failures.push(format!(
                        "{} / {}: expected {expected}, got {} ({:?})",
                        scenario.name, case.name, out.result, out.problem
                    ));
                } else if let Some(explanation) = &case.explanation
                    && out.explanation.as_deref() != Some(explanation.as_str())
                {
                    failures.push(format!(
                        "{} / {}: explanation {:?}, expected {explanation:?}",
                        scenario.name, case.name, out.explanation
                    ));
                }
            }
        }
    }
    assert!(count > 150, "only {count} cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
