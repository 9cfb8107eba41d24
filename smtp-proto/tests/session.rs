//! Our client against our server, no sockets, simulated clock; and the server alone
//! against hostile input (smuggling, STARTTLS injection, limits).

#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test helpers: a failed unwrap is a failed test; the simulated clock starts at the real now"
)]

mod harness;

use std::time::Duration;

use harness::{Pair, Sink, exchange, server};
use mailwright_smtp::client::{ClientConfig, ClientCredentials, Event, Failure};
use mailwright_smtp::server::{AbortReason, BareLineEndings, Protocol, ServerConfig};
use mailwright_smtp::{Envelope, ForwardPath, Mailbox, Mechanism, ReplyCode, ReversePath};

fn envelope(from: &str, to: &[&str]) -> Envelope<'static> {
    let mut envelope = Envelope::new(ReversePath::Mailbox(
        Mailbox::try_from(from.to_owned()).unwrap(),
    ));
    for to in to {
        envelope.add_recipient(ForwardPath::Mailbox(
            Mailbox::try_from((*to).to_owned()).unwrap(),
        ));
    }
    envelope
}

/// Sends one message and returns the envelope result and the message result.
fn send(pair: &mut Pair, envelope: &Envelope<'_>, body: &[u8]) -> Vec<Event> {
    assert!(
        pair.client.is_ready(),
        "client not ready: {:?}",
        pair.take_events()
    );
    pair.client.send_envelope(envelope).unwrap();
    pair.drive();
    let mut events = pair.take_events();
    if let Some(Event::EnvelopeResult(result)) = events.last()
        && result.body_expected()
    {
        for piece in body.chunks(1000) {
            pair.client.send_body(piece).unwrap();
        }
        pair.client.finish_body().unwrap();
        pair.drive();
        events.extend(pair.take_events());
    }
    events
}

fn ready_pair(client: ClientConfig, server: ServerConfig) -> Pair {
    let mut pair = Pair::new(client, server);
    let events = pair.take_events();
    assert!(matches!(events.as_slice(), [Event::Ready]), "{events:?}");
    pair
}

#[test]
fn a_message_with_pipelining() {
    let mut config = ClientConfig::default();
    config.bdat(false);
    let mut pair = ready_pair(config, ServerConfig::default());
    let events = send(
        &mut pair,
        &envelope(
            "alice@example.org",
            &["bob@example.net", "carol@example.net"],
        ),
        b"Subject: test\r\n\r\nHello\r\n",
    );
    let [
        Event::EnvelopeResult(envelope_result),
        Event::MessageResult(message),
    ] = events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!(envelope_result.accepted().count(), 2);
    assert!(message.is_success());
    assert_eq!(message.replies().len(), 2);
    let (stored, body) = &pair.sink.messages[0];
    assert_eq!(stored.recipients.len(), 2);
    assert_eq!(body, b"Subject: test\r\n\r\nHello\r\n");
    // RFC 2920: the envelope went in one write and came back in one write.
    let wire = String::from_utf8_lossy(&pair.to_server).into_owned();
    assert!(wire.contains(
        "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.net>\r\nDATA\r\n"
    ));
    assert!(pair.server_writes.iter().any(|w| w
        == b"250 2.1.0 sender OK\r\n250 2.1.5 recipient OK\r\n250 2.1.5 recipient OK\r\n354 end data with <CR><LF>.<CR><LF>\r\n"));
}

#[test]
fn without_pipelining_commands_go_one_at_a_time() {
    let mut server = ServerConfig::default();
    server.pipelining(false).chunking(false);
    let mut pair = ready_pair(ClientConfig::default(), server);
    pair.client
        .send_envelope(&envelope(
            "a@example.org",
            &["b@example.org", "c@example.org"],
        ))
        .unwrap();
    // One command per step until its reply arrives.
    let mut out = bytes::BytesMut::new();
    let _ = pair.client.poll_output(&mut out);
    assert_eq!(&out[..], b"MAIL FROM:<a@example.org>\r\n");
    let _ = pair.client.handle_input(b"250 OK\r\n");
    out.clear();
    let _ = pair.client.poll_output(&mut out);
    assert_eq!(&out[..], b"RCPT TO:<b@example.org>\r\n");
}

#[test]
fn helo_fallback_when_ehlo_is_refused() {
    let mut pair = Pair::new(ClientConfig::default(), ServerConfig::default());
    // The pair was driven with a sink that accepts EHLO; start over with one that
    // does not.
    let mut server = server(ServerConfig::default());
    let mut sink = Sink {
        refuse_ehlo: true,
        ..Sink::default()
    };
    let out = exchange(
        &mut server,
        &mut sink,
        b"EHLO a.example\r\nHELO a.example\r\n",
    );
    assert_eq!(
        out,
        "502 what is EHLO?\r\n250 localhost greets a.example\r\n"
    );
    // And our client falls back by itself.
    pair.sink.refuse_ehlo = true;
    let mut client = mailwright_smtp::client::ClientSession::new(ClientConfig::default());
    let _ = client.handle_input(b"220 old.example\r\n");
    let _ = client.handle_input(b"502 what is EHLO?\r\n");
    let mut wire = bytes::BytesMut::new();
    let _ = client.poll_output(&mut wire);
    assert_eq!(&wire[..], b"EHLO localhost\r\nHELO localhost\r\n");
    let _ = client.handle_input(b"250 old.example\r\n");
    assert!(matches!(client.poll_event(), Some(Event::Ready)));
    assert!(!client.capabilities().pipelining());
}

#[test]
fn refused_recipients_and_several_messages_per_connection() {
    let mut pair = ready_pair(ClientConfig::default(), ServerConfig::default());
    pair.sink.refuse_rcpt = vec!["green".into()];
    let events = send(
        &mut pair,
        &envelope(
            "smith@bar.com",
            &["jones@foo.com", "green@foo.com", "brown@foo.com"],
        ),
        b"Blah blah blah...\r\n",
    );
    let [Event::EnvelopeResult(result), Event::MessageResult(message)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(result.accepted().collect::<Vec<_>>(), [0, 2]);
    assert_eq!(
        result.recipients()[1].as_ref().unwrap().code(),
        ReplyCode::MAILBOX_UNAVAILABLE
    );
    assert_eq!(
        message
            .replies()
            .iter()
            .map(|(i, _)| *i)
            .collect::<Vec<_>>(),
        [0, 2]
    );

    // Every recipient refused: no body, the transaction is reset, the next message
    // goes through on the same connection.
    let events = send(
        &mut pair,
        &envelope("smith@bar.com", &["green@foo.com"]),
        b"x",
    );
    let [Event::EnvelopeResult(result)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert!(!result.body_expected());
    assert!(String::from_utf8_lossy(&pair.to_server).contains("RSET\r\n"));
    let events = send(
        &mut pair,
        &envelope("smith@bar.com", &["jones@foo.com"]),
        b"second\r\n",
    );
    assert!(matches!(events.last(), Some(Event::MessageResult(m)) if m.is_success()));
    assert_eq!(pair.sink.messages.len(), 2);

    pair.client.quit().unwrap();
    pair.drive();
    assert!(pair.client.is_closed());
    assert!(pair.server.is_closed());
}

#[test]
fn refused_sender_ends_the_transaction_without_rset() {
    let mut pair = ready_pair(ClientConfig::default(), ServerConfig::default());
    pair.sink.refuse_mail = vec!["spammer".into()];
    let events = send(
        &mut pair,
        &envelope("spammer@bad.example", &["a@example.org"]),
        b"x",
    );
    let [Event::EnvelopeResult(result)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert!(result.mail().is_negative() && !result.body_expected());
    assert!(!String::from_utf8_lossy(&pair.to_server).contains("RSET"));
    assert!(pair.client.is_ready());
}

#[test]
fn bdat_chunks_carry_a_large_body() {
    let mut client = ClientConfig::default();
    client.bdat_chunk(4096);
    let mut pair = ready_pair(client, ServerConfig::default());
    let body: Vec<u8> = (0..200_000u32)
        .map(|i| {
            if i % 79 == 78 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            }
        })
        .collect();
    let events = send(
        &mut pair,
        &envelope("a@example.org", &["b@example.org"]),
        &body,
    );
    assert!(matches!(events.last(), Some(Event::MessageResult(m)) if m.is_success()));
    let wire = String::from_utf8_lossy(&pair.to_server).into_owned();
    assert!(wire.contains("BDAT 4096\r\n") && wire.contains(" LAST\r\n"));
    assert!(!wire.contains("DATA\r\n"));
    let expected: Vec<u8> = String::from_utf8(body)
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    let stored = &pair.sink.messages[0].1;
    assert_eq!(stored.len(), expected.len() + 2);
    assert!(stored.starts_with(&expected) && stored.ends_with(b"\r\n"));
    assert!(
        pair.sink.chunks > 10,
        "the body reached the application in pieces"
    );
}

#[test]
fn data_body_is_stuffed_and_normalized_on_the_way_out() {
    let mut client = ClientConfig::default();
    client.bdat(false);
    let mut pair = ready_pair(client, ServerConfig::default());
    // Outbound smuggling attempts: none may reach the wire as an end of data.
    let body = b"line\n.\nMAIL FROM:<evil@x>\r\n.\r\n..two\r.\r\nend";
    let events = send(
        &mut pair,
        &envelope("a@example.org", &["b@example.org"]),
        body,
    );
    assert!(matches!(events.last(), Some(Event::MessageResult(m)) if m.is_success()));
    assert_eq!(pair.sink.messages.len(), 1);
    assert_eq!(
        pair.sink.messages[0].1,
        b"line\r\n.\r\nMAIL FROM:<evil@x>\r\n.\r\n..two\r\n.\r\nend\r\n"
    );
    let wire = String::from_utf8_lossy(&pair.to_server).into_owned();
    assert_eq!(wire.matches("\r\n.\r\n").count(), 1, "{wire:?}");
}

#[test]
fn smuggled_ends_of_data_stay_in_the_body() {
    for smuggled in ["\n.\n", "\r.\r\n", "\n.\r\n", "\r\n.\n", "\r\n.\r"] {
        let mut server = server(ServerConfig::default());
        let mut sink = Sink::default();
        let input = format!(
            "EHLO a\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n\
             body{smuggled}MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n\
             spoofed\r\n.\r\n"
        );
        let out = exchange(&mut server, &mut sink, input.as_bytes());
        assert_eq!(sink.messages.len(), 1, "{smuggled:?}: {out}");
        assert_eq!(sink.messages[0].0.from.to_string(), "<a@example.org>");
        let body = String::from_utf8_lossy(&sink.messages[0].1).into_owned();
        assert!(
            body.contains("MAIL FROM:<evil@example.org>"),
            "{smuggled:?}: {body:?}"
        );
        assert_eq!(out.matches("250 2.1.0").count(), 1, "{smuggled:?}: {out}");
    }
}

#[test]
fn bare_line_endings_can_be_refused() {
    let mut config = ServerConfig::default();
    config.bare_line_endings(BareLineEndings::Reject);
    let mut server = server(config);
    let mut sink = Sink::default();
    let out = exchange(
        &mut server,
        &mut sink,
        b"EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nbad\nline\r\n.\r\nNOOP\r\n",
    );
    assert!(
        out.ends_with("554 5.6.0 message refused: bare CR or LF in the body\r\n250 2.0.0 OK\r\n"),
        "{out}"
    );
    assert!(sink.messages.is_empty());
    assert_eq!(sink.aborted, [AbortReason::BareLineEnding]);
}

#[test]
fn starttls_drops_pipelined_plaintext_and_resets() {
    let mut config = ServerConfig::default();
    config.starttls(true);
    let mut server = server(config);
    let mut sink = Sink::default();
    let out = exchange(
        &mut server,
        &mut sink,
        b"EHLO a\r\nSTARTTLS\r\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\r\n",
    );
    assert!(out.contains("STARTTLS\r\n"));
    assert!(out.ends_with("220 2.0.0 ready to start TLS\r\n"), "{out}");
    assert!(sink.starttls);
    assert!(
        !server.wants_input(),
        "the next bytes are the TLS handshake"
    );
    server.tls_started();
    // Nothing of the injected commands survived, and the EHLO is forgotten.
    let out = exchange(&mut server, &mut sink, b"MAIL FROM:<a@example.org>\r\n");
    assert_eq!(
        out,
        "503 bad sequence of commands: send EHLO or HELO first\r\n"
    );
    let out = exchange(&mut server, &mut sink, b"EHLO a\r\n");
    assert!(!out.contains("STARTTLS"), "{out}");
    assert!(server.tls_active());
}

#[test]
fn starttls_then_auth_between_our_client_and_server() {
    let mut config = ServerConfig::default();
    config
        .starttls(true)
        .auth_mechanisms([Mechanism::PLAIN, Mechanism::LOGIN])
        .auth_required(true);
    let mut pair = ready_pair(ClientConfig::default(), config);
    pair.sink.login = Some(("alice".into(), "secret".into()));
    assert!(pair.client.capabilities().starttls());
    assert_eq!(
        pair.client.capabilities().auth_mechanisms().count(),
        0,
        "AUTH only after TLS"
    );
    pair.client.start_tls().unwrap();
    pair.drive();
    let events = pair.take_events();
    assert!(
        matches!(events.as_slice(), [Event::StartTls, Event::Ready]),
        "{events:?}"
    );
    assert!(pair.client.tls_active() && pair.server.tls_active());
    assert!(!pair.client.capabilities().starttls());

    pair.client
        .authenticate(ClientCredentials::new("alice", "wrong"))
        .unwrap();
    pair.drive();
    let events = pair.take_events();
    assert!(
        matches!(events.as_slice(), [Event::AuthRejected(r)] if r.code() == ReplyCode::AUTH_FAILED)
    );

    pair.client
        .authenticate(ClientCredentials::new("alice", "secret"))
        .unwrap();
    pair.drive();
    assert!(matches!(
        pair.take_events().as_slice(),
        [Event::Authenticated]
    ));
    assert_eq!(pair.server.authenticated(), Some("alice"));
    let events = send(
        &mut pair,
        &envelope("alice@example.org", &["b@example.org"]),
        b"hi\r\n",
    );
    assert!(matches!(events.last(), Some(Event::MessageResult(m)) if m.is_success()));
}

#[test]
fn auth_login_exchange_and_failure_limit() {
    let mut config = ServerConfig::default();
    config
        .auth_mechanisms([Mechanism::LOGIN])
        .auth_requires_tls(false);
    let mut pair = ready_pair(ClientConfig::default(), config);
    pair.sink.login = Some(("bob".into(), "pw".into()));
    pair.client
        .authenticate(ClientCredentials::new("bob", "pw"))
        .unwrap();
    pair.drive();
    assert!(matches!(
        pair.take_events().as_slice(),
        [Event::Authenticated]
    ));
    let wire = String::from_utf8_lossy(&pair.to_client).into_owned();
    assert!(wire.contains("334 VXNlcm5hbWU6\r\n") && wire.contains("334 UGFzc3dvcmQ6\r\n"));

    // A fresh connection that keeps guessing is cut off after three failures.
    let mut config = ServerConfig::default();
    config
        .auth_mechanisms([Mechanism::PLAIN])
        .auth_requires_tls(false);
    let mut pair = ready_pair(ClientConfig::default(), config);
    pair.sink.login = Some(("bob".into(), "pw".into()));
    for attempt in 0..3 {
        pair.client
            .authenticate(ClientCredentials::new("bob", format!("guess{attempt}")))
            .unwrap();
        pair.drive();
    }
    let events = pair.take_events();
    assert!(
        matches!(events.last(), Some(Event::Failed(Failure::Rejected(r))) if r.code() == ReplyCode::SERVICE_NOT_AVAILABLE),
        "{events:?}"
    );
    assert!(pair.server.is_closed());
}

#[test]
fn auth_and_tls_policies_of_a_submission_listener() {
    let mut config = ServerConfig::default();
    config
        .starttls(true)
        .tls_required(true)
        .auth_mechanisms([Mechanism::PLAIN])
        .auth_required(true);
    let mut server = server(config);
    let mut sink = Sink::default();
    let out = exchange(
        &mut server,
        &mut sink,
        b"EHLO a\r\nAUTH PLAIN AGEAYg==\r\nMAIL FROM:<a@example.org>\r\n",
    );
    assert!(out.contains("538 5.7.11 "), "{out}");
    assert!(
        out.ends_with("530 5.7.0 must issue a STARTTLS command first\r\n"),
        "{out}"
    );
}

#[test]
fn lmtp_answers_per_recipient() {
    let mut server = ServerConfig::default();
    server.protocol(Protocol::Lmtp);
    let mut client = ClientConfig::default();
    client.protocol(Protocol::Lmtp).bdat(false);
    let mut pair = ready_pair(client, server);
    assert!(String::from_utf8_lossy(&pair.to_server).starts_with("LHLO localhost\r\n"));
    pair.sink.refuse_after_data = vec!["full".into()];
    let events = send(
        &mut pair,
        &envelope(
            "a@example.org",
            &["one@example.org", "full@example.org", "two@example.org"],
        ),
        b"hello\r\n",
    );
    let Some(Event::MessageResult(result)) = events.last() else {
        panic!("{events:?}")
    };
    let codes: Vec<u16> = result
        .replies()
        .iter()
        .map(|(_, r)| r.code().get())
        .collect();
    assert_eq!(codes, [250, 450, 250]);
    assert!(!result.is_success());
}

#[test]
fn recipient_and_size_limits() {
    let mut config = ServerConfig::default();
    config.limits_mut().max_recipients(2).max_message_size(1000);
    let mut server = server(config);
    let mut sink = Sink::default();
    let out = exchange(
        &mut server,
        &mut sink,
        b"EHLO a\r\nMAIL FROM:<a@x.example> SIZE=5000\r\nMAIL FROM:<a@x.example>\r\n\
          RCPT TO:<1@x.example>\r\nRCPT TO:<2@x.example>\r\nRCPT TO:<3@x.example>\r\nDATA\r\n",
    );
    assert!(out.contains("552 5.3.4 message size exceeds fixed maximum message size\r\n"));
    assert!(out.contains("452 4.5.3 too many recipients\r\n"), "{out}");
    let big = "x".repeat(2000);
    let out = exchange(&mut server, &mut sink, format!("{big}\r\n.\r\n").as_bytes());
    assert_eq!(
        out,
        "552 5.3.4 message size exceeds fixed maximum message size\r\n"
    );
    assert_eq!(sink.aborted, [AbortReason::TooLarge]);
    assert!(sink.messages.is_empty());
    assert!(!server.is_closed() && !server.in_transaction());
}

#[test]
fn an_overlong_line_is_answered_without_buffering() {
    let mut server = server(ServerConfig::default());
    let mut sink = Sink::default();
    let long = vec![b'A'; 1 << 20];
    harness::feed_server(&mut server, &mut sink, &long);
    let out = exchange(&mut server, &mut sink, b"\r\nNOOP\r\n");
    assert_eq!(out, "500 line too long\r\n250 OK\r\n");
}

#[test]
fn too_many_errors_close_the_session() {
    let mut server = server(ServerConfig::default());
    let mut sink = Sink::default();
    let out = exchange(&mut server, &mut sink, "BOGUS\r\n".repeat(25).as_bytes());
    assert_eq!(out.matches("500 command not recognized").count(), 20);
    assert!(out.ends_with("421 too many errors\r\n"), "{out}");
    assert!(server.is_closed());
}

#[test]
fn idle_server_times_out() {
    let mut pair = ready_pair(ClientConfig::default(), ServerConfig::default());
    pair.advance(Duration::from_secs(299));
    assert!(pair.client.is_ready());
    pair.advance(Duration::from_secs(2));
    let events = pair.take_events();
    assert!(
        matches!(events.as_slice(), [Event::Failed(Failure::Rejected(r))] if r.code() == ReplyCode::SERVICE_NOT_AVAILABLE),
        "{events:?}"
    );
    assert!(pair.server.is_closed());
}

#[test]
fn client_times_out_on_a_silent_server() {
    let mut client = mailwright_smtp::client::ClientSession::new(ClientConfig::default());
    let start = std::time::Instant::now();
    client.handle_timeout(start);
    assert_eq!(
        client.poll_timeout(),
        Some(start + Duration::from_secs(300))
    );
    client.handle_timeout(start + Duration::from_secs(301));
    assert!(matches!(
        client.poll_event(),
        Some(Event::Failed(Failure::Timeout))
    ));
    assert!(client.is_closed());
}
