//! Message flags and mailbox attributes.

use crate::error::ValidationError;
use crate::types::atom::check_atom;
use crate::types::registry::registry_newtype;

registry_newtype!(
    /// A message flag: a system flag, a keyword, or an extension flag
    /// (RFC 9051 section 2.3.2). Compared without regard to case.
    ///
    /// ```text
    /// flag           = "\Answered" / "\Flagged" / "\Deleted" /
    ///                  "\Seen" / "\Draft" / flag-keyword / flag-extension
    /// flag-extension = "\" atom
    /// flag-keyword   = "$MDNSent" / "$Forwarded" / "$Junk" /
    ///                  "$NotJunk" / "$Phishing" / atom
    /// flag-fetch     = flag / obsolete-flag-recent
    /// ```
    ///
    /// ```
    /// use mailwright_imap::types::Flag;
    /// assert_eq!(Flag::try_from("\\seen").unwrap(), Flag::SEEN);
    /// assert!(Flag::try_from("$Label1").is_ok());
    /// assert!(Flag::try_from("\\").is_err());
    /// ```
    Flag, check_flag,
    {
        /// `\Answered`.
        ANSWERED = "\\Answered",
        /// `\Flagged`.
        FLAGGED = "\\Flagged",
        /// `\Deleted`.
        DELETED = "\\Deleted",
        /// `\Seen`.
        SEEN = "\\Seen",
        /// `\Draft`.
        DRAFT = "\\Draft",
        /// `\Recent` (IMAP4rev1 only; appears in FETCH FLAGS, never set by clients).
        RECENT = "\\Recent",
        /// `$Forwarded`.
        FORWARDED = "$Forwarded",
        /// `$MDNSent`.
        MDN_SENT = "$MDNSent",
        /// `$Junk`.
        JUNK = "$Junk",
        /// `$NotJunk`.
        NOT_JUNK = "$NotJunk",
        /// `$Phishing`.
        PHISHING = "$Phishing",
    }
);

pub(crate) fn check_flag(bytes: &[u8]) -> Result<(), ValidationError> {
    match bytes.strip_prefix(b"\\") {
        Some(rest) => check_atom(rest).map_err(|err| shift(err, 1)),
        None => check_atom(bytes),
    }
}

fn shift(err: ValidationError, by: usize) -> ValidationError {
    match err.kind() {
        crate::error::ValidationErrorKind::InvalidByte { byte, at } => {
            ValidationError::byte(byte, at + by)
        }
        _ => err,
    }
}

impl Flag<'_> {
    /// Whether this is a system flag or extension flag (`\` + atom) rather than a keyword.
    pub fn is_system(&self) -> bool {
        self.as_str().starts_with('\\')
    }
}

/// A flag in a PERMANENTFLAGS list: a flag or `\*` ("clients may create keywords").
///
/// ```text
/// flag-perm = flag / "\*"
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum FlagPerm<'a> {
    /// A flag that is stored permanently.
    Flag(Flag<'a>),
    /// `\*`: new keywords can be created and stored.
    Asterisk,
}

impl FlagPerm<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> FlagPerm<'static> {
        match self {
            Self::Flag(f) => FlagPerm::Flag(f.into_owned()),
            Self::Asterisk => FlagPerm::Asterisk,
        }
    }
}

registry_newtype!(
    /// A mailbox attribute in a LIST response: the base attributes of RFC 9051
    /// section 7.3.1, the LIST-EXTENDED ones (RFC 5258) and SPECIAL-USE
    /// (RFC 6154). Compared without regard to case.
    ///
    /// ```text
    /// mbx-list-flags = *(mbx-list-oflag SP) mbx-list-sflag *(SP mbx-list-oflag) /
    ///                  mbx-list-oflag *(SP mbx-list-oflag)
    /// mbx-list-oflag = "\Noinferiors" / child-mbox-flag / "\Subscribed" /
    ///                  "\Remote" / flag-extension
    /// mbx-list-sflag = "\NonExistent" / "\Noselect" / "\Marked" / "\Unmarked"
    /// use-attr       = "\All" / "\Archive" / "\Drafts" / "\Flagged" /
    ///                  "\Junk" / "\Sent" / "\Trash" / use-attr-ext
    /// ```
    MailboxAttribute, check_mailbox_attribute,
    {
        /// `\Noinferiors`: no child mailboxes can exist.
        NOINFERIORS = "\\Noinferiors",
        /// `\Noselect`: the name cannot be selected.
        NOSELECT = "\\Noselect",
        /// `\Marked`.
        MARKED = "\\Marked",
        /// `\Unmarked`.
        UNMARKED = "\\Unmarked",
        /// `\NonExistent`.
        NON_EXISTENT = "\\NonExistent",
        /// `\Subscribed`.
        SUBSCRIBED = "\\Subscribed",
        /// `\Remote`.
        REMOTE = "\\Remote",
        /// `\HasChildren`.
        HAS_CHILDREN = "\\HasChildren",
        /// `\HasNoChildren`.
        HAS_NO_CHILDREN = "\\HasNoChildren",
        /// `\All` (special use).
        ALL = "\\All",
        /// `\Archive` (special use).
        ARCHIVE = "\\Archive",
        /// `\Drafts` (special use).
        DRAFTS = "\\Drafts",
        /// `\Flagged` (special use).
        FLAGGED = "\\Flagged",
        /// `\Junk` (special use).
        JUNK = "\\Junk",
        /// `\Sent` (special use).
        SENT = "\\Sent",
        /// `\Trash` (special use).
        TRASH = "\\Trash",
        /// `\Important` (RFC 8457).
        IMPORTANT = "\\Important",
    }
);

fn check_mailbox_attribute(bytes: &[u8]) -> Result<(), ValidationError> {
    match bytes.strip_prefix(b"\\") {
        Some(rest) => check_atom(rest).map_err(|err| shift(err, 1)),
        None => Err(match bytes.first() {
            Some(&b) => ValidationError::byte(b, 0),
            None => ValidationError::empty(),
        }),
    }
}

impl MailboxAttribute<'_> {
    /// Whether this is one of the SPECIAL-USE attributes of RFC 6154 / RFC 8457.
    pub fn is_special_use(&self) -> bool {
        [
            MailboxAttribute::ALL,
            MailboxAttribute::ARCHIVE,
            MailboxAttribute::DRAFTS,
            MailboxAttribute::FLAGGED,
            MailboxAttribute::JUNK,
            MailboxAttribute::SENT,
            MailboxAttribute::TRASH,
            MailboxAttribute::IMPORTANT,
        ]
        .iter()
        .any(|a| a == self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert!(Flag::try_from("\\Seen").unwrap().is_system());
        assert!(!Flag::FORWARDED.is_system());
        assert!(Flag::try_from("\\Seen").unwrap().is_known());
        for bad in ["", "\\", "a b", "\\*", "(x"] {
            assert!(Flag::try_from(bad).is_err(), "{bad}");
        }
        assert_eq!(Flag::validate("\\a b").unwrap_err().position(), Some(2));
    }

    #[test]
    fn attributes() {
        assert!(
            MailboxAttribute::try_from("\\sent")
                .unwrap()
                .is_special_use()
        );
        assert!(!MailboxAttribute::NOSELECT.is_special_use());
        assert!(MailboxAttribute::try_from("Sent").is_err());
        let mut set = std::collections::HashSet::new();
        set.insert(MailboxAttribute::try_from("\\HASCHILDREN").unwrap());
        assert!(
            set.contains(&MailboxAttribute::HAS_CHILDREN),
            "hash ignores case"
        );
    }
}
