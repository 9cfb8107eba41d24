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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{base_subject, contains, matches, sort};
    use crate::command::{SearchKey, SortCriterion, SortKey};
    use crate::testing::{unicode_line, unicode_text};
    use crate::tokio::memory::store::{Folder, Stored};
    use crate::tokio::memory::tests::message;
    use crate::types::{AString, DateTime};

    /// A folder holding `raws`, in order.
    fn folder(raws: &[Vec<u8>]) -> Folder {
        let mut folder = Folder::new(1);
        for raw in raws {
            folder.add(raw.clone().into(), Vec::new(), DateTime::UNIX_EPOCH);
        }
        folder
    }

    fn astring(s: &str) -> Result<AString<'static>, TestCaseError> {
        AString::from_text(s.to_owned()).map_err(|e| TestCaseError::fail(e.to_string()))
    }

    const KEYS: [SortKey; 9] = [
        SortKey::Arrival,
        SortKey::Cc,
        SortKey::Date,
        SortKey::From,
        SortKey::Size,
        SortKey::Subject,
        SortKey::To,
        SortKey::DisplayFrom,
        SortKey::DisplayTo,
    ];

    #[test]
    fn multi_byte_subjects() {
        let f = folder(&[
            "Subject: Re: 日本語の件名テスト #2\r\n\r\n".into(),
            "Subject: Fwd: Привет (fwd)\r\n\r\n".into(),
        ]);
        assert_eq!(base_subject(&f.messages[0]), "日本語の件名テスト #2");
        assert_eq!(base_subject(&f.messages[1]), "привет");
        let key = SearchKey::Subject(AString::from_text("テスト #2").unwrap());
        assert!(matches(&key, &f.messages[0], 0));
        assert!(!matches(&key, &f.messages[1], 0));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// The substring search agrees with a plain one on ASCII-lower-cased
        /// bytes, for any Unicode text.
        #[test]
        fn contains_agrees_with_plain_search(hay in unicode_text(12), needle in unicode_text(3)) {
            let lower = |s: &str| s.to_ascii_lowercase().into_bytes();
            let (h, n) = (lower(&hay), lower(&needle));
            let plain = n.is_empty() || h.windows(n.len()).any(|w| w == n.as_slice());
            prop_assert_eq!(contains(hay.as_bytes(), needle.as_bytes()), plain);
        }

        /// SEARCH SUBJECT finds a message by any piece of its Unicode subject cut
        /// at character boundaries, and TEXT by any piece of the message.
        #[test]
        fn subject_search_finds_any_piece(subject in unicode_line(10), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
            let subject = subject.trim().to_owned();
            let f = folder(&[format!("Subject: {subject}\r\n\r\nbody\r\n").into_bytes()]);
            let m: &Stored = &f.messages[0];
            let cuts: Vec<usize> = subject.char_indices().map(|(i, _)| i).chain([subject.len()]).collect();
            let (x, y) = (cuts[a.index(cuts.len())], cuts[b.index(cuts.len())]);
            let piece = subject.get(x.min(y)..x.max(y)).unwrap_or_default();
            prop_assert!(matches(&SearchKey::Subject(astring(piece)?), m, 0), "{piece:?} in {subject:?}");
            prop_assert!(matches(&SearchKey::Text(astring(piece)?), m, 0));
        }

        /// Search keys with any Unicode text on any message never panic, and NOT
        /// inverts.
        #[test]
        fn any_key_text_on_any_message(raw in message(), text in unicode_text(6)) {
            let f = folder(&[raw]);
            let m = &f.messages[0];
            let s = astring(&text.replace('\0', ""))?;
            for key in [
                SearchKey::Subject(s.clone()),
                SearchKey::From(s.clone()),
                SearchKey::Body(s.clone()),
                SearchKey::Text(s.clone()),
                SearchKey::Header(s.clone(), s.clone()),
                SearchKey::SentSince(crate::types::Date::new(2000, 1, 1).map_err(|e| TestCaseError::fail(e.to_string()))?),
            ] {
                let hit = matches(&key, m, 0);
                prop_assert_eq!(matches(&SearchKey::Not(Box::new(key)), m, 0), !hit);
            }
        }

        /// SORT by any criteria of messages with any headers returns the same
        /// messages, ordered by the first key; the base subject is stripped of
        /// its prefixes and trailer.
        #[test]
        fn sort_any_messages(raws in proptest::collection::vec(message(), 0..6), picks in proptest::collection::vec((0..9usize, any::<bool>()), 1..4)) {
            let f = folder(&raws);
            let criteria: Vec<SortCriterion> = picks.iter().map(|&(k, reverse)| SortCriterion { reverse, key: KEYS[k] }).collect();
            let mut sorted: Vec<&Stored> = f.messages.iter().collect();
            sort(&mut sorted, &criteria);
            let mut uids: Vec<u32> = sorted.iter().map(|m| m.uid).collect();
            uids.sort_unstable();
            prop_assert_eq!(uids, f.messages.iter().map(|m| m.uid).collect::<Vec<_>>());
            for pair in sorted.windows(2) {
                let order = super::compare(pair[0], pair[1], criteria[0].key);
                let order = if criteria[0].reverse { order.reverse() } else { order };
                prop_assert!(order != std::cmp::Ordering::Greater);
            }
            for m in &f.messages {
                let base = base_subject(m);
                prop_assert_eq!(base.trim(), base.as_str());
                prop_assert!(!["re:", "fw:", "fwd:"].iter().any(|p| base.starts_with(p)) && !base.ends_with("(fwd)"), "{base:?}");
            }
        }
    }
}
