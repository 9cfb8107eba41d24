//! Address literals: `[192.0.2.1]`, `[IPv6:2001:db8::1]`, `[tag:content]`.

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::ValidationError;
use crate::types::utf8;

/// An address literal, [RFC 5321 section 4.1.3](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.3),
/// kept in its wire form (brackets included) with the IP address it names.
///
/// ```text
/// address-literal  = "[" ( IPv4-address-literal /
///                    IPv6-address-literal /
///                    General-address-literal ) "]"
/// IPv4-address-literal  = Snum 3("."  Snum)
/// IPv6-address-literal  = "IPv6:" IPv6-addr
/// General-address-literal  = Standardized-tag ":" 1*dcontent
/// Standardized-tag  = Ldh-str
/// dcontent       = %d33-90 / %d94-126
/// ```
///
/// ```
/// use std::net::{IpAddr, Ipv6Addr};
/// use mailwright_smtp::AddressLiteral;
///
/// let literal = AddressLiteral::try_from("[IPv6:2001:db8::1]")?;
/// assert_eq!(literal.ip(), Some(IpAddr::V6("2001:db8::1".parse().unwrap())));
/// assert_eq!(AddressLiteral::from(IpAddr::V6(Ipv6Addr::LOCALHOST)).as_str(), "[IPv6:::1]");
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct AddressLiteral<'a> {
    /// Validated on construction; the IP address is read from it on demand, which
    /// keeps the type (and every path that holds one) small.
    text: Cow<'a, str>,
}

impl<'a> AddressLiteral<'a> {
    /// Checks `value` (brackets included) against the grammar.
    ///
    /// # Errors
    ///
    /// When `value` is not an address literal.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        inspect(utf8("address literal", value.as_ref())?).map(|_| ())
    }

    /// The literal as written, brackets included.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The IP address, for the IPv4 and IPv6 forms; `None` for a general literal.
    pub fn ip(&self) -> Option<IpAddr> {
        inspect(&self.text).ok().flatten()
    }

    /// An owned copy.
    pub fn into_owned(self) -> AddressLiteral<'static> {
        AddressLiteral {
            text: Cow::Owned(self.text.into_owned()),
        }
    }

    fn new(text: Cow<'a, str>) -> Result<Self, ValidationError> {
        inspect(&text)?;
        Ok(Self { text })
    }
}

/// Validates a bracketed literal and returns its IP address, if it names one.
fn inspect(text: &str) -> Result<Option<IpAddr>, ValidationError> {
    const WHAT: &str = "address literal";
    let inner = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .ok_or(ValidationError::malformed(WHAT, "\"[\" ... \"]\""))?;
    if let Some(address) = inner
        .get(..5)
        .filter(|tag| tag.eq_ignore_ascii_case("IPv6:"))
        .map(|_| &inner[5..])
    {
        return address
            .parse::<Ipv6Addr>()
            .map(|ip| Some(IpAddr::V6(ip)))
            .map_err(|_| ValidationError::malformed(WHAT, "IPv6-address-literal"));
    }
    if let Ok(ip) = inner.parse::<Ipv4Addr>() {
        return Ok(Some(IpAddr::V4(ip)));
    }
    let (tag, content) = inner
        .split_once(':')
        .ok_or(ValidationError::malformed(WHAT, "IPv4-address-literal"))?;
    let tag_ok = !tag.is_empty()
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && tag.as_bytes()[0].is_ascii_alphanumeric()
        && tag.as_bytes()[tag.len() - 1].is_ascii_alphanumeric();
    let content_ok =
        !content.is_empty() && content.bytes().all(|b| matches!(b, 33..=90 | 94..=126));
    if tag_ok && content_ok && !tag.eq_ignore_ascii_case("IPv6") {
        Ok(None)
    } else {
        Err(ValidationError::malformed(WHAT, "General-address-literal"))
    }
}

impl From<IpAddr> for AddressLiteral<'static> {
    fn from(ip: IpAddr) -> Self {
        let text = match ip {
            IpAddr::V4(v4) => format!("[{v4}]"),
            IpAddr::V6(v6) => format!("[IPv6:{v6}]"),
        };
        Self {
            text: Cow::Owned(text),
        }
    }
}

impl<'a> TryFrom<&'a str> for AddressLiteral<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(Cow::Borrowed(value))
    }
}

impl TryFrom<String> for AddressLiteral<'static> {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(Cow::Owned(value))
    }
}

impl<'a> TryFrom<Cow<'a, str>> for AddressLiteral<'a> {
    type Error = ValidationError;

    fn try_from(value: Cow<'a, str>) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl<'a> TryFrom<&'a [u8]> for AddressLiteral<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a [u8]) -> Result<Self, Self::Error> {
        Self::new(Cow::Borrowed(utf8("address literal", value)?))
    }
}

impl TryFrom<Vec<u8>> for AddressLiteral<'static> {
    type Error = ValidationError;

    fn try_from(value: Vec<u8>) -> Result<Self, Self::Error> {
        utf8("address literal", &value)?;
        let text =
            String::from_utf8(value).map_err(|_| ValidationError::empty("address literal"))?;
        Self::new(Cow::Owned(text))
    }
}

impl AsRef<str> for AddressLiteral<'_> {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for AddressLiteral<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for AddressLiteral<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AddressLiteral({:?})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_three_forms() {
        let cases: &[(&str, Option<&str>)] = &[
            ("[192.0.2.1]", Some("192.0.2.1")),
            ("[IPv6:2001:db8::1]", Some("2001:db8::1")),
            ("[ipv6:::1]", Some("::1")),
            ("[IPv6:::ffff:192.0.2.1]", Some("::ffff:192.0.2.1")),
            ("[x-tag:some.content]", None),
        ];
        for (text, ip) in cases {
            let literal = AddressLiteral::try_from(*text).unwrap();
            assert_eq!(literal.ip(), ip.map(|ip| ip.parse().unwrap()), "{text}");
            assert_eq!(literal.as_str(), *text);
        }
    }

    #[test]
    fn rejects_malformed_literals() {
        for bad in [
            "192.0.2.1",
            "[192.0.2.1",
            "[]",
            "[256.0.0.1]",
            "[IPv6:1.2.3.4]",
            "[IPv6:zz::1]",
            "[tag:]",
            "[-tag:x]",
            "[tag:a]b]",
            "[tag:sp ace]",
            "[IPv6]",
            "[IPvü6:1]",
            "[üüü:1]",
        ] {
            assert!(AddressLiteral::validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn builds_from_an_ip_address() {
        let v4 = AddressLiteral::from(IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(v4.as_str(), "[127.0.0.1]");
        assert_eq!(AddressLiteral::try_from(v4.as_str()).unwrap(), v4);
    }

    proptest! {
        /// Brackets around any Unicode: no panic; a literal naming an address
        /// round-trips through that address.
        #[test]
        fn unicode_literals(inner in prop_oneof![
            any::<String>(),
            "(IPv6:|ipv6:|IPv|x-tag:)?([0-9a-f:.]|\\PC){0,16}",
        ]) {
            let text = format!("[{inner}]");
            if let Ok(literal) = AddressLiteral::try_from(text.as_str()) {
                prop_assert!(text.is_ascii());
                if let Some(ip) = literal.ip() {
                    let again = AddressLiteral::from(ip);
                    prop_assert_eq!(again.ip(), Some(ip));
                }
            }
        }
    }
}
