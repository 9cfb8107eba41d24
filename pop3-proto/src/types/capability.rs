//! Capabilities listed by `CAPA` (RFC 2449 section 6).

use std::borrow::Cow;
use std::fmt;

use crate::error::ValidationError;
use crate::types::{Mechanism, validate_bytes};

/// One line of a `CAPA` response: a tag and its parameters.
///
/// [RFC 2449 section 9](https://www.rfc-editor.org/rfc/rfc2449#section-9):
///
/// ```text
/// capability = capa-tag *(SP param) CRLF
/// capa-tag   = 1*cchar
/// param      = 1*pchar
/// cchar      = %x21-2D / %x2F-7F   ; printable ASCII, excluding "."
/// pchar      = %x21-7F             ; printable ASCII
/// ```
///
/// (DEL is refused; tags and parameters are at most 64 and 255 octets, at most 32
/// parameters.) An open registry: the tags of RFC 2449, 2595, 3206, 5034 and 6856 have
/// constants or constructors, unknown tags are kept as they came.
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct Capability<'a> {
    tag: Cow<'a, str>,
    params: Vec<Cow<'a, str>>,
}

impl Capability<'static> {
    /// `TOP` (RFC 2449 section 6.1).
    pub const TOP: Self = Self::bare("TOP");
    /// `USER`: `USER`/`PASS` are accepted (RFC 2449 section 6.2).
    pub const USER: Self = Self::bare("USER");
    /// `RESP-CODES`: extended response codes are sent (RFC 2449 section 6.4).
    pub const RESP_CODES: Self = Self::bare("RESP-CODES");
    /// `PIPELINING` (RFC 2449 section 6.6).
    pub const PIPELINING: Self = Self::bare("PIPELINING");
    /// `UIDL` (RFC 2449 section 6.8).
    pub const UIDL: Self = Self::bare("UIDL");
    /// `STLS` (RFC 2595 section 4).
    pub const STLS: Self = Self::bare("STLS");
    /// `AUTH-RESP-CODE`: `[AUTH]` and `[SYS/*]` are sent (RFC 3206 section 6).
    pub const AUTH_RESP_CODE: Self = Self::bare("AUTH-RESP-CODE");
    /// `UTF8` (RFC 6856 section 2); see [`Capability::utf8_user`] for `UTF8 USER`.
    pub const UTF8: Self = Self::bare("UTF8");

    const fn bare(tag: &'static str) -> Self {
        Self {
            tag: Cow::Borrowed(tag),
            params: Vec::new(),
        }
    }

    /// `SASL mech...` (RFC 5034 section 5).
    pub fn sasl<'m>(mechanisms: impl IntoIterator<Item = &'m Mechanism<'m>>) -> Self {
        Self {
            tag: Cow::Borrowed("SASL"),
            params: mechanisms
                .into_iter()
                .map(|mechanism| Cow::Owned(mechanism.as_str().to_owned()))
                .collect(),
        }
    }

    /// `LOGIN-DELAY seconds` (RFC 2449 section 6.5), with `USER` when the delay
    /// differs per user.
    pub fn login_delay(seconds: u32, per_user: bool) -> Self {
        let mut params = vec![Cow::Owned(seconds.to_string())];
        if per_user {
            params.push(Cow::Borrowed("USER"));
        }
        Self {
            tag: Cow::Borrowed("LOGIN-DELAY"),
            params,
        }
    }

    /// `UTF8 USER`: UTF-8 user names and passwords are accepted (RFC 6856 section 2).
    pub fn utf8_user() -> Self {
        Self {
            tag: Cow::Borrowed("UTF8"),
            params: vec![Cow::Borrowed("USER")],
        }
    }

    /// `IMPLEMENTATION text` (RFC 2449 section 6.9); `text` is split at spaces.
    ///
    /// # Errors
    ///
    /// `text` has no word, or a word that is not a valid parameter.
    pub fn implementation(text: &str) -> Result<Self, ValidationError> {
        let words: Vec<String> = text
            .split(' ')
            .filter(|word| !word.is_empty())
            .map(str::to_owned)
            .collect();
        if words.is_empty() {
            return Err(ValidationError::empty());
        }
        Self::new(String::from("IMPLEMENTATION"), words)
    }
}

impl<'a> Capability<'a> {
    /// The longest tag, in octets.
    pub const MAX_TAG_LEN: usize = 64;
    /// The longest parameter, in octets.
    pub const MAX_PARAM_LEN: usize = 255;
    /// The most parameters on one line.
    pub const MAX_PARAMS: usize = 32;

    /// A capability from its tag and parameters.
    ///
    /// # Errors
    ///
    /// The tag or a parameter breaks the grammar, or there are more than
    /// [`Self::MAX_PARAMS`] parameters.
    pub fn new<S: Into<Cow<'a, str>>>(
        tag: S,
        params: impl IntoIterator<Item = S>,
    ) -> Result<Self, ValidationError> {
        let tag = tag.into();
        Self::validate_tag(tag.as_bytes())?;
        let mut checked = Vec::new();
        for param in params {
            let param = param.into();
            Self::validate_param(param.as_bytes())?;
            if checked.len() == Self::MAX_PARAMS {
                return Err(ValidationError::too_long(Self::MAX_PARAMS));
            }
            checked.push(param);
        }
        Ok(Self {
            tag,
            params: checked,
        })
    }

    /// Checks a capability tag.
    ///
    /// # Errors
    ///
    /// Empty, too long, or a byte outside `cchar`.
    pub fn validate_tag(tag: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        validate_bytes(tag.as_ref(), Self::MAX_TAG_LEN, |byte| {
            (0x21..=0x7e).contains(&byte) && byte != b'.'
        })
    }

    /// Checks a capability parameter.
    ///
    /// # Errors
    ///
    /// Empty, too long, or a byte outside `pchar`.
    pub fn validate_param(param: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        validate_bytes(param.as_ref(), Self::MAX_PARAM_LEN, |byte| {
            (0x21..=0x7e).contains(&byte)
        })
    }

    /// The tag, such as `SASL`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The parameters, such as `PLAIN`, `LOGIN`.
    pub fn params(&self) -> impl ExactSizeIterator<Item = &str> {
        self.params.iter().map(|param| &**param)
    }

    /// Whether the tag is `tag`, ignoring ASCII case.
    pub fn is(&self, tag: &str) -> bool {
        self.tag.eq_ignore_ascii_case(tag)
    }

    /// The mechanisms of a `SASL` capability (empty for other tags).
    pub fn mechanisms(&self) -> Vec<Mechanism<'_>> {
        if !self.is("SASL") {
            return Vec::new();
        }
        self.params()
            .filter_map(|param| Mechanism::try_from(param).ok())
            .collect()
    }

    /// The capability with its borrows released.
    pub fn into_owned(self) -> Capability<'static> {
        Capability {
            tag: Cow::Owned(self.tag.into_owned()),
            params: self
                .params
                .into_iter()
                .map(|param| Cow::Owned(param.into_owned()))
                .collect(),
        }
    }
}

impl fmt::Display for Capability<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)?;
        for param in &self.params {
            write!(f, " {param}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Capability<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Capability({:?})", self.to_string())
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Capability<'static> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.int_in_range(0..=5)? {
            0 => Self::TOP,
            1 => Self::USER,
            2 => Self::sasl(&[Mechanism::PLAIN, Mechanism::LOGIN]),
            3 => Self::login_delay(u.arbitrary()?, u.arbitrary()?),
            4 => Self::utf8_user(),
            _ => Self::PIPELINING,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_print_as_rfc2449_shows() {
        assert_eq!(Capability::TOP.to_string(), "TOP");
        assert_eq!(
            Capability::sasl(&[Mechanism::PLAIN, Mechanism::LOGIN]).to_string(),
            "SASL PLAIN LOGIN"
        );
        assert_eq!(
            Capability::login_delay(900, false).to_string(),
            "LOGIN-DELAY 900"
        );
        assert_eq!(Capability::utf8_user().to_string(), "UTF8 USER");
        assert_eq!(
            Capability::implementation("Shlemazle-Plotz-v302")
                .unwrap()
                .to_string(),
            "IMPLEMENTATION Shlemazle-Plotz-v302"
        );
        let sasl = Capability::sasl(&[Mechanism::PLAIN]);
        assert_eq!(sasl.mechanisms(), [Mechanism::PLAIN]);
    }

    #[test]
    fn rejects() {
        assert!(Capability::new(".TOP", Vec::<&str>::new()).is_err());
        assert!(Capability::new("X", vec!["a b"]).is_err());
        assert!(Capability::new("X", vec![""]).is_err());
        assert!(Capability::new("X", vec!["p"; 33]).is_err());
        assert!(Capability::implementation("   ").is_err());
    }
}
