//! A connection that runs TLS or not, and can switch after STARTTLS.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::listener::Error;

/// A stream before or after TLS: plaintext, or a server or client side TLS session
/// over it. [`accept_tls`](Self::accept_tls) and [`connect_tls`](Self::connect_tls)
/// upgrade it in place (implicit TLS, STARTTLS, `STLS`), so a driver keeps one stream
/// for the whole connection.
#[derive(Debug)]
pub struct MaybeTls<S>(Inner<S>);

#[derive(Debug)]
enum Inner<S> {
    Plain(S),
    Server(Box<tokio_rustls::server::TlsStream<S>>),
    Client(Box<tokio_rustls::client::TlsStream<S>>),
    /// Stands in while a handshake owns the stream, and after one failed.
    Upgrading,
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

impl<S> MaybeTls<S> {
    /// A plaintext stream.
    pub fn plain(stream: S) -> Self {
        Self(Inner::Plain(stream))
    }

    /// Whether TLS is running.
    pub fn is_tls(&self) -> bool {
        matches!(self.0, Inner::Server(_) | Inner::Client(_))
    }

    /// The stream under TLS (or the plaintext stream); `None` after a failed
    /// handshake.
    pub fn get_ref(&self) -> Option<&S> {
        match &self.0 {
            Inner::Plain(stream) => Some(stream),
            Inner::Server(tls) => Some(tls.get_ref().0),
            Inner::Client(tls) => Some(tls.get_ref().0),
            Inner::Upgrading => None,
        }
    }

    /// The TLS protocol version, cipher suite and SNI name, for logs and `Received`
    /// headers; `None` on a plaintext stream.
    pub fn tls_info(&self) -> Option<TlsInfo> {
        let (version, suite, sni) = match &self.0 {
            Inner::Server(tls) => {
                let conn = tls.get_ref().1;
                (
                    conn.protocol_version(),
                    conn.negotiated_cipher_suite(),
                    conn.server_name().map(str::to_owned),
                )
            }
            Inner::Client(tls) => {
                let conn = tls.get_ref().1;
                (
                    conn.protocol_version(),
                    conn.negotiated_cipher_suite(),
                    None,
                )
            }
            Inner::Plain(_) | Inner::Upgrading => return None,
        };
        Some(TlsInfo {
            version: version.map_or_else(|| "TLS".to_owned(), |v| format!("{v:?}")),
            cipher: suite.map_or_else(|| "unknown".to_owned(), |s| format!("{:?}", s.suite())),
            server_name: sni,
        })
    }

    /// Takes the plaintext stream out for a handshake.
    fn take_plain(&mut self) -> Result<S, Error> {
        match std::mem::replace(&mut self.0, Inner::Upgrading) {
            Inner::Plain(stream) => Ok(stream),
            other => {
                self.0 = other;
                Err(Error::Io(io::Error::other("TLS is already active")))
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> MaybeTls<S> {
    /// Runs the server side of a TLS handshake within `timeout` (implicit TLS, or
    /// after the protocol's STARTTLS answer was flushed).
    ///
    /// # Errors
    ///
    /// [`Error::HandshakeTimeout`], [`Error::Tls`] for a failed handshake,
    /// [`Error::Io`]; the stream is unusable afterwards.
    pub async fn accept_tls(
        &mut self,
        acceptor: &TlsAcceptor,
        timeout: Duration,
    ) -> Result<(), Error> {
        let plain = self.take_plain()?;
        let tls = tokio::time::timeout(timeout, acceptor.accept(plain))
            .await
            .map_err(|_| Error::HandshakeTimeout)?
            .map_err(Error::from_handshake)?;
        self.0 = Inner::Server(Box::new(tls));
        Ok(())
    }

    /// Runs the client side of a TLS handshake within `timeout`.
    ///
    /// # Errors
    ///
    /// As [`accept_tls`](Self::accept_tls).
    pub async fn connect_tls(
        &mut self,
        connector: &TlsConnector,
        server_name: ServerName<'static>,
        timeout: Duration,
    ) -> Result<(), Error> {
        let plain = self.take_plain()?;
        let tls = tokio::time::timeout(timeout, connector.connect(server_name, plain))
            .await
            .map_err(|_| Error::HandshakeTimeout)?
            .map_err(Error::from_handshake)?;
        self.0 = Inner::Client(Box::new(tls));
        Ok(())
    }
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
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Server(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Client(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for MaybeTls<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Inner::Server(s) => Pin::new(s).poll_write(cx, buf),
            Inner::Client(s) => Pin::new(s).poll_write(cx, buf),
            Inner::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Inner::Server(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Inner::Client(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Inner::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.0 {
            Inner::Plain(s) => s.is_write_vectored(),
            Inner::Server(s) => s.is_write_vectored(),
            Inner::Client(s) => s.is_write_vectored(),
            Inner::Upgrading => false,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_flush(cx),
            Inner::Server(s) => Pin::new(s).poll_flush(cx),
            Inner::Client(s) => Pin::new(s).poll_flush(cx),
            Inner::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Server(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Client(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Upgrading => Poll::Ready(Ok(())),
        }
    }
}
