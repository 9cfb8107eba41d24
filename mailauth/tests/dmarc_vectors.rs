//! Replays the RFC 7489 vectors of `tests/vectors/dmarc/` (format in its README.md).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::fs;
use std::path::Path;

use mailwright_auth::dmarc::DmarcVerifier;
use mailwright_auth::dns::Zone;

#[tokio::test]
async fn rfc7489_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/dmarc");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("# RFC 7489"), "{}", file.display());
        for scenario in text.split("\n== ").skip(1) {
            let (head, rest) = scenario.split_once("\nzone:\n").unwrap();
            let (zone, cases) = rest.split_once("\ncases:\n").unwrap();
            let verifier = DmarcVerifier::new(Zone::parse(zone).unwrap());
            for line in cases.lines().filter(|l| !l.trim().is_empty()) {
                let parts: Vec<&str> = line.split(" | ").collect();
                let [name, from, spf, dkim, expect] = parts.as_slice() else {
                    panic!("{}: bad case line {line}", file.display());
                };
                let mut message = String::new();
                if *from != "-" {
                    for value in from.split(" || ") {
                        message.push_str(&format!("From: {value}\r\n"));
                    }
                }
                message.push_str("Subject: test\r\n\r\nbody\r\n");
                let spf_pass = (*spf != "-").then_some(*spf);
                let dkim_pass: Vec<&str> = match *dkim {
                    "-" => Vec::new(),
                    list => list.split(',').collect(),
                };
                let domains = mailwright_auth::dmarc::author_domains(message.as_bytes());
                let out = verifier
                    .verify_domains(&domains, spf_pass, &dkim_pass)
                    .await;
                let got = format!(
                    "{} {} {}",
                    out.result,
                    out.policy.map_or("-", |p| p.as_str()),
                    out.disposition
                );
                checked += 1;
                if got != *expect {
                    failures.push(format!("{head} / {name}: expected {expect}, got {got}"));
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
