//! SASL responses in base64, as `AUTH` and the exchange after it carry them.

use std::borrow::Cow;
use std::fmt;
use zeroize::Zeroizing;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::ValidationError;
use crate::types::Secret;

/// A base64-encoded SASL response: the initial response of `AUTH` or a line of the
/// exchange after a `334` challenge,
/// [RFC 4954 section 4](https://www.rfc-editor.org/rfc/rfc4954#section-4). `=` stands
/// for the empty response. `Debug` is redacted: it carries credentials.
///
/// ```text
/// initial-response = base64 / "="
/// base64       = base64-terminal /
///                ( 1*(4base64-char) [base64-terminal] )
/// ```
///
/// ```
/// use mailwright_smtp::SaslResponse;
///
/// let response = SaslResponse::encode(b"\0user\0pass");
/// assert_eq!(response.as_str(), "AHVzZXIAcGFzcw==");
/// assert_eq!(response.decode()?.declassify().as_slice(), b"\0user\0pass");
/// assert_eq!(SaslResponse::encode(b"").as_str(), "=");
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Eq, Hash, PartialEq)]
pub struct SaslResponse<'a>(Cow<'a, str>);

impl<'a> SaslResponse<'a> {
    /// Checks `value`: `=` or canonical, padded base64.
    ///
    /// # Errors
    ///
    /// When `value` is neither.
    pub fn validate(value: impl AsRef<[u8]>) -> Result<(), ValidationError> {
        let value = value.as_ref();
        if value == b"=" {
            return Ok(());
        }
        if is_canonical_base64(value) {
            Ok(())
        } else if value.is_empty() {
            Err(ValidationError::empty("SASL response"))
        } else {
            Err(ValidationError::malformed("SASL response", "base64"))
        }
    }

    /// Encodes `data` (`=` for empty data).
    pub fn encode(data: &[u8]) -> SaslResponse<'static> {
        if data.is_empty() {
            return SaslResponse(Cow::Borrowed("="));
        }
        SaslResponse(Cow::Owned(STANDARD.encode(data)))
    }

    /// The decoded response.
    ///
    /// # Errors
    ///
    /// Never for a validated value; kept as a `Result` so a parser change cannot turn
    /// into a panic.
    pub fn decode(&self) -> Result<Secret<Zeroizing<Vec<u8>>>, ValidationError> {
        if self.0 == "=" {
            return Ok(Secret::new(Zeroizing::new(Vec::new())));
        }
        STANDARD
            .decode(self.0.as_bytes())
            .map(|data| Secret::new(Zeroizing::new(data)))
            .map_err(|_| ValidationError::malformed("SASL response", "base64"))
    }

    /// The response as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy.
    pub fn into_owned(self) -> SaslResponse<'static> {
        SaslResponse(Cow::Owned(self.0.into_owned()))
    }
}

/// Padded base64 whose unused bits are zero, checked without decoding (no
/// allocation): what the `STANDARD` engine decodes.
fn is_canonical_base64(value: &[u8]) -> bool {
    if value.is_empty() || !value.len().is_multiple_of(4) {
        return false;
    }
    let padding = value.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return false;
    }
    let data = &value[..value.len() - padding];
    if !data.iter().all(|&b| sextet(b).is_some()) {
        return false;
    }
    // The bits after the last full octet must be zero (canonical encoding).
    let last = data.last().and_then(|&b| sextet(b)).unwrap_or(0);
    match padding {
        1 => last & 0b11 == 0,
        2 => last & 0b1111 == 0,
        _ => true,
    }
}

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

impl<'a> TryFrom<&'a str> for SaslResponse<'a> {
    type Error = ValidationError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::validate(value)?;
        Ok(Self(Cow::Borrowed(value)))
    }
}

impl fmt::Debug for SaslResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SaslResponse(/* REDACTED */)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn validates_base64() {
        for ok in ["=", "dGVzdA==", "AHVzZXIAcGFzcw=="] {
            assert!(SaslResponse::validate(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "dGVzdA",
            "dGVzdA=",
            "****",
            "dGVz dA==",
            "dGVzdB==",
            "dGVzdA===",
            "d===",
        ] {
            assert!(SaslResponse::validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_agrees_with_the_decoder() {
        for len in 0..40u8 {
            let data: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            let encoded = STANDARD.encode(&data);
            assert!(encoded.is_empty() || SaslResponse::validate(&encoded).is_ok());
            // Flipping the last data character breaks canonical padding sometimes:
            // the check and the decoder must agree either way.
            let mut bytes = encoded.into_bytes();
            if let Some(at) = bytes.iter().rposition(|&b| b != b'=') {
                bytes[at] = if bytes[at] == b'B' { b'C' } else { b'B' };
                assert_eq!(
                    SaslResponse::validate(&bytes).is_ok(),
                    STANDARD.decode(&bytes).is_ok(),
                    "{:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }

    #[test]
    fn debug_is_redacted() {
        let response = SaslResponse::encode(b"secret");
        assert!(!format!("{response:?}").contains(response.as_str()));
    }

    proptest! {
        /// Any Unicode: a valid response is ASCII and decodes; any data encodes to a
        /// valid response that decodes back to it.
        #[test]
        fn unicode_sasl_responses(
            text in prop_oneof![any::<String>(), "([A-Za-z0-9+/=]|\\PC){0,12}"],
            data in prop::collection::vec(any::<u8>(), 0..40),
        ) {
            if SaslResponse::validate(&text).is_ok() {
                prop_assert!(text.is_ascii());
                prop_assert!(SaslResponse::try_from(text.as_str()).unwrap().decode().is_ok());
            }
            let encoded = SaslResponse::encode(&data);
            prop_assert!(SaslResponse::validate(encoded.as_str()).is_ok());
            let decoded = encoded.decode().unwrap();
            prop_assert_eq!(decoded.declassify().as_slice(), data.as_slice());
        }
    }
}
