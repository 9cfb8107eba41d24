//! Proptest strategies for the crate's values (test builds only).

use mailwright_smtp::{
    BodyType, EnhancedStatusCode, EnvId, Mailbox, Notify, Orcpt, Reply, ReplyCode, Ret, ReversePath,
};
use proptest::prelude::*;

use crate::entry::{QueueEntry, Update};
use crate::envelope::{Envelope, Recipient};
use crate::id::QueueId;
use crate::status::{DeliveryStatus, Diagnostic, RecipientState, clean_reply, codes};
use crate::time::Timestamp;

/// Printable text with spaces, `%`, `-` and non-ASCII, no control characters.
pub(crate) fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[ -~éü日%-]{{0,{max}}}"))
        .unwrap_or_else(|_| unreachable!("constant regex"))
}

/// A mailbox from text known to be one (tests only).
pub(crate) fn mailbox(text: &str) -> Mailbox<'static> {
    Mailbox::try_from(text.to_owned()).unwrap()
}

/// Valid reply codes (2-5, 0-5, 0-9).
pub(crate) fn reply_code() -> impl Strategy<Value = u16> {
    (2u16..6, 0u16..6, 0u16..10).prop_map(|(a, b, c)| a * 100 + b * 10 + c)
}

/// A reply as a remote server sends it (tests only).
pub(crate) fn reply(code: u16, enhanced: Option<EnhancedStatusCode>, text: &str) -> Reply<'static> {
    let reply = Reply::new(ReplyCode::try_from(code).unwrap(), text.to_owned());
    match enhanced {
        Some(enhanced) => reply.with_enhanced(enhanced),
        None => reply,
    }
}

/// Mailboxes: dot-atoms, quoted strings with spaces and `%`, UTF-8 local parts, domains
/// and address literals.
pub(crate) fn address() -> impl Strategy<Value = Mailbox<'static>> {
    let local = prop_oneof![
        4 => "[a-zA-Z0-9+%_-]{1,10}(\\.[a-z0-9]{1,5}){0,2}",
        1 => "\"[a-z %@.-]{1,10}\"",
        1 => "[a-zéü日]{1,8}",
    ];
    let host = prop_oneof![
        4 => "[a-z0-9]{1,10}(\\.[a-z]{2,5}){0,2}",
        1 => "[a-zéü]{1,8}\\.[a-z]{2,4}",
        1 => Just("[192.0.2.1]".to_owned()),
    ];
    (local, host).prop_filter_map("valid mailbox", |(local, host)| {
        Mailbox::try_from(format!("{local}@{host}")).ok()
    })
}

pub(crate) fn notify() -> impl Strategy<Value = Notify> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(success, failure, delay)| {
        Notify::on(success, failure, delay).unwrap_or(Notify::NEVER)
    })
}

pub(crate) fn recipient() -> impl Strategy<Value = Recipient> {
    (
        address(),
        proptest::option::of(notify()),
        proptest::option::of(("[a-z0-9-]{1,10}", "[ -~é日]{1,40}")),
    )
        .prop_map(|(address, notify, orcpt)| Recipient {
            address,
            notify,
            orcpt: orcpt.and_then(|(t, a)| Orcpt::encode(&t, &a).ok()),
        })
}

pub(crate) fn envelope() -> impl Strategy<Value = Envelope> {
    (
        proptest::option::of(address()),
        proptest::collection::vec(recipient(), 1..6),
        proptest::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Headers)]),
        proptest::option::of("[ -~é]{1,30}"),
        proptest::option::of(prop_oneof![
            Just(BodyType::SevenBit),
            Just(BodyType::EightBitMime),
            Just(BodyType::BinaryMime),
        ]),
        (any::<bool>(), any::<bool>()),
        "[a-z]{1,10}",
    )
        .prop_map(
            |(sender, recipients, ret, envid, body, (smtputf8, requiretls), queue)| Envelope {
                sender: sender.map_or(ReversePath::Null, ReversePath::Mailbox),
                recipients,
                ret,
                envid: envid.and_then(|e| EnvId::encode(&e).ok()),
                body,
                smtputf8,
                requiretls,
                queue,
            },
        )
}

pub(crate) fn status_code() -> impl Strategy<Value = EnhancedStatusCode> {
    (
        prop::sample::select(vec![2u8, 4, 5]),
        0u16..1000,
        0u16..1000,
    )
        .prop_map(|(c, s, d)| EnhancedStatusCode::new(c, s, d).unwrap_or(codes::PERMANENT))
}

pub(crate) fn diagnostic() -> impl Strategy<Value = Diagnostic> {
    (
        status_code(),
        proptest::option::of((reply_code(), proptest::option::of(status_code()), text(60))),
        proptest::option::of("[a-z0-9.:\\[\\]]{1,30}"),
        text(60),
    )
        .prop_map(|(status, reply, remote_mta, text)| Diagnostic {
            status,
            reply: reply.and_then(|(code, enhanced, text)| {
                Some(clean_reply(
                    ReplyCode::try_from(code).ok()?,
                    enhanced,
                    &text,
                ))
            }),
            remote_mta,
            text,
        })
}

pub(crate) fn recipient_state() -> impl Strategy<Value = RecipientState> {
    (
        prop_oneof![
            Just(DeliveryStatus::Pending),
            Just(DeliveryStatus::Deferred),
            Just(DeliveryStatus::Delivered),
            Just(DeliveryStatus::Failed),
        ],
        any::<u32>(),
        any::<u64>(),
        any::<u64>(),
        proptest::option::of(diagnostic()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(status, attempts, next, updated, diagnostic, delay_notified, final_notified)| {
                RecipientState {
                    status,
                    attempts,
                    next_attempt: Timestamp::from_millis(next),
                    updated: Timestamp::from_millis(updated),
                    diagnostic,
                    delay_notified,
                    final_notified,
                }
            },
        )
}

pub(crate) fn entry() -> impl Strategy<Value = QueueEntry> {
    (
        envelope(),
        any::<u64>(),
        0u64..1 << 40,
        0u64..300,
        any::<u32>(),
    )
        .prop_map(|(envelope, id, created, size, crc)| {
            QueueEntry::new(
                QueueId::from_u64(id),
                envelope,
                Timestamp::from_millis(created),
                size,
                crc,
            )
        })
}

/// An entry and a list of valid updates for it.
pub(crate) fn entry_with_updates() -> impl Strategy<Value = (QueueEntry, Vec<Update>)> {
    entry().prop_flat_map(|entry| {
        let n = entry.recipients.len() as u32;
        let update = prop_oneof![
            any::<bool>().prop_map(Update::Held),
            (0..n, recipient_state()).prop_map(|(index, state)| Update::Recipient { index, state }),
        ];
        (Just(entry), proptest::collection::vec(update, 0..8))
    })
}
