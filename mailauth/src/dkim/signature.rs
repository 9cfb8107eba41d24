//! The DKIM-Signature header field (RFC 6376 §3.5, RFC 8463).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::crypto::{HashAlgorithm, KeyType};
use crate::dkim::canonicalize::Canonicalization;
use crate::dkim::parse::{TagListError, colon_list, is_fws, tag_list, without_fws};

/// A signing algorithm (`a=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `rsa-sha256` (RFC 6376).
    RsaSha256,
    /// `rsa-sha1`: recognised, never valid (RFC 8301 §3.1).
    RsaSha1,
    /// `ed25519-sha256` (RFC 8463).
    Ed25519Sha256,
}

impl Algorithm {
    /// The `a=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RsaSha256 => "rsa-sha256",
            Self::RsaSha1 => "rsa-sha1",
            Self::Ed25519Sha256 => "ed25519-sha256",
        }
    }

    /// The `a=` value's algorithm, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::RsaSha256, Self::RsaSha1, Self::Ed25519Sha256]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
    }

    /// The digest it uses.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::RsaSha1 => HashAlgorithm::Sha1,
            Self::RsaSha256 | Self::Ed25519Sha256 => HashAlgorithm::Sha256,
        }
    }

    /// The key type it needs.
    pub fn key_type(self) -> KeyType {
        match self {
            Self::Ed25519Sha256 => KeyType::Ed25519,
            Self::RsaSha256 | Self::RsaSha1 => KeyType::Rsa,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a DKIM-Signature header field is unusable (verification: `permerror`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The tag-list is malformed.
    #[error("malformed tag list: {0}")]
    TagList(#[from] TagListError),
    /// A required tag is missing (the tag name).
    #[error("missing required tag {0}=")]
    MissingTag(&'static str),
    /// A tag's value is malformed (the tag name).
    #[error("invalid value of tag {0}=")]
    InvalidTag(&'static str),
    /// `v=` is not `1`.
    #[error("unsupported signature version")]
    UnsupportedVersion,
    /// `a=` names an algorithm this crate does not know.
    #[error("unsupported signing algorithm")]
    UnsupportedAlgorithm,
    /// `c=` names an unknown canonicalization.
    #[error("unsupported canonicalization")]
    UnsupportedCanonicalization,
    /// `q=` does not offer `dns/txt`.
    #[error("unsupported query method")]
    UnsupportedQueryMethod,
    /// `h=` does not include From.
    #[error("from header field not signed")]
    FromNotSigned,
    /// The domain of `i=` is not `d=` or below it.
    #[error("identity not within the signing domain")]
    AuidNotInDomain,
    /// `x=` is before `t=`.
    #[error("expiration before signing time")]
    ExpiresBeforeSigned,
}

/// A parsed DKIM-Signature header field.
///
/// ```text
/// sig-v-tag = %x76 [FWS] "=" [FWS] 1*DIGIT         ; v=1
/// sig-a-tag = %x61 [FWS] "=" [FWS] sig-a-tag-alg    ; a=rsa-sha256 / ed25519-sha256
/// sig-b-tag, sig-bh-tag = base64 with FWS; sig-c-tag = hdr ["/" body]
/// sig-d-tag, sig-h-tag = hdr-name *(":" hdr-name), sig-i-tag, sig-l-tag, sig-q-tag,
/// sig-s-tag, sig-t-tag, sig-x-tag, sig-z-tag (ignored)
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkimSignature {
    /// `a=`.
    pub algorithm: Algorithm,
    /// `b=`, decoded.
    pub signature: Vec<u8>,
    /// `bh=`, decoded.
    pub body_hash: Vec<u8>,
    /// `c=` header part (default simple).
    pub header_canonicalization: Canonicalization,
    /// `c=` body part (default simple).
    pub body_canonicalization: Canonicalization,
    /// `d=`, the signing domain, lower case.
    pub domain: String,
    /// `h=`, the signed header field names in order, as written.
    pub headers: Vec<String>,
    /// `i=`, the agent or user identifier.
    pub auid: Option<String>,
    /// `l=`, how many bytes of the canonical body are signed.
    pub body_length: Option<u64>,
    /// `s=`, the selector, lower case.
    pub selector: String,
    /// `t=`, signing time (seconds since the epoch).
    pub timestamp: Option<u64>,
    /// `x=`, expiry time (seconds since the epoch).
    pub expiration: Option<u64>,
}

impl DkimSignature {
    /// Parses the value of a DKIM-Signature header field (after the colon).
    ///
    /// # Errors
    ///
    /// [`SignatureError`] for a malformed list, a missing or invalid tag, or a rule
    /// of RFC 6376 §6.1.1 broken (From not signed, `i=` outside `d=`).
    pub fn parse(value: &[u8]) -> Result<Self, SignatureError> {
        let tags = tag_list(value)?;
        let get = |name: &str| tags.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let required = |name: &'static str| get(name).ok_or(SignatureError::MissingTag(name));

        if required("v")? != "1" {
            return Err(SignatureError::UnsupportedVersion);
        }
        let algorithm =
            Algorithm::from_name(required("a")?).ok_or(SignatureError::UnsupportedAlgorithm)?;
        let signature = base64_value(required("b")?).ok_or(SignatureError::InvalidTag("b"))?;
        let body_hash = base64_value(required("bh")?).ok_or(SignatureError::InvalidTag("bh"))?;
        if signature.is_empty() {
            return Err(SignatureError::InvalidTag("b"));
        }
        let domain = required("d")?.to_ascii_lowercase();
        if domain.is_empty() || domain.contains(is_fws) {
            return Err(SignatureError::InvalidTag("d"));
        }
        let selector = required("s")?.to_ascii_lowercase();
        if selector.is_empty() || selector.contains(is_fws) {
            return Err(SignatureError::InvalidTag("s"));
        }
        let headers: Vec<String> = colon_list(required("h")?).map(str::to_owned).collect();
        if headers.iter().any(|h| !valid_field_name(h)) {
            return Err(SignatureError::InvalidTag("h"));
        }
        if !headers.iter().any(|h| h.eq_ignore_ascii_case("from")) {
            return Err(SignatureError::FromNotSigned);
        }
        let (header_canonicalization, body_canonicalization) = match get("c") {
            None => (Canonicalization::Simple, Canonicalization::Simple),
            Some(c) => {
                let (header, body) = c.split_once('/').unwrap_or((c, "simple"));
                let parse = |text: &str| {
                    Canonicalization::from_name(text.trim_matches(is_fws))
                        .ok_or(SignatureError::UnsupportedCanonicalization)
                };
                (parse(header)?, parse(body)?)
            }
        };
        if let Some(q) = get("q")
            && !colon_list(q).any(|method| method.eq_ignore_ascii_case("dns/txt"))
        {
            return Err(SignatureError::UnsupportedQueryMethod);
        }
        let auid = match get("i") {
            None => None,
            Some(i) => {
                let (_, auid_domain) = i.rsplit_once('@').ok_or(SignatureError::InvalidTag("i"))?;
                let auid_domain = auid_domain.to_ascii_lowercase();
                let within = auid_domain == domain
                    || auid_domain
                        .strip_suffix(domain.as_str())
                        .is_some_and(|head| head.ends_with('.'));
                if !within {
                    return Err(SignatureError::AuidNotInDomain);
                }
                Some(i.to_owned())
            }
        };
        let number = |name: &'static str| -> Result<Option<u64>, SignatureError> {
            get(name)
                .map(|v| {
                    v.parse::<u64>()
                        .ok()
                        .filter(|_| v.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or(SignatureError::InvalidTag(name))
                })
                .transpose()
        };
        let body_length = number("l")?;
        let timestamp = number("t")?;
        let expiration = number("x")?;
        if let (Some(t), Some(x)) = (timestamp, expiration)
            && x < t
        {
            return Err(SignatureError::ExpiresBeforeSigned);
        }
        Ok(Self {
            algorithm,
            signature,
            body_hash,
            header_canonicalization,
            body_canonicalization,
            domain,
            headers,
            auid,
            body_length,
            selector,
            timestamp,
            expiration,
        })
    }

    /// The `b=` value in base64 (for `header.b` in Authentication-Results).
    pub fn signature_base64(&self) -> String {
        STANDARD.encode(&self.signature)
    }
}

/// `hdr-name = field-name` (RFC 5322: printable ASCII except colon).
fn valid_field_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b':')
}

fn base64_value(value: &str) -> Option<Vec<u8>> {
    STANDARD.decode(without_fws(value)).ok()
}

impl fmt::Display for DkimSignature {
    /// The canonical value: `v=1; a=...; c=...; d=...; s=...; [t=; x=; i=; l=;] h=...;
    /// bh=...; b=...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "v=1; a={}; c={}/{}; d={}; s={};",
            self.algorithm,
            self.header_canonicalization.as_str(),
            self.body_canonicalization.as_str(),
            self.domain,
            self.selector
        )?;
        if let Some(t) = self.timestamp {
            write!(f, " t={t};")?;
        }
        if let Some(x) = self.expiration {
            write!(f, " x={x};")?;
        }
        if let Some(i) = &self.auid {
            write!(f, " i={i};")?;
        }
        if let Some(l) = self.body_length {
            write!(f, " l={l};")?;
        }
        write!(
            f,
            " h={}; bh={}; b={}",
            self.headers.join(":"),
            STANDARD.encode(&self.body_hash),
            STANDARD.encode(&self.signature)
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const RFC8463: &str = "v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n \
        d=football.example.com; i=@football.example.com;\r\n q=dns/txt; s=brisbane; \
        t=1528637909; h=from : to :\r\n subject : date : message-id : from : subject : date;\r\n \
        bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n \
        b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n \
        Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";

    #[test]
    fn parses_the_rfc8463_signature() {
        let sig = DkimSignature::parse(RFC8463.as_bytes()).unwrap();
        assert_eq!(sig.algorithm, Algorithm::Ed25519Sha256);
        assert_eq!(sig.domain, "football.example.com");
        assert_eq!(sig.selector, "brisbane");
        assert_eq!(sig.headers.len(), 8);
        assert_eq!(sig.headers[2], "subject");
        assert_eq!(sig.timestamp, Some(1_528_637_909));
        assert_eq!(sig.signature.len(), 64);
        assert_eq!(sig.body_hash.len(), 32);
        assert_eq!(
            DkimSignature::parse(sig.to_string().as_bytes()).unwrap(),
            sig
        );
    }

    #[test]
    fn rejects_bad_signatures() {
        let base = "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=AAAA; b=AAAA";
        assert!(DkimSignature::parse(base.as_bytes()).is_ok());
        let cases: &[(&str, SignatureError)] = &[
            (
                "v=2; a=rsa-sha256; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::UnsupportedVersion,
            ),
            (
                "a=rsa-sha256; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::MissingTag("v"),
            ),
            (
                "v=1; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::MissingTag("a"),
            ),
            (
                "v=1; a=rsa-sha256; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::MissingTag("d"),
            ),
            (
                "v=1; a=rsa-sha256; d=e.com; h=from; bh=AA==; b=AA==",
                SignatureError::MissingTag("s"),
            ),
            (
                "v=1; a=rsa-sha256; d=e.com; s=s; bh=AA==; b=AA==",
                SignatureError::MissingTag("h"),
            ),
            (
                "v=1; a=rsa-sha256; d=e.com; s=s; h=from; b=AA==",
                SignatureError::MissingTag("bh"),
            ),
            (
                "v=1; a=rsa-sha256; d=e.com; s=s; h=from; bh=AA==",
                SignatureError::MissingTag("b"),
            ),
            (
                "v=1; a=rsa-sha512; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::UnsupportedAlgorithm,
            ),
            (
                "v=1; a=rsa-sha256; d=e.com; s=s; h=to; bh=AA==; b=AA==",
                SignatureError::FromNotSigned,
            ),
            (
                "v=1; a=rsa-sha256; d=e.com; s=s; h=from; bh=A!; b=AA==",
                SignatureError::InvalidTag("bh"),
            ),
            (
                "v=1; a=rsa-sha256; d=e.com; s=s; h=from; bh=AA==; b=",
                SignatureError::InvalidTag("b"),
            ),
            (
                "v=1; a=rsa-sha256; c=fancy; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::UnsupportedCanonicalization,
            ),
            (
                "v=1; a=rsa-sha256; q=http; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::UnsupportedQueryMethod,
            ),
            (
                "v=1; a=rsa-sha256; i=u@other.com; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::AuidNotInDomain,
            ),
            (
                "v=1; a=rsa-sha256; i=u@xe.com; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::AuidNotInDomain,
            ),
            (
                "v=1; a=rsa-sha256; l=-1; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::InvalidTag("l"),
            ),
            (
                "v=1; a=rsa-sha256; t=10; x=5; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::ExpiresBeforeSigned,
            ),
            (
                "v=1; v=1; a=rsa-sha256; d=e.com; s=s; h=from; bh=AA==; b=AA==",
                SignatureError::TagList(TagListError::DuplicateTag),
            ),
        ];
        for (text, err) in cases {
            assert_eq!(DkimSignature::parse(text.as_bytes()), Err(*err), "{text}");
        }
        let sub = "v=1; a=rsa-sha256; i=u@mail.e.com; d=E.com; s=S; h=From; bh=AA==; b=AA==";
        let sig = DkimSignature::parse(sub.as_bytes()).unwrap();
        assert_eq!((sig.domain.as_str(), sig.selector.as_str()), ("e.com", "s"));
    }

    fn signature_value() -> impl Strategy<Value = DkimSignature> {
        let algorithm = prop_oneof![
            Just(Algorithm::RsaSha256),
            Just(Algorithm::RsaSha1),
            Just(Algorithm::Ed25519Sha256)
        ];
        let canon = prop_oneof![
            Just(Canonicalization::Simple),
            Just(Canonicalization::Relaxed)
        ];
        (
            (algorithm, canon.clone(), canon),
            (
                proptest::collection::vec(any::<u8>(), 1..80),
                proptest::collection::vec(any::<u8>(), 0..40),
            ),
            ("[a-z0-9]{1,10}\\.[a-z]{2,5}", "[a-z0-9_]{1,10}"),
            proptest::collection::vec("[A-Za-z-]{1,12}", 0..5),
            (
                any::<bool>(),
                proptest::option::of(any::<u64>()),
                proptest::option::of(0u64..1 << 40),
                proptest::option::of(0u64..1 << 20),
            ),
        )
            .prop_map(
                |(
                    (algorithm, hc, bc),
                    (signature, body_hash),
                    (domain, selector),
                    mut headers,
                    (with_auid, body_length, timestamp, extra),
                )| {
                    headers.push("From".into());
                    DkimSignature {
                        algorithm,
                        signature,
                        body_hash,
                        header_canonicalization: hc,
                        body_canonicalization: bc,
                        auid: with_auid.then(|| format!("user@{domain}")),
                        domain,
                        headers,
                        body_length,
                        selector,
                        timestamp,
                        expiration: timestamp.zip(extra).map(|(t, e)| t + e),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(sig in signature_value()) {
            prop_assert_eq!(DkimSignature::parse(sig.to_string().as_bytes()), Ok(sig));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(sig) = DkimSignature::parse(&bytes) {
                prop_assert_eq!(DkimSignature::parse(sig.to_string().as_bytes()), Ok(sig));
            }
        }

        #[test]
        fn unicode_tag_values_are_refused_without_panic(
            tag in "(v|a|b|bh|c|d|h|i|l|q|s|t|x|z)",
            value in "[ -:<-~]{0,6}(Jöhn|x@bücher\\.test|日本語の件名テスト #2|Привет|\\PC{1,6})[ -:<-~]{0,6}",
            text in any::<String>(),
        ) {
            // A DKIM-Signature with one tag's value in UTF-8 (an i= or d= with a
            // U-label, a z= copy of a Unicode Subject).
            let value = value.replace(';', "");
            let base = [
                ("v", "1"), ("a", "rsa-sha256"), ("c", "relaxed/relaxed"), ("d", "example.com"),
                ("s", "sel"), ("h", "from:to"), ("bh", "AAAA"), ("b", "AAAA"),
            ];
            let mut tags: Vec<String> = base
                .iter()
                .filter(|(name, _)| *name != tag)
                .map(|(name, v)| format!("{name}={v}"))
                .collect();
            tags.push(format!("{tag}={value}"));
            let field = tags.join("; ");
            let parsed = DkimSignature::parse(field.as_bytes());
            if !value.is_ascii() {
                prop_assert_eq!(parsed, Err(SignatureError::TagList(TagListError::InvalidCharacter)));
            } else if let Ok(sig) = parsed {
                prop_assert_eq!(DkimSignature::parse(sig.to_string().as_bytes()), Ok(sig));
            }
            if let Ok(sig) = DkimSignature::parse(text.as_bytes()) {
                prop_assert_eq!(DkimSignature::parse(sig.to_string().as_bytes()), Ok(sig));
            }
        }
    }
}
