//! TLS: the certificate from the configuration, or a self-signed one made at first
//! start in the data folder; one rustls server configuration for every listener.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::{Config, TlsFiles};
use crate::data::{DataDir, write_private};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The PEM holds no certificate or no usable key.
    #[error("{path}: {problem}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is missing.
        problem: &'static str,
    },
    /// The self-signed certificate could not be made.
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the certificate and key.
    #[error("certificate and key refused: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The certificate and key files to use: the configured ones, or the self-signed pair
/// in the data folder, made now if missing. Returns whether it was made now.
///
/// # Errors
/// [`TlsError`].
pub fn ensure_certificate(config: &Config, data: &DataDir) -> Result<(TlsFiles, bool), TlsError> {
    if let Some(files) = &config.tls {
        return Ok((files.clone(), false));
    }
    let cert = data.tls().join("cert.pem");
    let key = data.tls().join("key.pem");
    if cert.is_file() && key.is_file() {
        return Ok((TlsFiles { cert, key }, false));
    }
    let mut names = vec![config.hostname.clone(), "localhost".to_owned()];
    names.dedup();
    let made = rcgen::generate_simple_self_signed(names)?;
    let io = |path: &PathBuf| {
        let path = path.clone();
        move |source| TlsError::Io { path, source }
    };
    write_private(&key, made.signing_key.serialize_pem().as_bytes()).map_err(io(&key))?;
    std::fs::write(&cert, made.cert.pem()).map_err(io(&cert))?;
    Ok((TlsFiles { cert, key }, true))
}

/// A rustls server configuration from PEM files.
///
/// # Errors
/// [`TlsError`].
pub fn server_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|source| TlsError::Io {
            path: path.clone(),
            source,
        })
    };
    let cert_pem = read(&files.cert)?;
    let key_pem = read(&files.key)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .ok()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| TlsError::Pem {
            path: files.cert.clone(),
            problem: "no certificate in the PEM file",
        })?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| TlsError::Pem {
        path: files.key.clone(),
        problem: "no private key in the PEM file",
    })?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}
