//! proptest strategies, one per validated type, built from the ABNF character classes;
//! they produce owned `'static` values.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use crate::command::{Command, MailParameters, RcptParameters};
use crate::reply::Reply;
use crate::types::{
    AddressLiteral, Argument, BodyType, Domain, EnhancedStatusCode, EsmtpKeyword, EsmtpParameter,
    EsmtpValue, ForwardPath, Host, LocalPart, Mailbox, Mechanism, Notify, Orcpt, ReplyCode, Ret,
    ReversePath, SaslResponse, Text, XText,
};

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?",
        1 => Just("bücher".to_owned()),
        1 => Just("xn--bcher-kva".to_owned()),
    ]
}

pub(crate) fn domain() -> impl Strategy<Value = Domain<'static>> {
    prop::collection::vec(label(), 1..4)
        .prop_map(|labels| Domain::try_from(labels.join(".")).expect("generated domain"))
}

pub(crate) fn address_literal() -> impl Strategy<Value = AddressLiteral<'static>> {
    prop_oneof![
        any::<u32>().prop_map(|ip| AddressLiteral::from(IpAddr::V4(Ipv4Addr::from(ip)))),
        any::<u128>().prop_map(|ip| AddressLiteral::from(IpAddr::V6(Ipv6Addr::from(ip)))),
        "[a-z][a-z0-9-]{0,5}[a-z0-9]:[!-Z^-~]{1,10}".prop_filter_map("valid literal", |text| {
            AddressLiteral::try_from(format!("[{text}]")).ok()
        }),
    ]
}

pub(crate) fn host() -> impl Strategy<Value = Host<'static>> {
    prop_oneof![
        4 => domain().prop_map(Host::Domain),
        1 => address_literal().prop_map(Host::Literal),
    ]
}

pub(crate) fn local_part() -> impl Strategy<Value = LocalPart<'static>> {
    prop_oneof![
        4 => "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,10}(\\.[a-zA-Z0-9_+-]{1,8}){0,2}",
        1 => Just("jörg".to_owned()),
        1 => "[ -~]{0,12}".prop_map(|content| {
            LocalPart::from_content(&content)
                .map(|l| l.as_str().to_owned())
                .unwrap_or_else(|_| "\"\"".to_owned())
        }),
    ]
    .prop_map(|text| LocalPart::try_from(text).expect("generated local part"))
}

pub(crate) fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    (local_part(), host()).prop_map(|(local, host)| Mailbox::new(local, host))
}

pub(crate) fn reverse_path() -> impl Strategy<Value = ReversePath<'static>> {
    prop_oneof![
        1 => Just(ReversePath::Null),
        5 => mailbox().prop_map(ReversePath::Mailbox),
    ]
}

pub(crate) fn forward_path() -> impl Strategy<Value = ForwardPath<'static>> {
    prop_oneof![
        1 => Just(ForwardPath::Postmaster),
        5 => mailbox().prop_map(ForwardPath::Mailbox),
    ]
}

pub(crate) fn xtext() -> impl Strategy<Value = XText<'static>> {
    prop::collection::vec(any::<u8>(), 1..16)
        .prop_map(|bytes| XText::encode(&bytes).expect("non-empty"))
}

fn other_params() -> impl Strategy<Value = Vec<EsmtpParameter<'static>>> {
    prop::collection::btree_map("X-[A-Z0-9]{1,6}", prop::option::of("[!-<>-~]{1,8}"), 0..3)
        .prop_map(|params| {
            params
                .into_iter()
                .map(|(keyword, value)| EsmtpParameter {
                    keyword: EsmtpKeyword(Cow::Owned(keyword)),
                    value: value.map(|v| EsmtpValue(Cow::Owned(v))),
                })
                .collect()
        })
}

pub(crate) fn mail_parameters() -> impl Strategy<Value = MailParameters<'static>> {
    (
        prop::option::of(any::<u64>()),
        prop::option::of(prop_oneof![
            Just(BodyType::SevenBit),
            Just(BodyType::EightBitMime),
            Just(BodyType::BinaryMime)
        ]),
        any::<bool>(),
        prop::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Headers)]),
        prop::option::of(xtext()),
        prop::option::of(xtext()),
        other_params(),
    )
        .prop_map(|(size, body, smtputf8, ret, envid, auth, other)| {
            let mut params = MailParameters::default();
            params.size = size;
            params.body = body;
            params.smtputf8 = smtputf8;
            params.ret = ret;
            params.envid = envid;
            params.auth = auth;
            for param in other {
                params.add_other(param).expect("distinct unknown keywords");
            }
            params
        })
}

pub(crate) fn notify() -> impl Strategy<Value = Notify> {
    prop_oneof![
        Just(Notify::NEVER),
        (any::<bool>(), any::<bool>(), any::<bool>())
            .prop_filter_map("non-empty", |(s, f, d)| Notify::on(s, f, d)),
    ]
}

pub(crate) fn rcpt_parameters() -> impl Strategy<Value = RcptParameters<'static>> {
    (
        prop::option::of(notify()),
        prop::option::of(mailbox()),
        other_params(),
    )
        .prop_map(|(notify, orcpt, other)| {
            let mut params = RcptParameters::default();
            params.notify = notify;
            params.orcpt = orcpt.map(|m| Orcpt::rfc822(&m.to_string()));
            for param in other {
                params.add_other(param).expect("distinct unknown keywords");
            }
            params
        })
}

pub(crate) fn argument() -> impl Strategy<Value = Argument<'static>> {
    "[!-~]([ -~]{0,10}[!-~])?".prop_map(|text| Argument::try_from(text).expect("argument"))
}

pub(crate) fn mechanism() -> impl Strategy<Value = Mechanism<'static>> {
    "[A-Z0-9_-]{1,20}".prop_map(|name| Mechanism::try_from(name).expect("mechanism"))
}

pub(crate) fn sasl_response() -> impl Strategy<Value = SaslResponse<'static>> {
    prop::collection::vec(any::<u8>(), 0..40).prop_map(|bytes| SaslResponse::encode(&bytes))
}

/// Every command, with every parameter.
pub(crate) fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        host().prop_map(Command::Ehlo),
        host().prop_map(Command::Helo),
        host().prop_map(Command::Lhlo),
        (reverse_path(), mail_parameters())
            .prop_map(|(from, params)| Command::Mail { from, params }),
        (forward_path(), rcpt_parameters()).prop_map(|(to, params)| Command::Rcpt { to, params }),
        Just(Command::Data),
        (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        Just(Command::Rset),
        prop::option::of(argument()).prop_map(Command::Noop),
        Just(Command::Quit),
        argument().prop_map(Command::Vrfy),
        argument().prop_map(Command::Expn),
        prop::option::of(argument()).prop_map(Command::Help),
        Just(Command::StartTls),
        (mechanism(), prop::option::of(sasl_response())).prop_map(
            |(mechanism, initial_response)| {
                Command::Auth {
                    mechanism,
                    initial_response,
                }
            }
        ),
    ]
}

pub(crate) fn reply_code() -> impl Strategy<Value = ReplyCode> {
    (2u16..=5, 0u16..=5, 0u16..=9)
        .prop_map(|(a, b, c)| ReplyCode::try_from(a * 100 + b * 10 + c).expect("reply code"))
}

/// Reply text that does not start like an enhanced status code (which, without one
/// set, would be read as one on the way back).
pub(crate) fn text() -> impl Strategy<Value = Text<'static>> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z<][ -~]{0,30}",
        Just("ünïcödé text".to_owned()),
    ]
    .prop_map(|text| Text::try_from(text).expect("text"))
}

pub(crate) fn reply() -> impl Strategy<Value = Reply<'static>> {
    (
        reply_code(),
        prop::option::of((1u16..=999, 0u16..=999)),
        prop::collection::vec(text(), 1..4),
    )
        .prop_map(|(code, enhanced, lines)| {
            let enhanced = enhanced.map(|(subject, detail)| {
                EnhancedStatusCode::new(5, subject, detail).expect("enhanced code")
            });
            Reply::from_parts(code, enhanced, lines).expect("one line at least")
        })
}
