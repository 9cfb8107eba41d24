//! MIME: the structure of a stored message, its envelope, and the bytes a section
//! specifier names.
//!
//! A message is scanned once, when it is stored: [`BodyStructure`] records each part's
//! type, parameters and byte offsets, [`Envelope`] the addressing header fields. Both
//! are cached in the index, so `FETCH BODYSTRUCTURE`, `ENVELOPE` and `BODY[1.2]` never
//! parse the message again. Header fields are parsed with the `mail-parser` crate; the
//! part boundaries are found here, so that they are exact byte offsets into the stored
//! file. Scanning never fails and never panics: odd input gives defaults (RFC 2045
//! section 5.2), nesting is cut at [`MAX_NESTING`] and the part count at [`MAX_PARTS`].

pub(crate) mod cache;
pub(crate) mod decode;
mod envelope;
pub(crate) mod header;
pub(crate) mod locate;
mod section;
pub(crate) mod structure;

pub use decode::MAX_INDEXED_TEXT;
pub use envelope::{Address, Envelope};
pub(crate) use envelope::{HeaderSummary, summarize};
pub use section::{MAX_HEADER_FIELDS, MAX_PART_DEPTH, Section, SectionText};
pub use structure::{BodyStructure, Disposition, MAX_NESTING, MAX_PARTS, PartKind};

/// Everything the store computes from a message's bytes when it stores it.
#[derive(Debug, Clone)]
pub(crate) struct Analysis {
    pub(crate) structure: BodyStructure,
    pub(crate) summary: HeaderSummary,
    /// The RFC 5256 base subject, the `SORT SUBJECT` key.
    pub(crate) sort_subject: String,
    /// The root header block (for `HEADER` search), at most `MAX_KEPT_HEADER` bytes.
    pub(crate) header: Vec<u8>,
    /// Text for the full-text index: header part and body part.
    pub(crate) header_text: String,
    pub(crate) body_text: String,
    /// Why the message could not be analysed, when it could not: it is then stored
    /// and served as a plain message (see [`analyze`]).
    pub(crate) failure: Option<String>,
}

/// The version of [`analyze`]. A message whose analysis failed is recorded with the
/// version that failed, and analysed again when the store opens with a newer one (a
/// fixed bug then indexes it fully).
pub(crate) const ANALYZER_VERSION: i64 = 2;

/// The most bytes of the root header kept in the index for header search.
pub(crate) const MAX_KEPT_HEADER: usize = 64 * 1024;

/// Scans a message and computes what the index keeps of it.
///
/// Never fails and never takes the store down with it: the scan is written not to
/// panic (fuzzed, property-tested), and should a bug still panic inside it, the panic
/// is caught here and the message is described as a single `text/plain` part with an
/// empty envelope, with [`Analysis::failure`] saying what happened. The message is
/// stored all the same, served as it is, listed by `Account::unindexed`, and analysed
/// again by a later version.
pub(crate) fn analyze(data: &[u8]) -> Analysis {
    guarded(data, analyze_fully)
}

/// Runs `analyze` on `data`, turning a panic into a plain description with the panic's
/// message as the failure.
fn guarded(data: &[u8], analyze: impl FnOnce(&[u8]) -> Analysis) -> Analysis {
    // The closure only reads `data`; nothing it touches outlives a panic.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(data))) {
        Ok(analysis) => analysis,
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic without a message".to_owned());
            Analysis::plain(data, format!("message analysis failed: {reason}"))
        }
    }
}

/// [`analyze`] without the guard: a panic goes through (for the fuzz targets).
pub(crate) fn analyze_fully(data: &[u8]) -> Analysis {
    let structure = structure::scan(data);
    let header_bytes = &data[..structure.body_start as usize];
    let summary = summarize(header_bytes);
    let header = header_bytes[..header_bytes.len().min(MAX_KEPT_HEADER)].to_vec();
    let mut header_text = String::with_capacity(header.len());
    for field in header::fields(&header) {
        if !header_text.is_empty() {
            header_text.push('\n');
        }
        header_text.push_str(&String::from_utf8_lossy(&header::unfold(field.value)));
    }
    for decoded in [&summary.subject, &summary.from, &summary.to, &summary.cc] {
        header_text.push('\n');
        header_text.push_str(decoded);
    }
    let body_text = decode::indexable_text(data, &structure);
    Analysis {
        sort_subject: crate::search::base_subject(&summary.subject),
        structure,
        summary,
        header,
        header_text,
        body_text,
        failure: None,
    }
}

impl Analysis {
    /// What is kept of a message that could not be analysed: one `text/plain` part
    /// from the first empty line on, the header block for `HEADER` fetches, no
    /// envelope, no search text. Written with nothing that can panic.
    pub(crate) fn plain(data: &[u8], failure: String) -> Self {
        let body_start = structure::header_end(data, 0, data.len());
        let header = data
            .get(..body_start.min(MAX_KEPT_HEADER))
            .unwrap_or_default()
            .to_vec();
        Self {
            structure: BodyStructure::plain_text(data, body_start),
            summary: HeaderSummary::default(),
            sort_subject: String::new(),
            header,
            header_text: String::new(),
            body_text: String::new(),
            failure: Some(failure),
        }
    }
}

#[cfg(test)]
mod unicode_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_description_covers_the_message() {
        let data = b"Subject: x\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\n";
        let analysis = Analysis::plain(data, "test".to_owned());
        let s = &analysis.structure;
        assert_eq!(
            (s.media_type.as_str(), s.media_subtype.as_str()),
            ("text", "plain")
        );
        assert_eq!(s.body_start, 25);
        assert_eq!(s.end, data.len() as u64);
        assert_eq!(s.size, 16);
        assert_eq!(s.lines, Some(2));
        assert_eq!(analysis.header, b"Subject: x\r\nFrom: a@b\r\n\r\n");
        assert_eq!(analysis.failure.as_deref(), Some("test"));
        // No empty line: all header; empty input.
        assert_eq!(
            Analysis::plain(b"Subject: x", String::new())
                .structure
                .body_start,
            10
        );
        assert_eq!(Analysis::plain(b"", String::new()).structure.end, 0);
    }

    #[test]
    fn a_panicking_analysis_gives_a_plain_description() {
        let data = b"Subject: x\r\n\r\nbody\r\n";
        let analysis = guarded(data, |_| panic!("boom at byte {}", 3));
        assert_eq!(
            analysis.failure.as_deref(),
            Some("message analysis failed: boom at byte 3")
        );
        assert_eq!(analysis.structure.body_start, 14);
        assert_eq!(analysis.header, b"Subject: x\r\n\r\n");
        let fine = guarded(data, analyze_fully);
        assert_eq!(fine.failure, None);
        assert_eq!(fine.summary.subject, "x");
    }

    #[test]
    fn analysis_keeps_the_base_subject() {
        let analysis = analyze("Subject: Re: 日本語の件名テスト #2\r\n\r\nbody\r\n".as_bytes());
        assert_eq!(analysis.sort_subject, "日本語の件名テスト #2");
        assert_eq!(analysis.failure, None);
    }
}
