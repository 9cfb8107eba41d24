//! SPF evaluation of the shared cases (`spf/cases.txt`) against the shared zone
//! (`spf/zone.txt`), ours (`mailauth`, in-memory `Zone`) side by side with Stalwart's
//! `mail-auth` 0.13.3 (its resolver caches filled with the same records).
//!
//! mail-auth's caches cannot hold "no such name", and its `exists` goes to the
//! network on a cache miss, so the one case whose `exists:` target does not exist
//! (203.0.113.78) is left out of the side-by-side group `spf/evaluate/9-cases`; ours
//! alone also runs all 10 in `spf/evaluate/10-cases`.

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
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    DnssecStatus, MX, MessageAuthenticator, Parameters, RecordSet, ResolverCache, Txt,
};
use mailwright_auth::dns::{Rdata, Zone};
use mailwright_auth::spf::{SpfConfig, SpfResult, SpfVerifier};

/// A mail-auth resolver cache over a map, filled before timing.
struct MapCache<K, V>(Mutex<HashMap<K, V>>);

impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for MapCache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }

    fn insert(&self, key: K, value: V, _: std::time::Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

fn map<K, V>() -> MapCache<K, V> {
    MapCache(Mutex::new(HashMap::new()))
}

fn set<T>(items: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(items.into_boxed_slice()),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}

struct Case {
    ip: IpAddr,
    helo: String,
    sender: String,
    expected: String,
}

fn spf(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let zone = Zone::parse(&String::from_utf8(benches::read("spf/zone.txt")).unwrap()).unwrap();
    // Leaked so that mail-auth's borrowed parameters can outlive one closure call.
    let cases: &'static [Case] = Vec::leak(
        String::from_utf8(benches::read("spf/cases.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                Case {
                    ip: w[0].parse().unwrap(),
                    helo: w[1].into(),
                    sender: w[2].into(),
                    expected: w[3].into(),
                }
            })
            .collect(),
    );
    assert_eq!(cases.len(), 10);

    // mail-auth's caches, from the same zone.
    let txt = map::<Box<str>, Txt>();
    let mx = map::<Box<str>, RecordSet<MX>>();
    let ipv4 = map::<Box<str>, RecordSet<Ipv4Addr>>();
    let ipv6 = map::<Box<str>, RecordSet<Ipv6Addr>>();
    let ptr = map::<IpAddr, RecordSet<Box<str>>>();
    let names = [
        "example.com",
        "mx1.example.com",
        "mx2.example.com",
        "_spf.example.net",
        "_spf2.example.net",
        "example.org",
        "bulk.example.edu",
        "203.0.113.77._spf.bulk.example.edu",
    ];
    for name in names {
        let key = || format!("{name}.").into_boxed_str();
        let (mut v4, mut v6, mut exchanges) = (Vec::new(), Vec::new(), Vec::new());
        for record in zone.records(name) {
            match &record.data {
                Rdata::Txt(t) => {
                    let spf = mail_auth::spf::Spf::parse(&t.concat()).unwrap();
                    txt.0.lock().unwrap().insert(key(), Txt::Spf(Arc::new(spf)));
                }
                Rdata::A(ip) => v4.push(*ip),
                Rdata::Aaaa(ip) => v6.push(*ip),
                Rdata::Mx(m) => exchanges.push(MX {
                    exchanges: vec![format!("{}.", m.exchange).into_boxed_str()].into_boxed_slice(),
                    preference: m.preference,
                }),
                _ => {}
            }
        }
        ipv4.0.lock().unwrap().insert(key(), set(v4));
        ipv6.0.lock().unwrap().insert(key(), set(v6));
        if !exchanges.is_empty() {
            mx.0.lock().unwrap().insert(key(), set(exchanges));
        }
    }
    let authenticator = MessageAuthenticator::new_system_conf()
        .or_else(|_| MessageAuthenticator::new_cloudflare())
        .unwrap();
    let peer = |case: &'static Case| {
        let params = Parameters::new(SpfParameters::verify_mail_from(
            case.ip,
            &case.helo,
            "mx.example.org",
            &case.sender,
        ))
        .with_txt_cache(&txt)
        .with_mx_cache(&mx)
        .with_ipv4_cache(&ipv4)
        .with_ipv6_cache(&ipv6)
        .with_ptr_cache(&ptr);
        authenticator.verify_spf(params)
    };

    let ours = SpfVerifier::new(zone, SpfConfig::new("mx.example.org"));
    let comparable: Vec<&'static Case> = cases
        .iter()
        .filter(|c| c.ip.to_string() != "203.0.113.78")
        .collect();
    // Both give the expected result on every case before anything is timed.
    for case in cases {
        let out = rt.block_on(ours.verify_mail_from(case.ip, &case.helo, &case.sender, 0));
        assert_eq!(
            out.result,
            case.expected.parse::<SpfResult>().unwrap(),
            "{}",
            case.sender
        );
    }
    for &case in &comparable {
        let out = rt.block_on(peer(case));
        assert_eq!(
            out.result().to_string().to_lowercase(),
            case.expected,
            "{}",
            case.sender
        );
    }

    let mut group = c.benchmark_group("spf/evaluate/9-cases");
    group.bench_function(BenchmarkId::from_parameter("mailauth"), |b| {
        b.iter(|| {
            rt.block_on(async {
                for case in &comparable {
                    black_box(
                        ours.verify_mail_from(case.ip, &case.helo, &case.sender, 0)
                            .await,
                    );
                }
            })
        })
    });
    group.bench_function(BenchmarkId::from_parameter("mail-auth"), |b| {
        b.iter(|| {
            rt.block_on(async {
                for &case in &comparable {
                    black_box(peer(case).await);
                }
            })
        })
    });
    group.finish();
    let mut group = c.benchmark_group("spf/evaluate/10-cases");
    group.bench_function(BenchmarkId::from_parameter("mailauth"), |b| {
        b.iter(|| {
            rt.block_on(async {
                for case in cases {
                    black_box(
                        ours.verify_mail_from(case.ip, &case.helo, &case.sender, 0)
                            .await,
                    );
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, spf);
criterion_main!(benches);
