//! Command lines (RFC 1939 section 9, RFC 2449, 2595, 5034, 6856).

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use crate::codec::parse::{message_number, number, strip_line_end, words};
use crate::command::{Command, SaslResponse};
use crate::error::ParseError;
use crate::types::{ApopDigest, Mechanism, Password, Secret, UserName};

/// Base64 as SASL sends it: the standard alphabet; padding optional on input (some
/// clients drop it), always written.
pub(crate) const SASL_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Parses one command line.
///
/// ```text
/// command = keyword [SP arguments] CRLF   ; RFC 1939 section 3
/// keyword = 3*4VCHAR                      ; case-insensitive
/// ```
///
/// `line` may or may not end with CRLF. Arguments are separated by single spaces; runs of
/// spaces are accepted. `PASS` takes everything after its first space, spaces included.
///
/// # Errors
///
/// [`ParseError::UnknownCommand`] for a keyword this crate does not know,
/// [`ParseError::Syntax`] naming the command's syntax for wrong arguments.
///
/// ```
/// use mailwright_pop3::{Command, codec::parse};
///
/// let command = parse::command(b"TOP 1 10\r\n").unwrap();
/// assert_eq!(command.keyword(), "TOP");
/// assert!(parse::command(b"XYZZY").is_err());
/// ```
pub fn command(line: &[u8]) -> Result<Command<'_>, ParseError> {
    let line = strip_line_end(line);
    let (keyword, rest) = match line.iter().position(|&byte| byte == b' ') {
        Some(at) => (&line[..at], Some(&line[at + 1..])),
        None => (line, None),
    };
    if !(3..=4).contains(&keyword.len()) {
        return Err(ParseError::UnknownCommand);
    }
    let mut upper = [0u8; 4];
    for (slot, byte) in upper.iter_mut().zip(keyword) {
        *slot = byte.to_ascii_uppercase();
    }
    let args = || words(rest.unwrap_or_default());
    match &upper[..keyword.len()] {
        b"USER" => {
            let [name] = exactly(args(), "USER name")?;
            Ok(Command::User(user_name(name, "USER name")?))
        }
        b"PASS" => match rest {
            Some(password) => Password::try_from(password)
                .map(Command::Pass)
                .map_err(|_| ParseError::syntax("PASS string")),
            None => Err(ParseError::syntax("PASS string")),
        },
        b"APOP" => {
            let [name, digest] = exactly(args(), "APOP name digest")?;
            Ok(Command::Apop {
                name: user_name(name, "APOP name digest")?,
                digest: ApopDigest::from_hex(digest)
                    .map_err(|_| ParseError::syntax("APOP name digest"))?,
            })
        }
        b"AUTH" => auth(args()),
        b"STAT" => none(args(), Command::Stat, "STAT"),
        b"LIST" => optional_message(args(), "LIST [msg]").map(Command::List),
        b"RETR" => {
            let [message] = exactly(args(), "RETR msg")?;
            Ok(Command::Retr(message_number(message, "RETR msg")?))
        }
        b"DELE" => {
            let [message] = exactly(args(), "DELE msg")?;
            Ok(Command::Dele(message_number(message, "DELE msg")?))
        }
        b"NOOP" => none(args(), Command::Noop, "NOOP"),
        b"RSET" => none(args(), Command::Rset, "RSET"),
        b"QUIT" => none(args(), Command::Quit, "QUIT"),
        b"TOP" => {
            let [message, lines] = exactly(args(), "TOP msg n")?;
            Ok(Command::Top {
                message: message_number(message, "TOP msg n")?,
                lines: number(lines)
                    .and_then(|lines| u32::try_from(lines).ok())
                    .ok_or_else(|| ParseError::syntax("TOP msg n"))?,
            })
        }
        b"UIDL" => optional_message(args(), "UIDL [msg]").map(Command::Uidl),
        b"CAPA" => none(args(), Command::Capa, "CAPA"),
        b"STLS" => none(args(), Command::Stls, "STLS"),
        b"UTF8" => none(args(), Command::Utf8, "UTF8"),
        _ => Err(ParseError::UnknownCommand),
    }
}

/// Parses a client's line during a SASL exchange.
///
/// ```text
/// client-response = *(4base64char) [base64-terminal] / "*"   ; RFC 5034 section 4
/// ```
///
/// # Errors
///
/// [`ParseError::Syntax`] when the line is neither `*` nor base64.
pub fn sasl_response(line: &[u8]) -> Result<SaslResponse, ParseError> {
    let line = strip_line_end(line);
    if line == b"*" {
        return Ok(SaslResponse::Cancel);
    }
    SASL_BASE64
        .decode(line)
        .map(|data| SaslResponse::Data(Secret::new(data)))
        .map_err(|_| ParseError::syntax("base64 or \"*\""))
}

/// `AUTH [mechanism [initial-response]]`; `=` is an empty initial response.
fn auth<'a>(mut args: impl Iterator<Item = &'a [u8]>) -> Result<Command<'a>, ParseError> {
    const SYNTAX: &str = "AUTH mechanism [initial-response]";
    let Some(mechanism) = args.next() else {
        return Ok(Command::AuthList);
    };
    let mechanism = Mechanism::try_from(mechanism).map_err(|_| ParseError::syntax(SYNTAX))?;
    let initial_response = match args.next() {
        None => None,
        Some(b"=") => Some(Secret::new(Vec::new())),
        Some(data) => Some(Secret::new(
            SASL_BASE64
                .decode(data)
                .map_err(|_| ParseError::syntax(SYNTAX))?,
        )),
    };
    if args.next().is_some() {
        return Err(ParseError::syntax(SYNTAX));
    }
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}

fn user_name<'a>(name: &'a [u8], syntax: &'static str) -> Result<UserName<'a>, ParseError> {
    UserName::try_from(name).map_err(|_| ParseError::syntax(syntax))
}

/// Exactly `N` arguments.
fn exactly<'a, const N: usize>(
    mut args: impl Iterator<Item = &'a [u8]>,
    syntax: &'static str,
) -> Result<[&'a [u8]; N], ParseError> {
    let mut found = [&b""[..]; N];
    for slot in &mut found {
        *slot = args.next().ok_or_else(|| ParseError::syntax(syntax))?;
    }
    match args.next() {
        Some(_) => Err(ParseError::syntax(syntax)),
        None => Ok(found),
    }
}

fn none<'a>(
    mut args: impl Iterator<Item = &'a [u8]>,
    command: Command<'a>,
    syntax: &'static str,
) -> Result<Command<'a>, ParseError> {
    match args.next() {
        Some(_) => Err(ParseError::syntax(syntax)),
        None => Ok(command),
    }
}

fn optional_message<'a>(
    mut args: impl Iterator<Item = &'a [u8]>,
    syntax: &'static str,
) -> Result<Option<crate::types::MessageNumber>, ParseError> {
    let Some(message) = args.next() else {
        return Ok(None);
    };
    if args.next().is_some() {
        return Err(ParseError::syntax(syntax));
    }
    message_number(message, syntax).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::MessageNumber;

    fn n(number: u32) -> MessageNumber {
        MessageNumber::new(number).unwrap()
    }

    #[test]
    fn accepted() {
        let rows: &[(&[u8], Command<'_>)] = &[
            (
                b"USER mrose",
                Command::User(UserName::try_from("mrose").unwrap()),
            ),
            (
                b"user mrose\r\n",
                Command::User(UserName::try_from("mrose").unwrap()),
            ),
            (
                b"PASS  two  spaces ",
                Command::Pass(Password::try_from(" two  spaces ").unwrap()),
            ),
            (
                b"APOP mrose c4c9334bac560ecc979e58001b3e22fb",
                Command::Apop {
                    name: UserName::try_from("mrose").unwrap(),
                    digest: ApopDigest::from_hex("c4c9334bac560ecc979e58001b3e22fb").unwrap(),
                },
            ),
            (b"AUTH", Command::AuthList),
            (
                b"AUTH PLAIN",
                Command::Auth {
                    mechanism: Mechanism::PLAIN,
                    initial_response: None,
                },
            ),
            (
                b"AUTH PLAIN =",
                Command::Auth {
                    mechanism: Mechanism::PLAIN,
                    initial_response: Some(Secret::new(vec![])),
                },
            ),
            (
                b"AUTH PLAIN AHRlc3QAdGVzdA==",
                Command::Auth {
                    mechanism: Mechanism::PLAIN,
                    initial_response: Some(Secret::new(b"\0test\0test".to_vec())),
                },
            ),
            (b"STAT", Command::Stat),
            (b"LIST", Command::List(None)),
            (b"LIST 2", Command::List(Some(n(2)))),
            (b"LIST  2 ", Command::List(Some(n(2)))),
            (b"RETR 1", Command::Retr(n(1))),
            (b"DELE 1", Command::Dele(n(1))),
            (b"NOOP", Command::Noop),
            (b"RSET", Command::Rset),
            (b"QUIT", Command::Quit),
            (
                b"TOP 1 10",
                Command::Top {
                    message: n(1),
                    lines: 10,
                },
            ),
            (
                b"TOP 1 0",
                Command::Top {
                    message: n(1),
                    lines: 0,
                },
            ),
            (b"UIDL", Command::Uidl(None)),
            (b"UIDL 2", Command::Uidl(Some(n(2)))),
            (b"CAPA", Command::Capa),
            (b"STLS", Command::Stls),
            (b"utf8", Command::Utf8),
        ];
        for (line, expected) in rows {
            assert_eq!(
                command(line).as_ref(),
                Ok(expected),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn rejected() {
        let rows: &[(&[u8], ParseError)] = &[
            (b"", ParseError::UnknownCommand),
            (b"XYZZY", ParseError::UnknownCommand),
            (b"LAST", ParseError::UnknownCommand),
            (b"HELO x", ParseError::UnknownCommand),
            (b"USER", ParseError::syntax("USER name")),
            (b"USER a b", ParseError::syntax("USER name")),
            (b"PASS", ParseError::syntax("PASS string")),
            (b"PASS ", ParseError::syntax("PASS string")),
            (b"APOP mrose", ParseError::syntax("APOP name digest")),
            (b"APOP mrose c4c9", ParseError::syntax("APOP name digest")),
            (
                b"AUTH PL AIN x y",
                ParseError::syntax("AUTH mechanism [initial-response]"),
            ),
            (
                b"AUTH PLAIN !!!",
                ParseError::syntax("AUTH mechanism [initial-response]"),
            ),
            (b"STAT 1", ParseError::syntax("STAT")),
            (b"LIST 0", ParseError::syntax("LIST [msg]")),
            (b"LIST 1 2", ParseError::syntax("LIST [msg]")),
            (b"LIST x", ParseError::syntax("LIST [msg]")),
            (b"RETR", ParseError::syntax("RETR msg")),
            (b"RETR 4294967296", ParseError::syntax("RETR msg")),
            (b"RETR -1", ParseError::syntax("RETR msg")),
            (b"DELE", ParseError::syntax("DELE msg")),
            (b"TOP 1", ParseError::syntax("TOP msg n")),
            (b"TOP 1 -1", ParseError::syntax("TOP msg n")),
            (b"TOP 1 4294967296", ParseError::syntax("TOP msg n")),
            (b"QUIT now", ParseError::syntax("QUIT")),
            (b"USER \xff", ParseError::syntax("USER name")),
        ];
        for (line, expected) in rows {
            assert_eq!(
                command(line),
                Err(*expected),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn sasl_lines() {
        assert_eq!(sasl_response(b"*\r\n"), Ok(SaslResponse::Cancel));
        assert_eq!(
            sasl_response(b""),
            Ok(SaslResponse::Data(Secret::new(vec![])))
        );
        assert_eq!(
            sasl_response(b"dGltIHRhbnN0YWFmdGFuc3RhYWY="),
            Ok(SaslResponse::Data(Secret::new(
                b"tim tanstaaftanstaaf".to_vec()
            )))
        );
        assert_eq!(
            sasl_response(b"dGltIHRhbnN0YWFmdGFuc3RhYWY"),
            Ok(SaslResponse::Data(Secret::new(
                b"tim tanstaaftanstaaf".to_vec()
            ))),
            "padding is optional"
        );
        assert!(sasl_response(b"**").is_err());
    }
}
