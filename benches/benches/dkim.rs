//! DKIM verify and sign of the shared 10 KB message (`message_10k.eml`) with the
//! shared RSA-2048 and Ed25519 keys (`dkim/`), ours (`mailauth`) side by side with
//! Stalwart's `mail-auth` 0.13.3 (RustCrypto backend). Keys come from DNS records
//! held in memory on both sides: our `Zone`, mail-auth's TXT cache.
//!
//! IDs: `dkim/verify/<key>` and `dkim/sign/<key>`, parameter `mailauth` or `mail-auth`.

#![allow(
    clippy::unwrap_used,
    reason = "bench setup: a failed unwrap is a broken bench"
)]
#![allow(
    missing_docs,
    reason = "criterion_main! generates an undocumented main"
)]

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::hint::black_box;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::{AuthenticatedMessage, MessageAuthenticator, Parameters, ResolverCache, Txt};

const SIGNED_HEADERS: [&str; 8] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
];
const NOW: u64 = 1_800_000_000;

/// mail-auth's TXT cache, filled from the shared zone before timing.
struct TxtCache(Mutex<HashMap<Box<str>, Txt>>);

impl ResolverCache<Box<str>, Txt> for TxtCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }

    fn insert(&self, key: Box<str>, value: Txt, _: std::time::Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

fn pem_der(pem: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pem);
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

fn dkim(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let message = benches::read("message_10k.eml");
    let zone_text = String::from_utf8(benches::read("dkim/zone.txt")).unwrap();
    let zone = mailwright_auth::dns::Zone::parse(&zone_text).unwrap();

    // mail-auth: the same key records in its cache.
    let cache = TxtCache(Mutex::new(HashMap::new()));
    for record in ["rsa2048", "ed25519"] {
        let text = benches::read(&format!("dkim/{record}.dns"));
        let key = mail_auth::common::verify::DomainKey::parse(text.trim_ascii()).unwrap();
        cache.0.lock().unwrap().insert(
            format!("{record}._domainkey.example.com.").into_boxed_str(),
            Txt::DomainKey(Arc::new(key)),
        );
    }
    // No DNS query is made: every key is in the cache.
    let authenticator = MessageAuthenticator::new_system_conf()
        .or_else(|_| MessageAuthenticator::new_cloudflare())
        .unwrap();

    let rsa_pem = benches::read("dkim/rsa2048.pem");
    let ed_pem = benches::read("dkim/ed25519.pem");
    let ours = |pem: &[u8], selector: &str| {
        let key =
            mailwright_auth::crypto::SigningKey::from_pem(&String::from_utf8_lossy(pem)).unwrap();
        let mut signer = mailwright_auth::dkim::DkimSigner::new(key, "example.com", selector);
        signer
            .set_headers(SIGNED_HEADERS)
            .set_oversigned(Vec::<String>::new());
        signer
    };
    let our_rsa = ours(&rsa_pem, "rsa2048");
    let our_ed = ours(&ed_pem, "ed25519");
    let peer_rsa = mail_auth::dkim::DkimSigner::from_key(
        RsaKey::<Sha256>::from_key_der(rustls_pki_types::PrivateKeyDer::Pkcs8(
            pem_der(&rsa_pem).into(),
        ))
        .unwrap(),
    )
    .domain("example.com")
    .selector("rsa2048")
    .headers(SIGNED_HEADERS);
    let peer_ed = mail_auth::dkim::DkimSigner::from_key(
        Ed25519Key::from_pkcs8_der(&pem_der(&ed_pem)).unwrap(),
    )
    .domain("example.com")
    .selector("ed25519")
    .headers(SIGNED_HEADERS);

    let verifier = mailwright_auth::dkim::DkimVerifier::new(zone);
    for (name, signer) in [("rsa2048", &our_rsa), ("ed25519", &our_ed)] {
        // The input: the message signed by us, checked by both before timing.
        let signed = [
            signer.sign(&message, NOW).unwrap().into_bytes(),
            message.clone(),
        ]
        .concat();
        let results = rt.block_on(verifier.verify(&signed, NOW));
        assert_eq!(
            results[0].result,
            mailwright_auth::dkim::DkimResult::Pass,
            "{name}"
        );
        let parsed = AuthenticatedMessage::parse(&signed).unwrap();
        let peer =
            rt.block_on(authenticator.verify_dkim(Parameters::new(&parsed).with_txt_cache(&cache)));
        assert_eq!(peer[0].result(), &mail_auth::DkimResult::Pass, "{name}");

        let mut group = c.benchmark_group(format!("dkim/verify/{name}"));
        group.bench_function(BenchmarkId::from_parameter("mailauth"), |b| {
            b.iter(|| rt.block_on(verifier.verify(black_box(&signed), NOW)))
        });
        group.bench_function(BenchmarkId::from_parameter("mail-auth"), |b| {
            b.iter(|| {
                // Parsing is part of mail-auth's verification path.
                let parsed = AuthenticatedMessage::parse(black_box(&signed)).unwrap();
                rt.block_on(
                    authenticator.verify_dkim(Parameters::new(&parsed).with_txt_cache(&cache)),
                )
                .len()
            })
        });
        group.finish();
    }

    let mut group = c.benchmark_group("dkim/sign/rsa2048");
    group.bench_function(BenchmarkId::from_parameter("mailauth"), |b| {
        b.iter(|| our_rsa.sign(black_box(&message), NOW).unwrap())
    });
    group.bench_function(BenchmarkId::from_parameter("mail-auth"), |b| {
        b.iter(|| peer_rsa.sign(black_box(&message)).unwrap().to_header())
    });
    group.finish();
    let mut group = c.benchmark_group("dkim/sign/ed25519");
    group.bench_function(BenchmarkId::from_parameter("mailauth"), |b| {
        b.iter(|| our_ed.sign(black_box(&message), NOW).unwrap())
    });
    group.bench_function(BenchmarkId::from_parameter("mail-auth"), |b| {
        b.iter(|| peer_ed.sign(black_box(&message)).unwrap().to_header())
    });
    group.finish();
}

criterion_group!(benches, dkim);
criterion_main!(benches);
