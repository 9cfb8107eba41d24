//! mailauth targets: the SPF, DKIM-Signature / key record, DMARC, zone-file and
//! Authentication-Results parsers, each with an encode -> parse round trip.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use mailwright_auth::auth_results::AuthenticationResults;
use mailwright_auth::crypto::HashAlgorithm;
use mailwright_auth::dkim::{
    BodyHasher, Canonicalization, DkimKeyRecord, DkimSignature, DkimVerifier,
};
use mailwright_auth::dmarc::{DmarcRecord, author_domains};
use mailwright_auth::dns::{Resolver, Zone};
use mailwright_auth::spf::SpfRecord;

/// Runs a future that never waits (the in-memory zone answers at once).
fn ready<F: Future>(future: F) -> Option<F::Output> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}

/// The SPF alphabet: bytes mapped onto the record's terminals, so that the fuzzer
/// reaches deep into the grammar quickly.
const SPF_TOKENS: &[&str] = &[
    " ",
    "v=spf1",
    "+",
    "-",
    "~",
    "?",
    "all",
    "include:",
    "a",
    "mx",
    "ptr",
    "ip4:",
    "ip6:",
    "exists:",
    "redirect=",
    "exp=",
    ":",
    "/",
    "//",
    ".",
    "%{",
    "}",
    "%%",
    "%_",
    "%-",
    "s",
    "l",
    "o",
    "d",
    "i",
    "p",
    "v",
    "h",
    "c",
    "r",
    "t",
    "R",
    "1",
    "0",
    "32",
    "128",
    "example.com",
    "192.0.2.1",
    "2001:db8::",
    "=",
    ",",
    "_",
    "+",
];

/// `spf_record`: the bytes as a record, after `v=spf1 `, and mapped into the SPF
/// alphabet; whatever parses prints to text that parses to the same record.
pub fn spf_record(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mapped: String = data
        .iter()
        .map(|&b| SPF_TOKENS[usize::from(b) % SPF_TOKENS.len()])
        .collect();
    for candidate in [
        text.to_string(),
        format!("v=spf1 {text}"),
        format!("v=spf1 {mapped}"),
    ] {
        if let Ok(record) = SpfRecord::parse(&candidate) {
            let printed = record.to_string();
            assert_eq!(
                SpfRecord::parse(&printed).as_ref(),
                Ok(&record),
                "{printed}"
            );
        }
    }
}

/// `dkim_signature`: the bytes as a DKIM-Signature value and as a key record (round
/// trips), as the body of a message (whole and split body hashes agree), and as a
/// signature field verified against an empty zone (no panic).
pub fn dkim_signature(data: &[u8]) {
    if let Ok(sig) = DkimSignature::parse(data) {
        let printed = sig.to_string();
        assert_eq!(
            DkimSignature::parse(printed.as_bytes()).as_ref(),
            Ok(&sig),
            "{printed}"
        );
    }
    if let Ok(record) = DkimKeyRecord::parse(data) {
        let printed = record.to_string();
        assert_eq!(
            DkimKeyRecord::parse(printed.as_bytes()).as_ref(),
            Ok(&record)
        );
    }
    for canon in [Canonicalization::Simple, Canonicalization::Relaxed] {
        let mut whole = BodyHasher::new(canon, HashAlgorithm::Sha256, Some(64));
        whole.update(data);
        let mut split = BodyHasher::new(canon, HashAlgorithm::Sha256, Some(64));
        let cut = data.len() / 3;
        split.update(&data[..cut]);
        split.update(&data[cut..]);
        assert_eq!(whole.finish(), split.finish());
    }
    let mut message = b"DKIM-Signature: ".to_vec();
    message.extend_from_slice(data);
    message.extend_from_slice(b"\r\nFrom: a@example.com\r\n\r\nbody\r\n");
    let results = ready(DkimVerifier::new(Zone::default()).verify(&message, 0));
    assert!(results.is_some_and(|r| r.len() <= 10));
}

/// `dmarc_record`: the bytes as a DMARC record (round trip) and as a message whose
/// From fields give author domains (no panic, every domain valid).
pub fn dmarc_record(data: &[u8]) {
    if let Ok(record) = DmarcRecord::parse(data) {
        let printed = record.to_string();
        assert_eq!(
            DmarcRecord::parse(printed.as_bytes()).as_ref(),
            Ok(&record),
            "{printed}"
        );
    }
    let mut message = b"From: ".to_vec();
    message.extend_from_slice(data);
    message.extend_from_slice(b"\r\n\r\n");
    for domain in author_domains(&message) {
        assert!(mailwright_auth::dns::normalize_name(&domain).is_ok_and(|d| d == domain));
    }
}

/// `zone_file`: the bytes as zone-file text; a zone that parses prints to text that
/// parses to the same zone, and answers queries for its own names without panic.
pub fn zone_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(zone) = Zone::parse(&text) else {
        return;
    };
    let printed = zone.to_zone_file();
    assert_eq!(Zone::parse(&printed).as_ref(), Ok(&zone), "{printed}");
    for line in printed.lines().take(20) {
        let name = line.split(' ').next().unwrap_or(".");
        assert!(ready(zone.txt(name)).is_some());
        assert!(ready(zone.mx(name)).is_some());
    }
}

/// `auth_results`: the bytes as an Authentication-Results field; what parses prints
/// to text that parses to the same value.
pub fn auth_results(data: &[u8]) {
    if let Ok(header) = AuthenticationResults::parse(data) {
        let printed = header.to_string();
        assert_eq!(
            AuthenticationResults::parse(printed.as_bytes()).as_ref(),
            Ok(&header),
            "{printed}"
        );
    }
}
