//! imap-proto against imap-codec: encoding server responses, above all FETCH
//! responses (`benches/data/imap_responses.txt`: FETCH with literals,
//! ENVELOPE, BODYSTRUCTURE, LIST, SEARCH, status responses), and parsing them as a
//! client would.
//!
//! Each crate parses the file once, outside the timing, into its own typed values;
//! the timed loop encodes those values (ours into a reused buffer, imap-codec with
//! `encode(..).dump()`, its API). Cases: every response of the file, its FETCH
//! responses, and a FETCH of 1,000 messages (the file's FETCH responses repeated).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use imap_codec::encode::Encoder;
use mailwright_imap::codec::frame::{FrameEvent, Framer};

fn frames(input: &[u8]) -> Vec<Vec<u8>> {
    let mut framer = Framer::for_responses(1 << 20, 1 << 24);
    framer.enqueue(input);
    let mut out = Vec::new();
    while let Some(event) = framer.poll() {
        match event {
            FrameEvent::Frame(frame) => out.push(frame.to_vec()),
            other => panic!("bench input does not frame: {other:?}"),
        }
    }
    out
}

type Ours = mailwright_imap::response::Response<'static>;
type Theirs = imap_codec::imap_types::response::Response<'static>;

fn is_fetch(frame: &[u8]) -> bool {
    frame.starts_with(b"* ")
        && frame.get(2).is_some_and(u8::is_ascii_digit)
        && frame.windows(7).take(20).any(|w| w == b" FETCH ")
}

struct Cases {
    name: &'static str,
    frames: Vec<Vec<u8>>,
}

fn cases() -> Vec<Cases> {
    let input = benches::read("imap_responses.txt");
    let all = frames(&input);
    assert_eq!(all.len(), 261, "COUNTS.txt says 261 responses");
    let fetch: Vec<Vec<u8>> = all.iter().filter(|f| is_fetch(f)).cloned().collect();
    let thousand: Vec<Vec<u8>> = fetch.iter().cycle().take(1000).cloned().collect();
    vec![
        Cases {
            name: "all-responses",
            frames: all,
        },
        Cases {
            name: "fetch-responses",
            frames: fetch,
        },
        Cases {
            name: "fetch-1000",
            frames: thousand,
        },
    ]
}

fn ours(frames: &[Vec<u8>]) -> Vec<Ours> {
    frames
        .iter()
        .map(|f| {
            mailwright_imap::codec::parse::response(f)
                .unwrap_or_else(|e| panic!("imap-proto refuses bench input: {e}"))
                .into_owned()
        })
        .collect()
}

fn theirs(frames: &[Vec<u8>]) -> Vec<Theirs> {
    let codec = ResponseCodec::default();
    frames
        .iter()
        .map(|f| {
            codec
                .decode_static(f)
                .unwrap_or_else(|e| panic!("imap-codec refuses bench input: {e:?}"))
                .1
        })
        .collect()
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("imap_response/encode");
    for case in cases() {
        let octets: usize = case.frames.iter().map(Vec::len).sum();
        group.throughput(Throughput::Bytes(octets as u64));
        let ours = ours(&case.frames);
        let theirs = theirs(&case.frames);
        let mut out = Vec::with_capacity(octets);
        for r in &ours {
            mailwright_imap::codec::encode::response(r, &mut out);
        }
        assert_eq!(
            out.len(),
            octets,
            "{}: imap-proto re-encodes the input byte for byte",
            case.name
        );
        group.bench_function(BenchmarkId::new(case.name, "imap-proto"), |b| {
            b.iter(|| {
                out.clear();
                for r in &ours {
                    mailwright_imap::codec::encode::response(black_box(r), &mut out);
                }
                black_box(out.len())
            });
        });
        let codec = ResponseCodec::default();
        group.bench_function(BenchmarkId::new(case.name, "imap-codec"), |b| {
            b.iter(|| {
                let mut total = 0;
                for r in &theirs {
                    total += black_box(codec.encode(black_box(r)).dump()).len();
                }
                total
            });
        });
    }
    group.finish();
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("imap_response/parse");
    let Some(case) = cases().into_iter().next() else {
        panic!("the all-responses case is missing");
    };
    let octets: usize = case.frames.iter().map(Vec::len).sum();
    group.throughput(Throughput::Bytes(octets as u64));
    group.bench_function(BenchmarkId::new(case.name, "imap-proto"), |b| {
        b.iter(|| {
            for f in &case.frames {
                let _ = black_box(mailwright_imap::codec::parse::response(black_box(f)));
            }
        });
    });
    let codec = ResponseCodec::default();
    group.bench_function(BenchmarkId::new(case.name, "imap-codec"), |b| {
        b.iter(|| {
            for f in &case.frames {
                let _ = black_box(codec.decode(black_box(f)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, encode, parse);
criterion_main!(benches);
