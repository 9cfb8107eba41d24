//! Encoders, mirroring [`parse`](crate::codec::parse) function by function.
//!
//! Every encoder appends one complete line, CRLF included, to any
//! [`bytes::BufMut`] (`Vec<u8>`, `BytesMut`). Encoding a valid value never fails:
//! the validated types cannot hold a CR, an LF or a byte the grammar forbids. Message
//! bodies are not lines: [`frame::BodyEncoder`](crate::codec::frame::BodyEncoder) dot-stuffs
//! them as they stream.

mod command;
mod response;

pub use command::{command, sasl_response};
pub use response::{
    capability, continuation, mechanism, multiline_end, scan_listing, stat, status_line,
    unique_id_listing,
};

use bytes::BufMut;

/// Appends `number` in decimal.
pub(crate) fn decimal(out: &mut impl BufMut, mut number: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        // `number % 10` is below 10, so the cast keeps it whole.
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.put_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::types::Text;
    use crate::{Command, codec::parse, response::ResponseLine, testing};

    #[test]
    fn decimals() {
        for number in [0, 7, 10, 320, u64::MAX] {
            let mut out = Vec::new();
            decimal(&mut out, number);
            assert_eq!(out, number.to_string().as_bytes());
        }
    }

    proptest! {
        /// (1) parse(encode(v)) == v, for every encoder/parser pair.
        #[test]
        fn command_round_trip(command in testing::command()) {
            let mut out = Vec::new();
            super::command(&command, &mut out);
            prop_assert!(out.ends_with(b"\r\n"));
            prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
            prop_assert_eq!(parse::command(&out).unwrap(), command);
        }

        #[test]
        fn sasl_response_round_trip(response in testing::sasl_response()) {
            let mut out = Vec::new();
            sasl_response(&response, &mut out);
            prop_assert_eq!(parse::sasl_response(&out).unwrap(), response);
        }

        #[test]
        fn status_line_round_trip(line in testing::status_line()) {
            let mut out = Vec::new();
            status_line(&line, &mut out);
            prop_assert_eq!(parse::status_line(&out).unwrap(), line.clone());
            prop_assert_eq!(parse::response_line(&out).unwrap(), ResponseLine::Status(line));
        }

        #[test]
        fn continuation_round_trip(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut out = Vec::new();
            continuation(&data, &mut out);
            prop_assert_eq!(parse::response_line(&out).unwrap(), ResponseLine::Continuation(data));
        }

        #[test]
        fn listings_round_trip(
            stat_value in testing::stat(),
            scan in testing::scan_listing(),
            uid in testing::unique_id_listing(),
            capa in testing::capability(),
            mech in testing::mechanism(),
        ) {
            let mut out = Vec::new();
            stat(&stat_value, &mut out);
            prop_assert_eq!(parse::stat(&out).unwrap(), stat_value);
            out.clear();
            scan_listing(&scan, &mut out);
            prop_assert_eq!(parse::scan_listing(&out).unwrap(), scan);
            out.clear();
            unique_id_listing(&uid, &mut out);
            prop_assert_eq!(parse::unique_id_listing(&out).unwrap(), uid);
            out.clear();
            capability(&capa, &mut out);
            prop_assert_eq!(parse::capability(&out).unwrap(), capa);
            out.clear();
            mechanism(&mech, &mut out);
            prop_assert_eq!(parse::mechanism(&out).unwrap(), mech);
        }

        /// (2) and (3): for arbitrary bytes, parsing never panics, and whatever parses
        /// re-encodes to bytes that parse to the same value.
        #[test]
        fn arbitrary_lines(line in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Ok(command) = parse::command(&line) {
                let mut out = Vec::new();
                super::command(&command, &mut out);
                prop_assert_eq!(parse::command(&out).unwrap(), command);
            }
            if let Ok(status) = parse::status_line(&line) {
                let mut out = Vec::new();
                status_line(&status, &mut out);
                prop_assert_eq!(parse::status_line(&out).unwrap(), status);
            }
            let _ = parse::sasl_response(&line);
            let _ = parse::response_line(&line);
            let _ = parse::scan_listing(&line);
            let _ = parse::unique_id_listing(&line);
            let _ = parse::capability(&line);
            let _ = parse::stat(&line);
        }

        /// A keyword and arguments of any Unicode (UTF8 mode allows non-ASCII user
        /// names and passwords, RFC 6856): never a panic; a command re-encodes to a
        /// line that parses back to it, and what `PASS` and `USER` keep is the input.
        #[test]
        fn unicode_commands(
            keyword in prop::sample::select(&[
                "USER ", "PASS ", "APOP ", "AUTH ", "AUTH PLAIN ", "LIST ", "RETR ", "TOP 1 ",
                "UIDL ", "DELE ", "STAT ", "NOOP ", "QUIT ", "CAPA ", "STLS ", "UTF8 ",
                "APOP mrose ", "", "USE", "PAS", "TOP",
            ][..]),
            rest in prop_oneof!["\\PC{0,40}", any::<String>(), "([a-z0-9 ]|\\PC){0,20}"],
        ) {
            let line = format!("{keyword}{rest}\r\n");
            if let Ok(command) = parse::command(line.as_bytes()) {
                let mut out = Vec::new();
                super::command(&command, &mut out);
                prop_assert_eq!(parse::command(&out).unwrap(), command.clone());
                match command {
                    Command::Pass(password) => prop_assert_eq!(password.declassify(), rest.as_bytes()),
                    Command::User(name) => prop_assert_eq!(name.as_str(), rest.trim_matches(' ')),
                    _ => {}
                }
            }
            let _ = parse::sasl_response(rest.as_bytes());
        }

        /// Status lines of any Unicode text, with or without a response code: text
        /// without NUL, CR or LF is kept whole (the encoder writes it back the same),
        /// and nothing panics.
        #[test]
        fn unicode_status_lines(
            status in prop::sample::select(&["+OK", "-ERR", "+ok", "-err", "+", "+O"][..]),
            code in prop_oneof![Just(String::new()), "\\[([A-Z/-]|\\PC){0,10}\\]? ?"],
            text in prop_oneof![
                "[a-zA-Z]\\PC{0,60}",
                any::<String>(),
                Just("日本語の件名テスト #2".to_owned()),
                Just("Привет".to_owned()),
            ],
        ) {
            let line = format!("{status} {code}{text}\r\n");
            if let Ok(parsed) = parse::status_line(line.as_bytes()) {
                let mut out = Vec::new();
                status_line(&parsed, &mut out);
                prop_assert_eq!(parse::status_line(&out).unwrap(), parsed.clone());
                if let Some(kept) = &parsed.text {
                    prop_assert!(line.contains(kept.as_str()));
                    prop_assert!(kept.as_str().len() <= Text::MAX_LEN);
                }
            }
            if code.is_empty() && status.len() >= 3 && !text.contains(['\0', '\r', '\n']) && !text.starts_with('[') && !text.is_empty() && text.len() <= Text::MAX_LEN {
                let parsed = parse::status_line(line.as_bytes());
                prop_assert!(parsed.is_ok(), "{:?}", line);
                let parsed = parsed.unwrap();
                prop_assert_eq!(parsed.text.as_ref().map(Text::as_str), Some(text.as_str()));
            }
            let _ = parse::response_line(line.as_bytes());
            let _ = parse::stat(line.as_bytes());
        }

        /// Multi-line data lines of any Unicode (LIST, UIDL, CAPA, AUTH listings): no
        /// panic; whatever parses re-encodes to a line that parses to the same value.
        #[test]
        fn unicode_listing_lines(
            line in prop_oneof![
                "[0-9]{1,3} ([0-9]|\\PC){1,12}( \\PC{0,6})?",
                "([A-Z0-9-]|\\PC){1,10}( ([A-Z]|\\PC){1,6}){0,3}",
                any::<String>(),
            ],
        ) {
            let wire = format!("{line}\r\n");
            if let Ok(scan) = parse::scan_listing(wire.as_bytes()) {
                let mut out = Vec::new();
                scan_listing(&scan, &mut out);
                prop_assert_eq!(parse::scan_listing(&out).unwrap(), scan);
            }
            if let Ok(uid) = parse::unique_id_listing(wire.as_bytes()) {
                prop_assert!(uid.unique_id.as_str().is_ascii());
                let mut out = Vec::new();
                unique_id_listing(&uid, &mut out);
                prop_assert_eq!(parse::unique_id_listing(&out).unwrap(), uid);
            }
            if let Ok(capa) = parse::capability(wire.as_bytes()) {
                let mut out = Vec::new();
                capability(&capa, &mut out);
                prop_assert_eq!(parse::capability(&out).unwrap(), capa);
            }
            if let Ok(mech) = parse::mechanism(wire.as_bytes()) {
                prop_assert!(mech.as_str().is_ascii());
                let mut out = Vec::new();
                mechanism(&mech, &mut out);
                prop_assert_eq!(parse::mechanism(&out).unwrap(), mech);
            }
        }

        /// The same for lines drawn from the POP3 alphabet, so that they often parse.
        #[test]
        fn alphabet_lines(line in "(USER|PASS|APOP|AUTH|LIST|RETR|TOP|UIDL|DELE|STAT|\\+OK|-ERR|user|top)( [0-9a-zA-Z=\\[\\]/+.]{0,6}){0,3}") {
            if let Ok(command) = parse::command(line.as_bytes()) {
                let mut out = Vec::new();
                super::command(&command, &mut out);
                prop_assert_eq!(parse::command(&out).unwrap(), command);
            }
            if let Ok(status) = parse::status_line(line.as_bytes()) {
                let mut out = Vec::new();
                status_line(&status, &mut out);
                prop_assert_eq!(parse::status_line(&out).unwrap(), status);
            }
        }
    }
}
