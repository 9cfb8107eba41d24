use proptest::prelude::*;

use super::*;
use crate::envelope::{Address, EnvId, Orcpt};
use crate::id::QueueId;
use crate::status::SmtpReply;
use crate::testing;

fn now() -> Timestamp {
    Timestamp::from_secs(1_700_000_000)
}

fn failed_entry() -> QueueEntry {
    let envelope = Envelope::new(Some(Address::new("alice@example.org").unwrap()))
        .with_recipient(
            Recipient::new(Address::new("bob@example.net").unwrap())
                .with_orcpt(Orcpt::rfc822("Bob@Example.NET").unwrap()),
        )
        .with_recipient(Recipient::new(Address::new("carol@example.net").unwrap()))
        .with_envid(EnvId::new("QQ314159").unwrap());
    let mut entry = QueueEntry::new(QueueId::new(now(), 3), envelope, now(), 0, 0);
    entry.recipients[0].status = DeliveryStatus::Failed;
    entry.recipients[0].attempts = 1;
    entry.recipients[0].diagnostic = Some(Diagnostic::from_reply(
        SmtpReply::new(550, EnhancedStatus::new(5, 1, 1).ok(), "no such user"),
        Some("mx.example.net".into()),
    ));
    entry.recipients[1].status = DeliveryStatus::Deferred;
    entry.recipients[1].diagnostic = Some(Diagnostic::local(
        EnhancedStatus::NO_ANSWER,
        "connection refused",
    ));
    entry
}

fn parts(message: &[u8]) -> (String, Vec<FieldGroup>) {
    let text = String::from_utf8_lossy(message).into_owned();
    let status = text
        .split("delivery-status\r\n\r\n")
        .nth(1)
        .expect("a delivery-status part");
    (text.clone(), parse_delivery_status(status))
}

#[test]
fn failure_dsn_fields() {
    let entry = failed_entry();
    let original = b"From: alice@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
    let dsn = build(&DsnInput::new(
        DsnKind::Failure,
        &entry,
        &[0],
        original,
        "mta.example.org",
        now(),
    ))
    .unwrap();
    assert!(dsn.envelope.sender.is_none());
    assert_eq!(dsn.envelope.recipients[0].notify, Some(Notify::NEVER));
    assert_eq!(dsn.envelope.queue, "bounces");
    let (text, groups) = parts(&dsn.message);
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].get("Reporting-MTA"), Some("dns; mta.example.org"));
    assert_eq!(groups[0].get("Original-Envelope-Id"), Some("QQ314159"));
    assert_eq!(
        groups[1].get("Original-Recipient"),
        Some("rfc822; Bob@Example.NET")
    );
    assert_eq!(
        groups[1].get("Final-Recipient"),
        Some("rfc822; bob@example.net")
    );
    assert_eq!(groups[1].get("Action"), Some("failed"));
    assert_eq!(groups[1].get("Status"), Some("5.1.1"));
    assert_eq!(groups[1].get("Remote-MTA"), Some("dns; mx.example.net"));
    assert_eq!(
        groups[1].get("Diagnostic-Code"),
        Some("smtp; 550 5.1.1 no such user")
    );
    assert!(text.contains(
        "Content-Type: message/rfc822\r\n\r\nFrom: alice@example.org\r\nSubject: hi\r\n\r\nbody\r\n"
    ));
    assert!(text.ends_with("--\r\n"));
    assert!(text.contains("Auto-Submitted: auto-replied\r\n"));
}

#[test]
fn delay_dsn_returns_headers_only() {
    let entry = failed_entry();
    let mut input = DsnInput::new(
        DsnKind::Delay,
        &entry,
        &[1],
        b"Subject: x\n\nsecret body\n",
        "mta.example.org",
        now(),
    );
    input.retry_until = Some(Timestamp::from_secs(1_700_400_000));
    let dsn = build(&input).unwrap();
    let (text, groups) = parts(&dsn.message);
    assert_eq!(groups[1].get("Action"), Some("delayed"));
    assert_eq!(groups[1].get("Status"), Some("4.4.1"));
    assert!(groups[1].get("Will-Retry-Until").is_some());
    assert!(
        groups[1].get("Diagnostic-Code").is_none(),
        "no remote reply, no Diagnostic-Code"
    );
    assert!(text.contains("Content-Type: text/rfc822-headers\r\n\r\nSubject: x\r\n\r\n"));
    assert!(!text.contains("secret body"));
}

#[test]
fn ret_hdrs_is_honoured_and_null_sender_gets_nothing() {
    let mut entry = failed_entry();
    entry.envelope.ret = Some(Ret::Headers);
    let dsn = build(&DsnInput::new(
        DsnKind::Failure,
        &entry,
        &[0],
        b"A: b\r\n\r\nbody",
        "m",
        now(),
    ))
    .unwrap();
    assert!(!String::from_utf8_lossy(&dsn.message).contains("body\r\n"));
    entry.envelope.sender = None;
    assert!(
        build(&DsnInput::new(
            DsnKind::Failure,
            &entry,
            &[0],
            b"",
            "m",
            now()
        ))
        .is_none()
    );
    let entry = failed_entry();
    assert!(
        build(&DsnInput::new(
            DsnKind::Failure,
            &entry,
            &[7],
            b"",
            "m",
            now()
        ))
        .is_none()
    );
}

#[test]
fn utf8_recipients_use_global_delivery_status() {
    let mut entry = failed_entry();
    entry.envelope.recipients[0].address = Address::new("björn@exämple.de").unwrap();
    let dsn = build(&DsnInput::new(
        DsnKind::Failure,
        &entry,
        &[0],
        b"",
        "m",
        now(),
    ))
    .unwrap();
    let text = String::from_utf8(dsn.message).unwrap();
    assert!(text.contains("Content-Type: message/global-delivery-status"));
    assert!(text.contains("Final-Recipient: utf-8; björn@exämple.de"));
}

proptest! {
    /// Every field we write reads back as written, for any recipient state.
    #[test]
    fn fields_round_trip(entry in testing::entry(), states in proptest::collection::vec(testing::recipient_state(), 6), kind in prop_oneof![Just(DsnKind::Failure), Just(DsnKind::Delay), Just(DsnKind::Success)]) {
        let mut entry = entry;
        if entry.envelope.sender.is_none() {
            entry.envelope.sender = Some(Address::new("s@x.org").unwrap());
        }
        for (slot, state) in entry.recipients.iter_mut().zip(states) {
            *slot = state;
        }
        let all: Vec<u32> = (0..entry.recipients.len() as u32).collect();
        let dsn = build(&DsnInput::new(kind, &entry, &all, b"Subject: s\r\n\r\nb\r\n", "mta.test", now())).unwrap();
        let text = String::from_utf8(dsn.message).unwrap();
        let status_part = text.split("delivery-status\r\n\r\n").nth(1).unwrap();
        let groups = parse_delivery_status(status_part);
        prop_assert_eq!(groups.len(), 1 + entry.recipients.len());
        for (group, (rcpt, state)) in groups[1..].iter().zip(entry.envelope.recipients.iter().zip(&entry.recipients)) {
            let final_rcpt = group.get("Final-Recipient").unwrap();
            prop_assert!(final_rcpt.ends_with(rcpt.address.as_str()));
            let status: EnhancedStatus = group.get("Status").unwrap().parse().unwrap();
            let class = match kind { DsnKind::Failure => 5, DsnKind::Delay => 4, DsnKind::Success => 2 };
            prop_assert_eq!(status.class(), class);
            if let Some(reply) = state.diagnostic.as_ref().and_then(|d| d.reply.as_ref()) {
                let expected = format!("smtp; {reply}");
                prop_assert_eq!(group.get("Diagnostic-Code").map(str::trim_end), Some(expected.trim_end()));
            }
            if let Some(orcpt) = &rcpt.orcpt {
                let expected = format!("{}; {}", orcpt.addr_type(), orcpt.address());
                prop_assert_eq!(group.get("Original-Recipient").map(str::trim), Some(expected.trim()));
            }
        }
    }

    #[test]
    fn parser_never_panics(text in "\\PC{0,400}") {
        let _ = parse_delivery_status(&text);
    }
}
