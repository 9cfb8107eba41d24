//! Section specifiers of `BODY[...]` (RFC 9051 section 6.4.5).

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use crate::types::ValidationError;

/// The most levels a part path may have.
pub const MAX_PART_DEPTH: usize = 64;
/// The most header field names a `HEADER.FIELDS` list may have.
pub const MAX_HEADER_FIELDS: usize = 256;

/// What part of a message `BODY[section]` or `BINARY[section]` asks for.
///
/// ```text
/// section-spec    = section-msgtext / (section-part ["." section-text])
/// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
/// section-part    = nz-number *("." nz-number)
/// section-text    = section-msgtext / "MIME"
/// header-list     = "(" header-fld-name *(SP header-fld-name) ")"
/// ```
/// The empty section (`BODY[]`) is the whole message. Parsing takes the text between
/// the brackets; keywords are case-insensitive, field names are atoms or quoted strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Section {
    part: Vec<NonZeroU32>,
    text: Option<SectionText>,
}

/// The text part of a section specifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SectionText {
    /// `HEADER`: the header block, with the blank line that ends it.
    Header,
    /// `HEADER.FIELDS (..)` or, with `not`, `HEADER.FIELDS.NOT (..)`: some fields of the
    /// header, then a blank line.
    HeaderFields {
        /// Whether the fields are the ones to leave out.
        not: bool,
        /// Field names, as given (compared ignoring ASCII case).
        fields: Vec<String>,
    },
    /// `TEXT`: the body, without the header.
    Text,
    /// `MIME`: the MIME header of a part (only after a part number).
    Mime,
}

impl Section {
    /// The whole message, `BODY[]`.
    pub const fn full() -> Self {
        Self {
            part: Vec::new(),
            text: None,
        }
    }

    /// A section from a part path and a text specifier.
    ///
    /// # Errors
    /// [`ValidationError`] when `MIME` has no part path, the path is deeper than
    /// [`MAX_PART_DEPTH`], or a field list is empty, too long or holds an invalid name.
    pub fn new(part: Vec<NonZeroU32>, text: Option<SectionText>) -> Result<Self, ValidationError> {
        const WHAT: &str = "section";
        if part.len() > MAX_PART_DEPTH || (part.is_empty() && text == Some(SectionText::Mime)) {
            return Err(ValidationError::new(WHAT, None));
        }
        if let Some(SectionText::HeaderFields { fields, .. }) = &text
            && (fields.is_empty()
                || fields.len() > MAX_HEADER_FIELDS
                || !fields.iter().all(|f| is_field_name(f.as_bytes())))
        {
            return Err(ValidationError::new(WHAT, None));
        }
        Ok(Self { part, text })
    }

    /// The part path, empty for the message itself.
    pub fn part(&self) -> &[NonZeroU32] {
        &self.part
    }

    /// The text specifier, `None` for the whole part.
    pub fn text(&self) -> Option<&SectionText> {
        self.text.as_ref()
    }

    /// Checks that `text` (what stands between the brackets) is a valid section.
    ///
    /// # Errors
    /// [`ValidationError`] at the first byte that does not fit the grammar.
    pub fn validate(text: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        parse(text.as_ref()).map(|_| ())
    }
}

/// `header-fld-name` as we accept it: RFC 5322 `ftext` (printable ASCII but `:`).
fn is_field_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name.iter().all(|&b| (33..=126).contains(&b) && b != b':')
}

fn parse(input: &[u8]) -> Result<Section, ValidationError> {
    const WHAT: &str = "section";
    let err = |at: usize| ValidationError::new(WHAT, Some(at));
    let mut pos = 0;
    let mut part = Vec::new();
    // section-part: numbers separated by dots, each followed by "." or the end.
    while pos < input.len() && input[pos].is_ascii_digit() {
        let start = pos;
        while pos < input.len() && input[pos].is_ascii_digit() {
            pos += 1;
        }
        let digits = &input[start..pos];
        if digits[0] == b'0' || digits.len() > 10 {
            return Err(err(start));
        }
        let value: u64 = std::str::from_utf8(digits)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| err(start))?;
        let value = u32::try_from(value)
            .ok()
            .and_then(NonZeroU32::new)
            .ok_or_else(|| err(start))?;
        if part.len() == MAX_PART_DEPTH {
            return Err(err(start));
        }
        part.push(value);
        if pos == input.len() {
            return Ok(Section { part, text: None });
        }
        if input[pos] != b'.' {
            return Err(err(pos));
        }
        pos += 1;
        if pos == input.len() {
            return Err(err(pos - 1));
        }
    }
    let rest = &input[pos..];
    if rest.is_empty() {
        return Ok(Section { part, text: None });
    }
    let keyword_end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
    let keyword = &rest[..keyword_end];
    let text = if keyword.eq_ignore_ascii_case(b"HEADER") {
        SectionText::Header
    } else if keyword.eq_ignore_ascii_case(b"TEXT") {
        SectionText::Text
    } else if keyword.eq_ignore_ascii_case(b"MIME") && !part.is_empty() {
        SectionText::Mime
    } else if keyword.eq_ignore_ascii_case(b"HEADER.FIELDS")
        || keyword.eq_ignore_ascii_case(b"HEADER.FIELDS.NOT")
    {
        let not = keyword.len() == b"HEADER.FIELDS.NOT".len();
        let list_start = pos + keyword_end + 1;
        let fields = header_list(input, list_start)?;
        return Section::new(part, Some(SectionText::HeaderFields { not, fields }))
            .map_err(|_| err(list_start));
    } else {
        return Err(err(pos));
    };
    if keyword_end != rest.len() {
        return Err(err(pos + keyword_end));
    }
    Ok(Section {
        part,
        text: Some(text),
    })
}

/// `header-list = "(" header-fld-name *(SP header-fld-name) ")"`, from `start` to the
/// end of the input.
fn header_list(input: &[u8], start: usize) -> Result<Vec<String>, ValidationError> {
    let err = |at: usize| ValidationError::new("section", Some(at));
    let mut pos = start;
    if input.get(pos) != Some(&b'(') || start == 0 || input[start - 1] != b' ' {
        return Err(err(pos));
    }
    pos += 1;
    let mut fields = Vec::new();
    loop {
        let name = if input.get(pos) == Some(&b'"') {
            let mut name = Vec::new();
            pos += 1;
            loop {
                match input.get(pos) {
                    Some(b'"') => break,
                    Some(b'\\') if matches!(input.get(pos + 1), Some(b'"' | b'\\')) => {
                        name.push(input[pos + 1]);
                        pos += 2;
                    }
                    Some(&b) if b != b'\\' && b != b'\r' && b != b'\n' => {
                        name.push(b);
                        pos += 1;
                    }
                    _ => return Err(err(pos)),
                }
            }
            pos += 1;
            name
        } else {
            let end = input[pos..]
                .iter()
                .position(|&b| b == b' ' || b == b')')
                .map_or(input.len(), |n| pos + n);
            let name = input[pos..end].to_vec();
            pos = end;
            name
        };
        if !is_field_name(&name) || fields.len() == MAX_HEADER_FIELDS {
            return Err(err(pos));
        }
        // is_field_name admits ASCII only, so this cannot fail.
        fields.push(String::from_utf8_lossy(&name).into_owned());
        match input.get(pos) {
            Some(b' ') => pos += 1,
            Some(b')') if pos + 1 == input.len() => return Ok(fields),
            _ => return Err(err(pos)),
        }
    }
}

impl FromStr for Section {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for Section {
    type Error = ValidationError;

    fn try_from(value: &[u8]) -> Result<Self, Self::Error> {
        parse(value)
    }
}

impl TryFrom<&str> for Section {
    type Error = ValidationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        parse(value.as_bytes())
    }
}

impl fmt::Display for Section {
    /// The text between the brackets: `1.2.HEADER.FIELDS (From To)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.part.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{n}")?;
        }
        let Some(text) = &self.text else {
            return Ok(());
        };
        if !self.part.is_empty() {
            f.write_str(".")?;
        }
        match text {
            SectionText::Header => f.write_str("HEADER"),
            SectionText::Text => f.write_str("TEXT"),
            SectionText::Mime => f.write_str("MIME"),
            SectionText::HeaderFields { not, fields } => {
                f.write_str(if *not {
                    "HEADER.FIELDS.NOT ("
                } else {
                    "HEADER.FIELDS ("
                })?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    let atom = field.bytes().all(|b| !b"(){%*\"\\]".contains(&b));
                    if atom {
                        f.write_str(field)?;
                    } else {
                        f.write_str("\"")?;
                        for ch in field.chars() {
                            if ch == '"' || ch == '\\' {
                                f.write_str("\\")?;
                            }
                            write!(f, "{ch}")?;
                        }
                        f.write_str("\"")?;
                    }
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn nz(v: u32) -> NonZeroU32 {
        NonZeroU32::new(v).unwrap()
    }

    #[test]
    fn parses_rfc_examples() {
        let rows: &[(&str, Vec<u32>, Option<SectionText>)] = &[
            ("", vec![], None),
            ("HEADER", vec![], Some(SectionText::Header)),
            ("text", vec![], Some(SectionText::Text)),
            ("1", vec![1], None),
            ("4.2.2.1", vec![4, 2, 2, 1], None),
            ("3.HEADER", vec![3], Some(SectionText::Header)),
            ("4.2.MIME", vec![4, 2], Some(SectionText::Mime)),
            (
                "HEADER.FIELDS (DATE FROM)",
                vec![],
                Some(SectionText::HeaderFields {
                    not: false,
                    fields: vec!["DATE".into(), "FROM".into()],
                }),
            ),
            (
                "1.header.fields.not (\"Subject\" X-Spam)",
                vec![1],
                Some(SectionText::HeaderFields {
                    not: true,
                    fields: vec!["Subject".into(), "X-Spam".into()],
                }),
            ),
        ];
        for (text, part, spec) in rows {
            let section: Section = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                section.part(),
                part.iter().map(|&v| nz(v)).collect::<Vec<_>>().as_slice(),
                "{text}"
            );
            assert_eq!(section.text(), spec.as_ref(), "{text}");
        }
    }

    #[test]
    fn rejects() {
        for bad in [
            "0",
            "1.",
            ".1",
            "1..2",
            "MIME",
            "1.MIMEX",
            "HEADER ",
            "HEADER.FIELDS",
            "HEADER.FIELDS ()",
            "HEADER.FIELDS (A",
            "HEADER.FIELDS(A)",
            "HEADER.FIELDS (A) ",
            "HEADER.FIELDS (A:B)",
            "01",
            "4294967296",
            "1.2.X",
            "TEXT.1",
            "HEADER.FIELDS (\"A)",
        ] {
            assert!(bad.parse::<Section>().is_err(), "{bad:?}");
        }
    }

    fn field_name() -> impl Strategy<Value = String> {
        "[!-9;-~]{1,12}"
    }

    fn section() -> impl Strategy<Value = Section> {
        let part = proptest::collection::vec(1u32..1000, 0..5);
        let text = prop_oneof![
            Just(None),
            Just(Some(SectionText::Header)),
            Just(Some(SectionText::Text)),
            Just(Some(SectionText::Mime)),
            (any::<bool>(), proptest::collection::vec(field_name(), 1..4))
                .prop_map(|(not, fields)| Some(SectionText::HeaderFields { not, fields })),
        ];
        (part, text).prop_filter_map("MIME needs a part", |(part, text)| {
            Section::new(part.into_iter().map(nz).collect(), text).ok()
        })
    }

    proptest! {
        #[test]
        fn display_parses_back(section in section()) {
            let text = section.to_string();
            prop_assert_eq!(text.parse::<Section>().unwrap(), section);
        }

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(section) = Section::try_from(bytes.as_slice()) {
                prop_assert_eq!(section.to_string().parse::<Section>().unwrap(), section);
            }
        }

        #[test]
        fn parse_alphabet_never_panics(text in "[0-9.A-Za-z ()\"\\\\:]{0,40}") {
            if let Ok(section) = text.parse::<Section>() {
                prop_assert_eq!(section.to_string().parse::<Section>().unwrap(), section);
            }
        }
    }
}
