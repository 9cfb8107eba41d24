//! SQL functions the search queries call, written in Rust.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use crate::mime::header;

/// Registers `ci_contains(hay, needle)`, `has_keyword(keywords, kw)` and
/// `header_contains(header_block, name, needle)`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("ci_contains", 2, flags, |ctx| {
        let hay: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        let needle: String = ctx.get(1)?;
        Ok(contains_ignoring_case(&hay, &needle))
    })?;
    conn.create_scalar_function("has_keyword", 2, flags, |ctx| {
        let keywords: String = ctx.get(0)?;
        let keyword: String = ctx.get(1)?;
        Ok(keywords
            .split(' ')
            .any(|k| k.eq_ignore_ascii_case(&keyword)))
    })?;
    conn.create_scalar_function("header_contains", 3, flags, |ctx| {
        let block: Vec<u8> = ctx.get(0)?;
        let name: String = ctx.get(1)?;
        let needle: String = ctx.get(2)?;
        Ok(header::fields(&block)
            .filter(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
            .any(|f| {
                contains_ignoring_case(&String::from_utf8_lossy(&header::unfold(f.value)), &needle)
            }))
    })?;
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::contains_ignoring_case;

    #[test]
    fn pieces_of_unicode_text_are_found() {
        assert!(contains_ignoring_case("Réunion", "RÉU"));
        // A final sigma: "ΑΣ" alone lower-cases to "ας" as a word, "ασ" inside "ΑΣΑ".
        assert!(contains_ignoring_case("ΑΣΑ", "ΑΣ"));
        assert!(contains_ignoring_case("ΟΔΟΣ", "οδοσ"));
        assert!(contains_ignoring_case("η οδος", "ΟΔΟΣ"));
        assert!(!contains_ignoring_case("Привет", "приветы"));
    }
}
