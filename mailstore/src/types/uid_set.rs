//! Sets of UIDs as sorted, disjoint ranges.

use std::fmt;
use std::str::FromStr;

use super::{Uid, ValidationError};

/// A set of UIDs, kept as sorted, disjoint, non-adjacent inclusive ranges.
///
/// It prints as an IMAP `sequence-set` of UIDs (RFC 9051 section 9), `1:4,7,9:12`, and
/// parses that form back; `*` parses as [`Uid::MAX`] (the caller resolves `*` against a
/// mailbox when the IMAP meaning "the largest UID in use" matters).
///
/// ```text
/// sequence-set = (seq-number / seq-range) ["," sequence-set]
/// seq-range    = seq-number ":" seq-number
/// seq-number   = nz-number / "*"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct UidSet {
    ranges: Vec<(u32, u32)>,
}

impl UidSet {
    /// The empty set.
    pub const fn new() -> Self {
        Self { ranges: Vec::new() }
    }

    /// Every UID, `1:*`.
    pub fn all() -> Self {
        Self::range(Uid::MIN, Uid::MAX)
    }

    /// The UIDs `a` to `b` inclusive, in either order.
    pub fn range(a: Uid, b: Uid) -> Self {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        Self {
            ranges: vec![(lo.get(), hi.get())],
        }
    }

    /// Adds one UID.
    pub fn insert(&mut self, uid: Uid) {
        self.insert_range(uid, uid);
    }

    /// Adds the UIDs `a` to `b` inclusive, in either order.
    pub fn insert_range(&mut self, a: Uid, b: Uid) {
        let (lo, hi) = if a <= b {
            (a.get(), b.get())
        } else {
            (b.get(), a.get())
        };
        // First range that could touch [lo, hi]: its end + 1 >= lo.
        let start = self
            .ranges
            .partition_point(|&(_, end)| u64::from(end) + 1 < u64::from(lo));
        let mut end_idx = start;
        let (mut new_lo, mut new_hi) = (lo, hi);
        while end_idx < self.ranges.len() && u64::from(self.ranges[end_idx].0) <= u64::from(hi) + 1
        {
            new_lo = new_lo.min(self.ranges[end_idx].0);
            new_hi = new_hi.max(self.ranges[end_idx].1);
            end_idx += 1;
        }
        self.ranges.splice(start..end_idx, [(new_lo, new_hi)]);
    }

    /// Whether `uid` is in the set.
    pub fn contains(&self, uid: Uid) -> bool {
        let v = uid.get();
        let idx = self.ranges.partition_point(|&(_, end)| end < v);
        self.ranges.get(idx).is_some_and(|&(lo, _)| lo <= v)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// How many UIDs the set holds.
    pub fn len(&self) -> u64 {
        self.ranges
            .iter()
            .map(|&(lo, hi)| u64::from(hi - lo) + 1)
            .sum()
    }

    /// The ranges, ascending, each `(first, last)` inclusive.
    pub fn ranges(&self) -> impl Iterator<Item = (Uid, Uid)> + '_ {
        self.ranges
            .iter()
            .filter_map(|&(lo, hi)| Some((Uid::new(lo)?, Uid::new(hi)?)))
    }

    /// Every UID, ascending. Beware of `1:*`: that is four billion of them.
    pub fn iter(&self) -> impl Iterator<Item = Uid> + '_ {
        self.ranges
            .iter()
            .flat_map(|&(lo, hi)| (lo..=hi).filter_map(Uid::new))
    }

    /// The smallest UID in the set.
    pub fn first(&self) -> Option<Uid> {
        self.ranges.first().and_then(|&(lo, _)| Uid::new(lo))
    }

    /// The largest UID in the set.
    pub fn last(&self) -> Option<Uid> {
        self.ranges.last().and_then(|&(_, hi)| Uid::new(hi))
    }

    /// Checks that `text` is a valid UID set.
    ///
    /// # Errors
    /// [`ValidationError`] at the first byte that does not fit the grammar.
    pub fn validate(text: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        Self::parse(text.as_ref()).map(|_| ())
    }

    fn parse(text: &[u8]) -> Result<Self, ValidationError> {
        const WHAT: &str = "uid set";
        let mut set = Self::new();
        if text.is_empty() {
            return Err(ValidationError::new(WHAT, None));
        }
        let mut pos = 0;
        for item in text.split(|&b| b == b',') {
            let (a, b) = match item.iter().position(|&b| b == b':') {
                Some(colon) => (&item[..colon], &item[colon + 1..]),
                None => (item, item),
            };
            let first = seq_number(a).ok_or_else(|| ValidationError::new(WHAT, Some(pos)))?;
            let second = seq_number(b).ok_or_else(|| {
                ValidationError::new(WHAT, Some(pos + item.len().min(a.len() + 1)))
            })?;
            set.insert_range(first, second);
            pos += item.len() + 1;
        }
        Ok(set)
    }
}

/// `seq-number = nz-number / "*"`, with `*` as the largest UID.
fn seq_number(text: &[u8]) -> Option<Uid> {
    if text == b"*" {
        return Some(Uid::MAX);
    }
    if text.is_empty() || text.len() > 10 || text[0] == b'0' || !text.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let value: u64 = std::str::from_utf8(text).ok()?.parse().ok()?;
    Uid::new(u32::try_from(value).ok()?)
}

impl FromIterator<Uid> for UidSet {
    fn from_iter<T: IntoIterator<Item = Uid>>(iter: T) -> Self {
        let mut set = Self::new();
        for uid in iter {
            set.insert(uid);
        }
        set
    }
}

impl From<Uid> for UidSet {
    fn from(uid: Uid) -> Self {
        Self::range(uid, uid)
    }
}

impl FromStr for UidSet {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

impl TryFrom<&str> for UidSet {
    type Error = ValidationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl fmt::Display for UidSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else if hi == u32::MAX {
                write!(f, "{lo}:*")?;
            } else {
                write!(f, "{lo}:{hi}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn uid(v: u32) -> Uid {
        Uid::new(v).unwrap()
    }

    #[test]
    fn merges_ranges() {
        let mut set = UidSet::new();
        set.insert(uid(5));
        set.insert(uid(3));
        set.insert(uid(4));
        set.insert_range(uid(10), uid(8));
        assert_eq!(set.to_string(), "3:5,8:10");
        set.insert(uid(7));
        assert_eq!(set.to_string(), "3:5,7:10");
        set.insert(uid(6));
        assert_eq!(set.to_string(), "3:10");
        assert_eq!(set.len(), 8);
        assert!(set.contains(uid(3)) && set.contains(uid(10)) && !set.contains(uid(11)));
        assert_eq!(UidSet::all().to_string(), "1:*");
    }

    #[test]
    fn parses() {
        assert_eq!("1:4,7,9:12".parse::<UidSet>().unwrap().len(), 9);
        assert_eq!("4:1".parse::<UidSet>().unwrap().to_string(), "1:4");
        assert_eq!("3:*".parse::<UidSet>().unwrap().to_string(), "3:*");
        for bad in [
            "",
            "0",
            "1,",
            ",1",
            "1:",
            "a",
            "1:2:3",
            "01",
            "4294967296",
            " 1",
        ] {
            assert!(bad.parse::<UidSet>().is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn matches_a_btreeset(values in proptest::collection::vec(1u32..200, 0..60)) {
            let set: UidSet = values.iter().map(|&v| uid(v)).collect();
            let model: std::collections::BTreeSet<u32> = values.iter().copied().collect();
            prop_assert_eq!(set.iter().map(Uid::get).collect::<Vec<_>>(), model.iter().copied().collect::<Vec<_>>());
            for v in 1..201 {
                prop_assert_eq!(set.contains(uid(v)), model.contains(&v));
            }
        }

        #[test]
        fn display_parses_back(values in proptest::collection::vec((1u32.., 0u32..50), 1..20)) {
            let mut set = UidSet::new();
            for (lo, width) in values {
                set.insert_range(uid(lo), uid(lo.saturating_add(width)));
            }
            let text = set.to_string();
            prop_assert_eq!(text.parse::<UidSet>().unwrap(), set);
        }

        #[test]
        fn parse_never_panics(text in "[0-9:,*]{0,30}") {
            if let Ok(set) = text.parse::<UidSet>() {
                prop_assert_eq!(set.to_string().parse::<UidSet>().unwrap(), set);
            }
        }
    }
}
