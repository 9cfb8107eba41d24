//! Encoders, mirroring [`parse`](crate::parse) function by function.
//!
//! Every encoder appends one complete line, CRLF included, to any
//! [`bytes::BufMut`] (`Vec<u8>`, `BytesMut`). Encoding a valid value never fails:
//! the validated types cannot hold a CR, an LF or a byte the grammar forbids. Message
//! bodies are not lines: [`frame::BodyEncoder`](crate::frame::BodyEncoder) dot-stuffs
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
    use crate::{parse, response::ResponseLine, testing};

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
