//! Test helpers shared by the unit tests: known-answer checks and proptest
//! strategies for the protocol types (one strategy per validated type, built from
//! the ABNF character classes).

mod strategy;

pub(crate) use strategy::*;

use crate::command::Command;
use crate::response::Response;

/// Parses `input` as a command, checks that it encodes back to exactly `input`
/// (the input must be in canonical form), and that the encoding parses to the
/// same value.
#[track_caller]
pub(crate) fn command_kat(input: &[u8]) -> Command<'_> {
    let parsed = crate::codec::parse::command(input)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
    let encoded = crate::codec::encode::command(&parsed).into_bytes();
    assert_eq!(
        String::from_utf8_lossy(&encoded),
        String::from_utf8_lossy(input),
        "encoding differs"
    );
    let again = crate::codec::parse::command(&encoded).unwrap();
    assert_eq!(again, parsed);
    parsed
}

/// The same for responses.
#[track_caller]
pub(crate) fn response_kat(input: &[u8]) -> Response<'_> {
    let parsed = crate::codec::parse::response(input)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
    let mut encoded = Vec::new();
    crate::codec::encode::response(&parsed, &mut encoded);
    assert_eq!(
        String::from_utf8_lossy(&encoded),
        String::from_utf8_lossy(input),
        "encoding differs"
    );
    let again = crate::codec::parse::response(&encoded).unwrap();
    assert_eq!(again, parsed);
    parsed
}

/// Parses a non-canonical command and checks parse(encode(x)) == x.
#[track_caller]
pub(crate) fn command_round_trip(input: &[u8]) -> Command<'_> {
    let parsed = crate::codec::parse::command(input)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
    let encoded = crate::codec::encode::command(&parsed).into_bytes();
    let again = crate::codec::parse::command(&encoded)
        .unwrap_or_else(|e| panic!("re-encoded {:?}: {e}", String::from_utf8_lossy(&encoded)));
    assert_eq!(again.into_owned(), parsed.clone().into_owned());
    parsed
}

/// Parses a non-canonical response and checks parse(encode(x)) == x.
#[track_caller]
pub(crate) fn response_round_trip(input: &[u8]) -> Response<'_> {
    let parsed = crate::codec::parse::response(input)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
    let mut encoded = Vec::new();
    crate::codec::encode::response(&parsed, &mut encoded);
    let again = crate::codec::parse::response(&encoded)
        .unwrap_or_else(|e| panic!("re-encoded {:?}: {e}", String::from_utf8_lossy(&encoded)));
    assert_eq!(again.into_owned(), parsed.clone().into_owned());
    parsed
}
