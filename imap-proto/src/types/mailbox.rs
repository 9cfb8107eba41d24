//! Mailbox names and LIST patterns as they appear on the wire.

use std::borrow::Cow;

use crate::error::{ValidationError, ValidationErrorKind};
use crate::types::char_class::is_list_char;
use crate::types::newtype::str_newtype;
use crate::types::{AString, IString, Quoted, utf7};

/// A name that is not modified UTF-7: the byte where it goes wrong.
fn not_utf7(text: &str, error: mailwright_base::Mutf7Error) -> ValidationError {
    let byte = text.as_bytes().get(error.at).copied().unwrap_or(b'&');
    ValidationError::byte(byte, error.at)
}

/// A mailbox name as sent on the wire (RFC 9051 section 5.1).
///
/// ```text
/// mailbox = "INBOX" / astring
///           ; INBOX is case-insensitive. All case variants of INBOX
///           ; (e.g., "iNbOx") MUST be interpreted as INBOX not as an astring.
/// ```
///
/// The wire form depends on the client: IMAP4rev1 clients use modified UTF-7,
/// IMAP4rev2 and `UTF8=ACCEPT` clients UTF-8. [`Mailbox::from_name`] and
/// [`Mailbox::to_name`] convert between that form and the Unicode name an
/// application stores.
///
/// ```
/// use mailwright_imap::types::Mailbox;
/// let wire = Mailbox::from_name("Entwürfe", false).unwrap();
/// assert_eq!(wire.as_bytes(), b"Entw&APw-rfe");
/// assert_eq!(wire.to_name(false).unwrap(), "Entwürfe");
/// assert_eq!(Mailbox::from_name("inbox", false).unwrap(), Mailbox::Inbox);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Mailbox<'a> {
    /// `INBOX`, in any case.
    Inbox,
    /// Any other name, in wire form.
    Other(AString<'a>),
}

impl<'a> Mailbox<'a> {
    /// The wire form of a Unicode mailbox name: UTF-8 when `utf8` (IMAP4rev2 or
    /// `UTF8=ACCEPT` enabled), modified UTF-7 otherwise.
    ///
    /// # Errors
    ///
    /// When the name holds NUL, CR or LF, which no mailbox name may hold.
    pub fn from_name(name: &str, utf8: bool) -> Result<Mailbox<'static>, ValidationError> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Ok(Mailbox::Inbox);
        }
        if let Some(at) = name.bytes().position(|b| matches!(b, 0 | b'\r' | b'\n')) {
            return Err(ValidationError::byte(name.as_bytes()[at], at));
        }
        if utf8 && !name.is_ascii() && name.len() <= 1024 {
            // UTF-8 clients take UTF-8 in quoted strings (RFC 9051, RFC 6855).
            return Quoted::try_from(name.to_owned())
                .map(|q| Mailbox::Other(AString::String(IString::Quoted(q))));
        }
        let wire = if utf8 {
            name.to_owned()
        } else {
            utf7::encode(name)
        };
        AString::from_text(wire).map(Mailbox::Other)
    }

    /// The Unicode name of a wire-form mailbox: `INBOX` for the inbox, the UTF-8
    /// text when `utf8`, the decoded modified UTF-7 otherwise.
    ///
    /// # Errors
    ///
    /// When the bytes are not UTF-8 (`utf8`) or not modified UTF-7 (not `utf8`).
    pub fn to_name(&self, utf8: bool) -> Result<Cow<'_, str>, ValidationError> {
        match self {
            Self::Inbox => Ok(Cow::Borrowed("INBOX")),
            Self::Other(name) => {
                let text = std::str::from_utf8(name.as_bytes())?;
                if utf8 {
                    Ok(Cow::Borrowed(text))
                } else {
                    utf7::decode(text)
                        .map(Cow::Owned)
                        .map_err(|e| not_utf7(text, e))
                }
            }
        }
    }

    /// The wire bytes (`INBOX` for the inbox).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inbox => b"INBOX",
            Self::Other(name) => name.as_bytes(),
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Mailbox<'static> {
        match self {
            Self::Inbox => Mailbox::Inbox,
            Self::Other(name) => Mailbox::Other(name.into_owned()),
        }
    }

    /// Builds from a parsed astring, recognising INBOX in any case.
    pub(crate) fn from_astring(name: AString<'a>) -> Self {
        if name.as_bytes().eq_ignore_ascii_case(b"INBOX") {
            Self::Inbox
        } else {
            Self::Other(name)
        }
    }
}

impl<'a> TryFrom<&'a str> for Mailbox<'a> {
    type Error = ValidationError;

    /// Takes `value` as the wire form (no modified UTF-7 conversion).
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        AString::from_text(value).map(Self::from_astring)
    }
}

str_newtype!(
    /// The bare form of a LIST pattern: atom characters plus the wildcards `%`
    /// and `*` and `]` (RFC 9051 section 9).
    ///
    /// ```text
    /// list-mailbox = 1*list-char / string
    /// list-char    = ATOM-CHAR / list-wildcards / resp-specials
    /// ```
    ListChars,
    check_list_chars
);

fn check_list_chars(bytes: &[u8]) -> Result<(), ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::new(ValidationErrorKind::Empty));
    }
    match bytes.iter().position(|&b| !is_list_char(b)) {
        Some(at) => Err(ValidationError::byte(bytes[at], at)),
        None => Ok(()),
    }
}

/// A LIST/LSUB mailbox pattern with `*` and `%` wildcards, in wire form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ListMailbox<'a> {
    /// The bare form.
    Token(ListChars<'a>),
    /// The quoted or literal form.
    String(IString<'a>),
}

impl<'a> ListMailbox<'a> {
    /// The wire form of a Unicode pattern (see [`Mailbox::from_name`]).
    ///
    /// # Errors
    ///
    /// When the pattern holds NUL.
    pub fn from_pattern(
        pattern: &str,
        utf8: bool,
    ) -> Result<ListMailbox<'static>, ValidationError> {
        let wire = if utf8 {
            pattern.to_owned()
        } else {
            utf7::encode(pattern)
        };
        if ListChars::validate(&wire).is_ok() {
            return Ok(ListMailbox::Token(ListChars::unvalidated(wire)));
        }
        IString::from_text(wire).map(ListMailbox::String)
    }

    /// The Unicode pattern (see [`Mailbox::to_name`]).
    ///
    /// # Errors
    ///
    /// As [`Mailbox::to_name`].
    pub fn to_pattern(&self, utf8: bool) -> Result<Cow<'_, str>, ValidationError> {
        let text = std::str::from_utf8(self.as_bytes())?;
        if utf8 {
            Ok(Cow::Borrowed(text))
        } else {
            utf7::decode(text)
                .map(Cow::Owned)
                .map_err(|e| not_utf7(text, e))
        }
    }

    /// The wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Token(t) => t.as_str().as_bytes(),
            Self::String(s) => s.as_bytes(),
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> ListMailbox<'static> {
        match self {
            Self::Token(t) => ListMailbox::Token(t.into_owned()),
            Self::String(s) => ListMailbox::String(s.into_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_any_case() {
        assert_eq!(Mailbox::try_from("iNbOx").unwrap(), Mailbox::Inbox);
        assert_ne!(Mailbox::try_from("INBOX/x").unwrap(), Mailbox::Inbox);
        assert_eq!(Mailbox::Inbox.to_name(true).unwrap(), "INBOX");
    }

    #[test]
    fn names_by_client_kind() {
        let name = "日本語";
        let rev1 = Mailbox::from_name(name, false).unwrap();
        assert_eq!(rev1.as_bytes(), b"&ZeVnLIqe-");
        let rev2 = Mailbox::from_name(name, true).unwrap();
        assert_eq!(rev2.as_bytes(), name.as_bytes());
        assert_eq!(rev2.to_name(true).unwrap(), name);
        assert!(Mailbox::try_from("&Jjo").unwrap().to_name(false).is_err());
        assert!(Mailbox::from_name("a\nb", true).is_err());
    }

    #[test]
    fn patterns() {
        assert!(matches!(
            ListMailbox::from_pattern("*", false).unwrap(),
            ListMailbox::Token(_)
        ));
        assert!(matches!(
            ListMailbox::from_pattern("a b%", false).unwrap(),
            ListMailbox::String(_)
        ));
        let p = ListMailbox::from_pattern("Entwürfe/%", false).unwrap();
        assert_eq!(p.as_bytes(), b"Entw&APw-rfe/%");
        assert_eq!(p.to_pattern(false).unwrap(), "Entwürfe/%");
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{ListMailbox, Mailbox};
        use crate::command::{Command, CommandBody};
        use crate::testing::{unicode_line, unicode_text};
        use crate::types::{Tag, Vec1};

        /// The command `body` survives encoding and parsing unchanged.
        fn wire_round_trip(body: CommandBody<'static>) -> Result<(), TestCaseError> {
            let tag = Tag::try_from("a1").map_err(|e| TestCaseError::fail(e.to_string()))?;
            let command = Command::new(tag, body);
            let bytes = crate::codec::encode::command(&command).into_bytes();
            let parsed = crate::codec::parse::command(&bytes).map(Command::into_owned);
            prop_assert_eq!(parsed, Ok(command), "{:?}", String::from_utf8_lossy(&bytes));
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

            /// Any Unicode name without NUL, CR or LF has a wire form in both
            /// client kinds that goes over the wire unchanged and decodes back to
            /// the name (INBOX in any case to `INBOX`); a rev1 wire form is ASCII.
            #[test]
            fn names_round_trip(name in prop_oneof![unicode_line(12), "\\PC*"], utf8 in any::<bool>()) {
                let wire = Mailbox::from_name(&name, utf8);
                prop_assert!(wire.is_ok(), "{name:?}: {wire:?}");
                let Ok(wire) = wire else { return Ok(()) };
                if !utf8 {
                    prop_assert!(wire.as_bytes().is_ascii());
                }
                let back = wire.to_name(utf8);
                let expected = if name.eq_ignore_ascii_case("INBOX") { "INBOX" } else { name.as_str() };
                prop_assert_eq!(back.as_deref(), Ok(expected));
                wire_round_trip(CommandBody::Create { mailbox: wire })?;
            }

            /// Names with NUL, CR or LF are refused, never panicked on; other text
            /// taken as wire form converts to a name or is refused.
            #[test]
            fn any_text_is_a_name_or_an_error(text in prop_oneof![any::<String>(), unicode_text(12)], utf8 in any::<bool>()) {
                let refused = text.contains(['\0', '\r', '\n']);
                let wire = Mailbox::from_name(&text, utf8);
                prop_assert_eq!(wire.is_err(), refused);
                if let Ok(wire) = Mailbox::try_from(text.as_str()) {
                    let _ = wire.to_name(utf8);
                }
            }

            /// Any pattern without NUL (wildcards and multi-byte characters
            /// included) round-trips through its wire form and the wire.
            #[test]
            fn patterns_round_trip(pattern in prop_oneof![unicode_text(12), "\\PC*"], utf8 in any::<bool>()) {
                let pattern = pattern.replace('\0', "");
                let wire = ListMailbox::from_pattern(&pattern, utf8);
                prop_assert!(wire.is_ok(), "{pattern:?}: {wire:?}");
                let Ok(wire) = wire else { return Ok(()) };
                let back = wire.to_pattern(utf8);
                prop_assert_eq!(back.as_deref(), Ok(pattern.as_str()));
                wire_round_trip(CommandBody::List {
                    selection: Vec::new(),
                    reference: Mailbox::Inbox,
                    patterns: Vec1::one(wire),
                    return_options: Vec::new(),
                })?;
            }
        }
    }
}
