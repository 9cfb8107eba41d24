//! DKIM keys per domain (made by `domain add`, kept as PKCS#8 PEM files in the data
//! folder) and the DNS records a domain owner publishes: MX, SPF, DKIM, DMARC.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mailwright_auth::crypto::SigningKey;
use mailwright_auth::dkim::DkimSigner;
use rand::RngExt;
use serde::Serialize;

use crate::config::DkimAlgorithm;
use crate::data::write_private;

/// Why a key could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The key file does not hold a usable key.
    #[error("{0}: not a usable DKIM private key")]
    Unusable(PathBuf),
    /// RSA key generation failed.
    #[error("RSA key generation failed")]
    Generate,
}

/// One signing key of a domain.
#[derive(Debug, Clone)]
pub struct DomainKey {
    /// The algorithm.
    pub algorithm: DkimAlgorithm,
    /// The selector (`<selector>._domainkey.<domain>`).
    pub selector: String,
    /// The key.
    pub key: SigningKey,
}

impl DomainKey {
    /// A signer for `domain` with this key.
    pub fn signer(&self, domain: &str) -> DkimSigner {
        DkimSigner::new(self.key.clone(), domain, &self.selector)
    }
}

/// A DNS record to publish.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DnsRecord {
    /// The owner name, with a trailing dot.
    pub name: String,
    /// `MX` or `TXT`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The record data as a zone file writes it.
    pub value: String,
}

impl std::fmt::Display for DnsRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} IN {} {}", self.name, self.kind, self.value)
    }
}

fn selector(algorithm: DkimAlgorithm) -> &'static str {
    match algorithm {
        DkimAlgorithm::Rsa => "rsa1",
        DkimAlgorithm::Ed25519 => "ed1",
    }
}

fn key_path(dkim_dir: &Path, domain: &str, algorithm: DkimAlgorithm) -> PathBuf {
    dkim_dir
        .join(domain)
        .join(format!("{}.pem", selector(algorithm)))
}

/// The domain's keys for `algorithms`, made now where missing.
///
/// # Errors
/// [`KeyError`].
pub fn ensure(
    dkim_dir: &Path,
    domain: &str,
    algorithms: &[DkimAlgorithm],
) -> Result<Vec<DomainKey>, KeyError> {
    let folder = dkim_dir.join(domain);
    std::fs::create_dir_all(&folder).map_err(|source| KeyError::Io {
        path: folder.clone(),
        source,
    })?;
    algorithms
        .iter()
        .map(|&algorithm| {
            let path = key_path(dkim_dir, domain, algorithm);
            if !path.exists() {
                let pem = generate(algorithm)?;
                write_private(&path, pem.as_bytes()).map_err(|source| KeyError::Io {
                    path: path.clone(),
                    source,
                })?;
            }
            read(&path, algorithm)
        })
        .collect()
}

/// The domain's existing keys for `algorithms` (missing ones are left out).
///
/// # Errors
/// [`KeyError`] for a key file that cannot be read.
pub fn load(
    dkim_dir: &Path,
    domain: &str,
    algorithms: &[DkimAlgorithm],
) -> Result<Vec<DomainKey>, KeyError> {
    algorithms
        .iter()
        .map(|&a| (a, key_path(dkim_dir, domain, a)))
        .filter(|(_, path)| path.exists())
        .map(|(a, path)| read(&path, a))
        .collect()
}

fn read(path: &Path, algorithm: DkimAlgorithm) -> Result<DomainKey, KeyError> {
    let pem = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.to_owned(),
        source,
    })?;
    let key = SigningKey::from_pem(&pem).map_err(|_| KeyError::Unusable(path.to_owned()))?;
    Ok(DomainKey {
        algorithm,
        selector: selector(algorithm).to_owned(),
        key,
    })
}

/// A new private key as PKCS#8 PEM.
fn generate(algorithm: DkimAlgorithm) -> Result<String, KeyError> {
    let der = match algorithm {
        DkimAlgorithm::Rsa => {
            use rsa::pkcs8::EncodePrivateKey;
            let key =
                rsa::PrivateKey::new(&mut rand::rng(), 2048).map_err(|_| KeyError::Generate)?;
            key.to_pkcs8_der()
                .map_err(|_| KeyError::Generate)?
                .as_bytes()
                .to_vec()
        }
        DkimAlgorithm::Ed25519 => {
            // RFC 8410 section 7: PrivateKeyInfo with the Ed25519 OID and the seed.
            let mut seed = [0u8; 32];
            rand::rng().fill(&mut seed);
            let mut der = vec![
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20,
            ];
            der.extend_from_slice(&seed);
            der
        }
    };
    Ok(pem("PRIVATE KEY", &der))
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The records to publish for `domain` served by `hostname` with `keys`.
pub fn dns_records(hostname: &str, domain: &str, keys: &[DomainKey]) -> Vec<DnsRecord> {
    let mut records = vec![
        DnsRecord {
            name: format!("{domain}."),
            kind: "MX",
            value: format!("10 {hostname}."),
        },
        DnsRecord {
            name: format!("{domain}."),
            kind: "TXT",
            value: "\"v=spf1 mx -all\"".to_owned(),
        },
    ];
    for key in keys {
        records.push(DnsRecord {
            name: format!("{}._domainkey.{domain}.", key.selector),
            kind: "TXT",
            value: txt_strings(&key.key.dns_record()),
        });
    }
    records.push(DnsRecord {
        name: format!("_dmarc.{domain}."),
        kind: "TXT",
        value: format!("\"v=DMARC1; p=quarantine; rua=mailto:postmaster@{domain}\""),
    });
    records
}

/// The signing keys of our domains, read from the data folder on first use.
#[derive(Debug)]
pub struct KeyRing {
    dir: PathBuf,
    algorithms: Vec<DkimAlgorithm>,
    keys: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Vec<DomainKey>>>>,
}

impl KeyRing {
    /// Keys under `dkim_dir` for `algorithms`.
    pub fn new(dkim_dir: &Path, algorithms: &[DkimAlgorithm]) -> Self {
        Self {
            dir: dkim_dir.to_owned(),
            algorithms: algorithms.to_vec(),
            keys: std::sync::Mutex::default(),
        }
    }

    /// The keys of `domain` (none when it has no key files).
    ///
    /// # Errors
    /// [`KeyError`] for a key file that cannot be read.
    pub fn keys(&self, domain: &str) -> Result<std::sync::Arc<Vec<DomainKey>>, KeyError> {
        let lock = || {
            self.keys
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(keys) = lock().get(domain) {
            return Ok(std::sync::Arc::clone(keys));
        }
        let keys = std::sync::Arc::new(load(&self.dir, domain, &self.algorithms)?);
        if !keys.is_empty() {
            lock().insert(domain.to_owned(), std::sync::Arc::clone(&keys));
        }
        Ok(keys)
    }

    /// The `DKIM-Signature` fields (each with its CRLF) for `message` from `domain`,
    /// one per key: prepend them to the message. Empty when the domain has no keys.
    ///
    /// # Errors
    /// [`KeyError`] for unreadable keys; a message without From cannot be signed and
    /// gives no field.
    pub fn sign(&self, domain: &str, message: &[u8], now: u64) -> Result<String, KeyError> {
        let mut fields = String::new();
        for key in self.keys(domain)?.iter() {
            match key.signer(domain).sign(message, now) {
                Ok(field) => fields.push_str(&field),
                Err(error) => tracing::warn!(%domain, %error, "DKIM signing failed"),
            }
        }
        Ok(fields)
    }
}

/// A TXT value split into quoted strings of at most 255 bytes.
fn txt_strings(text: &str) -> String {
    text.as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_made_once_and_sign() {
        let dir = tempfile::tempdir().unwrap();
        let keys = ensure(dir.path(), "example.org", &[DkimAlgorithm::Ed25519]).unwrap();
        let again = ensure(dir.path(), "example.org", &[DkimAlgorithm::Ed25519]).unwrap();
        assert_eq!(
            keys[0].key.dns_record(),
            again[0].key.dns_record(),
            "kept, not remade"
        );
        let header = keys[0]
            .signer("example.org")
            .sign(b"From: a@example.org\r\n\r\nHi\r\n", 1_700_000_000)
            .unwrap();
        assert!(
            header.contains("d=example.org;") && header.contains("s=ed1;"),
            "{header}"
        );
        let records = dns_records("mail.example.org", "example.org", &keys);
        let text: Vec<String> = records.iter().map(ToString::to_string).collect();
        assert_eq!(text[0], "example.org. IN MX 10 mail.example.org.");
        assert!(text[2].starts_with("ed1._domainkey.example.org. IN TXT \"v=DKIM1; k=ed25519; p="));
        assert!(text[3].starts_with("_dmarc.example.org. IN TXT \"v=DMARC1;"));
    }

    #[test]
    fn long_txt_is_split() {
        let long = "a".repeat(300);
        assert_eq!(
            txt_strings(&long),
            format!("\"{}\" \"{}\"", "a".repeat(255), "a".repeat(45))
        );
    }
}
