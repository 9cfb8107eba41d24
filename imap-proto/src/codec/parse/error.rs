//! The nom error type of the parsers and its conversion to [`ParseError`].

use nom::error::ErrorKind;

use crate::error::ParseError;

/// Result of an internal parser.
pub(crate) type PResult<'a, T> = nom::IResult<&'a [u8], T, PError<'a>>;

/// An internal parse failure: where, and which rule.
#[derive(Debug)]
pub(crate) struct PError<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) kind: PKind,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum PKind {
    /// The rule named did not match; `""` until a named rule claims the error.
    Syntax(&'static str),
    TooDeep,
    TooMany(&'static str),
}

impl<'a> PError<'a> {
    pub(crate) fn syntax(input: &'a [u8], rule: &'static str) -> Self {
        Self {
            input,
            kind: PKind::Syntax(rule),
        }
    }

    /// Converts to the public error, with `frame` the whole input.
    pub(crate) fn into_parse_error(self, frame: &[u8], default_rule: &'static str) -> ParseError {
        let offset = frame.len().saturating_sub(self.input.len());
        match self.kind {
            PKind::Syntax("") => ParseError::Syntax {
                rule: default_rule,
                offset,
            },
            PKind::Syntax(rule) => ParseError::Syntax { rule, offset },
            PKind::TooDeep => ParseError::TooDeep { offset },
            PKind::TooMany(rule) => ParseError::TooMany { rule, offset },
        }
    }
}

impl<'a> nom::error::ParseError<&'a [u8]> for PError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: ErrorKind) -> Self {
        Self::syntax(input, "")
    }

    fn append(_input: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // Of two alternatives, report the one that got further into the input.
        if other.input.len() < self.input.len() {
            other
        } else {
            self
        }
    }
}

/// Fails with a syntax error naming `rule` at `input`.
pub(crate) fn fail<'a, T>(input: &'a [u8], rule: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(PError::syntax(input, rule)))
}

/// Fails without backtracking (nesting or count limit).
pub(crate) fn fail_hard<'a, T>(input: &'a [u8], kind: PKind) -> PResult<'a, T> {
    Err(nom::Err::Failure(PError { input, kind }))
}

/// Names the rule of errors that no inner rule has named.
pub(crate) fn named<'a, T>(rule: &'static str, result: PResult<'a, T>) -> PResult<'a, T> {
    result.map_err(|err| {
        err.map(|mut e| {
            if matches!(e.kind, PKind::Syntax("")) {
                e.kind = PKind::Syntax(rule);
            }
            e
        })
    })
}

/// Names the rule of every syntax error of `result`, replacing inner names (for
/// rules such as `sequence-set` whose parts' names would mean little to a client).
pub(crate) fn renamed<'a, T>(rule: &'static str, result: PResult<'a, T>) -> PResult<'a, T> {
    result.map_err(|err| {
        err.map(|mut e| {
            if matches!(e.kind, PKind::Syntax(_)) {
                e.kind = PKind::Syntax(rule);
            }
            e
        })
    })
}
