//! imap-proto targets: commands, responses, the framer, and the server session.

use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwright_imap::codec::frame::{FrameEvent, Framer};
use mailwright_imap::response::FetchData;
use mailwright_imap::server::{
    AppendUid, CopyResult, Event, LoginRejection, MailboxInfo, SelectedMailbox, ServerConfig,
    ServerSession, StatusInfo, StoreResult,
};
use mailwright_imap::types::{Flag, Uid};

/// Frames `data` with a framer that takes every literal (within its limits).
fn frames(mut framer: Framer, data: &[u8]) -> Vec<bytes::Bytes> {
    framer.enqueue(data);
    let mut out = Vec::new();
    while let Some(event) = framer.poll() {
        match event {
            FrameEvent::Frame(frame) => out.push(frame),
            FrameEvent::LiteralAnnounced(_) => {
                if framer.literal_exceeds_frame_limit() {
                    framer.reject_literal();
                } else {
                    framer.accept_literal();
                }
            }
            _ => {}
        }
    }
    out
}

/// Client bytes through the command framer; every frame through the command,
/// IDLE `DONE` and SASL parsers. What parses must encode to bytes that parse to
/// the same command.
pub fn imap_command(data: &[u8]) {
    for frame in frames(Framer::for_commands(4096, 64 * 1024), data) {
        if let Ok(command) = mailwright_imap::codec::parse::command(&frame) {
            let encoded = mailwright_imap::codec::encode::command(&command);
            let again = mailwright_imap::codec::parse::command(encoded.as_bytes());
            assert_eq!(again.as_ref(), Ok(&command), "round trip of {frame:?}");
            // Fragments cover the encoding exactly.
            let joined: Vec<u8> = encoded
                .fragments()
                .flat_map(|f| match f {
                    mailwright_imap::codec::encode::Fragment::Line(b) => b.to_vec(),
                    mailwright_imap::codec::encode::Fragment::Literal { data, .. } => data.to_vec(),
                })
                .collect();
            assert_eq!(joined, encoded.as_bytes());
        }
        let _ = mailwright_imap::codec::parse::idle_done(&frame);
        let _ = mailwright_imap::codec::parse::authenticate_data(&frame);
        let _ = mailwright_imap::codec::parse::command_tag(&frame);
    }
}

/// Server bytes through the response framer; every frame through the response
/// and greeting parsers, with the same round-trip rule.
pub fn imap_response(data: &[u8]) {
    for frame in frames(Framer::for_responses(4096, 64 * 1024), data) {
        if let Ok(response) = mailwright_imap::codec::parse::response(&frame) {
            let mut encoded = Vec::new();
            mailwright_imap::codec::encode::response(&response, &mut encoded);
            let again = mailwright_imap::codec::parse::response(&encoded);
            assert_eq!(again.as_ref(), Ok(&response), "round trip of {frame:?}");
        }
        let _ = mailwright_imap::codec::parse::greeting(&frame);
    }
}

/// The framer fed in pieces the input chooses, with decisions the input chooses:
/// the frames must not depend on how the input was split, the buffer stays
/// bounded, and streamed literals deliver exactly their announced length.
pub fn imap_fragmentizer(data: &[u8]) {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(control % 16) + 1;
    let run = |split: bool| {
        let mut framer = Framer::for_commands(512, 4096);
        let mut events = Vec::new();
        let mut streaming: Option<u64> = None;
        let pieces: Vec<&[u8]> = if split {
            input.chunks(chunk).collect()
        } else {
            vec![input]
        };
        for piece in pieces {
            framer.enqueue(piece);
            while let Some(event) = framer.poll() {
                match &event {
                    FrameEvent::LiteralAnnounced(a) => match a.length % 3 {
                        0 if !framer.literal_exceeds_frame_limit() => framer.accept_literal(),
                        1 => {
                            streaming = Some(a.length);
                            framer.accept_literal_streaming();
                        }
                        _ => framer.reject_literal(),
                    },
                    FrameEvent::LiteralData(d) => {
                        let left = streaming.unwrap_or(0);
                        assert!(d.len() as u64 <= left, "streamed more than announced");
                        streaming = Some(left - d.len() as u64).filter(|l| *l > 0);
                    }
                    _ => {}
                }
                assert!(framer.buffered() <= input.len());
                events.push(event);
            }
        }
        // Streamed pieces depend on the split; compare everything else.
        let mut frames = Vec::new();
        let mut streamed = Vec::new();
        for e in events {
            match e {
                FrameEvent::LiteralData(d) => streamed.extend_from_slice(&d),
                other => frames.push(other),
            }
        }
        (frames, streamed)
    };
    assert_eq!(run(false), run(true), "framing depends on the split");
}

fn uid(n: u32) -> Uid {
    Uid::new(n).unwrap_or(Uid::MIN)
}

/// Answers one event with a fixed small mailbox; `false` when there was none.
fn answer(session: &mut ServerSession) -> bool {
    let Some(event) = session.poll_event() else {
        return false;
    };
    match event {
        Event::Login(d) => {
            if d.username() == "a" {
                d.accept();
            } else {
                d.reject(LoginRejection::BadCredentials);
            }
        }
        Event::StartTls => session.tls_started(),
        Event::Select(d) => d.accept(
            SelectedMailbox::new(uid(1), uid(10), vec![uid(2), uid(5), uid(9)])
                .with_highest_modseq(7),
        ),
        Event::Mailbox(d) => d.accept(),
        Event::List(d) => d.respond(vec![
            MailboxInfo::new("INBOX"),
            MailboxInfo::new("a/b").with_status(StatusInfo::default()),
        ]),
        Event::Status(d) => d.respond(StatusInfo::new(3, 1, uid(10), uid(1))),
        Event::Append(d) => d.accept(),
        Event::AppendData(_) => {}
        Event::AppendComplete(d) => d.accept(Some(AppendUid {
            uid_validity: uid(1),
            uid: uid(10),
        })),
        Event::Fetch(mut d) => {
            let uids: Vec<Uid> = d.messages().map(|(_, u)| u).collect();
            for u in uids {
                d.respond(u, vec![FetchData::Flags(vec![Flag::SEEN])]);
            }
            d.finish();
        }
        Event::Store(d) => d.respond(StoreResult::default()),
        Event::Search(d) => {
            let all: Vec<Uid> = d.candidates().collect();
            d.respond(all, Some(7));
        }
        Event::Copy(d) => {
            let pairs = d.uids().iter().map(|u| (*u, uid(u.get() + 100))).collect();
            d.respond(CopyResult {
                uid_validity: uid(1),
                pairs,
            });
        }
        Event::Expunge(d) => {
            let gone = d.uids().map(|u| u.to_vec()).unwrap_or_default();
            d.respond(gone);
        }
        _ => return false,
    }
    true
}

/// Client bytes into a server session in pieces the input chooses, every event
/// answered, the clock moving: no panic, output always parses as responses.
pub fn imap_session(data: &[u8]) {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let mut config = ServerConfig::default();
    config.plaintext_auth(true).starttls(control & 1 == 1);
    config
        .limits_mut()
        .max_line(1024)
        .max_literal(2048)
        .max_command(8192);
    let mut session = ServerSession::new(config);
    // A simulated clock: only its differences matter.
    #[allow(clippy::disallowed_methods, reason = "the start of a simulated clock")]
    let mut now = Instant::now();
    let mut out = BytesMut::new();
    let chunk = usize::from(control >> 4) + 1;
    for piece in input.chunks(chunk) {
        session.handle_input(piece);
        for _ in 0..10_000 {
            session.handle_timeout(now);
            if !answer(&mut session) {
                break;
            }
        }
        now += Duration::from_secs(u64::from(control % 8) * 60);
        session.handle_timeout(now);
        let _ = session.poll_output(&mut out);
        assert!(out.len() < 16 * 1024 * 1024, "output is bounded");
    }
    let _ = session.poll_output(&mut out);
    // Everything the server said must parse with the client-side codec.
    let mut framer = Framer::for_responses(1 << 20, 1 << 24);
    framer.enqueue(&out);
    while let Some(event) = framer.poll() {
        if let FrameEvent::Frame(frame) = event {
            assert!(
                mailwright_imap::codec::parse::response(&frame).is_ok(),
                "server sent {frame:?}"
            );
        }
    }
}

/// Structured values (`arbitrary`) for commands and responses: whatever a caller
/// can build must encode to bytes that parse (unless nested deeper than the
/// parser's limits), and re-encoding what was parsed must give the same value.
pub fn imap_encode(data: &[u8]) {
    use arbitrary::{Arbitrary, Unstructured};
    use mailwright_imap::error::ParseError;

    let mut u = Unstructured::new(data);
    let Ok(command_side) = bool::arbitrary(&mut u) else {
        return;
    };
    let too_deep =
        |e: &ParseError| matches!(e, ParseError::TooDeep { .. } | ParseError::TooMany { .. });
    if command_side {
        let Ok(command) = mailwright_imap::command::Command::arbitrary(&mut u) else {
            return;
        };
        let first = mailwright_imap::codec::encode::command(&command).into_bytes();
        match mailwright_imap::codec::parse::command(&first) {
            Ok(parsed) => {
                let second = mailwright_imap::codec::encode::command(&parsed).into_bytes();
                assert_eq!(
                    mailwright_imap::codec::parse::command(&second).as_ref(),
                    Ok(&parsed),
                    "{first:?}"
                );
            }
            Err(e) if too_deep(&e) => {}
            Err(e) => panic!("{command:?} encodes to {first:?}, which does not parse: {e}"),
        }
    } else {
        let Ok(response) = mailwright_imap::response::Response::arbitrary(&mut u) else {
            return;
        };
        let mut first = Vec::new();
        mailwright_imap::codec::encode::response(&response, &mut first);
        match mailwright_imap::codec::parse::response(&first) {
            Ok(parsed) => {
                let mut second = Vec::new();
                mailwright_imap::codec::encode::response(&parsed, &mut second);
                assert_eq!(
                    mailwright_imap::codec::parse::response(&second).as_ref(),
                    Ok(&parsed),
                    "{first:?}"
                );
            }
            Err(e) if too_deep(&e) => {}
            Err(e) => panic!("{response:?} encodes to {first:?}, which does not parse: {e}"),
        }
    }
}
