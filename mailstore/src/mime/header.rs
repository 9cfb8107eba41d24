//! Raw header fields: splitting a header block into fields, unfolding, selecting.

/// One header field of a raw header block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawField<'a> {
    /// The name, as written (without the colon and trailing blanks).
    pub(crate) name: &'a [u8],
    /// The value, still folded, without the line break that ends the field.
    pub(crate) value: &'a [u8],
    /// The whole field with its final line break, as it stands in the block.
    pub(crate) raw: &'a [u8],
}

/// Splits a header block into fields. Lines before the first field that do not look
/// like one (and a trailing blank line) are skipped; a line without a colon inside the
/// block is kept with the field before it, as folding would.
pub(crate) fn fields(block: &[u8]) -> impl Iterator<Item = RawField<'_>> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        loop {
            if pos >= block.len() {
                return None;
            }
            let start = pos;
            // The field runs to the first line break not followed by a blank or tab.
            let mut end = start;
            loop {
                match memchr::memchr(b'\n', &block[end..]) {
                    Some(nl) => {
                        end += nl + 1;
                        if !matches!(block.get(end), Some(b' ' | b'\t')) {
                            break;
                        }
                    }
                    None => {
                        end = block.len();
                        break;
                    }
                }
            }
            pos = end;
            let raw = &block[start..end];
            let line = trim_line_break(raw);
            if line.is_empty() {
                continue;
            }
            let Some(colon) = memchr::memchr(b':', line) else {
                continue;
            };
            let name = trim_end(&line[..colon]);
            if name.is_empty() || name.iter().any(|&b| b <= b' ' || b >= 0x7f) {
                continue;
            }
            return Some(RawField {
                name,
                value: &line[colon + 1..],
                raw,
            });
        }
    })
}

/// The value with folding removed (line breaks dropped) and outer blanks trimmed.
pub(crate) fn unfold(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    for &b in value {
        if b != b'\r' && b != b'\n' {
            out.push(b);
        }
    }
    let start = out
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(out.len());
    let end = out
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    out.truncate(end);
    out.drain(..start);
    out
}

/// The first field named `name` (ASCII case ignored), unfolded.
pub(crate) fn first_value(block: &[u8], name: &str) -> Option<Vec<u8>> {
    fields(block)
        .find(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
        .map(|f| unfold(f.value))
}

/// The fields whose names are (or, with `not`, are not) in `names`, as written, then
/// the blank line that ends a header (RFC 9051 `HEADER.FIELDS`).
pub(crate) fn select(block: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for field in fields(block) {
        let listed = names
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(field.name));
        if listed != not {
            out.extend_from_slice(field.raw);
            if !field.raw.ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn trim_line_break(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |e| e + 1);
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &[u8] =
        b"From: a@b\r\nSubject: hello\r\n world\r\nX-Empty:\r\nbroken line\r\nTo : c@d\r\n\r\n";

    #[test]
    fn splits_and_unfolds() {
        let names: Vec<&[u8]> = fields(BLOCK).map(|f| f.name).collect();
        assert_eq!(names, [&b"From"[..], b"Subject", b"X-Empty", b"To"]);
        assert_eq!(first_value(BLOCK, "subject").unwrap(), b"hello world");
        assert_eq!(first_value(BLOCK, "to").unwrap(), b"c@d");
        assert_eq!(first_value(BLOCK, "x-empty").unwrap(), b"");
        assert_eq!(first_value(BLOCK, "cc"), None);
    }

    #[test]
    fn selects_fields() {
        let subject = select(BLOCK, &["SUBJECT".into()], false);
        assert_eq!(subject, b"Subject: hello\r\n world\r\n\r\n");
        let not = select(BLOCK, &["subject".into(), "x-empty".into()], true);
        assert_eq!(not, b"From: a@b\r\nTo : c@d\r\n\r\n");
        assert_eq!(
            select(b"From: x", &["from".into()], false),
            b"From: x\r\n\r\n"
        );
    }
}
