//! POP3 targets: the command parser (with the line framer) and the server session.

use bytes::BytesMut;
use mailwright_pop3::codec::frame::{LineFrame, LineFramer};
use mailwright_pop3::{codec::encode, codec::parse};

/// `pop3_command`: raw bytes through the line framer, every line through the command,
/// SASL and status-line parsers; whatever parses must re-encode to bytes that parse to
/// the same value.
pub fn pop3_command(data: &[u8]) {
    let mut framer = LineFramer::new(255);
    let mut buf = BytesMut::new();
    for piece in data.chunks(61) {
        buf.extend_from_slice(piece);
        while let Some(frame) = framer.next_frame(&mut buf) {
            let LineFrame::Line(line) = frame else {
                continue;
            };
            assert!(line.len() <= 255);
            round_trip_line(&line);
        }
        assert!(buf.len() <= 255, "the framer bounds its buffer");
    }
    round_trip_line(data);
}

fn round_trip_line(line: &[u8]) {
    if let Ok(command) = parse::command(line) {
        let mut out = Vec::new();
        encode::command(&command, &mut out);
        assert_eq!(parse::command(&out).as_ref(), Ok(&command), "{out:?}");
    }
    if let Ok(response) = parse::sasl_response(line) {
        let mut out = Vec::new();
        encode::sasl_response(&response, &mut out);
        assert_eq!(parse::sasl_response(&out).as_ref(), Ok(&response));
    }
    if let Ok(status) = parse::status_line(line) {
        let mut out = Vec::new();
        encode::status_line(&status, &mut out);
        assert_eq!(parse::status_line(&out).as_ref(), Ok(&status));
    }
    let _ = parse::response_line(line);
    let _ = parse::capability(line);
    let _ = parse::scan_listing(line);
    let _ = parse::unique_id_listing(line);
}

/// `pop3_session`: raw client bytes into a server session (cut into pieces the data
/// chooses, a simulated clock advancing), every event answered; the session must never
/// panic, its output must be CRLF lines and stay bounded.
pub fn pop3_session(data: &[u8]) {
    mailwright_pop3::fuzz::server_session(data);
}
