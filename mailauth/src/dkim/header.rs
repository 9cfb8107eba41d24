//! The header section of a message as DKIM sees it: raw fields, in order, with the
//! bottom-up selection of RFC 6376 §5.4.2.

/// The most header fields read from one message; more are ignored (bounded work on
/// hostile input).
pub(crate) const MAX_FIELDS: usize = 1000;

/// One header field as it is in the message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field<'a> {
    /// The field name (before the colon, trailing WSP removed).
    pub(crate) name: &'a [u8],
    /// The whole field: name, colon, value, folding, final CRLF.
    pub(crate) raw: &'a [u8],
    /// The value after the colon, with its CRLF.
    pub(crate) value: &'a [u8],
}

impl Field<'_> {
    /// Whether the field is named `name` (case-insensitive).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// Splits a message into its header section (with the CRLF of the last field) and
/// its body (after the empty line). Without an empty line, all is header.
pub(crate) fn split_message(message: &[u8]) -> (&[u8], &[u8]) {
    if message.starts_with(b"\r\n") {
        return (&[], &message[2..]);
    }
    match memchr::memmem::find(message, b"\r\n\r\n") {
        Some(at) => (&message[..at + 2], &message[at + 4..]),
        None => (message, &[]),
    }
}

/// The fields of a header section, in order. Lines without a colon are skipped.
pub(crate) fn fields(headers: &[u8]) -> Vec<Field<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < headers.len() && out.len() < MAX_FIELDS {
        // A field runs until a CRLF not followed by WSP.
        let mut end = start;
        loop {
            match find_crlf(&headers[end..]) {
                Some(at) => {
                    end += at + 2;
                    if !matches!(headers.get(end), Some(b' ' | b'\t')) {
                        break;
                    }
                }
                None => {
                    end = headers.len();
                    break;
                }
            }
        }
        let raw = &headers[start..end];
        if let Some(colon) = raw.iter().position(|&b| b == b':') {
            let name = &raw[..colon];
            let name_end = name
                .iter()
                .rposition(|&b| b != b' ' && b != b'\t')
                .map_or(0, |i| i + 1);
            if name_end > 0 && !matches!(raw[0], b' ' | b'\t') {
                out.push(Field {
                    name: &name[..name_end],
                    raw,
                    value: &raw[colon + 1..],
                });
            }
        }
        start = end;
    }
    out
}

fn find_crlf(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(lf) = memchr::memchr(b'\n', &bytes[from..]) {
        let at = from + lf;
        if at > 0 && bytes[at - 1] == b'\r' {
            return Some(at - 1);
        }
        from = at + 1;
    }
    None
}

/// Picks, for each name of `h=`, the lowest instance not picked yet (RFC 6376
/// §5.4.2); a name without an instance left gives `None` (hashed as nothing).
pub(crate) fn select<'a, 'f>(
    fields: &'f [Field<'a>],
    names: &[String],
) -> Vec<Option<&'f Field<'a>>> {
    let mut used = vec![false; fields.len()];
    names
        .iter()
        .map(|name| {
            let found = fields
                .iter()
                .enumerate()
                .rev()
                .find(|(i, field)| !used[*i] && field.is(name));
            found.map(|(i, field)| {
                used[i] = true;
                field
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn splits_and_selects() {
        let message = b"From: a\r\nTo: b,\r\n c\r\nX : y\r\nTo: d\r\nbad line\r\n\r\nbody\r\n";
        let (headers, body) = split_message(message);
        assert_eq!(body, b"body\r\n");
        let fields = fields(headers);
        let names: Vec<&[u8]> = fields.iter().map(|f| f.name).collect();
        assert_eq!(names, [&b"From"[..], b"To", b"X", b"To"]);
        assert_eq!(fields[1].raw, b"To: b,\r\n c\r\n");
        let picked = select(
            &fields,
            &["to".into(), "TO".into(), "to".into(), "from".into()],
        );
        assert_eq!(picked[0].unwrap().raw, b"To: d\r\n");
        assert_eq!(picked[1].unwrap().raw, b"To: b,\r\n c\r\n");
        assert!(picked[2].is_none());
        assert_eq!(picked[3].unwrap().value, b" a\r\n");
        assert_eq!(
            split_message(b"\r\nonly body"),
            (&b""[..], &b"only body"[..])
        );
        assert_eq!(split_message(b"A: b\r\n"), (&b"A: b\r\n"[..], &b""[..]));
    }

    proptest! {
        #[test]
        fn unicode_header_sections_split_into_their_fields(
            lines in proptest::collection::vec(prop_oneof![
                Just("Subject: 日本語の件名テスト #2".to_owned()),
                Just("From: \"Jöhn\" <x@bücher.test>".to_owned()),
                Just("Тема: Привет".to_owned()),
                Just(" folded 日本語".to_owned()),
                Just("\tfolded".to_owned()),
                Just("no colon é".to_owned()),
                Just("".to_owned()),
                "\\PC{0,20}",
                "[A-Za-z-]{1,8}[ \t]?:\\PC{0,20}",
            ], 0..10),
            body in "\\PC{0,30}",
        ) {
            let mut message = lines.join("\r\n");
            message.push_str("\r\n\r\n");
            message.push_str(&body);
            let message = message.as_bytes();
            let (headers, rest) = split_message(message);
            // The two parts are the message less one empty line.
            prop_assert!(message.starts_with(headers) && message.ends_with(rest));
            prop_assert!(headers.len() + rest.len() <= message.len());
            for field in fields(headers) {
                // Each field: its name (no colon, no trailing WSP), a colon after
                // optional WSP, then its value; never starting with WSP.
                prop_assert!(!field.name.is_empty() && !field.name.contains(&b':'));
                prop_assert!(!matches!(field.name.last(), Some(b' ' | b'\t')));
                prop_assert!(field.raw.starts_with(field.name) && field.raw.ends_with(field.value));
                let between = &field.raw[field.name.len()..field.raw.len() - field.value.len()];
                prop_assert!(between.ends_with(b":"));
                prop_assert!(between[..between.len() - 1].iter().all(|b| matches!(b, b' ' | b'\t')));
            }
        }
    }
}
