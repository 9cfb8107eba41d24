use proptest::prelude::*;

use mailwright_smtp::ReplyClass;

use super::*;
use crate::testing::{self, mailbox, reply};

fn sample() -> QueueEntry {
    let envelope = Envelope::new(mailbox("alice@example.org"))
        .with_recipient(
            Recipient::new(mailbox("bob@example.net"))
                .with_notify("SUCCESS,FAILURE".parse::<Notify>().unwrap())
                .with_orcpt(Orcpt::rfc822("Bob <bob@example.net>")),
        )
        .with_recipient(Recipient::new(mailbox("\"c d\"@example.com")))
        .with_envid(EnvId::encode("QQ314159").unwrap())
        .with_ret(Ret::Headers);
    QueueEntry::new(
        QueueId::from_u64(0x19a6b3c2d40001),
        envelope,
        Timestamp::from_millis(1_700_000_000_000),
        BODY.len() as u64,
        0xdead_beef,
    )
}

const BODY: &[u8] = b"Subject: hi\r\n\r\nline one\nC 2\n";

/// A body of the entry's recorded size.
fn body_for(entry: &QueueEntry) -> Vec<u8> {
    vec![b'x'; entry.size as usize]
}

fn deferred() -> Update {
    Update::Recipient {
        index: 1,
        state: RecipientState {
            status: DeliveryStatus::Deferred,
            attempts: 1,
            next_attempt: Timestamp::from_millis(1_700_000_060_000),
            updated: Timestamp::from_millis(1_700_000_000_500),
            diagnostic: Some(Diagnostic::from_reply(
                &reply(
                    451,
                    EnhancedStatusCode::new(4, 7, 1).ok(),
                    "greylisted, try - later",
                ),
                Some("mx1.example.com".into()),
            )),
            delay_notified: false,
            final_notified: false,
        },
    }
}

#[test]
fn known_file() {
    let entry = sample();
    let envelope = encode_envelope(&entry);
    let text = String::from_utf8(envelope.clone()).unwrap();
    let records: Vec<&str> = text.lines().map(|l| &l[9..]).collect();
    assert_eq!(
        records,
        [
            "MTAQ 1",
            "E 0019a6b3c2d40001 1700000000000 28 deadbeef default",
            "F alice@example.org HDRS QQ314159",
            "R bob@example.net SUCCESS,FAILURE rfc822 Bob%20<bob@example.net>",
            "R \"c%20d\"@example.com - - -",
            "C 2",
        ]
    );
    let mut bytes = encode_file(&entry, BODY);
    assert_eq!(&bytes[envelope.len()..], BODY);
    bytes.extend(encode_update(&deferred()));
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.ends_with(
        "S 1 T 1 1700000060000 1700000000500 - 4.7.1 451 4.7.1 greylisted,%20try%20-%20later mx1.example.com 451%204.7.1%20greylisted,%20try%20-%20later\n"
    ));
    let parsed = parse(&bytes).unwrap();
    assert!(!parsed.torn_tail);
    assert_eq!(parsed.valid_len, bytes.len());
    assert_eq!(parsed.body_offset, envelope.len());
    let mut expected = entry;
    expected.apply(&deferred());
    assert_eq!(parsed.entry, expected);
}

/// A queue file written by mta-queue before it used smtp-proto's types
/// (`tests/data/spool-v1.msg`, written by the code of commit 7ddfa0b: DSN parameters,
/// a quoted and a UTF-8 recipient, replies, a local diagnostic, a hold) reads into the
/// new types, and its envelope is written again byte for byte.
#[test]
fn reads_a_file_of_the_first_release() {
    let bytes: &[u8] = include_bytes!("../../../tests/data/spool-v1.msg");
    let parsed = parse(bytes).unwrap();
    assert!(!parsed.torn_tail);
    assert_eq!(parsed.valid_len, bytes.len());
    let entry = &parsed.entry;
    let env = &entry.envelope;
    assert_eq!(
        env.sender,
        ReversePath::Mailbox(mailbox("alice@example.org"))
    );
    assert_eq!(env.ret, Some(Ret::Headers));
    let envid = env.envid.as_ref().unwrap();
    assert_eq!(envid.decode(), "QQ 314+159=");
    assert_eq!(envid.as_str(), "QQ+20314+2B159+3D");
    assert_eq!(
        (env.body, env.smtputf8, env.requiretls),
        (None, false, false)
    );
    assert_eq!(env.queue, "bulk");
    let [bob, cd, jorg] = &env.recipients[..] else {
        panic!("three recipients: {env:?}");
    };
    assert_eq!(bob.address, mailbox("bob@example.net"));
    assert_eq!(bob.notify, Notify::on(true, true, false));
    let orcpt = bob.orcpt.as_ref().unwrap();
    assert_eq!(orcpt.to_string(), "rfc822;Bob+20<bob+2Btag@example.net>");
    assert_eq!(cd.address.local_part().content(), "c d");
    assert_eq!((cd.notify, &cd.orcpt), (None, &None));
    assert_eq!(jorg.address, mailbox("jörg@bücher.example"));
    assert_eq!(jorg.notify, Some(Notify::NEVER));
    let orcpt = jorg.orcpt.as_ref().unwrap();
    assert_eq!(orcpt.addr_type(), "utf-8");
    assert_eq!(orcpt.address().decode(), "jörg@bücher.example");
    assert_eq!(entry.size, 66);
    let body = &bytes[parsed.body_offset..parsed.body_offset + 66];
    assert_eq!(crc32fast::hash(body), entry.body_crc);

    let [delivered, deferred, failed] = &entry.recipients[..] else {
        panic!("three states: {entry:?}");
    };
    assert_eq!(delivered.status, DeliveryStatus::Delivered);
    assert!(delivered.final_notified && !delivered.delay_notified);
    let diagnostic = delivered.diagnostic.as_ref().unwrap();
    assert_eq!(diagnostic.status, EnhancedStatusCode::OK);
    let ok = diagnostic.reply.as_ref().unwrap();
    assert_eq!(ok.code(), ReplyCode::OK);
    assert_eq!(ok.enhanced(), Some(EnhancedStatusCode::OK));
    assert_eq!(ok.text(), "2.0.0 ok: queued as 4F2A");
    assert_eq!(diagnostic.remote_mta.as_deref(), Some("mx.example.net"));
    assert_eq!(diagnostic.text, "250 2.0.0 2.0.0 ok: queued as 4F2A");

    assert_eq!(deferred.status, DeliveryStatus::Deferred);
    assert_eq!(deferred.attempts, 1);
    assert_eq!(
        deferred.next_attempt,
        Timestamp::from_millis(1_700_000_060_000)
    );
    let diagnostic = deferred.diagnostic.as_ref().unwrap();
    let greylisted = reply(
        451,
        EnhancedStatusCode::new(4, 7, 1).ok(),
        "greylisted, try - later",
    );
    assert_eq!(diagnostic.reply.as_ref(), Some(&greylisted));
    assert_eq!(
        diagnostic.status,
        EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED.with_class(ReplyClass::TransientNegative)
    );

    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert!(failed.delay_notified && !failed.final_notified);
    let diagnostic = failed.diagnostic.as_ref().unwrap();
    assert_eq!(diagnostic.status, EnhancedStatusCode::NULL_MX);
    assert_eq!((&diagnostic.reply, &diagnostic.remote_mta), (&None, &None));
    assert_eq!(diagnostic.text, "null MX (RFC 7505)");
    assert!(entry.held);

    // The envelope is written as the first release wrote it.
    assert_eq!(encode_envelope(entry), bytes[..parsed.body_offset]);
    let again = parse(&encode_file(entry, body)).unwrap();
    assert_eq!(&again.entry, entry);
}

/// A bounce of the first release: null reverse-path, `NOTIFY=NEVER`.
#[test]
fn reads_a_bounce_of_the_first_release() {
    let bytes: &[u8] = include_bytes!("../../../tests/data/spool-v1-bounce.msg");
    let parsed = parse(bytes).unwrap();
    let env = &parsed.entry.envelope;
    assert_eq!(env.sender, ReversePath::Null);
    assert_eq!(env.recipients.len(), 1);
    assert_eq!(env.recipients[0].notify, Some(Notify::NEVER));
    assert_eq!((env.ret, &env.envid), (None, &None));
    assert_eq!(env.queue, "bounces");
    assert_eq!(encode_envelope(&parsed.entry), bytes[..parsed.body_offset]);
}

/// BODY=, SMTPUTF8 and REQUIRETLS ride on the sender record, after the fields of the
/// first release, only when one is set.
#[test]
fn message_parameters_extend_the_sender_record() {
    let mut entry = sample();
    entry.envelope.body = Some(BodyType::EightBitMime);
    entry.envelope.smtputf8 = true;
    let text = String::from_utf8(encode_envelope(&entry)).unwrap();
    assert!(
        text.contains(" F alice@example.org HDRS QQ314159 8BITMIME u\n"),
        "{text}"
    );
    entry.envelope.body = None;
    entry.envelope.smtputf8 = false;
    entry.envelope.requiretls = true;
    let bytes = encode_file(&entry, BODY);
    assert!(String::from_utf8_lossy(&bytes).contains(" F alice@example.org HDRS QQ314159 - t\n"));
    assert_eq!(parse(&bytes).unwrap().entry, entry);
    for bad in ["8BITMIME", "9BIT -", "- x", "- ut x", "- tu"] {
        let mut out = Vec::new();
        line(&mut out, MAGIC);
        line(
            &mut out,
            "E 0019a6b3c2d40001 1700000000000 0 00000000 default",
        );
        line(&mut out, &format!("F - - - {bad}"));
        line(&mut out, "R a@b.example - - -");
        line(&mut out, "C 1");
        assert!(parse(&out).is_err(), "{bad}");
    }
}

#[test]
fn torn_tail_is_cut_not_corrupt() {
    let mut bytes = encode_file(&sample(), BODY);
    let good = bytes.len();
    let update = encode_update(&deferred());
    // Every partial append is a torn tail.
    for cut in 1..update.len() {
        let mut file = bytes.clone();
        file.extend_from_slice(&update[..cut]);
        let parsed = parse(&file).unwrap();
        assert!(parsed.torn_tail, "cut at {cut}");
        assert_eq!(parsed.valid_len, good);
        assert_eq!(parsed.entry, sample());
    }
    // A damaged line followed by a good one is corruption.
    let mut damaged = update.clone();
    damaged[12] ^= 0x20;
    bytes.extend_from_slice(&damaged);
    bytes.extend_from_slice(&update);
    assert_eq!(parse(&bytes).unwrap_err().line, 1);
}

#[test]
fn damaged_envelope_is_corrupt() {
    let bytes = encode_file(&sample(), BODY);
    for cut in 0..bytes.len() {
        assert!(parse(&bytes[..cut]).is_err(), "prefix {cut} parsed");
    }
    let envelope_len = encode_envelope(&sample()).len();
    for i in 0..envelope_len {
        let mut file = bytes.clone();
        file[i] ^= 0x01;
        // A flipped bit is caught by the line's checksum or its syntax (a flip in the
        // last line's LF makes the envelope end early).
        assert!(parse(&file).is_err(), "flip at {i} parsed");
    }
}

#[test]
fn bad_records_are_refused() {
    let mut good = sample();
    good.envelope.recipients.truncate(1);
    good.recipients.truncate(1);
    good.size = 0;
    let base = encode_envelope(&good);
    let text = String::from_utf8(base).unwrap();
    let head: Vec<&str> = text.lines().collect();
    let with = |record: &str| {
        let mut out = Vec::new();
        for l in &head {
            out.extend_from_slice(l.as_bytes());
            out.push(b'\n');
        }
        line(&mut out, record);
        line(&mut out, "H 1");
        out
    };
    for bad in [
        "S 5 P 0 0 0 - -",
        "S 0 X 0 0 0 - -",
        "S 0 P 0 0 0 x -",
        "S 0 P 0 0 0 - 4.0.0 - 4.0.0 - - -",
        "S 0 P 0 0 0 - 4.0.0 700 - - - -",
        "S 0 P 0 0 0 - 4.0.0 450 - %zz - -",
        "S 0 P 0 0 0 - 4.0.0 450 - %FF - -",
        "S 0 P 0 0 0 - 4.0.0 450 - - -",
        "S 0 P 0 0 0 - - extra",
        "H 2",
        "Z",
    ] {
        assert!(parse(&with(bad)).is_err(), "{bad}");
    }
    assert!(parse(&with("S 0 D 1 0 0 f -")).is_ok());
}

proptest! {
    #[test]
    fn round_trip((entry, updates) in testing::entry_with_updates()) {
        let body = body_for(&entry);
        let mut bytes = encode_file(&entry, &body);
        let mut expected = entry;
        for update in &updates {
            bytes.extend(encode_update(update));
            expected.apply(update);
        }
        let parsed = parse(&bytes).unwrap();
        prop_assert_eq!(&parsed.entry, &expected);
        prop_assert!(!parsed.torn_tail);
        // Rewriting the entry whole gives the same entry.
        let rewritten = parse(&encode_file(&expected, &body)).unwrap();
        prop_assert_eq!(rewritten.entry, expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn truncations_and_flips_never_panic(entry in testing::entry(), cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>()) {
        let mut bytes = encode_file(&entry, &body_for(&entry));
        let cut = cut.index(bytes.len() + 1);
        bytes.truncate(cut);
        if !bytes.is_empty() {
            let at = flip.index(bytes.len());
            bytes[at] = bytes[at].wrapping_add(1);
        }
        let _ = parse(&bytes);
    }
}

/// The input the `unicode_change_records` property found: escapes that spell a CR LF
/// in a reply text were read back as a line break, which a DSN then wrote into its
/// `Diagnostic-Code:` field as a field of the file's choosing. Read back cleaned now.
#[test]
fn escaped_line_breaks_are_read_back_as_spaces() {
    let mut bytes = encode_file(&sample(), BODY);
    line(
        &mut bytes,
        "S 0 F 1 2 3 - 5.0.0 550 - %0D%0AX-Injected:%20 %0Amx %0D%0Ax",
    );
    let parsed = parse(&bytes).unwrap();
    let diagnostic = parsed.entry.recipients[0].diagnostic.as_ref().unwrap();
    assert_eq!(diagnostic.reply.as_ref().unwrap().text(), "  X-Injected: ");
    assert_eq!(diagnostic.remote_mta.as_deref(), Some(" mx"));
    assert_eq!(diagnostic.text, "  x");
}

/// A spool field as [`field`] writes it, or not: Unicode, percent escapes of any byte
/// (control characters among them), `-`.
fn any_field() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("-".to_owned()),
        4 => "([a-z.@]|\\PC|%[0-9A-F]{2}){1,24}",
        1 => "%0D%0AX-Injected:%20([a-z]|\\PC){0,8}",
        1 => any::<String>(),
    ]
}

/// A change record with checksum-valid framing and Unicode where text goes.
fn unicode_change() -> impl Strategy<Value = String> {
    let diag = (
        "[245]\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "-|[2-5][0-9]{2}",
        "-|[245]\\.[0-9]\\.[0-9]",
        any_field(),
        any_field(),
        any_field(),
    )
        .prop_map(|(status, code, enhanced, text, remote, diag)| {
            let text = if code == "-" { "-".to_owned() } else { text };
            let enhanced = if code == "-" { "-" } else { &enhanced };
            format!("{status} {code} {enhanced} {text} {remote} {diag}")
        });
    prop_oneof![
        4 => ("[PTDF]", "-|d|f|df", diag)
            .prop_map(|(status, flags, diag)| format!("S 0 {status} 1 2 3 {flags} {diag}")),
        1 => "[SHRC] \\PC{0,40}",
        1 => any::<String>(),
    ]
}

/// Texts read back from the spool hold what the constructors let in: no control
/// character (a CR LF would end a DSN field early), reply text and host cut as
/// [`Diagnostic::from_reply`] and [`Diagnostic::with_remote`] cut them.
fn assert_clean(entry: &QueueEntry) -> Result<(), TestCaseError> {
    for diagnostic in entry
        .recipients
        .iter()
        .filter_map(|r| r.diagnostic.as_ref())
    {
        prop_assert!(
            !diagnostic.text.chars().any(char::is_control),
            "{diagnostic:?}"
        );
        if let Some(reply) = &diagnostic.reply {
            prop_assert!(!reply.text().chars().any(char::is_control), "{reply:?}");
            prop_assert!(reply.text().len() <= 512);
            prop_assert_eq!(reply.line_count(), 1);
        }
        if let Some(remote) = &diagnostic.remote_mta {
            prop_assert!(!remote.chars().any(char::is_control), "{remote:?}");
            prop_assert!(remote.len() <= 255);
        }
    }
    Ok(())
}

proptest! {
    /// Change records whose checksums are right (so they get past the line check)
    /// with arbitrary Unicode and escapes in their fields: parsing never panics, an
    /// accepted file rewrites to the same entry, and its texts are clean.
    #[test]
    fn unicode_change_records(entry in testing::entry(), record in unicode_change()) {
        let body = body_for(&entry);
        let mut bytes = encode_file(&entry, &body);
        line(&mut bytes, &record);
        if let Ok(parsed) = parse(&bytes) {
            prop_assert!(parsed.valid_len <= bytes.len());
            assert_clean(&parsed.entry)?;
            let again = parse(&encode_file(&parsed.entry, &body)).unwrap();
            prop_assert_eq!(again.entry, parsed.entry);
        }
    }

    /// Envelope records with Unicode addresses, queue names and DSN parameters: never a
    /// panic; an accepted envelope re-encodes to itself.
    #[test]
    fn unicode_envelope_records(
        queue in any_field(),
        sender in any_field(),
        envid in any_field(),
        rcpt in any_field(),
        orcpt in (any_field(), any_field()),
        notify in "-|NEVER|SUCCESS,DELAY|\\PC{1,6}",
    ) {
        let mut bytes = Vec::new();
        line(&mut bytes, MAGIC);
        line(&mut bytes, &format!("E 0019a6b3c2d40001 1700000000000 0 00000000 {queue}"));
        line(&mut bytes, &format!("F {sender} - {envid}"));
        line(&mut bytes, &format!("R {rcpt} {notify} {} {}", orcpt.0, orcpt.1));
        line(&mut bytes, "C 1");
        if let Ok(parsed) = parse(&bytes) {
            let envelope = &parsed.entry.envelope;
            let addresses = envelope.sender.mailbox().into_iter().chain(envelope.recipients.iter().map(|r| &r.address));
            for address in addresses {
                let text = address.to_string();
                prop_assert!(!text.chars().any(char::is_control));
                prop_assert_eq!(Mailbox::try_from(text.as_str()), Ok(address.clone()));
            }
            let again = parse(&encode_file(&parsed.entry, b"")).unwrap();
            prop_assert_eq!(again.entry, parsed.entry);
        }
    }
}
