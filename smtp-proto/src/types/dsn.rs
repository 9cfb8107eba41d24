//! Delivery status notification parameters (RFC 3461): `RET`, `ENVID`, `NOTIFY`,
//! `ORCPT`.
//!
//! Each prints its parameter value with [`Display`](fmt::Display) and reads it back
//! with [`FromStr`] (owned, `'static`), so a queue can keep them as text.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::ValidationError;
use crate::types::XText;

/// The `RET=` parameter of `MAIL FROM`,
/// [RFC 3461 section 4.3](https://www.rfc-editor.org/rfc/rfc3461#section-4.3): how
/// much of the message a failure notification returns.
///
/// ```
/// use mailwright_smtp::Ret;
///
/// let ret: Ret = "hdrs".parse()?;
/// assert_eq!(ret, Ret::Headers);
/// assert_eq!(ret.to_string(), "HDRS");
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
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

impl fmt::Display for Ret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Ret {
    type Err = ValidationError;

    /// `FULL` or `HDRS`, in any case.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::from_value(value).ok_or(ValidationError::malformed("RET", "ret-value"))
    }
}

/// The `ENVID=` parameter of `MAIL FROM`,
/// [RFC 3461 section 4.4](https://www.rfc-editor.org/rfc/rfc3461#section-4.4): the
/// sender's identifier for the transaction, returned in every notification about it.
///
/// ```text
/// envid-parameter = "ENVID=" xtext
/// ```
///
/// Kept xtext-encoded, as on the wire ([`MailParameters::envid`] holds the same
/// [`XText`]); [`decode`](Self::decode) gives the identifier, which a notification
/// carries in its `Original-Envelope-Id` field.
///
/// ```
/// use mailwright_smtp::EnvId;
///
/// let envid = EnvId::encode("QQ 314+159")?;
/// assert_eq!(envid.to_string(), "QQ+20314+2B159");
/// assert_eq!(envid.decode(), "QQ 314+159");
/// assert_eq!("QQ+20314+2B159".parse::<EnvId>()?, envid);
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
///
/// [`MailParameters::envid`]: crate::MailParameters::envid
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct EnvId<'a>(XText<'a>);

impl<'a> EnvId<'a> {
    /// The identifier of an xtext parameter value.
    pub fn new(xtext: XText<'a>) -> Self {
        Self(xtext)
    }

    /// The identifier `value`, xtext-encoded (every byte outside `xchar` becomes
    /// `+HH`).
    ///
    /// # Errors
    ///
    /// When `value` is empty: a parameter value has at least one character.
    pub fn encode(value: &str) -> Result<EnvId<'static>, ValidationError> {
        XText::encode(value.as_bytes()).map(EnvId)
    }

    /// The parameter value, xtext-encoded.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parameter value as [`XText`].
    pub fn xtext(&self) -> &XText<'a> {
        &self.0
    }

    /// The identifier, decoded.
    pub fn decode(&self) -> Cow<'_, str> {
        self.0.decode()
    }

    /// The xtext value.
    pub fn into_xtext(self) -> XText<'a> {
        self.0
    }

    /// An owned copy.
    pub fn into_owned(self) -> EnvId<'static> {
        EnvId(self.0.into_owned())
    }
}

impl<'a> From<XText<'a>> for EnvId<'a> {
    fn from(xtext: XText<'a>) -> Self {
        Self(xtext)
    }
}

impl<'a> From<EnvId<'a>> for XText<'a> {
    fn from(envid: EnvId<'a>) -> Self {
        envid.0
    }
}

impl fmt::Display for EnvId<'_> {
    /// The parameter value, xtext-encoded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for EnvId<'static> {
    type Err = ValidationError;

    /// An xtext parameter value (not the decoded identifier: see
    /// [`EnvId::encode`]).
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        XText::try_from(value.to_owned()).map(EnvId)
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
/// use mailwright_smtp::Notify;
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

    /// What a recipient given without `NOTIFY` gets,
    /// [RFC 3461 section 4.1](https://www.rfc-editor.org/rfc/rfc3461#section-4.1):
    /// `FAILURE` and, at the MTA's option, `DELAY` (both here).
    pub const DEFAULT: Self = Self(Self::FAILURE | Self::DELAY);

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

impl FromStr for Notify {
    type Err = ValidationError;

    /// `NEVER` or a comma list of `SUCCESS`, `FAILURE`, `DELAY` (any case, each at most
    /// once).
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::from_value(value).ok_or(ValidationError::malformed("NOTIFY", "notify-esmtp-value"))
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
/// use mailwright_smtp::Orcpt;
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

    /// An original recipient of type `addr_type` whose address is `address` before
    /// xtext encoding (`Orcpt::encode("rfc822", "a+b@example.org")` is
    /// `rfc822;a+2Bb@example.org`).
    ///
    /// # Errors
    ///
    /// When `addr_type` is not an atom, or `address` is empty.
    pub fn encode(addr_type: &str, address: &str) -> Result<Orcpt<'static>, ValidationError> {
        let address = XText::encode(address.as_bytes())?;
        Orcpt::new(Cow::Owned(addr_type.to_owned()), address)
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
    /// The parameter value: `addr-type;xtext`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};{}", self.addr_type, self.address)
    }
}

impl FromStr for Orcpt<'static> {
    type Err = ValidationError;

    /// A parameter value, `addr-type;xtext`, as [`Display`](fmt::Display) prints it.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Orcpt::from_value(value)
            .map(Orcpt::into_owned)
            .ok_or(ValidationError::malformed(
                "ORCPT",
                "original-recipient-address",
            ))
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

    #[test]
    fn values_print_and_parse_back() {
        for ret in [Ret::Full, Ret::Headers] {
            assert_eq!(ret.to_string().parse::<Ret>(), Ok(ret));
        }
        assert!("PARTIAL".parse::<Ret>().is_err());
        assert_eq!("failure,delay".parse::<Notify>(), Ok(Notify::DEFAULT));
        assert!(!Notify::DEFAULT.success());
        assert!("".parse::<Notify>().is_err());
        let orcpt = Orcpt::encode("rfc822", "Bob <bob+tag@example.org>").unwrap();
        assert_eq!(orcpt.to_string(), "rfc822;Bob+20<bob+2Btag@example.org>");
        assert_eq!(
            orcpt.to_string().parse::<Orcpt<'static>>(),
            Ok(orcpt.clone())
        );
        assert_eq!(orcpt.address().decode(), "Bob <bob+tag@example.org>");
        assert!(Orcpt::encode("rfc822", "").is_err());
        assert!(Orcpt::encode("rfc 822", "a@b").is_err());
        assert!("rfc822".parse::<Orcpt<'static>>().is_err());
    }

    #[test]
    fn envid_is_xtext() {
        let envid = EnvId::encode("QQ 314+159=").unwrap();
        assert_eq!(envid.as_str(), "QQ+20314+2B159+3D");
        assert_eq!(envid.decode(), "QQ 314+159=");
        let xtext = XText::try_from("QQ314159").unwrap();
        let envid = EnvId::from(xtext.clone());
        assert_eq!(envid.xtext(), &xtext);
        assert_eq!(XText::from(envid.clone()), xtext);
        assert_eq!("QQ314159".parse::<EnvId<'static>>(), Ok(envid));
        assert!("a b".parse::<EnvId<'static>>().is_err());
        assert!(EnvId::encode("").is_err());
    }

    proptest! {
        /// Any identifier or original address of any Unicode: what encodes prints as
        /// ASCII xtext, parses back to itself, and decodes to the input.
        #[test]
        fn dsn_values_round_trip(
            value in prop_oneof![any::<String>(), "([a-zA-Z0-9+=<> ]|\\PC){0,24}"],
            addr_type in prop_oneof!["[a-z0-9-]{1,8}", "\\PC{0,8}"],
        ) {
            if let Ok(envid) = EnvId::encode(&value) {
                prop_assert!(envid.as_str().is_ascii());
                prop_assert_eq!(envid.decode(), value.as_str());
                prop_assert_eq!(envid.to_string().parse::<EnvId<'static>>(), Ok(envid.clone()));
            } else {
                prop_assert!(value.is_empty());
            }
            if let Ok(orcpt) = Orcpt::encode(&addr_type, &value) {
                prop_assert_eq!(orcpt.addr_type(), addr_type.as_str());
                prop_assert_eq!(orcpt.address().decode(), value.as_str());
                prop_assert_eq!(orcpt.to_string().parse::<Orcpt<'static>>(), Ok(orcpt.clone()));
            }
            if let Ok(notify) = value.parse::<Notify>() {
                prop_assert_eq!(notify.to_string().parse::<Notify>(), Ok(notify));
            }
            if let Ok(ret) = value.parse::<Ret>() {
                prop_assert_eq!(ret.to_string().parse::<Ret>(), Ok(ret));
            }
        }

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
