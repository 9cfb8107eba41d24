//! TLS client configurations: one verifying certificates against roots, one accepting
//! any certificate (opportunistic encryption for MX delivery).

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_rustls::TlsConnector;

use super::io::Io;
use crate::status::{Diagnostic, codes};

/// The CA bundle Debian (and most Linux distributions) keep.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The roots of the system bundle (empty when it is missing).
pub(super) fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    if let Ok(pem) = std::fs::read(SYSTEM_BUNDLE) {
        for cert in certificates_from_pem(&pem) {
            let _ = roots.add(cert);
        }
    }
    roots
}

/// The certificates of a PEM file (others sections and bad ones skipped), e.g. to
/// build the roots for [`SmtpTransport::with_roots`](super::SmtpTransport::with_roots).
pub fn certificates_from_pem(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    let mut reader = pem;
    rustls_pemfile::certs(&mut reader).flatten().collect()
}

/// Both client configurations.
#[derive(Clone)]
pub(super) struct TlsConfigs {
    verified: Arc<ClientConfig>,
    unverified: Arc<ClientConfig>,
}

impl fmt::Debug for TlsConfigs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TlsConfigs")
    }
}

impl TlsConfigs {
    pub(super) fn new(roots: RootCertStore) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verified = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map(|builder| builder.with_root_certificates(roots).with_no_client_auth())
            .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"));
        let unverified = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map(|builder| {
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(AnyCertificate { provider }))
                    .with_no_client_auth()
            })
            .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"));
        Self {
            verified: Arc::new(verified),
            unverified: Arc::new(unverified),
        }
    }

    /// Runs a client handshake on a plain stream.
    pub(super) async fn handshake(
        &self,
        io: Io,
        host: &str,
        verify: bool,
    ) -> Result<Io, Diagnostic> {
        let Io::Plain(stream) = io else {
            return Err(Diagnostic::local(
                codes::TLS_UNAVAILABLE,
                "TLS is only available over TCP",
            ));
        };
        let name = ServerName::try_from(host.to_owned()).map_err(|_| {
            Diagnostic::local(
                codes::TLS_UNAVAILABLE,
                &format!("{host} is not a TLS server name"),
            )
        })?;
        let config = if verify {
            &self.verified
        } else {
            &self.unverified
        };
        let connector = TlsConnector::from(Arc::clone(config));
        match connector.connect(name, stream).await {
            Ok(tls) => Ok(Io::Tls(Box::new(tls))),
            Err(error) => Err(Diagnostic::local(
                codes::TLS_UNAVAILABLE,
                &format!("TLS handshake with {host} failed: {error}"),
            )),
        }
    }
}

/// Accepts any certificate; signatures are still checked, so the session key is the
/// server's.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
