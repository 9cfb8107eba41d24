//! Properties of the server session: arbitrary input never panics and never grows
//! memory past the limits; how the input is split never changes the output.

use bytes::BytesMut;
use proptest::prelude::*;

use crate::reply::Reply;
use crate::server::{Event, ServerConfig, ServerSession};
use crate::types::{Mechanism, ReplyCode};

/// Answers every event, accepting or refusing by `choice`.
fn answer(session: &mut ServerSession, choice: &mut impl Iterator<Item = bool>) -> usize {
    let mut events = 0;
    while let Some(event) = session.poll_event() {
        events += 1;
        assert!(events < 100_000, "events without end");
        let accept = choice.next().unwrap_or(true);
        let no = || Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "no");
        match event {
            Event::Hello(d) => {
                if accept {
                    d.accept()
                } else {
                    d.reject(no())
                }
            }
            Event::Auth(d) => {
                if accept {
                    d.accept()
                } else {
                    d.reject()
                }
            }
            Event::MailFrom(d) => {
                if accept {
                    d.accept()
                } else {
                    d.reject(no())
                }
            }
            Event::Rcpt(d) => {
                if accept {
                    d.accept()
                } else {
                    d.reject(no())
                }
            }
            Event::Verify(d) => d.respond(no()),
            Event::MessageComplete(d) => {
                if accept {
                    d.accept("id")
                } else {
                    d.reject(no())
                }
            }
            Event::StartTls => {
                session.tls_started();
            }
            Event::BodyChunk(_) | Event::MessageAborted(_) => {}
        }
    }
    events
}

/// Feeds `input` in pieces of the given sizes; returns everything written.
fn run(
    config: &std::sync::Arc<ServerConfig>,
    input: &[u8],
    sizes: &[usize],
    choices: &[bool],
) -> Vec<u8> {
    let capacity = config.limits.input_capacity();
    let mut session = ServerSession::new(std::sync::Arc::clone(config));
    let mut choice = choices.iter().copied().cycle();
    let mut written = Vec::new();
    let mut out = BytesMut::new();
    let mut rest = input;
    let mut sizes = sizes.iter().copied().cycle();
    while !rest.is_empty() && !session.is_closed() {
        let size = sizes.next().unwrap_or(1).clamp(1, rest.len());
        let taken = session.handle_input(&rest[..size]);
        rest = &rest[taken..];
        assert!(
            session.input.len() <= capacity,
            "input buffer over its limit"
        );
        answer(&mut session, &mut choice);
        out.clear();
        let n = session.poll_output(&mut out);
        assert!(n <= 256 * 1024, "output grew to {n}");
        written.extend_from_slice(&out);
    }
    session.handle_eof();
    answer(&mut session, &mut choice);
    written
}

fn config() -> std::sync::Arc<ServerConfig> {
    with_starttls(true)
}

fn with_starttls(starttls: bool) -> std::sync::Arc<ServerConfig> {
    let mut config = ServerConfig::default();
    config
        .starttls(starttls)
        .auth_mechanisms([Mechanism::PLAIN, Mechanism::LOGIN])
        .auth_requires_tls(false)
        .dsn(true)
        .binarymime(true)
        .vrfy(true);
    config.limits_mut().max_message_size(4096).max_recipients(5);
    std::sync::Arc::new(config)
}

/// Bytes from the protocol's alphabet: command words, paths, line breaks, dots.
fn smtp_like() -> impl Strategy<Value = Vec<u8>> {
    const PIECES: &[&[u8]] = &[
        b"EHLO a.example\r\n",
        b"HELO a\r\n",
        b"MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME\r\n",
        b"RCPT TO:<c@d.example> NOTIFY=NEVER\r\n",
        b"DATA\r\n",
        b"BDAT 7\r\n",
        b"BDAT 3 LAST\r\n",
        b"AUTH PLAIN AGEAYg==\r\n",
        b"AUTH LOGIN\r\n",
        b"dXNlcg==\r\n",
        b"*\r\n",
        b"STARTTLS\r\n",
        b"RSET\r\n",
        b"VRFY x\r\n",
        b"QUIT\r\n",
        b"\r\n.\r\n",
        b"\n.\n",
        b"..",
        b"\r",
        b"\n",
        b"x",
    ];
    let piece = prop::sample::select(PIECES);

    prop::collection::vec(
        prop_oneof![
            8 => piece.prop_map(<[u8]>::to_vec),
            1 => prop::collection::vec(any::<u8>(), 0..64),
            1 => (0usize..6000).prop_map(|n| vec![b'A'; n]),
        ],
        0..40,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Command lines mixing the protocol's verbs and paths with arbitrary Unicode (a
/// client's to send, SMTPUTF8 or not).
fn unicode_lines() -> impl Strategy<Value = Vec<u8>> {
    let head = prop::sample::select(
        &[
            "EHLO ",
            "HELO ",
            "MAIL FROM:<",
            "MAIL FROM:<a@b.example> SMTPUTF8 ENVID=",
            "RCPT TO:<",
            "RCPT TO:<c@d.example> ORCPT=utf-8;",
            "VRFY ",
            "EXPN ",
            "HELP ",
            "NOOP ",
            "AUTH PLAIN ",
            "AUTH LOGIN",
            "",
        ][..],
    );
    let rest = prop_oneof![
        "\\PC{0,40}",
        any::<String>(),
        "([a-z@.<>]|\\PC){0,20}>( SMTPUTF8)?",
        Just("日本語の件名テスト #2".to_owned()),
        Just("Привет@пример.рф>".to_owned()),
    ];
    prop::collection::vec(
        prop_oneof![
            6 => (head, rest).prop_map(|(head, rest)| format!("{head}{rest}\r\n").into_bytes()),
            1 => Just(b"MAIL FROM:<a@b.example> SMTPUTF8\r\n".to_vec()),
            1 => Just(b"DATA\r\nSubject: \xe6\x97\xa5\r\n\r\n\xd0\x9f\r\n.\r\n".to_vec()),
        ],
        0..16,
    )
    .prop_map(|lines| [b"EHLO client.example\r\n".to_vec(), lines.concat()].concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Unicode in every argument: no panic, and everything the server writes is
    /// UTF-8 reply lines (three digits, SP or `-`, text, CRLF) with no control
    /// character inside.
    #[test]
    fn unicode_commands_get_reply_lines(
        input in unicode_lines(),
        sizes in prop::collection::vec(1usize..200, 1..4),
        choices in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let config = config();
        let written = run(&config, &input, &sizes, &choices);
        let text = std::str::from_utf8(&written);
        prop_assert!(text.is_ok(), "{:?}", String::from_utf8_lossy(&written));
        let text = text.unwrap_or_default();
        prop_assert!(text.is_empty() || text.ends_with("\r\n"));
        for line in text.split_terminator("\r\n") {
            let bytes = line.as_bytes();
            prop_assert!(bytes.len() >= 4 && bytes[..3].iter().all(u8::is_ascii_digit), "{line:?}");
            prop_assert!(matches!(bytes[3], b' ' | b'-'), "{line:?}");
            prop_assert!(!line.chars().any(|c| c.is_control() && c != '\t'), "{line:?}");
        }
    }

    #[test]
    fn arbitrary_input_is_bounded_and_never_panics(
        input in smtp_like(),
        sizes in prop::collection::vec(1usize..5000, 1..8),
        choices in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let config = config();
        run(&config, &input, &sizes, &choices);
    }

    #[test]
    fn raw_bytes_never_panic(
        input in prop::collection::vec(any::<u8>(), 0..2000),
        sizes in prop::collection::vec(1usize..300, 1..4),
    ) {
        let config = config();
        run(&config, &input, &sizes, &[true]);
    }

    /// Without STARTTLS: what is pipelined after STARTTLS is dropped by design, and
    /// where the input is split decides what counts as pipelined.
    #[test]
    fn splitting_the_input_never_changes_the_output(
        input in smtp_like(),
        sizes in prop::collection::vec(1usize..64, 1..6),
        choices in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let config = with_starttls(false);
        let whole = run(&config, &input, &[usize::MAX], &choices);
        let split = run(&config, &input, &sizes, &choices);
        prop_assert_eq!(String::from_utf8_lossy(&whole), String::from_utf8_lossy(&split));
    }
}
