//! The scheduler driven with a simulated clock and a scripted "network": no sockets,
//! no sleeping.

use std::collections::HashMap;
use std::time::Duration;

use mailwright_smtp::{Mailbox, ReversePath};

use super::*;
use crate::envelope::Recipient;
use crate::mx::MxHost;
use crate::retry::RetryPolicy;
use crate::route::{Rule, SenderPattern};
use crate::testing::{mailbox, reply};
use crate::throttle::{Limits, Rate};

const T0: u64 = 1_700_000_000_000;

fn addr(text: &str) -> Mailbox<'static> {
    mailbox(text)
}

fn entry(id: u64, sender: Option<&str>, rcpts: &[&str]) -> QueueEntry {
    let mut envelope = Envelope::new(sender.map_or(ReversePath::Null, |s| addr(s).into()));
    for r in rcpts {
        envelope = envelope.with_recipient(Recipient::new(addr(r)));
    }
    QueueEntry::new(
        QueueId::from_u64(id),
        envelope,
        Timestamp::from_millis(T0),
        100,
        0,
    )
}

fn ok() -> RcptOutcome {
    RcptOutcome::Delivered(Diagnostic::from_reply(&reply(250, None, "ok"), None))
}

fn temp(text: &str) -> RcptOutcome {
    RcptOutcome::Deferred(Diagnostic::from_reply(&reply(450, None, text), None))
}

fn perm(text: &str) -> RcptOutcome {
    RcptOutcome::Failed(Diagnostic::from_reply(
        &reply(550, EnhancedStatusCode::new(5, 1, 1).ok(), text),
        None,
    ))
}

fn hosts(names: &[&str]) -> MxResolution {
    MxResolution::Hosts {
        hosts: names
            .iter()
            .enumerate()
            .map(|(i, n)| MxHost {
                preference: 10 * i as u16,
                name: (*n).to_owned(),
            })
            .collect(),
        ttl: Duration::from_secs(300),
    }
}

/// A scheduler, a clock, DNS answers and a record of everything that came out.
struct Sim {
    sched: Scheduler,
    now: Timestamp,
    dns: HashMap<String, MxResolution>,
    jobs: Vec<Job>,
    removed: Vec<QueueId>,
    persisted: Vec<(QueueId, Vec<Update>)>,
    notified: Vec<DsnRequest>,
    max_connections_seen: u32,
    answer_dns: bool,
}

impl Sim {
    fn new(config: SchedulerConfig, router: Router) -> Self {
        let mut dns = HashMap::new();
        dns.insert("a.example".to_owned(), hosts(&["mx.provider.example"]));
        dns.insert("b.example".to_owned(), hosts(&["mx.provider.example"]));
        dns.insert("c.example".to_owned(), hosts(&["mx.other.example"]));
        dns.insert(
            "null.example".to_owned(),
            MxResolution::Permanent(Diagnostic::local(EnhancedStatusCode::NULL_MX, "null MX")),
        );
        Self {
            sched: Scheduler::new(config, router, 42),
            now: Timestamp::from_millis(T0),
            dns,
            jobs: Vec::new(),
            removed: Vec::new(),
            persisted: Vec::new(),
            notified: Vec::new(),
            max_connections_seen: 0,
            answer_dns: true,
        }
    }

    fn default() -> Self {
        Self::new(SchedulerConfig::default(), Router::new())
    }

    /// Runs every action; new jobs are collected in `self.jobs` (not yet answered).
    fn pump(&mut self) {
        while let Some(action) = self.sched.poll_action(self.now) {
            match action {
                Action::Resolve { domain } => {
                    if self.answer_dns {
                        let answer = self.dns.get(&domain).cloned().unwrap_or_else(|| {
                            MxResolution::Permanent(Diagnostic::local(
                                EnhancedStatusCode::BAD_DESTINATION_SYSTEM,
                                "nxdomain",
                            ))
                        });
                        self.sched.handle_resolved(&domain, answer, self.now);
                    }
                }
                Action::Deliver(job) => self.jobs.push(job),
                Action::Persist { id, updates } => self.persisted.push((id, updates)),
                Action::Remove { id } => self.removed.push(id),
                Action::Notify(request) => {
                    self.notified.push(request.clone());
                    self.sched
                        .handle_notified(&request, Some(QueueId::from_u64(9999)), self.now);
                }
            }
            self.max_connections_seen = self.max_connections_seen.max(self.sched.connections());
        }
    }

    /// Answers every open job: each batch gets `respond(batch)`, then the job takes more
    /// until told to close.
    fn run_jobs(&mut self, mut respond: impl FnMut(&Batch) -> Vec<RcptOutcome>) -> usize {
        let mut transactions = 0;
        while let Some(job) = self.jobs.pop() {
            let mut batch = job.batch.clone();
            loop {
                transactions += 1;
                let outcomes = respond(&batch);
                let pairs = batch.recipients.iter().copied().zip(outcomes).collect();
                self.sched.handle_batch(job.id, pairs, false, self.now);
                match self.sched.next_batch(job.id, self.now) {
                    NextBatch::Batch(next) => batch = next,
                    NextBatch::Idle | NextBatch::Close => break,
                }
            }
            self.sched.handle_job_end(job.id, JobEnd::Done, self.now);
            self.pump();
        }
        transactions
    }

    fn advance_to_timeout(&mut self) {
        let next = self.sched.poll_timeout().expect("something scheduled");
        assert!(next >= self.now);
        self.now = next;
        self.pump();
    }

    fn events(&mut self) -> Vec<EventKind> {
        std::iter::from_fn(|| self.sched.poll_event())
            .map(|e| e.kind)
            .collect()
    }
}

#[test]
fn one_transaction_for_recipients_of_one_domain() {
    let mut sim = Sim::default();
    sim.sched.add(
        entry(1, Some("s@x.org"), &["a@a.example", "b@a.example"]),
        sim.now,
        true,
    );
    sim.pump();
    assert_eq!(sim.jobs.len(), 1);
    assert_eq!(sim.jobs[0].batch.recipients, [0, 1]);
    assert_eq!(sim.jobs[0].site, "mx:mx.provider.example:25");
    let n = sim.run_jobs(|b| vec![ok(); b.recipients.len()]);
    assert_eq!(n, 1);
    assert_eq!(sim.removed, [QueueId::from_u64(1)]);
    assert!(sim.sched.is_empty());
    // Delivered entries are removed, not rewritten.
    assert!(sim.persisted.is_empty());
    let events = sim.events();
    assert!(matches!(events[0], EventKind::Queued { recipients: 2, .. }));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, EventKind::Delivered { .. }))
            .count(),
        2
    );
}

#[test]
fn domains_with_the_same_mx_share_a_site_and_a_connection() {
    let mut sim = Sim::new(
        SchedulerConfig {
            site_limits: Limits::default().connections(1),
            ..SchedulerConfig::default()
        },
        Router::new(),
    );
    sim.sched
        .add(entry(1, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.sched
        .add(entry(2, Some("s@x.org"), &["r@b.example"]), sim.now, true);
    sim.sched
        .add(entry(3, Some("s@x.org"), &["r@c.example"]), sim.now, true);
    sim.pump();
    // a.example and b.example share mx.provider.example: one connection for both;
    // c.example is another site.
    assert_eq!(sim.jobs.len(), 2);
    let sites: Vec<&str> = sim.jobs.iter().map(|j| j.site.as_str()).collect();
    assert!(sites.contains(&"mx:mx.provider.example:25"));
    assert!(sites.contains(&"mx:mx.other.example:25"));
    let n = sim.run_jobs(|b| vec![ok(); b.recipients.len()]);
    assert_eq!(n, 3);
    assert_eq!(sim.removed.len(), 3);
}

#[test]
fn connection_limit_and_messages_per_connection() {
    let mut sim = Sim::new(
        SchedulerConfig {
            site_limits: Limits::default().connections(2).messages_per_connection(3),
            ..SchedulerConfig::default()
        },
        Router::new(),
    );
    for id in 1..=10 {
        sim.sched
            .add(entry(id, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    }
    sim.pump();
    assert_eq!(sim.jobs.len(), 2);
    let mut per_job = HashMap::new();
    while let Some(job) = sim.jobs.pop() {
        let mut count = 1;
        sim.sched
            .handle_batch(job.id, vec![(0, ok())], false, sim.now);
        while let NextBatch::Batch(b) = sim.sched.next_batch(job.id, sim.now) {
            count += 1;
            sim.sched
                .handle_batch(job.id, vec![(b.recipients[0], ok())], false, sim.now);
        }
        assert!(sim.sched.connections() <= 2);
        sim.sched.handle_job_end(job.id, JobEnd::Done, sim.now);
        per_job.insert(job.id, count);
        sim.pump();
    }
    assert!(per_job.values().all(|&n| n <= 3), "{per_job:?}");
    assert_eq!(per_job.values().sum::<u32>(), 10);
    assert_eq!(sim.max_connections_seen, 2);
    assert_eq!(sim.removed.len(), 10);
}

#[test]
fn recipients_per_transaction_limit_splits_a_message() {
    let mut sim = Sim::new(
        SchedulerConfig {
            site_limits: Limits::default().recipients_per_transaction(2),
            ..SchedulerConfig::default()
        },
        Router::new(),
    );
    let rcpts = [
        "1@a.example",
        "2@a.example",
        "3@b.example",
        "4@a.example",
        "5@b.example",
    ];
    sim.sched
        .add(entry(1, Some("s@x.org"), &rcpts), sim.now, true);
    sim.pump();
    let mut sizes = Vec::new();
    sim.run_jobs(|b| {
        sizes.push(b.recipients.len());
        vec![ok(); b.recipients.len()]
    });
    assert_eq!(sizes.iter().sum::<usize>(), 5);
    assert!(sizes.iter().all(|&n| n <= 2), "{sizes:?}");
    assert_eq!(sim.removed.len(), 1);
}

#[test]
fn temporary_failure_then_success_on_retry() {
    let retry = RetryPolicy::default()
        .schedule(vec![Duration::from_secs(60), Duration::from_secs(600)])
        .jitter(0.0);
    let mut sim = Sim::new(
        SchedulerConfig {
            queues: vec![QueueConfig::new("default").retry(retry)],
            ..SchedulerConfig::default()
        },
        Router::new(),
    );
    sim.sched
        .add(entry(1, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.pump();
    sim.run_jobs(|_| vec![temp("greylisted")]);
    let (_, updates) = sim.persisted.last().unwrap();
    let Update::Recipient { state, .. } = &updates[0] else {
        panic!()
    };
    assert_eq!(state.status, DeliveryStatus::Deferred);
    assert_eq!(state.attempts, 1);
    assert_eq!(state.next_attempt, Timestamp::from_millis(T0 + 60_000));
    assert_eq!(
        sim.sched.poll_timeout(),
        Some(Timestamp::from_millis(T0 + 60_000))
    );
    // Nothing happens before then.
    sim.now = Timestamp::from_millis(T0 + 59_999);
    sim.pump();
    assert!(sim.jobs.is_empty());
    sim.advance_to_timeout();
    assert_eq!(sim.jobs.len(), 1);
    sim.run_jobs(|_| vec![temp("still greylisted")]);
    assert_eq!(
        sim.sched.poll_timeout(),
        Some(Timestamp::from_millis(T0 + 60_000 + 600_000))
    );
    sim.advance_to_timeout();
    sim.run_jobs(|_| vec![ok()]);
    assert_eq!(sim.removed, [QueueId::from_u64(1)]);
    let events = sim.events();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, EventKind::Deferred { .. }))
            .count(),
        2
    );
}

#[test]
fn permanent_failure_per_recipient_sends_one_dsn() {
    let mut sim = Sim::default();
    sim.sched.add(
        entry(
            1,
            Some("s@x.org"),
            &["good@a.example", "bad@a.example", "worse@a.example"],
        ),
        sim.now,
        true,
    );
    sim.pump();
    sim.run_jobs(|_| vec![ok(), perm("no such user"), perm("no such user")]);
    assert_eq!(sim.notified.len(), 1);
    assert_eq!(sim.notified[0].kind, DsnKind::Failure);
    assert_eq!(sim.notified[0].recipients, [1, 2]);
    assert_eq!(sim.removed, [QueueId::from_u64(1)]);
}

#[test]
fn null_mx_fails_at_once_and_null_sender_gets_no_dsn() {
    let mut sim = Sim::default();
    sim.sched.add(
        entry(1, Some("s@x.org"), &["r@null.example"]),
        sim.now,
        true,
    );
    sim.sched
        .add(entry(2, None, &["r@null.example"]), sim.now, true);
    sim.pump();
    assert!(sim.jobs.is_empty());
    assert_eq!(sim.notified.len(), 1, "a bounce is never bounced");
    assert_eq!(sim.notified[0].id, QueueId::from_u64(1));
    assert_eq!(sim.removed.len(), 2);
    let failed: Vec<EnhancedStatusCode> = sim
        .events()
        .into_iter()
        .filter_map(|e| match e {
            EventKind::Failed { diagnostic, .. } => Some(diagnostic.status),
            _ => None,
        })
        .collect();
    assert_eq!(
        failed,
        [EnhancedStatusCode::NULL_MX, EnhancedStatusCode::NULL_MX]
    );
}

#[test]
fn notify_never_and_success() {
    let mut sim = Sim::default();
    let mut e = entry(1, Some("s@x.org"), &["a@a.example", "b@a.example"]);
    e.envelope.recipients[0].notify = Some(Notify::NEVER);
    e.envelope.recipients[1].notify = "SUCCESS".parse().ok();
    sim.sched.add(e, sim.now, true);
    sim.pump();
    let job = sim.jobs.pop().unwrap();
    // The next hop lacks DSN: success notices are ours to send.
    sim.sched
        .handle_batch(job.id, vec![(0, perm("no")), (1, ok())], true, sim.now);
    sim.sched.handle_job_end(job.id, JobEnd::Done, sim.now);
    sim.pump();
    assert_eq!(sim.notified.len(), 1);
    assert_eq!(sim.notified[0].kind, DsnKind::Success);
    assert_eq!(sim.notified[0].recipients, [1]);
    assert_eq!(sim.removed.len(), 1);
}

#[test]
fn site_backoff_after_421_then_recovery() {
    let mut sim = Sim::new(
        SchedulerConfig {
            site_backoff: vec![Duration::from_secs(120)],
            ..SchedulerConfig::default()
        },
        Router::new(),
    );
    sim.sched
        .add(entry(1, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.pump();
    let job = sim.jobs.pop().unwrap();
    let busy = Diagnostic::from_reply(&reply(421, None, "too busy"), Some("mx".into()));
    sim.sched
        .handle_job_end(job.id, JobEnd::Failed(busy), sim.now);
    sim.pump();
    // A new message for the same site waits for the backoff, although due.
    sim.now = Timestamp::from_millis(T0 + 1000);
    sim.sched
        .add(entry(2, Some("s@x.org"), &["r@b.example"]), sim.now, true);
    sim.pump();
    assert!(sim.jobs.is_empty());
    assert!(
        sim.events()
            .iter()
            .any(|e| matches!(e, EventKind::SiteBackoff { .. }))
    );
    // The scheduler wakes at the latest when the backoff ends.
    assert!(sim.sched.poll_timeout().unwrap() <= Timestamp::from_millis(T0 + 120_000));
    sim.now = Timestamp::from_millis(T0 + 119_999);
    sim.pump();
    assert!(sim.jobs.iter().all(|j| j.batch.id != QueueId::from_u64(2)));
    sim.now = Timestamp::from_millis(T0 + 120_000);
    sim.pump();
    // Message 2 goes now; message 1 is due at its own retry time (~60 s ± jitter).
    let n = sim.run_jobs(|b| vec![ok(); b.recipients.len()]);
    assert!(n >= 1);
    assert!(sim.removed.contains(&QueueId::from_u64(2)));
}

#[test]
fn expiry_and_delay_warning() {
    let retry = RetryPolicy::default()
        .schedule(vec![Duration::from_secs(600)])
        .jitter(0.0)
        .max_lifetime(Duration::from_secs(3600))
        .delay_warning(Some(Duration::from_secs(1200)));
    let mut sim = Sim::new(
        SchedulerConfig {
            queues: vec![QueueConfig::new("default").retry(retry)],
            ..SchedulerConfig::default()
        },
        Router::new(),
    );
    sim.sched
        .add(entry(1, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.pump();
    for _ in 0..10 {
        sim.run_jobs(|_| vec![temp("mailbox busy")]);
        if sim.sched.is_empty() {
            break;
        }
        sim.advance_to_timeout();
    }
    let kinds: Vec<DsnKind> = sim.notified.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [DsnKind::Delay, DsnKind::Failure]);
    assert_eq!(sim.removed, [QueueId::from_u64(1)]);
    let failed = sim.events().into_iter().find_map(|e| match e {
        EventKind::Failed { diagnostic, .. } => Some(diagnostic),
        _ => None,
    });
    let failed = failed.unwrap();
    assert_eq!(failed.status, codes::EXPIRED);
    assert_eq!(
        failed.reply.unwrap().code().get(),
        450,
        "the last reply is kept for the DSN"
    );
}

#[test]
fn rate_limit_spaces_messages() {
    let mut sim = Sim::new(
        SchedulerConfig {
            site_limits: Limits::default().rate(Rate::per_second(2).with_burst(1)),
            ..SchedulerConfig::default()
        },
        Router::new(),
    );
    for id in 1..=20 {
        sim.sched
            .add(entry(id, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    }
    sim.pump();
    let mut sent_at = Vec::new();
    while !sim.sched.is_empty() {
        let now = sim.now;
        sim.run_jobs(|_| {
            sent_at.push(now);
            vec![ok()]
        });
        if sim.sched.is_empty() {
            break;
        }
        sim.advance_to_timeout();
    }
    assert_eq!(sent_at.len(), 20);
    // 2 per second with a burst of 1: at least 500 ms between any two.
    for pair in sent_at.windows(2) {
        assert!(
            pair[1].duration_since(pair[0]) >= Duration::from_millis(500),
            "{pair:?}"
        );
    }
}

#[test]
fn priority_and_routing_to_named_queues() {
    let mut router = Router::new();
    router.push(
        Rule::new("bulk")
            .sender(".news.example".parse().unwrap())
            .queue("bulk"),
    );
    router.push(
        Rule::new("bounces")
            .sender(SenderPattern::Null)
            .queue("bounces"),
    );
    let mut sim = Sim::new(
        SchedulerConfig {
            queues: vec![
                QueueConfig::new("default").priority(10),
                QueueConfig::new("bulk").priority(-10),
                QueueConfig::new("bounces").priority(0),
            ],
            site_limits: Limits::default().connections(1),
            ..SchedulerConfig::default()
        },
        router,
    );
    sim.sched.add(
        entry(1, Some("x@news.example"), &["r@a.example"]),
        sim.now,
        true,
    );
    sim.sched
        .add(entry(2, None, &["r@a.example"]), sim.now, true);
    sim.sched.add(
        entry(3, Some("x@corp.example"), &["r@a.example"]),
        sim.now,
        true,
    );
    // Hold DNS so all three wait in the same lane before the first connection.
    sim.pump();
    let mut order = Vec::new();
    sim.run_jobs(|b| {
        order.push(b.id.as_u64());
        vec![ok()]
    });
    // All go through one connection by rule lane; within a lane, priority then age.
    assert_eq!(order.len(), 3);
    let pos = |id| order.iter().position(|&x| x == id).unwrap();
    assert!(pos(3) < pos(1), "{order:?}");
}

#[test]
fn queue_in_flight_limit() {
    let mut sim = Sim::new(
        SchedulerConfig {
            queues: vec![QueueConfig::new("default").max_in_flight(1)],
            ..SchedulerConfig::default()
        },
        Router::new(),
    );
    for id in 1..=3 {
        sim.sched.add(
            entry(
                id,
                Some("s@x.org"),
                &[&format!(
                    "r@{}",
                    ["a.example", "c.example", "b.example"][id as usize - 1]
                )],
            ),
            sim.now,
            true,
        );
    }
    sim.pump();
    assert_eq!(sim.jobs.len(), 1, "one message of the queue at a time");
    let n = sim.run_jobs(|_| vec![ok()]);
    assert_eq!(n, 3);
}

#[test]
fn operations_hold_release_retry_bounce_delete() {
    let mut sim = Sim::default();
    sim.answer_dns = false;
    sim.sched
        .add(entry(1, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.sched.add(
        entry(2, Some("s@x.org"), &["r@a.example", "q@a.example"]),
        sim.now,
        true,
    );
    sim.sched
        .add(entry(3, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.pump();
    let id1 = QueueId::from_u64(1);
    let id2 = QueueId::from_u64(2);
    let id3 = QueueId::from_u64(3);
    assert!(sim.sched.hold(id1, sim.now));
    assert!(sim.sched.bounce_now(id2, sim.now));
    assert!(sim.sched.delete(id3, sim.now));
    assert!(!sim.sched.delete(QueueId::from_u64(77), sim.now));
    sim.answer_dns = true;
    sim.sched
        .handle_resolved("a.example", hosts(&["mx.provider.example"]), sim.now);
    sim.pump();
    assert!(
        sim.jobs.is_empty(),
        "held, bounced and deleted entries are not delivered"
    );
    assert!(sim.removed.contains(&id2));
    assert!(sim.removed.contains(&id3));
    assert_eq!(sim.notified.len(), 1);
    assert_eq!(sim.notified[0].recipients, [0, 1]);
    assert!(sim.sched.entry(id1).unwrap().held);
    assert!(
        sim.persisted
            .iter()
            .any(|(id, u)| *id == id1 && u.contains(&Update::Held(true)))
    );
    assert!(sim.sched.retry_now(id1, sim.now));
    sim.pump();
    assert_eq!(sim.jobs.len(), 1);
    sim.run_jobs(|_| vec![ok()]);
    assert!(sim.removed.contains(&id1));
    let events = sim.events();
    for wanted in ["Held", "Released", "Deleted"] {
        assert!(
            events.iter().any(|e| format!("{e:?}").starts_with(wanted)),
            "{wanted}"
        );
    }
}

#[test]
fn reject_route_and_recovered_state() {
    let mut router = Router::new();
    router.push(
        Rule::new("no")
            .domain("c.example".parse().unwrap())
            .action(RouteAction::Reject {
                status: EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED,
                text: "we do not send there".into(),
            }),
    );
    let mut sim = Sim::new(SchedulerConfig::default(), router);
    // A recovered entry whose first recipient was already delivered.
    let mut e = entry(1, Some("s@x.org"), &["done@a.example", "r@c.example"]);
    e.recipients[0].status = DeliveryStatus::Delivered;
    e.recipients[0].final_notified = true;
    sim.sched.add(e, sim.now, false);
    sim.pump();
    assert!(sim.jobs.is_empty());
    assert_eq!(sim.notified.len(), 1);
    assert_eq!(sim.notified[0].recipients, [1]);
    assert_eq!(sim.removed.len(), 1);
    assert!(
        !sim.events()
            .iter()
            .any(|e| matches!(e, EventKind::Queued { .. }))
    );
}

#[test]
fn job_failure_defers_its_batch() {
    let mut sim = Sim::default();
    sim.sched
        .add(entry(1, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.pump();
    let job = sim.jobs.pop().unwrap();
    let refused = Diagnostic::local(codes::NO_ANSWER, "connection refused");
    sim.sched
        .handle_job_end(job.id, JobEnd::Failed(refused), sim.now);
    sim.pump();
    let entry = sim.sched.entry(QueueId::from_u64(1)).unwrap();
    assert_eq!(entry.recipients[0].status, DeliveryStatus::Deferred);
    assert_eq!(
        entry.recipients[0].diagnostic.as_ref().unwrap().status,
        codes::NO_ANSWER
    );
    assert_eq!(sim.sched.connections(), 0);
}

#[test]
fn an_idle_connection_takes_new_mail_instead_of_a_new_connection() {
    let mut sim = Sim::default();
    sim.sched
        .add(entry(1, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.pump();
    let job = sim.jobs.pop().unwrap();
    sim.sched
        .handle_batch(job.id, vec![(0, ok())], false, sim.now);
    assert!(matches!(
        sim.sched.next_batch(job.id, sim.now),
        NextBatch::Idle
    ));
    assert!(!sim.sched.take_idle_work());
    // New mail for the same site (b.example shares the MX) while the job idles.
    sim.sched
        .add(entry(2, Some("s@x.org"), &["r@b.example"]), sim.now, true);
    sim.pump();
    assert!(sim.jobs.is_empty(), "no second connection");
    assert!(sim.sched.take_idle_work());
    let NextBatch::Batch(batch) = sim.sched.next_batch(job.id, sim.now) else {
        panic!("the idle job gets the new message");
    };
    assert_eq!(batch.id, QueueId::from_u64(2));
    sim.sched
        .handle_batch(job.id, vec![(0, ok())], false, sim.now);
    sim.sched.handle_job_end(job.id, JobEnd::Done, sim.now);
    sim.pump();
    assert_eq!(sim.removed.len(), 2);
    // Once it ended, new mail opens a connection again.
    sim.sched
        .add(entry(3, Some("s@x.org"), &["r@a.example"]), sim.now, true);
    sim.pump();
    assert_eq!(sim.jobs.len(), 1);
}
