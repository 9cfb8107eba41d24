//! The real resolver against a real DNS server on loopback: hickory-server serving a
//! zone over UDP and TCP inside the test. Covers plain answers, CNAME following,
//! NXDOMAIN and no data with their SOA negative TTL, a long TXT record that does not
//! fit a UDP answer (truncation, then TCP), IPv6 transport, and timeouts.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, PTR, SOA, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordSet, RrKey};
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use mailwright_auth::dns::{DnsError, HickoryResolver, Resolver, ResolverConfig};
use tokio::net::{TcpListener, UdpSocket};

const LONG_TXT_STRINGS: usize = 10;

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

fn zone_handler(origin: &str, records: Vec<(&str, u32, RData)>) -> Arc<dyn ZoneHandler> {
    let origin = name(origin);
    let mut sets: BTreeMap<RrKey, RecordSet> = BTreeMap::new();
    let soa = SOA::new(
        name("ns.example.test."),
        name("hostmaster.example.test."),
        1,
        3600,
        600,
        86400,
        120,
    );
    let all = std::iter::once((origin.clone(), 3600, RData::SOA(soa)))
        .chain(records.into_iter().map(|(n, ttl, d)| (name(n), ttl, d)));
    for (owner, ttl, data) in all {
        let record = Record::from_rdata(owner.clone(), ttl, data);
        let key = RrKey::new(LowerName::new(&owner), record.record_type());
        sets.entry(key)
            .or_insert_with(|| RecordSet::new(owner, record.record_type(), 1))
            .insert(record, 1);
    }
    Arc::new(
        InMemoryZoneHandler::<hickory_server::net::runtime::TokioRuntimeProvider>::new(
            origin,
            sets,
            ZoneType::Primary,
            AxfrPolicy::Deny,
        )
        .unwrap(),
    )
}

fn catalog() -> Catalog {
    let long: Vec<String> = (0..LONG_TXT_STRINGS)
        .map(|i| format!("{i}").repeat(200))
        .collect();
    let forward = zone_handler(
        "example.test.",
        vec![
            (
                "example.test.",
                300,
                RData::TXT(TXT::new(vec!["v=spf1 ".into(), "-all".into()])),
            ),
            (
                "example.test.",
                300,
                RData::MX(MX::new(10, name("mx1.example.test."))),
            ),
            (
                "example.test.",
                300,
                RData::MX(MX::new(20, name("mx2.example.test."))),
            ),
            (
                "nomail.example.test.",
                300,
                RData::MX(MX::new(0, Name::root())),
            ),
            (
                "mx1.example.test.",
                60,
                RData::A(A(Ipv4Addr::new(192, 0, 2, 25))),
            ),
            (
                "mx1.example.test.",
                60,
                RData::AAAA(AAAA("2001:db8::25".parse().unwrap())),
            ),
            (
                "alias.example.test.",
                30,
                RData::CNAME(CNAME(name("example.test."))),
            ),
            ("long.example.test.", 300, RData::TXT(TXT::new(long))),
        ],
    );
    let reverse = zone_handler(
        "2.0.192.in-addr.arpa.",
        vec![(
            "25.2.0.192.in-addr.arpa.",
            300,
            RData::PTR(PTR(name("mx1.example.test."))),
        )],
    );
    let mut catalog = Catalog::new();
    catalog.upsert(LowerName::new(&name("example.test.")), vec![forward]);
    catalog.upsert(
        LowerName::new(&name("2.0.192.in-addr.arpa.")),
        vec![reverse],
    );
    catalog
}

/// Starts a server on `ip` (UDP, and TCP on the same port when `tcp`); returns its
/// address and the server, which must be kept alive.
async fn serve(ip: IpAddr, tcp: bool) -> (SocketAddr, Server<Catalog>) {
    for _ in 0..20 {
        let udp = UdpSocket::bind((ip, 0)).await.unwrap();
        let addr = udp.local_addr().unwrap();
        let mut server = Server::new(catalog());
        if tcp {
            let Ok(listener) = TcpListener::bind(addr).await else {
                continue;
            };
            server.register_listener(listener, Duration::from_secs(5), 65_535);
        }
        server.register_socket(udp);
        return (addr, server);
    }
    panic!("no free port pair on {ip}");
}

fn resolver(addr: SocketAddr) -> HickoryResolver {
    let mut config = ResolverConfig::with_nameserver(addr);
    config.set_timeout(Duration::from_secs(2)).set_attempts(1);
    HickoryResolver::new(config)
}

#[tokio::test]
async fn answers_over_udp() {
    let (addr, _server) = serve(IpAddr::V4(Ipv4Addr::LOCALHOST), true).await;
    let dns = resolver(addr);

    let txt = dns.txt("Example.Test.").await.unwrap();
    assert_eq!(txt.records.len(), 1);
    assert_eq!(txt.records[0].strings().len(), 2);
    assert_eq!(txt.records[0].concat(), b"v=spf1 -all");
    assert_eq!(txt.ttl, 300);

    let mut mx = dns.mx("example.test").await.unwrap().records;
    mx.sort_by_key(|mx| mx.preference);
    assert_eq!(
        mx.iter().map(|mx| mx.exchange.as_str()).collect::<Vec<_>>(),
        ["mx1.example.test", "mx2.example.test"]
    );
    let null = dns.mx("nomail.example.test").await.unwrap();
    assert!(null.records[0].is_null());

    let a = dns.a("mx1.example.test").await.unwrap();
    assert_eq!((a.records[0], a.ttl), (Ipv4Addr::new(192, 0, 2, 25), 60));
    let aaaa = dns.aaaa("mx1.example.test").await.unwrap();
    assert_eq!(aaaa.records, ["2001:db8::25".parse::<Ipv6Addr>().unwrap()]);

    let ptr = dns.ptr("192.0.2.25".parse().unwrap()).await.unwrap();
    assert_eq!(ptr.records, ["mx1.example.test"]);

    // The CNAME is followed; the TTL is the smallest along the chain.
    let alias = dns.txt("alias.example.test").await.unwrap();
    assert_eq!(alias.records[0].concat(), b"v=spf1 -all");
    assert_eq!(alias.ttl, 30);
}

#[tokio::test]
async fn tells_nxdomain_from_no_data() {
    let (addr, _server) = serve(IpAddr::V4(Ipv4Addr::LOCALHOST), true).await;
    let dns = resolver(addr);
    // Negative TTL: min(SOA TTL 3600, SOA MINIMUM 120).
    assert_eq!(
        dns.txt("missing.example.test").await,
        Err(DnsError::NxDomain { negative_ttl: 120 })
    );
    assert_eq!(
        dns.txt("mx1.example.test").await,
        Err(DnsError::NoData { negative_ttl: 120 })
    );
    assert_eq!(dns.a("bad..name").await, Err(DnsError::InvalidName));
}

#[tokio::test]
async fn long_txt_is_truncated_then_fetched_over_tcp() {
    let (addr, _server) = serve(IpAddr::V4(Ipv4Addr::LOCALHOST), true).await;
    let txt = resolver(addr).txt("long.example.test").await.unwrap();
    let record = &txt.records[0];
    assert_eq!(record.strings().len(), LONG_TXT_STRINGS);
    assert_eq!(record.concat().len(), 200 * LONG_TXT_STRINGS);
    assert!(record.concat().starts_with(b"000"));
    assert!(record.concat().ends_with(b"999"));

    // The same server without TCP: the short answer still comes over UDP, the long one
    // cannot, which shows it was the TCP retry that carried it.
    let (udp_only, _server) = serve(IpAddr::V4(Ipv4Addr::LOCALHOST), false).await;
    let dns = resolver(udp_only);
    assert!(dns.txt("example.test").await.is_ok());
    let err = dns.txt("long.example.test").await.unwrap_err();
    assert!(err.is_temporary(), "{err:?}");
}

#[tokio::test]
async fn works_over_ipv6_loopback() {
    // Skip quietly on machines without ::1.
    if std::net::UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).is_err() {
        return;
    }
    let (addr, _server) = serve(IpAddr::V6(Ipv6Addr::LOCALHOST), true).await;
    let dns = resolver(addr);
    assert_eq!(
        dns.a("mx1.example.test").await.unwrap().records,
        [Ipv4Addr::new(192, 0, 2, 25)]
    );
    assert_eq!(
        dns.txt("long.example.test").await.unwrap().records[0]
            .concat()
            .len(),
        200 * LONG_TXT_STRINGS
    );
}

#[tokio::test]
async fn silent_server_times_out_and_next_server_answers() {
    // A socket that never answers.
    let silent = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let mut config = ResolverConfig::with_nameserver(silent_addr);
    config
        .set_timeout(Duration::from_millis(200))
        .set_attempts(1);
    assert_eq!(
        HickoryResolver::new(config).txt("example.test").await,
        Err(DnsError::Timeout)
    );

    let (addr, _server) = serve(IpAddr::V4(Ipv4Addr::LOCALHOST), true).await;
    let mut config = ResolverConfig::with_nameservers(vec![silent_addr, addr]);
    config
        .set_timeout(Duration::from_millis(200))
        .set_attempts(1);
    let txt = HickoryResolver::new(config)
        .txt("example.test")
        .await
        .unwrap();
    assert_eq!(txt.records[0].concat(), b"v=spf1 -all");
    drop(silent);
}
