//! MX routing through a real DNS server on loopback: hickory-server serves the zone over
//! UDP inside the test, mailauth's hickory resolver asks it, and the queue delivers to
//! a scripted SMTP sink: MX preference with failover past a host that refuses
//! connections, implicit MX (a domain with only an address), NXDOMAIN and null MX
//! failing at once with one DSN delivered back to the sender through the same DNS.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

mod support;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::rdata::{A, MX, SOA};
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordSet, RrKey};
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use mailwright_auth::dns::{HickoryResolver, ResolverConfig};
use mailwright_queue::route::{DeliveryOptions, Router};
use mailwright_queue::transport::smtp::SmtpTransport;
use mailwright_queue::{
    Envelope, EventKind, MemorySpool, QueueBuilder, QueueConfig, Recipient, RetryPolicy,
    SchedulerConfig,
};
use support::mailbox;
use support::sink::{Script, Sink};
use tokio::net::UdpSocket;

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

fn zone(origin: &str, records: Vec<(&str, RData)>) -> Arc<dyn ZoneHandler> {
    let origin = name(origin);
    let soa = SOA::new(
        name("ns.test."),
        name("hostmaster.test."),
        1,
        3600,
        600,
        86400,
        60,
    );
    let mut sets: BTreeMap<RrKey, RecordSet> = BTreeMap::new();
    let all = std::iter::once((origin.clone(), RData::SOA(soa)))
        .chain(records.into_iter().map(|(n, d)| (name(n), d)));
    for (owner, data) in all {
        let record = Record::from_rdata(owner.clone(), 300, data);
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

fn a(ip: [u8; 4]) -> RData {
    RData::A(A(Ipv4Addr::from(ip)))
}

fn mx(preference: u16, host: &str) -> RData {
    RData::MX(MX::new(preference, name(host)))
}

async fn dns_server() -> (SocketAddr, Server<Catalog>) {
    let mut catalog = Catalog::new();
    let test = zone(
        "test.",
        vec![
            ("dest.test.", mx(10, "mx1.dest.test.")),
            ("dest.test.", mx(20, "mx2.dest.test.")),
            ("mx1.dest.test.", a([127, 0, 0, 2])),
            ("mx2.dest.test.", a([127, 0, 0, 1])),
            ("implicit.test.", a([127, 0, 0, 1])),
            ("src.test.", mx(10, "mx2.dest.test.")),
            ("nullmx.test.", mx(0, ".")),
        ],
    );
    catalog.upsert(LowerName::new(&name("test.")), vec![test]);
    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = udp.local_addr().unwrap();
    let mut server = Server::new(catalog);
    server.register_socket(udp);
    (addr, server)
}

#[tokio::test]
async fn mx_routing_through_a_dns_server_on_loopback() {
    let (dns, _server) = dns_server().await;
    let sink = Sink::tcp(Script::default(), "127.0.0.1", 0).await;
    let port = sink.addr.unwrap().port();
    let mut config = ResolverConfig::with_nameserver(dns);
    config.set_timeout(Duration::from_secs(2)).set_attempts(1);
    let mut router = Router::new();
    router.set_default(DeliveryOptions::default(), port);
    let retry = RetryPolicy::default()
        .schedule(vec![Duration::from_millis(300)])
        .jitter(0.0);
    let queue = QueueBuilder::new(
        Arc::new(MemorySpool::new()),
        HickoryResolver::new(config),
        SmtpTransport::new(),
    )
    .config(
        SchedulerConfig::default()
            .queue(QueueConfig::new("default").retry(retry.clone()))
            .queue(QueueConfig::new("bounces").retry(retry)),
    )
    .router(router)
    .hostname("mta.test")
    .start()
    .await
    .unwrap();
    let mut events = queue.subscribe();
    let envelope = Envelope::new(mailbox("alice@src.test"))
        .with_recipient(Recipient::new(mailbox("r1@dest.test")))
        .with_recipient(Recipient::new(mailbox("r2@implicit.test")))
        .with_recipient(Recipient::new(mailbox("r3@nullmx.test")))
        .with_recipient(Recipient::new(mailbox("r4@nowhere.test")));
    queue
        .enqueue(envelope, &b"Subject: dns\r\n\r\nhi\r\n"[..])
        .await
        .unwrap();
    for _ in 0..1000 {
        if queue.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(queue.is_empty(), "everything delivered or bounced");
    let received = sink.received();
    let delivered: Vec<&String> = received.iter().flat_map(|r| &r.recipients).collect();
    assert!(
        delivered.contains(&&"r1@dest.test".to_owned()),
        "{delivered:?}"
    );
    assert!(
        delivered.contains(&&"r2@implicit.test".to_owned()),
        "{delivered:?}"
    );
    let dsn = received
        .iter()
        .find(|r| r.sender.is_empty())
        .expect("a DSN to alice@src.test");
    assert_eq!(dsn.recipients, ["alice@src.test"]);
    let text = String::from_utf8_lossy(&dsn.body);
    assert!(
        text.contains("Final-Recipient: rfc822; r3@nullmx.test"),
        "{text}"
    );
    assert!(text.contains("Status: 5.1.10"), "{text}");
    assert!(
        text.contains("Final-Recipient: rfc822; r4@nowhere.test"),
        "{text}"
    );
    assert!(text.contains("Status: 5.1.2"), "{text}");
    let mut by = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let EventKind::Delivered {
            recipient,
            diagnostic,
            ..
        } = event.kind
        {
            by.push((recipient, diagnostic.remote_mta));
        }
    }
    assert!(
        by.contains(&("r1@dest.test".to_owned(), Some("mx2.dest.test".to_owned()))),
        "the second MX took it after the first refused: {by:?}"
    );
    queue.shutdown().await;
}
