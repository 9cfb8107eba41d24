//! A wrapper that keeps secrets out of logs.

use std::fmt;

use zeroize::Zeroize;

/// A secret value (a password, SASL data) whose `Debug` output is redacted and whose
/// memory is zeroized on drop.
///
/// Read it with [`Secret::declassify`]; the name makes each read visible in review.
///
/// ```
/// use smtp_proto::Secret;
///
/// let password = Secret::new(String::from("tanstaaf"));
/// assert_eq!(format!("{password:?}"), "/* REDACTED */");
/// assert_eq!(password.declassify(), "tanstaaf");
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    /// Wraps a secret value.
    pub const fn new(inner: T) -> Self {
        Self(inner)
    }

    /// The secret value itself.
    pub fn declassify(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(inner: T) -> Self {
        Self(inner)
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("/* REDACTED */")
    }
}
