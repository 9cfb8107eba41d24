//! Atoms: `atom` and the wider `1*ASTRING-CHAR` form of an astring.

use crate::error::ValidationError;
use crate::types::char_class::{is_astring_char, is_atom_char};
use crate::types::newtype::str_newtype;

str_newtype!(
    /// An atom (RFC 9051 section 4.1): keywords, flag names, capability names.
    ///
    /// ```text
    /// atom = 1*ATOM-CHAR
    /// ```
    ///
    /// ```
    /// use mailwright_imap::types::Atom;
    /// assert!(Atom::try_from("FLAGS").is_ok());
    /// assert!(Atom::try_from("BODY[]").is_err());
    /// ```
    Atom,
    check_atom
);

str_newtype!(
    /// The atom-like form of an astring, which also allows `]` (RFC 9051 section 9).
    ///
    /// ```text
    /// astring = 1*ASTRING-CHAR / string
    /// ```
    AtomExt,
    check_atom_ext
);

pub(crate) fn check_atom(bytes: &[u8]) -> Result<(), ValidationError> {
    check_class(bytes, is_atom_char)
}

pub(crate) fn check_atom_ext(bytes: &[u8]) -> Result<(), ValidationError> {
    check_class(bytes, is_astring_char)
}

fn check_class(bytes: &[u8], class: fn(u8) -> bool) -> Result<(), ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::empty());
    }
    match bytes.iter().position(|&b| !class(b)) {
        Some(at) => Err(ValidationError::byte(bytes[at], at)),
        None => Ok(()),
    }
}

impl<'a> From<Atom<'a>> for AtomExt<'a> {
    fn from(atom: Atom<'a>) -> Self {
        AtomExt::unvalidated(atom.into_inner())
    }
}

impl Atom<'_> {
    /// Compares with an ASCII keyword, ignoring case (IMAP keywords are case-insensitive).
    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms() {
        for ok in ["a", "FLAGS", "$Forwarded", "1.2", "a+b"] {
            assert!(Atom::try_from(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a b", "(a", "a]", "a*", "a%", "a\"", "a\\", "a{", "\u{e9}",
        ] {
            assert!(Atom::try_from(bad).is_err(), "{bad}");
        }
        assert!(AtomExt::try_from("a]").is_ok());
        assert!(AtomExt::try_from("a[1]").is_ok());
        assert!(AtomExt::try_from("a)").is_err());
        assert!(Atom::try_from("Seen").unwrap().eq_ignore_ascii_case("SEEN"));
    }
}
