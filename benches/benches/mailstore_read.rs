//! mailstore's read path: what an IMAP `FETCH 1:* (BODY.PEEK[])` or a POP3 `RETR` of
//! every message asks of the store, on 1,000 messages of 10 KB
//! (benches/data/message_10k.eml).
//!
//! The floor (`fs_read`) opens and reads the same Maildir files with `std::fs::read`,
//! paths listed once outside the timed loop: what any Maildir server (Dovecot's
//! Maildir backend too) pays at least per message. `mailstore_read_each` reads through
//! `MessageReader::read_each` (one index query for all messages). See benches/README.md.

#![allow(
    clippy::expect_used,
    reason = "a bench that cannot set up its fixture has nothing to measure"
)]

use std::hint::black_box;
use std::io::Read;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mailwright_store::store::{MailboxStore, MessageReader};
use mailwright_store::{
    Account, AppendOptions, FetchOptions, Flags, MailboxId, MailboxName, Options, Section,
    SectionText, SystemFlag, UidSet,
};

const MESSAGE: &[u8] = include_bytes!("../data/message_10k.eml");
const COUNT: usize = 1_000;

/// An account with COUNT distinct messages, half of them flagged `\Seen` (in `cur/`),
/// half new (in `new/`), as a mailbox in use holds.
fn filled() -> (tempfile::TempDir, Account, MailboxId) {
    let dir = tempfile::tempdir().expect("tempdir");
    let account = Account::open(dir.path(), &Options::new()).expect("open account");
    let inbox = account.mailbox(&MailboxName::inbox()).expect("inbox").id;
    let messages: Vec<Vec<u8>> = (0..COUNT)
        .map(|n| {
            let mut out = format!("X-Bench: {n}\r\n").into_bytes();
            out.extend_from_slice(MESSAGE);
            out
        })
        .collect();
    let seen = Flags::new().with(SystemFlag::Seen);
    let batch: Vec<(&[u8], AppendOptions)> = messages
        .iter()
        .enumerate()
        .map(|(n, m)| {
            let flags = if n % 2 == 0 {
                seen.clone()
            } else {
                Flags::new()
            };
            (m.as_slice(), AppendOptions::new(flags, None))
        })
        .collect();
    account.append_batch(inbox, &batch).expect("append batch");
    (dir, account, inbox)
}

/// The message files of the INBOX folder.
fn files(root: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["cur", "new"] {
        for entry in std::fs::read_dir(root.join(sub)).expect("read_dir") {
            out.push(entry.expect("entry").path());
        }
    }
    out
}

/// Metadata of every message, then each one read with `section` (a FETCH of 1:*).
fn fetch_all(account: &Account, inbox: MailboxId, section: &Section) -> usize {
    let metas = account
        .fetch(inbox, &UidSet::all(), FetchOptions::meta())
        .expect("fetch");
    let mut total = 0;
    for meta in &metas {
        let data = account
            .read(inbox, meta.uid, section, None)
            .expect("read")
            .into_vec()
            .expect("into_vec");
        total += black_box(data).len();
    }
    total
}

/// The same through `read_each`: metadata, then one index query for all the files.
fn fetch_all_each(account: &Account, inbox: MailboxId, section: &Section) -> usize {
    let metas = account
        .fetch(inbox, &UidSet::all(), FetchOptions::meta())
        .expect("fetch");
    let uids: UidSet = metas.iter().map(|m| m.uid).collect();
    let mut total = 0;
    account
        .read_each(inbox, &uids, section, None, &mut |_, data| {
            total += black_box(data.into_vec().expect("into_vec")).len();
            Ok(())
        })
        .expect("read_each");
    total
}

fn read(c: &mut Criterion) {
    let (dir, account, inbox) = filled();
    let paths = files(dir.path());
    assert_eq!(paths.len(), COUNT);
    let mut group = c.benchmark_group("mailstore/read");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(COUNT as u64));

    let full = Section::full();
    group.bench_function(BenchmarkId::new("body_peek_all", "mailstore"), |b| {
        b.iter(|| fetch_all(&account, inbox, black_box(&full)))
    });
    group.bench_function(
        BenchmarkId::new("body_peek_all", "mailstore_read_each"),
        |b| b.iter(|| fetch_all_each(&account, inbox, black_box(&full))),
    );
    group.bench_function(BenchmarkId::new("body_peek_all", "fs_read"), |b| {
        b.iter(|| {
            let mut total = 0;
            for path in &paths {
                total += black_box(std::fs::read(path).expect("read")).len();
            }
            total
        })
    });

    // POP3 RETR: each message streamed into one reused buffer.
    let uids = account.uids(inbox).expect("uids");
    group.bench_function(BenchmarkId::new("retr_all", "mailstore"), |b| {
        let mut buf = Vec::with_capacity(64 * 1024);
        b.iter(|| {
            for &uid in &uids {
                buf.clear();
                account
                    .read(inbox, uid, &full, None)
                    .expect("read")
                    .read_to_end(&mut buf)
                    .expect("read_to_end");
                black_box(&buf);
            }
        })
    });

    let header = Section::new(Vec::new(), Some(SectionText::Header)).expect("section");
    group.bench_function(BenchmarkId::new("header_all", "mailstore"), |b| {
        b.iter(|| fetch_all(&account, inbox, black_box(&header)))
    });
    let one = NonZeroU32::MIN;
    let part = Section::new(vec![one], None).expect("section");
    group.bench_function(BenchmarkId::new("part1_all", "mailstore"), |b| {
        b.iter(|| fetch_all(&account, inbox, black_box(&part)))
    });
    group.bench_function(BenchmarkId::new("part1_all", "mailstore_read_each"), |b| {
        b.iter(|| fetch_all_each(&account, inbox, black_box(&part)))
    });
    let fields = Section::new(
        Vec::new(),
        Some(SectionText::HeaderFields {
            not: false,
            fields: vec!["From".into(), "Subject".into(), "Date".into()],
        }),
    )
    .expect("section");
    group.bench_function(BenchmarkId::new("header_fields_all", "mailstore"), |b| {
        b.iter(|| fetch_all(&account, inbox, black_box(&fields)))
    });
    group.finish();
}

criterion_group!(benches, read);
criterion_main!(benches);
