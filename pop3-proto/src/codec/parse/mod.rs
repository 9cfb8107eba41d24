//! Parsers: one complete line in, one typed value out.
//!
//! Every function takes one line, with or without its CRLF (the framer in
//! [`frame`](crate::codec::frame) finds the line first), and never says "need more": a line is
//! whole or it is an error. Case-insensitive keywords, strict arguments, no allocation
//! except for decoded base64. The grammar is flat (a keyword and up to two words), so the
//! rules are small hand-written functions named after the ABNF rules they implement;
//! [`manual`](crate::manual) says why there is no parser-combinator crate here.

mod command;
mod response;

pub(crate) use command::SASL_BASE64;
pub use command::{command, sasl_response};
pub use response::{
    capability, mechanism, response_line, scan_listing, stat, status_line, unique_id_listing,
};

use crate::error::ParseError;
use crate::types::MessageNumber;

/// `line` without a trailing CRLF (or LF).
pub(crate) fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The space-separated words of `rest` (runs of spaces count as one separator).
pub(crate) fn words(rest: &[u8]) -> impl Iterator<Item = &[u8]> {
    rest.split(|&byte| byte == b' ')
        .filter(|word| !word.is_empty())
}

/// A decimal number of at most `u64` range.
///
/// ```text
/// number = 1*20DIGIT
/// ```
pub(crate) fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &digit| {
        if !digit.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

/// A message-number.
///
/// ```text
/// msg = 1*10DIGIT   ; 1 .. 4294967295
/// ```
pub(crate) fn message_number(
    digits: &[u8],
    syntax: &'static str,
) -> Result<MessageNumber, ParseError> {
    number(digits)
        .and_then(|number| u32::try_from(number).ok())
        .and_then(MessageNumber::new)
        .ok_or_else(|| ParseError::syntax(syntax))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(b"0"), Some(0));
        assert_eq!(number(b"007"), Some(7));
        assert_eq!(number(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(number(b"18446744073709551616"), None);
        assert_eq!(number(b""), None);
        assert_eq!(number(b"+1"), None);
        assert_eq!(number(b"1a"), None);
        assert!(message_number(b"0", "msg").is_err());
        assert!(message_number(b"4294967296", "msg").is_err());
        assert_eq!(
            message_number(b"4294967295", "msg").unwrap().get(),
            u32::MAX
        );
    }
}
