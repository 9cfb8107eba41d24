use std::process::Command;

use super::*;
use crate::envelope::Recipient;
use crate::status::{DeliveryStatus, Diagnostic, RecipientState, codes};
use crate::testing::mailbox;

fn envelope(n: usize) -> Envelope {
    let mut envelope = Envelope::new(mailbox("alice@example.org"));
    for i in 0..n {
        envelope =
            envelope.with_recipient(Recipient::new(mailbox(&format!("rcpt{i}@example.net"))));
    }
    envelope
}

fn now() -> Timestamp {
    Timestamp::from_secs(1_700_000_000)
}

#[test]
fn create_read_recover() {
    let dir = tempfile::tempdir().unwrap();
    let spool = FileSpool::open(dir.path()).unwrap();
    let a = spool
        .create(envelope(2), b"Subject: a\r\n\r\nA\r\n", now())
        .unwrap();
    let b = spool
        .create(envelope(1), b"Subject: b\r\n\r\nB\r\n", now())
        .unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(&*spool.read_body(a.id).unwrap(), b"Subject: a\r\n\r\nA\r\n");

    let delivered = RecipientState {
        status: DeliveryStatus::Delivered,
        attempts: 1,
        final_notified: true,
        ..RecipientState::pending(now())
    };
    let update = Update::Recipient {
        index: 1,
        state: delivered,
    };
    spool.update(a.id, std::slice::from_ref(&update)).unwrap();
    spool.update(b.id, &[Update::Held(true)]).unwrap();
    drop(spool);

    let spool = FileSpool::open(dir.path()).unwrap();
    let recovery = spool.recover().unwrap();
    assert!(recovery.corrupt.is_empty());
    assert_eq!(recovery.entries.len(), 2);
    let mut expected_a = a.clone();
    expected_a.apply(&update);
    let found_a = recovery.entries.iter().find(|e| e.id == a.id).unwrap();
    assert_eq!(found_a, &expected_a);
    assert!(recovery.entries.iter().find(|e| e.id == b.id).unwrap().held);
    // Bodies are readable after recovery.
    assert_eq!(&*spool.read_body(b.id).unwrap(), b"Subject: b\r\n\r\nB\r\n");

    spool.remove(a.id).unwrap();
    assert!(matches!(
        spool.read_body(a.id),
        Err(SpoolError::NotFound(_))
    ));
    assert!(matches!(
        spool.update(a.id, &[Update::Held(true)]),
        Err(SpoolError::NotFound(_))
    ));
    assert_eq!(spool.recover().unwrap().entries.len(), 1);
}

#[test]
fn corrupt_entry_is_set_aside_and_neighbours_survive() {
    let dir = tempfile::tempdir().unwrap();
    let spool = FileSpool::open(dir.path()).unwrap();
    let ids: Vec<QueueId> = (0..5)
        .map(|i| {
            spool
                .create(envelope(1), format!("m{i}").as_bytes(), now())
                .unwrap()
                .id
        })
        .collect();
    // Damage the middle one's envelope.
    let victim = spool.path(ids[2], "msg");
    let mut bytes = fs::read(&victim).unwrap();
    bytes[20] ^= 0x55;
    fs::write(&victim, bytes).unwrap();
    // Truncate another one inside its message.
    let short = spool.path(ids[4], "msg");
    let bytes = fs::read(&short).unwrap();
    fs::write(&short, &bytes[..bytes.len() - 1]).unwrap();

    drop(spool);
    let spool = FileSpool::open(dir.path()).unwrap();
    let recovery = spool.recover().unwrap();
    let found: Vec<QueueId> = recovery.entries.iter().map(|e| e.id).collect();
    assert_eq!(found, [ids[0], ids[1], ids[3]]);
    assert_eq!(recovery.corrupt.len(), 2);
    assert!(matches!(
        recovery.corrupt[0].reason,
        CorruptReason::Envelope(_)
    ));
    assert_eq!(recovery.corrupt[1].reason, CorruptReason::BodyMismatch);
    assert!(!victim.exists());
    assert!(dir.path().join(format!("corrupt/{}.msg", ids[2])).exists());
    assert!(dir.path().join(format!("corrupt/{}.msg", ids[4])).exists());
}

#[test]
fn leftovers_of_unfinished_enqueues_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let spool = FileSpool::open(dir.path()).unwrap();
    let kept = spool.create(envelope(1), b"kept", now()).unwrap();
    let queue = spool.queue_dir().to_owned();
    fs::write(queue.join("0000000000000001.tmp"), b"half a queue file").unwrap();
    fs::write(queue.join("0000000000000002.tmp"), b"").unwrap();
    fs::write(queue.join("README"), b"not ours").unwrap();
    let recovery = spool.recover().unwrap();
    assert_eq!(recovery.entries.len(), 1);
    assert_eq!(recovery.entries[0].id, kept.id);
    assert_eq!(recovery.incomplete_removed, 2);
    assert!(recovery.corrupt.is_empty());
    let left: Vec<_> = fs::read_dir(&queue).unwrap().collect();
    assert_eq!(left.len(), 2, "the entry and the file that is not ours");
}

#[test]
fn torn_append_is_cut_and_appends_continue() {
    let dir = tempfile::tempdir().unwrap();
    let spool = FileSpool::open(dir.path()).unwrap();
    let entry = spool.create(envelope(1), b"body", now()).unwrap();
    let path = spool.path(entry.id, "msg");
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(b"1234abcd S 0 D 1 0 0 f").unwrap();
    drop(file);

    drop(spool);
    let spool = FileSpool::open(dir.path()).unwrap();
    let recovery = spool.recover().unwrap();
    assert_eq!(recovery.torn_tails, 1);
    assert_eq!(recovery.entries[0], entry);
    let failed = RecipientState {
        status: DeliveryStatus::Failed,
        diagnostic: Some(Diagnostic::local(codes::EXPIRED, "too old")),
        ..RecipientState::pending(now())
    };
    spool
        .update(
            entry.id,
            &[Update::Recipient {
                index: 0,
                state: failed.clone(),
            }],
        )
        .unwrap();
    let recovery = spool.recover().unwrap();
    assert_eq!(recovery.torn_tails, 0);
    assert!(recovery.corrupt.is_empty());
    assert_eq!(recovery.entries[0].recipients[0], failed);
}

#[test]
fn damaged_body_is_caught_on_read() {
    let dir = tempfile::tempdir().unwrap();
    let spool = FileSpool::open(dir.path()).unwrap();
    let entry = spool.create(envelope(1), b"body", now()).unwrap();
    let path = spool.path(entry.id, "msg");
    let mut bytes = fs::read(&path).unwrap();
    let at = bytes.len() - 4;
    bytes[at..].copy_from_slice(b"BODY");
    fs::write(&path, bytes).unwrap();
    assert!(matches!(
        spool.read_body(entry.id),
        Err(SpoolError::Corrupt {
            reason: CorruptReason::BodyMismatch,
            ..
        })
    ));
    assert!(spool.recover().unwrap().entries.is_empty());
    assert!(
        spool
            .corrupt_dir()
            .join(format!("{}.msg", entry.id))
            .exists()
    );
}

#[test]
fn one_process_per_spool() {
    let dir = tempfile::tempdir().unwrap();
    let spool = FileSpool::open(dir.path()).unwrap();
    let error = FileSpool::open(dir.path()).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::WouldBlock);
    drop(spool);
    FileSpool::open(dir.path()).unwrap();
}

#[test]
fn large_envelope_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let spool = FileSpool::open(dir.path()).unwrap();
    // About 3,000 recipients: the envelope is larger than the first read.
    let entry = spool.create(envelope(3000), b"body", now()).unwrap();
    spool.update(entry.id, &[Update::Held(true)]).unwrap();
    let recovery = spool.recover().unwrap();
    assert_eq!(recovery.entries.len(), 1);
    assert_eq!(recovery.entries[0].recipients.len(), 3000);
    assert!(recovery.entries[0].held);
    assert_eq!(&*spool.read_body(entry.id).unwrap(), b"body");
}

#[test]
fn group_commit_serves_concurrent_writers() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Arc::new(FileSpool::open(dir.path()).unwrap());
    // Collected so that all threads run at once before any is joined.
    #[allow(clippy::needless_collect)]
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let spool = Arc::clone(&spool);
            std::thread::spawn(move || {
                (0..10)
                    .map(|i| {
                        spool
                            .create(envelope(1), format!("{t}-{i}").as_bytes(), now())
                            .unwrap()
                            .id
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids: Vec<QueueId> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 80);
    assert_eq!(spool.recover().unwrap().entries.len(), 80);
}

/// A full file system (a 64 KiB tmpfs, mounted when the test runs as root with the
/// right to mount) makes `create` fail with `Full`, leaves nothing behind, and the
/// spool works again once space is freed.
#[test]
fn full_disk_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!(
            "full_disk_is_a_typed_error: cannot mount a tmpfs here; covered by error::tests only"
        );
        return;
    }
    let result = std::panic::catch_unwind(|| {
        let spool = FileSpool::open(dir.path()).unwrap();
        let small = spool.create(envelope(1), b"fits", now()).unwrap();
        let big = vec![b'x'; 200 * 1024];
        let error = spool.create(envelope(1), &big, now()).unwrap_err();
        assert!(error.is_full(), "{error:?}");
        // Nothing of the failed enqueue is left; the earlier entry is intact.
        let recovery = spool.recover().unwrap();
        assert_eq!(recovery.entries.len(), 1);
        assert_eq!(recovery.entries[0].id, small.id);
        assert_eq!(recovery.incomplete_removed, 0);
        spool.create(envelope(1), b"fits again", now()).unwrap();
    });
    let _ = Command::new("umount").arg(dir.path()).status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
