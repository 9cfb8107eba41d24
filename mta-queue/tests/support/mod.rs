//! Helpers shared by the integration tests; each test binary uses a part of them.
#![allow(dead_code, reason = "each test binary uses only some of the helpers")]
#![allow(
    clippy::disallowed_methods,
    reason = "the sink stamps arrivals with the real clock for the rate test"
)]

pub(crate) mod sink;

/// A mailbox from text known to be one.
pub(crate) fn mailbox(text: &str) -> mailwright_smtp::Mailbox<'static> {
    mailwright_smtp::Mailbox::try_from(text.to_owned()).unwrap()
}
