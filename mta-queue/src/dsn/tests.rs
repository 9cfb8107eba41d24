use proptest::prelude::*;

use mailwright_smtp::{EnvId, Mailbox, Orcpt, Reply, ReplyCode};

use super::*;
use crate::id::QueueId;
use crate::testing::{self, mailbox, reply};

fn now() -> Timestamp {
    Timestamp::from_secs(1_700_000_000)
}

fn failed_entry() -> QueueEntry {
    let envelope = Envelope::new(mailbox("alice@example.org"))
        .with_recipient(
            Recipient::new(mailbox("bob@example.net")).with_orcpt(Orcpt::rfc822("Bob@Example.NET")),
        )
        .with_recipient(Recipient::new(mailbox("carol@example.net")))
        .with_envid(EnvId::encode("QQ314159").unwrap());
    let mut entry = QueueEntry::new(QueueId::new(now(), 3), envelope, now(), 0, 0);
    entry.recipients[0].status = DeliveryStatus::Failed;
    entry.recipients[0].attempts = 1;
    entry.recipients[0].diagnostic = Some(Diagnostic::from_reply(
        &reply(550, EnhancedStatusCode::new(5, 1, 1).ok(), "no such user"),
        Some("mx.example.net".into()),
    ));
    entry.recipients[1].status = DeliveryStatus::Deferred;
    entry.recipients[1].diagnostic =
        Some(Diagnostic::local(codes::NO_ANSWER, "connection refused"));
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
    assert_eq!(dsn.envelope.sender, ReversePath::Null);
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
    entry.envelope.sender = ReversePath::Null;
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
    entry.envelope.recipients[0].address = mailbox("björn@exämple.de");
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

/// ENVID and ORCPT go into their fields decoded (as before the queue kept them as
/// xtext), and a CR LF spelled in xtext (`+0D+0A`) does not start a field of its own.
#[test]
fn envid_and_orcpt_are_decoded_and_cleaned() {
    let mut entry = failed_entry();
    entry.envelope.envid = Some("QQ+20314+0D+0AX-Injected:+201".parse().unwrap());
    entry.envelope.recipients[0].orcpt = Some(Orcpt::rfc822("Bob+tag <bob@example.net>"));
    let dsn = build(&DsnInput::new(
        DsnKind::Failure,
        &entry,
        &[0],
        b"",
        "m",
        now(),
    ))
    .unwrap();
    let (text, groups) = parts(&dsn.message);
    assert!(!text.contains("\r\nX-Injected"));
    assert_eq!(
        groups[0].get("Original-Envelope-Id"),
        Some("QQ 314  X-Injected: 1")
    );
    assert_eq!(
        groups[1].get("Original-Recipient"),
        Some("rfc822; Bob+tag <bob@example.net>")
    );
}

/// Found by `parser_never_panics`: a blank continuation line left a value of one
/// space, and a continuation of an empty value started with one.
#[test]
fn folded_values_stay_trimmed() {
    let groups = parse_delivery_status("!:\r\n \r\n");
    assert_eq!(groups[0].get("!"), Some(""));
    let groups = parse_delivery_status("Status:\r\n 5.1.1\r\nAction: failed\r\n\tnow\r\n");
    assert_eq!(groups[0].get("Status"), Some("5.1.1"));
    assert_eq!(groups[0].get("Action"), Some("failed now"));
}

proptest! {
    /// Every field we write reads back as written, for any recipient state.
    #[test]
    fn fields_round_trip(entry in testing::entry(), states in proptest::collection::vec(testing::recipient_state(), 6), kind in prop_oneof![Just(DsnKind::Failure), Just(DsnKind::Delay), Just(DsnKind::Success)]) {
        let mut entry = entry;
        if entry.envelope.sender == ReversePath::Null {
            entry.envelope.sender = mailbox("s@x.org").into();
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
            prop_assert!(final_rcpt.ends_with(&rcpt.address.to_string()));
            let status = EnhancedStatusCode::try_from(group.get("Status").unwrap()).unwrap();
            let class = match kind { DsnKind::Failure => 5, DsnKind::Delay => 4, DsnKind::Success => 2 };
            prop_assert_eq!(status.class(), class);
            if let Some(reply) = state.diagnostic.as_ref().and_then(|d| d.reply.as_ref()) {
                let expected = format!("smtp; {reply}");
                prop_assert_eq!(group.get("Diagnostic-Code").map(str::trim_end), Some(expected.trim_end()));
            }
            if let Some(orcpt) = &rcpt.orcpt {
                let expected = format!("{}; {}", orcpt.addr_type(), orcpt.address().decode());
                prop_assert_eq!(group.get("Original-Recipient").map(str::trim), Some(expected.trim()));
            }
        }
    }

    /// Any text, returned DSNs from other MTAs included: no panic, field names are
    /// printable ASCII without a colon, values have no line ending left in them.
    #[test]
    fn parser_never_panics(
        text in prop_oneof![
            "\\PC{0,400}",
            any::<String>(),
            "(([A-Za-z-]|\\PC){1,12}:( |\\PC){0,20}(\r\n|\n)([ \t]\\PC{0,10}\r\n)?(\r\n)?){0,8}",
        ],
    ) {
        for group in parse_delivery_status(&text) {
            prop_assert!(!group.fields.is_empty());
            for (name, value) in &group.fields {
                prop_assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':'));
                prop_assert!(!value.contains('\n'));
                prop_assert_eq!(value.trim(), value.as_str());
            }
        }
    }
}

/// Text from a remote server or a local failure: any Unicode, line breaks and other
/// controls meant to start a field of their own, long runs past the 512-octet cut.
fn peer_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,80}",
        "([a-z ]|\\PC){0,20}(\r\n|\n|\r|\u{85}|\u{2028})(X-Injected: |--|\\.\r\n)([a-z]|\\PC){0,20}",
        "\\PC{500,700}",
        Just("日本語の件名テスト #2".to_owned()),
        Just("Привет".to_owned()),
    ]
}

/// A diagnostic built the way the transport and the runtime build them.
fn peer_diagnostic() -> impl Strategy<Value = Diagnostic> {
    (
        testing::reply_code(),
        proptest::option::of(testing::status_code()),
        peer_text(),
        proptest::option::of(peer_text()),
        any::<bool>(),
    )
        .prop_map(|(code, enhanced, text, remote, from_reply)| {
            let diagnostic = if from_reply {
                Diagnostic::from_reply(&reply(code, enhanced, &text), None)
            } else {
                Diagnostic::local(enhanced.unwrap_or(codes::TEMPORARY), &text)
            };
            match remote {
                Some(remote) => diagnostic.with_remote(&remote),
                None => diagnostic,
            }
        })
}

/// The fields a delivery-status part may hold (RFC 3464 §2.2, §2.3), those we write.
const FIELDS: &[&str] = &[
    "Reporting-MTA",
    "Original-Envelope-Id",
    "Arrival-Date",
    "Original-Recipient",
    "Final-Recipient",
    "Action",
    "Status",
    "Remote-MTA",
    "Diagnostic-Code",
    "Last-Attempt-Date",
    "Will-Retry-Until",
];

/// Every line ends in CRLF, and the delivery-status part holds only our fields, one
/// group per recipient, each remote text whole in its field.
fn check_dsn(entry: &QueueEntry, kind: DsnKind) -> Result<(), TestCaseError> {
    let all: Vec<u32> = (0..entry.recipients.len() as u32).collect();
    let original = "Subject: 日本語の件名テスト #2\r\nFrom: Привет <a@b.example>\r\n\r\nbody\r\n";
    let dsn = build(&DsnInput::new(
        kind,
        entry,
        &all,
        original.as_bytes(),
        "mta.test",
        now(),
    ))
    .unwrap();
    let text = String::from_utf8(dsn.message).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(text.ends_with("\r\n"));
    for (at, _) in text.match_indices('\n') {
        prop_assert!(
            at > 0 && text.as_bytes()[at - 1] == b'\r',
            "bare LF at {at}"
        );
    }
    for (at, _) in text.match_indices('\r') {
        prop_assert_eq!(
            text.as_bytes().get(at + 1),
            Some(&b'\n'),
            "bare CR at {}",
            at
        );
    }
    let status_part = text.split("delivery-status\r\n\r\n").nth(1).unwrap();
    for line in status_part
        .split("\r\n")
        .take_while(|l| !l.starts_with("--"))
    {
        if let Some((name, _)) = line.split_once(':') {
            prop_assert!(FIELDS.contains(&name), "unknown field in {line:?}");
        } else {
            prop_assert!(line.is_empty(), "not a field: {line:?}");
        }
    }
    let groups = parse_delivery_status(status_part);
    prop_assert_eq!(groups.len(), 1 + entry.recipients.len());
    for (group, state) in groups[1..].iter().zip(&entry.recipients) {
        let diagnostic = state.diagnostic.as_ref();
        let reply = diagnostic
            .and_then(|d| d.reply.as_ref())
            .map(|r| format!("smtp; {r}"));
        prop_assert_eq!(
            group.get("Diagnostic-Code").map(str::trim_end),
            reply.as_deref().map(str::trim_end)
        );
        let remote = diagnostic
            .and_then(|d| d.remote_mta.as_ref())
            .map(|h| format!("dns; {h}"));
        prop_assert_eq!(
            group.get("Remote-MTA").map(str::trim_end),
            remote.as_deref().map(str::trim_end)
        );
    }
    Ok(())
}

proptest! {
    /// Remote reply text, local failure text and host names of any Unicode (a CR LF
    /// among them) never leave their field, never break a line, and the DSN is UTF-8.
    #[test]
    fn peer_text_stays_in_its_field(
        entry in testing::entry(),
        diagnostics in proptest::collection::vec(proptest::option::of(peer_diagnostic()), 6),
        kind in prop_oneof![Just(DsnKind::Failure), Just(DsnKind::Delay), Just(DsnKind::Success)],
        local in "[a-z]{1,4}|\\PC{1,6}",
        domain in "[a-z]{1,4}(\\.[a-z]{2,3})?|\\PC{1,8}",
    ) {
        let mut entry = entry;
        if let Ok(address) = Mailbox::try_from(format!("{local}@{domain}")) {
            entry.envelope.recipients[0].address = address;
        }
        if entry.envelope.sender == ReversePath::Null {
            entry.envelope.sender = mailbox("s@x.org").into();
        }
        for (slot, diagnostic) in entry.recipients.iter_mut().zip(diagnostics) {
            if let Some(reply) = diagnostic.as_ref().and_then(|d| d.reply.as_ref()) {
                prop_assert!(reply.text().len() <= 512);
            }
            slot.attempts = 1;
            slot.diagnostic = diagnostic;
        }
        check_dsn(&entry, kind)?;
    }

    /// The same for diagnostics read back from a queue file, whatever the file says:
    /// a file's escapes can spell a CR LF the constructors would never let in.
    #[test]
    fn spooled_text_stays_in_its_field(
        entry in testing::entry(),
        text in peer_text(),
        reply in peer_text(),
        remote in peer_text(),
    ) {
        let mut entry = entry;
        if entry.envelope.sender == ReversePath::Null {
            entry.envelope.sender = mailbox("s@x.org").into();
        }
        // Built field by field: what a forged or damaged file can hold.
        let state = crate::status::RecipientState {
            diagnostic: Some(Diagnostic {
                status: codes::PERMANENT,
                reply: Some(Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, reply)),
                remote_mta: (!remote.is_empty()).then_some(remote),
                text,
            }),
            attempts: 1,
            ..crate::status::RecipientState::pending(now())
        };
        let body = vec![b'x'; entry.size as usize];
        let mut file = crate::spool::format::encode_file(&entry, &body);
        file.extend(crate::spool::format::encode_update(&crate::entry::Update::Recipient { index: 0, state }));
        // A line over the format's limit is refused as a whole: nothing to check.
        if let Ok(parsed) = crate::spool::format::parse(&file) {
            check_dsn(&parsed.entry, DsnKind::Failure)?;
        }
    }
}
