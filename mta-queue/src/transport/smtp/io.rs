//! The byte stream under a session: plain TCP, TLS over TCP, or a unix socket.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream, UnixStream};
use tokio_rustls::client::TlsStream;

/// A connection's stream.
#[derive(Debug)]
pub(super) enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Unix(UnixStream),
    /// Taken for a TLS handshake that failed.
    Closed,
}

impl Io {
    pub(super) async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(stream) => stream.read(buf).await,
            Self::Tls(stream) => stream.read(buf).await,
            Self::Unix(stream) => stream.read(buf).await,
            Self::Closed => Ok(0),
        }
    }

    pub(super) async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Self::Plain(stream) => stream.write_all(bytes).await,
            Self::Tls(stream) => {
                stream.write_all(bytes).await?;
                stream.flush().await
            }
            Self::Unix(stream) => stream.write_all(bytes).await,
            Self::Closed => Err(io::Error::from(io::ErrorKind::NotConnected)),
        }
    }

    pub(super) async fn shutdown(&mut self) {
        let _ = match self {
            Self::Plain(stream) => stream.shutdown().await,
            Self::Tls(stream) => stream.shutdown().await,
            Self::Unix(stream) => stream.shutdown().await,
            Self::Closed => Ok(()),
        };
    }
}

/// Connects to `addr`, from `source` when given (bound before connecting).
pub(super) async fn connect_tcp(
    addr: SocketAddr,
    source: Option<IpAddr>,
    timeout: Duration,
) -> io::Result<Io> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    if let Some(source) = source {
        socket.bind(SocketAddr::new(source, 0))?;
    }
    let stream = tokio::time::timeout(timeout, socket.connect(addr))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
    stream.set_nodelay(true)?;
    Ok(Io::Plain(stream))
}

/// Connects to a unix socket.
pub(super) async fn connect_unix(path: &Path) -> io::Result<Io> {
    UnixStream::connect(path).await.map(Io::Unix)
}
