//! Mailbox names with a `.` hierarchy.

use std::fmt;

use super::ValidationError;

/// The hierarchy delimiter of mailbox names: `.`, as in Maildir++ folder names and
/// Dovecot's default for that layout.
pub const HIERARCHY_DELIMITER: char = '.';

/// A mailbox name: UTF-8 text, hierarchy levels separated by [`HIERARCHY_DELIMITER`].
///
/// `INBOX` is matched case-insensitively and always spelled `INBOX`, also as the first
/// level of a child (`inbox.Lists` is `INBOX.Lists`). Rules: 1 to 255 bytes; no empty
/// level (no leading, trailing or doubled `.`); no control characters, no `/` (it cannot
/// appear in a folder name), no IMAP list wildcards `*` and `%`. The IMAP layer converts
/// modified UTF-7 (RFC 3501 section 5.1.3) to this UTF-8 form; on disk the store writes
/// modified UTF-7, as Dovecot does.
///
/// ```text
/// mailbox  = "INBOX" / level *("." level)
/// level    = 1*<any Unicode scalar except CTL, "/", ".", "*", "%">
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MailboxName(String);

impl MailboxName {
    /// Checks that `name` is a valid mailbox name.
    ///
    /// # Errors
    /// [`ValidationError`] naming the first offending byte.
    pub fn validate(name: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        const WHAT: &str = "mailbox name";
        let bytes = name.as_ref();
        if bytes.is_empty() || bytes.len() > 255 {
            return Err(ValidationError::new(WHAT, None));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|err| ValidationError::new(WHAT, Some(err.valid_up_to())))?;
        let mut previous_dot = true;
        for (at, ch) in text.char_indices() {
            let bad = match ch {
                '.' => previous_dot,
                '/' | '*' | '%' => true,
                ch => ch.is_control(),
            };
            if bad {
                return Err(ValidationError::new(WHAT, Some(at)));
            }
            previous_dot = ch == '.';
        }
        if previous_dot {
            return Err(ValidationError::new(WHAT, Some(bytes.len() - 1)));
        }
        Ok(())
    }

    /// `INBOX`.
    pub fn inbox() -> Self {
        Self("INBOX".to_owned())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is `INBOX` itself.
    pub fn is_inbox(&self) -> bool {
        self.0 == "INBOX"
    }

    /// The levels, from the top.
    pub fn levels(&self) -> impl Iterator<Item = &str> {
        self.0.split(HIERARCHY_DELIMITER)
    }

    /// The parent's name, `None` at the top level.
    pub fn parent(&self) -> Option<Self> {
        self.0
            .rfind(HIERARCHY_DELIMITER)
            .map(|at| Self(self.0[..at].to_owned()))
    }

    /// Whether `self` is a (direct or deeper) child of `ancestor`.
    pub fn is_descendant_of(&self, ancestor: &Self) -> bool {
        self.0.len() > ancestor.0.len()
            && self.0.starts_with(&ancestor.0)
            && self.0[ancestor.0.len()..].starts_with(HIERARCHY_DELIMITER)
    }

    /// The name with the prefix `from` swapped for `to` (for renames with children).
    /// A name that does not start with `from` is returned as it is.
    pub(crate) fn with_prefix_replaced(&self, from: &Self, to: &Self) -> Self {
        match self.0.strip_prefix(from.0.as_str()) {
            Some(rest) => Self(format!("{}{rest}", to.0)),
            None => self.clone(),
        }
    }

    fn normalize(mut name: String) -> String {
        let first_len = name.find(HIERARCHY_DELIMITER).unwrap_or(name.len());
        if name[..first_len].eq_ignore_ascii_case("INBOX") {
            name.replace_range(..first_len, "INBOX");
        }
        name
    }
}

impl TryFrom<&str> for MailboxName {
    type Error = ValidationError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::validate(value)?;
        Ok(Self(Self::normalize(value.to_owned())))
    }
}

impl TryFrom<String> for MailboxName {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::validate(&value)?;
        Ok(Self(Self::normalize(value)))
    }
}

impl TryFrom<&[u8]> for MailboxName {
    type Error = ValidationError;

    fn try_from(value: &[u8]) -> Result<Self, Self::Error> {
        Self::validate(value)?;
        let text =
            std::str::from_utf8(value).map_err(|_| ValidationError::new("mailbox name", None))?;
        Ok(Self(Self::normalize(text.to_owned())))
    }
}

impl AsRef<str> for MailboxName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MailboxName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_normalizes() {
        assert_eq!(MailboxName::try_from("inbox").unwrap().as_str(), "INBOX");
        assert_eq!(
            MailboxName::try_from("Inbox.Lists").unwrap().as_str(),
            "INBOX.Lists"
        );
        assert_eq!(
            MailboxName::try_from("Inboxes").unwrap().as_str(),
            "Inboxes"
        );
        assert_eq!(
            MailboxName::try_from("Entwürfe.2024")
                .unwrap()
                .levels()
                .count(),
            2
        );
        for bad in ["", ".a", "a.", "a..b", "a/b", "a*", "a%b", "a\nb", "\u{0}"] {
            assert!(MailboxName::try_from(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hierarchy() {
        let a = MailboxName::try_from("A").unwrap();
        let ab = MailboxName::try_from("A.B").unwrap();
        let abc = MailboxName::try_from("A.B.C").unwrap();
        let other = MailboxName::try_from("AB").unwrap();
        assert!(abc.is_descendant_of(&a) && ab.is_descendant_of(&a));
        assert!(!other.is_descendant_of(&a) && !a.is_descendant_of(&a));
        assert_eq!(abc.parent(), Some(ab));
        let x = MailboxName::try_from("X").unwrap();
        assert_eq!(abc.with_prefix_replaced(&a, &x).as_str(), "X.B.C");
    }
}
