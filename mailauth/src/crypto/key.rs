//! Signing keys (PEM) and public keys (DKIM `p=` values).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};

use crate::crypto::hash::HashAlgorithm;

/// The key types of DKIM key records (`k=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA (RFC 6376).
    Rsa,
    /// Ed25519 (RFC 8463).
    Ed25519,
}

impl KeyType {
    /// The `k=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa => "rsa",
            Self::Ed25519 => "ed25519",
        }
    }
}

/// A key could not be read or used.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The PEM text has no `-----BEGIN ...-----` block of a known label, or bad base64.
    #[error("malformed pem")]
    Pem,
    /// The DER inside is not a key of a supported type.
    #[error("unsupported or malformed key")]
    Der,
    /// The signing operation failed.
    #[error("signing failed")]
    Sign,
}

/// A private key for signing.
///
/// `Debug` shows the key type only, never key material.
#[derive(Clone)]
pub struct SigningKey {
    inner: SigningInner,
}

#[derive(Clone)]
enum SigningInner {
    Rsa(Box<RsaPrivateKey>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

impl SigningKey {
    /// Reads a PEM private key: PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`,
    /// RSA or Ed25519).
    ///
    /// # Errors
    ///
    /// [`KeyError::Pem`] or [`KeyError::Der`].
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = pem_block(pem)?;
        match label.as_str() {
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            _ => Err(KeyError::Pem),
        }
    }

    /// Reads a PKCS#1 DER RSA private key.
    ///
    /// # Errors
    ///
    /// [`KeyError::Der`].
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::from_pkcs1_der(der).map_err(|_| KeyError::Der)?;
        Ok(Self {
            inner: SigningInner::Rsa(Box::new(key)),
        })
    }

    /// Reads a PKCS#8 DER private key (RSA or Ed25519).
    ///
    /// # Errors
    ///
    /// [`KeyError::Der`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        if let Ok(key) = RsaPrivateKey::from_pkcs8_der(der) {
            return Ok(Self {
                inner: SigningInner::Rsa(Box::new(key)),
            });
        }
        let key =
            <ed25519_dalek::SigningKey as ed25519_dalek::pkcs8::DecodePrivateKey>::from_pkcs8_der(
                der,
            )
            .map_err(|_| KeyError::Der)?;
        Ok(Self {
            inner: SigningInner::Ed25519(Box::new(key)),
        })
    }

    /// An Ed25519 key from its 32-byte seed.
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Self {
        Self {
            inner: SigningInner::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(seed))),
        }
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        match self.inner {
            SigningInner::Rsa(_) => KeyType::Rsa,
            SigningInner::Ed25519(_) => KeyType::Ed25519,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match &self.inner {
            SigningInner::Rsa(key) => PublicKey::Rsa(Box::new(key.to_public_key())),
            SigningInner::Ed25519(key) => PublicKey::Ed25519(Box::new(key.verifying_key())),
        }
    }

    /// The DNS TXT record to publish at `<selector>._domainkey.<domain>` for this key
    /// (`v=DKIM1; k=...; p=...`).
    pub fn dns_record(&self) -> String {
        let key = self.public_key();
        format!(
            "v=DKIM1; k={}; p={}",
            key.key_type().as_str(),
            STANDARD.encode(key.to_dkim_bytes())
        )
    }

    /// Signs a SHA-256 digest: RSA PKCS#1 v1.5, or Ed25519 over the digest bytes
    /// (RFC 8463 §3).
    ///
    /// # Errors
    ///
    /// [`KeyError::Sign`] when the RSA operation fails.
    pub fn sign_sha256(&self, digest: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            SigningInner::Rsa(key) => key
                .sign(Pkcs1v15Sign::new::<sha2::Sha256>(), digest)
                .map_err(|_| KeyError::Sign),
            SigningInner::Ed25519(key) => Ok(key.sign(digest).to_bytes().to_vec()),
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("type", &self.key_type())
            .finish_non_exhaustive()
    }
}

/// A public key from a DKIM key record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA.
    Rsa(Box<RsaPublicKey>),
    /// Ed25519.
    Ed25519(Box<ed25519_dalek::VerifyingKey>),
}

impl PublicKey {
    /// Reads the decoded `p=` bytes: for RSA a SubjectPublicKeyInfo or a PKCS#1
    /// RSAPublicKey (DER), for Ed25519 the 32 raw bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::Der`] when the bytes are not a key of that type.
    pub fn from_dkim_bytes(key_type: KeyType, bytes: &[u8]) -> Result<Self, KeyError> {
        match key_type {
            KeyType::Rsa => RsaPublicKey::from_public_key_der(bytes)
                .or_else(|_| RsaPublicKey::from_pkcs1_der(bytes))
                .map(|key| Self::Rsa(Box::new(key)))
                .map_err(|_| KeyError::Der),
            KeyType::Ed25519 => {
                let bytes: &[u8; 32] = bytes.try_into().map_err(|_| KeyError::Der)?;
                ed25519_dalek::VerifyingKey::from_bytes(bytes)
                    .map(|key| Self::Ed25519(Box::new(key)))
                    .map_err(|_| KeyError::Der)
            }
        }
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        match self {
            Self::Rsa(_) => KeyType::Rsa,
            Self::Ed25519(_) => KeyType::Ed25519,
        }
    }

    /// The size in bits (the modulus length for RSA, 256 for Ed25519).
    pub fn bits(&self) -> usize {
        match self {
            Self::Rsa(key) => {
                let n = key.n_bytes();
                let lead = n.first().map_or(8, |b| b.leading_zeros() as usize);
                n.len() * 8 - lead
            }
            Self::Ed25519(_) => 256,
        }
    }

    /// The bytes to publish in `p=` (SubjectPublicKeyInfo DER for RSA, raw for
    /// Ed25519).
    pub fn to_dkim_bytes(&self) -> Vec<u8> {
        match self {
            Self::Rsa(key) => key
                .to_public_key_der()
                .map(|der| der.as_bytes().to_vec())
                .unwrap_or_default(),
            Self::Ed25519(key) => key.to_bytes().to_vec(),
        }
    }

    /// Checks a signature over a digest made with `hash`.
    pub fn verify(&self, hash: HashAlgorithm, digest: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Rsa(key) => {
                let scheme = match hash {
                    HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
                };
                key.verify(scheme, digest, signature).is_ok()
            }
            Self::Ed25519(key) => {
                let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                key.verify_strict(digest, &signature).is_ok()
            }
        }
    }
}

/// The label and the decoded bytes of the first PEM block.
fn pem_block(pem: &str) -> Result<(String, Vec<u8>), KeyError> {
    let mut lines = pem.lines().map(str::trim);
    let label = lines
        .by_ref()
        .find_map(|line| line.strip_prefix("-----BEGIN ")?.strip_suffix("-----"))
        .ok_or(KeyError::Pem)?
        .to_owned();
    let end = format!("-----END {label}-----");
    let mut body = String::new();
    for line in lines {
        if line == end {
            let der = STANDARD
                .decode(body.as_bytes())
                .map_err(|_| KeyError::Pem)?;
            return Ok((label, der));
        }
        if line.contains(':') {
            return Err(KeyError::Pem); // encrypted PEM headers are not supported
        }
        body.push_str(line);
    }
    Err(KeyError::Pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Ed25519 key of RFC 8463 Appendix A.
    #[test]
    fn rfc8463_ed25519_seed_gives_the_published_public_key() {
        let seed = STANDARD
            .decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
            .unwrap();
        let key = SigningKey::ed25519_from_seed(&seed.try_into().unwrap());
        assert_eq!(
            key.dns_record(),
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        );
    }

    #[test]
    fn bad_pem_is_an_error() {
        assert_eq!(SigningKey::from_pem("nothing").unwrap_err(), KeyError::Pem);
        assert_eq!(
            SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .unwrap_err(),
            KeyError::Der
        );
        assert_eq!(
            PublicKey::from_dkim_bytes(KeyType::Ed25519, &[1, 2, 3]).unwrap_err(),
            KeyError::Der
        );
    }
}
