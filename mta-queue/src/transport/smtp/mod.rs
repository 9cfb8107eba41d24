//! The SMTP/LMTP transport: smtp-proto's sans-IO [`ClientSession`] driven over tokio
//! sockets, with STARTTLS and implicit TLS through tokio-rustls.
//!
//! One [`SmtpConnection`] is one session: greeting, EHLO (or LHLO), STARTTLS when
//! offered (required per route), AUTH for relays, then any number of transactions
//! (pipelined envelope, DATA or BDAT, per-recipient replies in LMTP; the session sends
//! RSET itself after a failed transaction), then QUIT. The client session is written
//! to be driven exactly like this; see `ClientSession`'s calling protocol.
//!
//! Certificates are verified against the system's roots (the Debian bundle at
//! `/etc/ssl/certs/ca-certificates.crt`) or the roots given to
//! [`SmtpTransport::with_roots`], when the route asks for it (relays always do); MX
//! delivery with opportunistic STARTTLS accepts any certificate by default (RFC 7435:
//! unauthenticated encryption beats none).

mod io;
mod tls;

use std::time::Duration;

use bytes::BytesMut;
use mailwright_smtp::client::{ClientConfig, ClientCredentials, ClientSession, Event, Failure};
use mailwright_smtp::server::Protocol as WireProtocol;
use mailwright_smtp::{
    BodyType, EnhancedStatusCode, ForwardPath, Host, RcptParameters, Reply, ReplyClass,
};

use crate::scheduler::RcptOutcome;
use crate::status::{Diagnostic, codes};
use crate::transport::{
    ConnectError, ConnectRequest, Connection, Endpoint, OutgoingMessage, Protocol, SessionError,
    TlsRequirement, Transport,
};
use io::Io;
pub use rustls::RootCertStore;
pub use tls::certificates_from_pem;

/// Delivers over SMTP or LMTP. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SmtpTransport {
    tls: tls::TlsConfigs,
    connect_timeout: Duration,
    io_timeout: Duration,
}

impl SmtpTransport {
    /// A transport that verifies certificates (where asked) against the system's
    /// roots.
    pub fn new() -> Self {
        Self::with_roots(tls::system_roots())
    }

    /// A transport that verifies certificates against `roots` (tests use their own CA).
    pub fn with_roots(roots: RootCertStore) -> Self {
        Self {
            tls: tls::TlsConfigs::new(roots),
            connect_timeout: Duration::from_secs(30),
            io_timeout: Duration::from_secs(300),
        }
    }

    /// How long to wait for a TCP connection (30 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The longest wait for any read or write on a session (300 s by default; the
    /// session's own RFC 5321 reply timeouts apply within it).
    pub fn io_timeout(mut self, timeout: Duration) -> Self {
        self.io_timeout = timeout;
        self
    }
}

impl Default for SmtpTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl Transport for SmtpTransport {
    type Connection = SmtpConnection;

    async fn connect(&self, request: &ConnectRequest) -> Result<SmtpConnection, ConnectError> {
        let io = match &request.endpoint {
            Endpoint::Tcp(addr) => io::connect_tcp(*addr, request.source, self.connect_timeout)
                .await
                .map_err(|error| {
                    ConnectError::new(Diagnostic::local(
                        codes::NO_ANSWER,
                        &format!("connect to {addr}: {error}"),
                    ))
                })?,
            Endpoint::Unix(path) => io::connect_unix(path).await.map_err(|error| {
                ConnectError::new(Diagnostic::local(
                    codes::NO_ANSWER,
                    &format!("connect to {}: {error}", path.display()),
                ))
            })?,
        };
        let hello = Host::try_from(request.ehlo.clone())
            .unwrap_or_else(|_| Host::try_from("localhost").unwrap_or_else(|_| unreachable!()));
        let mut config = ClientConfig::new(hello);
        if request.protocol == Protocol::Lmtp {
            config.protocol(WireProtocol::Lmtp);
        }
        let mut connection = SmtpConnection {
            session: ClientSession::new(config.clone()),
            io,
            out: BytesMut::with_capacity(16 * 1024),
            pending: Vec::new(),
            protocol: request.protocol,
            dsn: false,
            io_timeout: self.io_timeout,
        };
        let verify = request.verify_certificates;
        if request.tls == TlsRequirement::Implicit {
            connection.io = self
                .tls
                .handshake(connection.io, &request.host, verify)
                .await
                .map_err(ConnectError::new)?;
            connection.session = ClientSession::new_tls(config);
        }
        connection.wait_ready().await?;

        let offered = connection.session.capabilities().starttls();
        let wants_tls = matches!(
            request.tls,
            TlsRequirement::StartTlsRequired | TlsRequirement::Opportunistic
        );
        if wants_tls && !connection.session.tls_active() {
            if offered {
                connection
                    .starttls(&self.tls, &request.host, verify, request.tls)
                    .await?;
            } else if request.tls == TlsRequirement::StartTlsRequired {
                return Err(ConnectError::new(Diagnostic::local(
                    codes::TLS_UNAVAILABLE,
                    "TLS is required, but the server does not offer STARTTLS",
                )));
            }
        }
        if let Some(credentials) = &request.auth {
            if !connection.session.tls_active() {
                return Err(ConnectError::new(Diagnostic::local(
                    codes::TLS_UNAVAILABLE,
                    "refusing to send AUTH credentials without TLS",
                )));
            }
            connection.authenticate(credentials).await?;
        }
        connection.dsn = connection.session.capabilities().dsn();
        Ok(connection)
    }
}

/// One SMTP or LMTP session ready for transactions.
#[derive(Debug)]
pub struct SmtpConnection {
    session: ClientSession,
    io: Io,
    out: BytesMut,
    /// Bytes read and not yet taken by the session.
    pending: Vec<u8>,
    protocol: Protocol,
    dsn: bool,
    io_timeout: Duration,
}

impl SmtpConnection {
    /// Writes whatever the session has to send.
    async fn flush(&mut self) -> Result<(), SessionError> {
        loop {
            self.out.clear();
            if self.session.poll_output(&mut self.out) == 0 {
                return Ok(());
            }
            let write = self.io.write_all(&self.out);
            match tokio::time::timeout(self.io_timeout, write).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => return Err(broken(&format!("write failed: {error}"))),
                Err(_) => return Err(broken("write timed out")),
            }
        }
    }

    /// Drives the session until it reports the next event.
    async fn next_event(&mut self) -> Result<Event, SessionError> {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            self.flush().await?;
            self.tick();
            if let Some(event) = self.session.poll_event() {
                return Ok(event);
            }
            if self.session.is_closed() {
                return Err(broken("the session closed"));
            }
            if !self.pending.is_empty() {
                let taken = self.session.handle_input(&self.pending);
                self.pending.drain(..taken);
                if taken > 0 {
                    continue;
                }
            }
            if !self.session.wants_input() {
                return Err(broken("the session expects nothing"));
            }
            match tokio::time::timeout(self.io_timeout, self.io.read(&mut buf)).await {
                Ok(Ok(0)) => self.session.handle_eof(),
                Ok(Ok(n)) => {
                    let taken = if self.pending.is_empty() {
                        self.session.handle_input(&buf[..n])
                    } else {
                        0
                    };
                    self.pending.extend_from_slice(&buf[taken..n]);
                }
                Ok(Err(error)) => return Err(broken(&format!("read failed: {error}"))),
                Err(_) => {
                    self.tick();
                    return Err(broken("timed out waiting for the server"));
                }
            }
        }
    }

    /// Lets the session check its reply deadlines.
    fn tick(&mut self) {
        // The tokio edge is where the clock is read; the session itself never does.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::Instant::now();
        self.session.handle_timeout(now);
    }

    /// Waits for the greeting and the EHLO/LHLO answer.
    async fn wait_ready(&mut self) -> Result<(), ConnectError> {
        loop {
            match self
                .next_event()
                .await
                .map_err(|e| ConnectError::new(e.diagnostic))?
            {
                Event::Ready => return Ok(()),
                Event::Failed(failure) => {
                    return Err(ConnectError::new(failure_diagnostic(&failure)));
                }
                _ => {}
            }
        }
    }

    async fn starttls(
        &mut self,
        tls: &tls::TlsConfigs,
        host: &str,
        verify: bool,
        requirement: TlsRequirement,
    ) -> Result<(), ConnectError> {
        self.session.start_tls().map_err(|error| {
            ConnectError::new(Diagnostic::local(
                codes::TLS_UNAVAILABLE,
                &format!("STARTTLS: {error}"),
            ))
        })?;
        loop {
            match self
                .next_event()
                .await
                .map_err(|e| ConnectError::new(e.diagnostic))?
            {
                Event::StartTls => {
                    self.flush()
                        .await
                        .map_err(|e| ConnectError::new(e.diagnostic))?;
                    let plain = std::mem::replace(&mut self.io, Io::Closed);
                    self.io = tls
                        .handshake(plain, host, verify)
                        .await
                        .map_err(ConnectError::new)?;
                    self.pending.clear();
                    self.session.tls_started();
                }
                Event::Ready => return Ok(()),
                Event::StartTlsRejected(reply) => {
                    if requirement == TlsRequirement::StartTlsRequired {
                        let mut diagnostic = reply_diagnostic(&reply);
                        diagnostic.status = codes::TLS_UNAVAILABLE;
                        return Err(ConnectError::new(diagnostic));
                    }
                    return Ok(());
                }
                Event::Failed(failure) => {
                    return Err(ConnectError::new(failure_diagnostic(&failure)));
                }
                _ => {}
            }
        }
    }

    async fn authenticate(
        &mut self,
        credentials: &crate::route::Credentials,
    ) -> Result<(), ConnectError> {
        let credentials =
            ClientCredentials::new(credentials.username.clone(), credentials.password());
        self.session.authenticate(credentials).map_err(|error| {
            ConnectError::new(Diagnostic::local(
                EnhancedStatusCode::MAIL_SYSTEM_OTHER,
                &format!("AUTH: {error}"),
            ))
        })?;
        loop {
            match self
                .next_event()
                .await
                .map_err(|e| ConnectError::new(e.diagnostic))?
            {
                Event::Authenticated => return Ok(()),
                Event::AuthRejected(reply) => {
                    // A refused login is a configuration problem: defer, do not bounce
                    // every message (Postfix's smtp_sasl_auth_soft_bounce).
                    let mut diagnostic = reply_diagnostic(&reply);
                    diagnostic.status = diagnostic.status.with_class(ReplyClass::TransientNegative);
                    return Err(ConnectError::new(diagnostic));
                }
                Event::Failed(failure) => {
                    return Err(ConnectError::new(failure_diagnostic(&failure)));
                }
                _ => {}
            }
        }
    }

    /// Feeds the body while the session takes it, then ends it.
    async fn send_body(&mut self, body: &[u8]) -> Result<(), SessionError> {
        const PIECE: usize = 64 * 1024;
        let mut rest = body;
        while !rest.is_empty() {
            if self.session.wants_body() {
                let take = rest.len().min(PIECE);
                self.session
                    .send_body(&rest[..take])
                    .map_err(|error| broken(&format!("body: {error}")))?;
                rest = &rest[take..];
            } else {
                self.flush().await?;
                if !self.session.wants_body() {
                    // Nothing left to write and still no room: the body was refused.
                    break;
                }
            }
        }
        self.session
            .finish_body()
            .map_err(|error| broken(&format!("body: {error}")))
    }
}

impl Connection for SmtpConnection {
    async fn send(
        &mut self,
        message: OutgoingMessage<'_>,
    ) -> Result<Vec<RcptOutcome>, SessionError> {
        let count = message.recipients.len();
        let mut outcomes: Vec<Option<RcptOutcome>> = vec![None; count];
        let queued = message.envelope;
        let mut envelope = mailwright_smtp::Envelope::new(queued.sender.clone());
        envelope.mail_params.size = Some(message.body.len() as u64);
        if self.dsn {
            envelope.mail_params.ret = queued.ret;
            envelope.mail_params.envid = queued.envid.clone().map(Into::into);
        }
        // BODY= and SMTPUTF8 are passed on where the server offers them (without, the
        // message goes as before: the client session adds SMTPUTF8 for addresses that
        // need it, and refuses the envelope if the server lacks it).
        let caps = self.session.capabilities();
        envelope.mail_params.body = queued.body.filter(|body| match body {
            BodyType::BinaryMime => caps.binarymime() && caps.chunking(),
            _ => caps.eight_bit_mime(),
        });
        envelope.mail_params.smtputf8 = queued.smtputf8 && caps.smtputf8();
        // Envelope position -> index into `message.recipients`.
        let mut sent: Vec<usize> = Vec::with_capacity(count);
        for (i, rcpt) in message.recipients.iter().enumerate() {
            let mut params = RcptParameters::default();
            if self.dsn {
                params.notify = rcpt.notify;
                params.orcpt.clone_from(&rcpt.orcpt);
            }
            envelope
                .recipients
                .push(mailwright_smtp::Recipient::with_params(
                    ForwardPath::Mailbox(rcpt.address.clone()),
                    params,
                ));
            sent.push(i);
        }
        if sent.is_empty() {
            return Ok(outcomes.into_iter().map(finish).collect());
        }
        if let Err(error) = self.session.send_envelope(&envelope) {
            let diagnostic = Diagnostic::local(
                EnhancedStatusCode::INVALID_ARGUMENTS,
                &format!("the server cannot take this envelope: {error}"),
            );
            for &i in &sent {
                outcomes[i] = Some(RcptOutcome::Failed(diagnostic.clone()));
            }
            return Ok(outcomes.into_iter().map(finish).collect());
        }
        let result = loop {
            match self.next_event().await? {
                Event::EnvelopeResult(result) => break result,
                Event::Failed(failure) => {
                    return Err(SessionError {
                        diagnostic: failure_diagnostic(&failure),
                    });
                }
                _ => {}
            }
        };
        let mut accepted = Vec::new();
        for (position, &i) in sent.iter().enumerate() {
            match result.recipients().get(position).cloned().flatten() {
                Some(reply) if reply.is_positive() => accepted.push(position),
                Some(reply) => outcomes[i] = Some(outcome(&reply)),
                None => outcomes[i] = Some(outcome(result.mail())),
            }
        }
        if result.body_expected() {
            self.send_body(message.body).await?;
            let finals = loop {
                match self.next_event().await? {
                    Event::MessageResult(finals) => break finals,
                    Event::Failed(failure) => {
                        return Err(SessionError {
                            diagnostic: failure_diagnostic(&failure),
                        });
                    }
                    _ => {}
                }
            };
            for (position, reply) in finals.replies() {
                if let Some(&i) = sent.get(*position) {
                    outcomes[i] = Some(outcome(reply));
                }
            }
        } else if let Some(data) = result.data() {
            for &position in &accepted {
                outcomes[sent[position]] = Some(outcome(data));
            }
        }
        Ok(outcomes.into_iter().map(finish).collect())
    }

    async fn reset(&mut self) -> Result<(), SessionError> {
        // smtp-proto's session sends RSET itself after a failed transaction, and a
        // finished one needs none (RFC 5321 §4.1.4); check it is ready for MAIL.
        if self.session.is_ready() {
            Ok(())
        } else {
            Err(broken("the session is not ready for another message"))
        }
    }

    async fn quit(mut self) {
        if self.session.quit().is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), async {
                while !self.session.is_closed() {
                    match self.next_event().await {
                        Ok(Event::Failed(_)) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            })
            .await;
        }
        self.io.shutdown().await;
    }

    fn supports_dsn(&self) -> bool {
        self.dsn || self.protocol == Protocol::Lmtp
    }
}

/// The outcome a recipient gets for a reply.
fn outcome(reply: &Reply<'_>) -> RcptOutcome {
    RcptOutcome::from_diagnostic(reply_diagnostic(reply))
}

/// A recipient left without an outcome is deferred.
fn finish(outcome: Option<RcptOutcome>) -> RcptOutcome {
    outcome.unwrap_or_else(|| {
        RcptOutcome::Deferred(Diagnostic::local(
            codes::TEMPORARY,
            "the server gave no reply for this recipient",
        ))
    })
}

fn reply_diagnostic(reply: &Reply<'_>) -> Diagnostic {
    Diagnostic::from_reply(reply, None)
}

fn failure_diagnostic(failure: &Failure) -> Diagnostic {
    match failure {
        Failure::Rejected(reply) => reply_diagnostic(reply),
        Failure::Timeout => Diagnostic::local(codes::NO_ANSWER, "timed out waiting for the server"),
        Failure::Closed => Diagnostic::local(
            EnhancedStatusCode::BAD_CONNECTION,
            "the server closed the connection",
        ),
        other => Diagnostic::local(EnhancedStatusCode::BAD_CONNECTION, &other.to_string()),
    }
}

fn broken(text: &str) -> SessionError {
    SessionError {
        diagnostic: Diagnostic::local(EnhancedStatusCode::BAD_CONNECTION, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A remote server's reply of `lines`, as the client session parses it.
    fn wire_reply(code: u16, enhanced: &str, lines: &[String]) -> Option<Reply<'static>> {
        let mut wire = String::new();
        for (i, line) in lines.iter().enumerate() {
            let sep = if i + 1 == lines.len() { ' ' } else { '-' };
            wire.push_str(&format!("{code}{sep}{enhanced}{line}\r\n"));
        }
        mailwright_smtp::codec::parse::reply(wire.as_bytes())
            .ok()
            .map(Reply::into_owned)
    }

    /// Reply lines of 90 three-octet characters (270 octets): the 512-octet cut falls
    /// inside the 81st character of the second line, and the text stops before it.
    #[test]
    fn long_unicode_reply_is_cut_on_a_character() {
        let lines = vec!["日本語の件名テスト".repeat(10); 3];
        let reply = wire_reply(550, "5.7.1 ", &lines).unwrap();
        let diagnostic = reply_diagnostic(&reply);
        let text = diagnostic.reply.as_ref().unwrap().text();
        assert_eq!(text.len(), 270 + 1 + 80 * 3);
        assert!(lines.join(" ").starts_with(text));
        assert_eq!(diagnostic.status.to_string(), "5.7.1");
    }

    proptest! {
        /// Any Unicode reply text from a remote server: the diagnostic keeps a prefix
        /// of the lines joined, at most 512 octets and without control characters,
        /// and a status of the reply code's class.
        #[test]
        fn remote_replies_make_bounded_diagnostics(
            code in prop::sample::select(vec![250u16, 251, 421, 450, 451, 550, 552, 554]),
            enhanced in prop_oneof![Just(""), Just("5.1.1 "), Just("4.7.0 "), Just("2.0.0 ")],
            lines in prop::collection::vec(
                prop_oneof!["[ -~]{0,40}", "\\PC{0,60}", "\\PC{150,250}", Just("Привет".to_owned())],
                1..5,
            ),
        ) {
            let Some(reply) = wire_reply(code, enhanced, &lines) else {
                return Ok(());
            };
            let diagnostic = reply_diagnostic(&reply);
            let smtp = diagnostic.reply.as_ref().unwrap();
            prop_assert!(smtp.text().len() <= 512);
            prop_assert!(!smtp.text().chars().any(char::is_control));
            let joined: Vec<&str> = reply.lines().collect();
            prop_assert!(joined.join(" ").starts_with(smtp.text()));
            prop_assert_eq!(smtp.code().get(), code);
            prop_assert_eq!(u16::from(diagnostic.status.class()), code / 100);
        }
    }
}
