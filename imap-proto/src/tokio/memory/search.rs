//! SEARCH and SORT over stored messages.

use std::cmp::Ordering;

use crate::command::{SearchKey, SortCriterion, SortKey};
use crate::tokio::memory::header::{addresses, sent_date};
use crate::tokio::memory::store::Stored;
use crate::types::{Date, Flag};

/// Whether `m` matches `key`; `now` is the current Unix time (OLDER/YOUNGER).
pub(crate) fn matches(key: &SearchKey<'_>, m: &Stored, now: i64) -> bool {
    let has = |f: &Flag<'_>| m.flags.iter().any(|x| x == f);
    let header = |name: &str, needle: &[u8]| {
        m.part
            .fields
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .any(|(_, v)| contains(v.as_bytes(), needle))
    };
    let internal = || m.internal_date.date();
    let sent = || {
        m.part
            .field("Date")
            .and_then(sent_date)
            .unwrap_or_else(internal)
    };
    match key {
        SearchKey::All => true,
        SearchKey::Answered => has(&Flag::ANSWERED),
        SearchKey::Deleted => has(&Flag::DELETED),
        SearchKey::Draft => has(&Flag::DRAFT),
        SearchKey::Flagged => has(&Flag::FLAGGED),
        SearchKey::Seen => has(&Flag::SEEN),
        SearchKey::Unanswered => !has(&Flag::ANSWERED),
        SearchKey::Undeleted => !has(&Flag::DELETED),
        SearchKey::Undraft => !has(&Flag::DRAFT),
        SearchKey::Unflagged => !has(&Flag::FLAGGED),
        SearchKey::Unseen => !has(&Flag::SEEN),
        // \Recent is not kept: nothing is new or recent, everything is old.
        SearchKey::New | SearchKey::Recent => false,
        SearchKey::Old => true,
        SearchKey::Keyword(f) => has(f),
        SearchKey::Unkeyword(f) => !has(f),
        SearchKey::Bcc(s) => header("Bcc", s.as_bytes()),
        SearchKey::Cc(s) => header("Cc", s.as_bytes()),
        SearchKey::From(s) => header("From", s.as_bytes()),
        SearchKey::To(s) => header("To", s.as_bytes()),
        SearchKey::Subject(s) => header("Subject", s.as_bytes()),
        SearchKey::Header(name, value) => {
            let name = String::from_utf8_lossy(name.as_bytes());
            header(&name, value.as_bytes())
        }
        SearchKey::Body(s) => contains(&m.raw[m.part.body.clone()], s.as_bytes()),
        SearchKey::Text(s) => contains(&m.raw, s.as_bytes()),
        SearchKey::Before(d) => internal() < *d,
        SearchKey::On(d) => internal() == *d,
        SearchKey::Since(d) => internal() >= *d,
        SearchKey::SentBefore(d) => sent() < *d,
        SearchKey::SentOn(d) => sent() == *d,
        SearchKey::SentSince(d) => sent() >= *d,
        SearchKey::Larger(n) => m.raw.len() as u64 > *n,
        SearchKey::Smaller(n) => (m.raw.len() as u64) < *n,
        SearchKey::Older(s) => now - m.internal_date.to_unix() >= i64::from(*s),
        SearchKey::Younger(s) => now - m.internal_date.to_unix() <= i64::from(*s),
        SearchKey::Uid(set) => set.contains(m.uid, u32::MAX),
        SearchKey::ModSeq { modseq, .. } => m.modseq >= *modseq,
        SearchKey::Not(k) => !matches(k, m, now),
        SearchKey::Or(a, b) => matches(a, m, now) || matches(b, m, now),
        SearchKey::And(keys) => keys.iter().all(|k| matches(k, m, now)),
        // The session rewrote message numbers to UIDs.
        SearchKey::SequenceSet(_) => false,
    }
}

/// Case-insensitive substring search (ASCII case folding).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Orders messages by SORT criteria (RFC 5256), ties by UID.
pub(crate) fn sort(messages: &mut [&Stored], criteria: &[SortCriterion]) {
    messages.sort_by(|a, b| {
        for c in criteria {
            let order = compare(a, b, c.key);
            let order = if c.reverse { order.reverse() } else { order };
            if order != Ordering::Equal {
                return order;
            }
        }
        a.uid.cmp(&b.uid)
    });
}

fn compare(a: &Stored, b: &Stored, key: SortKey) -> Ordering {
    match key {
        SortKey::Arrival => a.internal_date.to_unix().cmp(&b.internal_date.to_unix()),
        SortKey::Date => sort_date(a).cmp(&sort_date(b)),
        SortKey::Size => a.raw.len().cmp(&b.raw.len()),
        SortKey::Subject => base_subject(a).cmp(&base_subject(b)),
        SortKey::From => first_mailbox(a, "From").cmp(&first_mailbox(b, "From")),
        SortKey::To => first_mailbox(a, "To").cmp(&first_mailbox(b, "To")),
        SortKey::Cc => first_mailbox(a, "Cc").cmp(&first_mailbox(b, "Cc")),
        SortKey::DisplayFrom => display(a, "From").cmp(&display(b, "From")),
        SortKey::DisplayTo => display(a, "To").cmp(&display(b, "To")),
    }
}

fn sort_date(m: &Stored) -> Date {
    m.part
        .field("Date")
        .and_then(sent_date)
        .unwrap_or_else(|| m.internal_date.date())
}

/// The subject without `Re:`/`Fwd:` prefixes and `(fwd)` trailers, lower-cased.
fn base_subject(m: &Stored) -> String {
    let mut s = m.part.field("Subject").unwrap_or("").trim().to_lowercase();
    loop {
        let before = s.len();
        for prefix in ["re:", "fw:", "fwd:"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim_start().to_owned();
            }
        }
        if let Some(rest) = s.strip_suffix("(fwd)") {
            s = rest.trim_end().to_owned();
        }
        if s.len() == before {
            return s;
        }
    }
}

fn first_mailbox(m: &Stored, field: &str) -> String {
    m.part
        .field(field)
        .map(addresses)
        .and_then(|list| list.into_iter().next())
        .and_then(|a| {
            a.mailbox
                .as_bytes()
                .map(|b| String::from_utf8_lossy(b).to_lowercase())
        })
        .unwrap_or_default()
}

fn display(m: &Stored, field: &str) -> String {
    let first = m
        .part
        .field(field)
        .map(addresses)
        .and_then(|l| l.into_iter().next());
    first
        .and_then(|a| {
            a.name
                .as_bytes()
                .or(a.mailbox.as_bytes())
                .map(|b| String::from_utf8_lossy(b).to_lowercase())
        })
        .unwrap_or_default()
}
