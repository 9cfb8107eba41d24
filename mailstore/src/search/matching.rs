//! How a search string matches a field: case-insensitive substrings (`FROM`, `SUBJECT`,
//! ...), header fields (`HEADER`) and keywords (`KEYWORD`).
//!
//! Shared by the backends: the SQLite index registers these as SQL functions
//! (`ci_contains`, `header_contains`, `has_keyword`), the in-memory store calls them
//! directly, so both find the same messages.

use crate::mime::header;

/// Substring match ignoring case (Unicode lower-casing), as IMAP SEARCH wants.
pub(crate) fn contains_ignoring_case(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    fold_case(hay).contains(&fold_case(needle))
}

/// Lower case, one character at a time: unlike `str::to_lowercase`, no context rules
/// (a capital sigma is `σ` wherever it stands, not `ς` at the end of a word), so a
/// piece of a text folds to a piece of the text's folding. The final sigma folds to
/// `σ` too, as Unicode case folding has it.
fn fold_case(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ς' { 'σ' } else { c })
        .collect()
}

/// Whether a header block has a field named `name` (ASCII case ignored) whose unfolded
/// value contains `needle` ([`contains_ignoring_case`]); the empty needle matches
/// every field of that name (`HEADER name ""`).
pub(crate) fn header_contains(block: &[u8], name: &str, needle: &str) -> bool {
    header::fields(block)
        .filter(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
        .any(|f| contains_ignoring_case(&String::from_utf8_lossy(&header::unfold(f.value)), needle))
}

/// Whether the keywords, as the index keeps them (separated by spaces), hold `keyword`
/// (ASCII case ignored): what [`crate::Flags::has_keyword`] tells of flags in memory.
pub(crate) fn keywords_text_has(keywords: &str, keyword: &str) -> bool {
    keywords.split(' ').any(|k| k.eq_ignore_ascii_case(keyword))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Flags, Keyword};

    #[test]
    fn pieces_of_unicode_text_are_found() {
        assert!(contains_ignoring_case("Réunion", "RÉU"));
        // A final sigma: "ΑΣ" alone lower-cases to "ας" as a word, "ασ" inside "ΑΣΑ".
        assert!(contains_ignoring_case("ΑΣΑ", "ΑΣ"));
        assert!(contains_ignoring_case("ΟΔΟΣ", "οδοσ"));
        assert!(contains_ignoring_case("η οδος", "ΟΔΟΣ"));
        assert!(!contains_ignoring_case("Привет", "приветы"));
    }

    #[test]
    fn header_fields_and_keywords() {
        let block = b"X-Tag: urgent\r\nSubject: a\r\n b\r\nX-Tag: Later\r\n\r\n";
        assert!(header_contains(block, "x-tag", "LATER"));
        assert!(header_contains(block, "subject", "a b"));
        assert!(header_contains(block, "X-TAG", ""));
        assert!(!header_contains(block, "cc", ""));
        assert!(keywords_text_has("Work $Junk", "$junk"));
        assert!(!keywords_text_has("", "a"));
        let flags = Flags::new().with(Keyword::try_from("Work").unwrap());
        assert!(flags.has_keyword("WORK") && !flags.has_keyword("Wor"));
    }
}
