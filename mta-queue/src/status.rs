//! Delivery outcomes: [`EnhancedStatus`] codes (RFC 3463), the remote [`SmtpReply`], the
//! [`Diagnostic`] kept per recipient, and the per-recipient [`RecipientState`].

use std::fmt;
use std::str::FromStr;

use crate::time::Timestamp;

/// An enhanced mail system status code, `class.subject.detail` (RFC 3463 §2), as used
/// in DSN `Status:` fields and SMTP replies (RFC 2034).
///
/// ```text
/// status-code = class "." subject "." detail
/// class       = "2" / "4" / "5"
/// subject     = 1*3digit
/// detail      = 1*3digit
/// ```
///
/// ```
/// use mta_queue::EnhancedStatus;
///
/// let status: EnhancedStatus = "5.1.1".parse().unwrap();
/// assert!(status.is_permanent());
/// assert_eq!(status.to_string(), "5.1.1");
/// assert!("6.0.0".parse::<EnhancedStatus>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnhancedStatus {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedStatus {
    /// 2.0.0 Other or undefined status (success).
    pub const SUCCESS: Self = Self::unvalidated(2, 0, 0);
    /// 4.0.0 Other or undefined temporary status.
    pub const TEMPORARY: Self = Self::unvalidated(4, 0, 0);
    /// 5.0.0 Other or undefined permanent status.
    pub const PERMANENT: Self = Self::unvalidated(5, 0, 0);
    /// 5.1.2 Bad destination system address (no such domain).
    pub const BAD_DESTINATION_SYSTEM: Self = Self::unvalidated(5, 1, 2);
    /// 5.1.10 Recipient address has null MX (RFC 7505).
    pub const NULL_MX: Self = Self::unvalidated(5, 1, 10);
    /// 4.3.0 Other or undefined mail system status (temporary).
    pub const SYSTEM_TEMPORARY: Self = Self::unvalidated(4, 3, 0);
    /// 4.3.1 Mail system full.
    pub const SYSTEM_FULL: Self = Self::unvalidated(4, 3, 1);
    /// 4.4.1 No answer from host.
    pub const NO_ANSWER: Self = Self::unvalidated(4, 4, 1);
    /// 4.4.2 Bad connection.
    pub const BAD_CONNECTION: Self = Self::unvalidated(4, 4, 2);
    /// 4.4.3 Directory server failure (DNS).
    pub const DIRECTORY_FAILURE: Self = Self::unvalidated(4, 4, 3);
    /// 4.4.4 Unable to route.
    pub const UNABLE_TO_ROUTE: Self = Self::unvalidated(4, 4, 4);
    /// 4.4.7 Delivery time expired (in a delay notice).
    pub const DELAYED: Self = Self::unvalidated(4, 4, 7);
    /// 5.4.7 Delivery time expired (message given up).
    pub const EXPIRED: Self = Self::unvalidated(5, 4, 7);
    /// 5.4.4 Unable to route (permanently).
    pub const UNROUTABLE: Self = Self::unvalidated(5, 4, 4);
    /// 5.7.1 Delivery not authorized, message refused (a reject route).
    pub const REFUSED: Self = Self::unvalidated(5, 7, 1);
    /// 4.7.5 Cryptographic failure (required TLS not available).
    pub const TLS_UNAVAILABLE: Self = Self::unvalidated(4, 7, 5);
    /// 5.3.0 Other or undefined mail system status (permanent).
    pub const SYSTEM_PERMANENT: Self = Self::unvalidated(5, 3, 0);
    /// 5.6.0 Other or undefined media error (the spooled message is unreadable).
    pub const MEDIA_ERROR: Self = Self::unvalidated(5, 6, 0);

    const fn unvalidated(class: u8, subject: u16, detail: u16) -> Self {
        Self {
            class,
            subject,
            detail,
        }
    }

    /// The code `class.subject.detail`.
    ///
    /// # Errors
    ///
    /// [`InvalidStatus`] when the class is not 2, 4 or 5, or subject or detail is over
    /// 999.
    pub fn new(class: u8, subject: u16, detail: u16) -> Result<Self, InvalidStatus> {
        if !matches!(class, 2 | 4 | 5) || subject > 999 || detail > 999 {
            return Err(InvalidStatus);
        }
        Ok(Self::unvalidated(class, subject, detail))
    }

    /// The class digit (2 success, 4 persistent transient failure, 5 permanent failure).
    pub fn class(self) -> u8 {
        self.class
    }

    /// The subject number.
    pub fn subject(self) -> u16 {
        self.subject
    }

    /// The detail number.
    pub fn detail(self) -> u16 {
        self.detail
    }

    /// Class 5.
    pub fn is_permanent(self) -> bool {
        self.class == 5
    }

    /// Class 4.
    pub fn is_transient(self) -> bool {
        self.class == 4
    }

    /// The same subject and detail with another class, e.g. to turn a 5.x.y the
    /// remote sent with a 4xx reply into 4.x.y.
    pub fn with_class(self, class: u8) -> Self {
        Self {
            class: if matches!(class, 2 | 4 | 5) {
                class
            } else {
                self.class
            },
            ..self
        }
    }
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// The text is not an enhanced status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an enhanced status code (class.subject.detail)")]
pub struct InvalidStatus;

impl FromStr for EnhancedStatus {
    type Err = InvalidStatus;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split('.');
        let mut number = |max_len: usize| -> Result<u16, InvalidStatus> {
            let part = parts.next().ok_or(InvalidStatus)?;
            if part.is_empty() || part.len() > max_len || !part.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(InvalidStatus);
            }
            part.parse().map_err(|_| InvalidStatus)
        };
        let class = number(1)?;
        let subject = number(3)?;
        let detail = number(3)?;
        if parts.next().is_some() {
            return Err(InvalidStatus);
        }
        Self::new(
            u8::try_from(class).map_err(|_| InvalidStatus)?,
            subject,
            detail,
        )
    }
}

/// A reply from a remote SMTP or LMTP server, as the diagnostic of a delivery.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SmtpReply {
    /// The three-digit reply code (200..=599).
    pub code: u16,
    /// The enhanced status code the reply carried, if any.
    pub enhanced: Option<EnhancedStatus>,
    /// The text of the reply, lines joined with a space, without the codes; control
    /// characters replaced so it can go into a DSN field.
    pub text: String,
}

impl SmtpReply {
    /// A reply; the text is cleaned of control characters and cut at 512 bytes.
    pub fn new(code: u16, enhanced: Option<EnhancedStatus>, text: &str) -> Self {
        Self {
            code,
            enhanced,
            text: clean_text(text, 512),
        }
    }

    /// 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 4xx.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// 5xx (and anything outside 2xx-4xx, which no server may send).
    pub fn is_permanent(&self) -> bool {
        !self.is_positive() && !self.is_transient()
    }

    /// The enhanced status: the one the server sent (with its class made to agree with
    /// the reply code), or one derived from the code.
    pub fn status(&self) -> EnhancedStatus {
        let class = if self.is_positive() {
            2
        } else if self.is_transient() {
            4
        } else {
            5
        };
        match self.enhanced {
            Some(status) => status.with_class(class),
            None => match class {
                2 => EnhancedStatus::SUCCESS,
                4 => EnhancedStatus::TEMPORARY,
                _ => EnhancedStatus::PERMANENT,
            },
        }
    }
}

impl fmt::Display for SmtpReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(enhanced) = self.enhanced {
            write!(f, " {enhanced}")?;
        }
        if !self.text.is_empty() {
            write!(f, " {}", self.text)?;
        }
        Ok(())
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
    pub status: EnhancedStatus,
    /// The remote server's reply, for `Diagnostic-Code: smtp; ...`.
    pub reply: Option<SmtpReply>,
    /// The remote host that answered (or was tried), for `Remote-MTA: dns; ...`.
    pub remote_mta: Option<String>,
    /// What happened, for logs and the human-readable part of a DSN.
    pub text: String,
}

impl Diagnostic {
    /// A diagnostic without a remote reply (a connection failure, a DNS answer, a local
    /// decision).
    pub fn local(status: EnhancedStatus, text: &str) -> Self {
        Self {
            status,
            reply: None,
            remote_mta: None,
            text: clean_text(text, 512),
        }
    }

    /// The diagnostic of a remote reply.
    pub fn from_reply(reply: SmtpReply, remote_mta: Option<String>) -> Self {
        Self {
            status: reply.status(),
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
        self.status.is_permanent()
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
    fn status_text() {
        for bad in [
            "", "5", "5.1", "5.1.1.1", "3.0.0", "5.1000.0", "5.a.1", "55.1.1", "5..1",
        ] {
            assert_eq!(bad.parse::<EnhancedStatus>(), Err(InvalidStatus), "{bad}");
        }
        assert_eq!(
            "4.7.500".parse::<EnhancedStatus>().unwrap(),
            EnhancedStatus::new(4, 7, 500).unwrap()
        );
    }

    #[test]
    fn reply_status_agrees_with_code() {
        let reply = SmtpReply::new(450, EnhancedStatus::new(5, 2, 1).ok(), "mailbox busy");
        assert_eq!(reply.status().to_string(), "4.2.1");
        assert_eq!(
            SmtpReply::new(550, None, "").status(),
            EnhancedStatus::PERMANENT
        );
        assert!(SmtpReply::new(999, None, "").is_permanent());
        assert_eq!(SmtpReply::new(250, None, "a\r\nb").text, "a  b");
    }

    #[test]
    fn clean_text_cuts_on_boundaries() {
        assert_eq!(clean_text("ééé", 5), "éé");
        assert_eq!(clean_text("a\tb", 10), "a b");
    }

    proptest! {
        #[test]
        fn status_round_trip(class in prop::sample::select(vec![2u8, 4, 5]), subject in 0u16..1000, detail in 0u16..1000) {
            let status = EnhancedStatus::new(class, subject, detail).unwrap();
            prop_assert_eq!(status.to_string().parse::<EnhancedStatus>(), Ok(status));
        }

        /// Any text: no panic, and what parses prints to a code that parses back to it.
        #[test]
        fn status_parse_never_panics(
            text in prop_oneof!["\\PC{0,12}", any::<String>(), "[245]\\.([0-9]|\\PC){1,4}\\.([0-9]|\\PC){1,4}"],
        ) {
            if let Ok(status) = text.parse::<EnhancedStatus>() {
                prop_assert_eq!(status.to_string().parse::<EnhancedStatus>(), Ok(status));
                prop_assert!(text.is_ascii());
            }
        }

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
            code in 0u16..1000,
            text in prop_oneof![any::<String>(), "(\\PC|\r\n){0,64}", "\\PC{500,600}"],
            host in prop_oneof![any::<String>(), "\\PC{250,300}"],
        ) {
            let reply = SmtpReply::new(code, None, &text);
            prop_assert!(reply.text.len() <= 512);
            prop_assert!(!reply.text.chars().any(char::is_control));
            prop_assert!(text.starts_with(reply.text.as_str()) || text.chars().any(char::is_control));
            let diagnostic = Diagnostic::from_reply(reply, Some(host.clone())).with_remote(&host);
            let shown = diagnostic.to_string();
            prop_assert!(!shown.chars().any(char::is_control));
            prop_assert!(diagnostic.remote_mta.as_ref().is_some_and(|h| h.len() <= 255));
            let local = Diagnostic::local(EnhancedStatus::TEMPORARY, &text);
            prop_assert!(local.text.len() <= 512);
            prop_assert!(!local.text.chars().any(char::is_control));
        }
    }
}
