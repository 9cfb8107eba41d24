//! The shape of open, case-insensitive protocol registries (flags, mailbox
//! attributes, capabilities, SASL mechanisms): a validated string newtype with
//! associated constants for the known values; unknown values are kept as sent.

/// Defines a case-insensitive registry newtype over `Cow<'a, str>`.
macro_rules! registry_newtype {
    (
        $(#[$meta:meta])* $name:ident, $check:path,
        { $( $(#[$cmeta:meta])* $const:ident = $value:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name<'a>(std::borrow::Cow<'a, str>);

        impl $name<'static> {
            $(
                $(#[$cmeta])*
                pub const $const: $name<'static> = $name(std::borrow::Cow::Borrowed($value));
            )*

            /// Every value this crate names, in declaration order.
            pub const KNOWN: &'static [$name<'static>] = &[$(Self::$const),*];
        }

        impl<'a> $name<'a> {
            /// Checks that `value` is valid for this type without building it.
            ///
            /// # Errors
            ///
            /// Says which byte at which index breaks the grammar.
            pub fn validate(value: impl AsRef<[u8]>) -> Result<(), $crate::error::ValidationError> {
                $check(value.as_ref())
            }

            #[allow(dead_code, reason = "not every registry is built unchecked by a parser")]
            pub(crate) fn unvalidated(value: impl Into<std::borrow::Cow<'a, str>>) -> Self {
                let value = value.into();
                debug_assert!(Self::validate(value.as_bytes()).is_ok(), "{value:?}");
                Self(value)
            }

            /// The value as sent or as named here.
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

            /// Whether this is one of the values this crate names.
            pub fn is_known(&self) -> bool {
                $name::KNOWN.iter().any(|known| known == self)
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

        impl PartialEq for $name<'_> {
            fn eq(&self, other: &Self) -> bool {
                self.0.eq_ignore_ascii_case(&other.0)
            }
        }

        impl Eq for $name<'_> {}

        impl std::hash::Hash for $name<'_> {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                for b in self.0.bytes() {
                    state.write_u8(b.to_ascii_lowercase());
                }
                state.write_u8(0xff);
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
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

pub(crate) use registry_newtype;
