//! A wrapper that keeps secrets out of logs.

use std::fmt;

/// A value that must not appear in logs or `Debug` output: passwords, SASL data.
///
/// `Debug` prints `Secret(..)`; reach the value with [`Secret::declassify`], whose
/// name makes every use visible in review.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value.
    pub fn declassify(&self) -> &T {
        &self.0
    }

    /// The secret value, taken out.
    pub fn into_declassified(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(..)");
        assert_eq!(*s.declassify(), "hunter2");
    }
}
