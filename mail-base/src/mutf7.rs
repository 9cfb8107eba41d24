//! Modified UTF-7 (RFC 3501 section 5.1.3), the mailbox name encoding of IMAP4rev1,
//! and the spelling of Maildir++ folder names on disk (as Dovecot writes them).
//!
//! Printable US-ASCII other than `&` stands for itself, `&` is written `&-`, and any
//! other run of characters is written as `&`, its UTF-16 code units in base64 with
//! `,` for `/` and no padding, then `-`. IMAP4rev2 and `UTF8=ACCEPT` clients use
//! UTF-8 instead (RFC 9051 section 5.1, RFC 6855).

use base64::Engine as _;
use base64::alphabet::Alphabet;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn engine() -> GeneralPurpose {
    // The alphabet above is 64 distinct printable ASCII characters, which
    // `Alphabet::new` accepts; the fallback is never taken.
    let alphabet = Alphabet::new(ALPHABET).unwrap_or(base64::alphabet::IMAP_MUTF7);
    GeneralPurpose::new(
        &alphabet,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(false),
    )
}

/// Encodes a Unicode mailbox name in modified UTF-7.
///
/// ```
/// use mailwright_base::mutf7;
/// assert_eq!(mutf7::encode("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
/// assert_eq!(mutf7::encode("a&b"), "a&-b");
/// ```
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let engine = engine();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&engine.encode(bytes));
        out.push('-');
        pending.clear();
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Text that is not strict modified UTF-7, with the byte offset where it goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not modified UTF-7 (at byte {at})")]
pub struct Mutf7Error {
    /// The offset of the offending byte or of the `&` that opens the bad shift.
    pub at: usize,
}

/// Decodes a modified UTF-7 mailbox name.
///
/// # Errors
///
/// When `name` is not strict modified UTF-7: a byte outside printable ASCII, an
/// unterminated or empty shift, bad base64, an ASCII character or a broken
/// surrogate pair inside a shift, or two adjacent shifts.
///
/// ```
/// use mailwright_base::mutf7;
/// assert_eq!(mutf7::decode("&U,BTFw-").unwrap(), "台北");
/// assert!(mutf7::decode("&Jjo!").is_err());
/// ```
pub fn decode(name: &str) -> Result<String, Mutf7Error> {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let engine = engine();
    let mut i = 0;
    let mut last_shift_end = None;
    while i < bytes.len() {
        let b = bytes[i];
        if !(0x20..=0x7e).contains(&b) {
            return Err(Mutf7Error { at: i });
        }
        if b != b'&' {
            out.push(b as char);
            i += 1;
            continue;
        }
        let start = i + 1;
        let Some(len) = bytes[start..].iter().position(|&c| c == b'-') else {
            return Err(Mutf7Error { at: i });
        };
        let end = start + len;
        if len == 0 {
            out.push('&');
        } else {
            if last_shift_end == Some(i) {
                // "&AGE-&AGE-" must have been written as one shift.
                return Err(Mutf7Error { at: i });
            }
            let raw = engine
                .decode(&bytes[start..end])
                .map_err(|_| Mutf7Error { at: start })?;
            if raw.len() % 2 != 0 {
                return Err(Mutf7Error { at: i });
            }
            let units: Vec<u16> = raw
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            let text = String::from_utf16(&units).map_err(|_| Mutf7Error { at: i })?;
            if text.chars().any(|c| (' '..='~').contains(&c)) {
                return Err(Mutf7Error { at: i });
            }
            out.push_str(&text);
            last_shift_end = Some(end + 1);
        }
        i = end + 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_examples() {
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(
            decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(encode("&"), "&-");
        assert_eq!(decode("&-").unwrap(), "&");
        assert_eq!(encode("Entw\u{fc}rfe"), "Entw&APw-rfe");
        assert_eq!(
            encode("\u{1F600}"),
            "&2D3eAA-",
            "astral plane as a surrogate pair"
        );
        assert_eq!(decode("&2D3eAA-").unwrap(), "\u{1F600}");
    }

    #[test]
    fn rejects_non_canonical() {
        for bad in [
            "&",
            "&Jjo",
            "&AGE-&AGE-",
            "&AEE-",
            "\u{e9}",
            "&2D0-",
            "&U/BTFw-",
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips() {
        for name in [
            "INBOX",
            "a&b&c",
            "Ünïcødé/日本",
            "",
            "x\u{7f}y",
            "\u{10ffff}",
        ] {
            assert_eq!(decode(&encode(name)).unwrap(), name);
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{decode, encode};

        /// Text mixing ASCII with multi-byte scripts, astral characters and marks.
        fn unicode_text(max: usize) -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    "[ -~]",
                    "[\\p{Cyrillic}\\p{Greek}\\p{Han}\\p{Emoji}\u{300}-\u{36f}]",
                    any::<char>().prop_map(String::from),
                ],
                0..max,
            )
            .prop_map(|parts| parts.concat())
        }

        /// Wire-like garbage: shifts, base64 letters of both alphabets, stray `&`
        /// and `-`, and multi-byte characters that no modified UTF-7 may hold.
        fn wire_like() -> impl Strategy<Value = String> {
            prop_oneof![
                "[&A-Za-z0-9+,/\\-]{0,24}",
                "(&[A-Za-z0-9+,]{0,12}-?|[a-z ]{0,3}|é|日|\\PC){0,6}",
                unicode_text(8),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            /// decode(encode(s)) == s for any Unicode name, and the encoding is
            /// printable US-ASCII.
            #[test]
            fn decode_inverts_encode(name in prop_oneof![any::<String>(), unicode_text(12)]) {
                let wire = encode(&name);
                prop_assert!(wire.bytes().all(|b| (0x20..=0x7e).contains(&b)), "{wire:?}");
                let back = decode(&wire);
                prop_assert_eq!(back.as_deref(), Ok(name.as_str()));
            }

            /// Any text decodes or is refused without a panic; what decodes was in
            /// the one canonical form, so it encodes back to the same bytes.
            #[test]
            fn encode_inverts_decode(wire in wire_like()) {
                if let Ok(name) = decode(&wire) {
                    prop_assert_eq!(encode(&name), wire);
                }
            }
        }
    }
}
