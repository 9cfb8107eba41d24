//! A connection that runs TLS or not, and can switch after STARTTLS.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A stream before or after TLS: plaintext, a server side TLS stream, or a client
/// side TLS stream. `Upgrading` stands in while the handshake owns the stream.
#[derive(Debug)]
pub(crate) enum MaybeTls<S> {
    Plain(S),
    Server(Box<tokio_rustls::server::TlsStream<S>>),
    Client(Box<tokio_rustls::client::TlsStream<S>>),
    Upgrading,
}

impl<S> MaybeTls<S> {
    /// Takes the plaintext stream out for a handshake.
    pub(crate) fn take_plain(&mut self) -> io::Result<S> {
        match std::mem::replace(self, Self::Upgrading) {
            Self::Plain(stream) => Ok(stream),
            other => {
                *self = other;
                Err(io::Error::other("TLS is already active"))
            }
        }
    }

    /// The TLS protocol version and cipher suite, for logs and Received headers.
    pub(crate) fn tls_info(&self) -> Option<TlsInfo> {
        let (version, suite, sni) = match self {
            Self::Server(tls) => {
                let conn = tls.get_ref().1;
                (
                    conn.protocol_version(),
                    conn.negotiated_cipher_suite(),
                    conn.server_name().map(str::to_owned),
                )
            }
            Self::Client(tls) => {
                let conn = tls.get_ref().1;
                (
                    conn.protocol_version(),
                    conn.negotiated_cipher_suite(),
                    None,
                )
            }
            _ => return None,
        };
        Some(TlsInfo {
            version: version.map_or_else(|| "TLS".to_owned(), |v| format!("{v:?}")),
            cipher: suite.map_or_else(|| "unknown".to_owned(), |s| format!("{:?}", s.suite())),
            server_name: sni,
        })
    }
}

/// What was negotiated on an encrypted connection.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub struct TlsInfo {
    /// The protocol version (`TLSv1_3`).
    pub version: String,
    /// The cipher suite (`TLS13_AES_256_GCM_SHA384`).
    pub cipher: String,
    /// The name the client asked for (SNI), on the server side.
    pub server_name: Option<String>,
}

fn upgrading() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "stream is being upgraded to TLS",
    )
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for MaybeTls<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Server(s) => Pin::new(s).poll_read(cx, buf),
            Self::Client(s) => Pin::new(s).poll_read(cx, buf),
            Self::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for MaybeTls<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Server(s) => Pin::new(s).poll_write(cx, buf),
            Self::Client(s) => Pin::new(s).poll_write(cx, buf),
            Self::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Server(s) => Pin::new(s).poll_flush(cx),
            Self::Client(s) => Pin::new(s).poll_flush(cx),
            Self::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Server(s) => Pin::new(s).poll_shutdown(cx),
            Self::Client(s) => Pin::new(s).poll_shutdown(cx),
            Self::Upgrading => Poll::Ready(Ok(())),
        }
    }
}

/// A TLS server configuration from a PEM certificate chain and a PEM private key
/// (PKCS#8, PKCS#1 or SEC1), for [`Server::with_starttls`](crate::tokio::Server::with_starttls)
/// and [`Server::with_implicit_tls`](crate::tokio::Server::with_implicit_tls).
///
/// # Errors
///
/// [`Error::Tls`](crate::tokio::Error::Tls) when the PEM holds no certificate or no
/// usable key, or the key does not match.
pub fn server_tls_config(
    cert_chain_pem: &[u8],
    key_pem: &[u8],
) -> Result<std::sync::Arc<rustls::ServerConfig>, crate::tokio::Error> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &str| {
        crate::tokio::Error::Tls(rustls::Error::General(format!(
            "no usable {what} in the PEM"
        )))
    };
    let chain = CertificateDer::pem_slice_iter(cert_chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad("certificate"))?;
    if chain.is_empty() {
        return Err(bad("certificate"));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| bad("private key"))?;
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(crate::tokio::Error::Tls)?;
    Ok(std::sync::Arc::new(config))
}

/// A TLS client configuration that trusts the certificates in `roots_pem` (a private
/// CA, a test certificate). Applications that talk to the Internet build their own
/// `rustls::ClientConfig` with the system or webpki roots.
///
/// # Errors
///
/// [`Error::Tls`](crate::tokio::Error::Tls) when the PEM holds no usable certificate.
pub fn client_tls_config(
    roots_pem: &[u8],
) -> Result<std::sync::Arc<rustls::ClientConfig>, crate::tokio::Error> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(roots_pem) {
        let cert = cert.map_err(|_| {
            crate::tokio::Error::Tls(rustls::Error::General("unreadable certificate PEM".into()))
        })?;
        roots.add(cert).map_err(crate::tokio::Error::Tls)?;
    }
    if roots.is_empty() {
        return Err(crate::tokio::Error::Tls(rustls::Error::General(
            "no certificate in the PEM".into(),
        )));
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(std::sync::Arc::new(config))
}
