//! The command tag.

use crate::error::ValidationError;
use crate::types::char_class::is_tag_char;
use crate::types::newtype::str_newtype;

str_newtype!(
    /// The tag a client puts before each command and the server repeats in the
    /// command's completion (RFC 9051 section 2.2.1).
    ///
    /// ```text
    /// tag = 1*<any ASTRING-CHAR except "+">
    /// ```
    ///
    /// ```
    /// use mailwright_imap::types::Tag;
    /// assert!(Tag::try_from("A001").is_ok());
    /// assert!(Tag::try_from("A+1").is_err());
    /// assert!(Tag::try_from("").is_err());
    /// ```
    Tag,
    check_tag
);

fn check_tag(bytes: &[u8]) -> Result<(), ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::empty());
    }
    match bytes.iter().position(|&b| !is_tag_char(b)) {
        Some(at) => Err(ValidationError::byte(bytes[at], at)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for ok in ["a", "A001", "x]y", "1.2-3"] {
            assert!(Tag::try_from(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a+", "*", "a\"", "a{", "a\r"] {
            assert!(Tag::try_from(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Tag::validate("ab+").unwrap_err().position(),
            Some(2),
            "points at the plus"
        );
        assert_eq!(format!("{:?}", Tag::try_from("a1").unwrap()), "Tag(\"a1\")");
    }
}
