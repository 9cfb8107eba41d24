//! SASL mechanism names.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::types::string_newtype;

/// A SASL mechanism name, [RFC 4422 section 3.1](https://www.rfc-editor.org/rfc/rfc4422#section-3.1)
/// as used by `AUTH` ([RFC 4954](https://www.rfc-editor.org/rfc/rfc4954)): an open
/// registry with the common names as consts. Compared case-insensitively.
///
/// ```text
/// sasl-mech    = 1*20mech-char
/// mech-char    = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
/// ```
///
/// Lower-case letters are accepted on input (clients send `auth plain`).
///
/// ```
/// use mailwright_smtp::Mechanism;
///
/// assert_eq!(Mechanism::try_from("plain")?, Mechanism::PLAIN);
/// assert!(Mechanism::try_from("NOT A MECH").is_err());
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Eq)]
pub struct Mechanism<'a>(pub(crate) Cow<'a, str>);

string_newtype!(Mechanism);

impl Mechanism<'_> {
    /// `PLAIN` ([RFC 4616](https://www.rfc-editor.org/rfc/rfc4616)); the session
    /// handles its exchange.
    pub const PLAIN: Mechanism<'static> = Mechanism(Cow::Borrowed("PLAIN"));
    /// `LOGIN` (draft-murchison-sasl-login); the session handles its exchange.
    pub const LOGIN: Mechanism<'static> = Mechanism(Cow::Borrowed("LOGIN"));
    /// `CRAM-MD5` ([RFC 2195](https://www.rfc-editor.org/rfc/rfc2195)).
    pub const CRAM_MD5: Mechanism<'static> = Mechanism(Cow::Borrowed("CRAM-MD5"));
    /// `SCRAM-SHA-256` ([RFC 7677](https://www.rfc-editor.org/rfc/rfc7677)).
    pub const SCRAM_SHA_256: Mechanism<'static> = Mechanism(Cow::Borrowed("SCRAM-SHA-256"));
    /// `XOAUTH2`.
    pub const XOAUTH2: Mechanism<'static> = Mechanism(Cow::Borrowed("XOAUTH2"));
    /// `EXTERNAL` ([RFC 4422 appendix A](https://www.rfc-editor.org/rfc/rfc4422#appendix-A)).
    pub const EXTERNAL: Mechanism<'static> = Mechanism(Cow::Borrowed("EXTERNAL"));

    /// The longest name, in characters.
    pub const MAX_LEN: usize = 20;

    /// Checks `value` against the grammar (lower case allowed).
    ///
    /// # Errors
    ///
    /// When `value` is empty, longer than 20 characters, or holds another character.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        if value.is_empty() {
            return Err(ValidationError::empty("mechanism"));
        }
        if value.len() > Self::MAX_LEN {
            return Err(ValidationError::too_long("mechanism", Self::MAX_LEN));
        }
        match value
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            None => Ok(()),
            Some(at) => Err(ValidationError::byte("mechanism", value[at], at)),
        }
    }
}

impl PartialEq for Mechanism<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for Mechanism<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_uppercase());
        }
    }
}
