//! Proptest strategies for the crate's values (test builds only).

use proptest::prelude::*;

use crate::entry::{QueueEntry, Update};
use crate::envelope::{Address, EnvId, Envelope, Notify, Orcpt, Recipient, Ret};
use crate::id::QueueId;
use crate::status::{DeliveryStatus, Diagnostic, EnhancedStatus, RecipientState, SmtpReply};
use crate::time::Timestamp;

/// Printable text with spaces, `%`, `-` and non-ASCII, no control characters.
pub(crate) fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[ -~éü日%-]{{0,{max}}}"))
        .unwrap_or_else(|_| unreachable!("constant regex"))
}

pub(crate) fn address() -> impl Strategy<Value = Address> {
    (
        "[a-zA-Z0-9.+%\"é -]{1,20}",
        "[a-z0-9-]{1,12}(\\.[a-z]{2,5}){0,2}",
    )
        .prop_filter_map("valid address", |(local, domain)| {
            Address::new(format!("{local}@{domain}")).ok()
        })
}

pub(crate) fn notify() -> impl Strategy<Value = Notify> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(success, failure, delay)| Notify {
        success,
        failure,
        delay,
    })
}

pub(crate) fn recipient() -> impl Strategy<Value = Recipient> {
    (
        address(),
        proptest::option::of(notify()),
        proptest::option::of(("[a-z0-9-]{1,10}", "[ -~]{1,40}")),
    )
        .prop_map(|(address, notify, orcpt)| Recipient {
            address,
            notify,
            orcpt: orcpt.and_then(|(t, a)| Orcpt::new(&t, &a).ok()),
        })
}

pub(crate) fn envelope() -> impl Strategy<Value = Envelope> {
    (
        proptest::option::of(address()),
        proptest::collection::vec(recipient(), 1..6),
        proptest::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Headers)]),
        proptest::option::of("[ -~]{1,30}"),
        "[a-z]{1,10}",
    )
        .prop_map(|(sender, recipients, ret, envid, queue)| Envelope {
            sender,
            recipients,
            ret,
            envid: envid.and_then(|e| EnvId::new(&e).ok()),
            queue,
        })
}

pub(crate) fn status_code() -> impl Strategy<Value = EnhancedStatus> {
    (
        prop::sample::select(vec![2u8, 4, 5]),
        0u16..1000,
        0u16..1000,
    )
        .prop_map(|(c, s, d)| EnhancedStatus::new(c, s, d).unwrap_or(EnhancedStatus::PERMANENT))
}

pub(crate) fn diagnostic() -> impl Strategy<Value = Diagnostic> {
    (
        status_code(),
        proptest::option::of((200u16..600, proptest::option::of(status_code()), text(60))),
        proptest::option::of("[a-z0-9.:\\[\\]]{1,30}"),
        text(60),
    )
        .prop_map(|(status, reply, remote_mta, text)| Diagnostic {
            status,
            reply: reply.map(|(code, enhanced, text)| SmtpReply {
                code,
                enhanced,
                text,
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
