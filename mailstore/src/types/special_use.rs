//! Special-use attributes of mailboxes (RFC 6154).

use std::fmt;

/// A special-use attribute (RFC 6154 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecialUse {
    /// `\All`: a virtual mailbox with every message.
    All,
    /// `\Archive`: archived messages.
    Archive,
    /// `\Drafts`: drafts.
    Drafts,
    /// `\Flagged`: a virtual mailbox with the flagged messages.
    Flagged,
    /// `\Junk`: spam.
    Junk,
    /// `\Sent`: sent messages.
    Sent,
    /// `\Trash`: deleted messages.
    Trash,
}

impl SpecialUse {
    /// Every attribute.
    pub const ALL: [Self; 7] = [
        Self::All,
        Self::Archive,
        Self::Drafts,
        Self::Flagged,
        Self::Junk,
        Self::Sent,
        Self::Trash,
    ];

    /// The IMAP spelling, such as `\Sent`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::All => "\\All",
            Self::Archive => "\\Archive",
            Self::Drafts => "\\Drafts",
            Self::Flagged => "\\Flagged",
            Self::Junk => "\\Junk",
            Self::Sent => "\\Sent",
            Self::Trash => "\\Trash",
        }
    }

    /// Parses the IMAP spelling, ignoring ASCII case.
    pub fn from_imap(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|u| u.as_str().eq_ignore_ascii_case(text))
    }

    const fn bit(self) -> u8 {
        match self {
            Self::All => 1,
            Self::Archive => 2,
            Self::Drafts => 4,
            Self::Flagged => 8,
            Self::Junk => 16,
            Self::Sent => 32,
            Self::Trash => 64,
        }
    }
}

impl fmt::Display for SpecialUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of special-use attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SpecialUses(u8);

impl SpecialUses {
    /// No attribute.
    pub const fn new() -> Self {
        Self(0)
    }

    /// Adds an attribute, builder style.
    #[must_use]
    pub const fn with(self, special_use: SpecialUse) -> Self {
        Self(self.0 | special_use.bit())
    }

    /// Whether `special_use` is in the set.
    pub const fn contains(self, special_use: SpecialUse) -> bool {
        self.0 & special_use.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The attributes in the set.
    pub fn iter(self) -> impl Iterator<Item = SpecialUse> {
        SpecialUse::ALL
            .into_iter()
            .filter(move |u| self.contains(*u))
    }

    pub(crate) const fn bits(self) -> u8 {
        self.0
    }

    pub(crate) const fn from_bits(bits: u8) -> Self {
        Self(bits & 0x7f)
    }
}

impl FromIterator<SpecialUse> for SpecialUses {
    fn from_iter<T: IntoIterator<Item = SpecialUse>>(iter: T) -> Self {
        iter.into_iter().fold(Self::new(), Self::with)
    }
}

impl From<SpecialUse> for SpecialUses {
    fn from(special_use: SpecialUse) -> Self {
        Self::new().with(special_use)
    }
}
