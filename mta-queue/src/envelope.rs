//! The envelope of a queued message: reverse-path, recipients and the RFC 3461 DSN
//! parameters that came with them.
//!
//! The queue keeps these as the SMTP server received them (already validated there);
//! the types here only check what the queue itself relies on: an address has a
//! domain to route on, and nothing holds a line break or a control character that
//! could break the spool's records or the DSN's header fields.

use std::fmt;

/// A mailbox address `local-part@domain` as given in `MAIL FROM`/`RCPT TO`
/// (RFC 5321 §4.1.2 `Mailbox`), without the angle brackets.
///
/// Validation is deliberately shallow (the SMTP layer parsed the path already): the
/// text is UTF-8 (RFC 6531 allows non-ASCII), holds no control characters, has an `@`
/// with a non-empty local part before it, and a domain after the last `@` of at most
/// 255 bytes without spaces.
///
/// ```
/// use mta_queue::Address;
///
/// let address = Address::new("Alice@Example.ORG").unwrap();
/// assert_eq!(address.domain(), "example.org");
/// assert_eq!(address.as_str(), "Alice@Example.ORG");
/// assert!(Address::new("no-domain").is_err());
/// assert!(Address::new("a@b\r\nX-Injected: 1").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    text: String,
    /// The byte offset of the `@` that starts the domain.
    at: usize,
}

impl Address {
    /// The longest address accepted (RFC 5321 §4.5.3.1: 64 + 1 + 255, rounded up).
    pub const MAX_LEN: usize = 512;

    /// Checks and wraps `text`.
    ///
    /// # Errors
    ///
    /// [`InvalidAddress`] when `text` breaks one of the rules in the type's docs.
    pub fn new(text: impl Into<String>) -> Result<Self, InvalidAddress> {
        let text = text.into();
        let at = Self::validate(&text)?;
        Ok(Self { text, at })
    }

    /// Checks `text` and returns the offset of the `@` before the domain.
    ///
    /// # Errors
    ///
    /// As [`Address::new`].
    pub fn validate(text: &str) -> Result<usize, InvalidAddress> {
        if text.len() > Self::MAX_LEN {
            return Err(InvalidAddress::TooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(InvalidAddress::ControlCharacter);
        }
        let at = text.rfind('@').ok_or(InvalidAddress::NoDomain)?;
        let domain = &text[at + 1..];
        if at == 0 {
            return Err(InvalidAddress::EmptyLocalPart);
        }
        if domain.is_empty() || domain.len() > 255 || domain.contains(' ') {
            return Err(InvalidAddress::NoDomain);
        }
        Ok(at)
    }

    /// The address as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The local part as given.
    pub fn local_part(&self) -> &str {
        &self.text[..self.at]
    }

    /// The domain in lower case (for routing and grouping), without a trailing dot.
    /// An address literal (`[192.0.2.1]`) is returned with its brackets.
    pub fn domain(&self) -> String {
        self.text[self.at + 1..]
            .trim_end_matches('.')
            .to_ascii_lowercase()
    }

    /// The wrapped text.
    pub fn into_inner(self) -> String {
        self.text
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.text)
    }
}

impl TryFrom<&str> for Address {
    type Error = InvalidAddress;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl TryFrom<String> for Address {
    type Error = InvalidAddress;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl AsRef<str> for Address {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Why a text is not an [`Address`] (or a DSN parameter value).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAddress {
    /// Longer than [`Address::MAX_LEN`].
    #[error("address too long")]
    TooLong,
    /// Holds a control character (CR, LF, NUL, ...).
    #[error("address holds a control character")]
    ControlCharacter,
    /// No `@`, or nothing usable after the last one.
    #[error("address has no domain")]
    NoDomain,
    /// Nothing before the `@`.
    #[error("address has an empty local part")]
    EmptyLocalPart,
    /// A DSN parameter (ENVID, ORCPT) that is empty, too long or holds a control
    /// character.
    #[error("invalid dsn parameter")]
    InvalidParameter,
}

/// `RET=` of `MAIL FROM` (RFC 3461 §4.3): what a failure DSN returns of the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `RET=FULL`: the whole message.
    Full,
    /// `RET=HDRS`: the header section only.
    Headers,
}

impl Ret {
    /// The keyword as sent (`FULL`, `HDRS`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Headers => "HDRS",
        }
    }

    /// The value of a keyword, ignoring case.
    pub fn from_keyword(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("FULL") {
            Some(Self::Full)
        } else if text.eq_ignore_ascii_case("HDRS") {
            Some(Self::Headers)
        } else {
            None
        }
    }
}

/// `NOTIFY=` of `RCPT TO` (RFC 3461 §4.1): `NEVER` or a set of `SUCCESS`, `FAILURE`,
/// `DELAY`.
///
/// A recipient given without `NOTIFY` gets [`Notify::default_for_absent`] semantics
/// (failure and, at the MTA's option, delay notices), which is what `Option<Notify>`
/// being `None` means throughout this crate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Notify {
    /// Send a DSN when the message is delivered.
    pub success: bool,
    /// Send a DSN when delivery fails.
    pub failure: bool,
    /// Send a DSN when delivery is delayed.
    pub delay: bool,
}

impl Notify {
    /// `NOTIFY=NEVER`.
    pub const NEVER: Self = Self {
        success: false,
        failure: false,
        delay: false,
    };

    /// What a recipient without `NOTIFY` gets (RFC 3461 §4.1: failure and delay).
    pub const fn default_for_absent() -> Self {
        Self {
            success: false,
            failure: true,
            delay: true,
        }
    }

    /// Whether this is `NEVER`.
    pub const fn is_never(self) -> bool {
        !self.success && !self.failure && !self.delay
    }

    /// Parses the parameter value (`NEVER` or a comma list, case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("NEVER") {
            return Some(Self::NEVER);
        }
        let mut notify = Self::NEVER;
        for word in text.split(',') {
            if word.eq_ignore_ascii_case("SUCCESS") {
                notify.success = true;
            } else if word.eq_ignore_ascii_case("FAILURE") {
                notify.failure = true;
            } else if word.eq_ignore_ascii_case("DELAY") {
                notify.delay = true;
            } else {
                return None;
            }
        }
        Some(notify)
    }
}

impl fmt::Display for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_never() {
            return f.write_str("NEVER");
        }
        let words = [
            (self.success, "SUCCESS"),
            (self.failure, "FAILURE"),
            (self.delay, "DELAY"),
        ];
        let mut first = true;
        for (on, word) in words {
            if on {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(word)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// `ORCPT=` of `RCPT TO` (RFC 3461 §4.2): the original recipient, as an address type
/// (`rfc822`, `utf-8`) and the address, xtext-decoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Orcpt {
    addr_type: String,
    address: String,
}

impl Orcpt {
    /// An original recipient of type `addr_type` (an atom such as `rfc822`).
    ///
    /// # Errors
    ///
    /// [`InvalidAddress::InvalidParameter`] when the type is empty or not an atom, or the
    /// address is empty, longer than 500 bytes or holds a control character.
    pub fn new(addr_type: &str, address: &str) -> Result<Self, InvalidAddress> {
        let atom_ok = !addr_type.is_empty()
            && addr_type.len() <= 64
            && addr_type
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !atom_ok || !valid_param(address, 500) {
            return Err(InvalidAddress::InvalidParameter);
        }
        Ok(Self {
            addr_type: addr_type.to_owned(),
            address: address.to_owned(),
        })
    }

    /// An `rfc822` original recipient.
    ///
    /// # Errors
    ///
    /// As [`Orcpt::new`].
    pub fn rfc822(address: &str) -> Result<Self, InvalidAddress> {
        Self::new("rfc822", address)
    }

    /// The address type, as given (`rfc822`, `utf-8`, ...).
    pub fn addr_type(&self) -> &str {
        &self.addr_type
    }

    /// The original address, decoded.
    pub fn address(&self) -> &str {
        &self.address
    }
}

/// `ENVID=` of `MAIL FROM` (RFC 3461 §4.4): the sender's envelope identifier,
/// xtext-decoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnvId(String);

impl EnvId {
    /// Wraps an identifier (1 to 100 bytes, printable: RFC 3461 §4.4 limits it to 100).
    ///
    /// # Errors
    ///
    /// [`InvalidAddress::InvalidParameter`] for an empty, long or control-holding text.
    pub fn new(text: &str) -> Result<Self, InvalidAddress> {
        if !valid_param(text, 100) {
            return Err(InvalidAddress::InvalidParameter);
        }
        Ok(Self(text.to_owned()))
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_param(text: &str, max: usize) -> bool {
    !text.is_empty() && text.len() <= max && !text.chars().any(char::is_control)
}

/// One recipient of a message with its DSN parameters.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The forward-path.
    pub address: Address,
    /// `NOTIFY=`, if given.
    pub notify: Option<Notify>,
    /// `ORCPT=`, if given.
    pub orcpt: Option<Orcpt>,
}

impl Recipient {
    /// A recipient without DSN parameters.
    pub fn new(address: Address) -> Self {
        Self {
            address,
            notify: None,
            orcpt: None,
        }
    }

    /// Sets `NOTIFY=`.
    pub fn with_notify(mut self, notify: Notify) -> Self {
        self.notify = Some(notify);
        self
    }

    /// Sets `ORCPT=`.
    pub fn with_orcpt(mut self, orcpt: Orcpt) -> Self {
        self.orcpt = Some(orcpt);
        self
    }

    /// The conditions this recipient asked to be notified of.
    pub fn notify_or_default(&self) -> Notify {
        self.notify.unwrap_or_else(Notify::default_for_absent)
    }
}

/// A message's envelope: who sent it, to whom, with which DSN parameters, and which
/// named queue it was submitted to.
///
/// ```
/// use mta_queue::{Address, Envelope, Recipient};
///
/// let envelope = Envelope::new(Some(Address::new("alice@example.org").unwrap()))
///     .with_recipient(Recipient::new(Address::new("bob@example.net").unwrap()));
/// assert_eq!(envelope.recipients.len(), 1);
/// assert_eq!(envelope.queue, "default");
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse-path; `None` is the null reverse-path `<>` (bounces, DSNs), to
    /// which no DSN is ever sent.
    pub sender: Option<Address>,
    /// The recipients, in the order given.
    pub recipients: Vec<Recipient>,
    /// `RET=`, if given.
    pub ret: Option<Ret>,
    /// `ENVID=`, if given.
    pub envid: Option<EnvId>,
    /// The named queue the message was submitted to (`"default"` unless set); routing
    /// rules match on it and may move the message to another queue.
    pub queue: String,
}

impl Envelope {
    /// The name of the queue messages go to unless told otherwise.
    pub const DEFAULT_QUEUE: &'static str = "default";

    /// An envelope with this reverse-path and no recipients yet.
    pub fn new(sender: Option<Address>) -> Self {
        Self {
            sender,
            recipients: Vec::new(),
            ret: None,
            envid: None,
            queue: Self::DEFAULT_QUEUE.to_owned(),
        }
    }

    /// Adds a recipient.
    pub fn with_recipient(mut self, recipient: Recipient) -> Self {
        self.recipients.push(recipient);
        self
    }

    /// Sets `RET=`.
    pub fn with_ret(mut self, ret: Ret) -> Self {
        self.ret = Some(ret);
        self
    }

    /// Sets `ENVID=`.
    pub fn with_envid(mut self, envid: EnvId) -> Self {
        self.envid = Some(envid);
        self
    }

    /// Sets the named queue.
    pub fn with_queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = queue.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `local@domain` with ASCII syntax around arbitrary Unicode, or anything at all.
    fn address_text() -> impl Strategy<Value = String> {
        prop_oneof![
            ("([a-z.\"]|\\PC){0,12}", "([A-Za-z.@\\[\\]]|\\PC){0,12}")
                .prop_map(|(local, domain)| format!("{local}@{domain}")),
            any::<String>(),
            "\\PC{0,20}",
        ]
    }

    proptest! {
        /// Any Unicode: no panic; an accepted address splits at its last `@` into a
        /// non-empty local part and a domain that come back whole, and the routing
        /// domain is the domain without ASCII capitals or a trailing dot.
        #[test]
        fn unicode_addresses(text in address_text()) {
            let Ok(address) = Address::new(text.clone()) else {
                return Ok(());
            };
            let local = address.local_part();
            prop_assert!(!local.is_empty());
            let raw = &text[local.len() + 1..];
            prop_assert_eq!(format!("{local}@{raw}"), text.clone());
            prop_assert!(!raw.contains('@'));
            let domain = address.domain();
            prop_assert_eq!(&domain, &raw.trim_end_matches('.').to_ascii_lowercase());
            prop_assert!(!domain.bytes().any(|b| b.is_ascii_uppercase()));
            prop_assert!(!text.chars().any(char::is_control));
            prop_assert_eq!(Address::validate(&text), Ok(local.len()));
        }

        /// DSN parameters from any text: accepted ones hold no control character,
        /// and `NOTIFY` prints to text that parses back to it.
        #[test]
        fn unicode_dsn_parameters(
            text in prop_oneof![any::<String>(), "\\PC{0,40}", "(SUCCESS|FAILURE|DELAY|NEVER|,|\\PC){0,6}"],
            addr_type in prop_oneof!["[a-z0-9-]{1,8}", "\\PC{0,8}"],
        ) {
            if let Ok(envid) = EnvId::new(&text) {
                prop_assert!(!envid.as_str().chars().any(char::is_control));
                prop_assert!(envid.as_str().len() <= 100);
            }
            if let Ok(orcpt) = Orcpt::new(&addr_type, &text) {
                prop_assert_eq!(orcpt.address(), text.as_str());
                prop_assert!(orcpt.addr_type().is_ascii());
            }
            if let Some(notify) = Notify::parse(&text) {
                prop_assert_eq!(Notify::parse(&notify.to_string()), Some(notify));
            }
            let _ = Ret::from_keyword(&text);
        }
    }

    #[test]
    fn addresses() {
        let quoted = Address::new("\"john doe\"@Example.COM.").unwrap();
        assert_eq!(quoted.domain(), "example.com");
        assert_eq!(quoted.local_part(), "\"john doe\"");
        assert_eq!(
            Address::new("a@[192.0.2.1]").unwrap().domain(),
            "[192.0.2.1]"
        );
        assert_eq!(Address::new("@x.org"), Err(InvalidAddress::EmptyLocalPart));
        assert_eq!(Address::new("x@"), Err(InvalidAddress::NoDomain));
        assert_eq!(Address::new("x@a b"), Err(InvalidAddress::NoDomain));
        assert_eq!(Address::new("x@a\0"), Err(InvalidAddress::ControlCharacter));
        assert_eq!(
            Address::new("x".repeat(600) + "@a"),
            Err(InvalidAddress::TooLong)
        );
        assert_eq!(Address::new("ü@bücher.de").unwrap().domain(), "bücher.de");
    }

    #[test]
    fn notify_text() {
        for (text, expected) in [
            ("NEVER", Some(Notify::NEVER)),
            ("never", Some(Notify::NEVER)),
            (
                "SUCCESS,DELAY",
                Some(Notify {
                    success: true,
                    failure: false,
                    delay: true,
                }),
            ),
            (
                "FAILURE",
                Some(Notify::default_for_absent()).map(|mut n| {
                    n.delay = false;
                    n
                }),
            ),
            ("", None),
            ("SUCCESS,", None),
            ("BOGUS", None),
        ] {
            assert_eq!(Notify::parse(text), expected, "{text}");
        }
        assert_eq!(
            Notify {
                success: true,
                failure: true,
                delay: true
            }
            .to_string(),
            "SUCCESS,FAILURE,DELAY"
        );
    }

    #[test]
    fn dsn_parameters() {
        assert!(Orcpt::new("rfc822", "a@b").is_ok());
        assert!(Orcpt::new("rfc 822", "a@b").is_err());
        assert!(Orcpt::new("rfc822", "").is_err());
        assert!(EnvId::new(&"x".repeat(101)).is_err());
        assert!(EnvId::new("QQ314159").is_ok());
        assert_eq!(Ret::from_keyword("hdrs"), Some(Ret::Headers));
    }
}
