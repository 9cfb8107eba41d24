//! The argument of `PASS`.

use std::borrow::Cow;
use std::fmt;

use zeroize::Zeroize;

use crate::error::ValidationError;

/// The password of `PASS`: everything after `PASS` and one space, up to CRLF.
///
/// [RFC 1939 section 7](https://www.rfc-editor.org/rfc/rfc1939#section-7): "since the
/// PASS command has exactly one argument, a POP3 server may treat spaces in the argument
/// as part of the password". Bytes, not text (old clients send Latin-1); UTF-8 per
/// [RFC 6856](https://www.rfc-editor.org/rfc/rfc6856#section-3) is one case of it.
///
/// ```text
/// string = 1*1024(%x01-09 / %x0B-0C / %x0E-FF)   ; no NUL, CR, LF
/// ```
///
/// `Debug` is redacted and an owned value is zeroized on drop.
#[derive(Clone, Eq, PartialEq)]
pub struct Password<'a>(Cow<'a, [u8]>);

impl<'a> Password<'a> {
    /// The longest password accepted, in octets.
    pub const MAX_LEN: usize = 1024;

    /// Checks that `value` is a valid `PASS` argument.
    ///
    /// # Errors
    ///
    /// Empty, longer than [`Self::MAX_LEN`], or a NUL, CR or LF.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        if value.is_empty() {
            return Err(ValidationError::empty());
        }
        if value.len() > Self::MAX_LEN {
            return Err(ValidationError::too_long(Self::MAX_LEN));
        }
        match value
            .iter()
            .position(|&byte| matches!(byte, b'\0' | b'\r' | b'\n'))
        {
            Some(at) => Err(ValidationError::invalid_byte(value[at], at)),
            None => Ok(()),
        }
    }

    /// The password bytes.
    pub fn declassify(&self) -> &[u8] {
        &self.0
    }

    /// The password with its borrow released.
    pub fn into_owned(mut self) -> Password<'static> {
        Password(Cow::Owned(std::mem::take(&mut self.0).into_owned()))
    }
}

impl<'a> TryFrom<&'a [u8]> for Password<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a [u8]) -> Result<Self, Self::Error> {
        Self::validate(value)?;
        Ok(Self(Cow::Borrowed(value)))
    }
}

impl<'a> TryFrom<&'a str> for Password<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::try_from(value.as_bytes())
    }
}

impl TryFrom<Vec<u8>> for Password<'static> {
    type Error = ValidationError;

    fn try_from(mut value: Vec<u8>) -> Result<Self, Self::Error> {
        if let Err(err) = Self::validate(&value) {
            value.zeroize();
            return Err(err);
        }
        Ok(Self(Cow::Owned(value)))
    }
}

impl TryFrom<String> for Password<'static> {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::try_from(value.into_bytes())
    }
}

impl fmt::Debug for Password<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(/* REDACTED */)")
    }
}

impl Drop for Password<'_> {
    fn drop(&mut self) {
        if let Cow::Owned(bytes) = &mut self.0 {
            bytes.zeroize();
        }
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Password<'static> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let bytes: Vec<u8> = u.arbitrary()?;
        Ok(Self::try_from(bytes).unwrap_or_else(|_| Self(Cow::Borrowed(b"secret"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_are_part_of_the_password() {
        let password = Password::try_from(" a b ").unwrap();
        assert_eq!(password.declassify(), b" a b ");
        assert_eq!(format!("{password:?}"), "Password(/* REDACTED */)");
        assert!(Password::try_from("").is_err());
        assert!(Password::try_from("a\rb").is_err());
        assert!(Password::try_from(vec![b'x'; 1025]).is_err());
        assert_eq!(
            Password::try_from(&b"\xe9t\xe9"[..]).unwrap().declassify(),
            b"\xe9t\xe9",
            "Latin-1 passwords pass through"
        );
    }
}
