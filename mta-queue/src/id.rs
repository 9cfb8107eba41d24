//! [`QueueId`]: the name of one queued message.

use std::fmt;
use std::str::FromStr;

use crate::time::Timestamp;

/// The identifier of a queued message: 64 bits, written as 16 lower-case hex digits.
///
/// The high 44 bits are the enqueue time in milliseconds and the low 20 bits a
/// sequence number, so identifiers sort by age. Uniqueness is the spool's job (the
/// file spool creates files with `O_EXCL` and takes the next number on a clash).
///
/// ```
/// use mailwright_queue::QueueId;
///
/// let id: QueueId = "0019a6b3c2d40001".parse().unwrap();
/// assert_eq!(id.to_string(), "0019a6b3c2d40001");
/// assert!("not-an-id".parse::<QueueId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(u64);

impl QueueId {
    /// The number of bits of the sequence part.
    const SEQ_BITS: u32 = 20;

    /// The identifier made of a time and a sequence number (its low 20 bits are kept).
    pub fn new(time: Timestamp, seq: u32) -> Self {
        let seq = u64::from(seq) & ((1 << Self::SEQ_BITS) - 1);
        Self((time.as_millis() << Self::SEQ_BITS) | seq)
    }

    /// The identifier with this raw value.
    pub const fn from_u64(raw: u64) -> Self {
        Self(raw)
    }

    /// The raw value.
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// The enqueue time encoded in the identifier.
    pub fn time(self) -> Timestamp {
        Timestamp::from_millis(self.0 >> Self::SEQ_BITS)
    }

    /// The identifier after this one (wrapping), for retries after a clash.
    pub fn next(self) -> Self {
        Self(self.0.wrapping_add(1))
    }
}

impl fmt::Display for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueueId({self})")
    }
}

/// The text was not 16 hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a queue id is 16 lower-case hex digits")]
pub struct InvalidQueueId;

impl FromStr for QueueId {
    type Err = InvalidQueueId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() != 16
            || !text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(InvalidQueueId);
        }
        u64::from_str_radix(text, 16)
            .map(Self)
            .map_err(|_| InvalidQueueId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn time_and_sequence() {
        let id = QueueId::new(Timestamp::from_millis(1_700_000_000_123), 7);
        assert_eq!(id.time(), Timestamp::from_millis(1_700_000_000_123));
        assert_eq!(id.as_u64() & 0xfffff, 7);
        assert!(id < id.next());
    }

    #[test]
    fn rejects_bad_text() {
        for bad in [
            "",
            "0123",
            "0019A6B3C2D40001",
            "0019a6b3c2d4000g",
            "+019a6b3c2d40001",
        ] {
            assert_eq!(bad.parse::<QueueId>(), Err(InvalidQueueId), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn text_round_trip(raw in any::<u64>()) {
            let id = QueueId::from_u64(raw);
            prop_assert_eq!(id.to_string().parse::<QueueId>(), Ok(id));
        }
    }
}
