//! Entry points for the fuzz targets (private feature `__fuzz`; not a stable API).

use crate::mime::locate::{Slice, locate};
use crate::mime::{Section, cache, header, structure};

/// Scans a message as an append does (structure, envelope, search texts, sort keys and
/// the base subject), encodes and decodes the cached forms, and resolves sections
/// against it. The store's guard against a panicking analysis is left out, so that a
/// panic reaches the fuzzer. Panics on a broken invariant: offsets out of bounds, cache
/// round trip mismatch, a base subject that is not a fixed point.
pub fn message(data: &[u8]) {
    let analysis = crate::mime::analyze_fully(data);
    let base = &analysis.sort_subject;
    assert_eq!(&crate::search::base_subject(base), base);
    // The same bytes as a subject on their own (the header parser decodes most of
    // them away).
    let text = String::from_utf8_lossy(data);
    let base = crate::search::base_subject(&text);
    assert_eq!(crate::search::base_subject(&base), base);
    let root = &analysis.structure;
    root.walk(&mut |p| {
        assert!(
            p.header_start <= p.body_start && p.body_start <= p.end && p.end <= data.len() as u64
        );
    });
    assert_eq!(
        cache::decode_structure(&cache::encode_structure(root)).as_ref(),
        Some(root)
    );
    let envelope = &analysis.summary.envelope;
    assert_eq!(
        cache::decode_envelope(&cache::encode_envelope(envelope)).as_ref(),
        Some(envelope)
    );
    for text in [
        "",
        "1",
        "2",
        "1.1",
        "2.1.MIME",
        "TEXT",
        "HEADER",
        "1.HEADER.FIELDS (From Subject)",
    ] {
        if let Ok(section) = text.parse::<Section>() {
            match locate(root, &section) {
                Slice::Range(s, e) => assert!(s <= e && e <= data.len() as u64),
                Slice::Fields {
                    start,
                    end,
                    names,
                    not,
                } => {
                    let _ = header::select(&data[start as usize..end as usize], &names, not);
                }
                Slice::Empty => {}
            }
        }
    }
    let _ = structure::header_end(data, 0, data.len());
}

/// Parses a section specifier; what parses re-encodes to text that parses to the same.
pub fn section(data: &[u8]) {
    if let Ok(section) = Section::try_from(data) {
        let text = section.to_string();
        assert_eq!(
            text.parse::<Section>().ok().as_ref(),
            Some(&section),
            "{text}"
        );
    }
}

/// Parses a Maildir file name; its `cur/` form parses back to the same base and flags.
pub fn maildir_name(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(name) = crate::maildir::MaildirName::parse(text) {
        let again = crate::maildir::MaildirName::parse(&name.to_cur_name());
        let again = again.as_ref();
        assert_eq!(again.map(|n| n.base()), Some(name.base()));
        assert_eq!(
            again.map(crate::maildir::MaildirName::system_bits),
            Some(name.system_bits())
        );
    }
}
