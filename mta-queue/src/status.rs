//! Delivery outcomes: the [`Diagnostic`] kept per recipient (an enhanced status code
//! and, when a server answered, its [`Reply`]), and the per-recipient
//! [`RecipientState`].

use std::fmt;

use mailwright_smtp::{EnhancedStatusCode, Reply, ReplyClass, ReplyCode};

use crate::time::Timestamp;

/// The enhanced status codes (RFC 3463) the queue reports, named for what the queue
/// means by them (smtp-proto owns the codes), in the class each is reported with.
pub(crate) mod codes {
    use mailwright_smtp::{EnhancedStatusCode as Code, ReplyClass};

    /// 4.0.0 Other or undefined temporary status.
    pub(crate) const TEMPORARY: Code = Code::OK.with_class(ReplyClass::TransientNegative);
    /// 5.0.0 Other or undefined permanent status.
    pub(crate) const PERMANENT: Code = Code::OK.with_class(ReplyClass::PermanentNegative);
    /// 4.4.1 No answer from host.
    #[cfg_attr(
        not(feature = "tokio"),
        allow(dead_code, reason = "used by the transport")
    )]
    pub(crate) const NO_ANSWER: Code = Code::NO_ANSWER_FROM_HOST;
    /// 4.4.3 Directory server failure (DNS).
    pub(crate) const DIRECTORY_FAILURE: Code = Code::DIRECTORY_FAILURE;
    /// 4.4.4 Unable to route.
    pub(crate) const UNABLE_TO_ROUTE: Code = Code::UNABLE_TO_ROUTE;
    /// 4.4.7 Delivery time expired (in a delay notice).
    pub(crate) const DELAYED: Code = Code::DELIVERY_TIME_EXPIRED;
    /// 5.4.7 Delivery time expired (message given up).
    pub(crate) const EXPIRED: Code =
        Code::DELIVERY_TIME_EXPIRED.with_class(ReplyClass::PermanentNegative);
    /// 4.7.5 Cryptographic failure (required TLS not available).
    #[cfg_attr(
        not(feature = "tokio"),
        allow(dead_code, reason = "used by the transport")
    )]
    pub(crate) const TLS_UNAVAILABLE: Code = Code::CRYPTOGRAPHIC_FAILURE;
}

/// The enhanced status a reply stands for: the one the server sent (in the class of
/// the reply code), or `X.0.0` in that class.
pub(crate) fn reply_status(reply: &Reply<'_>) -> EnhancedStatusCode {
    let class = match reply.code().class() {
        ReplyClass::PositiveCompletion => ReplyClass::PositiveCompletion,
        ReplyClass::TransientNegative => ReplyClass::TransientNegative,
        // 3yz is no final answer to a delivery: treated as a failure.
        ReplyClass::PositiveIntermediate | ReplyClass::PermanentNegative => {
            ReplyClass::PermanentNegative
        }
    };
    reply
        .enhanced()
        .unwrap_or(EnhancedStatusCode::OK)
        .with_class(class)
}

/// A reply as a diagnostic keeps it: one line (the lines joined with a space), control
/// characters replaced, cut at 512 bytes, the enhanced code in the class of the reply
/// code.
pub(crate) fn clean_reply(
    code: ReplyCode,
    enhanced: Option<EnhancedStatusCode>,
    text: &str,
) -> Reply<'static> {
    let reply = Reply::new(code, clean_text(text, 512));
    match enhanced {
        Some(enhanced) => reply.with_enhanced(enhanced),
        None => reply,
    }
}

/// The longest remote host name a [`Diagnostic`] keeps, in bytes.
pub(crate) const MAX_REMOTE: usize = 255;

/// Replaces control characters with spaces and cuts `text` at `max` bytes (on a
/// character boundary).
pub(crate) fn clean_text(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    for c in text.chars() {
        if out.len() + c.len_utf8() > max {
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// Why a recipient is where it is: the status code, the remote reply if one was had,
/// the remote host, and a description for humans.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// The enhanced status code for the DSN's `Status:` field.
    pub status: EnhancedStatusCode,
    /// The remote server's reply, for `Diagnostic-Code: smtp; ...`: one line of at
    /// most 512 bytes without control characters (see [`Diagnostic::from_reply`]).
    pub reply: Option<Reply<'static>>,
    /// The remote host that answered (or was tried), for `Remote-MTA: dns; ...`.
    pub remote_mta: Option<String>,
    /// What happened, for logs and the human-readable part of a DSN.
    pub text: String,
}

impl Diagnostic {
    /// A diagnostic without a remote reply (a connection failure, a DNS answer, a local
    /// decision).
    pub fn local(status: EnhancedStatusCode, text: &str) -> Self {
        Self {
            status,
            reply: None,
            remote_mta: None,
            text: clean_text(text, 512),
        }
    }

    /// The diagnostic of a remote reply. The reply is kept as one line (its lines
    /// joined with a space), control characters replaced, cut at 512 bytes; the
    /// status is its enhanced code (or `X.0.0`) in the class of its reply code.
    ///
    /// ```
    /// use mailwright_queue::Diagnostic;
    /// use mailwright_smtp::{EnhancedStatusCode, Reply, ReplyCode};
    ///
    /// let reply = Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "no such user")
    ///     .with_enhanced(EnhancedStatusCode::BAD_DESTINATION_MAILBOX)
    ///     .with_line("see https://example.net/bounce");
    /// let diagnostic = Diagnostic::from_reply(&reply, Some("mx.example.net".into()));
    /// assert_eq!(diagnostic.status, EnhancedStatusCode::BAD_DESTINATION_MAILBOX);
    /// assert_eq!(diagnostic.text, "550 5.1.1 no such user see https://example.net/bounce");
    /// assert!(diagnostic.is_permanent());
    /// ```
    pub fn from_reply(reply: &Reply<'_>, remote_mta: Option<String>) -> Self {
        let text = reply.lines().collect::<Vec<_>>().join(" ");
        let reply = clean_reply(reply.code(), reply.enhanced(), &text);
        Self {
            status: reply_status(&reply),
            text: reply.to_string(),
            reply: Some(reply),
            remote_mta: remote_mta.map(|host| clean_text(&host, MAX_REMOTE)),
        }
    }

    /// Sets the remote host.
    pub fn with_remote(mut self, remote_mta: &str) -> Self {
        self.remote_mta = Some(clean_text(remote_mta, MAX_REMOTE));
        self
    }

    /// Whether the status is permanent (class 5).
    pub fn is_permanent(&self) -> bool {
        self.status.class() == 5
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.remote_mta {
            Some(host) => write!(f, "{} ({}) [{host}]", self.status, self.text),
            None => write!(f, "{} ({})", self.status, self.text),
        }
    }
}

/// Where a recipient stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Not tried yet.
    Pending,
    /// Tried, failed temporarily; tried again at the next attempt time.
    Deferred,
    /// Accepted by the next hop (final).
    Delivered,
    /// Failed permanently, expired, bounced by an operator or rejected by a route
    /// (final).
    Failed,
}

impl DeliveryStatus {
    /// Delivered or failed: nothing more will be tried.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Failed)
    }

    /// The lower-case name (`pending`, `deferred`, `delivered`, `failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Deferred => "deferred",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The persisted state of one recipient.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientState {
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Delivery attempts made so far.
    pub attempts: u32,
    /// When it is due next (meaningful while not final).
    pub next_attempt: Timestamp,
    /// When the status last changed.
    pub updated: Timestamp,
    /// The outcome of the last attempt.
    pub diagnostic: Option<Diagnostic>,
    /// A delay notice was sent for it.
    pub delay_notified: bool,
    /// The final outcome was dealt with (DSN sent, or none needed).
    pub final_notified: bool,
}

impl RecipientState {
    /// A fresh recipient, due at `now`.
    pub fn pending(now: Timestamp) -> Self {
        Self {
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt: now,
            updated: now,
            diagnostic: None,
            delay_notified: false,
            final_notified: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn private_codes_are_what_they_say() {
        let rows = [
            (codes::TEMPORARY, "4.0.0"),
            (codes::PERMANENT, "5.0.0"),
            (codes::NO_ANSWER, "4.4.1"),
            (codes::DIRECTORY_FAILURE, "4.4.3"),
            (codes::UNABLE_TO_ROUTE, "4.4.4"),
            (codes::DELAYED, "4.4.7"),
            (codes::EXPIRED, "5.4.7"),
            (codes::TLS_UNAVAILABLE, "4.7.5"),
        ];
        for (code, text) in rows {
            assert_eq!(code.to_string(), text);
        }
    }

    #[test]
    fn reply_status_agrees_with_code() {
        let code = |n| ReplyCode::try_from(n).unwrap();
        let busy = Reply::new(code(450), "mailbox busy")
            .with_enhanced(EnhancedStatusCode::MAILBOX_DISABLED);
        let diagnostic = Diagnostic::from_reply(&busy, None);
        assert_eq!(diagnostic.status.to_string(), "4.2.1");
        assert!(!diagnostic.is_permanent());
        assert_eq!(
            Diagnostic::from_reply(&Reply::new(code(550), ""), None).status,
            codes::PERMANENT
        );
        assert_eq!(
            Diagnostic::from_reply(&Reply::new(code(354), "go on"), None).status,
            codes::PERMANENT
        );
        let split = Reply::new(code(250), "a\tb").with_line("c");
        let diagnostic = Diagnostic::from_reply(&split, None);
        assert_eq!(diagnostic.reply.as_ref().map(Reply::text), Some("a b c"));
        assert_eq!(diagnostic.status, EnhancedStatusCode::OK);
        assert_eq!(diagnostic.text, "250 a b c");
    }

    #[test]
    fn clean_text_cuts_on_boundaries() {
        assert_eq!(clean_text("ééé", 5), "éé");
        assert_eq!(clean_text("a\tb", 10), "a b");
    }

    proptest! {
        /// Cleaning cuts on a character boundary within the limit, replaces exactly
        /// the control characters, and keeps a prefix of the input.
        #[test]
        fn clean_text_is_bounded_and_keeps_characters(
            text in prop_oneof![any::<String>(), "(\\PC|[\r\n\t\u{0}\u{85}]){0,64}", Just("日本語の件名テスト #2".to_owned())],
            max in 0usize..80,
        ) {
            let cleaned = clean_text(&text, max);
            prop_assert!(cleaned.len() <= max);
            prop_assert!(!cleaned.chars().any(char::is_control));
            let kept = cleaned.chars().count();
            prop_assert!(text.chars().zip(cleaned.chars()).all(|(a, b)| a == b || (a.is_control() && b == ' ')));
            // Stopped only because the next character would not fit.
            if let Some(next) = text.chars().nth(kept) {
                prop_assert!(cleaned.len() + next.len_utf8() > max);
            }
        }

        /// Replies and diagnostics made from remote text of any Unicode: reply text at
        /// most 512 octets, host at most 255, no control character anywhere.
        #[test]
        fn remote_text_is_cleaned_and_cut(
            code in 200u16..560,
            text in prop_oneof![any::<String>(), "(\\PC|\r\n){0,64}", "\\PC{500,600}"],
            more in prop_oneof![Just(None), proptest::option::of("\\PC{0,40}")],
            host in prop_oneof![any::<String>(), "\\PC{250,300}"],
        ) {
            let Ok(code) = ReplyCode::try_from(code) else {
                return Ok(());
            };
            let mut reply = Reply::new(code, text.clone());
            if let Some(more) = &more {
                reply = reply.with_line(more.clone());
            }
            let diagnostic = Diagnostic::from_reply(&reply, Some(host.clone())).with_remote(&host);
            let kept = diagnostic.reply.as_ref().map_or("", Reply::text);
            prop_assert_eq!(diagnostic.reply.as_ref().map(Reply::line_count), Some(1));
            prop_assert!(kept.len() <= 512);
            prop_assert!(!kept.chars().any(char::is_control));
            prop_assert!(text.starts_with(kept) || kept.starts_with(&text) || text.chars().any(char::is_control));
            let shown = diagnostic.to_string();
            prop_assert!(!shown.chars().any(char::is_control));
            prop_assert!(diagnostic.remote_mta.as_ref().is_some_and(|h| h.len() <= 255));
            let local = Diagnostic::local(codes::TEMPORARY, &text);
            prop_assert!(local.text.len() <= 512);
            prop_assert!(!local.text.chars().any(char::is_control));
        }
    }
}
