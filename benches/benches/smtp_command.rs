//! SMTP command parsing: smtp-proto against Stalwart's smtp-proto (crates.io 0.2.5)
//! on the 2,200 command lines of `benches/data/smtp_commands.txt`.
//!
//! * `lines`: each line already framed, parsed alone (`parse::command` against
//!   `Request::parse`);
//! * `stream`: the whole traffic as one buffer, framed and parsed (our `LineFramer`
//!   plus `parse::command` against Stalwart's `RequestReceiver::ingest`).
//!
//! Both parsers borrow from the input (no copies of addresses); ours also validates
//! every value against its ABNF and types the parameters.

use std::hint::black_box;

use bytes::{Buf, BytesMut};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mailwright_smtp::codec::frame::{Line, LineFramer};
use stalwart_smtp_proto::request::receiver::RequestReceiver;

fn parse_command(c: &mut Criterion) {
    let lines = benches::crlf_lines("smtp_commands.txt");
    let stream: Vec<u8> = lines.concat();
    // Both sides must understand the traffic: the peer parses each line too.
    for line in &lines {
        assert!(
            mailwright_smtp::codec::parse::command(line).is_ok(),
            "{:?}",
            String::from_utf8_lossy(line)
        );
        assert!(stalwart_smtp_proto::Request::parse(&mut line.iter()).is_ok());
    }
    let mut group = c.benchmark_group("smtp-proto/parse_command");
    group.throughput(Throughput::Bytes(stream.len() as u64));

    group.bench_with_input(BenchmarkId::new("ours", "lines"), &lines, |b, lines| {
        b.iter(|| {
            for line in lines {
                let _ = black_box(mailwright_smtp::codec::parse::command(black_box(line)));
            }
        });
    });
    group.bench_with_input(BenchmarkId::new("stalwart", "lines"), &lines, |b, lines| {
        b.iter(|| {
            for line in lines {
                let _ = black_box(stalwart_smtp_proto::Request::parse(
                    &mut black_box(line).iter(),
                ));
            }
        });
    });

    group.bench_with_input(BenchmarkId::new("ours", "stream"), &stream, |b, stream| {
        // The buffer is the session's input buffer, filled by reads: made outside the
        // timing, as the peer's slice is.
        b.iter_batched(
            || BytesMut::from(&stream[..]),
            |mut input| {
                let mut framer = LineFramer::new(2048);
                let mut count = 0;
                while let Some(Line::Complete { len }) = framer.next(&mut input) {
                    let _ = black_box(mailwright_smtp::codec::parse::command(&input[..len]));
                    input.advance(len);
                    count += 1;
                }
                assert_eq!(count, 2200);
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_with_input(
        BenchmarkId::new("stalwart", "stream"),
        &stream,
        |b, stream| {
            b.iter(|| {
                let mut receiver = RequestReceiver::default();
                let mut bytes = black_box(stream).iter();
                let mut count = 0;
                while let Ok(request) = receiver.ingest(&mut bytes) {
                    let _ = black_box(request);
                    count += 1;
                }
                assert_eq!(count, 2200);
            });
        },
    );
    group.finish();
}

criterion_group!(benches, parse_command);
criterion_main!(benches);
