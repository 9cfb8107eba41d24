//! Replies: one or more lines with the same code, the last one without `-`.

use std::borrow::Cow;

use nom::bytes::complete::take_while_m_n;
use nom::combinator::{map_res, rest};
use nom::{IResult, Parser};

use super::command::strip_line_ending;
use crate::error::ParseError;
use crate::reply::Reply;
use crate::types::{EnhancedStatusCode, ReplyClass, ReplyCode, Text};

/// Parses a complete reply: every line of it, each ending in CRLF (a bare LF or a
/// missing ending on the last line are tolerated).
///
/// ```text
/// Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
///                  Reply-code [ SP textstring ] CRLF
/// ```
///
/// An enhanced status code (RFC 2034) at the start of the first line's text is taken
/// out when its class matches the reply code, and so is the same code at the start of
/// the following lines.
///
/// # Errors
///
/// [`ParseError::InvalidReply`] naming the rule that failed: a bad code, codes that
/// differ between lines, a continuation after the last line, text that is not UTF-8 or
/// holds control characters.
pub fn reply(input: &[u8]) -> Result<Reply<'_>, ParseError> {
    let mut lines = input
        .split_inclusive(|&b| b == b'\n')
        .map(strip_line_ending);
    let first = lines.next().ok_or(ParseError::InvalidReply("Reply-line"))?;
    let (code, mut more, text) = reply_line(first)?;
    let (enhanced, text) = split_enhanced(code, text);
    let first = text_of(text)?;
    let mut rest = Vec::new();
    for line in lines {
        if !more {
            return Err(ParseError::InvalidReply("a single final line"));
        }
        let (line_code, line_more, text) = reply_line(line)?;
        if line_code != code {
            return Err(ParseError::InvalidReply(
                "the same Reply-code on every line",
            ));
        }
        more = line_more;
        let text = match enhanced {
            Some(expected) => match split_enhanced(code, text) {
                (Some(found), stripped) if found == expected => stripped,
                _ => text,
            },
            None => text,
        };
        rest.push(text_of(text)?);
    }
    if more {
        return Err(ParseError::InvalidReply("a final line without \"-\""));
    }
    Ok(Reply::from_wire(code, enhanced, first, rest))
}

/// ```text
/// Reply-code     = %x32-35 %x30-35 %x30-39
/// ```
fn reply_code(input: &[u8]) -> IResult<&[u8], ReplyCode> {
    map_res(
        take_while_m_n(3, 3, |b: u8| b.is_ascii_digit()),
        |digits: &[u8]| {
            let value = digits
                .iter()
                .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
            ReplyCode::try_from(value)
        },
    )
    .parse(input)
}

/// One line without its ending: the code, whether more lines follow (`-`), the text.
fn reply_line(line: &[u8]) -> Result<(ReplyCode, bool, &[u8]), ParseError> {
    let (after, (code, tail)) = (reply_code, rest)
        .parse(line)
        .map_err(|_: nom::Err<nom::error::Error<&[u8]>>| ParseError::InvalidReply("Reply-code"))?;
    debug_assert!(after.is_empty());
    match tail.split_first() {
        None => Ok((code, false, tail)),
        Some((b' ', text)) => Ok((code, false, text)),
        Some((b'-', text)) => Ok((code, true, text)),
        Some(_) => Err(ParseError::InvalidReply("SP or \"-\" after Reply-code")),
    }
}

/// Takes an enhanced status code off the start of `text` when its class is the reply
/// code's and it is followed by SP or the end.
fn split_enhanced(code: ReplyCode, text: &[u8]) -> (Option<EnhancedStatusCode>, &[u8]) {
    let class = match code.class() {
        ReplyClass::PositiveCompletion => 2,
        ReplyClass::TransientNegative => 4,
        ReplyClass::PermanentNegative => 5,
        ReplyClass::PositiveIntermediate => return (None, text),
    };
    match EnhancedStatusCode::parse_prefix(text) {
        Some((enhanced, len)) if enhanced.class() == class => match text.get(len) {
            None => (Some(enhanced), &text[len..]),
            Some(b' ') => (Some(enhanced), &text[len + 1..]),
            Some(_) => (None, text),
        },
        _ => (None, text),
    }
}

fn text_of(text: &[u8]) -> Result<Text<'_>, ParseError> {
    Text::validate(text).map_err(|_| ParseError::InvalidReply("textstring"))?;
    let text = std::str::from_utf8(text).map_err(|_| ParseError::InvalidReply("textstring"))?;
    Ok(Text(Cow::Borrowed(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_multi_line() {
        let parsed = reply(b"220 mx1.example.org ESMTP ready\r\n").unwrap();
        assert_eq!(parsed.code(), ReplyCode::SERVICE_READY);
        assert_eq!(parsed.enhanced(), None);
        assert_eq!(parsed.text(), "mx1.example.org ESMTP ready");

        let parsed = reply(b"250-mx1.example.org\r\n250-PIPELINING\r\n250 SIZE 10\r\n").unwrap();
        let lines: Vec<_> = parsed.lines().collect();
        assert_eq!(lines, ["mx1.example.org", "PIPELINING", "SIZE 10"]);
    }

    #[test]
    fn enhanced_codes_are_taken_out() {
        let parsed =
            reply(b"451-4.7.1 Greylisted, please try again later.\r\n451 4.7.1 See x\r\n").unwrap();
        assert_eq!(parsed.enhanced().unwrap().to_string(), "4.7.1");
        let lines: Vec<_> = parsed.lines().collect();
        assert_eq!(lines, ["Greylisted, please try again later.", "See x"]);

        // Class mismatch: text, not a code.
        let parsed = reply(b"250 5.0.0 odd\r\n").unwrap();
        assert_eq!(parsed.enhanced(), None);
        assert_eq!(parsed.text(), "5.0.0 odd");
        // No enhanced codes in 3yz replies.
        assert_eq!(reply_with("354 2.0.0 go\r\n").enhanced(), None);
        // A code alone.
        let parsed = reply(b"250 2.0.0\r\n").unwrap();
        assert_eq!(
            (parsed.enhanced().unwrap().to_string(), parsed.text()),
            ("2.0.0".into(), "")
        );
    }

    fn reply_with(text: &str) -> Reply<'_> {
        reply(text.as_bytes()).unwrap()
    }

    #[test]
    fn tolerates_bare_lf_and_no_final_ending() {
        assert_eq!(reply_with("250 ok").text(), "ok");
        assert_eq!(reply_with("250-a\n250 b\n").line_count(), 2);
        assert_eq!(reply_with("250\r\n").text(), "");
    }

    #[test]
    fn rejects_malformed_replies() {
        for bad in [
            &b""[..],
            b"25 ok\r\n",
            b"600 no\r\n",
            b"250x\r\n",
            b"250-a\r\n",
            b"250-a\r\n251 b\r\n",
            b"250 a\r\n250 b\r\n",
            b"250 a\x00\r\n",
            b"250 \xff\r\n",
        ] {
            assert!(reply(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
