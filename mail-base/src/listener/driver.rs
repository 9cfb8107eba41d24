//! A per-connection driver that stops for a TLS upgrade (STARTTLS, `STLS`).

use std::future::Future;

use tokio::net::TcpStream;

use crate::listener::{Edge, Error, MaybeTls};

/// How one run of a [`Driver`] ended.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Outcome {
    /// The session is over.
    Closed,
    /// The session asked for TLS; its answer (`OK Begin TLS`, `+OK`) is flushed.
    StartTls,
}

/// A protocol's per-connection driver that returns when its session asks for TLS,
/// so that [`Edge::drive`] can upgrade the stream in place and run it again.
pub trait Driver: Send {
    /// What ends a connection abnormally.
    type Error: From<Error> + Send;

    /// Moves bytes and answers events until the session closes or asks for TLS.
    fn drive(
        &mut self,
        stream: &mut MaybeTls<TcpStream>,
    ) -> impl Future<Output = Result<Outcome, Self::Error>> + Send;

    /// The handshake succeeded: tell the session (its state resets as the protocol
    /// says).
    fn tls_started(&mut self);
}

impl Edge {
    /// Runs `driver` over `stream` to the end of the connection, upgrading the stream
    /// with the server's TLS configuration (within the handshake timeout) whenever
    /// the session asks for it.
    ///
    /// # Errors
    ///
    /// The driver's errors, and the handshake's ([`Error::NoTls`] without a TLS
    /// configuration).
    pub async fn drive<D: Driver>(
        &self,
        driver: &mut D,
        stream: &mut MaybeTls<TcpStream>,
    ) -> Result<(), D::Error> {
        while driver.drive(stream).await? == Outcome::StartTls {
            self.start_tls(stream).await?;
            driver.tls_started();
        }
        Ok(())
    }
}
