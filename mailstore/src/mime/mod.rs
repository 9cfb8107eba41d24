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
    /// The root header block (for `HEADER` search), at most `MAX_KEPT_HEADER` bytes.
    pub(crate) header: Vec<u8>,
    /// Text for the full-text index: header part and body part.
    pub(crate) header_text: String,
    pub(crate) body_text: String,
}

/// The most bytes of the root header kept in the index for header search.
pub(crate) const MAX_KEPT_HEADER: usize = 64 * 1024;

/// Scans a message and computes what the index keeps of it.
pub(crate) fn analyze(data: &[u8]) -> Analysis {
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
        structure,
        summary,
        header,
        header_text,
        body_text,
    }
}
