//! Delivery status notification parameters (RFC 3461): `RET`, `NOTIFY`, `ORCPT`.

use std::borrow::Cow;
use std::fmt;

use crate::error::ValidationError;
use crate::types::XText;

/// The `RET=` parameter of `MAIL FROM`,
/// [RFC 3461 section 4.3](https://www.rfc-editor.org/rfc/rfc3461#section-4.3): how
/// much of the message a failure notification returns.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Ret {
    /// `RET=FULL`: the whole message.
    Full,
    /// `RET=HDRS`: the headers only.
    Headers,
}

impl Ret {
    /// The parameter value as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Headers => "HDRS",
        }
    }

    /// The value for a parameter value, ignoring case.
    pub fn from_value(value: &str) -> Option<Self> {
        if value.eq_ignore_ascii_case("FULL") {
            Some(Self::Full)
        } else if value.eq_ignore_ascii_case("HDRS") {
            Some(Self::Headers)
        } else {
            None
        }
    }
}

/// The `NOTIFY=` parameter of `RCPT TO`,
/// [RFC 3461 section 4.1](https://www.rfc-editor.org/rfc/rfc3461#section-4.1): `NEVER`,
/// or a non-empty set of `SUCCESS`, `FAILURE`, `DELAY`.
///
/// ```text
/// notify-esmtp-value  = "NEVER" / 1#notify-list-element
/// notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
/// ```
///
/// ```
/// use smtp_proto::Notify;
///
/// let notify = Notify::on(true, true, false).expect("a non-empty set");
/// assert_eq!(notify.to_string(), "SUCCESS,FAILURE");
/// assert!(Notify::NEVER.is_never());
/// assert!(Notify::on(false, false, false).is_none());
/// ```
#[derive(Clone, Copy, Eq, Hash, PartialEq)]
pub struct Notify(u8);

impl Notify {
    const SUCCESS: u8 = 1;
    const FAILURE: u8 = 2;
    const DELAY: u8 = 4;

    /// `NOTIFY=NEVER`.
    pub const NEVER: Self = Self(0);

    /// The set of conditions to notify on; `None` for the empty set, which has no
    /// wire form (use [`Notify::NEVER`]).
    pub const fn on(success: bool, failure: bool, delay: bool) -> Option<Self> {
        let bits = ((success as u8) * Self::SUCCESS)
            | ((failure as u8) * Self::FAILURE)
            | ((delay as u8) * Self::DELAY);
        if bits == 0 { None } else { Some(Self(bits)) }
    }

    /// `NEVER`.
    pub const fn is_never(self) -> bool {
        self.0 == 0
    }

    /// Notify on successful delivery.
    pub const fn success(self) -> bool {
        self.0 & Self::SUCCESS != 0
    }

    /// Notify on failure.
    pub const fn failure(self) -> bool {
        self.0 & Self::FAILURE != 0
    }

    /// Notify on delay.
    pub const fn delay(self) -> bool {
        self.0 & Self::DELAY != 0
    }

    /// Parses a parameter value.
    pub(crate) fn from_value(value: &str) -> Option<Self> {
        if value.eq_ignore_ascii_case("NEVER") {
            return Some(Self::NEVER);
        }
        let mut bits = 0;
        for element in value.split(',') {
            let bit = if element.eq_ignore_ascii_case("SUCCESS") {
                Self::SUCCESS
            } else if element.eq_ignore_ascii_case("FAILURE") {
                Self::FAILURE
            } else if element.eq_ignore_ascii_case("DELAY") {
                Self::DELAY
            } else {
                return None;
            };
            if bits & bit != 0 {
                return None;
            }
            bits |= bit;
        }
        Some(Self(bits))
    }
}

impl fmt::Display for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_never() {
            return f.write_str("NEVER");
        }
        let names = [
            (self.success(), "SUCCESS"),
            (self.failure(), "FAILURE"),
            (self.delay(), "DELAY"),
        ];
        let mut first = true;
        for (_, name) in names.iter().filter(|(on, _)| *on) {
            if !first {
                f.write_str(",")?;
            }
            f.write_str(name)?;
            first = false;
        }
        Ok(())
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Notify({self})")
    }
}

/// The `ORCPT=` parameter of `RCPT TO`,
/// [RFC 3461 section 4.2](https://www.rfc-editor.org/rfc/rfc3461#section-4.2): the
/// original recipient, as an address type and an xtext-encoded address.
///
/// ```text
/// orcpt-parameter = "ORCPT=" original-recipient-address
/// original-recipient-address = addr-type ";" xtext
/// addr-type = atom
/// ```
///
/// ```
/// use smtp_proto::Orcpt;
///
/// let orcpt = Orcpt::rfc822("user+tag@example.org");
/// assert_eq!(orcpt.to_string(), "rfc822;user+2Btag@example.org");
/// assert_eq!(orcpt.address().decode(), "user+tag@example.org");
/// ```
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Orcpt<'a> {
    addr_type: Cow<'a, str>,
    address: XText<'a>,
}

impl<'a> Orcpt<'a> {
    /// An `rfc822;` original recipient for `address`. An empty address is encoded
    /// as a single space (`+20`), the only way xtext can carry it.
    pub fn rfc822(address: &str) -> Orcpt<'static> {
        let address = XText::encode(address.as_bytes()).unwrap_or(XText(Cow::Borrowed("+20")));
        Orcpt {
            addr_type: Cow::Borrowed("rfc822"),
            address,
        }
    }

    /// An original recipient with any address type.
    ///
    /// # Errors
    ///
    /// When `addr_type` is not an atom (RFC 5322 atext characters).
    pub fn new(addr_type: Cow<'a, str>, address: XText<'a>) -> Result<Self, ValidationError> {
        if addr_type.is_empty() || !addr_type.bytes().all(is_addr_type_byte) {
            return Err(ValidationError::malformed("ORCPT", "addr-type"));
        }
        Ok(Self { addr_type, address })
    }

    /// The address type (`rfc822`, `utf-8`, ...).
    pub fn addr_type(&self) -> &str {
        &self.addr_type
    }

    /// The address, still xtext-encoded.
    pub fn address(&self) -> &XText<'a> {
        &self.address
    }

    /// An owned copy.
    pub fn into_owned(self) -> Orcpt<'static> {
        Orcpt {
            addr_type: Cow::Owned(self.addr_type.into_owned()),
            address: self.address.into_owned(),
        }
    }

    /// Parses a parameter value.
    pub(crate) fn from_value(value: &'a str) -> Option<Self> {
        let at = memchr::memchr(b';', value.as_bytes())?;
        let (addr_type, address) = (&value[..at], &value[at + 1..]);
        let address = XText::from_str_checked(address)?;
        Self::new(Cow::Borrowed(addr_type), address).ok()
    }
}

/// `atext` without `=` (which ends an esmtp-value's keyword) and without `;`.
fn is_addr_type_byte(b: u8) -> bool {
    b != b'=' && b < 0x80 && crate::types::local_part::is_atext(b)
}

impl fmt::Display for Orcpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};{}", self.addr_type, self.address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn notify_parses_and_prints() {
        let cases = [
            ("NEVER", Some("NEVER")),
            ("never", Some("NEVER")),
            ("SUCCESS,FAILURE", Some("SUCCESS,FAILURE")),
            ("delay,success", Some("SUCCESS,DELAY")),
            ("SUCCESS,SUCCESS", None),
            ("NEVER,SUCCESS", None),
            ("", None),
            ("SOMETIMES", None),
        ];
        for (value, printed) in cases {
            assert_eq!(
                Notify::from_value(value).map(|n| n.to_string()).as_deref(),
                printed,
                "{value}"
            );
        }
    }

    #[test]
    fn orcpt_parses() {
        let orcpt = Orcpt::from_value("rfc822;user@example.org").unwrap();
        assert_eq!(orcpt.addr_type(), "rfc822");
        assert_eq!(orcpt.address().as_str(), "user@example.org");
        assert!(Orcpt::from_value("rfc822").is_none());
        assert!(Orcpt::from_value(";user@example.org").is_none());
        assert!(Orcpt::from_value("rfc822;").is_none());
        assert_eq!(Ret::from_value("hdrs"), Some(Ret::Headers));
    }

    proptest! {
        /// `ORCPT` and `NOTIFY` values of any Unicode: no panic; an accepted value
        /// prints as it was written (ORCPT) or to one that parses back (NOTIFY).
        #[test]
        fn unicode_dsn_values(value in prop_oneof![
            any::<String>(),
            "([a-z0-9-]|\\PC){0,8};([a-z@.+]|\\+[0-9A-F]{2}|\\PC){0,16}",
            "(SUCCESS|FAILURE|DELAY|NEVER|,|\\PC){0,5}",
        ]) {
            if let Some(orcpt) = Orcpt::from_value(&value) {
                prop_assert_eq!(orcpt.to_string(), value.clone());
                prop_assert!(orcpt.addr_type().is_ascii());
                let _ = orcpt.address().decode();
            }
            if let Some(notify) = Notify::from_value(&value) {
                prop_assert_eq!(Notify::from_value(&notify.to_string()), Some(notify));
            }
            let _ = Ret::from_value(&value);
        }
    }
}
