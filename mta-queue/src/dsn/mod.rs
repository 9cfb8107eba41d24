//! Delivery status notifications (RFC 3464, RFC 3461): the message sent back to the
//! reverse-path when recipients fail, are delayed, or (on request) were delivered.
//!
//! The DSN is a `multipart/report; report-type=delivery-status` (RFC 6522) of three
//! parts: a human-readable explanation, the `message/delivery-status` fields (one
//! per-message group, one group per recipient), and the original message
//! (`message/rfc822`) or its header section (`text/rfc822-headers`) as `RET=` asks.
//! It is sent from the null reverse-path `<>`, so it can never itself be bounced, and
//! none is ever made for a message that came from `<>`.
//!
//! ```
//! use mailwright_queue::dsn::{build, DsnInput, DsnKind, parse_delivery_status};
//! use mailwright_queue::{Diagnostic, Envelope, QueueEntry, QueueId, Recipient, Timestamp, DeliveryStatus};
//! use mailwright_smtp::{EnhancedStatusCode, Mailbox, Reply, ReplyCode};
//!
//! let envelope = Envelope::new(Mailbox::try_from("alice@example.org").unwrap().into_owned())
//!     .with_recipient(Recipient::new(Mailbox::try_from("bob@example.net").unwrap().into_owned()));
//! let now = Timestamp::from_secs(1_700_000_000);
//! let mut entry = QueueEntry::new(QueueId::new(now, 1), envelope, now, 0, 0);
//! entry.recipients[0].status = DeliveryStatus::Failed;
//! entry.recipients[0].diagnostic = Some(Diagnostic::from_reply(
//!     &Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "no such user")
//!         .with_enhanced(EnhancedStatusCode::BAD_DESTINATION_MAILBOX),
//!     Some("mx.example.net".into()),
//! ));
//! let original = b"Subject: hello\r\n\r\nhi\r\n";
//! let dsn = build(&DsnInput::new(DsnKind::Failure, &entry, &[0], original, "mta.example.org", now)).unwrap();
//! assert_eq!(dsn.envelope.sender, mailwright_smtp::ReversePath::Null);
//! assert_eq!(dsn.envelope.recipients[0].address.to_string(), "alice@example.org");
//! let text = String::from_utf8(dsn.message).unwrap();
//! assert!(text.contains("Content-Type: multipart/report; report-type=delivery-status;"));
//! let groups = parse_delivery_status(text.split("message/delivery-status\r\n\r\n").nth(1).unwrap());
//! assert_eq!(groups[1].get("Status"), Some("5.1.1"));
//! assert_eq!(groups[1].get("Diagnostic-Code"), Some("smtp; 550 5.1.1 no such user"));
//! ```

mod parse;

use std::fmt::Write as _;

pub use parse::{FieldGroup, parse_delivery_status};

use mailwright_smtp::{EnhancedStatusCode, Notify, ReplyClass, Ret, ReversePath};

use crate::entry::QueueEntry;
use crate::envelope::{Envelope, Recipient};
use crate::status::{DeliveryStatus, Diagnostic, clean_text, codes};
use crate::time::Timestamp;

/// What a DSN reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DsnKind {
    /// Recipients failed (action `failed`).
    Failure,
    /// Recipients are delayed (action `delayed`).
    Delay,
    /// Recipients were delivered or relayed (action `delivered` / `relayed`).
    Success,
}

/// The longest ENVID or ORCPT value written into a field, in bytes (RFC 3461 limits
/// ENVID to 100 characters, an address is at most 512).
const MAX_FIELD: usize = 1000;

/// The largest original message returned whole; above it only the header section is
/// returned (RFC 3461 §4.3 lets the MTA truncate).
pub const MAX_RETURNED_BODY: usize = 1 << 20;

/// What a DSN is made from.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct DsnInput<'a> {
    /// Failure, delay or success.
    pub kind: DsnKind,
    /// The entry reported on.
    pub entry: &'a QueueEntry,
    /// The recipients reported on (indexes into the envelope).
    pub recipients: &'a [u32],
    /// The original message.
    pub original: &'a [u8],
    /// Our host name (`Reporting-MTA`, the `From` domain).
    pub reporting_mta: &'a str,
    /// Now.
    pub now: Timestamp,
    /// Until when a delayed recipient is retried (for `Will-Retry-Until`).
    pub retry_until: Option<Timestamp>,
    /// The named queue the DSN goes into.
    pub queue: &'a str,
}

impl<'a> DsnInput<'a> {
    /// The input for a DSN of `kind` about `recipients` of `entry`.
    pub fn new(
        kind: DsnKind,
        entry: &'a QueueEntry,
        recipients: &'a [u32],
        original: &'a [u8],
        reporting_mta: &'a str,
        now: Timestamp,
    ) -> Self {
        Self {
            kind,
            entry,
            recipients,
            original,
            reporting_mta,
            now,
            retry_until: None,
            queue: "bounces",
        }
    }
}

/// A built DSN: its envelope (from `<>` to the original sender, `NOTIFY=NEVER`) and
/// its message.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Dsn {
    /// From `<>` to the original reverse-path.
    pub envelope: Envelope,
    /// The `multipart/report` message, CRLF line endings.
    pub message: Vec<u8>,
}

/// Builds the DSN, or `None` when none may be sent: the original came from `<>`
/// (never a bounce of a bounce) or no recipient is given.
pub fn build(input: &DsnInput<'_>) -> Option<Dsn> {
    let sender = input.entry.envelope.sender.mailbox()?.clone();
    let recipients: Vec<(&Recipient, &crate::status::RecipientState)> = input
        .recipients
        .iter()
        .filter_map(|&i| {
            Some((
                input.entry.envelope.recipients.get(i as usize)?,
                input.entry.recipients.get(i as usize)?,
            ))
        })
        .collect();
    if recipients.is_empty() {
        return None;
    }
    let entry = input.entry;
    let mta = input.reporting_mta;
    let boundary = format!("{}.{}/{mta}", entry.id, input.now.as_millis());
    let (subject, intro) = match input.kind {
        DsnKind::Failure => (
            "Undelivered Mail Returned to Sender",
            "Your message could not be delivered to one or more recipients.\r\n\
             It is attached below; the reasons follow.",
        ),
        DsnKind::Delay => (
            "Delayed Mail (still being retried)",
            "Your message has not been delivered yet to one or more recipients.\r\n\
             Delivery will be tried again; you do not need to resend it.",
        ),
        DsnKind::Success => (
            "Successful Mail Delivery Report",
            "Your message was delivered to the recipients below.",
        ),
    };

    // The delivery-status part first: it decides the part's type (UTF-8 or not).
    let mut status = String::with_capacity(512);
    let _ = write!(status, "Reporting-MTA: dns; {mta}\r\n");
    if let Some(envid) = &entry.envelope.envid {
        // Decoded (as before the queue kept xtext), control characters replaced: a
        // CR LF from an `ENVID=...+0D+0A...` must not end the field.
        let envid = clean_text(&envid.decode(), MAX_FIELD);
        let _ = write!(status, "Original-Envelope-Id: {envid}\r\n");
    }
    let _ = write!(status, "Arrival-Date: {}\r\n", entry.created.to_rfc5322());
    for (recipient, state) in &recipients {
        status.push_str("\r\n");
        recipient_fields(&mut status, input, recipient, state);
    }
    let global = !status.is_ascii();

    let mut human = String::with_capacity(512);
    human.push_str(intro);
    human.push_str("\r\n\r\n");
    for (recipient, state) in &recipients {
        let _ = write!(human, "<{}>: ", recipient.address);
        match &state.diagnostic {
            Some(diagnostic) => {
                if let Some(host) = &diagnostic.remote_mta {
                    let _ = write!(human, "host {host} said: ");
                }
                human.push_str(&diagnostic.text);
            }
            None => human.push_str(action(input.kind, state.status)),
        }
        human.push_str("\r\n");
    }

    let ret = match (input.kind, entry.envelope.ret) {
        (DsnKind::Failure, None | Some(Ret::Full)) => Ret::Full,
        (_, Some(Ret::Full)) => Ret::Full,
        _ => Ret::Headers,
    };
    let original = normalize_crlf(input.original);
    let (returned, returned_type) = match ret {
        Ret::Full if original.len() <= MAX_RETURNED_BODY => (&original[..], "message/rfc822"),
        _ => (header_section(&original), "text/rfc822-headers"),
    };

    let mut out = Vec::with_capacity(1024 + returned.len());
    let mut head = String::with_capacity(512);
    let _ = write!(head, "From: Mail Delivery System <MAILER-DAEMON@{mta}>\r\n");
    let _ = write!(head, "To: <{sender}>\r\n");
    let _ = write!(head, "Subject: {subject}\r\n");
    let _ = write!(head, "Date: {}\r\n", input.now.to_rfc5322());
    let _ = write!(
        head,
        "Message-ID: <{}.{}.dsn@{mta}>\r\n",
        entry.id,
        input.now.as_millis()
    );
    head.push_str("Auto-Submitted: auto-replied\r\n");
    head.push_str("MIME-Version: 1.0\r\n");
    let _ = write!(
        head,
        "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n\r\n"
    );
    head.push_str("This is a MIME-encapsulated message.\r\n\r\n");
    let _ = write!(head, "--{boundary}\r\n");
    let charset = if human.is_ascii() {
        "us-ascii"
    } else {
        "utf-8"
    };
    let _ = write!(head, "Content-Type: text/plain; charset={charset}\r\n");
    let cte = if human.is_ascii() { "7bit" } else { "8bit" };
    let _ = write!(head, "Content-Transfer-Encoding: {cte}\r\n\r\n");
    head.push_str(&human);
    let _ = write!(head, "\r\n--{boundary}\r\n");
    let status_type = if global {
        "message/global-delivery-status"
    } else {
        "message/delivery-status"
    };
    let _ = write!(head, "Content-Type: {status_type}\r\n\r\n");
    head.push_str(&status);
    let _ = write!(head, "\r\n--{boundary}\r\n");
    let _ = write!(head, "Content-Type: {returned_type}\r\n");
    if !returned.is_ascii() {
        head.push_str("Content-Transfer-Encoding: 8bit\r\n");
    }
    head.push_str("\r\n");
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(returned);
    if !returned.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    let _ = write!(VecWriter(&mut out), "\r\n--{boundary}--\r\n");

    let mut dsn_recipient = Recipient::new(sender);
    dsn_recipient.notify = Some(Notify::NEVER);
    let envelope = Envelope::new(ReversePath::Null)
        .with_recipient(dsn_recipient)
        .with_queue(input.queue);
    Some(Dsn {
        envelope,
        message: out,
    })
}

/// The per-recipient fields (RFC 3464 §2.3).
fn recipient_fields(
    out: &mut String,
    input: &DsnInput<'_>,
    recipient: &Recipient,
    state: &crate::status::RecipientState,
) {
    let address = recipient.address.to_string();
    let addr_type = if address.is_ascii() {
        "rfc822"
    } else {
        "utf-8"
    };
    if let Some(orcpt) = &recipient.orcpt {
        let _ = write!(
            out,
            "Original-Recipient: {}; {}\r\n",
            orcpt.addr_type(),
            clean_text(&orcpt.address().decode(), MAX_FIELD)
        );
    }
    let _ = write!(out, "Final-Recipient: {addr_type}; {address}\r\n");
    let _ = write!(out, "Action: {}\r\n", action(input.kind, state.status));
    let status = match (&state.diagnostic, input.kind) {
        (Some(d), DsnKind::Failure) if d.status.class() != 5 => {
            d.status.with_class(ReplyClass::PermanentNegative)
        }
        (Some(d), DsnKind::Delay) if d.status.class() != 4 => {
            d.status.with_class(ReplyClass::TransientNegative)
        }
        (Some(d), DsnKind::Success) => d.status.with_class(ReplyClass::PositiveCompletion),
        (Some(d), _) => d.status,
        (None, DsnKind::Failure) => codes::PERMANENT,
        (None, DsnKind::Delay) => codes::DELAYED,
        (None, DsnKind::Success) => EnhancedStatusCode::OK,
    };
    let _ = write!(out, "Status: {status}\r\n");
    if let Some(diagnostic) = &state.diagnostic {
        remote_fields(out, diagnostic);
    }
    if state.attempts > 0 {
        let _ = write!(out, "Last-Attempt-Date: {}\r\n", state.updated.to_rfc5322());
    }
    if input.kind == DsnKind::Delay
        && let Some(until) = input.retry_until
    {
        let _ = write!(out, "Will-Retry-Until: {}\r\n", until.to_rfc5322());
    }
}

fn remote_fields(out: &mut String, diagnostic: &Diagnostic) {
    if let Some(host) = &diagnostic.remote_mta {
        let _ = write!(out, "Remote-MTA: dns; {host}\r\n");
    }
    if let Some(reply) = &diagnostic.reply {
        let _ = write!(out, "Diagnostic-Code: smtp; {reply}\r\n");
    }
}

fn action(kind: DsnKind, status: DeliveryStatus) -> &'static str {
    match (kind, status) {
        (DsnKind::Failure, _) => "failed",
        (DsnKind::Delay, _) => "delayed",
        // Delivered to a next hop that does not relay DSNs: "relayed" (RFC 3464
        // §2.3.3); a final delivery reports "delivered" through the same path.
        (DsnKind::Success, _) => "delivered",
    }
}

/// The original with every bare LF made CRLF.
fn normalize_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 50);
    let mut prev = 0u8;
    for &b in bytes {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// The header section of a message (up to and including the empty line, or all of it).
fn header_section(message: &[u8]) -> &[u8] {
    match memchr_blank(message) {
        Some(end) => &message[..end],
        None => message,
    }
}

fn memchr_blank(message: &[u8]) -> Option<usize> {
    if message.starts_with(b"\r\n") {
        return Some(2);
    }
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// `fmt::Write` into a byte vector.
struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests;
