//! The client: connect, upgrade, authenticate, send, over a [`ClientSession`].

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Buf;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, ToSocketAddrs};
use tokio_rustls::TlsConnector;

use crate::client::{
    ClientConfig, ClientCredentials, ClientSession, EnvelopeResult, Event, MessageResult,
};
use mailwright_base::listener::MaybeTls;

use crate::tokio::io::{Io, Pump, arm};
use crate::tokio::{Error, TlsInfo, now};
use crate::types::{Capabilities, Envelope};

/// The outcome of [`Client::send`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// The replies to the envelope.
    pub envelope: EnvelopeResult,
    /// The replies to the message, when a body was sent.
    pub message: Option<MessageResult>,
}

impl Delivery {
    /// Whether at least one recipient accepted the message and none of the accepted
    /// ones refused it afterwards.
    pub fn is_success(&self) -> bool {
        self.message.as_ref().is_some_and(MessageResult::is_success)
    }
}

/// An SMTP or LMTP client connection driven over tokio.
///
/// ```no_run
/// use mailwright_smtp::client::ClientConfig;
/// use mailwright_smtp::tokio::Client;
/// use mailwright_smtp::{Envelope, ForwardPath, Mailbox, ReversePath};
///
/// # async fn send() -> Result<(), Box<dyn std::error::Error>> {
/// let mut client = Client::connect("127.0.0.1:2525", ClientConfig::default()).await?;
/// let mut envelope = Envelope::new(ReversePath::Mailbox(Mailbox::try_from("a@example.org")?));
/// envelope.add_recipient(ForwardPath::Mailbox(Mailbox::try_from("b@example.org")?));
/// let delivery = client.send_bytes(&envelope, b"Subject: hi\r\n\r\nHello\r\n").await?;
/// assert!(delivery.is_success());
/// client.quit().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Client<S> {
    stream: MaybeTls<S>,
    session: ClientSession,
    pump: Pump,
    write_timeout: Duration,
}

impl Client<TcpStream> {
    /// Connects over TCP and waits for the greeting and the EHLO reply.
    ///
    /// # Errors
    ///
    /// Connection failures, a refused greeting or EHLO, timeouts.
    pub async fn connect(addr: impl ToSocketAddrs, config: ClientConfig) -> Result<Self, Error> {
        let stream = TcpStream::connect(addr).await?;
        let _ = stream.set_nodelay(true);
        Self::start(stream, config).await
    }

    /// Connects with implicit TLS (port 465, RFC 8314).
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect), and TLS handshake failures.
    pub async fn connect_tls(
        addr: impl ToSocketAddrs,
        config: ClientConfig,
        tls: Arc<rustls::ClientConfig>,
        server_name: ServerName<'static>,
    ) -> Result<Self, Error> {
        let stream = TcpStream::connect(addr).await?;
        let _ = stream.set_nodelay(true);
        let mut client = Self::new(MaybeTls::plain(stream), ClientSession::new_tls(config));
        client
            .stream
            .connect_tls(&TlsConnector::from(tls), server_name, client.write_timeout)
            .await?;
        client.until_ready().await?;
        Ok(client)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Client<S> {
    /// Runs a client over a connected stream: waits for the greeting and the EHLO
    /// reply.
    ///
    /// # Errors
    ///
    /// A refused greeting or EHLO, I/O failures, timeouts.
    pub async fn start(stream: S, config: ClientConfig) -> Result<Self, Error> {
        let mut client = Self::new(MaybeTls::plain(stream), ClientSession::new(config));
        client.until_ready().await?;
        Ok(client)
    }

    fn new(stream: MaybeTls<S>, session: ClientSession) -> Self {
        Self {
            stream,
            session,
            pump: Pump::new(16 * 1024),
            write_timeout: Duration::from_secs(180),
        }
    }

    /// The timeout for writing body data (RFC 5321 section 4.5.3.2.5: 3 minutes per
    /// data block, the default); it also bounds a TLS handshake.
    pub fn set_write_timeout(&mut self, timeout: Duration) {
        self.write_timeout = timeout;
    }

    /// What the server offers.
    pub fn capabilities(&self) -> &Capabilities {
        self.session.capabilities()
    }

    /// The session, for its getters.
    pub fn session(&self) -> &ClientSession {
        &self.session
    }

    /// What TLS negotiated, when the connection is encrypted.
    pub fn tls_info(&self) -> Option<TlsInfo> {
        self.stream.tls_info()
    }

    /// Upgrades with STARTTLS (RFC 3207) and sends EHLO again.
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] when the server does not offer STARTTLS, [`Error::Rejected`]
    /// when it refuses, TLS failures.
    pub async fn starttls(
        &mut self,
        tls: Arc<rustls::ClientConfig>,
        server_name: ServerName<'static>,
    ) -> Result<(), Error> {
        self.session.start_tls()?;
        loop {
            match self.next_event().await? {
                Event::StartTls => break,
                Event::StartTlsRejected(reply) => return Err(Error::Rejected(reply)),
                _ => {}
            }
        }
        self.pump
            .flush(&mut self.stream, self.write_timeout)
            .await?;
        self.pump.leftover.clear();
        self.stream
            .connect_tls(&TlsConnector::from(tls), server_name, self.write_timeout)
            .await?;
        self.session.tls_started();
        self.until_ready().await
    }

    /// Authenticates with PLAIN (or LOGIN).
    ///
    /// # Errors
    ///
    /// [`Error::Rejected`] with the server's reply for wrong credentials;
    /// [`Error::Usage`] when neither mechanism is offered.
    pub async fn authenticate(&mut self, credentials: ClientCredentials) -> Result<(), Error> {
        self.session.authenticate(credentials)?;
        loop {
            match self.next_event().await? {
                Event::Authenticated => return Ok(()),
                Event::AuthRejected(reply) => return Err(Error::Rejected(reply)),
                _ => {}
            }
        }
    }

    /// Sends one message whose body is in memory.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_bytes(
        &mut self,
        envelope: &Envelope<'_>,
        body: &[u8],
    ) -> Result<Delivery, Error> {
        self.send(envelope, body).await
    }

    /// Sends one message, streaming its body from `body`; the body's line endings are
    /// normalized and it is dot-stuffed or chunked as the server allows. The session
    /// stays open for the next message. Refusals are in the [`Delivery`], not errors.
    ///
    /// # Errors
    ///
    /// I/O failures, timeouts, a session failure (`421`, malformed replies), or
    /// [`Error::Usage`] for an envelope the server cannot take (SMTPUTF8 not offered).
    pub async fn send(
        &mut self,
        envelope: &Envelope<'_>,
        mut body: impl AsyncRead + Unpin,
    ) -> Result<Delivery, Error> {
        self.session.send_envelope(envelope)?;
        let envelope_result = loop {
            if let Event::EnvelopeResult(result) = self.next_event().await? {
                break result;
            }
        };
        if !envelope_result.body_expected() {
            return Ok(Delivery {
                envelope: envelope_result,
                message: None,
            });
        }
        let mut buf = vec![0; 64 * 1024];
        loop {
            while !self.session.wants_body() {
                self.pump_once().await?;
            }
            let n = body.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            self.session.send_body(&buf[..n])?;
        }
        self.session.finish_body()?;
        let message = loop {
            if let Event::MessageResult(result) = self.next_event().await? {
                break result;
            }
        };
        Ok(Delivery {
            envelope: envelope_result,
            message: Some(message),
        })
    }

    /// Sends `QUIT`, waits for the `221` and closes the connection.
    ///
    /// # Errors
    ///
    /// I/O failures; a server that closes without `221` is not an error.
    pub async fn quit(mut self) -> Result<(), Error> {
        self.session.quit()?;
        while !self.session.is_closed() {
            match self.next_event().await {
                Ok(_) => {}
                Err(Error::Closed) => break,
                Err(error) => return Err(error),
            }
        }
        let _ = self.stream.shutdown().await;
        Ok(())
    }

    async fn until_ready(&mut self) -> Result<(), Error> {
        loop {
            if let Event::Ready = self.next_event().await? {
                return Ok(());
            }
        }
    }

    /// The next event; failures of the session become errors.
    async fn next_event(&mut self) -> Result<Event, Error> {
        loop {
            match self.session.poll_event() {
                Some(Event::Failed(failure)) => return Err(failure.into()),
                Some(event) => return Ok(event),
                None if self.session.is_closed() => return Err(Error::Closed),
                None => self.pump_once().await?,
            }
        }
    }

    /// Writes pending output and reads what comes, once.
    async fn pump_once(&mut self) -> Result<(), Error> {
        let _ = self.session.poll_output(&mut self.pump.out);
        if !self.pump.leftover.is_empty() && self.session.wants_input() {
            let taken = self.session.handle_input(&self.pump.leftover);
            self.pump.leftover.advance(taken);
            return Ok(());
        }
        self.session.handle_timeout(now());
        let write_deadline = (!self.pump.out.is_empty()).then(|| now() + self.write_timeout);
        let mut sleep = pin!(tokio::time::sleep(Duration::from_secs(1)));
        arm(
            sleep.as_mut(),
            &[self.session.poll_timeout(), write_deadline],
        );
        let read = self.session.wants_input();
        match self
            .pump
            .step(&mut self.stream, read, sleep.as_mut(), None)
            .await?
        {
            Io::Wrote | Io::Stop => {}
            Io::Read(0) => self.session.handle_eof(),
            Io::Read(n) => {
                let taken = self.session.handle_input(&self.pump.scratch[..n]);
                if taken < n {
                    self.pump
                        .leftover
                        .extend_from_slice(&self.pump.scratch[taken..n]);
                }
            }
            Io::Timer => {
                if write_deadline.is_some_and(|deadline| now() >= deadline) {
                    return Err(mailwright_base::listener::Error::WriteTimeout.into());
                }
                self.session.handle_timeout(now());
            }
        }
        Ok(())
    }
}
