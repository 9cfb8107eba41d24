//! The string forms of the grammar: `string`, `astring`, `nstring`.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::{AtomExt, Literal, LiteralMode, Quoted};

/// Longest text that the `from_*` constructors put in quotes; longer goes as a literal.
const MAX_QUOTED: usize = 1024;

/// A string (RFC 9051 section 4.3): quoted or literal.
///
/// ```text
/// string = quoted / literal
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum IString<'a> {
    /// `"..."`.
    Quoted(Quoted<'a>),
    /// `{n}` followed by n bytes.
    Literal(Literal<'a>),
}

/// An astring: an atom-like word or a string (RFC 9051 section 9).
///
/// ```text
/// astring = 1*ASTRING-CHAR / string
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum AString<'a> {
    /// The bare form.
    Atom(AtomExt<'a>),
    /// The quoted or literal form.
    String(IString<'a>),
}

/// A string or `NIL` (RFC 9051 section 4.5).
///
/// ```text
/// nstring = string / nil
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct NString<'a>(pub Option<IString<'a>>);

impl<'a> IString<'a> {
    /// Chooses the form by content: quoted for short 7-bit text, a literal otherwise.
    ///
    /// # Errors
    ///
    /// Only when `data` holds a NUL byte, which no IMAP string may hold.
    pub fn from_bytes(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValidationError> {
        let data = data.into();
        if data.len() <= MAX_QUOTED
            && data
                .iter()
                .all(|&b| crate::types::char_class::is_text_char(b))
        {
            return Ok(Self::Quoted(match data {
                Cow::Borrowed(b) => Quoted::try_from(b)?,
                Cow::Owned(b) => Quoted::try_from(b)?,
            }));
        }
        Literal::try_from(data).map(Self::Literal)
    }

    /// Like [`IString::from_bytes`] for text.
    ///
    /// # Errors
    ///
    /// Only when `text` holds a NUL character.
    pub fn from_text(text: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        Self::from_bytes(match text.into() {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        })
    }

    /// The bytes of the string, without quotes or escapes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Quoted(q) => q.as_str().as_bytes(),
            Self::Literal(l) => l.data(),
        }
    }

    /// The bytes of the string, taken out.
    pub fn into_bytes(self) -> Cow<'a, [u8]> {
        match self {
            Self::Quoted(q) => match q.into_inner() {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            },
            Self::Literal(l) => l.into_inner(),
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> IString<'static> {
        match self {
            Self::Quoted(q) => IString::Quoted(q.into_owned()),
            Self::Literal(l) => IString::Literal(l.into_owned()),
        }
    }
}

impl<'a> AString<'a> {
    /// Chooses the form by content: the bare form when every byte is an
    /// `ASTRING-CHAR`, else as [`IString::from_bytes`].
    ///
    /// # Errors
    ///
    /// Only when `data` holds a NUL byte.
    pub fn from_bytes(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValidationError> {
        let data = data.into();
        if !data.is_empty()
            && data
                .iter()
                .all(|&b| crate::types::char_class::is_astring_char(b))
        {
            return Ok(Self::Atom(match data {
                Cow::Borrowed(b) => AtomExt::try_from(b)?,
                Cow::Owned(b) => AtomExt::try_from(b)?,
            }));
        }
        IString::from_bytes(data).map(Self::String)
    }

    /// Like [`AString::from_bytes`] for text.
    ///
    /// # Errors
    ///
    /// Only when `text` holds a NUL character.
    pub fn from_text(text: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        Self::from_bytes(match text.into() {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        })
    }

    /// The bytes, whatever the form.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Atom(a) => a.as_str().as_bytes(),
            Self::String(s) => s.as_bytes(),
        }
    }

    /// The bytes, taken out.
    pub fn into_bytes(self) -> Cow<'a, [u8]> {
        match self {
            Self::Atom(a) => match a.into_inner() {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            },
            Self::String(s) => s.into_bytes(),
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> AString<'static> {
        match self {
            Self::Atom(a) => AString::Atom(a.into_owned()),
            Self::String(s) => AString::String(s.into_owned()),
        }
    }

    /// Sets the literal mode when this is a literal (for encoding commands with
    /// LITERAL+); other forms are returned unchanged.
    pub fn with_literal_mode(self, mode: LiteralMode) -> Self {
        match self {
            Self::String(IString::Literal(l)) => Self::String(IString::Literal(l.with_mode(mode))),
            other => other,
        }
    }
}

impl<'a> NString<'a> {
    /// `NIL`.
    pub const NIL: NString<'static> = NString(None);

    /// A present string chosen by content, see [`IString::from_bytes`].
    ///
    /// # Errors
    ///
    /// Only when `data` holds a NUL byte.
    pub fn from_bytes(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValidationError> {
        IString::from_bytes(data).map(|s| Self(Some(s)))
    }

    /// A present string chosen by content, see [`IString::from_text`].
    ///
    /// # Errors
    ///
    /// Only when `text` holds a NUL character.
    pub fn from_text(text: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        IString::from_text(text).map(|s| Self(Some(s)))
    }

    /// The bytes, or `None` for `NIL`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.0.as_ref().map(IString::as_bytes)
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> NString<'static> {
        NString(self.0.map(IString::into_owned))
    }
}

impl<'a> From<Quoted<'a>> for IString<'a> {
    fn from(q: Quoted<'a>) -> Self {
        Self::Quoted(q)
    }
}

impl<'a> From<Literal<'a>> for IString<'a> {
    fn from(l: Literal<'a>) -> Self {
        Self::Literal(l)
    }
}

impl<'a> From<IString<'a>> for AString<'a> {
    fn from(s: IString<'a>) -> Self {
        Self::String(s)
    }
}

impl<'a> From<AtomExt<'a>> for AString<'a> {
    fn from(a: AtomExt<'a>) -> Self {
        Self::Atom(a)
    }
}

impl<'a> From<IString<'a>> for NString<'a> {
    fn from(s: IString<'a>) -> Self {
        Self(Some(s))
    }
}

impl<'a> TryFrom<&'a str> for AString<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::from_text(value)
    }
}

impl TryFrom<String> for AString<'_> {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_text(value)
    }
}

impl<'a> TryFrom<&'a str> for IString<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::from_text(value)
    }
}

impl TryFrom<String> for IString<'_> {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_text(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_chosen_by_content() {
        assert!(matches!(
            AString::from_text("INBOX").unwrap(),
            AString::Atom(_)
        ));
        assert!(matches!(
            AString::from_text("a b").unwrap(),
            AString::String(IString::Quoted(_))
        ));
        assert!(matches!(
            AString::from_text("").unwrap(),
            AString::String(IString::Quoted(_))
        ));
        assert!(matches!(
            AString::from_text("caf\u{e9}").unwrap(),
            AString::String(IString::Literal(_))
        ));
        assert!(matches!(
            IString::from_text("a\r\nb").unwrap(),
            IString::Literal(_)
        ));
        assert!(matches!(
            IString::from_text("x".repeat(2000)).unwrap(),
            IString::Literal(_)
        ));
        assert!(IString::from_text("nul\0").is_err());
        assert_eq!(NString::from_text("v").unwrap().as_bytes(), Some(&b"v"[..]));
        assert_eq!(NString::NIL.as_bytes(), None);
        assert_eq!(
            AString::from_text("a b").unwrap().into_bytes().as_ref(),
            b"a b"
        );
    }
}
