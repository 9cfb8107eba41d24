//! imap-proto against imap-codec: parsing the client side of 20 realistic IMAP
//! sessions (`benches/data/imap_commands.txt`: LOGIN, ENABLE, LIST, SELECT,
//! UID FETCH with sections and partials, UID SEARCH, STORE, APPEND with a literal,
//! COPY, EXPUNGE, IDLE/DONE).
//!
//! Two cases, same bytes for both crates:
//! - `parse`: the 460 commands already framed (one complete command each, APPEND
//!   with its literal data), each parsed to a typed value;
//! - `frame+parse`: the whole 44,783-octet stream, framed and parsed as a server
//!   would (ours: `Framer` + `parse::command`; imap-codec: its `Fragmentizer` +
//!   `decode_message`, the path its docs recommend for servers).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::decode::Decoder;
use imap_codec::fragmentizer::Fragmentizer;
use imap_codec::{CommandCodec, IdleDoneCodec};
use mailwright_imap::codec::frame::{FrameEvent, Framer};

/// The input split into complete frames (commands with their literals, and DONE).
fn frames(input: &[u8]) -> Vec<Vec<u8>> {
    let mut framer = Framer::for_commands(1 << 20, 1 << 24);
    framer.enqueue(input);
    let mut out = Vec::new();
    while let Some(event) = framer.poll() {
        match event {
            FrameEvent::Frame(frame) => out.push(frame.to_vec()),
            FrameEvent::LiteralAnnounced(_) => framer.accept_literal(),
            other => panic!("bench input does not frame: {other:?}"),
        }
    }
    out
}

fn ours_frame(frame: &[u8]) -> bool {
    match mailwright_imap::codec::parse::command(frame) {
        Ok(command) => !black_box(command).tag.as_str().is_empty(),
        Err(_) => mailwright_imap::codec::parse::idle_done(frame).is_ok(),
    }
}

fn theirs_frame(frame: &[u8]) -> bool {
    match CommandCodec::default().decode(frame) {
        Ok((_, command)) => !black_box(command).tag.as_ref().is_empty(),
        Err(_) => IdleDoneCodec::default().decode(frame).is_ok(),
    }
}

fn parse(c: &mut Criterion) {
    let input = benches::read("imap_commands.txt");
    let frames = frames(&input);
    assert_eq!(
        frames.len(),
        460 + 20,
        "460 commands, IDLE's DONE counted apart"
    );
    assert!(
        frames.iter().all(|f| ours_frame(f)),
        "imap-proto parses every frame"
    );
    assert!(
        frames.iter().all(|f| theirs_frame(f)),
        "imap-codec parses every frame"
    );
    let mut group = c.benchmark_group("imap_command/parse");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function(BenchmarkId::new("bench-mix", "imap-proto"), |b| {
        b.iter(|| {
            for frame in &frames {
                black_box(ours_frame(black_box(frame)));
            }
        });
    });
    group.bench_function(BenchmarkId::new("bench-mix", "imap-codec"), |b| {
        b.iter(|| {
            for frame in &frames {
                black_box(theirs_frame(black_box(frame)));
            }
        });
    });
    group.finish();
}

fn ours_stream(input: &[u8]) -> usize {
    let mut framer = Framer::for_commands(64 * 1024, 1 << 24);
    framer.enqueue(input);
    let mut count = 0;
    while let Some(event) = framer.poll() {
        match event {
            FrameEvent::Frame(frame) if ours_frame(&frame) => {
                count += 1;
            }
            FrameEvent::LiteralAnnounced(_) => framer.accept_literal(),
            _ => {}
        }
    }
    count
}

fn theirs_stream(input: &[u8]) -> usize {
    let mut fragmentizer = Fragmentizer::new(1 << 24);
    fragmentizer.enqueue_bytes(input);
    let mut count = 0;
    loop {
        if fragmentizer.progress().is_none() {
            break;
        }
        if !fragmentizer.is_message_complete() {
            continue;
        }
        let ok = match fragmentizer.decode_message(&CommandCodec::default()) {
            Ok(command) => !black_box(command).tag.as_ref().is_empty(),
            Err(_) => fragmentizer
                .decode_message(&IdleDoneCodec::default())
                .is_ok(),
        };
        if ok {
            count += 1;
        }
    }
    count
}

fn frame_and_parse(c: &mut Criterion) {
    let input = benches::read("imap_commands.txt");
    assert_eq!(ours_stream(&input), 480);
    assert_eq!(theirs_stream(&input), 480);
    let mut group = c.benchmark_group("imap_command/frame+parse");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function(BenchmarkId::new("bench-stream", "imap-proto"), |b| {
        b.iter(|| black_box(ours_stream(black_box(&input))));
    });
    group.bench_function(BenchmarkId::new("bench-stream", "imap-codec"), |b| {
        b.iter(|| black_box(theirs_stream(black_box(&input))));
    });
    group.finish();
}

criterion_group!(benches, parse, frame_and_parse);
criterion_main!(benches);
