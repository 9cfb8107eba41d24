//! Replays the RFC example transcripts of `tests/vectors/` through the codec in
//! both directions.
//!
//! Each file starts with the RFC and section it comes from. `C:` lines are what a
//! client sends, `S:` lines what a server sends; a line after a literal
//! announcement carries the literal's data. Client lines are framed with the
//! command framer and parsed as commands (or as the `DONE` of IDLE, or a SASL
//! response); server lines with the response framer and parsed as responses.
//! Every value must encode to bytes that parse to the same value, and every `S:`
//! response must encode back to exactly the bytes of the RFC (`S~` marks the few
//! whose RFC spelling is not the canonical one).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::path::Path;

use mailwright_imap::codec::frame::{FrameEvent, Framer};

#[derive(Default)]
struct Stream {
    bytes: Vec<u8>,
    /// Offsets in `bytes` where a frame must re-encode to itself.
    exact: Vec<usize>,
}

fn load(path: &Path) -> (Stream, Stream) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with("# RFC "),
        "{}: must start with its RFC and section",
        path.display()
    );
    let (mut client, mut server) = (Stream::default(), Stream::default());
    for line in text.lines() {
        let (stream, exact, rest) = match line.get(..3) {
            Some("C: ") => (&mut client, false, &line[3..]),
            Some("S: ") => (&mut server, true, &line[3..]),
            Some("S~ ") => (&mut server, false, &line[3..]),
            _ if line.starts_with('#') || line.is_empty() => continue,
            _ => panic!("{}: unknown line {line:?}", path.display()),
        };
        if exact {
            stream.exact.push(stream.bytes.len());
        }
        stream.bytes.extend_from_slice(rest.as_bytes());
        stream.bytes.extend_from_slice(b"\r\n");
    }
    (client, server)
}

fn frames(mut framer: Framer, bytes: &[u8], name: &str) -> Vec<(usize, Vec<u8>)> {
    framer.enqueue(bytes);
    let mut out = Vec::new();
    let mut offset = 0;
    while let Some(event) = framer.poll() {
        match event {
            FrameEvent::Frame(frame) => {
                out.push((offset, frame.to_vec()));
                offset += frame.len();
            }
            FrameEvent::LiteralAnnounced(_) => framer.accept_literal(),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(framer.buffered(), 0, "{name}: unframed input left");
    out
}

fn replay_client(stream: &Stream, name: &str) -> usize {
    let mut count = 0;
    for (_, frame) in frames(Framer::for_commands(1 << 16, 1 << 20), &stream.bytes, name) {
        let shown = String::from_utf8_lossy(&frame);
        match mailwright_imap::codec::parse::command(&frame) {
            Ok(command) => {
                let encoded = mailwright_imap::codec::encode::command(&command).into_bytes();
                let again = mailwright_imap::codec::parse::command(&encoded).unwrap_or_else(|e| {
                    panic!("{name}: {shown:?} re-encoded to unparsable bytes: {e}")
                });
                assert_eq!(again, command, "{name}: {shown:?}");
            }
            Err(error) => {
                let other = mailwright_imap::codec::parse::idle_done(&frame).is_ok()
                    || mailwright_imap::codec::parse::authenticate_data(&frame).is_ok();
                assert!(other, "{name}: {shown:?}: {error}");
            }
        }
        count += 1;
    }
    count
}

fn replay_server(stream: &Stream, name: &str) -> usize {
    let mut count = 0;
    for (offset, frame) in frames(Framer::for_responses(1 << 16, 1 << 20), &stream.bytes, name) {
        let shown = String::from_utf8_lossy(&frame);
        let response = mailwright_imap::codec::parse::response(&frame)
            .unwrap_or_else(|e| panic!("{name}: {shown:?}: {e}"));
        let mut encoded = Vec::new();
        mailwright_imap::codec::encode::response(&response, &mut encoded);
        let again = mailwright_imap::codec::parse::response(&encoded)
            .unwrap_or_else(|e| panic!("{name}: {shown:?} re-encoded to unparsable bytes: {e}"));
        assert_eq!(again, response, "{name}: {shown:?}");
        if stream.exact.contains(&offset) {
            assert_eq!(
                String::from_utf8_lossy(&encoded),
                shown,
                "{name}: not re-encoded byte for byte"
            );
        }
        count += 1;
    }
    count
}

#[test]
fn rfc_examples_replay_in_both_directions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 19, "vector files are missing");
    let (mut commands, mut responses) = (0, 0);
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (client, server) = load(file);
        commands += replay_client(&client, &name);
        responses += replay_server(&server, &name);
    }
    assert!(
        commands >= 139 && responses >= 355,
        "{commands} commands, {responses} responses"
    );
}
