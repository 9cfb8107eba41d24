//! Parsers: complete frames to typed values.
//!
//! Each function takes one complete frame, as the [framer](crate::codec::frame) delivers
//! it (a command or response line with its CRLF, literals included), and returns
//! the value borrowing from it, or a [`ParseError`] naming the rule that failed.
//! Incomplete input is the framer's business, never an error here.
//!
//! ```
//! use mailwright_imap::command::CommandBody;
//!
//! let cmd = mailwright_imap::codec::parse::command(b"a1 LOGIN alice {6+}\r\nsecret\r\n").unwrap();
//! assert_eq!(cmd.tag.as_str(), "a1");
//! assert!(matches!(cmd.body, CommandBody::Login { .. }));
//!
//! let err = mailwright_imap::codec::parse::command(b"a2 FETCH 1:x FLAGS\r\n").unwrap_err();
//! assert_eq!(err.rule(), "sequence-set");
//! ```
//!
//! One function per ABNF rule lives in the submodules, each quoting its rule.

mod body;
mod command;
mod core;
mod error;
mod fetch;
mod fetch_data;
mod limits;
mod response;
mod search;

pub(crate) use self::command::append_message_head;
pub(crate) use self::core::sequence_set;

use crate::command::Command;
use crate::error::ParseError;
use crate::response::{Response, StatusResponse};
use crate::types::Tag;

fn complete<'a, T>(
    frame: &'a [u8],
    rule: &'static str,
    parser: impl FnOnce(&'a [u8]) -> error::PResult<'a, T>,
) -> Result<T, ParseError> {
    match parser(frame) {
        Ok(([], value)) => Ok(value),
        Ok((rest, _)) => Err(ParseError::Trailing {
            offset: frame.len() - rest.len(),
        }),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.into_parse_error(frame, rule)),
        // Complete-input parsers never ask for more.
        Err(nom::Err::Incomplete(_)) => Err(ParseError::Syntax {
            rule,
            offset: frame.len(),
        }),
    }
}

/// Parses one command frame (`tag SP command CRLF`, literals included).
///
/// # Errors
///
/// A [`ParseError`] naming the rule that failed and where.
pub fn command(frame: &[u8]) -> Result<Command<'_>, ParseError> {
    complete(frame, "command", command::command)
}

/// Parses one response frame (status, untagged data or continuation request).
///
/// # Errors
///
/// A [`ParseError`] naming the rule that failed and where.
pub fn response(frame: &[u8]) -> Result<Response<'_>, ParseError> {
    complete(frame, "response", response::response)
}

/// Parses the server greeting (`* OK`, `* PREAUTH` or `* BYE`).
///
/// # Errors
///
/// A [`ParseError`] naming the rule that failed and where.
pub fn greeting(frame: &[u8]) -> Result<StatusResponse<'_>, ParseError> {
    complete(frame, "greeting", response::greeting)
}

/// Parses the `DONE` line that ends IDLE.
///
/// # Errors
///
/// When the line is not `DONE` CRLF (any case).
pub fn idle_done(frame: &[u8]) -> Result<(), ParseError> {
    complete(frame, "idle-done", command::idle_done)
}

/// Parses a client line during AUTHENTICATE: the decoded base64 data, or `None`
/// for `*` (the client cancels).
///
/// # Errors
///
/// When the line is neither base64 nor `*`.
pub fn authenticate_data(frame: &[u8]) -> Result<Option<Vec<u8>>, ParseError> {
    complete(frame, "base64", command::authenticate_data)
}

/// The tag at the start of a command line, when there is a valid one; for tagging
/// the `BAD` reply to a command that did not parse.
pub fn command_tag(frame: &[u8]) -> Option<Tag<'_>> {
    command::command_tag(frame)
}

#[cfg(test)]
mod tests;
