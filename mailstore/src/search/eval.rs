//! Search criteria evaluated in Rust, one message at a time: for backends without the
//! SQL index (the in-memory store), with the semantics of the index's SQL.
//!
//! Every criterion compares what [`crate::search::sql`] compares, with the same
//! matchers ([`crate::search::matching`], [`crate::search::words`]). SQL's
//! three-valued logic is kept: a `SENTBEFORE`/`SENTON`/`SENTSINCE` on a message
//! without a `Date:` is neither true nor false (SQL `NULL`), so that neither it nor its
//! `NOT` matches, and `OR`/`AND` combine such unknowns as SQL does.

use super::SearchKey;
use super::matching::{contains_ignoring_case, header_contains};
use super::sql::MAX_SEARCH_DEPTH;
use super::words::{Phrase, Words};
use crate::mime::HeaderSummary;
use crate::types::{Flags, InternalDate, Keyword, ModSeq, SystemFlag, Uid, UidSet};

/// What search and sort look at in a message's content, computed once when it is
/// stored (the columns of the index's `content` row and its full-text entry).
#[derive(Debug, Clone)]
pub(crate) struct Indexed {
    /// Decoded header texts, sort keys, the `Date:`.
    pub(crate) summary: HeaderSummary,
    /// The RFC 5256 base subject.
    pub(crate) sort_subject: String,
    /// The kept root header block, for `HEADER`.
    pub(crate) header: Vec<u8>,
    /// The words of the header text and of the body text, for `TEXT` and `BODY`.
    pub(crate) header_words: Words,
    pub(crate) body_words: Words,
}

/// One message as search and sort see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate<'a> {
    pub(crate) uid: Uid,
    pub(crate) flags: &'a Flags,
    pub(crate) internal_date: InternalDate,
    pub(crate) size: u64,
    pub(crate) modseq: ModSeq,
    pub(crate) content: &'a Indexed,
}

/// A [`SearchKey`] prepared for evaluation: depth checked, phrases folded once.
#[derive(Debug, Clone)]
pub(crate) struct Matcher(Node);

#[derive(Debug, Clone)]
enum Node {
    Const(bool),
    And(Vec<Self>),
    Or(Box<Self>, Box<Self>),
    Not(Box<Self>),
    Flag(SystemFlag),
    Keyword(Keyword),
    Uid(UidSet),
    /// The internal date's own day against a day number.
    InternalDay(Compare, i64),
    /// The `Date:` header's own day against a day number (unknown without one).
    SentDay(Compare, i64),
    /// The internal date's instant against seconds since the epoch.
    Arrived(Compare, i64),
    Larger(u64),
    Smaller(u64),
    Header(String, String),
    Contains(Field, String),
    /// A full-text phrase, in the body only or in the header and the body.
    Phrase {
        body_only: bool,
        phrase: Phrase,
    },
    ModSeq(u64),
}

#[derive(Debug, Clone, Copy)]
enum Compare {
    Below,
    Equal,
    AtLeast,
}

impl Compare {
    fn holds(self, value: i64, bound: i64) -> bool {
        match self {
            Self::Below => value < bound,
            Self::Equal => value == bound,
            Self::AtLeast => value >= bound,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Field {
    From,
    To,
    Cc,
    Bcc,
    Subject,
}

/// A number as the index binds it: SQLite integers stop at `i64::MAX`.
fn clamp(n: u64) -> u64 {
    n.min(i64::MAX as u64)
}

impl Matcher {
    /// Prepares a criteria tree; `None` when it is deeper than [`MAX_SEARCH_DEPTH`] (as
    /// the index refuses it).
    pub(crate) fn new(key: &SearchKey) -> Option<Self> {
        compile(key, 0).map(Self)
    }

    /// Whether the message matches (an unknown result does not).
    pub(crate) fn matches(&self, message: &Candidate<'_>) -> bool {
        self.0.eval(message) == Some(true)
    }
}

fn compile(key: &SearchKey, depth: usize) -> Option<Node> {
    if depth > MAX_SEARCH_DEPTH {
        return None;
    }
    let day = |date: &crate::types::Date| date.days_since_epoch();
    Some(match key {
        SearchKey::All => Node::Const(true),
        SearchKey::And(keys) => Node::And(
            keys.iter()
                .map(|k| compile(k, depth + 1))
                .collect::<Option<_>>()?,
        ),
        SearchKey::Or(a, b) => Node::Or(
            Box::new(compile(a, depth + 1)?),
            Box::new(compile(b, depth + 1)?),
        ),
        SearchKey::Not(k) => Node::Not(Box::new(compile(k, depth + 1)?)),
        SearchKey::Flag(flag) => Node::Flag(*flag),
        SearchKey::Keyword(k) => Node::Keyword(k.clone()),
        SearchKey::Uid(set) => Node::Uid(set.clone()),
        SearchKey::Before(d) => Node::InternalDay(Compare::Below, day(d)),
        SearchKey::On(d) => Node::InternalDay(Compare::Equal, day(d)),
        SearchKey::Since(d) => Node::InternalDay(Compare::AtLeast, day(d)),
        SearchKey::SentBefore(d) => Node::SentDay(Compare::Below, day(d)),
        SearchKey::SentOn(d) => Node::SentDay(Compare::Equal, day(d)),
        SearchKey::SentSince(d) => Node::SentDay(Compare::AtLeast, day(d)),
        SearchKey::ArrivedBefore(t) => Node::Arrived(Compare::Below, *t),
        SearchKey::ArrivedSince(t) => Node::Arrived(Compare::AtLeast, *t),
        SearchKey::Larger(n) => Node::Larger(clamp(*n)),
        SearchKey::Smaller(n) => Node::Smaller(clamp(*n)),
        SearchKey::Header(name, value) => Node::Header(name.clone(), value.clone()),
        SearchKey::From(s) => Node::Contains(Field::From, s.clone()),
        SearchKey::To(s) => Node::Contains(Field::To, s.clone()),
        SearchKey::Cc(s) => Node::Contains(Field::Cc, s.clone()),
        SearchKey::Bcc(s) => Node::Contains(Field::Bcc, s.clone()),
        SearchKey::Subject(s) => Node::Contains(Field::Subject, s.clone()),
        SearchKey::Body(s) => phrase(s, true),
        SearchKey::Text(s) => phrase(s, false),
        SearchKey::ModSeq(m) => Node::ModSeq(clamp(m.get())),
    })
}

fn phrase(needle: &str, body_only: bool) -> Node {
    match Phrase::new(needle) {
        None => Node::Const(true),
        Some(phrase) => Node::Phrase { body_only, phrase },
    }
}

impl Node {
    /// SQL's three-valued result: `None` is `NULL`.
    fn eval(&self, m: &Candidate<'_>) -> Option<bool> {
        let c = m.content;
        Some(match self {
            Self::Const(value) => *value,
            Self::And(nodes) => {
                let mut unknown = false;
                for node in nodes {
                    match node.eval(m) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                return if unknown { None } else { Some(true) };
            }
            Self::Or(a, b) => {
                return match (a.eval(m), b.eval(m)) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                };
            }
            Self::Not(node) => return node.eval(m).map(|v| !v),
            Self::Flag(flag) => m.flags.has(*flag),
            Self::Keyword(k) => m.flags.has_keyword(k.as_str()),
            Self::Uid(set) => set.contains(m.uid),
            Self::InternalDay(op, bound) => op.holds(m.internal_date.local_days(), *bound),
            Self::SentDay(op, bound) => op.holds(c.summary.sent?.1, *bound),
            Self::Arrived(op, bound) => op.holds(m.internal_date.timestamp(), *bound),
            Self::Larger(n) => m.size > *n,
            Self::Smaller(n) => m.size < *n,
            Self::Header(name, value) => header_contains(&c.header, name, value),
            Self::Contains(field, needle) => {
                let s = &c.summary;
                let hay = match field {
                    Field::From => &s.from,
                    Field::To => &s.to,
                    Field::Cc => &s.cc,
                    Field::Bcc => &s.bcc,
                    Field::Subject => &s.subject,
                };
                contains_ignoring_case(hay, needle)
            }
            Self::Phrase { body_only, phrase } => {
                c.body_words.contains(phrase) || (!body_only && c.header_words.contains(phrase))
            }
            Self::ModSeq(bound) => m.modseq.get() >= *bound,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::{Analysis, analyze};
    use crate::types::Date;

    fn indexed(message: &str) -> Indexed {
        let Analysis {
            summary,
            sort_subject,
            header,
            header_text,
            body_text,
            ..
        } = analyze(message.as_bytes());
        Indexed {
            summary,
            sort_subject,
            header,
            header_words: Words::of(&header_text),
            body_words: Words::of(&body_text),
        }
    }

    fn uids(key: &SearchKey, messages: &[(Flags, Indexed)]) -> Vec<u32> {
        let matcher = Matcher::new(key).unwrap();
        (1..)
            .zip(messages)
            .filter(|(uid, (flags, content))| {
                matcher.matches(&Candidate {
                    uid: Uid::new(*uid).unwrap(),
                    flags,
                    internal_date: InternalDate::new(1_704_067_200 + i64::from(*uid) * 86_400, 0),
                    size: u64::from(*uid) * 100,
                    modseq: ModSeq::new(u64::from(*uid)),
                    content,
                })
            })
            .map(|(uid, _)| uid)
            .collect()
    }

    #[test]
    fn criteria_as_the_index_evaluates_them() {
        let seen = Flags::new().with(SystemFlag::Seen);
        let messages = [
            (
                seen,
                indexed(
                    "Subject: Re: Budget\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\nX-Tag: urgent\r\n\r\nThe budget meeting.\r\n",
                ),
            ),
            (
                Flags::new(),
                indexed("From: amy@example.org\r\nSubject: agenda\r\n\r\nLunch at noon.\r\n"),
            ),
        ];
        let day = |d| Date::new(2024, 1, d).unwrap();
        let cases: Vec<(SearchKey, Vec<u32>)> = vec![
            (SearchKey::All, vec![1, 2]),
            (SearchKey::Flag(SystemFlag::Seen), vec![1]),
            (SearchKey::Text("budget meet".into()), vec![1]),
            (SearchKey::Text("agenda".into()), vec![2]),
            (SearchKey::Body("agenda".into()), vec![]),
            (SearchKey::Body("..".into()), vec![1, 2]),
            (SearchKey::From("AMY".into()), vec![2]),
            (SearchKey::Header("x-tag".into(), String::new()), vec![1]),
            (SearchKey::On(day(2)), vec![1]),
            (SearchKey::Since(day(3)), vec![2]),
            (SearchKey::Larger(100), vec![2]),
            (SearchKey::ModSeq(ModSeq::new(u64::MAX)), vec![]),
            // No Date: in message 2: unknown, so neither the key nor its NOT matches.
            (SearchKey::SentOn(day(2)), vec![1]),
            (!SearchKey::SentOn(day(2)), vec![]),
            (!SearchKey::SentOn(day(9)), vec![1]),
            (
                SearchKey::SentOn(day(9)).or(SearchKey::Uid("2".parse().unwrap())),
                vec![2],
            ),
            (
                !SearchKey::And(vec![SearchKey::SentOn(day(2)), SearchKey::All]),
                vec![],
            ),
            (
                !SearchKey::And(vec![SearchKey::SentOn(day(2)), !SearchKey::All]),
                vec![1, 2],
            ),
        ];
        for (key, expected) in cases {
            assert_eq!(uids(&key, &messages), expected, "{key:?}");
        }
    }

    #[test]
    fn depth_is_limited_as_in_the_index() {
        let mut key = SearchKey::All;
        for _ in 0..MAX_SEARCH_DEPTH {
            key = !key;
        }
        assert!(Matcher::new(&key).is_some());
        assert!(Matcher::new(&!key).is_none());
    }
}
