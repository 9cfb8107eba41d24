//! The tag=value list shared by DKIM-Signature header fields and key records
//! (RFC 6376 §3.2).

/// Why a tag-list does not parse.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TagListError {
    /// A tag-spec without `=`, with an invalid name, or an empty one between `;`s.
    #[error("malformed tag-spec")]
    MalformedTag,
    /// A byte outside VALCHAR and whitespace in a value.
    #[error("invalid character in tag value")]
    InvalidCharacter,
    /// The same tag twice (RFC 6376 §3.2: the whole list is then invalid).
    #[error("duplicate tag")]
    DuplicateTag,
}

/// Splits a tag-list into (name, value) pairs, values with surrounding whitespace
/// removed (inner folding whitespace is kept; base64 values drop it when decoded).
///
/// ```text
/// tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
/// tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
/// tag-name  =  ALPHA *ALNUMPUNC          ; ALNUMPUNC = ALPHA / DIGIT / "_"
/// tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
/// tval      =  1*VALCHAR                 ; VALCHAR = %x21-3A / %x3C-7E
/// ```
pub(crate) fn tag_list(text: &[u8]) -> Result<Vec<(&str, &str)>, TagListError> {
    let text = std::str::from_utf8(text).map_err(|_| TagListError::InvalidCharacter)?;
    let segments: Vec<&str> = text.split(';').collect();
    let mut tags: Vec<(&str, &str)> = Vec::with_capacity(segments.len());
    for (index, segment) in segments.iter().enumerate() {
        let segment = segment.trim_matches(is_fws);
        if segment.is_empty() {
            if index + 1 == segments.len() && index > 0 {
                break; // the optional final ";"
            }
            return Err(TagListError::MalformedTag);
        }
        let (name, value) = segment.split_once('=').ok_or(TagListError::MalformedTag)?;
        let name = name.trim_matches(is_fws);
        let value = value.trim_matches(is_fws);
        let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_name {
            return Err(TagListError::MalformedTag);
        }
        if !value
            .bytes()
            .all(|b| matches!(b, 0x21..=0x3a | 0x3c..=0x7e) || is_fws(char::from(b)))
        {
            return Err(TagListError::InvalidCharacter);
        }
        if tags.iter().any(|(n, _)| *n == name) {
            return Err(TagListError::DuplicateTag);
        }
        tags.push((name, value));
    }
    Ok(tags)
}

/// Folding whitespace characters: SP, HTAB, CR, LF.
pub(crate) fn is_fws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// A value with every whitespace character removed (base64 values, RFC 6376 §3.5).
pub(crate) fn without_fws(value: &str) -> String {
    value.chars().filter(|&c| !is_fws(c)).collect()
}

/// Splits a colon-separated list, trimming whitespace around items.
pub(crate) fn colon_list(value: &str) -> impl Iterator<Item = &str> {
    value.split(':').map(|item| item.trim_matches(is_fws))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn tag_lists() {
        assert_eq!(
            tag_list(b" v = 1 ;a=rsa-sha256;\r\n\tb=ab\r\n cd ;").unwrap(),
            [("v", "1"), ("a", "rsa-sha256"), ("b", "ab\r\n cd")]
        );
        assert_eq!(tag_list(b"k=").unwrap(), [("k", "")]);
        assert_eq!(tag_list(b"v=1; v=1"), Err(TagListError::DuplicateTag));
        assert_eq!(tag_list(b"v=1;;a=b"), Err(TagListError::MalformedTag));
        assert_eq!(tag_list(b";"), Err(TagListError::MalformedTag));
        assert_eq!(tag_list(b"1v=1"), Err(TagListError::MalformedTag));
        assert_eq!(tag_list(b"v"), Err(TagListError::MalformedTag));
        assert_eq!(tag_list(b"v=\xff"), Err(TagListError::InvalidCharacter));
        assert_eq!(without_fws("ab\r\n cd\t"), "abcd");
    }

    /// Tag-list syntax mixed with multi-byte characters.
    fn tag_piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(";".to_owned()),
            Just("=".to_owned()),
            Just(" ".to_owned()),
            Just("\r\n\t".to_owned()),
            Just(":".to_owned()),
            "[a-z][a-z0-9_]{0,4}",
            "[!-:<-~]{1,8}",
            Just("Jöhn".to_owned()),
            Just("日本語の件名テスト #2".to_owned()),
            Just("bücher.test".to_owned()),
            "\\PC{1,4}",
        ]
    }

    proptest! {
        #[test]
        fn unicode_tag_lists_never_panic(
            pieces in proptest::collection::vec(tag_piece(), 0..16),
            text in any::<String>(),
        ) {
            for input in [pieces.concat(), text] {
                if let Ok(tags) = tag_list(input.as_bytes()) {
                    // Names and values are ASCII: UTF-8 anywhere refuses the list.
                    prop_assert!(input.is_ascii(), "{:?}", input);
                    for (i, (name, value)) in tags.iter().enumerate() {
                        prop_assert!(!name.is_empty() && !value.contains(';'));
                        prop_assert!(!value.starts_with(is_fws) && !value.ends_with(is_fws));
                        prop_assert!(tags[..i].iter().all(|(n, _)| n != name));
                    }
                }
                for item in colon_list(&input) {
                    prop_assert!(!item.contains(':'));
                }
                prop_assert!(!without_fws(&input).contains(is_fws));
            }
        }
    }
}
