//! Search criteria and sort orders (RFC 9051 section 6.4.4, RFC 5256), evaluated in
//! the index.
//!
//! A [`SearchKey`] tree becomes one SQL `WHERE` clause: flags, dates, sizes and UIDs
//! are columns, address and subject fields are decoded text columns compared with a
//! case-insensitive substring match, `HEADER` fields are matched in the stored header
//! block, and `TEXT`/`BODY` go through the FTS5 full-text index.
//!
//! `TEXT` and `BODY` match words, not arbitrary substrings: the search string is split
//! into words, which must appear in that order, the last one as a prefix (`"hel wor"`
//! finds "hello world"). This is what Dovecot's FTS plugins do too; a substring
//! inside a word (`"ello"`) is not found.

pub(crate) mod eval;
mod key;
pub(crate) mod matching;

pub(crate) mod sort;
pub(crate) mod sql;
mod subject;
pub(crate) mod words;

pub use key::SearchKey;

pub use mailwright_base::{SortCriterion, SortKey};
pub use sql::MAX_SEARCH_DEPTH;
pub use subject::base_subject;
