//! Finding the bytes a section specifier names, from the cached structure.

use super::section::{Section, SectionText};
use super::structure::{BodyStructure, PartKind};

/// Where the bytes of a section are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Slice {
    /// `data[start..end]` of the message, as stored.
    Range(u64, u64),
    /// Some fields of the header block in `data[start..end]`.
    Fields {
        start: u64,
        end: u64,
        names: Vec<String>,
        not: bool,
    },
    /// Nothing (the section names a part that does not exist, or `HEADER` of a part that
    /// is not a message): served as an empty string, as Dovecot does.
    Empty,
}

/// Resolves `section` against the structure `root` of a message (RFC 9051 section
/// 6.4.5 part numbering).
pub(crate) fn locate(root: &BodyStructure, section: &Section) -> Slice {
    let Some(node) = find_part(root, section.part()) else {
        return Slice::Empty;
    };
    // For HEADER, HEADER.FIELDS and TEXT the path must name a message: the root, or a
    // message/rfc822 part whose enclosed message is then meant.
    let message = || -> Option<&BodyStructure> {
        if section.part().is_empty() {
            return Some(root);
        }
        match &node.kind {
            PartKind::Message { body, .. } => Some(body),
            _ => None,
        }
    };
    match section.text() {
        None if section.part().is_empty() => Slice::Range(0, root.end),
        None => {
            let (s, e) = node.body_range();
            Slice::Range(s, e)
        }
        Some(SectionText::Mime) => {
            let (s, e) = node.header_range();
            Slice::Range(s, e)
        }
        Some(SectionText::Header) => message().map_or(Slice::Empty, |m| {
            let (s, e) = m.header_range();
            Slice::Range(s, e)
        }),
        Some(SectionText::Text) => message().map_or(Slice::Empty, |m| {
            let (s, e) = m.body_range();
            Slice::Range(s, e)
        }),
        Some(SectionText::HeaderFields { not, fields }) => message().map_or(Slice::Empty, |m| {
            let (start, end) = m.header_range();
            Slice::Fields {
                start,
                end,
                names: fields.clone(),
                not: *not,
            }
        }),
    }
}

/// Narrows `[start, end)` to an IMAP partial `(offset, length)`.
pub(crate) fn clip(start: u64, end: u64, partial: Option<(u64, u64)>) -> (u64, u64) {
    match partial {
        None => (start, end),
        Some((offset, len)) => {
            let s = start.saturating_add(offset).min(end);
            (s, s.saturating_add(len).min(end))
        }
    }
}

/// Where the bytes of `BINARY[part]` (RFC 3516) are, `[start, end)`, and the transfer
/// encoding to undo: a leaf's own; none (`BINARY`) for the whole message, a multipart
/// or a message part, which are served as stored. `None` when the part does not exist
/// (served as no bytes).
pub(crate) fn locate_binary<'a>(
    root: &'a BodyStructure,
    part: &[std::num::NonZeroU32],
) -> Option<(u64, u64, &'a str)> {
    let node = find_part(root, part)?;
    let (start, end) = if part.is_empty() {
        (0, root.end)
    } else {
        node.body_range()
    };
    let encoding = match node.kind {
        PartKind::Single if !part.is_empty() => node.encoding.as_str(),
        _ => "BINARY",
    };
    Some((start, end, encoding))
}

/// The part a path names. The empty path is the root. In a message (the root or an
/// enclosed one) that is not a multipart, part `1` is the message's own body.
pub(crate) fn find_part<'a>(
    root: &'a BodyStructure,
    path: &[std::num::NonZeroU32],
) -> Option<&'a BodyStructure> {
    let mut current: &BodyStructure = root;
    let mut at_message = true;
    for n in path {
        let index = n.get() as usize - 1;
        let container = match (&current.kind, at_message) {
            (PartKind::Message { body, .. }, false) => body.as_ref(),
            (_, true) => current,
            (PartKind::Multipart(_), false) => current,
            (PartKind::Single, false) => return None,
        };
        let is_message = at_message || matches!(current.kind, PartKind::Message { .. });
        current = match &container.kind {
            PartKind::Multipart(parts) => parts.get(index)?,
            _ if is_message && index == 0 => container,
            _ => return None,
        };
        at_message = false;
    }
    Some(current)
}
