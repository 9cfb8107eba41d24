//! A small MIME reader for the in-memory backend: the part tree of an RFC 5322
//! message with byte ranges, enough for ENVELOPE, BODYSTRUCTURE and sections.

use std::ops::Range;

/// Deepest MIME nesting followed; deeper parts are taken as opaque leaves.
const MAX_DEPTH: usize = 16;

/// One MIME part: its header and body ranges in the raw message and the fields
/// BODYSTRUCTURE reports.
#[derive(Clone, Debug, Default)]
pub(crate) struct Part {
    /// The header block, including the empty line that ends it.
    pub(crate) header: Range<usize>,
    /// The body.
    pub(crate) body: Range<usize>,
    /// Unfolded header fields, in order.
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) media_type: String,
    pub(crate) subtype: String,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) encoding: Option<String>,
    pub(crate) lines: u32,
    /// Children of a multipart.
    pub(crate) children: Vec<Self>,
    /// The embedded message of a message/rfc822 part (its header and body).
    pub(crate) message: Option<Box<Self>>,
}

impl Part {
    /// Parses the message in `raw`.
    pub(crate) fn parse(raw: &[u8]) -> Self {
        parse_part(raw, 0..raw.len(), ("TEXT", "PLAIN"), 0)
    }

    /// The first value of a header field (case-insensitive name).
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn is_multipart(&self) -> bool {
        self.media_type == "MULTIPART"
    }

    #[cfg(test)]
    pub(crate) fn is_message(&self) -> bool {
        self.message.is_some()
    }

    /// The part a section path names, IMAP-style: numbers index the children of
    /// a multipart; `1` of a leaf is the leaf itself; through a message/rfc822 part
    /// the numbers continue in the embedded message.
    pub(crate) fn find(&self, path: &[u32]) -> Option<&Self> {
        let mut node = self;
        for &n in path {
            let n = n as usize;
            let container = match &node.message {
                Some(embedded) => embedded.as_ref(),
                None => node,
            };
            node = if container.is_multipart() {
                container.children.get(n.checked_sub(1)?)?
            } else if n == 1 {
                container
            } else {
                return None;
            };
        }
        Some(node)
    }

    /// The raw bytes of a content-transfer-encoded body, decoded.
    pub(crate) fn decoded_body(&self, raw: &[u8]) -> Vec<u8> {
        let body = &raw[self.body.clone()];
        match self.encoding.as_deref() {
            Some(e) if e.eq_ignore_ascii_case("base64") => decode_base64(body),
            Some(e) if e.eq_ignore_ascii_case("quoted-printable") => decode_qp(body),
            _ => body.to_vec(),
        }
    }
}

fn parse_part(raw: &[u8], range: Range<usize>, default: (&str, &str), depth: usize) -> Part {
    let bytes = &raw[range.clone()];
    let (header_len, body_start) = header_end(bytes);
    let mut part = Part {
        header: range.start..range.start + body_start,
        body: range.start + body_start..range.end,
        fields: parse_fields(&bytes[..header_len]),
        ..Part::default()
    };
    let (media_type, subtype, params) = match part.field("Content-Type") {
        Some(value) => {
            content_type(value).unwrap_or_else(|| (default.0.into(), default.1.into(), Vec::new()))
        }
        None => (default.0.into(), default.1.into(), Vec::new()),
    };
    part.media_type = media_type;
    part.subtype = subtype;
    part.params = params;
    part.encoding = part
        .field("Content-Transfer-Encoding")
        .map(|e| e.trim().to_owned());
    let body = &raw[part.body.clone()];
    let breaks = body.iter().filter(|&&b| b == b'\n').count();
    // A last line without a line break is a line too.
    let open_line = usize::from(!body.is_empty() && !body.ends_with(b"\n"));
    part.lines = u32::try_from(breaks + open_line).unwrap_or(u32::MAX);
    if depth >= MAX_DEPTH {
        return part;
    }
    if part.is_multipart() {
        let boundary = part
            .params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
            .map(|(_, v)| v.clone());
        if let Some(boundary) = boundary {
            let child_default = if part.subtype == "DIGEST" {
                ("MESSAGE", "RFC822")
            } else {
                ("TEXT", "PLAIN")
            };
            for child in split_multipart(raw, part.body.clone(), boundary.as_bytes()) {
                part.children
                    .push(parse_part(raw, child, child_default, depth + 1));
            }
        }
    } else if part.media_type == "MESSAGE" && (part.subtype == "RFC822" || part.subtype == "GLOBAL")
    {
        part.message = Some(Box::new(parse_part(
            raw,
            part.body.clone(),
            ("TEXT", "PLAIN"),
            depth + 1,
        )));
    }
    part
}

/// (length of the header without the blank line, offset where the body starts).
fn header_end(bytes: &[u8]) -> (usize, usize) {
    if bytes.starts_with(b"\r\n") {
        return (0, 2);
    }
    if bytes.starts_with(b"\n") {
        return (0, 1);
    }
    let mut i = 0;
    while let Some(lf) = memchr::memchr(b'\n', &bytes[i..]) {
        let next = i + lf + 1;
        match bytes.get(next..) {
            Some([b'\r', b'\n', ..]) => return (next, next + 2),
            Some([b'\n', ..]) => return (next, next + 1),
            _ => i = next,
        }
    }
    (bytes.len(), bytes.len())
}

/// Unfolded `name: value` fields.
pub(crate) fn parse_fields(header: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(header);
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    fields
}

/// Header lines of `header` whose names are (or, with `not`, are not) in `names`,
/// followed by the blank line, as BODY[HEADER.FIELDS (...)] returns them.
pub(crate) fn header_fields(header: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut keep = false;
    let (len, _) = header_end(header);
    for line in header[..len].split_inclusive(|&b| b == b'\n') {
        if !line.starts_with(b" ") && !line.starts_with(b"\t") {
            let name = line.split(|&b| b == b':').next().unwrap_or_default();
            let name = String::from_utf8_lossy(name);
            let listed = names.iter().any(|n| n.eq_ignore_ascii_case(name.trim()));
            keep = listed != not;
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// `type/subtype; name=value; name="quoted value"`.
/// A media type, subtype and parameters.
type MediaType = (String, String, Vec<(String, String)>);

fn content_type(value: &str) -> Option<MediaType> {
    let mut pieces = split_params(value);
    let kind = pieces.next()?;
    let (t, s) = kind.split_once('/')?;
    let (t, s) = (t.trim().to_ascii_uppercase(), s.trim().to_ascii_uppercase());
    if t.is_empty() || s.is_empty() {
        return None;
    }
    Some((t, s, pieces.filter_map(|p| param(&p)).collect()))
}

/// Parameters of a `value; a=b; c="d"` field (Content-Disposition too).
pub(crate) fn parameters(value: &str) -> (String, Vec<(String, String)>) {
    let mut pieces = split_params(value);
    let first = pieces.next().unwrap_or_default().trim().to_owned();
    (first, pieces.filter_map(|p| param(&p)).collect())
}

fn param(piece: &str) -> Option<(String, String)> {
    let (k, v) = piece.split_once('=')?;
    let v = v.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    Some((k.trim().to_ascii_uppercase(), v.replace("\\\"", "\"")))
}

/// Splits on `;` outside quotes.
fn split_params(value: &str) -> impl Iterator<Item = String> + '_ {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => pieces.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    pieces.push(current);
    pieces.into_iter().filter(|p| !p.trim().is_empty())
}

/// The byte ranges of the parts of a multipart body.
fn split_multipart(raw: &[u8], body: Range<usize>, boundary: &[u8]) -> Vec<Range<usize>> {
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary);
    let bytes = &raw[body.clone()];
    // Delimiter lines: at the start or after a line break.
    let mut marks: Vec<(usize, usize, bool)> = Vec::new(); // (line start, after line, closing)
    let mut at = 0;
    while at <= bytes.len() {
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
        let line = &bytes[at..line_end];
        if line.starts_with(&delimiter) {
            let rest = &line[delimiter.len()..];
            let closing = rest.starts_with(b"--");
            marks.push((at, line_end, closing));
            if closing {
                break;
            }
        }
        if line_end >= bytes.len() {
            break;
        }
        at = line_end;
    }
    let mut parts = Vec::new();
    for pair in marks.windows(2) {
        let (_, start, closing) = pair[0];
        if closing {
            break;
        }
        let mut end = pair[1].0;
        // The line break before a delimiter belongs to the delimiter.
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
            if end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
        }
        parts.push(body.start + start..body.start + end.max(start));
    }
    parts
}

fn decode_base64(body: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(clean.trim_ascii_end())
        })
        .unwrap_or_else(|_| body.to_vec())
}

fn decode_qp(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'=' if body[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if body[i + 1..].starts_with(b"\n") => i += 2,
            b'=' => {
                let hex = body
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &[u8] = b"From: a@b\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--XX--\r\nepilogue\r\n";

    #[test]
    fn parts_and_paths() {
        let root = Part::parse(MIXED);
        assert!(root.is_multipart());
        assert_eq!(root.children.len(), 2);
        let text = root.find(&[1]).unwrap();
        assert_eq!(&MIXED[text.body.clone()], b"hello");
        let message = root.find(&[2]).unwrap();
        assert!(message.is_message());
        assert_eq!(
            &MIXED[message.body.clone()],
            b"Subject: inner\r\n\r\ninner body"
        );
        let inner = root.find(&[2, 1]).unwrap();
        assert_eq!(&MIXED[inner.body.clone()], b"inner body");
        assert!(root.find(&[3]).is_none());
        let single = Part::parse(b"Subject: x\r\n\r\nbody\r\n");
        assert_eq!(single.find(&[1]).unwrap().body, single.body);
        assert!(single.find(&[2]).is_none());
    }

    #[test]
    fn header_field_selection() {
        let header = b"From: a\r\nTo: b\r\nSubject: c\r\n d\r\n\r\n";
        let out = header_fields(header, &["subject".into()], false);
        assert_eq!(out, b"Subject: c\r\n d\r\n\r\n");
        let out = header_fields(header, &["subject".into()], true);
        assert_eq!(out, b"From: a\r\nTo: b\r\n\r\n");
        let fields = parse_fields(header);
        assert_eq!(fields[2], ("Subject".into(), "c d".into()));
    }

    #[test]
    fn decodings() {
        assert_eq!(decode_qp(b"caf=C3=A9 =\r\nx"), "café x".as_bytes());
        assert_eq!(decode_base64(b"aGVs\r\nbG8="), b"hello");
        let (kind, params) = parameters("attachment; filename=\"a b.pdf\"");
        assert_eq!(
            (kind.as_str(), params[0].1.as_str()),
            ("attachment", "a b.pdf")
        );
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{
            MAX_DEPTH, Part, decode_base64, decode_qp, header_fields, parameters, parse_fields,
        };
        use crate::testing::unicode_text;
        use crate::tokio::memory::tests::message;

        /// The ranges of `part` and its descendants lie in `within`, in order:
        /// the header, then the body; children in the body; an embedded
        /// message is the body. Returns the depth of the tree.
        fn check(
            part: &Part,
            raw: &[u8],
            within: std::ops::Range<usize>,
        ) -> Result<usize, TestCaseError> {
            prop_assert!(within.start <= part.header.start && part.header.end == part.body.start);
            prop_assert!(part.body.start <= part.body.end && part.body.end <= within.end);
            prop_assert!(within.end <= raw.len());
            let _ = part.decoded_body(raw);
            let mut depth = 0;
            let mut last = part.body.start;
            for child in &part.children {
                prop_assert!(child.header.start >= last, "children in order");
                last = child.body.end;
                depth = depth.max(check(child, raw, part.body.clone())?);
            }
            if let Some(inner) = &part.message {
                prop_assert_eq!(inner.header.start, part.body.start);
                prop_assert_eq!(inner.body.end, part.body.end);
                depth = depth.max(check(inner, raw, part.body.clone())?);
            }
            Ok(depth + 1)
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

            /// Any message (Unicode headers, Unicode boundaries, broken MIME,
            /// raw bytes) parses into a tree whose ranges stay inside the
            /// message and nest, no deeper than the limit.
            #[test]
            fn any_message_parses_in_bounds(raw in message()) {
                let root = Part::parse(&raw);
                let depth = check(&root, &raw, 0..raw.len())?;
                prop_assert!(depth <= MAX_DEPTH + 2, "{depth}");
                for path in [&[1][..], &[2], &[1, 1], &[2, 1], &[1, 2, 1], &[0], &[u32::MAX]] {
                    if let Some(part) = root.find(path) {
                        prop_assert!(part.body.end <= raw.len());
                    }
                }
            }

            /// Unfolded fields never hold a line feed; selected header lines are
            /// lines of the header, followed by the blank line.
            #[test]
            fn header_fields_of_any_header(raw in message(), names in proptest::collection::vec(unicode_text(2), 0..3), not in any::<bool>()) {
                for (name, value) in parse_fields(&raw) {
                    prop_assert!(!name.contains('\n') && !value.contains('\n'));
                }
                let root = Part::parse(&raw);
                let header = &raw[root.header];
                let out = header_fields(header, &names, not);
                prop_assert!(out.ends_with(b"\r\n"));
                prop_assert!(out.len() <= header.len() + 2);
                if names.is_empty() && !not {
                    prop_assert_eq!(out, b"\r\n".to_vec());
                }
            }

            /// The decoders take any bytes; quoted-printable never grows the data.
            #[test]
            fn decoders_of_any_bytes(body in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..64),
                "(=[0-9A-Fa-fé]{0,2}|=\r?\n|[a-zé日 ]|\\PC){0,16}".prop_map(String::into_bytes),
            ]) {
                prop_assert!(decode_qp(&body).len() <= body.len());
                let _ = decode_base64(&body);
            }

            /// `value; name=value` parameters of any text, without a panic.
            #[test]
            fn parameters_of_any_text(value in unicode_text(12)) {
                let (_, list) = parameters(&value);
                for (name, _) in list {
                    prop_assert_eq!(name.to_ascii_uppercase(), name);
                }
            }
        }
    }
}
