//! Sort orders (RFC 5256 `SORT`, RFC 5957 `DISPLAY` keys): the criteria are
//! [`mailwright_base`]'s, shared with IMAP; this is how the index orders by them, in SQL
//! ([`order_by`]) and in Rust for backends without it ([`compare`]).

use std::cmp::Ordering;

use mailwright_base::{SortCriterion, SortKey};

use super::eval::Candidate;

/// The SQL expression that orders by `key`.
pub(crate) fn column(key: SortKey) -> &'static str {
    match key {
        SortKey::Arrival => "m.internal_date",
        SortKey::Cc => "c.sort_cc",
        SortKey::Date => "coalesce(c.sent_date, m.internal_date)",
        SortKey::From => "c.sort_from",
        SortKey::Size => "m.size",
        SortKey::Subject => "c.sort_subject",
        SortKey::To => "c.sort_to",
        SortKey::DisplayFrom => "c.display_from",
        SortKey::DisplayTo => "c.display_to",
    }
}

/// The SQL `ORDER BY` term of one criterion.
pub(crate) fn order_by(criterion: SortCriterion) -> String {
    let direction = if criterion.reverse { "DESC" } else { "ASC" };
    format!("{} {direction}", column(criterion.key))
}

/// Orders two messages as `ORDER BY` of the criteria, then `m.uid`, orders them in the
/// index: numbers as numbers, texts byte by byte (SQLite's `BINARY` collation), the
/// sent date falling back to the internal date.
pub(crate) fn compare(
    criteria: &[SortCriterion],
    a: &Candidate<'_>,
    b: &Candidate<'_>,
) -> Ordering {
    for criterion in criteria {
        let order = compare_key(criterion.key, a, b);
        let order = if criterion.reverse {
            order.reverse()
        } else {
            order
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.uid.cmp(&b.uid)
}

fn compare_key(key: SortKey, a: &Candidate<'_>, b: &Candidate<'_>) -> Ordering {
    let (x, y) = (&a.content.summary, &b.content.summary);
    match key {
        SortKey::Arrival => a
            .internal_date
            .timestamp()
            .cmp(&b.internal_date.timestamp()),
        SortKey::Cc => x.sort_cc.cmp(&y.sort_cc),
        SortKey::Date => sent_or_arrival(a).cmp(&sent_or_arrival(b)),
        SortKey::From => x.sort_from.cmp(&y.sort_from),
        SortKey::Size => a.size.cmp(&b.size),
        SortKey::Subject => a.content.sort_subject.cmp(&b.content.sort_subject),
        SortKey::To => x.sort_to.cmp(&y.sort_to),
        SortKey::DisplayFrom => x.display_from.cmp(&y.display_from),
        SortKey::DisplayTo => x.display_to.cmp(&y.display_to),
    }
}

/// `coalesce(c.sent_date, m.internal_date)`.
fn sent_or_arrival(m: &Candidate<'_>) -> i64 {
    m.content
        .summary
        .sent
        .map_or_else(|| m.internal_date.timestamp(), |(at, _)| at)
}
