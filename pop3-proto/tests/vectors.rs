//! Replays the RFC transcripts in `tests/vectors/` (one file per RFC section).
//!
//! Every file goes through the codec: each `C:` line parses and encodes back to the
//! same bytes, each `S:` status line parses (and capability lines round-trip). Files
//! without `# replay: codec` are also replayed through a server session: the `C:`
//! lines are sent and the session's answers must match the `S:` lines: status
//! indicators always, `STAT` and listings exactly, message bodies byte for byte
//! (`<message N>`, `<top N L>` placeholders), free text not.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod harness;

use std::fs;
use std::path::PathBuf;

use harness::{Harness, message_of_size};
use mailwright_pop3::codec::frame::BodyEncoder;
use mailwright_pop3::{ApopTimestamp, Command, ResponseLine, codec::encode, codec::parse};

#[derive(Default)]
struct Vector {
    name: String,
    codec_only: bool,
    locked: bool,
    user: String,
    password: String,
    messages: Vec<(usize, Option<String>)>,
    lines: Vec<(char, String)>,
}

fn vectors() -> Vec<Vector> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 6, "vectors found: {names:?}");
    names
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            let mut vector = Vector {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                ..Vector::default()
            };
            assert!(
                text.starts_with("# RFC "),
                "{} must start with its RFC section",
                vector.name
            );
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("# maildrop: ") {
                    let mut words = rest.split(' ');
                    vector.user = words.next().unwrap().to_owned();
                    vector.password = words.next().unwrap().to_owned();
                    for message in words {
                        let (size, uid) = match message.split_once('=') {
                            Some((size, uid)) => (size, Some(uid.to_owned())),
                            None => (message, None),
                        };
                        vector.messages.push((size.parse().unwrap(), uid));
                    }
                } else if line == "# replay: codec" {
                    vector.codec_only = true;
                } else if line == "# locked" {
                    vector.locked = true;
                } else if let Some(rest) = line.strip_prefix("C: ") {
                    vector.lines.push(('C', rest.to_owned()));
                } else if let Some(rest) = line.strip_prefix("S: ") {
                    vector.lines.push(('S', rest.to_owned()));
                } else if line == "S:" || line == "S: " {
                    vector.lines.push(('S', String::new()));
                }
            }
            vector
        })
        .collect()
}

#[test]
fn codec_replay() {
    for vector in vectors() {
        let mut previous: Option<Command<'static>> = None;
        let mut in_sasl = false;
        for (side, line) in &vector.lines {
            match side {
                'C' if in_sasl => {
                    let response = parse::sasl_response(line.as_bytes()).unwrap();
                    let mut out = Vec::new();
                    encode::sasl_response(&response, &mut out);
                    assert_eq!(out, format!("{line}\r\n").as_bytes(), "{}", vector.name);
                    in_sasl = false;
                }
                'C' => {
                    let command = parse::command(line.as_bytes())
                        .unwrap_or_else(|e| panic!("{}: {line}: {e}", vector.name));
                    let mut out = Vec::new();
                    encode::command(&command, &mut out);
                    assert_eq!(out, format!("{line}\r\n").as_bytes(), "{}", vector.name);
                    previous = Some(command.into_owned());
                }
                _ if line.starts_with("+OK") || line.starts_with("-ERR") => {
                    let status = parse::status_line(line.as_bytes()).unwrap();
                    let mut out = Vec::new();
                    encode::status_line(&status, &mut out);
                    assert_eq!(out, format!("{line}\r\n").as_bytes(), "{}", vector.name);
                }
                _ if line.starts_with('+') => {
                    in_sasl = true;
                    assert!(matches!(
                        parse::response_line(line.as_bytes()),
                        Ok(ResponseLine::Continuation(_))
                    ));
                }
                _ if line == "." || line.starts_with('<') => {}
                _ => match previous {
                    Some(Command::Capa) => {
                        let capability = parse::capability(line.as_bytes()).unwrap();
                        let mut out = Vec::new();
                        encode::capability(&capability, &mut out);
                        assert_eq!(out, format!("{line}\r\n").as_bytes());
                    }
                    Some(Command::List(None)) => {
                        parse::scan_listing(line.as_bytes()).unwrap();
                    }
                    Some(Command::Uidl(None)) => {
                        parse::unique_id_listing(line.as_bytes()).unwrap();
                    }
                    _ => {}
                },
            }
        }
    }
}

#[test]
fn session_replay() {
    let mut replayed = 0;
    for vector in vectors().into_iter().filter(|vector| !vector.codec_only) {
        replay(&vector);
        replayed += 1;
    }
    assert!(replayed >= 5);
}

fn replay(vector: &Vector) {
    let name = &vector.name;
    let mut config = Harness::plaintext_config();
    let greeting = &vector.lines[0].1;
    if let (Some(start), Some(end)) = (greeting.find('<'), greeting.find('>')) {
        config.apop(Some(
            ApopTimestamp::try_from(greeting[start..=end].to_owned()).unwrap(),
        ));
    }
    let mut harness = Harness::new(config);
    harness.user.clone_from(&vector.user);
    harness.password = vector.password.as_bytes().to_vec();
    harness.in_use = vector.locked;
    for (at, (size, uid)) in vector.messages.iter().enumerate() {
        let body = message_of_size(*size, at as u8);
        harness.messages.push((
            body,
            uid.clone().unwrap_or_else(|| format!("uid{}", at + 1)),
        ));
    }
    let bodies: Vec<Vec<u8>> = harness
        .messages
        .iter()
        .map(|(body, _)| body.clone())
        .collect();

    let mut output = harness.drive();
    let mut command: Option<Command<'static>> = None;
    let mut at = 0;
    while at < vector.lines.len() {
        let expected: Vec<&str> = vector.lines[at..]
            .iter()
            .take_while(|(side, _)| *side == 'S')
            .map(|(_, line)| line.as_str())
            .collect();
        at += expected.len();
        let actual = String::from_utf8(std::mem::take(&mut output)).unwrap();
        compare(name, command.as_ref(), &expected, &actual, &bodies);
        if let Some((_, line)) = vector.lines.get(at) {
            // A SASL response line is not a command.
            command = parse::command(line.as_bytes())
                .ok()
                .map(Command::into_owned);
            output = harness.send(format!("{line}\r\n").as_bytes());
            at += 1;
        }
    }
    assert!(output.is_empty(), "{name}: unexpected trailing output");
}

fn compare(
    name: &str,
    command: Option<&Command<'_>>,
    expected: &[&str],
    actual: &str,
    bodies: &[Vec<u8>],
) {
    let actual_lines: Vec<&str> = actual.split_terminator("\r\n").collect();
    assert!(
        actual.is_empty() || actual.ends_with("\r\n"),
        "{name}: {actual:?}"
    );
    let mut got = actual_lines.iter();
    for want in expected {
        if let Some(placeholder) = want.strip_prefix('<').and_then(|p| p.strip_suffix('>'))
            && (placeholder.starts_with("message ") || placeholder.starts_with("top "))
        {
            let words: Vec<usize> = placeholder
                .split(' ')
                .skip(1)
                .map(|word| word.parse().unwrap())
                .collect();
            let body = &bodies[words[0] - 1];
            let mut encoder = match words.get(1) {
                Some(lines) => BodyEncoder::top(*lines as u32),
                None => BodyEncoder::whole(),
            };
            let mut encoded = Vec::new();
            let _ = encoder.encode(body, &mut encoded);
            encoder.finish(&mut encoded);
            let encoded = String::from_utf8(encoded).unwrap();
            let body_lines: Vec<&str> = encoded.split_terminator("\r\n").collect();
            // The placeholder stands for every line but the final ".".
            for line in &body_lines[..body_lines.len() - 1] {
                assert_eq!(got.next(), Some(line), "{name}: body line");
            }
            continue;
        }
        let line = got
            .next()
            .unwrap_or_else(|| panic!("{name}: missing {want:?} in {actual:?}"));
        if want.starts_with("+OK") || want.starts_with("-ERR") {
            let want_status = parse::status_line(want.as_bytes()).unwrap();
            let got_status = parse::status_line(line.as_bytes()).unwrap();
            assert_eq!(
                got_status.status, want_status.status,
                "{name}: {want} vs {line}"
            );
            match command {
                Some(Command::Stat) if want_status.is_ok() => assert_eq!(
                    parse::stat(line.as_bytes()).unwrap(),
                    parse::stat(want.as_bytes()).unwrap(),
                    "{name}"
                ),
                Some(Command::List(Some(_)) | Command::Uidl(Some(_))) if want_status.is_ok() => {
                    assert_eq!(line, want, "{name}");
                }
                _ => {}
            }
        } else if want.starts_with('+') {
            assert_eq!(
                parse::response_line(line.as_bytes()).unwrap(),
                parse::response_line(want.as_bytes()).unwrap(),
                "{name}"
            );
        } else {
            assert_eq!(line, want, "{name}: data line");
        }
    }
    assert_eq!(
        got.next(),
        None,
        "{name}: extra output after {expected:?}: {actual:?}"
    );
}
