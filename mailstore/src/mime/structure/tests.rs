use proptest::prelude::*;

use super::*;
use crate::mime::locate::{Slice, locate};
use crate::mime::section::Section;

/// The RFC 9051 section 6.4.5 example message shape:
/// 1 text/plain, 2 application/octet-stream, 3 message/rfc822 (3.1 text/plain,
/// 3.2 application/octet-stream), 4 multipart/mixed (4.1 image/gif, 4.2 message/rfc822
/// (4.2.1 text/plain, 4.2.2 multipart/alternative (4.2.2.1 text/plain, 4.2.2.2
/// text/richtext))).
const RFC_EXAMPLE: &[u8] = b"Subject: top\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
preamble\r\n--outer\r\n\
Content-Type: text/plain\r\n\r\npart one\r\n--outer\r\n\
Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--outer\r\n\
Content-Type: message/rfc822\r\n\r\nSubject: three\r\nContent-Type: multipart/mixed; boundary=m3\r\n\r\n\
--m3\r\n\r\nthree one\r\n--m3\r\nContent-Type: application/octet-stream\r\n\r\nthree two\r\n--m3--\r\n--outer\r\n\
Content-Type: multipart/mixed; boundary=m4\r\n\r\n--m4\r\nContent-Type: image/gif\r\n\r\nGIF\r\n--m4\r\n\
Content-Type: message/rfc822\r\n\r\nSubject: four two\r\nContent-Type: multipart/mixed; boundary=m42\r\n\r\n\
--m42\r\n\r\nfour two one\r\n--m42\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n\
--alt\r\n\r\nplain\r\n--alt\r\nContent-Type: text/richtext\r\n\r\nrich\r\n--alt--\r\n--m42--\r\n--m4--\r\n--outer--\r\nepilogue\r\n";

fn bytes_of(data: &[u8], section: &str) -> Vec<u8> {
    let root = scan(data);
    let section: Section = section.parse().unwrap();
    match locate(&root, &section) {
        Slice::Range(s, e) => data[s as usize..e as usize].to_vec(),
        Slice::Fields {
            start,
            end,
            names,
            not,
        } => crate::mime::header::select(&data[start as usize..end as usize], &names, not),
        Slice::Empty => Vec::new(),
    }
}

#[test]
fn rfc_example_part_numbers() {
    let rows: &[(&str, &[u8])] = &[
        ("1", b"part one"),
        ("2", b"AAEC"),
        ("3.1", b"three one"),
        ("3.2", b"three two"),
        ("4.1", b"GIF"),
        ("4.2.1", b"four two one"),
        ("4.2.2.1", b"plain"),
        ("4.2.2.2", b"rich"),
        (
            "3.HEADER",
            b"Subject: three\r\nContent-Type: multipart/mixed; boundary=m3\r\n\r\n",
        ),
        ("4.2.HEADER.FIELDS (SUBJECT)", b"Subject: four two\r\n\r\n"),
        (
            "2.MIME",
            b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        ),
        ("4.2.2.2.MIME", b"Content-Type: text/richtext\r\n\r\n"),
        ("HEADER.FIELDS.NOT (content-type)", b"Subject: top\r\n\r\n"),
        ("1.HEADER", b""),
        ("5", b""),
        ("1.1", b""),
    ];
    for (section, expected) in rows {
        assert_eq!(
            String::from_utf8_lossy(&bytes_of(RFC_EXAMPLE, section)),
            String::from_utf8_lossy(expected),
            "BODY[{section}]"
        );
    }
    assert_eq!(bytes_of(RFC_EXAMPLE, ""), RFC_EXAMPLE);
    let text = bytes_of(RFC_EXAMPLE, "TEXT");
    assert!(text.starts_with(b"preamble") && text.ends_with(b"epilogue\r\n"));
    let three = bytes_of(RFC_EXAMPLE, "3");
    assert!(three.starts_with(b"Subject: three") && three.ends_with(b"--m3--"));
    let three_text = bytes_of(RFC_EXAMPLE, "3.TEXT");
    assert!(three_text.starts_with(b"--m3\r\n"));
}

#[test]
fn rfc_example_structure() {
    let root = scan(RFC_EXAMPLE);
    let PartKind::Multipart(parts) = &root.kind else {
        panic!("not multipart")
    };
    assert_eq!(parts.len(), 4);
    assert_eq!(
        (
            parts[0].media_type.as_str(),
            parts[0].media_subtype.as_str()
        ),
        ("text", "plain")
    );
    assert_eq!(parts[0].lines, Some(0));
    assert_eq!(parts[1].encoding, "BASE64");
    let PartKind::Message { envelope, body } = &parts[2].kind else {
        panic!("not a message")
    };
    assert_eq!(envelope.subject.as_deref(), Some(&b"three"[..]));
    assert!(body.is_multipart());
    assert_eq!(root.param("boundary"), Some("outer"));
}

#[test]
fn single_part_messages() {
    let msg = b"Subject: x\r\n\r\nhello\r\nworld\r\n";
    let root = scan(msg);
    assert_eq!(root.lines, Some(2));
    assert_eq!(root.size, 14);
    assert_eq!(bytes_of(msg, "1"), b"hello\r\nworld\r\n");
    assert_eq!(bytes_of(msg, "TEXT"), b"hello\r\nworld\r\n");
    assert_eq!(bytes_of(msg, "HEADER"), b"Subject: x\r\n\r\n");
    assert_eq!(bytes_of(msg, "1.MIME"), b"Subject: x\r\n\r\n");
    // No header at all, no body at all, LF only.
    assert_eq!(bytes_of(b"\r\nbody", "TEXT"), b"body");
    assert_eq!(bytes_of(b"Subject: x", "TEXT"), b"");
    assert_eq!(bytes_of(b"A: b\n\nbody\n", "TEXT"), b"body\n");
}

#[test]
fn broken_multiparts_degrade() {
    // No boundary parameter: one text part.
    let root = scan(b"Content-Type: multipart/mixed\r\n\r\nno parts here\r\n");
    let PartKind::Multipart(parts) = &root.kind else {
        panic!()
    };
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].media_type, "text");
    // Missing close delimiter: the last part runs to the end.
    let msg = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nunterminated";
    assert_eq!(bytes_of(msg, "1"), b"unterminated");
    // A boundary inside a line is not a delimiter.
    let msg = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx --b y\r\n--b--";
    assert_eq!(bytes_of(msg, "1"), b"x --b y");
}

#[test]
fn deep_nesting_is_cut() {
    let mut msg = Vec::new();
    for i in 0..200 {
        msg.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n").as_bytes(),
        );
    }
    msg.extend_from_slice(b"\r\ndeep\r\n");
    let root = scan(&msg);
    let mut depth = 0;
    let mut node = &root;
    while let PartKind::Multipart(parts) = &node.kind {
        depth += 1;
        node = &parts[0];
    }
    assert_eq!(depth, MAX_NESTING);
    assert_eq!(node.media_type, "application");
}

#[test]
fn many_parts_are_capped() {
    let mut msg = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
    for _ in 0..(MAX_PARTS + 100) {
        msg.extend_from_slice(b"--b\r\n\r\nx\r\n");
    }
    let root = scan(&msg);
    let PartKind::Multipart(parts) = &root.kind else {
        panic!()
    };
    assert!(parts.len() <= MAX_PARTS);
}

proptest! {
    #[test]
    fn scan_never_panics_and_offsets_hold(data in proptest::collection::vec(prop_oneof![
        any::<u8>(),
        Just(b'\n'), Just(b'\r'), Just(b'-'), Just(b'b'),
    ], 0..400)) {
        let mut msg = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
        msg.extend_from_slice(&data);
        let root = scan(&msg);
        root.walk(&mut |p| {
            assert!(p.header_start <= p.body_start && p.body_start <= p.end && p.end <= msg.len() as u64);
        });
    }

    #[test]
    fn any_section_resolves_in_bounds(path in proptest::collection::vec(1u32..4, 0..4)) {
        let root = scan(RFC_EXAMPLE);
        let section = Section::new(path.into_iter().filter_map(std::num::NonZeroU32::new).collect(), None).unwrap();
        if let Slice::Range(s, e) = locate(&root, &section) {
            prop_assert!(s <= e && e <= RFC_EXAMPLE.len() as u64);
        }
    }
}
