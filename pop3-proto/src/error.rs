//! Error types of the crate, grouped by who is at fault.
//!
//! * [`ValidationError`]: a value given to a validated newtype's constructor breaks the
//!   type's grammar (which byte, at which index).
//! * [`ParseError`]: a complete frame (a command line, a response line) does not match
//!   the grammar; carries the rule that failed, for the `-ERR` text.
//! * [`SessionError`](crate::server::SessionError) (in `server`): what the server session
//!   answers with `-ERR`, each mapped to the status line the peer gets.
//! * [`Error`](crate::tokio::Error) (in `tokio`): I/O, TLS and timeouts of the async edge.
//!
//! Incomplete input is never an error: the framer returns `None` until a frame is whole.

/// A value does not satisfy the grammar of the validated type it was given to.
///
/// Opaque so that new kinds can be added; [`Display`](std::fmt::Display) says what was
/// wrong and where.
#[derive(Clone, Copy, Debug, Eq, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct ValidationError {
    kind: ValidationErrorKind,
}

impl ValidationError {
    pub(crate) const fn empty() -> Self {
        Self {
            kind: ValidationErrorKind::Empty,
        }
    }

    pub(crate) const fn too_long(max: usize) -> Self {
        Self {
            kind: ValidationErrorKind::TooLong { max },
        }
    }

    pub(crate) const fn invalid_byte(byte: u8, at: usize) -> Self {
        Self {
            kind: ValidationErrorKind::InvalidByte { byte, at },
        }
    }

    pub(crate) const fn not_utf8() -> Self {
        Self {
            kind: ValidationErrorKind::NotUtf8,
        }
    }

    /// The index of the offending byte, when one byte is to blame.
    pub fn index(&self) -> Option<usize> {
        match self.kind {
            ValidationErrorKind::InvalidByte { at, .. } => Some(at),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Eq, PartialEq, thiserror::Error)]
enum ValidationErrorKind {
    #[error("value is empty")]
    Empty,
    #[error("value is longer than {max} bytes")]
    TooLong { max: usize },
    #[error("invalid byte 0x{byte:02x} at index {at}")]
    InvalidByte { byte: u8, at: usize },
    #[error("value is not valid UTF-8")]
    NotUtf8,
}

/// A complete command or response line does not match the POP3 grammar.
///
/// Small and `Copy`; it carries the grammar rule that failed so that a server can put it
/// into its `-ERR` text (`-ERR syntax: TOP msg n`).
#[derive(Clone, Copy, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The keyword is not a command this crate knows.
    #[error("unknown command")]
    UnknownCommand,
    /// The line does not match `syntax`, the rule that was expected.
    #[error("syntax error, expected {syntax}")]
    Syntax {
        /// The expected form, such as `"TOP msg n"` or `"resp-code"`.
        syntax: &'static str,
    },
}

impl ParseError {
    pub(crate) const fn syntax(syntax: &'static str) -> Self {
        Self::Syntax { syntax }
    }

    /// The expected syntax, if the error is a syntax error.
    pub fn expected(&self) -> Option<&'static str> {
        match self {
            Self::Syntax { syntax } => Some(syntax),
            Self::UnknownCommand => None,
        }
    }
}
