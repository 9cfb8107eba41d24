//! Property tests: what the store computes from header text, fed arbitrary Unicode
//! (8-bit header fields as some clients write them, encoded-words, folded lines).
//! Every function here once had, or could have had, a slice by byte index.

use proptest::prelude::*;

use super::{analyze_fully, header};
use crate::search::base_subject;
use crate::search::matching::contains_ignoring_case;
use crate::types::{Keyword, MailboxName};
use mailwright_base::mutf7;

/// Text without line breaks, mixing ASCII with multi-byte scripts and combining marks.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\r\n]{0,40}",
        "[a-zA-Z0-9 (),.:;<>@\\[\\]\"=?_-]{0,8}[\\p{Cyrillic}\\p{Greek}\\p{Han}\\p{Katakana}\\p{Emoji}\u{300}-\u{36f} ]{0,12}[a-zA-Z0-9 ()#:-]{0,8}",
    ]
}

/// A header block with the given fields, some of them folded.
fn block(fields: &[(String, String)], fold: bool) -> Vec<u8> {
    let mut out = String::new();
    for (name, value) in fields {
        out.push_str(name);
        out.push_str(": ");
        if fold {
            // Fold at the first blank that is not the first character.
            match value.char_indices().skip(1).find(|(_, c)| *c == ' ') {
                Some((at, _)) => {
                    out.push_str(&value[..at]);
                    out.push_str("\r\n");
                    out.push_str(&value[at..]);
                }
                None => out.push_str(value),
            }
        } else {
            out.push_str(value);
        }
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

proptest! {
    /// A whole message with Unicode in its subject, addresses and body: the analysis
    /// (structure, envelope, search texts, sort keys, base subject) never panics, the
    /// envelope keeps the raw subject, and the base subject is a fixed point.
    #[test]
    fn analysis_of_unicode_headers(
        subject in text(),
        name in text(),
        local in "[a-z0-9.]{1,8}",
        body in "\\PC{0,60}",
        fold: bool,
    ) {
        let from = format!("\"{}\" <{local}@bücher.test>", name.replace(['"', '\\'], ""));
        let mut data = block(
            &[("From".into(), from), ("Subject".into(), subject.clone()), ("To".into(), format!("{name} <x@例え.jp>"))],
            fold,
        );
        data.extend_from_slice(body.as_bytes());
        let analysis = analyze_fully(&data);
        prop_assert_eq!(analysis.failure, None);
        let raw = analysis.summary.envelope.subject.clone().unwrap_or_default();
        let expected = header::unfold(subject.as_bytes());
        prop_assert_eq!(String::from_utf8_lossy(&expected), String::from_utf8_lossy(&raw));
        prop_assert_eq!(base_subject(&analysis.sort_subject), analysis.sort_subject);
        prop_assert!(analysis.body_text.len() <= super::MAX_INDEXED_TEXT);
    }

    /// Raw bytes that are almost a header: no panic, offsets inside the message.
    #[test]
    fn analysis_of_arbitrary_text(data in "\\PC{0,200}") {
        let analysis = analyze_fully(data.as_bytes());
        prop_assert!(analysis.structure.end as usize <= data.len());
        prop_assert!(analysis.header.len() <= data.len());
    }

    /// Splitting and unfolding Unicode fields: every field put in comes out, by name,
    /// with its value unfolded and trimmed.
    #[test]
    fn header_fields_of_unicode_values(values in proptest::collection::vec(text(), 1..5), fold: bool) {
        let fields: Vec<(String, String)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("X-F{i}"), v.clone()))
            .collect();
        let data = block(&fields, fold);
        prop_assert_eq!(header::fields(&data).count(), fields.len());
        for (name, value) in &fields {
            let got = header::first_value(&data, name).unwrap_or_default();
            prop_assert_eq!(got, header::unfold(value.as_bytes()));
        }
        let selected = header::select(&data, &[fields[0].0.clone()], false);
        prop_assert!(selected.ends_with(b"\r\n"));
    }

    /// Case-insensitive substring search (SEARCH SUBJECT/FROM/TEXT fallbacks) on any
    /// text: a piece of the text is always found, and in another case where case mapping
    /// round-trips.
    #[test]
    fn substring_search_finds_pieces(hay in "\\PC{0,40}", a in 0usize..40, b in 0usize..40) {
        let chars: Vec<char> = hay.chars().collect();
        let (a, b) = (a.min(chars.len()), b.min(chars.len()));
        let needle: String = chars[a.min(b)..a.max(b)].iter().collect();
        prop_assert!(contains_ignoring_case(&hay, &needle));
        prop_assert!(contains_ignoring_case(&hay.to_lowercase(), &needle.to_uppercase().to_lowercase()) || needle.to_uppercase().to_lowercase() != needle.to_lowercase());
        let _ = contains_ignoring_case(&needle, &hay);
    }

    /// Mailbox names in any script: valid ones keep their parents, renames and their
    /// modified UTF-7 folder names.
    #[test]
    fn unicode_mailbox_names(levels in proptest::collection::vec("[^./*%\\\\\\p{Cc}]{1,8}", 1..4)) {
        let text = levels.join(".");
        if let Ok(name) = MailboxName::try_from(text.as_str()) {
            prop_assert_eq!(mutf7::decode(&mutf7::encode(name.as_str())), Ok(name.as_str().to_owned()));
            if let Some(parent) = name.parent() {
                prop_assert!(name.is_descendant_of(&parent));
                let to = MailboxName::try_from("Archiv-ä").unwrap_or_else(|_| MailboxName::inbox());
                let renamed = name.with_prefix_replaced(&parent, &to);
                prop_assert!(renamed.as_str().starts_with(to.as_str()));
            }
        }
    }

    /// Keywords from any text: no panic; a valid keyword is ASCII.
    #[test]
    fn keywords_from_unicode(text in "\\PC{0,20}") {
        if let Ok(k) = Keyword::try_from(text.as_str()) {
            prop_assert!(k.as_str().is_ascii());
        }
        for k in crate::index::rows::parse_keywords(&text) {
            prop_assert!(k.as_str().is_ascii());
        }
    }
}
