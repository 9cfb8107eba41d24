//! The right-hand side of a mailbox and the argument of EHLO: a domain or a literal.

use std::fmt;

use crate::error::ValidationError;
use crate::types::{AddressLiteral, Domain};

/// A domain name or an address literal, as in `Mailbox = Local-part "@" ( Domain /
/// address-literal )` and the `EHLO` argument of
/// [RFC 5321 section 4.1.1.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1).
///
/// ```
/// use mailwright_smtp::Host;
///
/// assert!(matches!(Host::try_from("mx.example.org")?, Host::Domain(_)));
/// assert!(matches!(Host::try_from("[192.0.2.1]")?, Host::Literal(_)));
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub enum Host<'a> {
    /// A domain name.
    Domain(Domain<'a>),
    /// An address literal in brackets.
    Literal(AddressLiteral<'a>),
}

impl Host<'_> {
    /// The host as written.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Domain(domain) => domain.as_str(),
            Self::Literal(literal) => literal.as_str(),
        }
    }

    /// Whether it is all ASCII (no `SMTPUTF8` needed).
    pub fn is_ascii(&self) -> bool {
        self.as_str().is_ascii()
    }

    /// An owned copy.
    pub fn into_owned(self) -> Host<'static> {
        match self {
            Self::Domain(domain) => Host::Domain(domain.into_owned()),
            Self::Literal(literal) => Host::Literal(literal.into_owned()),
        }
    }
}

impl<'a> TryFrom<&'a str> for Host<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        if value.starts_with('[') {
            AddressLiteral::try_from(value).map(Self::Literal)
        } else {
            Domain::try_from(value).map(Self::Domain)
        }
    }
}

impl TryFrom<String> for Host<'static> {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.starts_with('[') {
            AddressLiteral::try_from(value).map(Self::Literal)
        } else {
            Domain::try_from(value).map(Self::Domain)
        }
    }
}

impl<'a> From<Domain<'a>> for Host<'a> {
    fn from(domain: Domain<'a>) -> Self {
        Self::Domain(domain)
    }
}

impl<'a> From<AddressLiteral<'a>> for Host<'a> {
    fn from(literal: AddressLiteral<'a>) -> Self {
        Self::Literal(literal)
    }
}

impl AsRef<str> for Host<'_> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Domain(domain) => domain.fmt(f),
            Self::Literal(literal) => literal.fmt(f),
        }
    }
}
