//! Validated protocol values, one per file.
//!
//! Each newtype can only hold a value that satisfies its grammar (quoted in its doc
//! comment), so encoding a valid value never fails. Construct them with `TryFrom` (from
//! `&str`, `String`, `&[u8]`, `Vec<u8>` or `Cow<str>`) or check a value first with
//! `validate`. Borrowed forms (`UserName<'a>`) become `'static` with `into_owned`.

mod apop;
mod capability;
mod mechanism;
mod message_number;
mod password;
mod response_code;
mod text;
mod unique_id;
mod user_name;

pub use apop::{ApopDigest, ApopTimestamp};
pub use capability::Capability;
pub use mailwright_base::Secret;
pub use mechanism::Mechanism;
pub use message_number::MessageNumber;
pub use password::Password;
pub use response_code::ResponseCode;
pub use text::Text;
pub use unique_id::UniqueId;
pub use user_name::UserName;

use crate::error::ValidationError;

/// Checks that every byte of `value` satisfies `allowed`, that it is 1..=`max` bytes
/// long, and that it is UTF-8.
pub(crate) fn validate_bytes(
    value: &[u8],
    max: usize,
    allowed: impl Fn(u8) -> bool,
) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::empty());
    }
    if value.len() > max {
        return Err(ValidationError::too_long(max));
    }
    if let Some(at) = value.iter().position(|&byte| !allowed(byte)) {
        return Err(ValidationError::invalid_byte(value[at], at));
    }
    if !value.is_ascii() && std::str::from_utf8(value).is_err() {
        return Err(ValidationError::not_utf8());
    }
    Ok(())
}

/// Implements the conversions every `Cow<'a, str>` newtype of this module shares:
/// `TryFrom` from the usual string and byte forms, `as_str`, `into_owned`,
/// `into_inner`, `Display`, a compact `Debug`, `AsRef<str>`, a crate-private
/// `unvalidated`, and (feature `arbitrary`) `Arbitrary` drawing from `$alphabet`.
macro_rules! str_newtype {
    ($name:ident, alphabet = $alphabet:expr, fallback = $fallback:expr) => {
        impl<'a> $name<'a> {
            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value with its borrow released.
            pub fn into_owned(self) -> $name<'static> {
                $name(std::borrow::Cow::Owned(self.0.into_owned()))
            }

            /// The inner string.
            pub fn into_inner(self) -> std::borrow::Cow<'a, str> {
                self.0
            }

            /// Wraps a value the caller has already checked.
            #[allow(dead_code, reason = "not every type needs it outside tests")]
            pub(crate) fn unvalidated(value: impl Into<std::borrow::Cow<'a, str>>) -> Self {
                let value = value.into();
                debug_assert!(Self::validate(value.as_bytes()).is_ok(), "{value:?}");
                Self(value)
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: &'a str) -> Result<Self, Self::Error> {
                Self::validate(value)?;
                Ok(Self(std::borrow::Cow::Borrowed(value)))
            }
        }

        impl TryFrom<String> for $name<'static> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::validate(&value)?;
                Ok(Self(std::borrow::Cow::Owned(value)))
            }
        }

        impl<'a> TryFrom<std::borrow::Cow<'a, str>> for $name<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: std::borrow::Cow<'a, str>) -> Result<Self, Self::Error> {
                Self::validate(value.as_bytes())?;
                Ok(Self(value))
            }
        }

        impl<'a> TryFrom<&'a [u8]> for $name<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: &'a [u8]) -> Result<Self, Self::Error> {
                Self::validate(value)?;
                let value = std::str::from_utf8(value)
                    .map_err(|_| $crate::error::ValidationError::not_utf8())?;
                Ok(Self(std::borrow::Cow::Borrowed(value)))
            }
        }

        impl TryFrom<Vec<u8>> for $name<'static> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: Vec<u8>) -> Result<Self, Self::Error> {
                Self::validate(&value)?;
                let value = String::from_utf8(value)
                    .map_err(|_| $crate::error::ValidationError::not_utf8())?;
                Ok(Self(std::borrow::Cow::Owned(value)))
            }
        }

        impl AsRef<str> for $name<'_> {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        #[cfg(feature = "arbitrary")]
        impl<'a> arbitrary::Arbitrary<'a> for $name<'static> {
            fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
                let alphabet: &[u8] = $alphabet;
                let len = u.int_in_range(1..=24)?;
                let mut value = String::with_capacity(len);
                for _ in 0..len {
                    value.push(char::from(*u.choose(alphabet)?));
                }
                Ok(Self::try_from(value).unwrap_or_else(|_| Self::unvalidated($fallback)))
            }
        }
    };
}

pub(crate) use str_newtype;

/// Printable ASCII without space (`%x21-7E`), the alphabet of most POP3 arguments.
#[cfg(feature = "arbitrary")]
pub(crate) const PRINTABLE: &[u8] =
    b"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Every newtype from any Unicode: no panic; an accepted value is the input,
        /// within its limit, and free of the octets that would end or split a line.
        #[test]
        fn unicode_values(
            text in prop_oneof![
                any::<String>(),
                "\\PC{0,40}",
                "<([0-9.@a-z]|\\PC){0,12}>",
                "([A-Z/-]|\\PC){0,12}",
                "\\PC{250,300}",
            ],
        ) {
            fn kept(value: &str, text: &str, max: usize) -> Result<(), TestCaseError> {
                prop_assert_eq!(value, text);
                prop_assert!(value.len() <= max);
                prop_assert!(!value.contains(['\0', '\r', '\n']));
                Ok(())
            }
            if let Ok(value) = Text::try_from(text.as_str()) {
                kept(value.as_str(), &text, Text::MAX_LEN)?;
                prop_assert!(!text.starts_with('['));
            }
            if let Ok(value) = UserName::try_from(text.as_str()) {
                kept(value.as_str(), &text, UserName::MAX_LEN)?;
                prop_assert!(!text.contains(' '));
            }
            if let Ok(value) = Password::try_from(text.as_str()) {
                prop_assert_eq!(value.declassify(), text.as_bytes());
                prop_assert!(value.declassify().len() <= Password::MAX_LEN);
            }
            if let Ok(value) = ApopTimestamp::try_from(text.as_str()) {
                kept(value.as_str(), &text, ApopTimestamp::MAX_LEN)?;
                prop_assert!(value.verify(b"secret", &value.digest(b"secret")));
            }
            if let Ok(value) = ResponseCode::try_from(text.as_str()) {
                kept(value.as_str(), &text, ResponseCode::MAX_LEN)?;
                prop_assert!(value.levels().all(|level| !level.is_empty()));
            }
            for value in [
                Mechanism::try_from(text.as_str()).map(|v| v.as_str().to_owned()),
                UniqueId::try_from(text.as_str()).map(|v| v.as_str().to_owned()),
            ]
            .into_iter()
            .flatten()
            {
                prop_assert_eq!(&value, &text);
                prop_assert!(value.is_ascii());
            }
            if let Ok(capability) = Capability::implementation(&text) {
                let printed = capability.to_string();
                prop_assert!(!printed.contains(['\r', '\n']));
                prop_assert_eq!(crate::codec::parse::capability(printed.as_bytes()), Ok(capability));
            }
            let _ = ApopDigest::from_hex(text.as_bytes());
        }
    }
}
