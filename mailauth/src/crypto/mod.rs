//! The cryptography DKIM needs, over RustCrypto: SHA-256 / SHA-1 digests (`sha2`,
//! `sha1`), RSA PKCS#1 v1.5 signatures (`rsa`) and Ed25519 (`ed25519-dalek`).
//!
//! Keys are read from PEM (PKCS#1 `RSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY` for RSA and
//! Ed25519) and from the `p=` value of DKIM key records.

mod hash;
mod key;

pub use hash::{HashAlgorithm, HashContext};
pub use key::{KeyError, KeyType, PublicKey, SigningKey};
