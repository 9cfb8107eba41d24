//! Signing through the public API, checked by our verifier: both algorithms, keys
//! from PKCS#1 and PKCS#8 PEM, both canonicalizations, streaming, oversigning, `l=`,
//! `x=`, and tampering. (dkimpy checks the same against a second implementation in
//! scripts/interop/20-mailauth.sh.)

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use mailwright_auth::crypto::SigningKey;
use mailwright_auth::dkim::{Canonicalization, DkimError, DkimResult, DkimSigner, DkimVerifier};
use mailwright_auth::dns::Zone;

const NOW: u64 = 1_700_000_000;

const MESSAGE: &[u8] = b"From: Alice <alice@example.com>\r\n\
To: bob@example.org\r\n\
Subject: =?UTF-8?Q?caf=C3=A9?=  with   spaces \t\r\n\
 and a folded line\r\n\
Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n\
Message-ID: <1@example.com>\r\n\
\r\n\
Hello,  world \t\r\n\
8-bit: \xc3\xa9t\xc3\xa9\r\n\
\r\n\
\r\n";

fn keys() -> Vec<(&'static str, SigningKey)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys/");
    ["rsa2048.pkcs1.pem", "rsa2048.pem", "ed25519.pem"]
        .into_iter()
        .map(|name| {
            let pem = std::fs::read_to_string(format!("{dir}{name}")).unwrap();
            (name, SigningKey::from_pem(&pem).unwrap())
        })
        .collect()
}

fn zone_for(signer: &DkimSigner) -> Zone {
    // Long RSA records are split into 255-byte strings, as a zone file must.
    let record = signer.dns_record();
    let strings: Vec<String> = record
        .as_bytes()
        .chunks(200)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    Zone::parse(&format!(
        "{}. TXT {}\n",
        signer.dns_name(),
        strings.join(" ")
    ))
    .unwrap()
}

async fn verify(zone: Zone, message: &[u8], now: u64) -> Vec<mailwright_auth::dkim::DkimOutput> {
    DkimVerifier::new(zone).verify(message, now).await
}

#[tokio::test]
async fn signed_messages_verify_with_every_key_and_canonicalization() {
    use Canonicalization::{Relaxed, Simple};
    for (name, key) in keys() {
        for (header, body) in [
            (Relaxed, Relaxed),
            (Simple, Simple),
            (Relaxed, Simple),
            (Simple, Relaxed),
        ] {
            let mut signer = DkimSigner::new(key.clone(), "example.com", "sel");
            signer.set_canonicalization(header, body);
            let field = signer.sign(MESSAGE, NOW).unwrap();
            assert!(
                field.lines().all(|line| line.len() <= 78),
                "{name}: {field}"
            );
            let signed = [field.as_bytes(), MESSAGE].concat();
            let results = verify(zone_for(&signer), &signed, NOW + 10).await;
            assert_eq!(results.len(), 1);
            assert_eq!(
                results[0].result,
                DkimResult::Pass,
                "{name} {header:?}/{body:?}: {:?}\n{field}",
                results[0].error
            );
            assert_eq!(results[0].domain.as_deref(), Some("example.com"));

            // Any change to a signed header or the body fails.
            let changed = String::from_utf8_lossy(&signed).replace("Alice", "Mallory");
            let results = verify(zone_for(&signer), changed.as_bytes(), NOW).await;
            assert_eq!(
                results[0].error,
                Some(DkimError::SignatureMismatch),
                "{name}"
            );
            let mut appended = signed.clone();
            appended.extend_from_slice(b"P.S. unsigned\r\n");
            let results = verify(zone_for(&signer), &appended, NOW).await;
            assert_eq!(
                results[0].error,
                Some(DkimError::BodyHashMismatch),
                "{name}"
            );
        }
    }
}

#[tokio::test]
async fn streamed_signing_and_verifying_match_whole_message() {
    let (_, key) = keys().remove(2);
    let signer = DkimSigner::new(key, "example.com", "sel");
    let split = MESSAGE.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 2;
    let (headers, body) = (&MESSAGE[..split], &MESSAGE[split + 2..]);
    let mut context = signer.start(headers);
    for chunk in body.chunks(3) {
        context.update(chunk);
    }
    let streamed = context.finish(NOW).unwrap();
    assert_eq!(
        streamed,
        signer.sign(MESSAGE, NOW).unwrap(),
        "Ed25519 is deterministic"
    );

    let signed_headers = [streamed.as_bytes(), headers].concat();
    let verifier = DkimVerifier::new(zone_for(&signer));
    let mut context = verifier.start(&signed_headers);
    for chunk in body.chunks(1) {
        context.update(chunk);
    }
    assert_eq!(context.finish(NOW).await[0].result, DkimResult::Pass);
}

#[tokio::test]
async fn from_is_oversigned_and_length_and_expiry_work() {
    let (_, key) = keys().remove(0);
    let mut signer = DkimSigner::new(key, "example.com", "sel");
    signer.set_body_length(true).set_expiration(3600);
    let field = signer.sign(MESSAGE, NOW).unwrap();
    assert!(field.contains("h=from:from:"), "{field}");
    assert!(field.contains(" x=1700003600;"), "{field}");
    let signed = [field.as_bytes(), MESSAGE].concat();

    // A second From added after signing breaks the signature.
    let extra_from = [field.as_bytes(), b"From: evil@example.net\r\n", MESSAGE].concat();
    let results = verify(zone_for(&signer), &extra_from, NOW).await;
    assert_eq!(results[0].result, DkimResult::Fail);

    // l= lets appended text pass, and says so.
    let mut appended = signed.clone();
    appended.extend_from_slice(b"appended\r\n");
    let results = verify(zone_for(&signer), &appended, NOW).await;
    assert_eq!(results[0].result, DkimResult::Pass);
    assert!(results[0].body_extended);
    assert!(results[0].body_length.is_some());

    // x= is checked against the clock passed in.
    let results = verify(zone_for(&signer), &signed, NOW + 3601).await;
    assert_eq!(results[0].error, Some(DkimError::Expired));
    assert_eq!(results[0].result, DkimResult::Fail);
}

#[tokio::test]
async fn key_checks() {
    let (_, rsa) = keys().remove(1);
    let (_, ed) = keys().remove(2);
    let signer = DkimSigner::new(rsa, "example.com", "sel");
    let signed = [signer.sign(MESSAGE, NOW).unwrap().as_bytes(), MESSAGE].concat();
    let cases = [
        (
            format!(
                "v=DKIM1; k=ed25519; p={}",
                ed.dns_record().split("p=").nth(1).unwrap()
            ),
            DkimError::KeyMismatch,
        ),
        ("v=DKIM1; p=".to_owned(), DkimError::KeyRevoked),
        (
            format!(
                "v=DKIM1; k=rsa; p={}",
                ed.dns_record().split("p=").nth(1).unwrap()
            ),
            DkimError::KeyMismatch,
        ),
        (
            format!("{}; h=sha1", signer.dns_record()),
            DkimError::HashNotAllowed,
        ),
        (
            format!("{}; s=other", signer.dns_record()),
            DkimError::ServiceNotAllowed,
        ),
    ];
    for (record, error) in cases {
        let strings: Vec<String> = record
            .as_bytes()
            .chunks(200)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect();
        let zone = Zone::parse(&format!(
            "sel._domainkey.example.com. TXT {}\n",
            strings.join(" ")
        ))
        .unwrap();
        let results = verify(zone, &signed, NOW).await;
        assert_eq!(results[0].error, Some(error), "{record}");
    }
    // t=y is reported, t=s refuses an i= in a subdomain.
    let mut sub = DkimSigner::new(keys().remove(2).1, "example.com", "sel");
    sub.set_auid("user@mail.example.com");
    let signed = [sub.sign(MESSAGE, NOW).unwrap().as_bytes(), MESSAGE].concat();
    let zone = |flags: &str| {
        Zone::parse(&format!(
            "sel._domainkey.example.com. TXT \"{}; t={flags}\"\n",
            sub.dns_record()
        ))
        .unwrap()
    };
    let results = verify(zone("y"), &signed, NOW).await;
    assert_eq!(results[0].result, DkimResult::Pass);
    assert!(results[0].testing);
    let results = verify(zone("s"), &signed, NOW).await;
    assert_eq!(results[0].error, Some(DkimError::StrictIdentity));
}

#[tokio::test]
async fn message_without_from_cannot_be_signed_and_unsigned_gives_nothing() {
    let (_, key) = keys().remove(2);
    let signer = DkimSigner::new(key, "example.com", "sel");
    assert!(
        signer
            .sign(b"To: x@example.com\r\n\r\nbody\r\n", NOW)
            .is_err()
    );
    assert!(verify(Zone::default(), MESSAGE, NOW).await.is_empty());
}
