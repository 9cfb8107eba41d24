//! The part of a protocol server every protocol shares: options, TLS, connection
//! counts and the observer.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;

use crate::listener::{ConnectionLimits, Error, MaybeTls, Observer, Options};

/// What a protocol crate's `Server` holds for the shared listener code: the
/// [`Options`], the TLS configuration, the [`ConnectionLimits`] (counted over every
/// listener the server serves) and the [`Observer`].
///
/// Protocol crates keep one in their `Server` and hand it out through
/// [`Service::edge`](crate::listener::Service::edge); applications configure it
/// through the `Server`'s setters.
pub struct Edge {
    options: Options,
    limits: Arc<ConnectionLimits>,
    acceptor: Option<TlsAcceptor>,
    observer: Option<Arc<dyn Observer>>,
}

impl Edge {
    /// Default [`Options`], no TLS, no observer.
    pub fn new() -> Self {
        let options = Options::default();
        Self {
            limits: limits(&options),
            options,
            acceptor: None,
            observer: None,
        }
    }

    /// Replaces the options (and with them the connection limits; set them before
    /// serving).
    pub fn set_options(&mut self, options: Options) {
        self.limits = limits(&options);
        self.options = options;
    }

    /// The TLS configuration for implicit TLS and STARTTLS.
    pub fn set_tls(&mut self, config: Arc<rustls::ServerConfig>) {
        self.acceptor = Some(TlsAcceptor::from(config));
    }

    /// Who is told about connections.
    pub fn set_observer(&mut self, observer: Arc<dyn Observer>) {
        self.observer = Some(observer);
    }

    /// Whether a TLS configuration is set.
    pub fn has_tls(&self) -> bool {
        self.acceptor.is_some()
    }

    /// [`Options::write_timeout`].
    pub fn write_timeout(&self) -> Duration {
        self.options.write_timeout
    }

    /// [`Options::login_failure_delay`].
    pub fn login_failure_delay(&self) -> Duration {
        self.options.login_failure_delay
    }

    /// Connections open now, over every listener.
    pub fn connection_count(&self) -> usize {
        self.limits.count()
    }

    /// Runs the server side of the TLS handshake on `stream` within the handshake
    /// timeout (after the protocol's answer to STARTTLS was flushed).
    ///
    /// # Errors
    ///
    /// [`Error::NoTls`] without a TLS configuration, else as
    /// [`MaybeTls::accept_tls`].
    pub async fn start_tls<S>(&self, stream: &mut MaybeTls<S>) -> Result<(), Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let acceptor = self.acceptor.as_ref().ok_or(Error::NoTls)?;
        stream
            .accept_tls(acceptor, self.options.handshake_timeout)
            .await
    }

    pub(crate) fn limits(&self) -> &Arc<ConnectionLimits> {
        &self.limits
    }

    pub(crate) fn observer(&self) -> Option<&Arc<dyn Observer>> {
        self.observer.as_ref()
    }

    pub(crate) fn shutdown_grace(&self) -> Duration {
        self.options.shutdown_grace
    }
}

fn limits(options: &Options) -> Arc<ConnectionLimits> {
    ConnectionLimits::new(options.max_connections, options.max_connections_per_ip)
}

impl Default for Edge {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Edge")
            .field("options", &self.options)
            .field("tls", &self.acceptor.is_some())
            .field("connections", &self.limits.count())
            .field("observer", &self.observer.is_some())
            .finish()
    }
}
