//! Literals: `{n}` (synchronizing), `{n+}` (non-synchronizing, LITERAL+/LITERAL-)
//! and the binary `~{n}` of RFC 3516.

use std::borrow::Cow;
use std::fmt;

use crate::error::ValidationError;

/// Whether the sender waits for a continuation request before sending the literal's
/// bytes (RFC 9051 section 4.3, RFC 7888).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum LiteralMode {
    /// `{n}`: a client waits for `+` from the server before sending the bytes.
    #[default]
    Sync,
    /// `{n+}`: the bytes follow at once (LITERAL+, or LITERAL- up to 4096 octets).
    NonSync,
}

/// A literal: counted bytes (RFC 9051 section 4.3).
///
/// ```text
/// literal = "{" number64 ["+"] "}" CRLF *CHAR8
///           ; number64 represents the number of CHAR8s.
/// CHAR8   = %x01-ff
/// ```
///
/// Any byte but NUL; use [`Literal8`] for binary data.
///
/// ```
/// use mailwright_imap::types::{Literal, LiteralMode};
/// let literal = Literal::try_from(&b"two\r\nlines"[..]).unwrap();
/// assert_eq!(literal.mode(), LiteralMode::Sync);
/// assert!(Literal::try_from(&b"nul\0"[..]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Literal<'a> {
    data: Cow<'a, [u8]>,
    mode: LiteralMode,
}

/// A binary literal `~{n}` (RFC 3516): any octet, NUL included.
///
/// ```text
/// literal8 = "~{" number64 ["+"] "}" CRLF *OCTET
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Literal8<'a> {
    data: Cow<'a, [u8]>,
    mode: LiteralMode,
}

impl<'a> Literal<'a> {
    /// Checks that `data` can be a literal (no NUL byte).
    ///
    /// # Errors
    ///
    /// Points at the first NUL.
    pub fn validate(data: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let data = data.as_ref();
        match memchr::memchr(0, data) {
            Some(at) => Err(ValidationError::byte(0, at)),
            None => Ok(()),
        }
    }

    /// Builds a literal, replacing each NUL byte with 0x80 as servers do for
    /// message data that holds NULs (IMAP forbids NUL in a literal).
    pub fn from_bytes_lossy(data: impl Into<Cow<'a, [u8]>>) -> Self {
        let mut data = data.into();
        if memchr::memchr(0, &data).is_some() {
            for b in data.to_mut().iter_mut() {
                if *b == 0 {
                    *b = 0x80;
                }
            }
        }
        Self {
            data,
            mode: LiteralMode::Sync,
        }
    }

    pub(crate) fn unvalidated(data: impl Into<Cow<'a, [u8]>>, mode: LiteralMode) -> Self {
        let data = data.into();
        debug_assert!(Self::validate(&data).is_ok());
        Self { data, mode }
    }

    /// Sets whether the literal is sent synchronizing or not.
    pub fn with_mode(mut self, mode: LiteralMode) -> Self {
        self.mode = mode;
        self
    }

    /// The literal's bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Synchronizing or non-synchronizing.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }

    /// The literal's bytes, taken out.
    pub fn into_inner(self) -> Cow<'a, [u8]> {
        self.data
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Literal<'static> {
        Literal {
            data: Cow::Owned(self.data.into_owned()),
            mode: self.mode,
        }
    }
}

impl<'a> Literal8<'a> {
    /// Builds a binary literal; every byte sequence is valid.
    pub fn new(data: impl Into<Cow<'a, [u8]>>, mode: LiteralMode) -> Self {
        Self {
            data: data.into(),
            mode,
        }
    }

    /// The bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Synchronizing or non-synchronizing.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }

    /// The bytes, taken out.
    pub fn into_inner(self) -> Cow<'a, [u8]> {
        self.data
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Literal8<'static> {
        Literal8 {
            data: Cow::Owned(self.data.into_owned()),
            mode: self.mode,
        }
    }
}

impl<'a> TryFrom<&'a [u8]> for Literal<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a [u8]) -> Result<Self, Self::Error> {
        Self::validate(value)?;
        Ok(Self::unvalidated(value, LiteralMode::Sync))
    }
}

impl TryFrom<Vec<u8>> for Literal<'_> {
    type Error = ValidationError;

    fn try_from(value: Vec<u8>) -> Result<Self, Self::Error> {
        Self::validate(&value)?;
        Ok(Self::unvalidated(value, LiteralMode::Sync))
    }
}

impl<'a> TryFrom<&'a str> for Literal<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::try_from(value.as_bytes())
    }
}

impl TryFrom<String> for Literal<'_> {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::try_from(value.into_bytes())
    }
}

impl<'a> TryFrom<Cow<'a, [u8]>> for Literal<'a> {
    type Error = ValidationError;

    fn try_from(value: Cow<'a, [u8]>) -> Result<Self, Self::Error> {
        Self::validate(&value)?;
        Ok(Self::unvalidated(value, LiteralMode::Sync))
    }
}

impl AsRef<[u8]> for Literal<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl AsRef<[u8]> for Literal8<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl fmt::Debug for Literal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_debug(f, "Literal", &self.data, self.mode)
    }
}

impl fmt::Debug for Literal8<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_debug(f, "Literal8", &self.data, self.mode)
    }
}

fn write_debug(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    data: &[u8],
    mode: LiteralMode,
) -> fmt::Result {
    let plus = match mode {
        LiteralMode::Sync => "",
        LiteralMode::NonSync => "+",
    };
    const SHOWN: usize = 64;
    let head = &data[..data.len().min(SHOWN)];
    let more = if data.len() > SHOWN { "..." } else { "" };
    write!(
        f,
        "{name}{{{}{plus}}}({:?}{more})",
        data.len(),
        String::from_utf8_lossy(head)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert!(Literal::try_from("a\r\nb").is_ok());
        assert_eq!(
            Literal::validate(b"ab\0").unwrap_err().position(),
            Some(2),
            "NUL is refused"
        );
        let lossy = Literal::from_bytes_lossy(&b"a\0b"[..]);
        assert_eq!(lossy.data(), b"a\x80b");
        let literal = Literal::try_from("x")
            .unwrap()
            .with_mode(LiteralMode::NonSync);
        assert_eq!(format!("{literal:?}"), "Literal{1+}(\"x\")");
        assert_eq!(Literal8::new(&b"\0"[..], LiteralMode::Sync).data(), b"\0");
    }
}
