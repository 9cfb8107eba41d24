//! EHLO keywords and the capability list of an EHLO reply.

use std::borrow::Cow;
use std::fmt;

use crate::error::ValidationError;
use crate::types::{Mechanism, string_newtype};

/// A service extension keyword of the EHLO reply,
/// [RFC 5321 section 4.1.1.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1):
/// an open registry with the extensions this crate implements as consts. Compared
/// case-insensitively.
///
/// ```text
/// ehlo-keyword   = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// ```
#[derive(Clone, Eq)]
pub struct EhloKeyword<'a>(pub(crate) Cow<'a, str>);

string_newtype!(EhloKeyword);

impl EhloKeyword<'_> {
    /// `PIPELINING` ([RFC 2920](https://www.rfc-editor.org/rfc/rfc2920)).
    pub const PIPELINING: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("PIPELINING"));
    /// `SIZE` ([RFC 1870](https://www.rfc-editor.org/rfc/rfc1870)).
    pub const SIZE: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("SIZE"));
    /// `8BITMIME` ([RFC 6152](https://www.rfc-editor.org/rfc/rfc6152)).
    pub const EIGHT_BIT_MIME: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("8BITMIME"));
    /// `SMTPUTF8` ([RFC 6531](https://www.rfc-editor.org/rfc/rfc6531)).
    pub const SMTPUTF8: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("SMTPUTF8"));
    /// `ENHANCEDSTATUSCODES` ([RFC 2034](https://www.rfc-editor.org/rfc/rfc2034)).
    pub const ENHANCED_STATUS_CODES: EhloKeyword<'static> =
        EhloKeyword(Cow::Borrowed("ENHANCEDSTATUSCODES"));
    /// `STARTTLS` ([RFC 3207](https://www.rfc-editor.org/rfc/rfc3207)).
    pub const STARTTLS: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("STARTTLS"));
    /// `AUTH` ([RFC 4954](https://www.rfc-editor.org/rfc/rfc4954)), with the mechanisms
    /// as parameters.
    pub const AUTH: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("AUTH"));
    /// `CHUNKING` ([RFC 3030](https://www.rfc-editor.org/rfc/rfc3030)).
    pub const CHUNKING: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("CHUNKING"));
    /// `BINARYMIME` ([RFC 3030](https://www.rfc-editor.org/rfc/rfc3030)).
    pub const BINARYMIME: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("BINARYMIME"));
    /// `DSN` ([RFC 3461](https://www.rfc-editor.org/rfc/rfc3461)).
    pub const DSN: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("DSN"));
    /// `VRFY`.
    pub const VRFY: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("VRFY"));
    /// `HELP`.
    pub const HELP: EhloKeyword<'static> = EhloKeyword(Cow::Borrowed("HELP"));

    /// Checks `value` against the grammar.
    ///
    /// # Errors
    ///
    /// When `value` is empty or breaks the ABNF.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        match value.first() {
            None => Err(ValidationError::empty("ehlo-keyword")),
            Some(&b) if !b.is_ascii_alphanumeric() => {
                Err(ValidationError::byte("ehlo-keyword", b, 0))
            }
            Some(_) => match value
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
            {
                None => Ok(()),
                Some(at) => Err(ValidationError::byte("ehlo-keyword", value[at], at)),
            },
        }
    }
}

impl PartialEq for EhloKeyword<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for EhloKeyword<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_uppercase());
        }
    }
}

/// One line of an EHLO reply after the first: a keyword and its parameters.
///
/// ```text
/// ehlo-line      = ehlo-keyword *( SP ehlo-param )
/// ehlo-param     = 1*(%d33-126)
/// ```
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Extension<'a> {
    keyword: EhloKeyword<'a>,
    params: Vec<Cow<'a, str>>,
}

impl<'a> Extension<'a> {
    /// An extension without parameters.
    pub fn new(keyword: EhloKeyword<'a>) -> Self {
        Self {
            keyword,
            params: Vec::new(),
        }
    }

    /// Adds a parameter.
    ///
    /// # Errors
    ///
    /// When `param` is empty or holds a byte outside `%d33-126`.
    pub fn with_param(mut self, param: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let param = param.into();
        if param.is_empty() {
            return Err(ValidationError::empty("ehlo-param"));
        }
        if let Some(at) = param.bytes().position(|b| !(33..=126).contains(&b)) {
            return Err(ValidationError::byte(
                "ehlo-param",
                param.as_bytes()[at],
                at,
            ));
        }
        self.params.push(param);
        Ok(self)
    }

    /// Parses one EHLO line; `None` when it does not start with a keyword. As a
    /// quirk, `AUTH=PLAIN LOGIN` (old servers) reads as `AUTH PLAIN LOGIN`.
    pub fn parse(line: &'a str) -> Option<Self> {
        let end = line.find([' ', '=']).unwrap_or(line.len());
        let keyword = EhloKeyword::try_from(&line[..end]).ok()?;
        let params = line
            .get(end + 1..)
            .unwrap_or("")
            .split(' ')
            .filter(|param| !param.is_empty() && param.bytes().all(|b| (33..=126).contains(&b)))
            .map(Cow::Borrowed)
            .collect();
        Some(Self { keyword, params })
    }

    /// The keyword.
    pub fn keyword(&self) -> &EhloKeyword<'a> {
        &self.keyword
    }

    /// The parameters.
    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|param| param.as_ref())
    }

    /// An owned copy.
    pub fn into_owned(self) -> Extension<'static> {
        Extension {
            keyword: self.keyword.into_owned(),
            params: self
                .params
                .into_iter()
                .map(|param| Cow::Owned(param.into_owned()))
                .collect(),
        }
    }
}

impl fmt::Display for Extension<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword.as_str())?;
        for param in &self.params {
            write!(f, " {param}")?;
        }
        Ok(())
    }
}

/// What a server offers in its EHLO (or LHLO) reply: the list of extensions, with
/// typed accessors for the ones this crate uses.
///
/// ```
/// use mailwright_smtp::{Capabilities, Mechanism};
///
/// let lines = ["mx.example.org greets you", "PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN"];
/// let capabilities = Capabilities::from_ehlo_lines(lines);
/// assert!(capabilities.pipelining());
/// assert_eq!(capabilities.size(), Some(10_240_000));
/// assert!(capabilities.auth_mechanisms().any(|m| m == Mechanism::LOGIN));
/// assert!(!capabilities.starttls());
/// ```
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct Capabilities {
    extensions: Vec<Extension<'static>>,
}

impl Capabilities {
    /// No extensions (what a `HELO` reply means).
    pub fn new() -> Self {
        Self::default()
    }

    /// The capabilities from the text lines of an EHLO reply; the first line (the
    /// server's name and greeting) is skipped, lines that are not keyword lines are
    /// ignored.
    pub fn from_ehlo_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Self {
        let mut capabilities = Self::new();
        for line in lines.into_iter().skip(1) {
            if let Some(extension) = Extension::parse(line) {
                capabilities.push(extension.into_owned());
            }
        }
        capabilities
    }

    /// Adds an extension, replacing one with the same keyword.
    pub fn push(&mut self, extension: Extension<'static>) {
        match self
            .extensions
            .iter_mut()
            .find(|known| known.keyword == extension.keyword)
        {
            Some(known) => *known = extension,
            None => self.extensions.push(extension),
        }
    }

    /// The extension for `keyword`, if offered.
    pub fn get(&self, keyword: &EhloKeyword<'_>) -> Option<&Extension<'static>> {
        self.extensions
            .iter()
            .find(|extension| extension.keyword == *keyword)
    }

    /// Whether `keyword` is offered.
    pub fn has(&self, keyword: &EhloKeyword<'_>) -> bool {
        self.get(keyword).is_some()
    }

    /// Every extension, in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = &Extension<'static>> {
        self.extensions.iter()
    }

    /// `SIZE n` with `n > 0`: the largest message the server takes. `None` when
    /// `SIZE` is not offered or offered without a fixed limit.
    pub fn size(&self) -> Option<u64> {
        self.get(&EhloKeyword::SIZE)?
            .params()
            .next()?
            .parse()
            .ok()
            .filter(|&size| size > 0)
    }

    /// The mechanisms of `AUTH`, if offered.
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = Mechanism<'_>> {
        self.get(&EhloKeyword::AUTH)
            .into_iter()
            .flat_map(Extension::params)
            .filter_map(|name| Mechanism::try_from(name).ok())
    }

    /// `PIPELINING` is offered.
    pub fn pipelining(&self) -> bool {
        self.has(&EhloKeyword::PIPELINING)
    }

    /// `STARTTLS` is offered.
    pub fn starttls(&self) -> bool {
        self.has(&EhloKeyword::STARTTLS)
    }

    /// `CHUNKING` (BDAT) is offered.
    pub fn chunking(&self) -> bool {
        self.has(&EhloKeyword::CHUNKING)
    }

    /// `BINARYMIME` is offered.
    pub fn binarymime(&self) -> bool {
        self.has(&EhloKeyword::BINARYMIME)
    }

    /// `8BITMIME` is offered.
    pub fn eight_bit_mime(&self) -> bool {
        self.has(&EhloKeyword::EIGHT_BIT_MIME)
    }

    /// `SMTPUTF8` is offered.
    pub fn smtputf8(&self) -> bool {
        self.has(&EhloKeyword::SMTPUTF8)
    }

    /// `DSN` is offered.
    pub fn dsn(&self) -> bool {
        self.has(&EhloKeyword::DSN)
    }

    /// `ENHANCEDSTATUSCODES` is offered.
    pub fn enhanced_status_codes(&self) -> bool {
        self.has(&EhloKeyword::ENHANCED_STATUS_CODES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_an_ehlo_reply() {
        let lines = [
            "mx1.example.org Hello",
            "SIZE 52428800",
            "8BITMIME",
            "pipelining",
            "CHUNKING",
            "AUTH=PLAIN LOGIN",
            "AUTH PLAIN LOGIN XOAUTH2",
            "-not a keyword",
            "X-EXPERIMENTAL a b",
        ];
        let caps = Capabilities::from_ehlo_lines(lines);
        assert_eq!(caps.size(), Some(52_428_800));
        assert!(caps.pipelining() && caps.chunking() && caps.eight_bit_mime());
        assert!(!caps.starttls() && !caps.smtputf8() && !caps.dsn());
        let mechanisms: Vec<_> = caps.auth_mechanisms().map(|m| m.to_string()).collect();
        assert_eq!(mechanisms, ["PLAIN", "LOGIN", "XOAUTH2"]);
        let experimental = caps
            .get(&EhloKeyword::try_from("x-experimental").unwrap())
            .unwrap();
        assert_eq!(experimental.to_string(), "X-EXPERIMENTAL a b");
        assert_eq!(caps.iter().count(), 6);
    }

    #[test]
    fn size_zero_means_no_limit() {
        let caps = Capabilities::from_ehlo_lines(["x", "SIZE 0"]);
        assert!(caps.has(&EhloKeyword::SIZE));
        assert_eq!(caps.size(), None);
    }

    #[test]
    fn params_are_checked() {
        let extension = Extension::new(EhloKeyword::AUTH);
        assert!(extension.clone().with_param("PLAIN").is_ok());
        assert!(extension.clone().with_param("").is_err());
        assert!(extension.with_param("a b").is_err());
    }

    proptest! {
        /// EHLO lines of any Unicode (a server's to send): no panic; a line read as an
        /// extension holds only valid parameters and prints to a line that reads back
        /// the same.
        #[test]
        fn unicode_ehlo_lines(line in prop_oneof![
            any::<String>(),
            "[A-Z0-9-]{1,10}([ =]([A-Z]|\\PC){0,8}){0,4}",
            "\\PC{1,6}([ =]\\PC{0,6}){0,3}",
        ]) {
            if let Some(extension) = Extension::parse(&line) {
                prop_assert!(EhloKeyword::validate(extension.keyword().as_str()).is_ok());
                prop_assert!(extension.params().all(|p| !p.is_empty() && p.bytes().all(|b| (33..=126).contains(&b))));
                let printed = extension.to_string();
                prop_assert_eq!(Extension::parse(&printed), Some(extension.clone()));
            }
            let capabilities = Capabilities::from_ehlo_lines(["greeting", line.as_str()]);
            let _ = (capabilities.size(), capabilities.auth_mechanisms().count());
        }
    }
}
