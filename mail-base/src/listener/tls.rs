//! TLS per listener, and rustls configurations from PEM.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// How a listener runs TLS; one server can serve listeners of every mode.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash)]
pub enum TlsMode {
    /// Plaintext; the protocol's upgrade (SMTP `STARTTLS`, IMAP `STARTTLS`, POP3
    /// `STLS`) is not offered.
    Plain,
    /// Plaintext with the upgrade offered (ports 25, 587, 143, 110). Needs the
    /// server's TLS configuration.
    Starttls,
    /// TLS from the first byte (ports 465, 993, 995; RFC 8314). Needs the server's
    /// TLS configuration.
    Implicit,
}

impl TlsMode {
    /// Whether this mode needs a TLS configuration.
    pub fn needs_tls(self) -> bool {
        self != Self::Plain
    }
}

fn crypto() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A rustls server configuration (ring provider, TLS 1.2 and 1.3) from a PEM
/// certificate chain and a PEM private key (PKCS#8, PKCS#1 or SEC1).
///
/// # Errors
///
/// The PEM holds no certificate or no usable key, or the key does not match.
pub fn server_tls_config(
    cert_chain_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    let chain = CertificateDer::pem_slice_iter(cert_chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| rustls::Error::General("cannot read the certificate PEM".into()))?;
    if chain.is_empty() {
        return Err(rustls::Error::General("no certificate in the PEM".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|_| rustls::Error::General("cannot read the private key PEM".into()))?;
    rustls::ServerConfig::builder_with_provider(crypto())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map(Arc::new)
}

/// A rustls client configuration that trusts the certificates in `roots_pem` (a
/// private CA, a test certificate). Clients that talk to the Internet build their
/// own `rustls::ClientConfig` with the system or webpki roots.
///
/// # Errors
///
/// The PEM holds no usable certificate.
pub fn client_tls_config(roots_pem: &[u8]) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(roots_pem) {
        let cert =
            cert.map_err(|_| rustls::Error::General("cannot read the certificate PEM".into()))?;
        roots.add(cert)?;
    }
    if roots.is_empty() {
        return Err(rustls::Error::General("no certificate in the PEM".into()));
    }
    Ok(Arc::new(
        rustls::ClientConfig::builder_with_provider(crypto())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}
