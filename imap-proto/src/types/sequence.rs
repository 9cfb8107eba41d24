//! Sequence sets: message sequence numbers or UIDs, ranges and `*`.

use std::fmt;
use std::num::NonZeroU32;

use crate::error::ValidationError;
use crate::types::Vec1;

/// One end of a range: a number or `*`, the largest number in use.
///
/// ```text
/// seq-number = nz-number / "*"
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SeqOrUid {
    /// A number greater than zero.
    Value(NonZeroU32),
    /// `*`: the largest sequence number or UID in use.
    Asterisk,
}

/// A single number or a range (RFC 9051 section 9).
///
/// ```text
/// seq-range = seq-number ":" seq-number
///             ; two seq-number values and all values between these two
///             ; regardless of order.
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Sequence {
    /// `n` or `*`.
    Single(SeqOrUid),
    /// `a:b` in either order.
    Range(SeqOrUid, SeqOrUid),
}

/// A set of message sequence numbers or UIDs (RFC 9051 section 9).
///
/// ```text
/// sequence-set = (seq-number / seq-range) ["," sequence-set]
/// ```
///
/// ```
/// use mailwright_imap::types::SequenceSet;
/// let set: SequenceSet = "2,4:7,9,12:*".parse().unwrap();
/// assert!(set.contains(5, 15));
/// assert!(!set.contains(8, 15));
/// assert!(set.contains(15, 15));
/// assert_eq!(set.to_string(), "2,4:7,9,12:*");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SequenceSet(Vec1<Sequence>);

impl SeqOrUid {
    /// The number this stands for when `largest` is the largest number in use.
    pub fn resolve(self, largest: u32) -> u32 {
        match self {
            Self::Value(n) => n.get(),
            Self::Asterisk => largest,
        }
    }
}

impl Sequence {
    /// The inclusive range `(low, high)` this covers when `largest` is the largest
    /// number in use.
    pub fn resolve(self, largest: u32) -> (u32, u32) {
        match self {
            Self::Single(n) => {
                let n = n.resolve(largest);
                (n, n)
            }
            Self::Range(a, b) => {
                let (a, b) = (a.resolve(largest), b.resolve(largest));
                (a.min(b), a.max(b))
            }
        }
    }
}

impl SequenceSet {
    /// Builds a set from its parts.
    pub fn new(parts: Vec1<Sequence>) -> Self {
        Self(parts)
    }

    /// The set of one number.
    pub fn single(n: NonZeroU32) -> Self {
        Self(Vec1::one(Sequence::Single(SeqOrUid::Value(n))))
    }

    /// `1:*`, every message.
    pub fn all() -> Self {
        Self(Vec1::one(Sequence::Range(
            SeqOrUid::Value(NonZeroU32::MIN),
            SeqOrUid::Asterisk,
        )))
    }

    /// The smallest set of ranges that holds exactly `numbers` (in any order,
    /// duplicates allowed), or `None` when `numbers` holds nothing but zeros.
    pub fn from_numbers(numbers: impl IntoIterator<Item = u32>) -> Option<Self> {
        let mut numbers: Vec<u32> = numbers.into_iter().filter(|&n| n != 0).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let mut parts = Vec::new();
        let mut iter = numbers.into_iter();
        let mut start = iter.next()?;
        let mut end = start;
        for n in iter {
            if n == end + 1 {
                end = n;
            } else {
                parts.push(Self::part(start, end));
                start = n;
                end = n;
            }
        }
        parts.push(Self::part(start, end));
        Some(Self(Vec1::unvalidated(parts)))
    }

    fn part(start: u32, end: u32) -> Sequence {
        // Callers pass non-zero numbers only (zeros are filtered above).
        let value = |n: u32| SeqOrUid::Value(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        if start == end {
            Sequence::Single(value(start))
        } else {
            Sequence::Range(value(start), value(end))
        }
    }

    /// The parts as written.
    pub fn parts(&self) -> &[Sequence] {
        self.0.as_slice()
    }

    /// Whether `n` is in the set when `largest` is the largest number in use.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        self.0.iter().any(|part| {
            let (low, high) = part.resolve(largest);
            low <= n && n <= high
        })
    }

    /// Whether any part uses `*`.
    pub fn uses_asterisk(&self) -> bool {
        self.0.iter().any(|part| match part {
            Sequence::Single(n) => *n == SeqOrUid::Asterisk,
            Sequence::Range(a, b) => *a == SeqOrUid::Asterisk || *b == SeqOrUid::Asterisk,
        })
    }

    /// The inclusive ranges covered, sorted and merged, when `largest` is the
    /// largest number in use.
    pub fn ranges(&self, largest: u32) -> Vec<(u32, u32)> {
        let mut ranges: Vec<(u32, u32)> = self.0.iter().map(|p| p.resolve(largest)).collect();
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (low, high) in ranges {
            match merged.last_mut() {
                Some(last) if low <= last.1.saturating_add(1) => last.1 = last.1.max(high),
                _ => merged.push((low, high)),
            }
        }
        merged
    }

    /// Writes the set in wire form.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match part {
                Sequence::Single(n) => write_seq(out, *n),
                Sequence::Range(a, b) => {
                    write_seq(out, *a);
                    out.push(b':');
                    write_seq(out, *b);
                }
            }
        }
    }
}

fn write_seq(out: &mut Vec<u8>, n: SeqOrUid) {
    match n {
        SeqOrUid::Value(n) => crate::codec::encode::write_u32(out, n.get()),
        SeqOrUid::Asterisk => out.push(b'*'),
    }
}

impl std::str::FromStr for SequenceSet {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::try_from(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for SequenceSet {
    type Error = ValidationError;

    fn try_from(value: &[u8]) -> Result<Self, Self::Error> {
        match crate::codec::parse::sequence_set(value) {
            Ok(([], set)) => Ok(set),
            Ok((rest, _)) => {
                let at = value.len() - rest.len();
                Err(ValidationError::byte(value[at], at))
            }
            Err(_) => match value.first() {
                None => Err(ValidationError::empty()),
                Some(&b) => Err(ValidationError::byte(b, 0)),
            },
        }
    }
}

impl TryFrom<&str> for SequenceSet {
    type Error = ValidationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::try_from(value.as_bytes())
    }
}

impl From<NonZeroU32> for SequenceSet {
    fn from(n: NonZeroU32) -> Self {
        Self::single(n)
    }
}

impl fmt::Display for SequenceSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.write_to(&mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

impl fmt::Debug for SequenceSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SequenceSet({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_and_merge() {
        let set: SequenceSet = "7:5,1,2,*".parse().unwrap();
        assert_eq!(set.ranges(10), vec![(1, 2), (5, 7), (10, 10)]);
        assert!(set.uses_asterisk());
        let set: SequenceSet = "559:*".parse().unwrap();
        assert_eq!(
            set.ranges(300),
            vec![(300, 559)],
            "RFC 9051: 559:* holds the last UID"
        );
    }

    #[test]
    fn from_numbers_compresses() {
        let set = SequenceSet::from_numbers([5, 1, 2, 3, 9, 3, 10]).unwrap();
        assert_eq!(set.to_string(), "1:3,5,9:10");
        assert!(SequenceSet::from_numbers([0]).is_none());
    }

    #[test]
    fn rejects_bad_sets() {
        for bad in ["", "0", "1,", ",1", "1:", "a", "1::2", "4294967296"] {
            assert!(bad.parse::<SequenceSet>().is_err(), "{bad}");
        }
    }
}
