//! The paths of `MAIL FROM` and `RCPT TO`.

use std::fmt;

use crate::types::Mailbox;

/// The argument of `MAIL FROM`,
/// [RFC 5321 section 4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2).
///
/// ```text
/// Reverse-path   = Path / "<>"
/// Path           = "<" [ A-d-l ":" ] Mailbox ">"
/// ```
///
/// A source route (`A-d-l`) is accepted by the parser and dropped, as RFC 5321
/// section 4.1.2 and appendix C ask.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub enum ReversePath<'a> {
    /// The null path `<>` of bounces and other notifications.
    Null,
    /// A sender mailbox.
    Mailbox(Mailbox<'a>),
}

impl<'a> ReversePath<'a> {
    /// The mailbox, unless this is the null path.
    pub fn mailbox(&self) -> Option<&Mailbox<'a>> {
        match self {
            Self::Null => None,
            Self::Mailbox(mailbox) => Some(mailbox),
        }
    }

    /// Whether the path is all ASCII (no `SMTPUTF8` needed).
    pub fn is_ascii(&self) -> bool {
        self.mailbox().is_none_or(Mailbox::is_ascii)
    }

    /// An owned copy.
    pub fn into_owned(self) -> ReversePath<'static> {
        match self {
            Self::Null => ReversePath::Null,
            Self::Mailbox(mailbox) => ReversePath::Mailbox(mailbox.into_owned()),
        }
    }
}

impl<'a> From<Mailbox<'a>> for ReversePath<'a> {
    fn from(mailbox: Mailbox<'a>) -> Self {
        Self::Mailbox(mailbox)
    }
}

impl fmt::Display for ReversePath<'_> {
    /// The path with its angle brackets: `<>` or `<user@example.org>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("<>"),
            Self::Mailbox(mailbox) => write!(f, "<{mailbox}>"),
        }
    }
}

/// The argument of `RCPT TO`,
/// [RFC 5321 section 4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2).
///
/// ```text
/// Forward-path   = Path
/// Rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///        Forward-path ) [SP Rcpt-parameters]
/// ```
///
/// `<Postmaster@domain>` is an ordinary mailbox; only the bare `<Postmaster>`
/// (any case) has its own variant.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub enum ForwardPath<'a> {
    /// `<Postmaster>` without a domain: the postmaster of this server.
    Postmaster,
    /// A recipient mailbox.
    Mailbox(Mailbox<'a>),
}

impl<'a> ForwardPath<'a> {
    /// The mailbox, unless this is the bare postmaster.
    pub fn mailbox(&self) -> Option<&Mailbox<'a>> {
        match self {
            Self::Postmaster => None,
            Self::Mailbox(mailbox) => Some(mailbox),
        }
    }

    /// Whether the path is all ASCII (no `SMTPUTF8` needed).
    pub fn is_ascii(&self) -> bool {
        self.mailbox().is_none_or(Mailbox::is_ascii)
    }

    /// An owned copy.
    pub fn into_owned(self) -> ForwardPath<'static> {
        match self {
            Self::Postmaster => ForwardPath::Postmaster,
            Self::Mailbox(mailbox) => ForwardPath::Mailbox(mailbox.into_owned()),
        }
    }
}

impl<'a> From<Mailbox<'a>> for ForwardPath<'a> {
    fn from(mailbox: Mailbox<'a>) -> Self {
        Self::Mailbox(mailbox)
    }
}

impl fmt::Display for ForwardPath<'_> {
    /// The path with its angle brackets: `<Postmaster>` or `<user@example.org>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postmaster => f.write_str("<Postmaster>"),
            Self::Mailbox(mailbox) => write!(f, "<{mailbox}>"),
        }
    }
}
