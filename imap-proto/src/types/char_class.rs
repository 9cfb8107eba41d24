//! Character classes of the IMAP grammar (RFC 9051 section 9), as lookup tables.
//!
//! ```text
//! ATOM-CHAR       = <any CHAR except atom-specials>
//! atom-specials   = "(" / ")" / "{" / SP / CTL / list-wildcards /
//!                   quoted-specials / resp-specials
//! list-wildcards  = "%" / "*"
//! quoted-specials = DQUOTE / "\"
//! resp-specials   = "]"
//! ASTRING-CHAR    = ATOM-CHAR / resp-specials
//! TEXT-CHAR       = <any CHAR except CR and LF>
//! CHAR8           = %x01-ff
//! list-char       = ATOM-CHAR / list-wildcards / resp-specials
//! ```

const ATOM: u8 = 1;
const ASTRING: u8 = 2;
const TAG: u8 = 4;
const TEXT: u8 = 8;
const QUOTED: u8 = 16;
const LIST: u8 = 32;

const fn build() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 1usize;
    while b < 0x80 {
        let c = b as u8;
        let ctl = c < 0x20 || c == 0x7f;
        let special = matches!(
            c,
            b'(' | b')' | b'{' | b' ' | b'%' | b'*' | b'"' | b'\\' | b']'
        );
        let mut class = 0;
        if !ctl && !special {
            class |= ATOM | ASTRING | LIST;
            if c != b'+' {
                class |= TAG;
            }
        }
        if c == b']' {
            class |= ASTRING | TAG | LIST;
        }
        if c == b'%' || c == b'*' {
            class |= LIST;
        }
        if c != b'\r' && c != b'\n' {
            class |= TEXT;
            if c != b'"' && c != b'\\' {
                class |= QUOTED;
            }
        }
        table[b] = class;
        b += 1;
    }
    table
}

static TABLE: [u8; 256] = build();

/// `ATOM-CHAR`.
#[inline]
pub(crate) fn is_atom_char(b: u8) -> bool {
    TABLE[b as usize] & ATOM != 0
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials`.
#[inline]
pub(crate) fn is_astring_char(b: u8) -> bool {
    TABLE[b as usize] & ASTRING != 0
}

/// `<any ASTRING-CHAR except "+">`, the characters of a tag.
#[inline]
pub(crate) fn is_tag_char(b: u8) -> bool {
    TABLE[b as usize] & TAG != 0
}

/// `TEXT-CHAR = <any CHAR except CR and LF>` (7-bit; UTF-8 is checked separately).
#[inline]
pub(crate) fn is_text_char(b: u8) -> bool {
    TABLE[b as usize] & TEXT != 0
}

/// `<any TEXT-CHAR except quoted-specials>`: may appear unescaped inside a quoted string.
#[inline]
pub(crate) fn is_quoted_plain(b: u8) -> bool {
    TABLE[b as usize] & QUOTED != 0
}

/// `list-char = ATOM-CHAR / list-wildcards / resp-specials`.
#[inline]
pub(crate) fn is_list_char(b: u8) -> bool {
    TABLE[b as usize] & LIST != 0
}

/// `quoted-specials = DQUOTE / "\"`.
#[inline]
pub(crate) fn is_quoted_special(b: u8) -> bool {
    b == b'"' || b == b'\\'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_abnf() {
        for b in [b'a', b'Z', b'0', b'.', b'-', b'+', b'!', b'$', b'&', b'~'] {
            assert!(is_atom_char(b), "{}", b as char);
        }
        for b in [
            b'(', b')', b'{', b' ', b'%', b'*', b'"', b'\\', b']', 0, 0x7f, 0x80, b'\r',
        ] {
            assert!(!is_atom_char(b), "{b:#x}");
        }
        assert!(is_astring_char(b']') && !is_astring_char(b'{'));
        assert!(is_tag_char(b']') && !is_tag_char(b'+') && !is_tag_char(b'*'));
        assert!(is_text_char(b'"') && !is_text_char(b'\r') && !is_text_char(0));
        assert!(!is_quoted_plain(b'"') && !is_quoted_plain(b'\\') && is_quoted_plain(b' '));
        assert!(is_list_char(b'%') && is_list_char(b'*') && is_list_char(b']'));
        assert!(!is_list_char(b' ') && is_quoted_special(b'"'));
    }
}
