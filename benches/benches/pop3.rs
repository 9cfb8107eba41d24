//! pop3-proto: command parsing, and a RETR of a 1 MB message through the sans-IO core.
//!
//! There is no POP3 server crate to set beside ours (the sessions/s comparison with
//! Dovecot's pop3 comes with the reference server); the figures are absolute.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mailwright_pop3::codec::frame::BodyEncoder;
use mailwright_pop3::maildrop::MessageInfo;
use mailwright_pop3::server::{Event, ServerConfig, ServerSession};
use mailwright_pop3::{UniqueId, codec::parse};

/// The client side of RFC 1939's examples plus the extensions, as one would see them
/// from a mail client's session.
const COMMANDS: &[&[u8]] = &[
    b"CAPA\r\n",
    b"USER mrose\r\n",
    b"PASS tanstaaf\r\n",
    b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
    b"AUTH PLAIN AHRlc3QAdGVzdA==\r\n",
    b"STAT\r\n",
    b"LIST\r\n",
    b"LIST 2\r\n",
    b"UIDL\r\n",
    b"UIDL 2\r\n",
    b"RETR 1\r\n",
    b"TOP 1 10\r\n",
    b"DELE 1\r\n",
    b"NOOP\r\n",
    b"RSET\r\n",
    b"QUIT\r\n",
];

fn command_parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("pop3-proto/parse_command");
    let octets: usize = COMMANDS.iter().map(|line| line.len()).sum();
    group.throughput(Throughput::Bytes(octets as u64));
    group.bench_function(BenchmarkId::new("rfc1939-mix", "ours"), |b| {
        b.iter(|| {
            for line in COMMANDS {
                let _ = black_box(parse::command(black_box(line)));
            }
        });
    });
    group.finish();
}

/// A 1 MB message of 78-octet CRLF lines, every 40th starting with a dot.
fn message(size: usize) -> Vec<u8> {
    let mut body = b"From: a@example.org\r\nSubject: bench\r\n\r\n".to_vec();
    let mut line = 0;
    while body.len() < size {
        let text = if line % 40 == 0 {
            format!(".{line:07} {}\r\n", "x".repeat(68))
        } else {
            format!("{line:08} {}\r\n", "y".repeat(67))
        };
        body.extend_from_slice(text.as_bytes());
        line += 1;
    }
    body.truncate(size);
    body
}

fn retr(c: &mut Criterion) {
    const CHUNK: usize = 64 * 1024;
    let body = message(1024 * 1024);
    let mut group = c.benchmark_group("pop3-proto/retr");
    group.throughput(Throughput::Bytes(body.len() as u64));

    // The dot-stuffing encoder alone.
    group.bench_function(BenchmarkId::new("body-encoder-1MB", "ours"), |b| {
        let mut out = BytesMut::with_capacity(2 * CHUNK);
        b.iter(|| {
            let mut encoder = BodyEncoder::whole();
            for chunk in body.chunks(CHUNK) {
                let _ = encoder.encode(black_box(chunk), &mut out);
                out.clear();
            }
            encoder.finish(&mut out);
            out.clear();
        });
    });

    // The whole core: a logged-in session answers RETR 1, streams the message in
    // 64 KiB chunks and the output is drained after each, as the tokio driver does.
    group.bench_function(BenchmarkId::new("session-1MB", "ours"), |b| {
        let Ok(uid) = UniqueId::try_from("m1") else {
            return;
        };
        let info = MessageInfo::new(body.len() as u64, uid);
        let mut config = ServerConfig::default();
        config.plaintext_without_tls(true);
        let mut out = BytesMut::with_capacity(2 * CHUNK);
        b.iter(|| {
            let mut session = ServerSession::new(config.clone());
            session.handle_input(b"USER mrose\r\nPASS tanstaaf\r\nRETR 1\r\n");
            if let Some(Event::Login(login)) = session.poll_event() {
                login.accept(vec![info.clone()]);
            }
            if let Some(Event::Retrieve(retrieve)) = session.poll_event() {
                retrieve.accept();
            }
            for chunk in body.chunks(CHUNK) {
                let _ = session.handle_body(black_box(chunk));
                let _ = session.poll_output(&mut out);
                out.clear();
            }
            let _ = session.finish_body();
            let _ = session.poll_output(&mut out);
            black_box(out.len());
            out.clear();
        });
    });
    group.finish();
}

criterion_group!(benches, command_parsing, retr);
criterion_main!(benches);
