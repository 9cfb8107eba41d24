//! Replays the DKIM vectors of `tests/vectors/dkim/`: RFC 8463 Appendix A (the
//! published Ed25519 and RSA signatures) and variants of it, RFC 8301 and RFC 6376
//! §6.1.1 cases, and the RFC 6376 §3.4.5 canonicalization example.
//!
//! Signature files: `now:`, `dns:` (zone-file lines), `expect:` (one line per
//! signature: `result domain selector [error text]`, `-` for an absent value), then
//! `message:` (LF line endings in the file, CRLF on the wire).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::fs;
use std::path::{Path, PathBuf};

use mailwright_auth::crypto::HashAlgorithm;
use mailwright_auth::dkim::{BodyHasher, Canonicalization, DkimVerifier, canonicalize_header};
use mailwright_auth::dns::Zone;

fn vector_files(prefix: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/dkim");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".txt") && !name.starts_with(prefix)
        })
        .collect();
    files.sort();
    files
}

/// Splits a vector file into its `section:` blocks.
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines().skip(1) {
        if let Some((name, value)) = line.split_once(':')
            && [
                "now", "dns", "expect", "message", "input", "relaxed", "simple",
            ]
            .contains(&name)
            && out.last().is_none_or(|(n, _)| n != "message")
        {
            out.push((name.to_owned(), value.trim().to_owned()));
            continue;
        }
        if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

#[tokio::test]
async fn signature_vectors() {
    let mut checked = 0;
    for file in vector_files("rfc6376-3.4.5") {
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("# RFC "),
            "{}: name the RFC",
            file.display()
        );
        let parts = sections(&text);
        let get = |name: &str| &parts.iter().find(|(n, _)| n == name).unwrap().1;
        let now: u64 = get("now").parse().unwrap();
        let zone = Zone::parse(get("dns")).unwrap();
        let message = get("message").replace('\n', "\r\n");
        let results = DkimVerifier::new(zone)
            .verify(message.as_bytes(), now)
            .await;
        let expected: Vec<&str> = get("expect").lines().collect();
        assert_eq!(results.len(), expected.len(), "{}", file.display());
        for (out, line) in results.iter().zip(expected) {
            let mut words = line.splitn(4, ' ');
            let (result, domain, selector) = (
                words.next().unwrap(),
                words.next().unwrap(),
                words.next().unwrap(),
            );
            let error = words.next();
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            assert_eq!(
                (out.result.as_str(), show(&out.domain), show(&out.selector)),
                (result, domain.to_owned(), selector.to_owned()),
                "{}: {line} ({:?})",
                file.display(),
                out.error
            );
            assert_eq!(
                out.error.as_ref().map(ToString::to_string).as_deref(),
                error,
                "{}",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 14, "only {checked} signatures checked");
}

/// Turns the RFC's `<SP>`/`<HTAB>`/`<CRLF>` notation into bytes.
fn spelled(text: &str) -> Vec<u8> {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(
            &line
                .replace(' ', "")
                .replace("<SP>", " ")
                .replace("<HTAB>", "\t")
                .replace("<CRLF>", "\r\n"),
        );
    }
    out.into_bytes()
}

#[test]
fn rfc6376_canonicalization_example() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/dkim/rfc6376-3.4.5-canonicalization.txt");
    let text = fs::read_to_string(file).unwrap();
    assert!(text.starts_with("# RFC 6376 section 3.4.5"));
    let parts = sections(&text);
    let input = spelled(&parts[0].1);
    let split = input.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 2;
    let (headers, body) = (&input[..split], &input[split + 2..]);
    // Fields end at a CRLF not followed by whitespace.
    let mut fields: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    for i in 0..headers.len() - 1 {
        if &headers[i..i + 2] == b"\r\n" && !matches!(headers.get(i + 2), Some(b' ' | b'\t')) {
            fields.push(&headers[start..i + 2]);
            start = i + 2;
        }
    }
    assert_eq!(fields.len(), 2);
    for (canon, expected) in [
        (Canonicalization::Relaxed, spelled(&parts[1].1)),
        (Canonicalization::Simple, spelled(&parts[2].1)),
    ] {
        let mut out = Vec::new();
        for field in &fields {
            canonicalize_header(canon, field, &mut out);
        }
        out.extend_from_slice(b"\r\n");
        // The canonical body, checked through its hash and length.
        let mut hasher = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
        hasher.update(body);
        let got = hasher.finish();
        let expected_body = &expected[out.len()..];
        assert_eq!(&expected[..out.len()], out.as_slice(), "{canon:?} headers");
        let mut reference = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
        reference.update(expected_body);
        let reference = reference.finish();
        assert_eq!(
            got.canonical_length,
            expected_body.len() as u64,
            "{canon:?}"
        );
        assert_eq!(got.hash, reference.hash, "{canon:?}");
    }
}
