//! A wrapper that keeps secrets out of logs.

use std::fmt;

/// A secret value (a password, SASL data) whose `Debug` output is redacted.
///
/// Read it with [`Secret::declassify`]; the name makes each read visible in review.
/// Owned byte buffers inside the crate's credential types are zeroized on drop.
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub const fn new(inner: T) -> Self {
        Self(inner)
    }

    /// The secret value itself.
    pub fn declassify(&self) -> &T {
        &self.0
    }

    /// The secret value, consuming the wrapper.
    pub fn into_declassified(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(inner: T) -> Self {
        Self(inner)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("/* REDACTED */")
    }
}

#[cfg(feature = "arbitrary")]
impl<'a, T: arbitrary::Arbitrary<'a>> arbitrary::Arbitrary<'a> for Secret<T> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        T::arbitrary(u).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::new("tanstaaf");
        assert_eq!(format!("{secret:?}"), "/* REDACTED */");
        assert_eq!(*secret.declassify(), "tanstaaf");
    }
}
