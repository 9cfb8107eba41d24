//! Message flags: the five system flags of IMAP and keywords.

use std::fmt;

use super::ValidationError;

/// One of the system flags that every store keeps (RFC 9051 section 2.3.2).
///
/// `\Recent` is not one: IMAP4rev2 dropped it, and a server that still speaks
/// IMAP4rev1 gets the recent UIDs from [`crate::store::MailboxStore::claim_recent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SystemFlag {
    /// `\Seen`: the message has been read. Maildir letter `S`.
    Seen,
    /// `\Answered`: the message has been answered. Maildir letter `R`.
    Answered,
    /// `\Flagged`: marked for attention. Maildir letter `F`.
    Flagged,
    /// `\Deleted`: marked for removal by a later expunge. Maildir letter `T`.
    Deleted,
    /// `\Draft`: the message is a draft. Maildir letter `D`.
    Draft,
}

impl SystemFlag {
    /// Every system flag.
    pub const ALL: [Self; 5] = [
        Self::Seen,
        Self::Answered,
        Self::Flagged,
        Self::Deleted,
        Self::Draft,
    ];

    /// The IMAP spelling, such as `\Seen`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Seen => "\\Seen",
            Self::Answered => "\\Answered",
            Self::Flagged => "\\Flagged",
            Self::Deleted => "\\Deleted",
            Self::Draft => "\\Draft",
        }
    }

    /// The letter of the Maildir info suffix (`:2,DFRST`).
    pub const fn maildir_letter(self) -> u8 {
        match self {
            Self::Seen => b'S',
            Self::Answered => b'R',
            Self::Flagged => b'F',
            Self::Deleted => b'T',
            Self::Draft => b'D',
        }
    }

    /// The flag for a Maildir info letter.
    pub const fn from_maildir_letter(letter: u8) -> Option<Self> {
        match letter {
            b'S' => Some(Self::Seen),
            b'R' => Some(Self::Answered),
            b'F' => Some(Self::Flagged),
            b'T' => Some(Self::Deleted),
            b'D' => Some(Self::Draft),
            _ => None,
        }
    }

    pub(crate) const fn bit(self) -> u8 {
        match self {
            Self::Seen => 1,
            Self::Answered => 2,
            Self::Flagged => 4,
            Self::Deleted => 8,
            Self::Draft => 16,
        }
    }

    /// Parses the IMAP spelling, ignoring ASCII case (`\seen` is `\Seen`).
    pub fn from_imap(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|flag| flag.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for SystemFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A keyword: a user-defined flag such as `$Forwarded`, `$Junk` or `Work`.
///
/// An IMAP `atom` of at most 128 bytes that does not start with `\`:
///
/// ```text
/// flag-keyword = "$MDNSent" / "$Forwarded" / "$Junk" / "$NotJunk" / "$Phishing" / atom
/// atom         = 1*ATOM-CHAR
/// ATOM-CHAR    = <any CHAR except atom-specials>
/// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
/// ```
/// Keywords compare case-sensitively here; [`Flags`] treats two keywords that differ only
/// in ASCII case as one, as IMAP servers do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Keyword(String);

impl Keyword {
    /// `$Forwarded` (RFC 5550): also the Maildir letter `P` ("passed").
    pub const FORWARDED: &'static str = "$Forwarded";

    /// Checks that `text` is a valid keyword.
    ///
    /// # Errors
    /// [`ValidationError`] at the first byte that may not appear in an atom.
    pub fn validate(text: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        const WHAT: &str = "keyword";
        let text = text.as_ref();
        if text.is_empty() || text.len() > 128 {
            return Err(ValidationError::new(WHAT, None));
        }
        match text.iter().position(|&b| !is_atom_char(b)) {
            Some(at) => Err(ValidationError::new(WHAT, Some(at))),
            None => Ok(()),
        }
    }

    /// The keyword.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `ATOM-CHAR`, and not `\` either (a keyword never starts with or holds one).
fn is_atom_char(b: u8) -> bool {
    b > b' ' && b < 0x7f && !b"(){%*\"\\]".contains(&b)
}

impl TryFrom<&str> for Keyword {
    type Error = ValidationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::validate(value)?;
        Ok(Self(value.to_owned()))
    }
}

impl TryFrom<String> for Keyword {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::validate(&value)?;
        Ok(Self(value))
    }
}

impl AsRef<str> for Keyword {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One flag: a system flag or a keyword.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    /// One of `\Seen \Answered \Flagged \Deleted \Draft`.
    System(SystemFlag),
    /// A keyword.
    Keyword(Keyword),
}

impl Flag {
    /// Parses an IMAP flag: a system flag (any case) or a keyword.
    ///
    /// # Errors
    /// [`ValidationError`] for `\Recent`, unknown `\`-flags and invalid keywords.
    pub fn from_imap(text: &str) -> Result<Self, ValidationError> {
        if text.starts_with('\\') {
            return SystemFlag::from_imap(text)
                .map(Self::System)
                .ok_or(ValidationError::new("system flag", Some(0)));
        }
        Keyword::try_from(text).map(Self::Keyword)
    }
}

impl From<SystemFlag> for Flag {
    fn from(flag: SystemFlag) -> Self {
        Self::System(flag)
    }
}

impl From<Keyword> for Flag {
    fn from(keyword: Keyword) -> Self {
        Self::Keyword(keyword)
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::System(flag) => flag.fmt(f),
            Self::Keyword(keyword) => keyword.fmt(f),
        }
    }
}

/// The flags of one message: a set of system flags and keywords.
///
/// Keywords are kept in insertion order, without two that differ only in ASCII case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Flags {
    system: u8,
    keywords: Vec<Keyword>,
}

impl Flags {
    /// No flags.
    pub const fn new() -> Self {
        Self {
            system: 0,
            keywords: Vec::new(),
        }
    }

    /// Whether `flag` is set.
    pub fn contains(&self, flag: &Flag) -> bool {
        match flag {
            Flag::System(flag) => self.has(*flag),
            Flag::Keyword(keyword) => self.has_keyword(keyword.as_str()),
        }
    }

    /// Whether the system flag is set.
    pub fn has(&self, flag: SystemFlag) -> bool {
        self.system & flag.bit() != 0
    }

    /// Whether the keyword is set (ASCII case ignored).
    pub fn has_keyword(&self, keyword: &str) -> bool {
        self.keywords
            .iter()
            .any(|k| k.as_str().eq_ignore_ascii_case(keyword))
    }

    /// Sets a flag; returns whether it was not set before.
    pub fn insert(&mut self, flag: Flag) -> bool {
        match flag {
            Flag::System(flag) => {
                let was = self.has(flag);
                self.system |= flag.bit();
                !was
            }
            Flag::Keyword(keyword) => {
                if self.has_keyword(keyword.as_str()) {
                    return false;
                }
                self.keywords.push(keyword);
                true
            }
        }
    }

    /// Clears a flag; returns whether it was set.
    pub fn remove(&mut self, flag: &Flag) -> bool {
        match flag {
            Flag::System(flag) => {
                let was = self.has(*flag);
                self.system &= !flag.bit();
                was
            }
            Flag::Keyword(keyword) => {
                let before = self.keywords.len();
                self.keywords
                    .retain(|k| !k.as_str().eq_ignore_ascii_case(keyword.as_str()));
                before != self.keywords.len()
            }
        }
    }

    /// Sets or clears a flag, builder style.
    #[must_use]
    pub fn with(mut self, flag: impl Into<Flag>) -> Self {
        self.insert(flag.into());
        self
    }

    /// The system flags that are set.
    pub fn system(&self) -> impl Iterator<Item = SystemFlag> + '_ {
        SystemFlag::ALL.into_iter().filter(|f| self.has(*f))
    }

    /// The keywords that are set.
    pub fn keywords(&self) -> &[Keyword] {
        &self.keywords
    }

    /// Every flag, system flags first.
    pub fn iter(&self) -> impl Iterator<Item = Flag> + '_ {
        self.system()
            .map(Flag::System)
            .chain(self.keywords.iter().cloned().map(Flag::Keyword))
    }

    /// Whether no flag is set.
    pub fn is_empty(&self) -> bool {
        self.system == 0 && self.keywords.is_empty()
    }

    /// Applies a STORE-style change and returns the result.
    #[must_use]
    pub fn apply(&self, op: FlagOp, flags: &Self) -> Self {
        match op {
            FlagOp::Replace => flags.clone(),
            FlagOp::Add => {
                let mut out = self.clone();
                for flag in flags.iter() {
                    out.insert(flag);
                }
                out
            }
            FlagOp::Remove => {
                let mut out = self.clone();
                for flag in flags.iter() {
                    out.remove(&flag);
                }
                out
            }
        }
    }

    /// Whether both hold the same flags, keyword order and ASCII case aside.
    pub fn same_as(&self, other: &Self) -> bool {
        self.system == other.system
            && self.keywords.len() == other.keywords.len()
            && self.keywords.iter().all(|k| other.has_keyword(k.as_str()))
    }

    pub(crate) const fn system_bits(&self) -> u8 {
        self.system
    }

    pub(crate) fn from_parts(system: u8, keywords: Vec<Keyword>) -> Self {
        let mut flags = Self {
            system: system & 0x1f,
            keywords: Vec::with_capacity(keywords.len()),
        };
        for keyword in keywords {
            flags.insert(Flag::Keyword(keyword));
        }
        flags
    }
}

impl FromIterator<Flag> for Flags {
    fn from_iter<T: IntoIterator<Item = Flag>>(iter: T) -> Self {
        let mut flags = Self::new();
        for flag in iter {
            flags.insert(flag);
        }
        flags
    }
}

impl fmt::Display for Flags {
    /// The IMAP flag list without parentheses: `\Seen \Flagged $Forwarded`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, flag) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            flag.fmt(f)?;
        }
        Ok(())
    }
}

/// How a STORE changes flags (RFC 9051 section 6.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagOp {
    /// `FLAGS`: replace the flags with the given ones.
    Replace,
    /// `+FLAGS`: add the given flags.
    Add,
    /// `-FLAGS`: remove the given flags.
    Remove,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_atoms() {
        for ok in ["$Forwarded", "Work", "a.b", "$MDNSent"] {
            assert!(Keyword::try_from(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "\\Seen", "a(b", "x*", "é", "a]"] {
            assert!(Keyword::try_from(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn flag_ops() {
        let seen = Flags::new().with(SystemFlag::Seen);
        let work = Flag::Keyword(Keyword::try_from("Work").unwrap());
        let add = Flags::new().with(SystemFlag::Flagged).with(work.clone());
        let both = seen.apply(FlagOp::Add, &add);
        assert_eq!(both.to_string(), "\\Seen \\Flagged Work");
        let fewer = both.apply(
            FlagOp::Remove,
            &Flags::new().with(Keyword::try_from("WORK").unwrap()),
        );
        assert_eq!(fewer.to_string(), "\\Seen \\Flagged");
        assert_eq!(both.apply(FlagOp::Replace, &seen), seen);
        assert!(Flag::from_imap("\\recent").is_err());
        assert_eq!(
            Flag::from_imap("\\deleted").unwrap(),
            Flag::System(SystemFlag::Deleted)
        );
        let mut dup = Flags::new();
        assert!(dup.insert(work));
        assert!(!dup.insert(Flag::Keyword(Keyword::try_from("work").unwrap())));
        assert!(dup.same_as(&Flags::new().with(Keyword::try_from("WoRk").unwrap())));
    }
}
