//! The SMTP/LMTP transport over real loopback sockets against a scripted sink: MX
//! delivery with several recipients per transaction, 4xx then success, 5xx per
//! recipient with the DSN delivered back, null MX, MX failover on a refused
//! connection and on a 421 greeting, a smarthost with STARTTLS (verified) and AUTH, a
//! smarthost with implicit TLS, LMTP over a unix socket, and throttling seen at the
//! sink (connections and rate).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the rate test measures real time at the sink"
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use mailwright_auth::dns::Zone;
use mailwright_queue::route::{
    Credentials, DeliveryOptions, LmtpTarget, Relay, RelayTls, RouteAction, Router, Rule, TlsMode,
};
use mailwright_queue::transport::smtp::SmtpTransport;
use mailwright_queue::{
    EntryFilter, Envelope, EventKind, Limits, MemorySpool, Queue, QueueBuilder, QueueConfig, Rate,
    Recipient, RetryPolicy, SchedulerConfig, Throttle,
};
use support::mailbox;
use support::sink::{Script, Sink, certificates};

fn envelope(sender: &str, rcpts: &[&str]) -> Envelope {
    let mut envelope = Envelope::new(mailbox(sender));
    for r in rcpts {
        envelope = envelope.with_recipient(Recipient::new(mailbox(r)));
    }
    envelope
}

fn quick() -> SchedulerConfig {
    let retry = RetryPolicy::default()
        .schedule(vec![Duration::from_millis(300)])
        .jitter(0.0);
    SchedulerConfig::default()
        .queue(QueueConfig::new("default").retry(retry.clone()))
        .queue(QueueConfig::new("bounces").retry(retry))
        .site_backoff(vec![Duration::from_millis(200)])
}

/// MX delivery to `port` on loopback addresses through `zone`.
async fn start(
    zone: &str,
    port: u16,
    config: SchedulerConfig,
    mut router: Router,
    transport: SmtpTransport,
) -> Queue<Zone, SmtpTransport> {
    router.set_default(DeliveryOptions::default(), port);
    QueueBuilder::new(
        Arc::new(MemorySpool::new()),
        Zone::parse(zone).unwrap(),
        transport,
    )
    .config(config)
    .router(router)
    .hostname("mta.test")
    .seed(3)
    .start()
    .await
    .unwrap()
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn mx_delivery_retries_and_bounces() {
    let sink = Sink::tcp(
        Script {
            dsn: false,
            ..Script::default()
        },
        "127.0.0.1",
        0,
    )
    .await;
    let port = sink.addr.unwrap().port();
    let zone = "example.net. MX 10 mx.example.net.\nmx.example.net. A 127.0.0.1\n\
                example.org. MX 10 mx.example.net.\nnullmx.example. MX 0 .\n";
    let queue = start(zone, port, quick(), Router::new(), SmtpTransport::new()).await;
    queue
        .enqueue(
            envelope(
                "alice@example.org",
                &["a@example.net", "b@example.net", "tempOnce@example.net"],
            ),
            &b"Subject: one\r\n\r\n.leading dot\r\nbody\r\n"[..],
        )
        .await
        .unwrap();
    queue
        .enqueue(
            envelope(
                "alice@example.org",
                &["bad@example.net", "c@example.net", "x@nullmx.example"],
            ),
            &b"Subject: two\r\n\r\nbody\r\n"[..],
        )
        .await
        .unwrap();
    wait_until("everything delivered or bounced", || queue.is_empty()).await;
    let received = sink.received();
    let first: Vec<_> = received
        .iter()
        .filter(|r| r.body.starts_with(b"Subject: one"))
        .collect();
    assert_eq!(
        first[0].recipients,
        ["a@example.net", "b@example.net"],
        "one transaction"
    );
    assert_eq!(
        first[0].body, b"Subject: one\r\n\r\n.leading dot\r\nbody\r\n",
        "dot-stuffing undone"
    );
    assert!(
        first
            .iter()
            .any(|r| r.recipients == ["tempOnce@example.net"]),
        "451 then success"
    );
    let dsn = received
        .iter()
        .find(|r| r.sender.is_empty())
        .expect("a DSN");
    assert_eq!(dsn.recipients, ["alice@example.org"]);
    let text = String::from_utf8_lossy(&dsn.body);
    assert!(
        text.contains("Final-Recipient: rfc822; bad@example.net"),
        "{text}"
    );
    assert!(
        text.contains("Diagnostic-Code: smtp; 550 5.1.1 no such user"),
        "{text}"
    );
    assert!(text.contains("Final-Recipient: rfc822; x@nullmx.example"));
    assert!(text.contains("Status: 5.1.10"));
    assert_eq!(received.iter().filter(|r| r.sender.is_empty()).count(), 1);
    queue.shutdown().await;
}

#[tokio::test]
async fn mx_failover_on_refused_connection_and_421_greeting() {
    let busy = Sink::tcp(
        Script {
            greeting: Some("421 4.3.2 too busy".into()),
            ..Script::default()
        },
        "127.0.0.3",
        0,
    )
    .await;
    let port = busy.addr.unwrap().port();
    let good = Sink::tcp(Script::default(), "127.0.0.1", port).await;
    // mx1 (127.0.0.2) refuses connections, mx2 (127.0.0.3) greets with 421, mx3 works.
    let zone = "example.net. MX 10 mx1.example.net.\nexample.net. MX 20 mx2.example.net.\n\
                example.net. MX 30 mx3.example.net.\nmx1.example.net. A 127.0.0.2\n\
                mx2.example.net. A 127.0.0.3\nmx3.example.net. A 127.0.0.1\n";
    let queue = start(zone, port, quick(), Router::new(), SmtpTransport::new()).await;
    let mut events = queue.subscribe();
    queue
        .enqueue(envelope("a@example.org", &["r@example.net"]), &b"x\r\n"[..])
        .await
        .unwrap();
    wait_until("delivered", || queue.is_empty()).await;
    assert_eq!(good.received().len(), 1);
    assert_eq!(busy.connections(), 1);
    let mut delivered_by = None;
    while let Ok(event) = events.try_recv() {
        if let EventKind::Delivered { diagnostic, .. } = event.kind {
            delivered_by = diagnostic.remote_mta;
        }
    }
    assert_eq!(delivered_by.as_deref(), Some("mx3.example.net"));
    queue.shutdown().await;
}

#[tokio::test]
async fn smarthost_with_starttls_verified_and_auth() {
    let (roots, acceptor) = certificates(&["relay.test"]);
    let script = Script {
        starttls: Some(acceptor),
        auth: Some(("user".into(), "secret".into())),
        dsn: true,
        ..Script::default()
    };
    let sink = Sink::tcp(script, "127.0.0.1", 0).await;
    let port = sink.addr.unwrap().port();
    let mut router = Router::new();
    router.push(
        Rule::new("relay").action(RouteAction::Relay(
            Relay::new("relay.test", port)
                .with_tls(RelayTls::StartTlsRequired)
                .with_auth(Credentials::new("user", "secret")),
        )),
    );
    let zone = "relay.test. A 127.0.0.1\n";
    let queue = start(zone, 25, quick(), router, SmtpTransport::with_roots(roots)).await;
    // As smtp-proto's server hands it over, through the queue's one conversion: the
    // parameters reach the next hop (SMTPUTF8 not, which the sink does not offer).
    let mut received = mailwright_smtp::Envelope::new(mailbox("a@example.org").into());
    received.mail_params.ret = Some(mailwright_smtp::Ret::Headers);
    received.mail_params.envid = Some(mailwright_smtp::XText::try_from("env+201").unwrap());
    received.mail_params.body = Some(mailwright_smtp::BodyType::EightBitMime);
    received.mail_params.smtputf8 = true;
    let mut params = mailwright_smtp::RcptParameters::default();
    params.notify = "SUCCESS,FAILURE".parse().ok();
    params.orcpt = Some(mailwright_smtp::Orcpt::rfc822("R@anywhere.example"));
    received
        .recipients
        .push(mailwright_smtp::Recipient::with_params(
            mailbox("r@anywhere.example").into(),
            params,
        ));
    let env = Envelope::from_smtp(&received).unwrap();
    queue
        .enqueue(env, &b"Subject: relayed\r\n\r\nhi\r\n"[..])
        .await
        .unwrap();
    wait_until("relayed", || queue.is_empty()).await;
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].tls);
    assert_eq!(received[0].auth.as_deref(), Some("user"));
    assert!(
        received[0].mail_params.contains("RET=HDRS"),
        "{}",
        received[0].mail_params
    );
    assert!(
        received[0].mail_params.contains("ENVID=env+201"),
        "{}",
        received[0].mail_params
    );
    assert!(
        received[0].mail_params.contains("BODY=8BITMIME"),
        "{}",
        received[0].mail_params
    );
    assert!(
        !received[0].mail_params.contains("SMTPUTF8"),
        "{}",
        received[0].mail_params
    );
    assert!(
        received[0].rcpt_params[0].contains("NOTIFY=SUCCESS,FAILURE"),
        "{:?}",
        received[0].rcpt_params
    );
    assert!(
        received[0].rcpt_params[0].contains("ORCPT=rfc822;R@anywhere.example"),
        "{:?}",
        received[0].rcpt_params
    );
    queue.shutdown().await;
}

#[tokio::test]
async fn smarthost_with_wrong_certificate_or_password_defers() {
    let (_, acceptor) = certificates(&["relay.test"]);
    let (other_roots, _) = certificates(&["relay.test"]);
    let script = Script {
        starttls: Some(acceptor.clone()),
        auth: Some(("user".into(), "secret".into())),
        ..Script::default()
    };
    let sink = Sink::tcp(script, "127.0.0.1", 0).await;
    let port = sink.addr.unwrap().port();
    let mut router = Router::new();
    router.push(Rule::new("relay").action(RouteAction::Relay(
        Relay::new("relay.test", port).with_auth(Credentials::new("user", "wrong")),
    )));
    let zone = "relay.test. A 127.0.0.1\n";
    // Unknown CA: the handshake fails, the message waits.
    let queue = start(
        zone,
        25,
        quick(),
        router.clone(),
        SmtpTransport::with_roots(other_roots),
    )
    .await;
    let id = queue
        .enqueue(envelope("a@example.org", &["r@x.example"]), &b"x\r\n"[..])
        .await
        .unwrap();
    wait_until("an attempt", || {
        queue
            .inspect(id)
            .is_some_and(|e| e.recipients[0].attempts > 0)
    })
    .await;
    let entry = queue.inspect(id).unwrap();
    let diagnostic = entry.recipients[0].diagnostic.clone().unwrap();
    assert_eq!(diagnostic.status.to_string(), "4.7.5", "{diagnostic}");
    assert!(sink.received().is_empty());
    queue.shutdown().await;
}

#[tokio::test]
async fn smarthost_with_implicit_tls() {
    let (roots, acceptor) = certificates(&["smtps.test"]);
    let sink = Sink::tcp(
        Script {
            implicit_tls: Some(acceptor),
            ..Script::default()
        },
        "127.0.0.1",
        0,
    )
    .await;
    let port = sink.addr.unwrap().port();
    let mut router = Router::new();
    router.push(Rule::new("smtps").action(RouteAction::Relay(
        Relay::new("smtps.test", port).with_tls(RelayTls::Implicit),
    )));
    let queue = start(
        "smtps.test. A 127.0.0.1\n",
        25,
        quick(),
        router,
        SmtpTransport::with_roots(roots),
    )
    .await;
    queue
        .enqueue(envelope("a@example.org", &["r@x.example"]), &b"x\r\n"[..])
        .await
        .unwrap();
    wait_until("relayed", || queue.is_empty()).await;
    assert!(sink.received()[0].tls);
    queue.shutdown().await;
}

#[tokio::test]
async fn required_starttls_missing_defers_and_opportunistic_uses_it() {
    let (_, acceptor) = certificates(&["mx.example.net"]);
    let plain = Sink::tcp(Script::default(), "127.0.0.1", 0).await;
    let port = plain.addr.unwrap().port();
    let tls = Sink::tcp(
        Script {
            starttls: Some(acceptor),
            ..Script::default()
        },
        "127.0.0.2",
        port,
    )
    .await;
    let zone = "plain.example. MX 10 mx.plain.example.\nmx.plain.example. A 127.0.0.1\n\
                tls.example. MX 10 mx.tls.example.\nmx.tls.example. A 127.0.0.2\n";
    let mut router = Router::new();
    router.push(
        Rule::new("must")
            .domain("plain.example".parse().unwrap())
            .options(DeliveryOptions::default().tls(TlsMode::Required)),
    );
    let queue = start(zone, port, quick(), router, SmtpTransport::new()).await;
    let id = queue
        .enqueue(
            envelope("a@example.org", &["r@plain.example"]),
            &b"x\r\n"[..],
        )
        .await
        .unwrap();
    queue
        .enqueue(envelope("a@example.org", &["r@tls.example"]), &b"y\r\n"[..])
        .await
        .unwrap();
    wait_until("tls delivery", || tls.received().len() == 1).await;
    assert!(
        tls.received()[0].tls,
        "opportunistic STARTTLS with an unverified certificate"
    );
    wait_until("an attempt", || {
        queue
            .inspect(id)
            .is_some_and(|e| e.recipients[0].attempts > 0)
    })
    .await;
    assert!(plain.received().is_empty(), "never sent in the clear");
    assert_eq!(
        queue
            .list(&EntryFilter::all().domain("plain.example"))
            .len(),
        1
    );
    queue.shutdown().await;
}

#[tokio::test]
async fn lmtp_over_a_unix_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lmtp.sock");
    let sink = Sink::unix(
        Script {
            lmtp: true,
            ..Script::default()
        },
        path.clone(),
    )
    .await;
    let mut router = Router::new();
    router.push(
        Rule::new("lmtp")
            .domain(".local.test".parse().unwrap())
            .action(RouteAction::Lmtp(LmtpTarget::Unix(path))),
    );
    let queue = start("", 25, quick(), router, SmtpTransport::new()).await;
    queue
        .enqueue(
            envelope(
                "a@example.org",
                &["u1@local.test", "bad@local.test", "u2@local.test"],
            ),
            &b"x\r\n"[..],
        )
        .await
        .unwrap();
    wait_until("delivered", || sink.received().len() == 1).await;
    assert_eq!(
        sink.received()[0].recipients,
        ["u1@local.test", "u2@local.test"]
    );
    queue.shutdown().await;
}

#[tokio::test]
async fn throttle_limits_connections_and_rate_at_the_sink() {
    let sink = Sink::tcp(Script::default(), "127.0.0.1", 0).await;
    let port = sink.addr.unwrap().port();
    let zone = "example.net. MX 10 mx.provider.test.\nexample.com. MX 10 mx.provider.test.\n\
                mx.provider.test. A 127.0.0.1\n";
    let config = quick().throttle(Throttle::new(
        ".provider.test".parse().unwrap(),
        Limits::default().connections(2).messages_per_connection(4),
    ));
    let queue = start(zone, port, config, Router::new(), SmtpTransport::new()).await;
    for i in 0..30 {
        let domain = if i % 2 == 0 {
            "example.net"
        } else {
            "example.com"
        };
        queue
            .enqueue(
                envelope("a@example.org", &[&format!("r{i}@{domain}")]),
                &b"x\r\n"[..],
            )
            .await
            .unwrap();
    }
    wait_until("all delivered", || sink.received().len() == 30).await;
    assert!(
        sink.max_open() <= 2,
        "at most 2 connections at once, saw {}",
        sink.max_open()
    );
    assert!(
        sink.connections() >= 8,
        "at most 4 messages per connection: {}",
        sink.connections()
    );
    queue.shutdown().await;

    // Rate: 10 messages per second, bursts of 1, for 20 messages: about 2 s, and never
    // more than 10 in any one second at the sink.
    let sink = Sink::tcp(Script::default(), "127.0.0.1", 0).await;
    let port = sink.addr.unwrap().port();
    let config = quick().site_limits(Limits::default().rate(Rate::per_second(10).with_burst(1)));
    let queue = start(
        "example.net. MX 10 mx.example.net.\nmx.example.net. A 127.0.0.1\n",
        port,
        config,
        Router::new(),
        SmtpTransport::new(),
    )
    .await;
    for i in 0..20 {
        queue
            .enqueue(
                envelope("a@example.org", &[&format!("r{i}@example.net")]),
                &b"x\r\n"[..],
            )
            .await
            .unwrap();
    }
    wait_until("all delivered", || sink.received().len() == 20).await;
    let times: Vec<_> = sink.received().iter().map(|r| r.at).collect();
    let span = times.last().unwrap().duration_since(times[0]);
    assert!(
        span >= Duration::from_millis(1700),
        "20 messages at 10/s took {span:?}"
    );
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .filter(|u| u.duration_since(*t) < Duration::from_secs(1))
            .count();
        assert!(in_window <= 11, "{in_window} messages within one second");
    }
    queue.shutdown().await;
}

#[tokio::test]
async fn an_idle_connection_is_reused_for_mail_that_trickles_in() {
    let sink = Sink::tcp(Script::default(), "127.0.0.1", 0).await;
    let port = sink.addr.unwrap().port();
    let zone = "example.net. MX 10 mx.example.net.\nmx.example.net. A 127.0.0.1\n";
    let queue = start(zone, port, quick(), Router::new(), SmtpTransport::new()).await;
    for i in 0..5 {
        queue
            .enqueue(
                envelope("a@example.org", &[&format!("r{i}@example.net")]),
                &b"x\r\n"[..],
            )
            .await
            .unwrap();
        let delivered = i + 1;
        wait_until("delivery", || sink.received().len() == delivered).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        sink.connections(),
        1,
        "one connection for five messages 100 ms apart"
    );
    queue.shutdown().await;
}

#[tokio::test]
async fn ipv6_first_ipv4_only_per_rule_and_source_addresses() {
    let v4 = Sink::tcp(Script::default(), "127.0.0.1", 0).await;
    let port = v4.addr.unwrap().port();
    let v6 = Sink::tcp(Script::default(), "::1", port).await;
    let zone = "both.example. MX 10 mx.both.example.\nmx.both.example. A 127.0.0.1\n\
                mx.both.example. AAAA ::1\nv4.example. MX 10 mx.both.example.\n\
                src.example. MX 10 mx.both.example.\n";
    let mut router = Router::new();
    router.push(
        Rule::new("v4")
            .domain("v4.example".parse().unwrap())
            .options(DeliveryOptions::default().family(mailwright_queue::route::IpFamily::V4Only)),
    );
    router.push(
        Rule::new("source")
            .domain("src.example".parse().unwrap())
            .options(
                DeliveryOptions::default()
                    .family(mailwright_queue::route::IpFamily::V4Only)
                    .source(mailwright_queue::route::SourceAddress {
                        ip: "127.0.0.9".parse().unwrap(),
                        ehlo: "out9.mta.test".into(),
                    }),
            ),
    );
    let queue = start(zone, port, quick(), router, SmtpTransport::new()).await;
    queue
        .enqueue(
            envelope("a@example.org", &["r@both.example"]),
            &b"x\r\n"[..],
        )
        .await
        .unwrap();
    queue
        .enqueue(envelope("a@example.org", &["r@v4.example"]), &b"y\r\n"[..])
        .await
        .unwrap();
    queue
        .enqueue(envelope("a@example.org", &["r@src.example"]), &b"z\r\n"[..])
        .await
        .unwrap();
    wait_until("all delivered", || queue.is_empty()).await;
    let v6_got = v6.received();
    let v4_got = v4.received();
    assert_eq!(v6_got.len(), 1, "IPv6 is tried first");
    assert_eq!(v6_got[0].recipients, ["r@both.example"]);
    assert_eq!(v4_got.len(), 2, "the IPv4-only rules");
    let sourced = v4_got
        .iter()
        .find(|r| r.recipients == ["r@src.example"])
        .unwrap();
    assert_eq!(
        sourced.peer,
        Some("127.0.0.9".parse().unwrap()),
        "bound to the source address"
    );
    assert_eq!(
        sourced.helo, "out9.mta.test",
        "the source address's EHLO name"
    );
    let plain = v4_got
        .iter()
        .find(|r| r.recipients == ["r@v4.example"])
        .unwrap();
    assert_eq!(plain.helo, "mta.test");
    queue.shutdown().await;
}
