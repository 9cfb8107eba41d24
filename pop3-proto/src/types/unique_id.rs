//! The unique-id of `UIDL`.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{str_newtype, validate_bytes};

/// A message's unique-id, stable across sessions.
///
/// [RFC 1939 section 7](https://www.rfc-editor.org/rfc/rfc1939#section-7) (UIDL):
/// "The unique-id of a message is an arbitrary server-determined string, consisting of
/// one to 70 characters in the range 0x21 to 0x7E".
///
/// ```text
/// unique-id = 1*70(%x21-7E)
/// ```
#[derive(Clone, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct UniqueId<'a>(Cow<'a, str>);

impl UniqueId<'_> {
    /// The longest unique-id, in octets.
    pub const MAX_LEN: usize = 70;

    /// Checks that `value` is a valid unique-id.
    ///
    /// # Errors
    ///
    /// Empty, longer than 70 octets, or a byte outside `0x21..=0x7E`.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        validate_bytes(value.as_ref(), Self::MAX_LEN, |byte| {
            (0x21..=0x7e).contains(&byte)
        })
    }
}

str_newtype!(
    UniqueId,
    alphabet = crate::types::PRINTABLE,
    fallback = "uid"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        assert!(UniqueId::try_from("whqtswO00WBw418f9t5JxYwZ").is_ok());
        assert!(UniqueId::try_from("QhdPYR:00WBw1Ph7x7").is_ok());
        assert!(UniqueId::try_from("x".repeat(70)).is_ok());
        assert!(UniqueId::try_from("x".repeat(71)).is_err());
        assert!(UniqueId::try_from("a b").is_err());
        assert!(UniqueId::try_from("é").is_err());
        assert!(UniqueId::try_from("").is_err());
    }
}
