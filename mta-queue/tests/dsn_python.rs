//! DSNs checked by Python's `email` package: multipart/report, the delivery-status

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]
//! groups, Status and Diagnostic-Code.

use std::process::Command;

use mailwright_queue::dsn::{DsnInput, DsnKind, build};
use mailwright_queue::{
    DeliveryStatus, Diagnostic, Envelope, QueueEntry, QueueId, Recipient, Timestamp,
};
use mailwright_smtp::{EnhancedStatusCode, Mailbox, Reply, ReplyCode, Ret};

/// A mailbox from text known to be one.
fn mailbox(text: &str) -> Mailbox<'static> {
    Mailbox::try_from(text.to_owned()).unwrap()
}

fn check(message: &[u8], args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dsn.eml");
    std::fs::write(&path, message).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/check_dsn.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(&path)
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("ok"), "{stdout}");
}

fn entry(status: DeliveryStatus, diagnostic: Diagnostic) -> QueueEntry {
    let now = Timestamp::from_secs(1_700_000_000);
    let envelope = Envelope::new(mailbox("alice@example.org"))
        .with_recipient(Recipient::new(mailbox("bob@example.net")));
    let mut entry = QueueEntry::new(QueueId::new(now, 1), envelope, now, 0, 0);
    entry.recipients[0].status = status;
    entry.recipients[0].attempts = 2;
    entry.recipients[0].diagnostic = Some(diagnostic);
    entry
}

const ORIGINAL: &[u8] =
    b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: hello\r\n\r\nHi Bob.\r\n";

#[test]
fn failure_with_remote_reply() {
    let diagnostic = Diagnostic::from_reply(
        &Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "user unknown")
            .with_enhanced(EnhancedStatusCode::BAD_DESTINATION_MAILBOX),
        Some("mx.example.net".into()),
    );
    let entry = entry(DeliveryStatus::Failed, diagnostic);
    let now = Timestamp::from_secs(1_700_000_100);
    let dsn = build(&DsnInput::new(
        DsnKind::Failure,
        &entry,
        &[0],
        ORIGINAL,
        "mta.example.org",
        now,
    ))
    .unwrap();
    check(
        &dsn.message,
        &["failed", "5.1.1", "smtp; 550 5.1.1 user unknown"],
    );
}

#[test]
fn delay_and_expiry_and_headers_only() {
    let now = Timestamp::from_secs(1_700_000_100);
    let refused = Diagnostic::local(
        EnhancedStatusCode::new(4, 4, 1).unwrap(),
        "connection refused",
    );
    let delayed = entry(DeliveryStatus::Deferred, refused);
    let dsn = build(&DsnInput::new(
        DsnKind::Delay,
        &delayed,
        &[0],
        ORIGINAL,
        "mta.example.org",
        now,
    ))
    .unwrap();
    check(&dsn.message, &["delayed", "4.4.1"]);

    let busy = Diagnostic::from_reply(
        &Reply::new(ReplyCode::INSUFFICIENT_STORAGE, "mailbox full"),
        Some("mx".into()),
    );
    let mut expired = entry(DeliveryStatus::Failed, busy);
    expired.recipients[0].diagnostic.as_mut().unwrap().status =
        EnhancedStatusCode::new(5, 4, 7).unwrap();
    expired.envelope.ret = Some(Ret::Headers);
    let dsn = build(&DsnInput::new(
        DsnKind::Failure,
        &expired,
        &[0],
        ORIGINAL,
        "mta.example.org",
        now,
    ))
    .unwrap();
    check(&dsn.message, &["failed", "5.4.7", "smtp; 452 mailbox full"]);
}
