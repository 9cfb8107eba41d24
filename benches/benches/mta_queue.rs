//! mta-queue: durable enqueue of 10 KB messages (file spool: body, envelope and
//! directory fsynced before `create` returns), alone and from 16 concurrent writers
//! (the group commit of directory fsyncs), and the scheduler's own cost per message.
//!
//! Postfix is measured beside it by `scripts/load/mta-queue.sh` (smtp-source into a
//! private Postfix), in the same run; see benches/README.md.

#![allow(
    clippy::expect_used,
    reason = "a bench that cannot set up its fixture has nothing to measure"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "iter_custom times concurrent writers with the real clock"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mailwright_queue::mx::{MxHost, MxResolution};
use mailwright_queue::scheduler::{Action, JobEnd, NextBatch, RcptOutcome};
use mailwright_queue::{
    Diagnostic, Envelope, FileSpool, QueueEntry, QueueId, Recipient, Scheduler, SchedulerConfig,
    Spool, Timestamp,
};
use mailwright_smtp::{EnhancedStatusCode, Mailbox};

const MESSAGE: &[u8] = include_bytes!("../data/message_10k.eml");

fn envelope(n: usize) -> Envelope {
    Envelope::new(Mailbox::try_from("sender@example.org").expect("mailbox")).with_recipient(
        Recipient::new(Mailbox::try_from(format!("rcpt{n}@example.net")).expect("mailbox")),
    )
}

fn now() -> Timestamp {
    Timestamp::from_secs(1_700_000_000)
}

fn enqueue(c: &mut Criterion) {
    let mut group = c.benchmark_group("mta-queue/enqueue");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = FileSpool::open(dir.path()).expect("spool");
    let mut n = 0;
    group.bench_function(BenchmarkId::new("10k-durable", "sequential"), |b| {
        b.iter(|| {
            n += 1;
            black_box(spool.create(envelope(n), MESSAGE, now()).expect("create"))
        });
    });
    let spool = Arc::new(spool);
    for writers in [4usize, 16] {
        group.bench_function(
            BenchmarkId::new("10k-durable", format!("{writers}-writers")),
            |b| {
                b.iter_custom(|iters| {
                    // `iters` messages shared by `writers` threads; time per message.
                    let per = (iters as usize).div_ceil(writers);
                    let start = Instant::now();
                    std::thread::scope(|scope| {
                        for w in 0..writers {
                            let spool = Arc::clone(&spool);
                            scope.spawn(move || {
                                for i in 0..per {
                                    spool
                                        .create(envelope(w * per + i), MESSAGE, now())
                                        .expect("create");
                                }
                            });
                        }
                    });
                    start
                        .elapsed()
                        .mul_f64(iters as f64 / (per * writers) as f64)
                });
            },
        );
    }
    group.finish();
}

/// 10,000 one-recipient messages for one site, through the scheduler with deliveries
/// answered at once: routing, lanes, limits, outcomes, removal.
fn scheduler(c: &mut Criterion) {
    let mut group = c.benchmark_group("mta-queue/scheduler");
    const COUNT: usize = 10_000;
    group.throughput(Throughput::Elements(COUNT as u64));
    group.sample_size(10);
    let entries: Vec<QueueEntry> = (0..COUNT)
        .map(|n| QueueEntry::new(QueueId::new(now(), n as u32), envelope(n), now(), 10_240, 0))
        .collect();
    let ok = RcptOutcome::Delivered(Diagnostic::local(EnhancedStatusCode::OK, "ok"));
    group.bench_function(BenchmarkId::new("deliver", "10000x1-rcpt"), |b| {
        b.iter(|| {
            let mut scheduler = Scheduler::new(SchedulerConfig::default(), Default::default(), 1);
            for entry in &entries {
                scheduler.add(entry.clone(), now(), true);
            }
            let mut removed = 0;
            while removed < COUNT {
                let Some(action) = scheduler.poll_action(now()) else {
                    break;
                };
                match action {
                    Action::Resolve { domain } => {
                        let hosts = vec![MxHost {
                            preference: 10,
                            name: "mx.example.net".into(),
                        }];
                        scheduler.handle_resolved(
                            &domain,
                            MxResolution::Hosts {
                                hosts,
                                ttl: Duration::from_secs(300),
                            },
                            now(),
                        );
                    }
                    Action::Deliver(job) => {
                        let mut batch = job.batch;
                        loop {
                            let pairs = batch.recipients.iter().map(|&i| (i, ok.clone())).collect();
                            scheduler.handle_batch(job.id, pairs, false, now());
                            match scheduler.next_batch(job.id, now()) {
                                NextBatch::Batch(next) => batch = next,
                                NextBatch::Idle | NextBatch::Close => break,
                            }
                        }
                        scheduler.handle_job_end(job.id, JobEnd::Done, now());
                    }
                    Action::Remove { .. } => removed += 1,
                    _ => {}
                }
                while scheduler.poll_event().is_some() {}
            }
            assert_eq!(removed, COUNT);
        });
    });
    group.finish();
}

criterion_group!(benches, enqueue, scheduler);
criterion_main!(benches);
