//! The DKIM key record published in DNS (RFC 6376 §3.6.1, RFC 8463 §4).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::crypto::{HashAlgorithm, KeyType};
use crate::dkim::parse::{TagListError, colon_list, tag_list, without_fws};

/// Why a key record is unusable.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyRecordError {
    /// The tag-list is malformed.
    #[error("malformed tag list: {0}")]
    TagList(#[from] TagListError),
    /// `v=` is present and not `DKIM1`.
    #[error("unsupported key record version")]
    UnsupportedVersion,
    /// `k=` names an unknown key type.
    #[error("unsupported key type")]
    UnsupportedKeyType,
    /// `p=` is missing.
    #[error("missing p= tag")]
    MissingKey,
    /// `p=` is not base64.
    #[error("invalid p= value")]
    InvalidKey,
}

/// A parsed key record.
///
/// ```text
/// key-v-tag = %x76 [FWS] "=" [FWS] %x44.4B.49.4D.31   ; v=DKIM1
/// key-h-tag = %x68 [FWS] "=" [FWS] key-h-tag-alg *( [FWS] ":" [FWS] key-h-tag-alg )
/// key-k-tag = %x6b [FWS] "=" [FWS] key-k-tag-type     ; rsa / ed25519
/// key-n-tag, key-p-tag = %x70 [FWS] "=" [ [FWS] base64string ]
/// key-s-tag = %x73 [FWS] "=" [FWS] key-s-tag-type *( [FWS] ":" [FWS] key-s-tag-type )
/// key-t-tag = %x74 [FWS] "=" [FWS] key-t-tag-flag *( [FWS] ":" [FWS] key-t-tag-flag )
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkimKeyRecord {
    /// `k=` (default rsa).
    pub key_type: KeyType,
    /// `p=`, decoded; empty means the key was revoked.
    pub public_key: Vec<u8>,
    /// `h=`: the acceptable digests (`None`: any).
    pub hashes: Option<Vec<HashAlgorithm>>,
    /// `s=`: service types (default `*`).
    pub services: Vec<String>,
    /// `t=y`: the domain is testing DKIM.
    pub testing: bool,
    /// `t=s`: `i=` must be exactly `d=`, not a subdomain.
    pub strict: bool,
}

impl DkimKeyRecord {
    /// Parses a key record (the TXT strings joined).
    ///
    /// # Errors
    ///
    /// [`KeyRecordError`] saying what is wrong.
    pub fn parse(text: &[u8]) -> Result<Self, KeyRecordError> {
        let tags = tag_list(text)?;
        let get = |name: &str| tags.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        if let Some(v) = get("v")
            && v != "DKIM1"
        {
            return Err(KeyRecordError::UnsupportedVersion);
        }
        let key_type = match get("k") {
            None => KeyType::Rsa,
            Some(k) if k.eq_ignore_ascii_case("rsa") => KeyType::Rsa,
            Some(k) if k.eq_ignore_ascii_case("ed25519") => KeyType::Ed25519,
            Some(_) => return Err(KeyRecordError::UnsupportedKeyType),
        };
        let p = get("p").ok_or(KeyRecordError::MissingKey)?;
        let public_key = STANDARD
            .decode(without_fws(p))
            .map_err(|_| KeyRecordError::InvalidKey)?;
        let hashes = get("h").map(|h| {
            colon_list(h)
                .filter_map(|name| match name.to_ascii_lowercase().as_str() {
                    "sha256" => Some(HashAlgorithm::Sha256),
                    "sha1" => Some(HashAlgorithm::Sha1),
                    _ => None,
                })
                .collect()
        });
        let services = match get("s") {
            Some(s) => colon_list(s).map(str::to_ascii_lowercase).collect(),
            None => vec!["*".to_owned()],
        };
        let flags: Vec<String> = get("t")
            .map(|t| colon_list(t).map(str::to_ascii_lowercase).collect())
            .unwrap_or_default();
        Ok(Self {
            key_type,
            public_key,
            hashes,
            services,
            testing: flags.iter().any(|f| f == "y"),
            strict: flags.iter().any(|f| f == "s"),
        })
    }

    /// Whether the key was revoked (empty `p=`).
    pub fn is_revoked(&self) -> bool {
        self.public_key.is_empty()
    }

    /// Whether the record allows the digest (`h=`).
    pub fn allows_hash(&self, hash: HashAlgorithm) -> bool {
        self.hashes.as_ref().is_none_or(|list| list.contains(&hash))
    }

    /// Whether the record covers email (`s=` has `*` or `email`).
    pub fn allows_email(&self) -> bool {
        self.services.iter().any(|s| s == "*" || s == "email")
    }
}

impl fmt::Display for DkimKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v=DKIM1; k={}", self.key_type.as_str())?;
        if let Some(hashes) = &self.hashes {
            let names: Vec<&str> = hashes.iter().map(|h| h.as_str()).collect();
            write!(f, "; h={}", names.join(":"))?;
        }
        if self.services != ["*"] {
            write!(f, "; s={}", self.services.join(":"))?;
        }
        match (self.testing, self.strict) {
            (true, true) => f.write_str("; t=y:s")?,
            (true, false) => f.write_str("; t=y")?,
            (false, true) => f.write_str("; t=s")?,
            (false, false) => {}
        }
        write!(f, "; p={}", STANDARD.encode(&self.public_key))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parses_key_records() {
        let record = DkimKeyRecord::parse(
            b"v=DKIM1; k=ed25519; h=sha256; s=email:other; t=y:s; n=notes; \
              p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        )
        .unwrap();
        assert_eq!(record.key_type, KeyType::Ed25519);
        assert_eq!(record.public_key.len(), 32);
        assert!(record.testing && record.strict && record.allows_email());
        assert!(record.allows_hash(HashAlgorithm::Sha256));
        assert!(!record.allows_hash(HashAlgorithm::Sha1));
        assert_eq!(
            DkimKeyRecord::parse(record.to_string().as_bytes()).unwrap(),
            record
        );

        let revoked = DkimKeyRecord::parse(b"v=DKIM1; p=").unwrap();
        assert!(revoked.is_revoked());
        assert_eq!(revoked.key_type, KeyType::Rsa);
        assert!(
            !DkimKeyRecord::parse(b"p=AA==; s=web")
                .unwrap()
                .allows_email()
        );

        let cases: &[(&[u8], KeyRecordError)] = &[
            (b"v=DKIM2; p=AA==", KeyRecordError::UnsupportedVersion),
            (b"k=dsa; p=AA==", KeyRecordError::UnsupportedKeyType),
            (b"v=DKIM1; k=rsa", KeyRecordError::MissingKey),
            (b"p=!!", KeyRecordError::InvalidKey),
            (
                b"p=AA==; p=AA==",
                KeyRecordError::TagList(TagListError::DuplicateTag),
            ),
        ];
        for (text, err) in cases {
            assert_eq!(DkimKeyRecord::parse(text), Err(*err));
        }
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(
            ed in any::<bool>(),
            key in proptest::collection::vec(any::<u8>(), 0..64),
            hashes in proptest::option::of(proptest::collection::vec(
                prop_oneof![Just(HashAlgorithm::Sha256), Just(HashAlgorithm::Sha1)], 1..3)),
            services in proptest::collection::vec("[a-z]{1,6}", 1..3),
            testing in any::<bool>(),
            strict in any::<bool>(),
        ) {
            let record = DkimKeyRecord {
                key_type: if ed { KeyType::Ed25519 } else { KeyType::Rsa },
                public_key: key,
                hashes,
                services,
                testing,
                strict,
            };
            prop_assert_eq!(DkimKeyRecord::parse(record.to_string().as_bytes()), Ok(record));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = DkimKeyRecord::parse(&bytes);
        }

        #[test]
        fn unicode_values_are_refused_without_panic(
            tag in "[vkhpstn]",
            value in "[ -:<-~]{0,6}(Jöhn|日本語の件名テスト #2|Привет|é|\\PC{1,6})[ -:<-~]{0,6}",
            text in any::<String>(),
        ) {
            // Key records come from DNS: UTF-8 in any tag makes the record unusable.
            let value = value.replace(';', "");
            let record = format!("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=; {tag}={value}");
            if !value.is_ascii() {
                prop_assert_eq!(
                    DkimKeyRecord::parse(record.as_bytes()),
                    Err(KeyRecordError::TagList(TagListError::InvalidCharacter))
                );
            }
            if let Ok(record) = DkimKeyRecord::parse(text.as_bytes()) {
                prop_assert_eq!(DkimKeyRecord::parse(record.to_string().as_bytes()), Ok(record));
            }
        }
    }
}
