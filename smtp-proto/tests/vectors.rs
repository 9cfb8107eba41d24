//! Replays the RFC transcripts of `tests/vectors/` (format in its README): the codec
//! round trips every command and reply byte for byte, and our server, fed the client's
//! lines, answers with the RFC server's codes in the same order and groups.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::path::PathBuf;

use bytes::BytesMut;
use mailwright_smtp::server::{Event, Protocol, ServerConfig, ServerSession};
use mailwright_smtp::{codec::encode, codec::parse};

#[derive(Debug)]
enum Step {
    /// Client bytes sent in one write.
    Client(Vec<u8>),
    /// The replies expected next, each with its lines (no CRLF).
    Server(Vec<Vec<String>>),
    Tls,
    Present(String),
    Absent(String),
}

struct Transcript {
    name: String,
    config: Vec<String>,
    steps: Vec<Step>,
}

fn load(path: &PathBuf) -> Transcript {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let first = text.lines().next().unwrap_or("");
    assert!(
        first.starts_with("# RFC "),
        "{name}: must start with its RFC and section"
    );
    let mut config = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(words) = line.strip_prefix("! config ") {
            config.extend(words.split_whitespace().map(str::to_owned));
        } else if line == "! tls" {
            steps.push(Step::Tls);
        } else if let Some(word) = line.strip_prefix("! present ") {
            steps.push(Step::Present(word.to_owned()));
        } else if let Some(word) = line.strip_prefix("! absent ") {
            steps.push(Step::Absent(word.to_owned()));
        } else if let Some(count) = line.strip_prefix("C~ ") {
            let filler: Vec<u8> = (0..count.parse::<usize>().unwrap())
                .map(|i| (i % 251) as u8)
                .collect();
            match steps.last_mut() {
                Some(Step::Client(bytes)) => bytes.extend_from_slice(&filler),
                _ => steps.push(Step::Client(filler)),
            }
        } else if let Some(rest) = line.strip_prefix("C:") {
            let mut bytes = rest.strip_prefix(' ').unwrap_or(rest).as_bytes().to_vec();
            bytes.extend_from_slice(b"\r\n");
            match steps.last_mut() {
                Some(Step::Client(client)) => client.extend_from_slice(&bytes),
                _ => steps.push(Step::Client(bytes)),
            }
        } else if let Some(reply_line) = line.strip_prefix("S: ") {
            let open = matches!(steps.last(), Some(Step::Server(replies))
                if replies.last().is_some_and(|r| r.last().is_some_and(|l| l.as_bytes().get(3) == Some(&b'-'))));
            match steps.last_mut() {
                Some(Step::Server(replies)) if open => {
                    replies.last_mut().unwrap().push(reply_line.to_owned());
                }
                Some(Step::Server(replies)) => replies.push(vec![reply_line.to_owned()]),
                _ => steps.push(Step::Server(vec![vec![reply_line.to_owned()]])),
            }
        } else {
            panic!("{name}: unknown line {line:?}");
        }
    }
    Transcript {
        name,
        config,
        steps,
    }
}

fn transcripts() -> Vec<Transcript> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "the vector files are missing");
    paths.iter().map(load).collect()
}

fn wire(reply: &[String]) -> Vec<u8> {
    reply
        .iter()
        .flat_map(|line| format!("{line}\r\n").into_bytes())
        .collect()
}

#[test]
fn commands_and_replies_round_trip_byte_for_byte() {
    let mut commands = 0;
    let mut replies = 0;
    for transcript in transcripts() {
        for step in &transcript.steps {
            match step {
                Step::Client(bytes) => {
                    for line in bytes.split_inclusive(|&b| b == b'\n') {
                        let Ok(command) = parse::command(line) else {
                            continue; // body data
                        };
                        let mut out = Vec::new();
                        encode::command(&command, &mut out);
                        assert_eq!(
                            String::from_utf8_lossy(&out),
                            String::from_utf8_lossy(line),
                            "{}",
                            transcript.name
                        );
                        commands += 1;
                    }
                }
                Step::Server(group) => {
                    for reply in group {
                        let bytes = wire(reply);
                        let parsed = parse::reply(&bytes)
                            .unwrap_or_else(|err| panic!("{}: {reply:?}: {err}", transcript.name));
                        let mut out = Vec::new();
                        encode::reply(&parsed, &mut out);
                        assert_eq!(
                            String::from_utf8_lossy(&out),
                            String::from_utf8_lossy(&bytes),
                            "{}",
                            transcript.name
                        );
                        replies += 1;
                    }
                }
                _ => {}
            }
        }
    }
    assert!(
        commands > 60 && replies > 80,
        "{commands} commands, {replies} replies"
    );
}

/// The codes of the complete replies in `out`.
fn codes(out: &[u8]) -> Vec<u16> {
    String::from_utf8_lossy(out)
        .split("\r\n")
        .filter(|line| line.len() >= 3 && line.as_bytes().get(3) != Some(&b'-'))
        .map(|line| line[..3].parse().unwrap())
        .collect()
}

fn reply_of(lines: &[String]) -> mailwright_smtp::Reply<'static> {
    parse::reply(&wire(lines)).unwrap().into_owned()
}

/// Answers the session's events as the RFC's server did: `expected` are the replies
/// of the current group, `out` what the session wrote for it so far.
fn answer(session: &mut ServerSession, expected: &[Vec<String>], out: &mut BytesMut) {
    loop {
        let _ = session.poll_output(out);
        let done = codes(out).len();
        let Some(event) = session.poll_event() else {
            return;
        };
        let next = expected.get(done).map(|lines| reply_of(lines));
        let positive = next.as_ref().is_none_or(|r| r.is_positive());
        match event {
            Event::Hello(d) => d.accept(),
            Event::MailFrom(d) if positive => d.accept(),
            Event::MailFrom(d) => d.reject(next.unwrap()),
            Event::Rcpt(d) if positive => d.respond(next.unwrap()),
            Event::Rcpt(d) => d.reject(next.unwrap()),
            Event::Verify(d) => d.respond(next.unwrap()),
            Event::MessageComplete(d) if d.is_lmtp() => {
                let count = d.envelope().recipients.len();
                let replies = expected[done..done + count]
                    .iter()
                    .map(|lines| reply_of(lines));
                d.respond_per_recipient(replies);
            }
            Event::MessageComplete(d) if positive => d.accept("x"),
            Event::MessageComplete(d) => d.reject(next.unwrap()),
            Event::StartTls => {
                let _ = session.poll_output(out);
                return;
            }
            Event::BodyChunk(_) | Event::MessageAborted(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn our_server_answers_as_the_rfc_server_did() {
    for transcript in transcripts() {
        let name = &transcript.name;
        let mut config = ServerConfig::default();
        for word in &transcript.config {
            match word.as_str() {
                "starttls" => config.starttls(true),
                "vrfy" => config.vrfy(true),
                "binarymime" => config.binarymime(true),
                "dsn" => config.dsn(true),
                "lmtp" => config.protocol(Protocol::Lmtp),
                other => panic!("{name}: unknown config {other}"),
            };
        }
        let mut session = ServerSession::new(config);
        let mut pending = Vec::new();
        let mut last_group = String::new();
        for step in &transcript.steps {
            match step {
                Step::Client(bytes) => {
                    pending = bytes.clone();
                }
                Step::Server(expected) => {
                    let mut out = BytesMut::new();
                    let mut rest = &pending[..];
                    while !rest.is_empty() {
                        let n = session.handle_input(rest);
                        rest = &rest[n..];
                        answer(&mut session, expected, &mut out);
                    }
                    pending.clear();
                    answer(&mut session, expected, &mut out);
                    let want: Vec<u16> = expected
                        .iter()
                        .map(|r| r[0][..3].parse().unwrap())
                        .collect();
                    assert_eq!(
                        codes(&out),
                        want,
                        "{name}: {}",
                        String::from_utf8_lossy(&out)
                    );
                    last_group = String::from_utf8_lossy(&out).into_owned();
                }
                Step::Tls => {
                    assert_eq!(
                        session.state(),
                        mailwright_smtp::server::State::StartTls,
                        "{name}"
                    );
                    session.tls_started();
                }
                Step::Present(word) => {
                    assert!(last_group.contains(word.as_str()), "{name}: {word} missing")
                }
                Step::Absent(word) => assert!(
                    !last_group.contains(word.as_str()),
                    "{name}: {word} present"
                ),
            }
        }
        assert!(
            session.is_closed() || transcript.name.starts_with("rfc3207"),
            "{name}: not closed"
        );
    }
}
