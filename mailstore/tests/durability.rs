//! Crash safety, concurrency, other tools' files, and hostile messages. Concurrency,
//! hostile and large messages run on both backends (see `common/mod.rs`); crashes and
//! other tools' files are the Maildir's.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use mailwright_store::store::{MailboxStore, MessageReader, MessageStore};
use mailwright_store::{
    Account, AppendOptions, FetchOptions, FlagOp, Flags, InternalDate, Keyword, MailboxName,
    Options, Section, SystemFlag, Uid, UidSet,
};

use common::{Backend, Setup};

backend_tests!(
    concurrent_appends_and_flag_changes_lose_nothing,
    hostile_messages_are_stored_byte_exact,
    a_50_mb_message_streams_in_and_out,
);

const CHILD_DIR: &str = "MAILSTORE_KILL9_DIR";

fn body(n: u64) -> Vec<u8> {
    format!(
        "From: loop@example.org\r\nSubject: message {n}\r\n\r\n{}\r\n",
        "x".repeat((n % 7 * 100) as usize)
    )
    .into_bytes()
}

fn flags_for(n: u64) -> Flags {
    let mut flags = Flags::new();
    if n.is_multiple_of(2) {
        flags.insert(SystemFlag::Seen.into());
    }
    if n.is_multiple_of(3) {
        flags.insert(SystemFlag::Flagged.into());
    }
    flags
}

/// The child side of the kill -9 test: appends (and re-flags) in a loop, printing an
/// acknowledgement line after each call returned Ok. Does nothing unless started by
/// `kill9_finds_every_acknowledged_message`.
#[test]
fn kill9_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let account = Account::open(&dir, &Options::new()).unwrap();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for n in 0.. {
        let appended = account
            .append_bytes(inbox.id, &body(n), &AppendOptions::new(flags_for(n), None))
            .unwrap();
        writeln!(out, "ACK {} {n}", appended.uid).unwrap();
        out.flush().unwrap();
        if n % 4 == 3 {
            let flags = Flags::new().with(SystemFlag::Answered);
            account
                .store_flags(inbox.id, &appended.uid.into(), FlagOp::Add, &flags, None)
                .unwrap();
            writeln!(out, "ANSWERED {}", appended.uid).unwrap();
            out.flush().unwrap();
        }
    }
}

#[test]
fn kill9_finds_every_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    // uid -> (n, answered)
    let mut acked: BTreeMap<u32, (u64, bool)> = BTreeMap::new();
    let rounds = 6;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args(["--exact", "kill9_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Kill after a varying number of acknowledgements, so the kill lands at
        // different points of the append path.
        let stop_after = 5 + (round * 7) % 23;
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while let Some(Ok(line)) = lines.next() {
            record(&mut acked, &line);
            if line.starts_with("ACK") {
                seen += 1;
                if seen >= stop_after {
                    break;
                }
            }
        }
        child.kill().unwrap(); // SIGKILL
        // Lines written before the kill that we did not read yet count too.
        for line in lines.map_while(Result::ok) {
            record(&mut acked, &line);
        }
        child.wait().unwrap();

        let account = Account::open(dir.path(), &Options::new()).unwrap();
        let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
        let metas = account
            .fetch(inbox.id, &UidSet::all(), FetchOptions::meta())
            .unwrap();
        let by_uid: BTreeMap<u32, _> = metas.iter().map(|m| (m.uid.get(), m)).collect();
        for (&uid, &(n, answered)) in &acked {
            let meta = by_uid
                .get(&uid)
                .unwrap_or_else(|| panic!("round {round}: acknowledged UID {uid} lost"));
            let mut expected = flags_for(n);
            if answered {
                expected.insert(SystemFlag::Answered.into());
            }
            // An unacknowledged \Answered may have landed: only what was acked must be there.
            for flag in expected.iter() {
                assert!(
                    meta.flags.contains(&flag),
                    "round {round}: UID {uid} lost {flag}"
                );
            }
            let data = account
                .read(inbox.id, Uid::new(uid).unwrap(), &Section::full(), None)
                .unwrap();
            assert_eq!(
                data.into_vec().unwrap(),
                body(n),
                "round {round}: UID {uid} body"
            );
        }
        // Index and files agree: every row's file is readable, no stray tmp files.
        for meta in &metas {
            account
                .read(inbox.id, meta.uid, &Section::full(), None)
                .unwrap()
                .into_vec()
                .unwrap();
        }
        let files = std::fs::read_dir(dir.path().join("cur")).unwrap().count()
            + std::fs::read_dir(dir.path().join("new")).unwrap().count();
        assert_eq!(files, metas.len(), "round {round}: files and rows differ");
    }
    assert!(
        acked.len() >= rounds,
        "the child acknowledged too little: {}",
        acked.len()
    );
}

fn record(acked: &mut BTreeMap<u32, (u64, bool)>, line: &str) {
    let parts: Vec<&str> = line.split(' ').collect();
    match parts.as_slice() {
        ["ACK", uid, n] => {
            if let (Ok(uid), Ok(n)) = (uid.parse(), n.parse()) {
                acked.insert(uid, (n, false));
            }
        }
        ["ANSWERED", uid] => {
            if let Some(entry) = uid.parse().ok().and_then(|uid: u32| acked.get_mut(&uid)) {
                entry.1 = true;
            }
        }
        _ => {}
    }
}

fn concurrent_appends_and_flag_changes_lose_nothing<B: Backend>() {
    concurrency::<B>(4, 30);
}

/// Longer variant: `cargo test -p mailwright-store -- --ignored stress`.
#[test]
#[ignore = "stress variant, run explicitly"]
fn stress_concurrency() {
    concurrency::<common::Maildir>(8, 300);
    concurrency::<common::Memory>(8, 3000);
}

fn concurrency<B: Backend>(flaggers: usize, appends: u64) {
    let backend = B::open_with(Setup {
        durable: false,
        ..Setup::default()
    });
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    for n in 0..10 {
        account
            .append_bytes(inbox.id, &body(n), &AppendOptions::default())
            .unwrap();
    }
    std::thread::scope(|scope| {
        for t in 0..2 {
            let account = account.clone();
            scope.spawn(move || {
                for n in 0..appends {
                    account
                        .append_bytes(inbox.id, &body(t * 1000 + n), &AppendOptions::default())
                        .unwrap();
                }
            });
        }
        for t in 0..flaggers {
            let account = account.clone();
            scope.spawn(move || {
                let keyword = Flags::new().with(Keyword::try_from(format!("T{t}")).unwrap());
                // Each thread adds its own keyword to every message, one at a time, and
                // toggles \Seen: a lost update would drop some thread's keyword.
                for uid in 1..=10 {
                    let uid = Uid::new(uid).unwrap();
                    account
                        .store_flags(inbox.id, &uid.into(), FlagOp::Add, &keyword, None)
                        .unwrap();
                    let seen = Flags::new().with(SystemFlag::Seen);
                    let op = if t % 2 == 0 {
                        FlagOp::Add
                    } else {
                        FlagOp::Remove
                    };
                    account
                        .store_flags(inbox.id, &uid.into(), op, &seen, None)
                        .unwrap();
                }
            });
        }
    });
    let metas = account
        .fetch(inbox.id, &UidSet::all(), FetchOptions::meta())
        .unwrap();
    assert_eq!(metas.len() as u64, 10 + 2 * appends);
    let uids: Vec<u32> = metas.iter().map(|m| m.uid.get()).collect();
    assert_eq!(uids, (1..=(10 + 2 * appends) as u32).collect::<Vec<_>>());
    for meta in &metas[..10] {
        for t in 0..flaggers {
            assert!(
                meta.flags.has_keyword(&format!("T{t}")),
                "UID {} lost keyword T{t}",
                meta.uid
            );
        }
    }
    let mut modseqs: Vec<u64> = metas.iter().map(|m| m.modseq.get()).collect();
    modseqs.sort_unstable();
    modseqs.dedup();
    assert_eq!(
        modseqs.len(),
        metas.len(),
        "every change has its own MODSEQ"
    );
}

#[test]
fn picks_up_files_written_by_other_tools() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in [
        "cur",
        "new",
        "tmp",
        ".Lists/cur",
        ".Lists/new",
        ".Lists/tmp",
    ] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(
        root.join("cur/1700000000.M1P1.other:2,FS"),
        b"Subject: flagged seen\n\nbody one\n",
    )
    .unwrap();
    std::fs::write(
        root.join("new/1700000001.M2P1.other"),
        b"Subject: fresh\n\nbody two\n",
    )
    .unwrap();
    std::fs::write(
        root.join("cur/1700000002.M3P1.other:2,RTa"),
        b"Subject: answered trashed\n\nthree\n",
    )
    .unwrap();
    std::fs::write(root.join("dovecot-keywords"), b"0 $Junk\n1 Work\n").unwrap();
    std::fs::write(
        root.join(".Lists/cur/1700000003.M4P1.other:2,"),
        b"Subject: in a folder\n\nfour\n",
    )
    .unwrap();

    let account = Account::open(root, &Options::new()).unwrap();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let metas = account
        .fetch(
            inbox.id,
            &UidSet::all(),
            FetchOptions::meta().with_envelope(),
        )
        .unwrap();
    assert_eq!(metas.len(), 3);
    let by_subject = |s: &str| {
        metas
            .iter()
            .find(|m| m.envelope.as_ref().unwrap().subject.as_deref() == Some(s.as_bytes()))
            .unwrap()
    };
    assert_eq!(
        by_subject("flagged seen").flags.to_string(),
        "\\Seen \\Flagged"
    );
    assert!(by_subject("fresh").flags.is_empty());
    assert_eq!(
        by_subject("answered trashed").flags.to_string(),
        "\\Answered \\Deleted $Junk"
    );
    assert_eq!(
        by_subject("flagged seen").internal_date,
        InternalDate::new(meta_mtime(root, "cur/1700000000.M1P1.other:2,FS"), 0)
    );
    let lists = account
        .mailbox(&MailboxName::try_from("Lists").unwrap())
        .unwrap();
    assert_eq!(account.uids(lists.id).unwrap().len(), 1);

    // mutt marks the fresh message seen by moving it to cur/ with :2,S; another MDA
    // drops a new file; a third one is deleted behind our back.
    let fresh = by_subject("fresh").uid;
    std::fs::rename(
        root.join("new/1700000001.M2P1.other"),
        root.join("cur/1700000001.M2P1.other:2,S"),
    )
    .unwrap();
    std::fs::write(
        root.join("new/1700000009.M9P1.other"),
        b"Subject: late\n\nfive\n",
    )
    .unwrap();
    std::fs::remove_file(root.join("cur/1700000002.M3P1.other:2,RTa")).unwrap();
    let before = account.status(inbox.id).unwrap().highest_modseq;
    account.sync_mailbox(inbox.id).unwrap();
    let changes = account.changes_since(inbox.id, before).unwrap();
    assert_eq!(changes.vanished.len(), 1);
    let fresh_now = changes.changed.iter().find(|m| m.uid == fresh).unwrap();
    assert!(fresh_now.flags.has(SystemFlag::Seen));
    assert_eq!(
        changes.changed.len(),
        2,
        "the re-flagged and the late message"
    );
    // Reading a message whose file another tool renamed finds it again.
    std::fs::rename(
        root.join("cur/1700000001.M2P1.other:2,S"),
        root.join("cur/1700000001.M2P1.other:2,FS"),
    )
    .unwrap();
    let text = account
        .read(inbox.id, fresh, &"TEXT".parse().unwrap(), None)
        .unwrap()
        .into_vec()
        .unwrap();
    assert_eq!(text, b"body two\n");
}

fn meta_mtime(root: &std::path::Path, file: &str) -> i64 {
    let modified = std::fs::metadata(root.join(file))
        .unwrap()
        .modified()
        .unwrap();
    modified
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn hostile_messages_are_stored_byte_exact<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let mut deep = Vec::new();
    for i in 0..500 {
        deep.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n")
                .as_bytes(),
        );
    }
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"no header separator at all".to_vec(),
        b"\xff\xfe\x00Subject: \xc3\x28 broken utf-8\r\nFrom: \x80\x81 <@@>\r\n\r\n\x00\x01binary"
            .to_vec(),
        b"Content-Type: multipart/mixed\r\n\r\n--no-boundary-param\r\n".to_vec(),
        b"Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n".to_vec(),
        b"Subject: lf only\n\nbody\n".to_vec(),
        deep,
    ];
    for raw in &cases {
        let appended = account
            .append(inbox.id, &mut raw.as_slice(), &AppendOptions::default())
            .unwrap();
        let back = account
            .read(inbox.id, appended.uid, &Section::full(), None)
            .unwrap()
            .into_vec()
            .unwrap();
        assert_eq!(&back, raw);
        let meta = account
            .fetch(
                inbox.id,
                &appended.uid.into(),
                FetchOptions::meta().with_envelope().with_body_structure(),
            )
            .unwrap();
        assert!(meta[0].body_structure.is_some());
        for section in [
            "TEXT",
            "HEADER",
            "1",
            "1.1.1.1",
            "2.MIME",
            "HEADER.FIELDS (FROM)",
        ] {
            account
                .read(inbox.id, appended.uid, &section.parse().unwrap(), None)
                .unwrap()
                .into_vec()
                .unwrap();
        }
    }
}

fn a_50_mb_message_streams_in_and_out<B: Backend>() {
    let backend = B::open_with(Setup {
        durable: false,
        ..Setup::default()
    });
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    const SIZE: u64 = 50 * 1024 * 1024;
    let header = b"Subject: big\r\nContent-Type: application/octet-stream\r\n\r\n";
    // A generated stream: the test never holds the 50 MB itself.
    let mut source = header.chain(std::io::repeat(b'A').take(SIZE - header.len() as u64));
    let appended = account
        .append(inbox.id, &mut source, &AppendOptions::default())
        .unwrap();
    assert_eq!(appended.size, SIZE);
    let mut data = account
        .read(inbox.id, appended.uid, &"TEXT".parse().unwrap(), None)
        .unwrap();
    assert_eq!(data.len(), SIZE - header.len() as u64);
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = data.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|&b| b == b'A'));
        total += n as u64;
    }
    assert_eq!(total, SIZE - header.len() as u64);
    let tail = account
        .read(
            inbox.id,
            appended.uid,
            &Section::full(),
            Some((SIZE - 3, 10)),
        )
        .unwrap();
    assert_eq!(tail.into_vec().unwrap(), b"AAA");
}
