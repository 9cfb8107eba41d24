//! Errors of the codec: [`ValidationError`] when a value cannot become a protocol
//! newtype, [`ParseError`] when bytes are not a valid command or response.
//!
//! Session errors (who is at fault, which reply the peer gets) live in
//! [`crate::server::SessionError`]; the tokio adapter's in `crate::tokio`.

/// A value that does not satisfy the grammar of the newtype it was meant to become.
///
/// Opaque so that kinds can grow; [`ValidationError::kind`] says what was wrong and,
/// for a bad byte, [`ValidationError::position`] where.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct ValidationError {
    kind: ValidationErrorKind,
}

/// What made a value invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationErrorKind {
    /// The value is empty but the grammar needs at least one character.
    #[error("must not be empty")]
    Empty,
    /// A byte that the grammar does not allow at this place.
    #[error("invalid byte {byte:#04x} at index {at}")]
    InvalidByte {
        /// The offending byte.
        byte: u8,
        /// Its index in the value.
        at: usize,
    },
    /// The bytes are not UTF-8 where text is required.
    #[error("not UTF-8 at index {at}")]
    NotUtf8 {
        /// Index of the first byte that is not part of a UTF-8 sequence.
        at: usize,
    },
    /// A number or length outside the allowed range.
    #[error("out of range")]
    OutOfRange,
    /// The value is well-formed but not allowed here (a reserved word, a `NIL` atom...).
    #[error("not allowed in this place")]
    NotAllowed,
}

impl ValidationError {
    pub(crate) const fn new(kind: ValidationErrorKind) -> Self {
        Self { kind }
    }

    pub(crate) const fn empty() -> Self {
        Self::new(ValidationErrorKind::Empty)
    }

    pub(crate) const fn byte(byte: u8, at: usize) -> Self {
        Self::new(ValidationErrorKind::InvalidByte { byte, at })
    }

    /// What was wrong with the value.
    pub fn kind(&self) -> ValidationErrorKind {
        self.kind
    }

    /// The index of the offending byte, when one byte was the problem.
    pub fn position(&self) -> Option<usize> {
        match self.kind {
            ValidationErrorKind::InvalidByte { at, .. } | ValidationErrorKind::NotUtf8 { at } => {
                Some(at)
            }
            _ => None,
        }
    }
}

impl From<std::str::Utf8Error> for ValidationError {
    fn from(err: std::str::Utf8Error) -> Self {
        Self::new(ValidationErrorKind::NotUtf8 {
            at: err.valid_up_to(),
        })
    }
}

/// Bytes that are not a valid command or response.
///
/// Small and `Copy`: no heap, no strings. The session puts [`ParseError::rule`] into
/// the text of its `BAD` reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input does not match the grammar rule `rule` at byte `offset`.
    #[error("syntax error in {rule} at offset {offset}")]
    Syntax {
        /// The ABNF rule (or command form) that failed.
        rule: &'static str,
        /// Offset into the frame where that rule failed.
        offset: usize,
    },
    /// Nesting (parenthesised search keys, body structures) deeper than the limit.
    #[error("nesting too deep at offset {offset}")]
    TooDeep {
        /// Offset into the frame.
        offset: usize,
    },
    /// More repetitions (list elements, sequence ranges) than the limit.
    #[error("too many elements in {rule} at offset {offset}")]
    TooMany {
        /// The repeated rule.
        rule: &'static str,
        /// Offset into the frame.
        offset: usize,
    },
    /// Bytes left after a complete command or response.
    #[error("unexpected bytes after the end at offset {offset}")]
    Trailing {
        /// Offset of the first extra byte.
        offset: usize,
    },
}

impl ParseError {
    /// The grammar rule that failed, for a `BAD` reply text.
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Syntax { rule, .. } | Self::TooMany { rule, .. } => rule,
            Self::TooDeep { .. } => "nesting depth",
            Self::Trailing { .. } => "end of line",
        }
    }

    /// Offset into the frame where parsing failed.
    pub fn offset(&self) -> usize {
        match self {
            Self::Syntax { offset, .. }
            | Self::TooDeep { offset }
            | Self::TooMany { offset, .. }
            | Self::Trailing { offset } => *offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_error_says_where() {
        let err = ValidationError::byte(b' ', 3);
        assert_eq!(err.position(), Some(3));
        assert_eq!(err.to_string(), "invalid byte 0x20 at index 3");
        assert_eq!(ValidationError::empty().position(), None);
    }

    #[test]
    fn parse_error_names_the_rule() {
        let err = ParseError::Syntax {
            rule: "sequence-set",
            offset: 9,
        };
        assert_eq!(err.rule(), "sequence-set");
        assert_eq!(err.offset(), 9);
        assert_eq!(err.to_string(), "syntax error in sequence-set at offset 9");
    }
}
