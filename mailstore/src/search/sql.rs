//! Turning a [`SearchKey`] into SQL.

use rusqlite::types::Value;

use super::SearchKey;
use crate::types::Date;

/// The deepest criteria tree that is evaluated (deeper trees are refused, so that a
/// client cannot make the query builder recurse without bound).
pub const MAX_SEARCH_DEPTH: usize = 64;

/// A `WHERE` clause over `message m JOIN content c` and its parameters.
#[derive(Debug, Default)]
pub(crate) struct Where {
    pub(crate) sql: String,
    pub(crate) params: Vec<Value>,
}

impl Where {
    /// Builds the clause; `None` when the tree is deeper than [`MAX_SEARCH_DEPTH`].
    pub(crate) fn build(key: &SearchKey) -> Option<Self> {
        let mut out = Self::default();
        out.key(key, 0)?;
        Some(out)
    }

    fn param(&mut self, value: impl Into<Value>) -> String {
        self.params.push(value.into());
        format!("?{}", self.params.len() + 1)
    }

    fn key(&mut self, key: &SearchKey, depth: usize) -> Option<()> {
        if depth > MAX_SEARCH_DEPTH {
            return None;
        }
        match key {
            SearchKey::All => self.sql.push('1'),
            SearchKey::And(keys) if keys.is_empty() => self.sql.push('1'),
            SearchKey::And(keys) => {
                self.sql.push('(');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        self.sql.push_str(" AND ");
                    }
                    self.key(k, depth + 1)?;
                }
                self.sql.push(')');
            }
            SearchKey::Or(a, b) => {
                self.sql.push('(');
                self.key(a, depth + 1)?;
                self.sql.push_str(" OR ");
                self.key(b, depth + 1)?;
                self.sql.push(')');
            }
            SearchKey::Not(k) => {
                self.sql.push_str("NOT (");
                self.key(k, depth + 1)?;
                self.sql.push(')');
            }
            SearchKey::Flag(flag) => {
                self.sql
                    .push_str(&format!("(m.flags & {}) != 0", flag.bit()));
            }
            SearchKey::Keyword(k) => {
                let p = self.param(k.as_str().to_owned());
                self.sql.push_str(&format!("has_keyword(m.keywords, {p})"));
            }
            SearchKey::Uid(set) => {
                if set.is_empty() {
                    self.sql.push('0');
                } else {
                    self.sql.push('(');
                    for (i, (lo, hi)) in set.ranges().enumerate() {
                        if i > 0 {
                            self.sql.push_str(" OR ");
                        }
                        self.sql
                            .push_str(&format!("m.uid BETWEEN {} AND {}", lo.get(), hi.get()));
                    }
                    self.sql.push(')');
                }
            }
            SearchKey::Before(d) => self.day("m.internal_day", "<", *d),
            SearchKey::On(d) => self.day("m.internal_day", "=", *d),
            SearchKey::Since(d) => self.day("m.internal_day", ">=", *d),
            SearchKey::SentBefore(d) => self.day("c.sent_day", "<", *d),
            SearchKey::SentOn(d) => self.day("c.sent_day", "=", *d),
            SearchKey::SentSince(d) => self.day("c.sent_day", ">=", *d),
            SearchKey::ArrivedBefore(t) => self.sql.push_str(&format!("m.internal_date < {t}")),
            SearchKey::ArrivedSince(t) => self.sql.push_str(&format!("m.internal_date >= {t}")),
            SearchKey::Larger(n) => {
                let p = self.param(i64::try_from(*n).unwrap_or(i64::MAX));
                self.sql.push_str(&format!("m.size > {p}"));
            }
            SearchKey::Smaller(n) => {
                let p = self.param(i64::try_from(*n).unwrap_or(i64::MAX));
                self.sql.push_str(&format!("m.size < {p}"));
            }
            SearchKey::Header(name, value) => {
                let n = self.param(name.clone());
                let v = self.param(value.clone());
                self.sql
                    .push_str(&format!("header_contains(c.header, {n}, {v})"));
            }
            SearchKey::From(s) => self.contains("c.from_text", s),
            SearchKey::To(s) => self.contains("c.to_text", s),
            SearchKey::Cc(s) => self.contains("c.cc_text", s),
            SearchKey::Bcc(s) => self.contains("c.bcc_text", s),
            SearchKey::Subject(s) => self.contains("c.subject", s),
            SearchKey::Body(s) => self.fts("body", s),
            SearchKey::Text(s) => self.fts("{header body}", s),
            SearchKey::ModSeq(m) => {
                let p = self.param(i64::try_from(m.get()).unwrap_or(i64::MAX));
                self.sql.push_str(&format!("m.modseq >= {p}"));
            }
        }
        Some(())
    }

    fn day(&mut self, column: &str, op: &str, date: Date) {
        self.sql
            .push_str(&format!("{column} {op} {}", date.days_since_epoch()));
    }

    fn contains(&mut self, column: &str, needle: &str) {
        let p = self.param(needle.to_owned());
        self.sql.push_str(&format!("ci_contains({column}, {p})"));
    }

    fn fts(&mut self, columns: &str, needle: &str) {
        match fts_phrase(needle) {
            None => self.sql.push('1'),
            Some(phrase) => {
                let p = self.param(format!("{columns} : {phrase}"));
                self.sql.push_str(&format!(
                    "m.content_id IN (SELECT rowid FROM fts WHERE fts MATCH {p})"
                ));
            }
        }
    }
}

/// The words of a search string as an FTS5 phrase with the last word as a prefix:
/// `"hello wor"*`. `None` when the string has no word (it then matches everything).
pub(crate) fn fts_phrase(needle: &str) -> Option<String> {
    let words = super::words::query_words(needle);
    if words.is_empty() {
        return None;
    }
    Some(format!("\"{}\"*", words.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Keyword, SystemFlag, UidSet};

    #[test]
    fn builds_clauses() {
        let key = SearchKey::And(vec![
            !SearchKey::Flag(SystemFlag::Seen),
            SearchKey::Keyword(Keyword::try_from("Work").unwrap()).or(SearchKey::Larger(100)),
            SearchKey::Uid("1:3,7".parse::<UidSet>().unwrap()),
            SearchKey::Text("Hello, wor".into()),
        ]);
        let w = Where::build(&key).unwrap();
        assert_eq!(
            w.sql,
            "(NOT ((m.flags & 1) != 0) AND (has_keyword(m.keywords, ?2) OR m.size > ?3) AND (m.uid BETWEEN 1 AND 3 OR m.uid BETWEEN 7 AND 7) AND m.content_id IN (SELECT rowid FROM fts WHERE fts MATCH ?4))"
        );
        assert_eq!(w.params.len(), 3);
        assert_eq!(
            w.params[2],
            Value::Text("{header body} : \"Hello wor\"*".into())
        );
    }

    #[test]
    fn phrases_are_safe() {
        assert_eq!(
            fts_phrase("\"; DROP TABLE x; --"),
            Some("\"DROP TABLE x\"*".into())
        );
        assert_eq!(fts_phrase("  ..  "), None);
        assert_eq!(fts_phrase("Grüße"), Some("\"Grüße\"*".into()));
    }

    #[test]
    fn depth_is_limited() {
        let mut key = SearchKey::All;
        for _ in 0..(MAX_SEARCH_DEPTH + 2) {
            key = !key;
        }
        assert!(Where::build(&key).is_none());
    }
}
