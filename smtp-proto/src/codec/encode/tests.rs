//! Round trips through `encode` and `parse` (STYLE.md properties 1, 2, 3 and 5).

use proptest::prelude::*;

use crate::{codec::encode, codec::parse, testing};

fn command_bytes(command: &crate::Command<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    encode::command(command, &mut out);
    out
}

fn reply_bytes(reply: &crate::Reply<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    encode::reply(reply, &mut out);
    out
}

/// Lines that look like commands: a known verb and arbitrary printable arguments.
fn command_like() -> impl Strategy<Value = Vec<u8>> {
    let verb = prop_oneof![
        Just("MAIL FROM:"),
        Just("RCPT TO:"),
        Just("mail from: "),
        Just("EHLO "),
        Just("HELO "),
        Just("BDAT "),
        Just("AUTH "),
        Just("VRFY "),
        Just("NOOP"),
        Just("DATA"),
        Just("STARTTLS"),
    ];
    (verb, "[ -~]{0,60}").prop_map(|(verb, rest)| format!("{verb}{rest}\r\n").into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_command_round_trips(command in testing::command()) {
        let wire = command_bytes(&command);
        prop_assert!(wire.ends_with(b"\r\n"));
        prop_assert_eq!(wire.iter().filter(|&&b| b == b'\n').count(), 1, "one line");
        let parsed = parse::command(&wire);
        prop_assert_eq!(parsed, Ok(command), "{}", String::from_utf8_lossy(&wire));
    }

    #[test]
    fn every_reply_round_trips(reply in testing::reply()) {
        let wire = reply_bytes(&reply);
        let parsed = parse::reply(&wire).map(crate::Reply::into_owned);
        prop_assert_eq!(parsed, Ok(reply), "{}", String::from_utf8_lossy(&wire));
    }

    #[test]
    fn parsed_commands_reparse_to_themselves(line in command_like()) {
        if let Ok(command) = parse::command(&line) {
            let again = command_bytes(&command);
            prop_assert_eq!(parse::command(&again), Ok(command));
        }
    }

    #[test]
    fn parsed_replies_reparse_to_themselves(
        lines in prop::collection::vec(("[2-5][0-5][0-9]", "[ -~]{0,30}"), 1..4),
        code in "[2-5][0-5][0-9]",
    ) {
        let mut wire = String::new();
        for (i, (_, text)) in lines.iter().enumerate() {
            let sep = if i + 1 == lines.len() { ' ' } else { '-' };
            wire.push_str(&format!("{code}{sep}{text}\r\n"));
        }
        if let Ok(reply) = parse::reply(wire.as_bytes()) {
            let again = reply_bytes(&reply);
            prop_assert_eq!(parse::reply(&again), Ok(reply));
        }
    }

    /// Any Unicode after any verb and path opener: the parsers slice UTF-8 text and
    /// must never cut inside a character (a bug this property found).
    #[test]
    fn unicode_arguments_never_panic(
        head in prop::sample::select(&[
            "MAIL FROM:<", "RCPT TO:<", "RCPT TO:<postmaste", "EHLO [", "EHLO [IPv6",
            "HELO ", "MAIL FROM:<a@", "RCPT TO:<\"", "AUTH ", "VRFY ", "BDAT ",
            "MAIL FRO", "RCPT T", "mail from:", "RCPT TO:<Postmaster", "LHLO ", "EHLO ",
            "EXPN ", "HELP ", "NOOP ", "DATA ", "QUIT ", "RSET ", "STARTTLS ", "AUTH PLAIN ",
            "MAIL FROM:<a@b.example> ", "MAIL FROM:<a@b.example> SIZE=", "MAIL FROM:<> ENVID=",
            "MAIL FROM:<> AUTH=", "MAIL FROM:<> BODY=", "MAIL FROM:<> X-",
            "RCPT TO:<a@b.example> NOTIFY=", "RCPT TO:<a@b.example> ORCPT=rfc822;",
            "RCPT TO:<a@b.example> ORCPT=", "RCPT TO:<@", "RCPT TO:<@relay.example,@",
            "RCPT TO:<a@[", "RCPT TO:<a@[IPv6:", "RCPT TO:<a@[tag:",
        ][..]),
        rest in prop_oneof!["\\PC{0,40}", any::<String>(), "([a-z@.<>:=;+ ]|\\PC){0,40}"],
    ) {
        let line = format!("{head}{rest}\r\n");
        if let Ok(command) = parse::command(line.as_bytes()) {
            let again = command_bytes(&command);
            prop_assert_eq!(parse::command(&again), Ok(command));
        }
    }

    /// A whole line of any Unicode: a command or an error, never a panic; a command
    /// re-encodes to a line that parses back to it.
    #[test]
    fn any_string_is_a_command_or_an_error(line in any::<String>()) {
        if let Ok(command) = parse::command(line.as_bytes()) {
            let again = command_bytes(&command);
            prop_assert_eq!(parse::command(&again), Ok(command));
        }
    }

    /// Reply text of any Unicode without control characters is a valid textstring:
    /// the reply parses, keeps each line's text whole, and round-trips.
    #[test]
    fn unicode_reply_text_is_kept_whole(
        code in "[2-5][0-5][0-9]",
        lines in prop::collection::vec(
            prop_oneof!["\\PC{0,60}", "[a-zA-Z]\\PC{0,30}", Just("日本語の件名テスト #2".to_owned()), Just("Привет".to_owned())],
            1..4,
        ),
    ) {
        let mut wire = String::new();
        for (i, text) in lines.iter().enumerate() {
            let sep = if i + 1 == lines.len() { ' ' } else { '-' };
            wire.push_str(&format!("{code}{sep}{text}\r\n"));
        }
        let reply = parse::reply(wire.as_bytes());
        prop_assert!(reply.is_ok(), "{:?}: {:?}", wire, reply);
        let reply = reply.unwrap_or_else(|_| unreachable!());
        prop_assert_eq!(reply.line_count(), lines.len());
        if reply.enhanced().is_none() {
            let parsed: Vec<&str> = reply.lines().collect();
            prop_assert_eq!(parsed, lines.iter().map(String::as_str).collect::<Vec<_>>());
        } else {
            for (parsed, sent) in reply.lines().zip(&lines) {
                prop_assert!(sent.ends_with(parsed));
            }
        }
        let again = reply_bytes(&reply);
        prop_assert_eq!(parse::reply(&again), Ok(reply));
    }

    /// A SASL line of any Unicode: `*`, base64 (ASCII only) or an error; a response
    /// re-encodes to the same line.
    #[test]
    fn unicode_sasl_lines(line in prop_oneof![any::<String>(), "[A-Za-z0-9+/=]{0,8}\\PC{0,4}", "[A-Za-z0-9+/]{4,12}={0,2}"]) {
        match parse::sasl_line(line.as_bytes()) {
            Ok(crate::SaslLine::Response(response)) => {
                prop_assert!(line.is_ascii());
                prop_assert!(response.decode().is_ok());
                let mut wire = Vec::new();
                encode::sasl_line(&crate::SaslLine::Response(response.clone()), &mut wire);
                prop_assert_eq!(parse::sasl_line(&wire), Ok(crate::SaslLine::Response(response)));
            }
            Ok(crate::SaslLine::Cancel) => prop_assert_eq!(line.as_str(), "*"),
            Err(_) => {}
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse::command(&bytes);
        let _ = parse::reply(&bytes);
        let _ = parse::sasl_line(&bytes);
    }
}
