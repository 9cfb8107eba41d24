//! Sort orders (RFC 5256 `SORT`, RFC 5957 `DISPLAY` keys): the criteria are
//! [`mail_base`]'s, shared with IMAP; this is how the index orders by them.

use mail_base::{SortCriterion, SortKey};

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
