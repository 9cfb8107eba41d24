//! A wrapper that keeps secrets out of logs.

use std::fmt;

/// A value that must not appear in logs or `Debug` output: a password, a SASL
/// response, a token.
///
/// `Debug` prints `/* REDACTED */`; reach the value with [`Secret::declassify`], whose
/// name makes every read visible in review. `Secret` only hides; wiping the memory is
/// the job of the value inside: an owned secret is kept as
/// [`zeroize::Zeroizing`]`<String>` (or `<Vec<u8>>`), which zeroizes it on drop, while
/// a borrowed one (a parser's view into its input buffer) leaves that to the buffer's
/// owner.
///
/// ```
/// use mailwright_base::Secret;
/// use zeroize::Zeroizing;
///
/// let password = Secret::new(Zeroizing::new(String::from("tanstaaf")));
/// assert_eq!(format!("{password:?}"), "/* REDACTED */");
/// assert_eq!(password.declassify().as_str(), "tanstaaf");
/// ```
#[derive(Clone, Copy, Default, Eq, Hash, PartialEq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub const fn new(inner: T) -> Self {
        Self(inner)
    }

    /// The secret value itself.
    pub const fn declassify(&self) -> &T {
        &self.0
    }

    /// The secret value, to change it in place.
    pub fn declassify_mut(&mut self) -> &mut T {
        &mut self.0
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

impl<T: zeroize::Zeroize> zeroize::Zeroize for Secret<T> {
    fn zeroize(&mut self) {
        self.0.zeroize();
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
    use zeroize::Zeroize;

    use super::Secret;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::new("tanstaaf");
        assert_eq!(format!("{secret:?}"), "/* REDACTED */");
        assert_eq!(format!("{:?}", Some(secret)), "Some(/* REDACTED */)");
        assert_eq!(*secret.declassify(), "tanstaaf");
    }

    #[test]
    fn zeroizes_what_it_holds() {
        let mut secret = Secret::new(b"tanstaaf".to_vec());
        secret.zeroize();
        assert!(secret.declassify().is_empty());
        assert_eq!(secret.into_declassified(), Vec::<u8>::new());
    }
}
