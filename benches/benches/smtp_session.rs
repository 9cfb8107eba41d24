//! A whole SMTP server session through the core: EHLO, MAIL, 5 RCPT, DATA with the
//! 10 KB message of `benches/data/message_10k.eml`, QUIT; the envelope pipelined
//! as a PIPELINING client sends it. Plus a 10 MB DATA body alone.
//!
//! * ours: `ServerSession` with every decision answered (accept), body chunks
//!   collected into a `Vec`, replies drained into a `BytesMut`: the full protocol
//!   engine (ordering, limits, validation, reply batching, dot-unstuffing);
//! * stalwart: Stalwart's smtp-proto 0.2.5 has no session, so the loop a server built
//!   on it runs: `RequestReceiver` for the commands, `DataReceiver` for the body into
//!   a `Vec`, `EhloResponse`/`Response` written for each reply. No state checks.

use std::hint::black_box;
use std::sync::Arc;

use bytes::BytesMut;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mailwright_smtp::codec::frame::{BareLineEndings, DataDecoder, DataEvent, DotStuffer};
use mailwright_smtp::server::{Event, ServerConfig, ServerSession};
use stalwart_smtp_proto::request::receiver::{DataReceiver, RequestReceiver};
use stalwart_smtp_proto::{EhloResponse, Error, Request, Response};

/// The client's writes: EHLO; MAIL + 5 RCPT + DATA; the stuffed body with its dot;
/// QUIT.
fn session_input(message: &[u8]) -> Vec<Vec<u8>> {
    let mut envelope = b"MAIL FROM:<alice.smith@example.com> SIZE=10235 BODY=8BITMIME\r\n".to_vec();
    for i in 0..5 {
        envelope.extend_from_slice(format!("RCPT TO:<user{i}@example.org>\r\n").as_bytes());
    }
    envelope.extend_from_slice(b"DATA\r\n");
    vec![
        b"EHLO smtp-out.example.com\r\n".to_vec(),
        envelope,
        stuffed(message),
        b"QUIT\r\n".to_vec(),
    ]
}

fn stuffed(message: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(message.len() + 1024);
    let mut stuffer = DotStuffer::for_data();
    stuffer.encode(message, &mut body);
    stuffer.finish(&mut body);
    body
}

fn ours(config: &Arc<ServerConfig>, pieces: &[Vec<u8>]) -> usize {
    let mut session = ServerSession::new(Arc::clone(config));
    let mut out = BytesMut::with_capacity(4096);
    let mut body = Vec::with_capacity(16 * 1024);
    let mut stored = 0;
    for piece in pieces {
        let mut rest = &piece[..];
        while !rest.is_empty() {
            let taken = session.handle_input(rest);
            rest = &rest[taken..];
            while let Some(event) = session.poll_event() {
                match event {
                    Event::Hello(d) => d.accept(),
                    Event::MailFrom(d) => d.accept(),
                    Event::Rcpt(d) => d.accept(),
                    Event::BodyChunk(chunk) => body.extend_from_slice(&chunk),
                    Event::MessageComplete(d) => {
                        stored = body.len();
                        d.accept("4Fh2kT0qZ9z8");
                    }
                    _ => {}
                }
            }
        }
        let _ = session.poll_output(&mut out);
        out.clear();
    }
    assert!(session.is_closed());
    stored
}

fn stalwart(pieces: &[Vec<u8>]) -> usize {
    let mut receiver = RequestReceiver::default();
    let mut data: Option<DataReceiver> = None;
    let mut out = Vec::with_capacity(4096);
    let mut body = Vec::with_capacity(16 * 1024);
    let mut stored = 0;
    for piece in pieces {
        let mut bytes = piece.iter();
        loop {
            if let Some(receiver) = &mut data {
                if !receiver.ingest(&mut bytes, &mut body) {
                    break;
                }
                data = None;
                stored = body.len();
                let _ = Response::new(250, 2, 0, 0, "OK queued as 4Fh2kT0qZ9z8").write(&mut out);
                continue;
            }
            match receiver.ingest(&mut bytes) {
                Ok(Request::Ehlo { .. }) => {
                    let mut ehlo = EhloResponse::new("mx1.example.org");
                    ehlo.capabilities = stalwart_smtp_proto::EXT_PIPELINING
                        | stalwart_smtp_proto::EXT_8BIT_MIME
                        | stalwart_smtp_proto::EXT_SMTP_UTF8
                        | stalwart_smtp_proto::EXT_ENHANCED_STATUS_CODES
                        | stalwart_smtp_proto::EXT_CHUNKING
                        | stalwart_smtp_proto::EXT_SIZE;
                    ehlo.size = 50 * 1024 * 1024;
                    let _ = ehlo.write(&mut out);
                }
                Ok(Request::Mail { .. }) => {
                    let _ = Response::new(250, 2, 1, 0, "sender OK").write(&mut out);
                }
                Ok(Request::Rcpt { .. }) => {
                    let _ = Response::new(250, 2, 1, 5, "recipient OK").write(&mut out);
                }
                Ok(Request::Data) => {
                    let _ = Response::new(354, 0, 0, 0, "end data with <CR><LF>.<CR><LF>")
                        .write(&mut out);
                    data = Some(DataReceiver::new());
                }
                Ok(Request::Quit) => {
                    let _ = Response::new(221, 2, 0, 0, "closing connection").write(&mut out);
                }
                Ok(_) => {}
                Err(Error::NeedsMoreData { .. }) => break,
                Err(_) => {}
            }
        }
        out.clear();
    }
    stored
}

fn whole_session(c: &mut Criterion) {
    let message = benches::read("message_10k.eml");
    let pieces = session_input(&message);
    let config = Arc::new(ServerConfig::default());
    // Both store the same body.
    let expected = stuffed(&message).len();
    assert!(ours(&config, &pieces) > 10_000 && ours(&config, &pieces) < expected);
    assert_eq!(ours(&config, &pieces), stalwart(&pieces));

    let mut group = c.benchmark_group("smtp-proto/session");
    group.throughput(Throughput::Bytes(
        pieces.iter().map(Vec::len).sum::<usize>() as u64,
    ));
    group.bench_with_input(
        BenchmarkId::new("ours", "10k-5rcpt"),
        &pieces,
        |b, pieces| {
            b.iter(|| black_box(ours(&config, black_box(pieces))));
        },
    );
    group.bench_with_input(
        BenchmarkId::new("stalwart", "10k-5rcpt"),
        &pieces,
        |b, pieces| {
            b.iter(|| black_box(stalwart(black_box(pieces))));
        },
    );
    group.finish();
}

/// A 10 MB body (the 10 KB message a thousand times) through the DATA decoders, fed
/// in 64 KiB reads.
fn large_body(c: &mut Criterion) {
    let message = benches::read("message_10k.eml");
    let body = stuffed(&message.repeat(1000));
    let mut group = c.benchmark_group("smtp-proto/data");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(20);
    group.bench_with_input(BenchmarkId::new("ours", "10MB"), &body, |b, body| {
        b.iter(|| {
            let mut decoder = DataDecoder::new(BareLineEndings::Normalize);
            let mut input = BytesMut::with_capacity(128 * 1024);
            let mut total = 0;
            'reads: for read in body.chunks(64 * 1024) {
                input.extend_from_slice(read);
                while let Some(event) = decoder.decode(&mut input) {
                    match event {
                        DataEvent::Chunk(chunk) => total += black_box(chunk).len(),
                        DataEvent::End => break 'reads,
                        DataEvent::BareLineEnding => {}
                    }
                }
            }
            total
        });
    });
    group.bench_with_input(BenchmarkId::new("stalwart", "10MB"), &body, |b, body| {
        b.iter(|| {
            let mut receiver = DataReceiver::new();
            let mut out = Vec::with_capacity(64 * 1024);
            let mut total = 0;
            for read in body.chunks(64 * 1024) {
                let done = receiver.ingest(&mut read.iter(), &mut out);
                total += black_box(&out).len();
                out.clear();
                if done {
                    break;
                }
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, whole_session, large_body);
criterion_main!(benches);
