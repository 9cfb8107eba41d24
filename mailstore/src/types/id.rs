//! Numbers with a meaning: UIDs, UIDVALIDITY, MODSEQ, mailbox ids, and account names.

use std::fmt;
use std::num::NonZeroU32;

use super::ValidationError;

/// A message's unique identifier within one mailbox (RFC 9051 section 2.3.1.1).
///
/// UIDs only grow inside a mailbox while its [`UidValidity`] stays the same; they are
/// never reused. Zero is not a UID.
///
/// ```text
/// uniqueid = nz-number
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uid(NonZeroU32);

impl Uid {
    /// The smallest UID, 1.
    pub const MIN: Self = Self(NonZeroU32::MIN);
    /// The largest UID, 2^32 - 1.
    pub const MAX: Self = Self(NonZeroU32::MAX);

    /// Makes a UID; `None` for zero.
    pub const fn new(value: u32) -> Option<Self> {
        match NonZeroU32::new(value) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The UIDVALIDITY of a mailbox (RFC 9051 section 2.3.1.1): when it changes, every UID a
/// client remembers for the mailbox is void.
///
/// A new mailbox, also one created under the name of a deleted or renamed one, always
/// gets a value larger than any this account handed out before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UidValidity(NonZeroU32);

impl UidValidity {
    /// The smallest UIDVALIDITY, 1.
    pub const MIN: Self = Self(NonZeroU32::MIN);

    /// Makes a UIDVALIDITY; `None` for zero.
    pub const fn new(value: u32) -> Option<Self> {
        match NonZeroU32::new(value) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for UidValidity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A modification sequence (RFC 7162 section 3): every change to a mailbox (a new
/// message, a flag change, an expunge) gets a MODSEQ larger than all before it in that
/// mailbox.
///
/// ```text
/// mod-sequence-value = 1*DIGIT ; 1 <= n <= 9,223,372,036,854,775,807
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ModSeq(u64);

impl ModSeq {
    /// Makes a MODSEQ. Values above `i64::MAX` are clamped to it (RFC 7162 limits
    /// mod-sequence values to 63 bits).
    pub const fn new(value: u64) -> Self {
        if value > i64::MAX as u64 {
            Self(i64::MAX as u64)
        } else {
            Self(value)
        }
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ModSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A mailbox's stable identity inside one account.
///
/// Unlike its name it survives a rename, so a selected mailbox keeps working when
/// another session renames it; a deleted mailbox's id is never given to another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MailboxId(pub(crate) i64);

impl MailboxId {
    /// The id a backend gave a mailbox (a row id, a counter): for backends outside this
    /// crate. Ids are the backend's own; never mix them between backends or accounts.
    pub const fn new(id: i64) -> Self {
        Self(id)
    }

    /// The number, for logs and for backends that keep it.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for MailboxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The name of an account (a user's mail store), such as `alice` or
/// `alice@example.com`.
///
/// 1 to 255 bytes of printable non-space characters other than `/` and `\`, and neither
/// `.` nor `..`, so it can name a folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountName(String);

impl AccountName {
    /// Checks that `name` is a valid account name.
    ///
    /// # Errors
    /// [`ValidationError`] naming the first offending byte.
    pub fn validate(name: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let name = name.as_ref();
        const WHAT: &str = "account name";
        if name.is_empty() || name.len() > 255 {
            return Err(ValidationError::new(WHAT, None));
        }
        if name == b"." || name == b".." {
            return Err(ValidationError::new(WHAT, Some(0)));
        }
        if std::str::from_utf8(name).is_err() {
            return Err(ValidationError::new(WHAT, None));
        }
        match name
            .iter()
            .position(|&b| b <= b' ' || b == 0x7f || b == b'/' || b == b'\\')
        {
            Some(at) => Err(ValidationError::new(WHAT, Some(at))),
            None => Ok(()),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for AccountName {
    type Error = ValidationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::validate(value)?;
        Ok(Self(value.to_owned()))
    }
}

impl TryFrom<String> for AccountName {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::validate(&value)?;
        Ok(Self(value))
    }
}

impl AsRef<str> for AccountName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names() {
        for ok in ["alice", "alice@example.com", "a.b-c_d"] {
            assert!(AccountName::try_from(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "a\\b", "a\u{7f}"] {
            assert!(AccountName::try_from(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn modseq_is_63_bits() {
        assert_eq!(ModSeq::new(u64::MAX).get(), i64::MAX as u64);
        assert_eq!(Uid::new(0), None);
        assert_eq!(Uid::new(7).map(Uid::get), Some(7));
    }
}
