//! The tokio runtime with a fake transport (no sockets): enqueue to delivery, MX
//! failover, DSNs, recovery after a restart, local handlers, operations, events.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailwright_auth::dns::Zone;
use mailwright_queue::route::{RouteAction, Router, Rule};
use mailwright_queue::scheduler::RcptOutcome;
use mailwright_queue::transport::{
    ConnectError, ConnectRequest, Connection, Endpoint, LocalMessage, OutgoingMessage,
    SessionError, Transport,
};
use mailwright_queue::{
    DeliveryStatus, Diagnostic, EntryFilter, Envelope, EventKind, FileSpool, Limits, MemorySpool,
    Queue, QueueBuilder, QueueConfig, Recipient, RetryPolicy, SchedulerConfig, Spool,
};
use mailwright_smtp::{EnhancedStatusCode, Mailbox, Reply, ReplyCode};

/// A mailbox from text known to be one.
fn mailbox(text: &str) -> Mailbox<'static> {
    Mailbox::try_from(text.to_owned()).unwrap()
}

/// How the fake server at one address behaves.
#[derive(Clone, Debug)]
enum Behaviour {
    Refuse,
    Greeting(u16),
    /// Replies per recipient local part: "temp*" 451, "bad*" 550, others 250.
    Accept,
}

/// One accepted transaction: server address, sender, accepted recipients, body.
type Delivered = (SocketAddr, Option<String>, Vec<String>, Vec<u8>);

#[derive(Default)]
struct World {
    behaviour: HashMap<SocketAddr, Behaviour>,
    delivered: Vec<Delivered>,
    connects: Vec<SocketAddr>,
    open: usize,
    max_open: usize,
    /// Local parts that answer 451 once, then 250.
    temp_once: Vec<String>,
}

#[derive(Clone, Default)]
struct FakeTransport {
    world: Arc<Mutex<World>>,
}

struct FakeConnection {
    world: Arc<Mutex<World>>,
    addr: SocketAddr,
}

impl Transport for FakeTransport {
    type Connection = FakeConnection;

    async fn connect(&self, request: &ConnectRequest) -> Result<FakeConnection, ConnectError> {
        let Endpoint::Tcp(addr) = request.endpoint.clone() else {
            panic!("tcp only")
        };
        let mut world = self.world.lock().unwrap();
        world.connects.push(addr);
        match world
            .behaviour
            .get(&addr)
            .cloned()
            .unwrap_or(Behaviour::Refuse)
        {
            Behaviour::Refuse => Err(ConnectError::new(Diagnostic::local(
                EnhancedStatusCode::new(4, 4, 1).unwrap(),
                "connection refused",
            ))),
            Behaviour::Greeting(code) => Err(ConnectError::new(Diagnostic::from_reply(
                &Reply::new(ReplyCode::try_from(code).unwrap(), "go away"),
                None,
            ))),
            Behaviour::Accept => {
                world.open += 1;
                world.max_open = world.max_open.max(world.open);
                Ok(FakeConnection {
                    world: Arc::clone(&self.world),
                    addr,
                })
            }
        }
    }
}

impl Connection for FakeConnection {
    async fn send(
        &mut self,
        message: OutgoingMessage<'_>,
    ) -> Result<Vec<RcptOutcome>, SessionError> {
        tokio::time::sleep(Duration::from_millis(2)).await;
        let mut world = self.world.lock().unwrap();
        let mut outcomes = Vec::new();
        let mut accepted = Vec::new();
        for rcpt in message.recipients {
            let local = rcpt.address.local_part().as_str().to_owned();
            let once = world.temp_once.iter().position(|l| *l == local);
            let code = if let Some(at) = once {
                world.temp_once.remove(at);
                451
            } else if local.starts_with("temp") {
                451
            } else if local.starts_with("bad") {
                550
            } else {
                250
            };
            let reply = Reply::new(ReplyCode::try_from(code).unwrap(), "fake");
            outcomes.push(RcptOutcome::from_diagnostic(Diagnostic::from_reply(
                &reply, None,
            )));
            if code == 250 {
                accepted.push(rcpt.address.to_string());
            }
        }
        if !accepted.is_empty() {
            let addr = self.addr;
            world.delivered.push((
                addr,
                message.envelope.sender.mailbox().map(|s| s.to_string()),
                accepted,
                message.body.to_vec(),
            ));
        }
        Ok(outcomes)
    }

    async fn reset(&mut self) -> Result<(), SessionError> {
        Ok(())
    }

    async fn quit(self) {
        self.world.lock().unwrap().open -= 1;
    }

    fn supports_dsn(&self) -> bool {
        true
    }
}

fn zone() -> Zone {
    Zone::parse(
        "example.net. MX 10 mx1.example.net.
example.net. MX 20 mx2.example.net.
mx1.example.net. A 127.0.0.11
mx2.example.net. A 127.0.0.12
example.org. MX 10 mx.example.org.
mx.example.org. A 127.0.0.21
greet.example. MX 10 mx1.greet.example.
greet.example. MX 20 mx2.greet.example.
mx1.greet.example. A 127.0.0.31
mx2.greet.example. A 127.0.0.32
nullmx.example. MX 0 .
",
    )
    .unwrap()
}

fn addr(ip: &str) -> SocketAddr {
    format!("{ip}:25").parse().unwrap()
}

fn envelope(sender: &str, rcpts: &[&str]) -> Envelope {
    let mut envelope = Envelope::new(mailbox(sender));
    for r in rcpts {
        envelope = envelope.with_recipient(Recipient::new(mailbox(r)));
    }
    envelope
}

fn fast_retry() -> SchedulerConfig {
    let retry = RetryPolicy::default()
        .schedule(vec![Duration::from_millis(200)])
        .jitter(0.0);
    SchedulerConfig::default()
        .queue(QueueConfig::new("default").retry(retry.clone()))
        .queue(QueueConfig::new("bounces").retry(retry))
        .site_backoff(vec![Duration::from_millis(100)])
}

async fn start(
    spool: Arc<dyn Spool>,
    transport: FakeTransport,
    config: SchedulerConfig,
    router: Router,
) -> Queue<Zone, FakeTransport> {
    QueueBuilder::new(spool, zone(), transport)
        .config(config)
        .router(router)
        .hostname("mta.test")
        .seed(1)
        .start()
        .await
        .unwrap()
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn delivers_with_mx_failover_and_reports_events() {
    let transport = FakeTransport::default();
    {
        let mut world = transport.world.lock().unwrap();
        world
            .behaviour
            .insert(addr("127.0.0.11"), Behaviour::Refuse);
        world
            .behaviour
            .insert(addr("127.0.0.12"), Behaviour::Accept);
        world
            .behaviour
            .insert(addr("127.0.0.31"), Behaviour::Greeting(421));
        world
            .behaviour
            .insert(addr("127.0.0.32"), Behaviour::Accept);
    }
    let spool = MemorySpool::new();
    let queue = start(
        Arc::new(spool.clone()),
        transport.clone(),
        fast_retry(),
        Router::new(),
    )
    .await;
    let mut events = queue.subscribe();
    let id = queue
        .enqueue(
            envelope("a@example.org", &["x@example.net", "y@example.net"]),
            &b"Subject: t\r\n\r\nhi\r\n"[..],
        )
        .await
        .unwrap();
    let greet = queue
        .enqueue(
            envelope("a@example.org", &["z@greet.example"]),
            &b"Subject: g\r\n\r\nhi\r\n"[..],
        )
        .await
        .unwrap();
    wait_until("delivery", || queue.is_empty()).await;
    wait_until("spool emptied", || spool.is_empty()).await;
    {
        let world = transport.world.lock().unwrap();
        assert_eq!(world.delivered.len(), 2);
        let to_net = world
            .delivered
            .iter()
            .find(|d| d.0 == addr("127.0.0.12"))
            .unwrap();
        assert_eq!(
            to_net.2,
            ["x@example.net", "y@example.net"],
            "one transaction"
        );
        assert!(world.delivered.iter().any(|d| d.0 == addr("127.0.0.32")));
        assert_eq!(
            world
                .connects
                .iter()
                .filter(|a| **a == addr("127.0.0.11"))
                .count(),
            1
        );
    }
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event.kind);
    }
    assert!(
        seen.iter()
            .any(|e| matches!(e, EventKind::Queued { id: i, .. } if *i == id))
    );
    assert!(
        seen.iter()
            .any(|e| matches!(e, EventKind::Completed { id: i } if *i == greet))
    );
    let delivered: Vec<String> = seen
        .iter()
        .filter_map(|e| match e {
            EventKind::Delivered { diagnostic, .. } => diagnostic.remote_mta.clone(),
            _ => None,
        })
        .collect();
    assert!(
        delivered.contains(&"mx2.example.net".to_owned()),
        "{delivered:?}"
    );
    queue.shutdown().await;
}

#[tokio::test]
async fn failures_bounce_to_the_sender_and_null_mx_fails_at_once() {
    let transport = FakeTransport::default();
    {
        let mut world = transport.world.lock().unwrap();
        world
            .behaviour
            .insert(addr("127.0.0.11"), Behaviour::Accept);
        world
            .behaviour
            .insert(addr("127.0.0.21"), Behaviour::Accept);
    }
    let spool = MemorySpool::new();
    let queue = start(
        Arc::new(spool.clone()),
        transport.clone(),
        fast_retry(),
        Router::new(),
    )
    .await;
    queue
        .enqueue(
            envelope(
                "alice@example.org",
                &["good@example.net", "bad@example.net", "r@nullmx.example"],
            ),
            &b"Subject: t\r\n\r\nhi\r\n"[..],
        )
        .await
        .unwrap();
    wait_until("the dsn", || {
        transport
            .world
            .lock()
            .unwrap()
            .delivered
            .iter()
            .any(|d| d.1.is_none())
    })
    .await;
    wait_until("queue empty", || queue.is_empty()).await;
    {
        let world = transport.world.lock().unwrap();
        let dsn = world.delivered.iter().find(|d| d.1.is_none()).unwrap();
        assert_eq!(dsn.0, addr("127.0.0.21"));
        assert_eq!(dsn.2, ["alice@example.org"]);
        let text = String::from_utf8_lossy(&dsn.3);
        assert!(text.contains("Final-Recipient: rfc822; bad@example.net"));
        assert!(text.contains("Final-Recipient: rfc822; r@nullmx.example"));
        assert!(text.contains("Status: 5.1.10"));
        assert!(text.contains("Diagnostic-Code: smtp; 550 fake"));
        assert!(!text.contains("Final-Recipient: rfc822; good@example.net"));
        assert_eq!(
            world.delivered.iter().filter(|d| d.1.is_none()).count(),
            1,
            "one DSN"
        );
    }
    queue.shutdown().await;
}

#[tokio::test]
async fn temporary_failure_is_retried_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let transport = FakeTransport::default();
    {
        let mut world = transport.world.lock().unwrap();
        world
            .behaviour
            .insert(addr("127.0.0.11"), Behaviour::Accept);
        world
            .behaviour
            .insert(addr("127.0.0.21"), Behaviour::Accept);
        world.temp_once.push("greylisted".into());
    }
    let spool: Arc<dyn Spool> = Arc::new(FileSpool::open(dir.path()).unwrap());
    let queue = start(spool, transport.clone(), fast_retry(), Router::new()).await;
    // First: "temp" always defers; stop the queue with it deferred.
    let id = queue
        .enqueue(
            envelope(
                "a@example.org",
                &["temp@example.net", "greylisted@example.net"],
            ),
            &b"x"[..],
        )
        .await
        .unwrap();
    wait_until("greylisted retried and delivered", || {
        transport
            .world
            .lock()
            .unwrap()
            .delivered
            .iter()
            .any(|d| d.2 == ["greylisted@example.net"])
    })
    .await;
    let entry = queue.inspect(id).unwrap();
    assert_eq!(entry.recipients[0].status, DeliveryStatus::Deferred);
    assert!(entry.recipients[0].attempts >= 1);
    queue.shutdown().await;
    drop(queue);
    tokio::time::sleep(Duration::from_millis(50)).await;

    // A new queue on the same spool finds the entry with the delivered recipient
    // recorded, and delivers only the other one once it stops deferring.
    transport.world.lock().unwrap().delivered.clear();
    // The old queue's tasks let go of the spool (and its lock) as they end.
    let mut reopened = FileSpool::open(dir.path());
    for _ in 0..200 {
        if reopened.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        reopened = FileSpool::open(dir.path());
    }
    let spool: Arc<dyn Spool> = Arc::new(reopened.unwrap());
    let queue = start(spool, transport.clone(), fast_retry(), Router::new()).await;
    assert_eq!(queue.recovery().entries, 1);
    let entry = queue.inspect(id).unwrap();
    assert_eq!(entry.recipients[1].status, DeliveryStatus::Delivered);
    assert_eq!(
        queue
            .list(&EntryFilter::all().status(DeliveryStatus::Deferred))
            .len(),
        1
    );
    queue.bounce_now(id).unwrap();
    wait_until("bounced and removed", || queue.inspect(id).is_none()).await;
    wait_until("dsn delivered", || {
        !transport.world.lock().unwrap().delivered.is_empty()
    })
    .await;
    {
        let world = transport.world.lock().unwrap();
        assert!(
            world
                .delivered
                .iter()
                .all(|d| d.2 != ["greylisted@example.net"]),
            "no second delivery"
        );
    }
    queue.shutdown().await;
}

#[tokio::test]
async fn connection_limit_is_respected() {
    let transport = FakeTransport::default();
    transport
        .world
        .lock()
        .unwrap()
        .behaviour
        .insert(addr("127.0.0.11"), Behaviour::Accept);
    let config =
        fast_retry().site_limits(Limits::default().connections(2).messages_per_connection(5));
    let queue = start(
        Arc::new(MemorySpool::new()),
        transport.clone(),
        config,
        Router::new(),
    )
    .await;
    for i in 0..40 {
        queue
            .enqueue(
                envelope("a@example.org", &[&format!("r{i}@example.net")]),
                &b"x"[..],
            )
            .await
            .unwrap();
    }
    wait_until("all delivered", || queue.is_empty()).await;
    {
        let world = transport.world.lock().unwrap();
        assert_eq!(world.delivered.len(), 40);
        assert_eq!(world.max_open, 2);
        assert!(
            world.connects.len() >= 8,
            "at most 5 messages per connection"
        );
    }
    queue.shutdown().await;
}

#[tokio::test]
async fn local_route_and_operations() {
    let transport = FakeTransport::default();
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let got_in = Arc::clone(&got);
    let mut router = Router::new();
    router.push(
        Rule::new("local")
            .domain("example.org".parse().unwrap())
            .action(RouteAction::Local {
                handler: "mailbox".into(),
            }),
    );
    let logged: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&logged);
    let queue = QueueBuilder::new(Arc::new(MemorySpool::new()), zone(), transport.clone())
        .config(fast_retry())
        .router(router)
        .local_handler(
            "mailbox",
            Arc::new(move |message: LocalMessage| {
                let got = Arc::clone(&got_in);
                async move {
                    let mut got = got.lock().unwrap();
                    message
                        .recipients
                        .iter()
                        .map(|r| {
                            got.push(r.address.to_string());
                            RcptOutcome::Delivered(Diagnostic::local(
                                EnhancedStatusCode::OK,
                                "stored",
                            ))
                        })
                        .collect::<Vec<_>>()
                }
            }),
        )
        .on_event(move |event| log.lock().unwrap().push(event.to_string()))
        .start()
        .await
        .unwrap();
    // Held entries wait; release delivers.
    let held = queue
        .enqueue(envelope("a@x.test", &["u1@example.org"]), &b"x"[..])
        .await
        .unwrap();
    queue.hold(held).unwrap();
    // The entry may have been delivered before the hold landed; if not, it waits.
    tokio::time::sleep(Duration::from_millis(50)).await;
    if let Some(entry) = queue.inspect(held) {
        assert!(entry.held);
        assert_eq!(queue.list(&EntryFilter::all().held(true)).len(), 1);
        assert_eq!(got.lock().unwrap().len(), 0);
        queue.release(held).unwrap();
    }
    wait_until("local delivery", || got.lock().unwrap().len() == 1).await;
    // Delete drops an undeliverable entry without a DSN.
    let stuck = queue
        .enqueue(envelope("a@x.test", &["temp@example.net"]), &b"x"[..])
        .await
        .unwrap();
    assert_eq!(
        queue.list(&EntryFilter::all().domain("EXAMPLE.net")).len(),
        1
    );
    queue.delete(stuck).unwrap();
    assert!(queue.delete(stuck).is_err());
    wait_until("empty", || queue.is_empty()).await;
    queue.shutdown().await;
    let log = logged.lock().unwrap();
    assert!(log.iter().any(|line| line.contains("deleted")), "{log:?}");
    assert!(
        log.iter()
            .any(|line| line.contains("delivered to=<u1@example.org>")),
        "{log:?}"
    );
}

#[tokio::test]
async fn enqueue_errors_map_to_smtp_replies() {
    let spool = MemorySpool::new();
    let queue = start(
        Arc::new(spool.clone()),
        FakeTransport::default(),
        fast_retry(),
        Router::new(),
    )
    .await;
    let error = queue
        .enqueue(envelope("a@b.c", &[]), &b"x"[..])
        .await
        .unwrap_err();
    assert_eq!(Reply::from(&error).code(), ReplyCode::TRANSACTION_FAILED);
    spool.set_full(true);
    let error = queue
        .enqueue(envelope("a@b.c", &["r@example.net"]), &b"x"[..])
        .await
        .unwrap_err();
    let reply = Reply::from(&error);
    assert_eq!(reply.code(), ReplyCode::INSUFFICIENT_STORAGE);
    assert_eq!(reply.enhanced().unwrap().to_string(), "4.3.1");
    assert!(queue.is_empty());
    queue.shutdown().await;
    let error = queue
        .enqueue(envelope("a@b.c", &["r@example.net"]), &b"x"[..])
        .await
        .unwrap_err();
    assert_eq!(
        Reply::from(&error).to_string(),
        "451 4.3.2 queue is shutting down"
    );
}
