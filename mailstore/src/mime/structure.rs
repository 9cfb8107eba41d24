//! The MIME structure of a message: BODYSTRUCTURE data plus where each part lies.

use mail_parser::{HeaderName, HeaderValue, MessageParser};

use super::envelope::{Envelope, MAX_PARSED_HEADER, summarize};

/// The deepest nesting of multiparts and message/rfc822 parts that is followed; deeper
/// parts are kept as one opaque `application/octet-stream` part.
pub const MAX_NESTING: usize = 32;
/// The most parts one message is split into; the rest stays inside the last part.
pub const MAX_PARTS: usize = 5_000;

/// One MIME part and what it holds, as IMAP `BODYSTRUCTURE` describes it (RFC 9051
/// section 7.5.2, `body`), with the extension data.
///
/// Computed once when a message is stored and kept in the index. Parsing never fails:
/// a header that cannot be parsed gives the defaults (`text/plain; charset=us-ascii`,
/// `7BIT`), a multipart without its boundary is one text part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyStructure {
    /// Media type, lower case, such as `text` or `multipart`.
    pub media_type: String,
    /// Media subtype, lower case, such as `plain` or `mixed`.
    pub media_subtype: String,
    /// Content-Type parameters (`charset`, `boundary`, `name`, ...), names lower case.
    pub params: Vec<(String, String)>,
    /// `Content-ID`.
    pub id: Option<String>,
    /// `Content-Description`.
    pub description: Option<String>,
    /// `Content-Transfer-Encoding`, upper case; `7BIT` when absent.
    pub encoding: String,
    /// Size of the body in bytes, as stored (still transfer-encoded).
    pub size: u64,
    /// Number of lines of the body, for `text/*` and `message/rfc822` parts.
    pub lines: Option<u64>,
    /// `Content-MD5`.
    pub md5: Option<String>,
    /// `Content-Disposition`.
    pub disposition: Option<Disposition>,
    /// `Content-Language` tags.
    pub language: Vec<String>,
    /// `Content-Location`.
    pub location: Option<String>,
    /// What the body holds.
    pub kind: PartKind,
    pub(crate) header_start: u64,
    pub(crate) body_start: u64,
    pub(crate) end: u64,
}

/// What a part's body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartKind {
    /// A leaf: text, an image, an attachment.
    Single,
    /// A multipart: its parts, at least one.
    Multipart(Vec<BodyStructure>),
    /// `message/rfc822` or `message/global`: the enclosed message's envelope and
    /// structure.
    Message {
        /// Envelope of the enclosed message.
        envelope: Box<Envelope>,
        /// Structure of the enclosed message.
        body: Box<BodyStructure>,
    },
}

/// A `Content-Disposition` (RFC 2183): `inline` or `attachment` and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Disposition {
    /// `inline`, `attachment`, ..., lower case.
    pub kind: String,
    /// Parameters such as `filename`, names lower case.
    pub params: Vec<(String, String)>,
}

impl BodyStructure {
    /// Whether this is a multipart.
    pub fn is_multipart(&self) -> bool {
        matches!(self.kind, PartKind::Multipart(_))
    }

    /// The value of a Content-Type parameter (name compared ignoring ASCII case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Byte offsets of the part's header block in the message.
    pub(crate) fn header_range(&self) -> (u64, u64) {
        (self.header_start, self.body_start)
    }

    /// Byte offsets of the part's body in the message.
    pub(crate) fn body_range(&self) -> (u64, u64) {
        (self.body_start, self.end)
    }

    /// A whole message described as one `text/plain` part whose header ends at
    /// `body_start` (clamped to the message): what is kept of a message that could not
    /// be scanned.
    pub(crate) fn plain_text(data: &[u8], body_start: usize) -> Self {
        let mut part = scan_leaf_as_text(data, body_start.min(data.len()), data.len());
        part.header_start = 0;
        part
    }

    /// Every part, depth first, with nested messages' parts.
    pub(crate) fn walk(&self, visit: &mut impl FnMut(&Self)) {
        visit(self);
        match &self.kind {
            PartKind::Single => {}
            PartKind::Multipart(parts) => parts.iter().for_each(|p| p.walk(visit)),
            PartKind::Message { body, .. } => body.walk(visit),
        }
    }
}

/// Scans a whole message.
pub(crate) fn scan(data: &[u8]) -> BodyStructure {
    let mut budget = MAX_PARTS;
    scan_entity(data, 0, data.len(), 0, Default::Text, &mut budget)
}

#[derive(Clone, Copy)]
enum Default {
    Text,
    Message,
}

/// Scans one entity (a message or a body part) in `data[start..end]`.
fn scan_entity(
    data: &[u8],
    start: usize,
    end: usize,
    depth: usize,
    default: Default,
    budget: &mut usize,
) -> BodyStructure {
    let body_start = header_end(data, start, end);
    let block = &data[start..body_start];
    let mime = MimeHeader::parse(block, default);
    let body = &data[body_start..end];
    let mut part = BodyStructure {
        media_type: mime.media_type,
        media_subtype: mime.media_subtype,
        params: mime.params,
        id: mime.id,
        description: mime.description,
        encoding: mime.encoding,
        size: body.len() as u64,
        lines: None,
        md5: mime.md5,
        disposition: mime.disposition,
        language: mime.language,
        location: mime.location,
        kind: PartKind::Single,
        header_start: start as u64,
        body_start: body_start as u64,
        end: end as u64,
    };
    let too_deep = depth >= MAX_NESTING;
    let identity = matches!(part.encoding.as_str(), "7BIT" | "8BIT" | "BINARY");
    match part.media_type.as_str() {
        "multipart" if too_deep => opaque(&mut part),
        "multipart" => {
            let boundary = part.param("boundary").map(|b| b.as_bytes().to_vec());
            let digest = part.media_subtype == "digest";
            let children = boundary
                .filter(|b| !b.is_empty() && b.len() <= 200)
                .map(|b| split_multipart(data, body_start, end, &b))
                .unwrap_or_default();
            if children.is_empty() {
                // No usable boundary: the body becomes one text part.
                let mut text = scan_leaf_as_text(data, body_start, end);
                text.header_start = body_start as u64;
                part.kind = PartKind::Multipart(vec![text]);
            } else {
                let mut parts = Vec::with_capacity(children.len());
                for (s, e) in children.iter().copied() {
                    if *budget == 0 {
                        break;
                    }
                    *budget -= 1;
                    // When the budget runs out, the last part kept runs to the end.
                    let e = if *budget == 0 {
                        children.last().map_or(e, |c| c.1)
                    } else {
                        e
                    };
                    let child_default = if digest {
                        Default::Message
                    } else {
                        Default::Text
                    };
                    parts.push(scan_entity(data, s, e, depth + 1, child_default, budget));
                }
                part.kind = PartKind::Multipart(parts);
            }
        }
        "message"
            if matches!(part.media_subtype.as_str(), "rfc822" | "global")
                && identity
                && !too_deep =>
        {
            *budget = budget.saturating_sub(1);
            let inner = scan_entity(data, body_start, end, depth + 1, Default::Text, budget);
            let envelope = summarize(&data[body_start..inner.body_start as usize]).envelope;
            part.lines = Some(count_lines(body));
            part.kind = PartKind::Message {
                envelope: Box::new(envelope),
                body: Box::new(inner),
            };
        }
        "text" => part.lines = Some(count_lines(body)),
        _ => {}
    }
    part
}

fn opaque(part: &mut BodyStructure) {
    part.media_type = "application".to_owned();
    part.media_subtype = "octet-stream".to_owned();
    part.params.clear();
}

fn scan_leaf_as_text(data: &[u8], start: usize, end: usize) -> BodyStructure {
    let body = &data[start..end];
    BodyStructure {
        media_type: "text".to_owned(),
        media_subtype: "plain".to_owned(),
        params: vec![("charset".to_owned(), "us-ascii".to_owned())],
        id: None,
        description: None,
        encoding: "7BIT".to_owned(),
        size: body.len() as u64,
        lines: Some(count_lines(body)),
        md5: None,
        disposition: None,
        language: Vec::new(),
        location: None,
        kind: PartKind::Single,
        header_start: start as u64,
        body_start: start as u64,
        end: end as u64,
    }
}

fn count_lines(body: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', body).count() as u64
}

/// Where the body starts: after the first empty line, or at `end` when there is none.
/// A part that starts with an empty line has an empty header.
pub(crate) fn header_end(data: &[u8], start: usize, end: usize) -> usize {
    let mut pos = start;
    while pos < end {
        let line_end = memchr::memchr(b'\n', &data[pos..end]).map_or(end, |n| pos + n + 1);
        let line = &data[pos..line_end];
        if line == b"\n" || line == b"\r\n" {
            return line_end;
        }
        pos = line_end;
    }
    end
}

/// The ranges of the parts of a multipart body in `data[start..end]`.
///
/// RFC 2046 section 5.1.1: a delimiter is `--boundary` at the start of a line, the
/// line break before it belongs to it, the close delimiter adds `--`. Preamble and
/// epilogue are not parts. Without a close delimiter the last part runs to `end`.
fn split_multipart(data: &[u8], start: usize, end: usize, boundary: &[u8]) -> Vec<(usize, usize)> {
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary);
    let finder = memchr::memmem::Finder::new(&delimiter);
    let mut parts = Vec::new();
    let mut open: Option<usize> = None;
    let mut pos = start;
    while let Some(found) = finder.find(&data[pos..end]) {
        let at = pos + found;
        pos = at + delimiter.len();
        if at != start && data[at - 1] != b'\n' {
            continue;
        }
        let after = &data[at + delimiter.len()..end];
        let close = after.starts_with(b"--");
        let rest = if close { &after[2..] } else { after };
        let blanks = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let line_end = match rest.get(blanks) {
            None => end,
            Some(b'\n') => at + delimiter.len() + (after.len() - rest.len()) + blanks + 1,
            Some(b'\r') if rest.get(blanks + 1) == Some(&b'\n') => {
                at + delimiter.len() + (after.len() - rest.len()) + blanks + 2
            }
            // Close delimiters may be followed by anything; open ones may not.
            Some(_) if close => at + delimiter.len() + 2,
            Some(_) => continue,
        };
        if let Some(part_start) = open.take() {
            let mut part_end = at;
            if part_end > part_start && data[part_end - 1] == b'\n' {
                part_end -= 1;
                if part_end > part_start && data[part_end - 1] == b'\r' {
                    part_end -= 1;
                }
            }
            parts.push((part_start, part_end.max(part_start)));
            if parts.len() >= MAX_PARTS {
                return parts;
            }
        }
        if close {
            return parts;
        }
        open = Some(line_end.min(end));
        pos = line_end.min(end).max(pos);
    }
    if let Some(part_start) = open {
        parts.push((part_start, end));
    }
    parts
}

/// The MIME fields of one header block.
struct MimeHeader {
    media_type: String,
    media_subtype: String,
    params: Vec<(String, String)>,
    id: Option<String>,
    description: Option<String>,
    encoding: String,
    md5: Option<String>,
    disposition: Option<Disposition>,
    language: Vec<String>,
    location: Option<String>,
}

impl MimeHeader {
    fn parse(block: &[u8], default: Default) -> Self {
        let block = &block[..block.len().min(MAX_PARSED_HEADER)];
        let parsed = MessageParser::new()
            .with_mime_headers()
            .header_text(HeaderName::ContentLanguage)
            .header_text(HeaderName::Other("Content-MD5".into()))
            .parse_headers(block);
        let headers = parsed
            .as_ref()
            .and_then(|m| m.parts.first())
            .map_or(&[][..], |p| &p.headers[..]);
        let find =
            |name: &HeaderName<'_>| headers.iter().find(|h| &h.name == name).map(|h| &h.value);
        let text = |name: HeaderName<'static>| {
            find(&name)
                .and_then(HeaderValue::as_text)
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
        };
        let (mut media_type, mut media_subtype, mut params) = match default {
            Default::Text => (
                "text".to_owned(),
                "plain".to_owned(),
                vec![("charset".to_owned(), "us-ascii".to_owned())],
            ),
            Default::Message => ("message".to_owned(), "rfc822".to_owned(), Vec::new()),
        };
        if let Some(ct) = find(&HeaderName::ContentType).and_then(HeaderValue::as_content_type) {
            let t = ct.c_type.trim().to_ascii_lowercase();
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()) {
                media_type = t;
                media_subtype = ct
                    .c_subtype
                    .as_deref()
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| {
                        if media_type == "text" {
                            "plain".to_owned()
                        } else {
                            "octet-stream".to_owned()
                        }
                    });
                params = attributes(ct.attributes.as_deref());
            }
        }
        let disposition = find(&HeaderName::ContentDisposition)
            .and_then(HeaderValue::as_content_type)
            .map(|cd| Disposition {
                kind: cd.c_type.trim().to_ascii_lowercase(),
                params: attributes(cd.attributes.as_deref()),
            });
        let id = find(&HeaderName::ContentId).and_then(|v| match v {
            HeaderValue::Text(t) => Some(format!("<{t}>")),
            HeaderValue::TextList(list) => list.first().map(|t| format!("<{t}>")),
            _ => None,
        });
        let language = match find(&HeaderName::ContentLanguage) {
            Some(HeaderValue::Text(t)) => split_list(t),
            Some(HeaderValue::TextList(list)) => list.iter().flat_map(|t| split_list(t)).collect(),
            _ => Vec::new(),
        };
        Self {
            media_type,
            media_subtype,
            params,
            id,
            description: text(HeaderName::ContentDescription),
            encoding: text(HeaderName::ContentTransferEncoding)
                .map(|e| e.to_ascii_uppercase())
                .filter(|e| e.bytes().all(|b| b.is_ascii_graphic()))
                .unwrap_or_else(|| "7BIT".to_owned()),
            md5: text(HeaderName::Other("Content-MD5".into())),
            disposition,
            language,
            location: text(HeaderName::ContentLocation),
        }
    }
}

fn attributes(attributes: Option<&[mail_parser::Attribute<'_>]>) -> Vec<(String, String)> {
    attributes
        .unwrap_or_default()
        .iter()
        .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
        .collect()
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests;
