//! Message digests.

use sha1::Sha1;
use sha2::{Digest, Sha256};

/// A digest algorithm of DKIM (RFC 6376 §3.3; SHA-1 only to recognise and refuse it,
/// RFC 8301).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-1 (never valid for signatures, RFC 8301 §3.1).
    Sha1,
}

impl HashAlgorithm {
    /// The name used in `a=` and the key record's `h=` (`sha256`, `sha1`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha1 => "sha1",
        }
    }
}

/// A running digest.
#[derive(Clone, Debug)]
pub enum HashContext {
    /// SHA-256 in progress.
    Sha256(Sha256),
    /// SHA-1 in progress.
    Sha1(Sha1),
}

impl HashContext {
    /// A fresh digest of `algorithm`.
    pub fn new(algorithm: HashAlgorithm) -> Self {
        match algorithm {
            HashAlgorithm::Sha256 => Self::Sha256(Sha256::new()),
            HashAlgorithm::Sha1 => Self::Sha1(Sha1::new()),
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha256(hash) => hash.update(bytes),
            Self::Sha1(hash) => hash.update(bytes),
        }
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Self::Sha256(hash) => hash.finalize().to_vec(),
            Self::Sha1(hash) => hash.finalize().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        let mut sha256 = HashContext::new(HashAlgorithm::Sha256);
        sha256.update(b"a");
        sha256.update(b"bc");
        assert_eq!(
            sha256.finish()[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "SHA-256(\"abc\") starts ba7816bf"
        );
        let mut sha1 = HashContext::new(HashAlgorithm::Sha1);
        sha1.update(b"abc");
        assert_eq!(sha1.finish()[..4], [0xa9, 0x99, 0x3e, 0x36]);
    }
}
