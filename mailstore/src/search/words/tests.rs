//! The words and phrases of this module against SQLite's FTS5 itself, with the table
//! definition and the query form of the index.

use proptest::prelude::*;
use rusqlite::Connection;

use super::{Phrase, Words, query_words};
use crate::search::sql::fts_phrase;

/// An in-memory FTS5 table made as the index makes its own.
fn fts() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE fts USING fts5(header, body, content='', contentless_delete=1,
            tokenize='unicode61 remove_diacritics 2');",
    )
    .unwrap();
    conn
}

/// Whether FTS5 finds `needle` in `text` (as the body), as the index queries it.
fn sqlite_finds(conn: &Connection, text: &str, needle: &str) -> bool {
    conn.execute("DELETE FROM fts WHERE rowid = 1", []).unwrap();
    conn.execute(
        "INSERT INTO fts(rowid, header, body) VALUES (1, '', ?1)",
        [text],
    )
    .unwrap();
    match fts_phrase(needle) {
        None => true,
        Some(phrase) => {
            conn.query_row(
                "SELECT count(*) FROM fts WHERE fts MATCH ?1",
                [format!("body : {phrase}")],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
                == 1
        }
    }
}

fn we_find(text: &str, needle: &str) -> bool {
    Phrase::new(needle).is_none_or(|p| Words::of(text).contains(&p))
}

#[test]
fn known_cases_agree_with_fts5() {
    let conn = fts();
    let cases: &[(&str, &str, bool)] = &[
        ("Viele Grüße aus Köln", "koln", true),
        ("Viele Grüße aus Köln", "GRUSSE", false),
        ("Viele Grüße aus Köln", "grüße aus", true),
        ("The budget meeting is moved.", "budget meeting", true),
        ("The budget meeting is moved.", "budget meet", true),
        ("The budget meeting is moved.", "budg meeting", false),
        ("The budget meeting is moved.", "udget", false),
        ("Lunch at noon, then planning.", "plan", true),
        ("Lunch at noon, then planning.", "noon then", true),
        ("Cafe\u{301} au lait", "cafe au", true),
        ("Cafe\u{301} au lait", "café", true),
        ("\u{301}x y", "x y", true),
        ("Ⓐ b", "b", true),
        ("a Ⓐ b", "a b", true),
        ("hello", "Ⓐ", false),
        ("日本語の件名", "日本語の件名", true),
        ("snake_case words", "case words", true),
        ("ΟΔΟΣ", "οδος", true),
        ("x", "", true),
        ("x", " .. ", true),
    ];
    for &(text, needle, expected) in cases {
        assert_eq!(we_find(text, needle), expected, "{text:?} {needle:?}");
        assert_eq!(
            sqlite_finds(&conn, text, needle),
            expected,
            "SQLite: {text:?} {needle:?}"
        );
    }
}

#[test]
fn query_words_are_the_phrase_of_the_index() {
    assert_eq!(query_words("Hello, wor"), ["Hello", "wor"]);
    assert_eq!(query_words(&"a ".repeat(40)).len(), 32);
    assert!(query_words(" ..").is_empty());
}

/// Characters from the scripts and classes that matter to the tokenizer: ASCII,
/// Latin with accents, combining accents, Greek, Cyrillic, CJK, digits of other
/// scripts, marks of Indic scripts, symbols, private use, far planes, and any.
fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        2 => Just(' '),
        1 => proptest::sample::select(vec!['.', '-', '_', '\'', '\n', '\0', '0', '9']),
        3 => proptest::char::range('\u{C0}', '\u{24F}'),
        2 => proptest::char::range('\u{300}', '\u{36F}'),
        1 => proptest::char::range('\u{370}', '\u{52F}'),
        1 => proptest::char::range('\u{900}', '\u{97F}'),
        1 => proptest::char::range('\u{1E00}', '\u{1FFF}'),
        1 => proptest::char::range('\u{2100}', '\u{24FF}'),
        1 => proptest::char::range('\u{3040}', '\u{30FF}'),
        1 => proptest::char::range('\u{E000}', '\u{E010}'),
        1 => proptest::char::range('\u{FF00}', '\u{FF60}'),
        1 => proptest::char::range('\u{10400}', '\u{1044F}'),
        1 => proptest::char::range('\u{1F300}', '\u{1F320}'),
        1 => proptest::char::range('\u{20000}', '\u{20010}'),
        2 => any::<char>(),
    ]
}

/// The words FTS5 keeps of `text`, in order (read back through `fts5vocab`).
fn sqlite_words(conn: &Connection, text: &str) -> Vec<Vec<u8>> {
    conn.execute("DELETE FROM f", []).unwrap();
    conn.execute("INSERT INTO f(rowid, body) VALUES (1, ?1)", [text])
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT CAST(term AS BLOB) FROM v ORDER BY offset")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn our_words(text: &str) -> Vec<Vec<u8>> {
    let mut words = Vec::new();
    super::tokenize(text, |w| words.push(w.to_vec()));
    words
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any text splits into the words FTS5 splits it into, folded alike.
    #[test]
    fn words_are_those_of_fts5(text in proptest::collection::vec(text_char(), 0..40)) {
        let text: String = text.into_iter().collect();
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61 remove_diacritics 2');
             CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance');",
        )
        .unwrap();
        prop_assert_eq!(our_words(&text), sqlite_words(&conn, &text), "{:?}", text);
    }

    /// Any text, and needles cut from it (so that they are often found) or random:
    /// FTS5 and this module agree.
    #[test]
    fn agrees_with_fts5(
        text in proptest::collection::vec(text_char(), 0..40),
        cut in (0usize..40, 0usize..12),
        random in proptest::collection::vec(text_char(), 0..6),
    ) {
        let text: String = text.into_iter().collect();
        let chars: Vec<char> = text.chars().collect();
        let start = cut.0.min(chars.len());
        let end = (start + cut.1).min(chars.len());
        let piece: String = chars[start..end].iter().collect();
        let random: String = random.into_iter().collect();
        let conn = fts();
        for needle in [piece.as_str(), random.as_str(), &piece.to_uppercase()] {
            prop_assert_eq!(
                we_find(&text, needle),
                sqlite_finds(&conn, &text, needle),
                "text {:?} needle {:?}", text, needle
            );
        }
    }
}
