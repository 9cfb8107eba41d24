//! smtp-proto targets: command lines, replies, DATA/BDAT bodies, the server session.

use arbitrary::{Arbitrary, Unstructured};
use bytes::BytesMut;
use mailwright_smtp::codec::frame::{
    BareLineEndings, ChunkDecoder, DataDecoder, DataEvent, DotStuffer, Line, LineFramer,
    ReplyFrame, ReplyFramer,
};
use mailwright_smtp::server::{Event, ServerConfig, ServerSession};
use mailwright_smtp::{Command, Mechanism, Reply, ReplyCode, codec::encode, codec::parse};

/// Raw bytes through the bounded line framer into the command parser: no panic, the
/// buffer stays within the limit, whatever parses re-encodes to bytes that parse to
/// the same command. Then the same bytes as an `Arbitrary` command, which must
/// encode to bytes that parse back to it.
pub fn smtp_command(data: &[u8]) {
    let mut framer = LineFramer::new(512);
    let mut buffer = BytesMut::new();
    for piece in data.chunks(97) {
        buffer.extend_from_slice(piece);
        while let Some(line) = framer.next(&mut buffer) {
            if let Line::Complete { len } = line {
                let line = buffer.split_to(len);
                check_command(&line);
                let _ = parse::sasl_line(&line);
            }
        }
        assert!(buffer.len() < 512 + 97, "line buffer over its limit");
    }
    let mut u = Unstructured::new(data);
    if let Ok(command) = Command::arbitrary(&mut u) {
        let mut wire = Vec::new();
        encode::command(&command, &mut wire);
        assert_eq!(parse::command(&wire).as_ref(), Ok(&command), "{wire:?}");
    }
}

fn check_command(line: &[u8]) {
    if let Ok(command) = parse::command(line) {
        let mut wire = Vec::new();
        encode::command(&command, &mut wire);
        assert_eq!(parse::command(&wire), Ok(command));
    }
}

/// Raw bytes through the reply framer into the reply parser: no panic, what parses
/// re-encodes to bytes that parse the same; an `Arbitrary` reply round-trips.
pub fn smtp_reply(data: &[u8]) {
    let mut framer = ReplyFramer::new(512, 32);
    let mut buffer = BytesMut::from(data);
    while let Some(frame) = framer.next(&buffer) {
        let ReplyFrame::Complete { len } = frame else {
            break;
        };
        let frame = buffer.split_to(len);
        if let Ok(reply) = parse::reply(&frame) {
            let mut wire = Vec::new();
            encode::reply(&reply, &mut wire);
            assert_eq!(parse::reply(&wire), Ok(reply));
        }
    }
    let _ = parse::reply(data);
    let mut u = Unstructured::new(data);
    if let Ok(reply) = Reply::arbitrary(&mut u) {
        let mut wire = Vec::new();
        encode::reply(&reply, &mut wire);
        assert_eq!(parse::reply(&wire).map(Reply::into_owned), Ok(reply));
    }
}

/// DATA and BDAT body decoding: the first octet picks the piece size; the body must
/// not depend on where the input is split, chunks must never be empty, the end must
/// be exactly `<CRLF>.<CRLF>` (or `.<CRLF>` first), and our own dot-stuffing of the
/// decoded body must decode back to it.
pub fn smtp_data(data: &[u8]) {
    let Some((&step, body)) = data.split_first() else {
        return;
    };
    let step = usize::from(step % 64) + 1;
    let whole = decode(body, body.len().max(1));
    let split = decode(body, step);
    assert_eq!(whole, split, "the split changed the body");
    let (decoded, ended, consumed) = whole;
    if ended {
        let used = &body[..consumed];
        assert!(
            used == b".\r\n" || used.ends_with(b"\r\n.\r\n"),
            "ended at {used:?}"
        );
    }
    // What our client sends decodes to what it was given, normalized.
    let mut wire = Vec::new();
    let mut stuffer = DotStuffer::for_data();
    for piece in decoded.chunks(step) {
        stuffer.encode(piece, &mut wire);
    }
    stuffer.finish(&mut wire);
    let (again, ended, consumed) = decode(&wire, step);
    assert!(
        ended && consumed == wire.len(),
        "our own body did not end where it should"
    );
    let mut expected = decoded.clone();
    if !expected.is_empty() && !expected.ends_with(b"\r\n") {
        expected.extend_from_slice(b"\r\n");
    }
    assert_eq!(again, expected, "our own stuffing changed the body");
    // BDAT: a counted chunk takes exactly its count.
    let count = body.len() / 2;
    let mut chunk = ChunkDecoder::new(count as u64);
    let mut input = BytesMut::new();
    let mut taken = 0;
    for piece in body.chunks(step) {
        input.extend_from_slice(piece);
        while let Some(part) = chunk.decode(&mut input) {
            taken += part.len();
        }
    }
    assert_eq!(taken, count);
}

/// Decodes a DATA body fed in pieces: (body, ended, octets consumed).
fn decode(input: &[u8], step: usize) -> (Vec<u8>, bool, usize) {
    let mut decoder = DataDecoder::new(BareLineEndings::Normalize);
    let mut buffer = BytesMut::new();
    let mut body = Vec::new();
    let mut fed = 0;
    for piece in input.chunks(step) {
        buffer.extend_from_slice(piece);
        fed += piece.len();
        while let Some(event) = decoder.decode(&mut buffer) {
            match event {
                DataEvent::Chunk(chunk) => {
                    assert!(!chunk.is_empty());
                    body.extend_from_slice(&chunk);
                }
                DataEvent::BareLineEnding => unreachable!("normalized"),
                DataEvent::End => return (body, true, fed - buffer.len()),
            }
        }
    }
    (body, false, input.len())
}

/// Client bytes into a server session (STARTTLS, AUTH, DSN, BINARYMIME on, small
/// limits) in pieces the input chooses, every decision answered by the next input
/// bit: no panic, the input buffer bounded by the limit, output bounded per step.
pub fn smtp_session(data: &[u8]) {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let mut config = ServerConfig::default();
    config
        .starttls(true)
        .auth_mechanisms([Mechanism::PLAIN, Mechanism::LOGIN])
        .auth_requires_tls(false)
        .dsn(true)
        .binarymime(true)
        .vrfy(true);
    config
        .limits_mut()
        .max_message_size(2048)
        .max_recipients(4)
        .max_command_line(512)
        .max_pending_input(8192);
    let mut session = ServerSession::new(config);
    let step = usize::from(control % 32) + 1;
    let mut bits = control;
    let mut out = BytesMut::new();
    let mut rest = input;
    let mut rounds = 0;
    while !rest.is_empty() && !session.is_closed() {
        rounds += 1;
        assert!(rounds < 1_000_000, "no progress");
        let n = session.handle_input(&rest[..step.min(rest.len())]);
        rest = &rest[n..];
        while let Some(event) = session.poll_event() {
            bits = bits.rotate_left(1);
            let yes = bits & 1 == 1;
            let no = || Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "no");
            match event {
                Event::Hello(d) => d.accept(),
                Event::Auth(d) if yes => d.accept(),
                Event::Auth(d) => d.reject(),
                Event::MailFrom(d) if yes => d.accept(),
                Event::MailFrom(d) => d.reject(no()),
                Event::Rcpt(d) if yes => d.accept(),
                Event::Rcpt(d) => d.reject(no()),
                Event::Verify(d) => d.respond(no()),
                Event::MessageComplete(d) if yes => d.accept("id"),
                Event::MessageComplete(d) => d.reject(no()),
                Event::StartTls => {
                    session.tls_started();
                    break;
                }
                _ => {}
            }
        }
        out.clear();
        let written = session.poll_output(&mut out);
        assert!(written < 64 * 1024, "output grew to {written}");
    }
    session.handle_eof();
    while session.poll_event().is_some() {}
}
