//! Canonicalization (RFC 6376 §3.4) and the streaming body hash.
//!
//! The body is fed in chunks of any size through [`BodyHasher::update`]; only a
//! count of pending empty lines and one pending whitespace flag are kept between
//! chunks, so no copy of the body is ever needed. Runs of ordinary bytes go to the
//! digest whole (found with `memchr`).

use std::sync::LazyLock;

use crate::crypto::{HashAlgorithm, HashContext};

/// A canonicalization algorithm (`c=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Canonicalization {
    /// `simple`: almost no change (RFC 6376 §3.4.1, §3.4.3).
    Simple,
    /// `relaxed`: whitespace and case folded (RFC 6376 §3.4.2, §3.4.4).
    Relaxed,
}

impl Canonicalization {
    /// `simple` or `relaxed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Relaxed => "relaxed",
        }
    }

    /// The algorithm of a `c=` part, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("simple") {
            Some(Self::Simple)
        } else if name.eq_ignore_ascii_case("relaxed") {
            Some(Self::Relaxed)
        } else {
            None
        }
    }
}

/// Appends the canonical form of one header field (`name:value` with its CRLF, as
/// it appears in the message) to `out`.
///
/// Relaxed: name lower-cased, value unfolded, runs of WSP made one SP, WSP around
/// the colon and at the end removed, then CRLF.
pub fn canonicalize_header(canon: Canonicalization, field: &[u8], out: &mut Vec<u8>) {
    match canon {
        Canonicalization::Simple => out.extend_from_slice(field),
        Canonicalization::Relaxed => {
            let Some(colon) = field.iter().position(|&b| b == b':') else {
                return;
            };
            let name = &field[..colon];
            let name_end = name.iter().rposition(|b| !is_wsp(*b)).map_or(0, |i| i + 1);
            out.extend(name[..name_end].iter().map(u8::to_ascii_lowercase));
            out.push(b':');
            let mut pending_space = false;
            let mut started = false;
            for &b in &field[colon + 1..] {
                match b {
                    b'\r' | b'\n' => {}
                    b' ' | b'\t' => pending_space = started,
                    _ => {
                        if pending_space {
                            out.push(b' ');
                            pending_space = false;
                        }
                        started = true;
                        out.push(b);
                    }
                }
            }
            out.extend_from_slice(b"\r\n");
        }
    }
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The body hash (`bh=`) computed over chunks of the body as they arrive.
///
/// ```
/// use mailwright_auth::crypto::HashAlgorithm;
/// use mailwright_auth::dkim::{BodyHasher, Canonicalization};
///
/// let mut whole = BodyHasher::new(Canonicalization::Relaxed, HashAlgorithm::Sha256, None);
/// whole.update(b"Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n");
/// let mut chunked = BodyHasher::new(Canonicalization::Relaxed, HashAlgorithm::Sha256, None);
/// for chunk in b"Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n".chunks(3) {
///     chunked.update(chunk);
/// }
/// assert_eq!(whole.finish().hash, chunked.finish().hash);
/// ```
#[derive(Clone, Debug)]
pub struct BodyHasher {
    canon: Canonicalization,
    hash: HashContext,
    limit: Option<u64>,
    /// Canonical bytes produced so far (hashed or not).
    length: u64,
    /// Empty lines seen and not yet emitted (they vanish if the body ends).
    pending_lines: u64,
    /// Relaxed: whitespace seen on the current line, not yet emitted.
    pending_space: bool,
    /// A CR seen at the end of the last chunk, not yet known to start a CRLF.
    pending_cr: bool,
    /// The current line has content.
    line_started: bool,
    /// Any content at all was emitted.
    any_content: bool,
    buffer: Vec<u8>,
}

/// The finished body hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyHash {
    /// The digest of the canonical body (up to the limit).
    pub hash: Vec<u8>,
    /// The length of the whole canonical body.
    pub canonical_length: u64,
}

impl BodyHasher {
    /// A hasher for `canon` and `hash`, hashing at most `limit` canonical bytes
    /// (the signature's `l=`).
    pub fn new(canon: Canonicalization, hash: HashAlgorithm, limit: Option<u64>) -> Self {
        Self {
            canon,
            hash: HashContext::new(hash),
            limit,
            length: 0,
            pending_lines: 0,
            pending_space: false,
            pending_cr: false,
            line_started: false,
            any_content: false,
            buffer: Vec::with_capacity(BUFFER + 256),
        }
    }

    /// Feeds the next chunk of the body (CRLF line endings).
    pub fn update(&mut self, mut chunk: &[u8]) {
        while let Some(&first) = chunk.first() {
            if self.pending_cr {
                self.pending_cr = false;
                if first == b'\n' {
                    self.end_line();
                    chunk = &chunk[1..];
                    continue;
                }
                self.content(b"\r");
            }
            // The run of ordinary bytes up to the next CR (or WSP when relaxed) is
            // copied in one piece. Relaxed runs are short (words), so a plain scan
            // beats a vectorised search there.
            let run = match self.canon {
                Canonicalization::Simple => memchr::memchr(b'\r', chunk).unwrap_or(chunk.len()),
                Canonicalization::Relaxed => relaxed_run(chunk, self.pending_space),
            };
            if run > 0 {
                self.content(&chunk[..run]);
                chunk = &chunk[run..];
                continue;
            }
            match first {
                b'\r' => self.pending_cr = true,
                _ => self.pending_space = true, // relaxed WSP
            }
            chunk = &chunk[1..];
        }
    }

    /// Ends the body and gives the hash.
    pub fn finish(mut self) -> BodyHash {
        if self.pending_cr {
            self.pending_cr = false;
            self.content(b"\r");
        }
        if self.any_content {
            // The last line ends with exactly one CRLF; trailing empty lines vanish.
            self.emit(b"\r\n");
        } else if self.canon == Canonicalization::Simple {
            // An empty body is one CRLF in simple canonicalization.
            self.emit(b"\r\n");
        }
        self.flush();
        BodyHash {
            hash: self.hash.finish(),
            canonical_length: self.length,
        }
    }

    /// Content bytes (non-empty, no line break): first the line breaks and the
    /// whitespace held back, then the bytes.
    fn content(&mut self, bytes: &[u8]) {
        if self.pending_lines > 0 || (self.any_content && !self.line_started) {
            // The previous line ended: its CRLF, then the empty lines held back.
            let lines = self.pending_lines + u64::from(self.any_content && !self.line_started);
            for _ in 0..lines {
                self.emit(b"\r\n");
            }
            self.pending_lines = 0;
        }
        if self.pending_space {
            self.pending_space = false;
            self.emit(b" ");
        }
        self.line_started = true;
        self.any_content = true;
        self.emit(bytes);
    }

    fn end_line(&mut self) {
        self.pending_space = false;
        if self.line_started {
            self.line_started = false;
        } else {
            self.pending_lines += 1;
        }
    }

    fn emit(&mut self, bytes: &[u8]) {
        let start = self.length;
        self.length += bytes.len() as u64;
        let take = match self.limit {
            None => bytes.len(),
            Some(limit) => usize::try_from(limit.saturating_sub(start))
                .unwrap_or(usize::MAX)
                .min(bytes.len()),
        };
        self.buffer.extend_from_slice(&bytes[..take]);
        if self.buffer.len() >= BUFFER {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.hash.update(&self.buffer);
        self.buffer.clear();
    }
}

/// The length of the prefix of `chunk` that relaxed canonicalization leaves as it
/// is: up to a CR, a TAB, or a SP that is not a lone space between two words (one
/// followed by WSP or CR, or the last byte of the chunk). A leading SP when a space
/// is already pending is not verbatim either.
fn relaxed_run(chunk: &[u8], pending_space: bool) -> usize {
    if pending_space && matches!(chunk.first(), Some(b' ')) {
        return 0;
    }
    // Hard stops (CR, TAB) and the first double space, found with SIMD searches, so
    // a line of words separated by single spaces is one run.
    let hard = memchr::memchr2(b'\r', b'\t', chunk).unwrap_or(chunk.len());
    let mut end = DOUBLE_SPACE.find(&chunk[..hard]).unwrap_or(hard);
    // A space just before a stop (or the end of the chunk) is not verbatim.
    if end > 0 && chunk[end - 1] == b' ' {
        end -= 1;
    }
    end
}

/// A searcher for two spaces, built once.
static DOUBLE_SPACE: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"  "));

/// Canonical bytes are collected up to this many before going to the digest (one
/// digest call per word would cost more than the copy).
const BUFFER: usize = 8192;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Checks that `body` canonicalizes to `expected`: the same digest and length as
    /// hashing `expected` itself, fed whole and byte by byte.
    fn expect(canon: Canonicalization, body: &[u8], expected: &[u8]) {
        let mut direct = HashContext::new(HashAlgorithm::Sha256);
        direct.update(expected);
        let wanted = BodyHash {
            hash: direct.finish(),
            canonical_length: expected.len() as u64,
        };
        let mut whole = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
        whole.update(body);
        let mut bytewise = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
        for b in body {
            bytewise.update(std::slice::from_ref(b));
        }
        let shown = String::from_utf8_lossy(body);
        assert_eq!(whole.finish(), wanted, "{canon:?} {shown:?}");
        assert_eq!(
            bytewise.finish(),
            wanted,
            "{canon:?} {shown:?} byte by byte"
        );
    }

    /// RFC 6376 §3.4.5 example.
    #[test]
    fn rfc6376_section_3_4_5_example() {
        let headers: [&[u8]; 2] = [b"A: X\r\n", b"B : Y\t\r\n\tZ  \r\n"];
        let body = b" C \r\nD \t E\r\n\r\n\r\n";
        let mut relaxed = Vec::new();
        let mut simple = Vec::new();
        for field in headers {
            canonicalize_header(Canonicalization::Relaxed, field, &mut relaxed);
            canonicalize_header(Canonicalization::Simple, field, &mut simple);
        }
        assert_eq!(relaxed, b"a:X\r\nb:Y Z\r\n");
        assert_eq!(simple, b"A: X\r\nB : Y\t\r\n\tZ  \r\n");
        expect(Canonicalization::Relaxed, body, b" C\r\nD E\r\n");
        expect(Canonicalization::Simple, body, b" C \r\nD \t E\r\n");
    }

    #[test]
    fn body_edge_cases() {
        use Canonicalization::{Relaxed, Simple};
        let cases: &[(Canonicalization, &[u8], &[u8])] = &[
            (Simple, b"", b"\r\n"),
            (Relaxed, b"", b""),
            (Simple, b"\r\n\r\n", b"\r\n"),
            (Relaxed, b"\r\n \r\n\t\r\n", b""),
            (Simple, b"abc", b"abc\r\n"),
            (Relaxed, b"abc  ", b"abc\r\n"),
            (Simple, b"a\r\n\r\nb\r\n\r\n", b"a\r\n\r\nb\r\n"),
            (Relaxed, b"a \r\n \r\nb", b"a\r\n\r\nb\r\n"),
            (Simple, b"a\rb\r", b"a\rb\r\r\n"),
            (Relaxed, b"a\r \r\n", b"a\r\r\n"),
            (Simple, b" \r\n", b" \r\n"),
            (
                Relaxed,
                b"\xc3\xa9t\xc3\xa9\t\t8bit\r\n",
                b"\xc3\xa9t\xc3\xa9 8bit\r\n",
            ),
        ];
        for (canon, body, expected) in cases {
            expect(*canon, body, expected);
        }
    }

    #[test]
    fn length_limit_counts_canonical_bytes() {
        let mut limited = BodyHasher::new(Canonicalization::Simple, HashAlgorithm::Sha256, Some(5));
        limited.update(b"abc\r\ndef\r\n");
        let limited = limited.finish();
        let mut raw = HashContext::new(HashAlgorithm::Sha256);
        raw.update(b"abc\r\n");
        assert_eq!(limited.hash, raw.finish());
        assert_eq!(limited.canonical_length, 10);
    }

    proptest! {
        #[test]
        fn any_chunking_gives_the_same_hash(
            body in proptest::collection::vec(prop_oneof![
                Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'\t'), Just(b'a'), any::<u8>()
            ], 0..200),
            split in any::<usize>(),
            relaxed in any::<bool>(),
        ) {
            let canon = if relaxed { Canonicalization::Relaxed } else { Canonicalization::Simple };
            let mut whole = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
            whole.update(&body);
            let cut = if body.is_empty() { 0 } else { split % body.len() };
            let mut parts = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
            parts.update(&body[..cut]);
            parts.update(&body[cut..]);
            prop_assert_eq!(whole.finish(), parts.finish());
        }

        #[test]
        fn relaxed_headers_with_unicode_are_normalized(
            name in "[A-Za-z-]{1,10}|Jöhn|Тема|\\PC{1,6}",
            name_wsp in "[ \t]{0,2}",
            parts in proptest::collection::vec(prop_oneof![
                Just(" ".to_owned()), Just("\t".to_owned()), Just("\r\n ".to_owned()),
                Just("\r\n\t".to_owned()), Just(":".to_owned()),
                Just("日本語の件名テスト #2".to_owned()), Just("\"Jöhn\" <x@bücher.test>".to_owned()),
                Just("=?UTF-8?Q?J=C3=B6rg?=".to_owned()), Just("Привет".to_owned()),
                "\\PC{1,8}",
            ], 0..12),
        ) {
            prop_assume!(!name.contains(':') && !name.contains(['\r', '\n']));
            let value = parts.concat();
            let field = format!("{name}{name_wsp}:{value}\r\n");
            let mut simple = Vec::new();
            canonicalize_header(Canonicalization::Simple, field.as_bytes(), &mut simple);
            prop_assert_eq!(&simple, field.as_bytes());
            let mut relaxed = Vec::new();
            canonicalize_header(Canonicalization::Relaxed, field.as_bytes(), &mut relaxed);
            // One line: lower-cased name, colon, the value's non-WSP bytes (UTF-8
            // kept whole) with single spaces between, CRLF.
            let text = std::str::from_utf8(&relaxed).unwrap();
            let body = text.strip_suffix("\r\n").unwrap();
            prop_assert!(!body.contains(['\r', '\n', '\t']) && !body.contains("  "));
            let (out_name, out_value) = body.split_once(':').unwrap();
            let expected_name = name.trim_end_matches([' ', '\t']).to_ascii_lowercase();
            prop_assert_eq!(out_name, expected_name.as_str());
            prop_assert!(!out_value.starts_with(' ') && !out_value.ends_with(' '));
            let words: Vec<&str> = value.split([' ', '\t', '\r', '\n']).filter(|w| !w.is_empty()).collect();
            prop_assert_eq!(out_value, words.join(" "));
            // Relaxed is idempotent.
            let mut again = Vec::new();
            canonicalize_header(Canonicalization::Relaxed, &relaxed, &mut again);
            prop_assert_eq!(again, relaxed);
        }

        #[test]
        fn body_length_limit_cuts_unicode_bodies_anywhere(
            body in proptest::collection::vec(prop_oneof![
                Just("\r\n".to_owned()), Just(" ".to_owned()), Just("\t".to_owned()),
                Just("日本語の件名テスト #2".to_owned()), Just("Привет".to_owned()), "\\PC{1,8}",
            ], 0..30),
            limit in 0u64..200,
            split in any::<usize>(),
            relaxed in any::<bool>(),
        ) {
            // l= counts octets: a limit may end inside a multi-byte character, and a
            // chunk may too.
            let body = body.concat().into_bytes();
            let canon = if relaxed { Canonicalization::Relaxed } else { Canonicalization::Simple };
            let mut full = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
            full.update(&body);
            let full = full.finish();
            let cut = if body.is_empty() { 0 } else { split % body.len() };
            let mut limited = BodyHasher::new(canon, HashAlgorithm::Sha256, Some(limit));
            limited.update(&body[..cut]);
            limited.update(&body[cut..]);
            let limited = limited.finish();
            prop_assert_eq!(limited.canonical_length, full.canonical_length);
            if limit >= full.canonical_length {
                prop_assert_eq!(&limited.hash, &full.hash);
            }
            if limit == 0 {
                prop_assert_eq!(limited.hash, HashContext::new(HashAlgorithm::Sha256).finish());
            }
        }
    }
}
