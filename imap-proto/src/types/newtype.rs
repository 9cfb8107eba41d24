//! The shape shared by the validated string newtypes ([`Tag`](super::Tag),
//! [`Atom`](super::Atom), [`Quoted`](super::Quoted), ...): a private `Cow<'a, str>`,
//! `validate`, `TryFrom` from the usual string and byte types, `as_str`,
//! `into_inner`, `into_owned`, `Display`, a compact `Debug` and `AsRef<str>`.

/// Defines a validated newtype over `Cow<'a, str>`.
///
/// `$check` is a `fn(&[u8]) -> Result<(), ValidationError>` that the bytes must pass;
/// when it passes, the bytes are known to be UTF-8 only if `$check` says so, so the
/// conversion from bytes checks UTF-8 as well.
macro_rules! str_newtype {
    ($(#[$meta:meta])* $name:ident, $check:path) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<'a>(std::borrow::Cow<'a, str>);

        impl<'a> $name<'a> {
            /// Checks that `value` is valid for this type without building it.
            ///
            /// # Errors
            ///
            /// Says which byte at which index breaks the grammar.
            pub fn validate(value: impl AsRef<[u8]>) -> Result<(), $crate::error::ValidationError> {
                let bytes = value.as_ref();
                $check(bytes)?;
                std::str::from_utf8(bytes)?;
                Ok(())
            }

            /// Builds the value without validation; validated under `debug_assertions`.
            #[allow(dead_code, reason = "not every newtype is built unchecked by a parser")]
            pub(crate) fn unvalidated(value: impl Into<std::borrow::Cow<'a, str>>) -> Self {
                let value = value.into();
                debug_assert!(Self::validate(value.as_bytes()).is_ok(), "{value:?}");
                Self(value)
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The inner string.
            pub fn into_inner(self) -> std::borrow::Cow<'a, str> {
                self.0
            }

            /// Detaches the value from the buffer it borrows from.
            pub fn into_owned(self) -> $name<'static> {
                $name(std::borrow::Cow::Owned(self.0.into_owned()))
            }

            /// Borrows the value with a shorter lifetime, without copying.
            pub fn borrowed(&self) -> $name<'_> {
                $name(std::borrow::Cow::Borrowed(&self.0))
            }
        }

        #[cfg(feature = "arbitrary")]
        impl<'a> arbitrary::Arbitrary<'a> for $name<'a> {
            fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
                let text: &'a str = u.arbitrary()?;
                Self::try_from(text).map_err(|_| arbitrary::Error::IncorrectFormat)
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: &'a str) -> Result<Self, Self::Error> {
                $check(value.as_bytes())?;
                Ok(Self(std::borrow::Cow::Borrowed(value)))
            }
        }

        impl TryFrom<String> for $name<'_> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                $check(value.as_bytes())?;
                Ok(Self(std::borrow::Cow::Owned(value)))
            }
        }

        impl<'a> TryFrom<std::borrow::Cow<'a, str>> for $name<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: std::borrow::Cow<'a, str>) -> Result<Self, Self::Error> {
                $check(value.as_bytes())?;
                Ok(Self(value))
            }
        }

        impl<'a> TryFrom<&'a [u8]> for $name<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: &'a [u8]) -> Result<Self, Self::Error> {
                $check(value)?;
                Ok(Self(std::borrow::Cow::Borrowed(std::str::from_utf8(value)?)))
            }
        }

        impl TryFrom<Vec<u8>> for $name<'_> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: Vec<u8>) -> Result<Self, Self::Error> {
                $check(&value)?;
                let text = String::from_utf8(value).map_err(|err| err.utf8_error())?;
                Ok(Self(std::borrow::Cow::Owned(text)))
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
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

pub(crate) use str_newtype;
