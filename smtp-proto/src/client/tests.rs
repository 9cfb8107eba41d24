//! Properties of the client session against a server that sends any Unicode: replies
//! are kept whole, nothing panics, the client only ever writes CRLF lines.

use bytes::BytesMut;
use proptest::prelude::*;

use crate::client::{ClientConfig, ClientSession, Event};
use crate::types::{Domain, Host};

fn session() -> ClientSession {
    let hello = Host::Domain(Domain::try_from("client.example").unwrap_or_else(|_| unreachable!()));
    ClientSession::new(ClientConfig::new(hello))
}

/// Feeds `input` in pieces of `step` octets, collecting events and output.
fn feed(session: &mut ClientSession, input: &[u8], step: usize) -> (Vec<Event>, Vec<u8>) {
    let mut events = Vec::new();
    let mut output = BytesMut::new();
    let mut rest = input;
    while !rest.is_empty() && !session.is_closed() {
        let piece = &rest[..step.clamp(1, rest.len())];
        let taken = session.handle_input(piece);
        assert!(taken <= piece.len());
        if taken == 0 {
            // The input buffer is full of one unfinished reply: nothing more fits.
            break;
        }
        rest = &rest[taken..];
        while let Some(event) = session.poll_event() {
            events.push(event);
        }
        let _ = session.poll_output(&mut output);
    }
    (events, output.to_vec())
}

/// Text a server may put in a reply line: any Unicode without control characters.
fn reply_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][ -~]{0,30}",
        "[a-zA-Z]\\PC{0,60}",
        Just("日本語の件名テスト #2".to_owned()),
        Just("Привет".to_owned()),
    ]
}

proptest! {
    /// A greeting and an EHLO reply of any Unicode text: the greeting is kept as
    /// sent, the session becomes ready, and reads the keyword lines it can.
    #[test]
    fn unicode_greeting_and_ehlo(
        greeting in reply_text(),
        lines in prop::collection::vec(
            prop_oneof![reply_text(), "(PIPELINING|SIZE|AUTH|8BITMIME)([ =]\\PC{0,8}){0,3}"],
            0..6,
        ),
        step in 1usize..64,
    ) {
        let mut session = session();
        let mut wire = format!("220 {greeting}\r\n").into_bytes();
        let (events, output) = feed(&mut session, &wire, step);
        prop_assert!(events.is_empty(), "{events:?}");
        prop_assert_eq!(session.greeting().map(|g| g.text().to_owned()), Some(greeting));
        prop_assert_eq!(output, b"EHLO client.example\r\n".to_vec());
        wire.clear();
        wire.extend_from_slice(b"250-mx.example greets you\r\n");
        for line in &lines {
            wire.extend_from_slice(format!("250-{line}\r\n").as_bytes());
        }
        wire.extend_from_slice(b"250 HELP\r\n");
        let (events, _) = feed(&mut session, &wire, step);
        prop_assert!(matches!(events.as_slice(), [Event::Ready]), "{events:?}");
        prop_assert!(session.is_ready());
        let capabilities = session.capabilities();
        prop_assert!(capabilities.iter().all(|e| e.params().all(|p| p.bytes().all(|b| (33..=126).contains(&b)))));
    }

    /// Anything at all from the server after the greeting, Unicode or raw bytes, in
    /// any split: never a panic, at most one failure, and the client writes only
    /// CRLF-terminated lines.
    #[test]
    fn any_server_input_never_panics(
        chunks in prop::collection::vec(
            prop_oneof![
                reply_text().prop_map(|t| format!("250 {t}\r\n").into_bytes()),
                reply_text().prop_map(|t| format!("550-{t}\r\n").into_bytes()),
                any::<String>().prop_map(String::into_bytes),
                prop::collection::vec(any::<u8>(), 0..64),
            ],
            0..8,
        ),
        step in 1usize..300,
    ) {
        let mut session = session();
        let mut input = b"220 mx.example ready\r\n".to_vec();
        input.extend(chunks.concat());
        let (events, output) = feed(&mut session, &input, step);
        prop_assert!(events.iter().filter(|e| matches!(e, Event::Failed(_))).count() <= 1);
        prop_assert!(output.is_empty() || output.ends_with(b"\r\n"));
        prop_assert!(std::str::from_utf8(&output).is_ok());
    }
}
