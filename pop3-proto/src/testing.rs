//! Proptest strategies for the crate's types, one per validated type, built from the
//! ABNF character classes, producing owned `'static` values.

use std::borrow::Cow;

use proptest::prelude::*;

use crate::command::{Command, SaslResponse};
use crate::response::{ScanListing, Stat, Status, StatusLine, UniqueIdListing};
use crate::types::{
    ApopDigest, Capability, Mechanism, MessageNumber, Password, ResponseCode, Secret, Text,
    UniqueId, UserName,
};

pub(crate) fn message_number() -> impl Strategy<Value = MessageNumber> {
    prop_oneof![1u32..20, 1u32..=u32::MAX].prop_map(|n| MessageNumber::new(n).unwrap())
}

pub(crate) fn user_name() -> impl Strategy<Value = UserName<'static>> {
    prop_oneof!["[!-~]{1,40}", "[a-zé@.]{1,20}"].prop_map(|name| UserName::try_from(name).unwrap())
}

pub(crate) fn password() -> impl Strategy<Value = Password<'static>> {
    proptest::collection::vec(prop_oneof![1u8..=9, 11u8..=12, 14u8..=255], 1..64)
        .prop_map(|bytes| Password::try_from(bytes).unwrap())
}

pub(crate) fn text() -> impl Strategy<Value = Text<'static>> {
    prop_oneof!["[ -Z\\\\-~][ -~]{0,60}", "[a-zü ]{1,20}"]
        .prop_map(|text| Text::try_from(text).unwrap())
}

pub(crate) fn response_code() -> impl Strategy<Value = ResponseCode<'static>> {
    "[A-Z\\-]{1,8}(/[A-Z0-9]{1,8}){0,2}".prop_map(|code| ResponseCode::try_from(code).unwrap())
}

pub(crate) fn mechanism() -> impl Strategy<Value = Mechanism<'static>> {
    "[A-Za-z0-9_\\-]{1,20}".prop_map(|mechanism| Mechanism::try_from(mechanism).unwrap())
}

pub(crate) fn unique_id() -> impl Strategy<Value = UniqueId<'static>> {
    "[!-~]{1,70}".prop_map(|uid| UniqueId::try_from(uid).unwrap())
}

pub(crate) fn capability() -> impl Strategy<Value = Capability<'static>> {
    (
        "[!-\\-/-~]{1,16}",
        proptest::collection::vec("[!-~]{1,12}", 0..4),
    )
        .prop_map(|(tag, params)| {
            Capability::new(Cow::Owned(tag), params.into_iter().map(Cow::Owned)).unwrap()
        })
}

pub(crate) fn secret_bytes() -> impl Strategy<Value = Secret<Vec<u8>>> {
    proptest::collection::vec(any::<u8>(), 0..48).prop_map(Secret::new)
}

pub(crate) fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        user_name().prop_map(Command::User),
        password().prop_map(Command::Pass),
        (user_name(), any::<[u8; 16]>()).prop_map(|(name, digest)| Command::Apop {
            name,
            digest: ApopDigest::new(digest)
        }),
        (mechanism(), proptest::option::of(secret_bytes())).prop_map(
            |(mechanism, initial_response)| Command::Auth {
                mechanism,
                initial_response
            }
        ),
        Just(Command::AuthList),
        Just(Command::Stat),
        proptest::option::of(message_number()).prop_map(Command::List),
        message_number().prop_map(Command::Retr),
        message_number().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        Just(Command::Quit),
        (message_number(), any::<u32>())
            .prop_map(|(message, lines)| Command::Top { message, lines }),
        proptest::option::of(message_number()).prop_map(Command::Uidl),
        Just(Command::Capa),
        Just(Command::Stls),
        Just(Command::Utf8),
    ]
}

pub(crate) fn sasl_response() -> impl Strategy<Value = SaslResponse> {
    prop_oneof![
        secret_bytes().prop_map(SaslResponse::Data),
        Just(SaslResponse::Cancel)
    ]
}

pub(crate) fn status_line() -> impl Strategy<Value = StatusLine<'static>> {
    (
        prop_oneof![Just(Status::Ok), Just(Status::Err)],
        proptest::option::of(response_code()),
        proptest::option::of(text()),
    )
        .prop_map(|(status, code, text)| StatusLine { status, code, text })
}

pub(crate) fn stat() -> impl Strategy<Value = Stat> {
    (any::<u32>(), any::<u64>()).prop_map(|(count, octets)| Stat { count, octets })
}

pub(crate) fn scan_listing() -> impl Strategy<Value = ScanListing> {
    (message_number(), any::<u64>()).prop_map(|(message, octets)| ScanListing { message, octets })
}

pub(crate) fn unique_id_listing() -> impl Strategy<Value = UniqueIdListing<'static>> {
    (message_number(), unique_id())
        .prop_map(|(message, unique_id)| UniqueIdListing { message, unique_id })
}
