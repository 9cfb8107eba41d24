//! mailstore: durable appends, FETCH of flags and envelopes, full-text search and a
//! flag change, on 10,000 messages of 10 KB (benches/data/message_10k.eml).
//!
//! The peer (Dovecot) is compared at server level with the reference server; these
//! figures are the store alone. See benches/README.md.

#![allow(
    clippy::expect_used,
    reason = "a bench that cannot set up its fixture has nothing to measure"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mailwright_store::store::{MailboxStore, MessageReader, MessageStore, SearchStore};
use mailwright_store::{
    Account, AppendOptions, FetchOptions, FlagOp, Flags, MailboxId, MailboxName, Options,
    SearchKey, SystemFlag, UidSet,
};

const MESSAGE: &[u8] = include_bytes!("../data/message_10k.eml");
const COUNT: usize = 10_000;

/// The bench message with a distinct header and one of 100 search tokens.
fn message(n: usize) -> Vec<u8> {
    let mut out = format!("X-Bench: {n}\r\nX-Token: token{}\r\n", n % 100).into_bytes();
    out.extend_from_slice(MESSAGE);
    out
}

fn open(dir: &std::path::Path) -> (Account, MailboxId) {
    let account = Account::open(dir, &Options::new()).expect("open account");
    let inbox = account.mailbox(&MailboxName::inbox()).expect("inbox").id;
    (account, inbox)
}

/// An account with COUNT messages, appended durably in batches of 500.
fn filled() -> (tempfile::TempDir, Account, MailboxId) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (account, inbox) = open(dir.path());
    let messages: Vec<Vec<u8>> = (0..COUNT).map(message).collect();
    for chunk in messages.chunks(500) {
        let batch: Vec<(&[u8], AppendOptions)> = chunk
            .iter()
            .map(|m| (m.as_slice(), AppendOptions::default()))
            .collect();
        account.append_batch(inbox, &batch).expect("append batch");
    }
    (dir, account, inbox)
}

fn append(c: &mut Criterion) {
    let mut group = c.benchmark_group("mailstore/append");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let dir = tempfile::tempdir().expect("tempdir");
    let (account, inbox) = open(dir.path());
    let msg = message(1);
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("durable_10k_message", "mailstore"), |b| {
        b.iter(|| {
            account
                .append_bytes(inbox, black_box(&msg), &AppendOptions::default())
                .expect("append")
        })
    });
    group.bench_function(
        BenchmarkId::new("durable_10k_message_streamed", "mailstore"),
        |b| {
            b.iter(|| {
                account
                    .append(
                        inbox,
                        &mut black_box(msg.as_slice()),
                        &AppendOptions::default(),
                    )
                    .expect("append")
            })
        },
    );
    group.throughput(Throughput::Elements(100));
    let batch: Vec<(&[u8], AppendOptions)> = (0..100)
        .map(|_| (msg.as_slice(), AppendOptions::default()))
        .collect();
    group.bench_function(BenchmarkId::new("durable_batch_of_100", "mailstore"), |b| {
        b.iter(|| {
            account
                .append_batch(inbox, black_box(&batch))
                .expect("append batch")
        })
    });
    group.finish();
}

fn on_10k(c: &mut Criterion) {
    // Only to report how long the fixture took; criterion does the measuring.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let (_dir, account, inbox) = filled();
    eprintln!(
        "filled {COUNT} messages (durable batches of 500) in {:?}",
        started.elapsed()
    );
    let all = UidSet::all();
    let mut group = c.benchmark_group("mailstore/10k");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(COUNT as u64));
    group.bench_function(BenchmarkId::new("fetch_flags", "mailstore"), |b| {
        b.iter(|| {
            account
                .fetch(inbox, black_box(&all), FetchOptions::meta())
                .expect("fetch")
        })
    });
    group.bench_function(BenchmarkId::new("fetch_flags_envelope", "mailstore"), |b| {
        b.iter(|| {
            account
                .fetch(inbox, black_box(&all), FetchOptions::meta().with_envelope())
                .expect("fetch")
        })
    });
    // TEXT finds the token in the header column of the full-text index (1% of the
    // messages); BODY finds a phrase of the quoted-printable text part (all of them).
    let text = SearchKey::Text("token42".into());
    group.bench_function(BenchmarkId::new("search_text_1pct", "mailstore"), |b| {
        b.iter(|| {
            let hits = account.search(inbox, black_box(&text)).expect("search");
            assert_eq!(hits.len(), COUNT / 100);
        })
    });
    let body = SearchKey::Body("budget meeting".into());
    group.bench_function(BenchmarkId::new("search_body_all", "mailstore"), |b| {
        b.iter(|| {
            let hits = account.search(inbox, black_box(&body)).expect("search");
            assert_eq!(hits.len(), COUNT);
        })
    });
    let header = SearchKey::Header("X-Token".into(), "token42".into());
    group.bench_function(BenchmarkId::new("search_header", "mailstore"), |b| {
        b.iter(|| account.search(inbox, black_box(&header)).expect("search"))
    });
    let flagged = Flags::new().with(SystemFlag::Flagged);
    let mut add = true;
    group.bench_function(BenchmarkId::new("store_flags_toggle", "mailstore"), |b| {
        b.iter(|| {
            let op = if add { FlagOp::Add } else { FlagOp::Remove };
            add = !add;
            account
                .store_flags(inbox, black_box(&all), op, &flagged, None)
                .expect("store")
        })
    });
    group.finish();
}

criterion_group!(benches, append, on_10k);
criterion_main!(benches);
