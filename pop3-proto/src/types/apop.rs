//! The APOP greeting timestamp and digest (RFC 1939 section 7).

use std::borrow::Cow;
use std::fmt;

use md5::{Digest, Md5};

use crate::error::ValidationError;
use crate::types::{str_newtype, validate_bytes};

/// The timestamp a server puts in its greeting when it offers `APOP`.
///
/// [RFC 1939 section 7](https://www.rfc-editor.org/rfc/rfc1939#section-7): "the syntax
/// of a msg-id as in RFC 822", unique for each greeting, such as
/// `<1896.697170952@dbc.mit.edu>`. This crate accepts:
///
/// ```text
/// timestamp = "<" 1*253(%x21-3B / %x3D / %x3F-7E) ">"   ; printable, no "<" ">"
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct ApopTimestamp<'a>(Cow<'a, str>);

impl ApopTimestamp<'_> {
    /// The longest timestamp, brackets included, in octets.
    pub const MAX_LEN: usize = 255;

    /// Checks that `value` is a valid timestamp, brackets included.
    ///
    /// # Errors
    ///
    /// Missing brackets, an inner `<`/`>`, a space or control character, or too long.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        validate_bytes(value, Self::MAX_LEN, |byte| (0x21..=0x7e).contains(&byte))?;
        let last = value.len() - 1;
        if value[0] != b'<' {
            return Err(ValidationError::invalid_byte(value[0], 0));
        }
        if last == 0 || value[last] != b'>' {
            return Err(ValidationError::invalid_byte(value[last], last));
        }
        match value[1..last]
            .iter()
            .position(|&byte| byte == b'<' || byte == b'>')
        {
            Some(at) => Err(ValidationError::invalid_byte(value[at + 1], at + 1)),
            None if last == 1 => Err(ValidationError::empty()),
            None => Ok(()),
        }
    }

    /// The digest a client sends for this timestamp and the shared `secret`:
    /// MD5(timestamp || secret).
    pub fn digest(&self, secret: &[u8]) -> ApopDigest {
        let mut md5 = Md5::new();
        md5.update(self.0.as_bytes());
        md5.update(secret);
        ApopDigest(md5.finalize().into())
    }

    /// Whether `digest` is the one for this timestamp and `secret`, compared in constant
    /// time.
    pub fn verify(&self, secret: &[u8], digest: &ApopDigest) -> bool {
        let expected = self.digest(secret);
        expected
            .0
            .iter()
            .zip(digest.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

str_newtype!(
    ApopTimestamp,
    alphabet = b"<>0123456789.@abcdefghij",
    fallback = "<1.2@example>"
);

/// The 16-octet MD5 digest of `APOP`, sent as 32 lower-case hex digits.
///
/// [RFC 1939 section 7](https://www.rfc-editor.org/rfc/rfc1939#section-7):
///
/// ```text
/// digest = 32(DIGIT / %x61-66)   ; lower-case hex; upper case is accepted on input
/// ```
#[derive(Clone, Copy, Eq, Hash, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ApopDigest([u8; 16]);

impl ApopDigest {
    /// The digest with these 16 octets.
    pub const fn new(octets: [u8; 16]) -> Self {
        Self(octets)
    }

    /// Parses 32 hex digits (either case).
    ///
    /// # Errors
    ///
    /// Not exactly 32 hex digits.
    pub fn from_hex(hex: impl AsRef<[u8]>) -> Result<Self, ValidationError> {
        let hex = hex.as_ref();
        if hex.len() != 32 {
            return Err(match hex.len() {
                0 => ValidationError::empty(),
                _ => ValidationError::too_long(32),
            });
        }
        let mut octets = [0u8; 16];
        for (at, pair) in hex.chunks_exact(2).enumerate() {
            let high =
                hex_value(pair[0]).ok_or_else(|| ValidationError::invalid_byte(pair[0], 2 * at))?;
            let low = hex_value(pair[1])
                .ok_or_else(|| ValidationError::invalid_byte(pair[1], 2 * at + 1))?;
            octets[at] = (high << 4) | low;
        }
        Ok(Self(octets))
    }

    /// The 16 octets.
    pub const fn octets(&self) -> [u8; 16] {
        self.0
    }

    /// The 32 lower-case hex digits.
    pub fn to_hex(&self) -> [u8; 32] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 32];
        for (at, octet) in self.0.iter().enumerate() {
            hex[2 * at] = DIGITS[usize::from(octet >> 4)];
            hex[2 * at + 1] = DIGITS[usize::from(octet & 0x0f)];
        }
        hex
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for octet in self.0 {
            write!(f, "{octet:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApopDigest({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1939 section 7: the APOP example's inputs. The RFC prints the digest
    /// c4c9334bac560ecc979e58001b3e22fb, which is not the MD5 of its own input string;
    /// the expected value here is MD5("<1896.697170952@dbc.mit.edu>tanstaaf") as Python's
    /// hashlib (and so poplib's `apop`) computes it.
    #[test]
    fn rfc1939_example() {
        let timestamp = ApopTimestamp::try_from("<1896.697170952@dbc.mit.edu>").unwrap();
        let digest = timestamp.digest(b"tanstaaf");
        assert_eq!(digest.to_string(), "b8282ceea143d14e379abefc8fb0eb8a");
        assert_eq!(&digest.to_hex(), b"b8282ceea143d14e379abefc8fb0eb8a");
        assert!(timestamp.verify(b"tanstaaf", &digest));
        assert!(!timestamp.verify(b"tanstaafl", &digest));
        let parsed = ApopDigest::from_hex("B8282CEEA143D14E379ABEFC8FB0EB8A").unwrap();
        assert_eq!(parsed, digest);
        let rfc_printed = ApopDigest::from_hex("c4c9334bac560ecc979e58001b3e22fb").unwrap();
        assert!(!timestamp.verify(b"tanstaaf", &rfc_printed));
    }

    #[test]
    fn rejects() {
        for bad in ["", "<>", "<a", "a>", "<a<b>", "<a b>", "<a>>"] {
            assert!(ApopTimestamp::try_from(bad).is_err(), "{bad:?}");
        }
        assert!(ApopDigest::from_hex("c4c9").is_err());
        assert!(ApopDigest::from_hex("g4c9334bac560ecc979e58001b3e22fb").is_err());
    }
}
