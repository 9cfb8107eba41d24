//! Sort orders (RFC 5256 `SORT`, RFC 5957 `DISPLAY` keys).

/// What to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SortCriterion {
    /// Internal date (`ARRIVAL`).
    Arrival,
    /// The first `Cc:` address's mailbox (`CC`).
    Cc,
    /// The `Date:` header, else the internal date (`DATE`).
    Date,
    /// The first `From:` address's mailbox (`FROM`).
    From,
    /// Size (`SIZE`).
    Size,
    /// The base subject (`SUBJECT`, RFC 5256 section 2.1).
    Subject,
    /// The first `To:` address's mailbox (`TO`).
    To,
    /// The first `From:` display name, else address (`DISPLAYFROM`).
    DisplayFrom,
    /// The first `To:` display name, else address (`DISPLAYTO`).
    DisplayTo,
}

/// A sort criterion and its direction (`REVERSE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// What to sort by.
    pub criterion: SortCriterion,
    /// Descending instead of ascending.
    pub reverse: bool,
}

impl SortKey {
    /// Ascending by `criterion`.
    pub const fn new(criterion: SortCriterion) -> Self {
        Self {
            criterion,
            reverse: false,
        }
    }

    /// Descending by `criterion`.
    pub const fn reverse(criterion: SortCriterion) -> Self {
        Self {
            criterion,
            reverse: true,
        }
    }

    /// The SQL expression of the criterion.
    pub(crate) fn column(self) -> &'static str {
        match self.criterion {
            SortCriterion::Arrival => "m.internal_date",
            SortCriterion::Cc => "c.sort_cc",
            SortCriterion::Date => "coalesce(c.sent_date, m.internal_date)",
            SortCriterion::From => "c.sort_from",
            SortCriterion::Size => "m.size",
            SortCriterion::Subject => "c.sort_subject",
            SortCriterion::To => "c.sort_to",
            SortCriterion::DisplayFrom => "c.display_from",
            SortCriterion::DisplayTo => "c.display_to",
        }
    }
}
