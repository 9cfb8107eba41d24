//! The words of a text as full-text search (`TEXT`, `BODY`) sees them.
//!
//! The Maildir backend hands texts to SQLite's FTS5 with the `unicode61
//! remove_diacritics 2` tokenizer and searches them with a phrase whose last word is a
//! prefix (see [`crate::search`]). This module does the same in Rust, for backends
//! without FTS5 (the in-memory store): the same word characters ([`category`]), the
//! same folding of case and accents ([`fold`]), the same 32 KiB cut of long words, so
//! that a search finds the same messages in both. A differential test below runs both
//! on the same texts.
//!
//! The query side starts where the SQL side does: [`query_words`] splits the search
//! string into at most 32 words, which become one phrase.

mod category;
mod fold;

/// The most words of a search string that are searched for (the rest is ignored).
const MAX_QUERY_WORDS: usize = 32;

/// Longer words are cut to this many bytes, in the index and in queries (SQLite
/// `FTS5_MAX_TOKEN_SIZE`).
const MAX_WORD_BYTES: usize = 32_768;

/// The words of a search string (runs of alphanumeric characters), at most 32: what
/// the full-text phrase is made of. Empty when the string has no word, which then
/// matches every message.
pub(crate) fn query_words(needle: &str) -> Vec<&str> {
    needle
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_QUERY_WORDS)
        .collect()
}

/// The folded words of a text, each preceded and followed by a space, in one buffer:
/// a phrase is found with one substring search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Words(Vec<u8>);

impl Words {
    /// Splits and folds a text.
    pub(crate) fn of(text: &str) -> Self {
        let mut out = Vec::with_capacity(text.len() + 1);
        out.push(b' ');
        tokenize(text, |word| {
            out.extend_from_slice(word);
            out.push(b' ');
        });
        Self(out)
    }

    /// Whether the phrase occurs: its words in a row, the last one as a prefix.
    pub(crate) fn contains(&self, phrase: &Phrase) -> bool {
        !phrase.0.is_empty() && memchr::memmem::find(&self.0, &phrase.0).is_some()
    }
}

/// A search string as a full-text phrase: its words folded, in order, the last one a
/// prefix (`"hel wor"` finds "hello world"). Each word is preceded by a space, so the
/// phrase starts at a word and its inner words match whole words of [`Words`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Phrase(Vec<u8>);

impl Phrase {
    /// The phrase of a search string; `None` when the string has no word (it then
    /// matches every message). A phrase whose words are no words to the tokenizer
    /// matches nothing, as in FTS5.
    pub(crate) fn new(needle: &str) -> Option<Self> {
        let words = query_words(needle);
        if words.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(needle.len() + 1);
        tokenize(&words.join(" "), |word| {
            out.push(b' ');
            out.extend_from_slice(word);
        });
        Some(Self(out))
    }
}

/// Calls `emit` with each word of `text`, folded (SQLite `fts5UnicodeTokenize`): a word
/// starts at a word character and runs over word characters and combining accents.
fn tokenize(text: &str, mut emit: impl FnMut(&[u8])) {
    let mut word = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        // Separators: everything but a word character (an accent cannot start a word).
        let first = loop {
            match chars.next() {
                None => return,
                Some(c) if is_word_char(c) => break c,
                Some(_) => {}
            }
        };
        word.clear();
        push_folded(&mut word, first);
        while let Some(&c) = chars.peek() {
            let continues = if c.is_ascii() {
                is_word_char(c)
            } else {
                is_word_char(c) || fold::is_diacritic(u32::from(c))
            };
            if !continues {
                break;
            }
            push_folded(&mut word, c);
            chars.next();
        }
        emit(&word[..word.len().min(MAX_WORD_BYTES)]);
    }
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        category::is_word_char(c)
    }
}

fn push_folded(word: &mut Vec<u8>, c: char) {
    if let Some(folded) = char::from_u32(fold::fold(u32::from(c))).filter(|&f| f != '\0') {
        let mut buf = [0; 4];
        word.extend_from_slice(folded.encode_utf8(&mut buf).as_bytes());
    }
}

#[cfg(test)]
mod tests;
