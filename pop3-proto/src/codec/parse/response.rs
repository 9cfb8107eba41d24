//! Response lines (RFC 1939 section 3, RFC 2449 sections 6 and 8, RFC 5034 section 4).

use std::borrow::Cow;

use base64::Engine;

use crate::codec::parse::SASL_BASE64;
use crate::codec::parse::{message_number, number, strip_line_end, words};
use crate::error::ParseError;
use crate::response::{ResponseLine, ScanListing, Stat, Status, StatusLine, UniqueIdListing};
use crate::types::{Capability, Mechanism, ResponseCode, Text, UniqueId};

/// Parses the first line of a response: a status line or a SASL continuation.
///
/// ```text
/// response-line = single-line / continuation
/// continuation  = "+" [SP base64] CRLF      ; RFC 5034 section 4
/// ```
///
/// # Errors
///
/// [`ParseError::Syntax`] when the line is neither.
pub fn response_line(line: &[u8]) -> Result<ResponseLine<'_>, ParseError> {
    let trimmed = strip_line_end(line);
    match trimmed {
        [b'+'] => Ok(ResponseLine::Continuation(Vec::new())),
        [b'+', b' ', data @ ..] => SASL_BASE64
            .decode(data)
            .map(ResponseLine::Continuation)
            .map_err(|_| ParseError::syntax("\"+\" SP base64")),
        _ => status_line(trimmed).map(ResponseLine::Status),
    }
}

/// Parses a status line.
///
/// ```text
/// single-line = status [SP text] CRLF                    ; RFC 2449 section 8
/// status      = "+OK" / "-ERR"                           ; case-insensitive here
/// text        = *schar / resp-code *CHAR
/// resp-code   = "[" resp-level *("/" resp-level) "]"
/// ```
///
/// A space after the status with nothing behind it reads as no text.
///
/// # Errors
///
/// [`ParseError::Syntax`] for another status, a malformed response code, or text with
/// NUL or non-UTF-8 bytes.
///
/// ```
/// use mailwright_pop3::{ResponseCode, codec::parse};
///
/// let line = parse::status_line(b"-ERR [IN-USE] maildrop locked\r\n").unwrap();
/// assert!(!line.is_ok());
/// assert_eq!(line.code, Some(ResponseCode::IN_USE));
/// assert_eq!(line.text.unwrap().as_str(), "maildrop locked");
/// ```
pub fn status_line(line: &[u8]) -> Result<StatusLine<'_>, ParseError> {
    const SYNTAX: &str = "(\"+OK\" / \"-ERR\") [SP text]";
    let line = strip_line_end(line);
    let (status, rest) = if line.len() >= 3 && line[..3].eq_ignore_ascii_case(b"+OK") {
        (Status::Ok, &line[3..])
    } else if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"-ERR") {
        (Status::Err, &line[4..])
    } else {
        return Err(ParseError::syntax(SYNTAX));
    };
    let rest = match rest {
        [] => &[][..],
        [b' ', rest @ ..] => rest,
        _ => return Err(ParseError::syntax(SYNTAX)),
    };
    let (code, text) = match rest {
        [b'[', inner @ ..] => {
            let end = inner
                .iter()
                .position(|&byte| byte == b']')
                .ok_or_else(|| ParseError::syntax("resp-code"))?;
            let code = ResponseCode::try_from(&inner[..end])
                .map_err(|_| ParseError::syntax("resp-code"))?;
            match &inner[end + 1..] {
                [] => (Some(code), &[][..]),
                [b' ', text @ ..] => (Some(code), text),
                _ => return Err(ParseError::syntax("resp-code SP text")),
            }
        }
        text => (None, text),
    };
    let text = match text {
        [] => None,
        text => Some(Text::try_from(text).map_err(|_| ParseError::syntax("text"))?),
    };
    Ok(StatusLine { status, code, text })
}

/// Parses `+OK nn mm`, the answer to `STAT`.
///
/// ```text
/// stat-line = "+OK" SP count SP octets [SP *CHAR] CRLF   ; RFC 1939 section 5
/// ```
///
/// # Errors
///
/// [`ParseError::Syntax`] unless the line is `+OK` with two numbers.
pub fn stat(line: &[u8]) -> Result<Stat, ParseError> {
    const SYNTAX: &str = "\"+OK\" SP count SP octets";
    let line = status_line(line)?;
    let text = match (&line.status, &line.text) {
        (Status::Ok, Some(text)) => text.as_str().as_bytes(),
        _ => return Err(ParseError::syntax(SYNTAX)),
    };
    let mut words = words(text);
    let count = words
        .next()
        .and_then(number)
        .and_then(|count| u32::try_from(count).ok())
        .ok_or_else(|| ParseError::syntax(SYNTAX))?;
    let octets = words
        .next()
        .and_then(number)
        .ok_or_else(|| ParseError::syntax(SYNTAX))?;
    Ok(Stat { count, octets })
}

/// Parses a scan listing: a data line of `LIST` or the text of `+OK` to `LIST msg`.
///
/// ```text
/// scan-listing = msg SP octets [SP *CHAR]   ; RFC 1939 section 5
/// ```
///
/// # Errors
///
/// [`ParseError::Syntax`] unless the line starts with a message-number and a size.
pub fn scan_listing(line: &[u8]) -> Result<ScanListing, ParseError> {
    const SYNTAX: &str = "msg SP octets";
    let mut words = words(strip_line_end(line));
    let message = message_number(words.next().unwrap_or_default(), SYNTAX)?;
    let octets = words
        .next()
        .and_then(number)
        .ok_or_else(|| ParseError::syntax(SYNTAX))?;
    Ok(ScanListing { message, octets })
}

/// Parses a unique-id listing: a data line of `UIDL` or the text of `+OK` to `UIDL msg`.
///
/// ```text
/// uid-listing = msg SP unique-id   ; RFC 1939 section 7
/// ```
///
/// # Errors
///
/// [`ParseError::Syntax`] unless the line is a message-number and a unique-id.
pub fn unique_id_listing(line: &[u8]) -> Result<UniqueIdListing<'_>, ParseError> {
    const SYNTAX: &str = "msg SP unique-id";
    let mut words = words(strip_line_end(line));
    let message = message_number(words.next().unwrap_or_default(), SYNTAX)?;
    let unique_id = words
        .next()
        .and_then(|uid| UniqueId::try_from(uid).ok())
        .ok_or_else(|| ParseError::syntax(SYNTAX))?;
    if words.next().is_some() {
        return Err(ParseError::syntax(SYNTAX));
    }
    Ok(UniqueIdListing { message, unique_id })
}

/// Parses one data line of a `CAPA` response.
///
/// ```text
/// capability = capa-tag *(SP param) CRLF   ; RFC 2449 section 9
/// ```
///
/// # Errors
///
/// [`ParseError::Syntax`] when the tag or a parameter breaks the grammar.
pub fn capability(line: &[u8]) -> Result<Capability<'_>, ParseError> {
    const SYNTAX: &str = "capa-tag *(SP param)";
    let mut words = words(strip_line_end(line)).map(std::str::from_utf8);
    let Some(Ok(tag)) = words.next() else {
        return Err(ParseError::syntax(SYNTAX));
    };
    let params = words
        .map(|param| param.map(Cow::Borrowed))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ParseError::syntax(SYNTAX))?;
    Capability::new(Cow::Borrowed(tag), params).map_err(|_| ParseError::syntax(SYNTAX))
}

/// Parses one data line of the answer to `AUTH` without arguments: a mechanism name.
///
/// # Errors
///
/// [`ParseError::Syntax`] unless the line is one `sasl-mech`.
pub fn mechanism(line: &[u8]) -> Result<Mechanism<'_>, ParseError> {
    Mechanism::try_from(strip_line_end(line)).map_err(|_| ParseError::syntax("sasl-mech"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        type Row<'a> = (&'a [u8], Status, Option<&'a str>, Option<&'a str>);
        let rows: &[Row<'_>] = &[
            (b"+OK", Status::Ok, None, None),
            (b"+OK ", Status::Ok, None, None),
            (b"+ok 2 320\r\n", Status::Ok, None, Some("2 320")),
            (b"-ERR", Status::Err, None, None),
            (b"-ERR [IN-USE]", Status::Err, Some("IN-USE"), None),
            (
                b"-ERR [SYS/TEMP] try later",
                Status::Err,
                Some("SYS/TEMP"),
                Some("try later"),
            ),
            (
                b"+OK POP3 server ready <1896.697170952@dbc.mit.edu>",
                Status::Ok,
                None,
                Some("POP3 server ready <1896.697170952@dbc.mit.edu>"),
            ),
        ];
        for (line, status, code, text) in rows {
            let parsed = status_line(line).unwrap();
            assert_eq!(parsed.status, *status, "{line:?}");
            assert_eq!(parsed.code.as_ref().map(|c| c.as_str()), *code);
            assert_eq!(parsed.text.as_ref().map(|t| t.as_str()), *text);
        }
        for bad in [
            &b""[..],
            b"+O",
            b"+OKAY",
            b"-ERROR",
            b"OK",
            b"-ERR [IN-USE",
            b"-ERR [IN-USE]x",
            b"-ERR []",
            b"+OK a\0b",
            b"+OK \xff",
        ] {
            assert!(status_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn continuations() {
        assert_eq!(
            response_line(b"+ \r\n").unwrap(),
            ResponseLine::Continuation(vec![])
        );
        assert_eq!(
            response_line(b"+").unwrap(),
            ResponseLine::Continuation(vec![])
        );
        assert_eq!(
            response_line(b"+ VXNlcm5hbWU6").unwrap(),
            ResponseLine::Continuation(b"Username:".to_vec())
        );
        assert!(response_line(b"+ !!").is_err());
        assert!(matches!(
            response_line(b"+OK").unwrap(),
            ResponseLine::Status(_)
        ));
    }

    #[test]
    fn listings() {
        assert_eq!(
            stat(b"+OK 2 320\r\n").unwrap(),
            Stat {
                count: 2,
                octets: 320
            }
        );
        assert!(stat(b"+OK 2").is_err());
        assert!(stat(b"+OK x 2").is_err());
        assert!(stat(b"-ERR 2 320").is_err());
        let scan = scan_listing(b"2 200 extra info\r\n").unwrap();
        assert_eq!((scan.message.get(), scan.octets), (2, 200));
        assert!(scan_listing(b"0 200").is_err());
        assert!(scan_listing(b"1").is_err());
        let uid = unique_id_listing(b"1 whqtswO00WBw418f9t5JxYwZ").unwrap();
        assert_eq!(uid.unique_id.as_str(), "whqtswO00WBw418f9t5JxYwZ");
        assert!(unique_id_listing(b"1").is_err());
        assert!(unique_id_listing(b"1 a b").is_err());
        let capa = capability(b"SASL PLAIN LOGIN\r\n").unwrap();
        assert_eq!(capa.mechanisms(), [Mechanism::PLAIN, Mechanism::LOGIN]);
        assert!(capability(b"").is_err());
        assert!(capability(b".").is_err());
        assert!(mechanism(b"PLAIN\r\n").is_ok());
        assert!(mechanism(b".").is_err());
    }
}
