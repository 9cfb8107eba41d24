//! Validated protocol values, one per file.
//!
//! Each newtype checks its ABNF on construction (`TryFrom` from `&str`, `String`,
//! `&[u8]`, `Vec<u8>` and `Cow<str>`, or `validate` alone), so a value that exists is
//! valid and encodes without failure. Borrowed forms (`Domain<'a>`) come out of the
//! parsers without copying; `into_owned()` makes them `'static`. Open registries (reply
//! codes, enhanced status codes, EHLO keywords, SASL mechanisms) keep unknown values
//! and name the known ones as associated consts.

mod address_literal;
mod capabilities;
pub(crate) mod domain;
mod dsn;
mod enhanced_code;
mod envelope;
mod host;
pub(crate) mod local_part;
mod mailbox;
mod mechanism;
pub(crate) mod parameter;
mod path;
mod reply_code;
mod sasl;
mod text;
mod xtext;

pub use address_literal::AddressLiteral;
pub use capabilities::{Capabilities, EhloKeyword, Extension};
pub use domain::Domain;
pub use dsn::{EnvId, Notify, Orcpt, Ret};
pub use enhanced_code::EnhancedStatusCode;
pub use envelope::{Envelope, Recipient};
pub use host::Host;
pub use local_part::LocalPart;
pub use mailbox::Mailbox;
pub use mailwright_base::Secret;
pub use mechanism::Mechanism;
pub use parameter::{BodyType, EsmtpKeyword, EsmtpParameter, EsmtpValue};
pub use path::{ForwardPath, ReversePath};
pub use reply_code::{ReplyClass, ReplyCode};
pub use sasl::SaslResponse;
pub use text::{Argument, Text};
pub use xtext::XText;

/// Implements the common surface of a validated string newtype `$ty<'a>(Cow<'a, str>)`
/// whose `validate(&[u8])` checks UTF-8 and the grammar: accessors, `TryFrom` from the
/// usual string and byte types, `Display`, `AsRef<str>` and a compact `Debug`.
macro_rules! string_newtype {
    ($ty:ident) => {
        impl<'a> $ty<'a> {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The inner string.
            pub fn into_inner(self) -> std::borrow::Cow<'a, str> {
                self.0
            }

            /// An owned copy that no longer borrows the input.
            pub fn into_owned(self) -> $ty<'static> {
                $ty(std::borrow::Cow::Owned(self.0.into_owned()))
            }

            /// A value known to be valid; checked again in debug builds.
            #[allow(dead_code, reason = "not every newtype needs an unchecked constructor")]
            pub(crate) fn unvalidated(value: impl Into<std::borrow::Cow<'a, str>>) -> Self {
                let value = value.into();
                debug_assert!(
                    Self::validate(value.as_bytes()).is_ok(),
                    "{value:?} is not a valid {}",
                    stringify!($ty)
                );
                Self(value)
            }
        }

        impl<'a> TryFrom<&'a str> for $ty<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: &'a str) -> Result<Self, Self::Error> {
                Self::validate(value.as_bytes())?;
                Ok(Self(std::borrow::Cow::Borrowed(value)))
            }
        }

        impl TryFrom<String> for $ty<'static> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::validate(value.as_bytes())?;
                Ok(Self(std::borrow::Cow::Owned(value)))
            }
        }

        impl<'a> TryFrom<std::borrow::Cow<'a, str>> for $ty<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: std::borrow::Cow<'a, str>) -> Result<Self, Self::Error> {
                Self::validate(value.as_bytes())?;
                Ok(Self(value))
            }
        }

        impl<'a> TryFrom<&'a [u8]> for $ty<'a> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: &'a [u8]) -> Result<Self, Self::Error> {
                Self::validate(value)?;
                let text = std::str::from_utf8(value).map_err(|err| {
                    $crate::error::ValidationError::byte(
                        stringify!($ty),
                        value[err.valid_up_to()],
                        err.valid_up_to(),
                    )
                })?;
                Ok(Self(std::borrow::Cow::Borrowed(text)))
            }
        }

        impl TryFrom<Vec<u8>> for $ty<'static> {
            type Error = $crate::error::ValidationError;

            fn try_from(value: Vec<u8>) -> Result<Self, Self::Error> {
                Self::validate(&value)?;
                let text = String::from_utf8(value).map_err(|err| {
                    let at = err.utf8_error().valid_up_to();
                    $crate::error::ValidationError::byte(stringify!($ty), err.as_bytes()[at], at)
                })?;
                Ok(Self(std::borrow::Cow::Owned(text)))
            }
        }

        impl AsRef<str> for $ty<'_> {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $ty<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($ty), self.0)
            }
        }
    };
}
pub(crate) use string_newtype;

/// Checks that `value` is UTF-8, reporting the first bad byte for `what`.
pub(crate) fn utf8<'v>(
    what: &'static str,
    value: &'v [u8],
) -> Result<&'v str, crate::error::ValidationError> {
    std::str::from_utf8(value).map_err(|err| {
        crate::error::ValidationError::byte(what, value[err.valid_up_to()], err.valid_up_to())
    })
}
