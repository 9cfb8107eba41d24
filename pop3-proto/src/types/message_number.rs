//! Message numbers of a POP3 session.

use std::fmt;
use std::num::NonZeroU32;

/// A message-number: the position of a message in the maildrop as it was when the
/// session entered the TRANSACTION state, counting from 1.
///
/// [RFC 1939 section 5](https://www.rfc-editor.org/rfc/rfc1939#section-5): "each message
/// in the maildrop is assigned a message-number ... the first message in the maildrop is
/// message 1"; numbers never change during a session, deleted messages keep theirs.
///
/// ```text
/// msg = nz-number   ; decimal, 1 .. 4294967295
/// ```
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct MessageNumber(NonZeroU32);

impl MessageNumber {
    /// Message 1.
    pub const FIRST: Self = Self(NonZeroU32::MIN);

    /// The message-number `number`, or `None` for 0.
    pub const fn new(number: u32) -> Option<Self> {
        match NonZeroU32::new(number) {
            Some(number) => Some(Self(number)),
            None => None,
        }
    }

    /// The message at 0-based position `index`, or `None` past `u32::MAX - 1`.
    pub fn from_index(index: usize) -> Option<Self> {
        let number = u32::try_from(index).ok()?.checked_add(1)?;
        Self::new(number)
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// The 0-based position in the session's message list.
    pub fn index(self) -> usize {
        // u32 always fits in usize on the 32- and 64-bit targets Rust's std supports.
        (self.0.get() - 1) as usize
    }
}

impl TryFrom<u32> for MessageNumber {
    type Error = crate::error::ValidationError;

    fn try_from(number: u32) -> Result<Self, Self::Error> {
        Self::new(number).ok_or_else(crate::error::ValidationError::empty)
    }
}

impl From<MessageNumber> for u32 {
    fn from(number: MessageNumber) -> Self {
        number.get()
    }
}

impl fmt::Display for MessageNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trip() {
        assert_eq!(MessageNumber::new(0), None);
        assert_eq!(MessageNumber::from_index(0), Some(MessageNumber::FIRST));
        assert_eq!(MessageNumber::new(7).unwrap().index(), 6);
        assert_eq!(MessageNumber::from_index(u32::MAX as usize), None);
        assert!(MessageNumber::try_from(0).is_err());
    }
}
