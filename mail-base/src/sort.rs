//! What a sorted search orders by: IMAP `SORT` (RFC 5256) with the `DISPLAY` keys of
//! RFC 5957, as a client asks for it and as a mailbox store carries it out.

/// What to sort by.
///
/// ```text
/// sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"
/// sort-key =/ "DISPLAYFROM" / "DISPLAYTO"           ; RFC 5957
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SortKey {
    /// The internal date (`ARRIVAL`).
    Arrival,
    /// The mailbox of the first `Cc:` address (`CC`).
    Cc,
    /// The `Date:` header, else the internal date (`DATE`).
    Date,
    /// The mailbox of the first `From:` address (`FROM`).
    From,
    /// The size (`SIZE`).
    Size,
    /// The base subject (`SUBJECT`, RFC 5256 section 2.1).
    Subject,
    /// The mailbox of the first `To:` address (`TO`).
    To,
    /// The display name of the first `From:` address, else the address
    /// (`DISPLAYFROM`).
    DisplayFrom,
    /// The display name of the first `To:` address, else the address (`DISPLAYTO`).
    DisplayTo,
}

impl SortKey {
    /// Every key, in the order of the grammar.
    pub const ALL: [Self; 9] = [
        Self::Arrival,
        Self::Cc,
        Self::Date,
        Self::From,
        Self::Size,
        Self::Subject,
        Self::To,
        Self::DisplayFrom,
        Self::DisplayTo,
    ];

    /// The keyword as IMAP spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Arrival => "ARRIVAL",
            Self::Cc => "CC",
            Self::Date => "DATE",
            Self::From => "FROM",
            Self::Size => "SIZE",
            Self::Subject => "SUBJECT",
            Self::To => "TO",
            Self::DisplayFrom => "DISPLAYFROM",
            Self::DisplayTo => "DISPLAYTO",
        }
    }

    /// The key a keyword names, ignoring ASCII case.
    pub fn from_keyword(keyword: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|key| key.as_str().as_bytes().eq_ignore_ascii_case(keyword))
    }
}

/// One sort criterion: a key and its direction.
///
/// ```text
/// sort-criterion = ["REVERSE" SP] sort-key
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct SortCriterion {
    /// Descending instead of ascending.
    pub reverse: bool,
    /// What to sort by.
    pub key: SortKey,
}

impl SortCriterion {
    /// Ascending by `key`.
    pub const fn new(key: SortKey) -> Self {
        Self {
            reverse: false,
            key,
        }
    }

    /// Descending by `key` (`REVERSE`).
    pub const fn reverse(key: SortKey) -> Self {
        Self { reverse: true, key }
    }
}

impl From<SortKey> for SortCriterion {
    fn from(key: SortKey) -> Self {
        Self::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::{SortCriterion, SortKey};

    #[test]
    fn keywords_round_trip() {
        for key in SortKey::ALL {
            assert_eq!(SortKey::from_keyword(key.as_str().as_bytes()), Some(key));
            let lower = key.as_str().to_ascii_lowercase();
            assert_eq!(SortKey::from_keyword(lower.as_bytes()), Some(key));
        }
        assert_eq!(SortKey::from_keyword(b"REVERSE"), None);
        assert_eq!(SortKey::from_keyword("SUBJECTé".as_bytes()), None);
    }

    #[test]
    fn directions() {
        assert!(!SortCriterion::from(SortKey::Size).reverse);
        assert_eq!(SortCriterion::reverse(SortKey::Date).key, SortKey::Date);
    }
}
