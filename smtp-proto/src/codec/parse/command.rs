//! Command lines.
//!
//! The verb is matched by hand (four octets folded to lower case and compared as one
//! word), because every line goes through it; the arguments go to one function per
//! command.

use std::borrow::Cow;

use crate::codec::parse::params::{mail_parameters, rcpt_parameters};
use crate::codec::parse::path::{forward_path, host, reverse_path};
use crate::command::{Command, SaslLine};
use crate::error::ParseError;
use crate::types::{Argument, Host, Mechanism, SaslResponse};

const EHLO: &str = "EHLO domain-or-address-literal";
const HELO: &str = "HELO domain";
const LHLO: &str = "LHLO domain-or-address-literal";
const MAIL: &str = "MAIL FROM:<reverse-path> [SP mail-parameters]";
const RCPT: &str = "RCPT TO:<forward-path> [SP rcpt-parameters]";
const BDAT: &str = "BDAT chunk-size [SP LAST]";
const AUTH: &str = "AUTH mechanism [SP initial-response]";

/// Parses one command line, with or without its line ending (CRLF, or the bare LF
/// that the framer tolerates on command lines).
///
/// ```text
/// command = ( ehlo / helo / lhlo / mail / rcpt / data / bdat / rset / noop /
///             quit / vrfy / expn / help / starttls / auth ) CRLF
/// ```
///
/// # Errors
///
/// [`ParseError::UnknownCommand`] for an unknown verb, [`ParseError::InvalidUtf8`],
/// and the syntax errors of each command.
pub fn command(line: &[u8]) -> Result<Command<'_>, ParseError> {
    let line = strip_line_ending(line);
    let line = std::str::from_utf8(line).map_err(|_| ParseError::InvalidUtf8)?;
    let (verb, args) = match memchr::memchr(b' ', line.as_bytes()) {
        Some(at) => (&line[..at], Some(&line[at + 1..])),
        None => (line, None),
    };
    match verb.len() {
        4 => {
            let b = verb.as_bytes();
            // Letters fold to lower case with 0x20; no other octet folds onto a
            // lower-case letter, so this compares case-insensitively.
            match &[b[0] | 0x20, b[1] | 0x20, b[2] | 0x20, b[3] | 0x20] {
                b"mail" => mail(args),
                b"rcpt" => rcpt(args),
                b"ehlo" => hello(args, EHLO).map(Command::Ehlo),
                b"helo" => hello(args, HELO).map(Command::Helo),
                b"lhlo" => hello(args, LHLO).map(Command::Lhlo),
                b"data" => no_args(args, "DATA").map(|()| Command::Data),
                b"bdat" => bdat(args),
                b"rset" => no_args(args, "RSET").map(|()| Command::Rset),
                b"noop" => optional_argument(args, "NOOP [SP string]").map(Command::Noop),
                b"quit" => no_args(args, "QUIT").map(|()| Command::Quit),
                b"vrfy" => argument(args, "VRFY SP string").map(Command::Vrfy),
                b"expn" => argument(args, "EXPN SP string").map(Command::Expn),
                b"help" => optional_argument(args, "HELP [SP string]").map(Command::Help),
                b"auth" => auth(args),
                _ => Err(ParseError::UnknownCommand),
            }
        }
        8 if verb.eq_ignore_ascii_case("STARTTLS") => {
            no_args(args, "STARTTLS").map(|()| Command::StartTls)
        }
        _ => Err(ParseError::UnknownCommand),
    }
}

/// Parses one line of a SASL exchange after a `334` challenge,
/// [RFC 4954 section 4](https://www.rfc-editor.org/rfc/rfc4954#section-4): `*` cancels,
/// anything else is a base64 response (an empty line or `=` is the empty response).
///
/// # Errors
///
/// [`ParseError::Syntax`] when the line is neither.
pub fn sasl_line(line: &[u8]) -> Result<SaslLine<'_>, ParseError> {
    const SYNTAX: &str = "base64 / \"*\"";
    let line = strip_line_ending(line);
    match line {
        b"*" => Ok(SaslLine::Cancel),
        b"" | b"=" => Ok(SaslLine::Response(SaslResponse::encode(b""))),
        _ => {
            let text = std::str::from_utf8(line).map_err(|_| ParseError::Syntax(SYNTAX))?;
            SaslResponse::try_from(text)
                .map(SaslLine::Response)
                .map_err(|_| ParseError::Syntax(SYNTAX))
        }
    }
}

/// Drops a trailing CRLF or LF.
pub(crate) fn strip_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `EHLO`, `HELO`, `LHLO`: one host, trailing spaces tolerated.
#[inline]
fn hello<'a>(args: Option<&'a str>, syntax: &'static str) -> Result<Host<'a>, ParseError> {
    let arg = args.map(|a| a.trim_end_matches(' ')).unwrap_or_default();
    match host(arg) {
        Some((host, "")) => Ok(host),
        _ => Err(ParseError::Syntax(syntax)),
    }
}

/// ```text
/// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
/// ```
///
/// Quirk: a space after the colon (`MAIL FROM: <a@b>`) is accepted, as most servers
/// do.
#[inline]
fn mail(args: Option<&str>) -> Result<Command<'_>, ParseError> {
    let path = prefixed(args, "FROM:").ok_or(ParseError::Syntax(MAIL))?;
    let (from, rest) = reverse_path(path).ok_or(ParseError::InvalidSender)?;
    let params = mail_parameters(rest)?;
    Ok(Command::Mail { from, params })
}

/// ```text
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///        Forward-path ) [SP Rcpt-parameters] CRLF
/// ```
#[inline]
fn rcpt(args: Option<&str>) -> Result<Command<'_>, ParseError> {
    let path = prefixed(args, "TO:").ok_or(ParseError::Syntax(RCPT))?;
    let (to, rest) = forward_path(path).ok_or(ParseError::InvalidRecipient)?;
    let params = rcpt_parameters(rest)?;
    Ok(Command::Rcpt { to, params })
}

/// The arguments after a case-insensitive `prefix` (`FROM:`, `TO:`), with at most one
/// space after it.
#[inline]
fn prefixed<'a>(args: Option<&'a str>, prefix: &str) -> Option<&'a str> {
    let args = args?;
    let head = args.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = &args[prefix.len()..];
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// ```text
/// bdat-cmd   = "BDAT" SP chunk-size [ SP end-marker ] CRLF
/// chunk-size = 1*DIGIT
/// end-marker = "LAST"
/// ```
fn bdat(args: Option<&str>) -> Result<Command<'_>, ParseError> {
    let args = args.ok_or(ParseError::Syntax(BDAT))?.trim_end_matches(' ');
    let (size, last) = match args.split_once(' ') {
        Some((size, marker)) if marker.eq_ignore_ascii_case("LAST") => (size, true),
        Some(_) => return Err(ParseError::Syntax(BDAT)),
        None => (args, false),
    };
    if size.is_empty() || size.len() > 20 || !size.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::Syntax(BDAT));
    }
    let size = size.parse().map_err(|_| ParseError::Syntax(BDAT))?;
    Ok(Command::Bdat { size, last })
}

/// ```text
/// auth-command = "AUTH" SP sasl-mech [SP initial-response] CRLF
/// ```
fn auth(args: Option<&str>) -> Result<Command<'_>, ParseError> {
    let args = args.ok_or(ParseError::Syntax(AUTH))?.trim_end_matches(' ');
    let (mechanism, initial) = match args.split_once(' ') {
        Some((mechanism, initial)) => (mechanism, Some(initial)),
        None => (args, None),
    };
    let mechanism = Mechanism::try_from(mechanism).map_err(|_| ParseError::Syntax(AUTH))?;
    let initial_response = initial
        .map(SaslResponse::try_from)
        .transpose()
        .map_err(|_| ParseError::Syntax(AUTH))?;
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}

/// A command without arguments; trailing spaces tolerated.
#[inline]
fn no_args(args: Option<&str>, syntax: &'static str) -> Result<(), ParseError> {
    match args {
        Some(args) if !args.bytes().all(|b| b == b' ') => Err(ParseError::Syntax(syntax)),
        _ => Ok(()),
    }
}

fn argument<'a>(args: Option<&'a str>, syntax: &'static str) -> Result<Argument<'a>, ParseError> {
    optional_argument(args, syntax)?.ok_or(ParseError::Syntax(syntax))
}

fn optional_argument<'a>(
    args: Option<&'a str>,
    syntax: &'static str,
) -> Result<Option<Argument<'a>>, ParseError> {
    let arg = args.map(|a| a.trim_matches(' ')).unwrap_or_default();
    if arg.is_empty() {
        return Ok(None);
    }
    Argument::validate(arg).map_err(|_| ParseError::Syntax(syntax))?;
    Ok(Some(Argument(Cow::Borrowed(arg))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{BodyType, ForwardPath, ReversePath};

    fn ok(line: &str) -> Command<'_> {
        command(line.as_bytes()).unwrap_or_else(|err| panic!("{line:?}: {err}"))
    }

    #[test]
    fn verbs_are_case_insensitive() {
        for line in ["QUIT", "quit", "QuIt\r\n", "quit \r\n", "QUIT\n"] {
            assert_eq!(ok(line), Command::Quit, "{line:?}");
        }
        assert_eq!(ok("starttls\r\n"), Command::StartTls);
        assert_eq!(ok("Data"), Command::Data);
    }

    #[test]
    fn known_answers() {
        assert!(matches!(
            ok("EHLO mx.example.org\r\n"),
            Command::Ehlo(Host::Domain(_))
        ));
        assert!(matches!(
            ok("HELO [192.0.2.1]"),
            Command::Helo(Host::Literal(_))
        ));
        assert!(matches!(ok("LHLO lmtp.example"), Command::Lhlo(_)));
        let Command::Mail { from, params } = ok("MAIL FROM:<a@example.org> BODY=8BITMIME SIZE=10")
        else {
            panic!()
        };
        assert_eq!(from.to_string(), "<a@example.org>");
        assert_eq!(params.body, Some(BodyType::EightBitMime));
        assert!(matches!(
            ok("mail from: <>"),
            Command::Mail {
                from: ReversePath::Null,
                ..
            }
        ));
        let Command::Rcpt { to, params } = ok("RCPT TO:<Postmaster> NOTIFY=NEVER") else {
            panic!()
        };
        assert_eq!(to, ForwardPath::Postmaster);
        assert!(params.notify.unwrap().is_never());
        assert_eq!(
            ok("BDAT 86 LAST"),
            Command::Bdat {
                size: 86,
                last: true
            }
        );
        assert_eq!(
            ok("bdat 0 last"),
            Command::Bdat {
                size: 0,
                last: true
            }
        );
        assert_eq!(
            ok("BDAT 100000"),
            Command::Bdat {
                size: 100_000,
                last: false
            }
        );
        assert_eq!(ok("NOOP"), Command::Noop(None));
        assert_eq!(ok("HELP mail").verb(), "HELP");
        let Command::Vrfy(who) = ok("VRFY John Smith") else {
            panic!()
        };
        assert_eq!(who.as_str(), "John Smith");
        let Command::Auth {
            mechanism,
            initial_response,
        } = ok("AUTH plain AHVzZXIAcGFzcw==")
        else {
            panic!()
        };
        assert_eq!(mechanism, Mechanism::PLAIN);
        assert_eq!(
            initial_response
                .unwrap()
                .decode()
                .unwrap()
                .declassify()
                .as_slice(),
            b"\0user\0pass"
        );
        assert!(matches!(
            ok("AUTH LOGIN"),
            Command::Auth {
                initial_response: None,
                ..
            }
        ));
    }

    #[test]
    fn rejected_lines_name_their_rule() {
        let cases: &[(&[u8], ParseError)] = &[
            (b"", ParseError::UnknownCommand),
            (b"FOO", ParseError::UnknownCommand),
            (b"MAILFROM:<a@b>", ParseError::UnknownCommand),
            (b"STARTTLSX", ParseError::UnknownCommand),
            (b"EHLO", ParseError::Syntax(EHLO)),
            (b"EHLO bad_host", ParseError::Syntax(EHLO)),
            (b"EHLO a b", ParseError::Syntax(EHLO)),
            (b"MAIL", ParseError::Syntax(MAIL)),
            (b"MAIL TO:<a@b>", ParseError::Syntax(MAIL)),
            (b"MAIL FROM:a@b", ParseError::InvalidSender),
            (
                b"MAIL FROM:<a@b> SIZE=x",
                ParseError::InvalidParameter("SIZE"),
            ),
            (b"RCPT TO:<>", ParseError::InvalidRecipient),
            (b"RCPT FROM:<a@b>", ParseError::Syntax(RCPT)),
            (b"DATA x", ParseError::Syntax("DATA")),
            (b"QUIT now", ParseError::Syntax("QUIT")),
            (b"BDAT", ParseError::Syntax(BDAT)),
            (b"BDAT x", ParseError::Syntax(BDAT)),
            (b"BDAT 1 FIRST", ParseError::Syntax(BDAT)),
            (b"BDAT 99999999999999999999999", ParseError::Syntax(BDAT)),
            (b"VRFY", ParseError::Syntax("VRFY SP string")),
            (b"AUTH", ParseError::Syntax(AUTH)),
            (b"AUTH PLAIN not-base64!", ParseError::Syntax(AUTH)),
            (b"AUTH MECHANISM-NAME-TOO-LONG-X", ParseError::Syntax(AUTH)),
            (b"NOOP \x01", ParseError::Syntax("NOOP [SP string]")),
            (b"EHLO \xff", ParseError::InvalidUtf8),
        ];
        for (line, error) in cases {
            assert_eq!(
                command(line),
                Err(*error),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn sasl_lines() {
        assert_eq!(sasl_line(b"*\r\n"), Ok(SaslLine::Cancel));
        assert_eq!(
            sasl_line(b"\r\n"),
            Ok(SaslLine::Response(SaslResponse::encode(b"")))
        );
        let Ok(SaslLine::Response(response)) = sasl_line(b"dGVzdA==\r\n") else {
            panic!()
        };
        assert_eq!(response.decode().unwrap().declassify().as_slice(), b"test");
        assert!(sasl_line(b"not base64\r\n").is_err());
    }
}
