//! The public methods every protocol crate's `Server` has, written once.

/// Writes the methods that every protocol crate's `Server` has, the same in the
/// SMTP, IMAP and POP3 crates, into an `impl` block of a type that implements
/// [`Service`](crate::listener::Service) and keeps its [`Edge`](crate::listener::Edge)
/// in a field named `edge`:
///
/// - `tls(Arc<rustls::ServerConfig>)`, `options(Options)`, `observer(Arc<dyn Observer>)`:
///   `&mut self` setters returning `&mut Self`;
/// - `connection_count()`;
/// - `serve(self: Arc<Self>, listener, TlsMode, shutdown)`: the accept loop of
///   [`serve`](crate::listener::serve);
/// - `serve_connection(&self, stream, TlsMode, Stop)`: one connection accepted
///   elsewhere, as [`serve_connection`](crate::listener::serve_connection).
///
/// The argument is the type's connection error (its `Service::Error`).
///
/// ```
/// use mailwright_base::listener::{self, Accepted, Edge, Service};
///
/// struct Quiet {
///     edge: Edge,
/// }
///
/// impl Service for Quiet {
///     type Error = listener::Error;
///     fn edge(&self) -> &Edge {
///         &self.edge
///     }
///     fn refusal(&self) -> Vec<u8> {
///         b"busy\r\n".to_vec()
///     }
///     async fn connection(&self, _: Accepted) -> Result<(), listener::Error> {
///         Ok(())
///     }
/// }
///
/// impl Quiet {
///     mailwright_base::server_methods!(listener::Error);
/// }
///
/// let mut quiet = Quiet { edge: Edge::new() };
/// quiet.options(listener::Options::default());
/// assert_eq!(quiet.connection_count(), 0);
/// ```
#[macro_export]
macro_rules! server_methods {
    ($error:ty) => {
        /// The TLS configuration (see `server_tls_config` for PEM files), for
        /// `TlsMode::Starttls` and `TlsMode::Implicit` listeners.
        pub fn tls(
            &mut self,
            config: ::std::sync::Arc<$crate::listener::__private::ServerConfig>,
        ) -> &mut Self {
            self.edge.set_tls(config);
            self
        }

        /// The listener options, shared by the three protocol crates: connection
        /// limits in total and per IP, handshake and write timeouts, login-failure
        /// delay, shutdown grace.
        pub fn options(&mut self, options: $crate::listener::Options) -> &mut Self {
            self.edge.set_options(options);
            self
        }

        /// Who hears of connections opened, refused and closed (metrics, logs).
        pub fn observer(
            &mut self,
            observer: ::std::sync::Arc<dyn $crate::listener::Observer>,
        ) -> &mut Self {
            self.edge.set_observer(observer);
            self
        }

        /// Connections open now, over every listener of this server.
        pub fn connection_count(&self) -> usize {
            self.edge.connection_count()
        }

        /// Accepts connections on `listener` (plaintext, STARTTLS offered, or
        /// implicit TLS, as `mode` says) until `shutdown` completes; then stops
        /// accepting, asks every session to close in its protocol's way, waits for
        /// them up to the shutdown grace and drops the rest. A connection over a
        /// limit gets the protocol's refusal line. Call once per listener; the limits
        /// count over all of them.
        ///
        /// # Errors
        ///
        /// `InvalidInput` for a TLS mode without [`tls`](Self::tls). Failures of
        /// single connections are not errors (the observer hears of them).
        pub async fn serve(
            self: ::std::sync::Arc<Self>,
            listener: $crate::listener::__private::TcpListener,
            mode: $crate::listener::TlsMode,
            shutdown: impl ::std::future::Future<Output = ()>,
        ) -> ::std::io::Result<()> {
            $crate::listener::serve(self, listener, mode, shutdown).await
        }

        /// Runs one connection accepted elsewhere (a custom accept loop, an inherited
        /// socket) to its end: implicit TLS when `mode` says so, STARTTLS when the
        /// client asks; no connection limit or observer applies. `stop` firing closes
        /// the session in its protocol's way.
        ///
        /// # Errors
        ///
        /// I/O and TLS failures, and the handshake and write timeouts; a client that
        /// simply disconnects is not an error.
        pub async fn serve_connection(
            &self,
            stream: $crate::listener::__private::TcpStream,
            mode: $crate::listener::TlsMode,
            stop: $crate::listener::Stop,
        ) -> ::std::result::Result<(), $error> {
            $crate::listener::serve_connection(self, stream, mode, stop).await
        }
    };
}
