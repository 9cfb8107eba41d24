//! The connection driver: moves bytes between a socket and smtp-proto's sans-IO
//! [`ServerSession`], answers the session's decisions through a [`SmtpHandler`], and
//! owns what needs a clock or a socket (timers, STARTTLS handshake, write timeout,
//! shutdown).
//!
//! smtp-proto's own tokio edge was not published when this server was written, so
//! this follows the calling protocol documented on `ServerSession` (events, output,
//! input, time). It adds no protocol logic: ordering, pipelining, dot-unstuffing,
//! limits and the STARTTLS reset stay in the session.

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use smtp_proto::server::{Event, ServerSession};
use smtp_proto::{Envelope, Reply, ReplyCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::stream::Stream;

/// How long one write may wait for the client.
const WRITE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// What the application decides, one method per decision event. `None` (or `Ok`)
/// accepts; a reply refuses with it.
pub trait SmtpHandler: Send {
    /// `EHLO`/`HELO` with the name the client gave.
    fn hello(&mut self, host: &str) -> impl Future<Output = Option<Reply<'static>>> + Send;

    /// AUTH credentials: `Ok(())` accepts, `Err(None)` is `535 5.7.8`, `Err(Some(r))`
    /// answers `r` (a temporary failure).
    fn auth(
        &mut self,
        username: &str,
        authzid: Option<&str>,
        password: &str,
    ) -> impl Future<Output = Result<(), Option<Reply<'static>>>> + Send;

    /// `MAIL FROM` (`None` for `<>`); a new transaction starts.
    fn mail_from(
        &mut self,
        from: Option<String>,
        authenticated: Option<String>,
    ) -> impl Future<Output = Option<Reply<'static>>> + Send;

    /// `RCPT TO`.
    fn rcpt(&mut self, to: String) -> impl Future<Output = Option<Reply<'static>>> + Send;

    /// The next piece of the body.
    fn body_chunk(&mut self, chunk: Bytes);

    /// The body is complete: store or queue it; `Ok(queue id)` for the 250.
    fn message(
        &mut self,
        envelope: &Envelope<'static>,
    ) -> impl Future<Output = Result<String, Reply<'static>>> + Send;

    /// The body in progress is void.
    fn aborted(&mut self);

    /// TLS is now active (after STARTTLS).
    fn tls_started(&mut self);
}

/// Why a connection ended early.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// Reading or writing failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The client did not take our output in time, or the handshake took too long.
    #[error("timed out")]
    Timeout,
}

/// Runs one connection until the session closes. `tls` enables STARTTLS.
///
/// # Errors
/// [`DriverError`]; a client that disconnects is not an error.
pub async fn drive<H: SmtpHandler>(
    mut stream: Stream,
    mut session: ServerSession,
    handler: &mut H,
    tls: Option<&TlsAcceptor>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), DriverError> {
    let mut out = BytesMut::with_capacity(4096);
    let mut read_buf = vec![0u8; 32 * 1024];
    let mut pending = BytesMut::new();
    let stopped = crate::listener::stopped(shutdown);
    tokio::pin!(stopped);
    let mut stopping = false;
    loop {
        let starttls = answer_events(&mut session, handler).await;
        out.clear();
        let _ = session.poll_output(&mut out);
        if !out.is_empty() {
            tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(&out))
                .await
                .map_err(|_| DriverError::Timeout)??;
        }
        if starttls {
            let (Stream::Plain(tcp), Some(acceptor)) = (stream, tls) else {
                return Ok(());
            };
            let tls_stream = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp))
                .await
                .map_err(|_| DriverError::Timeout)??;
            stream = Stream::Tls(Box::new(tls_stream));
            pending.clear();
            session.tls_started();
            handler.tls_started();
            continue;
        }
        if session.is_closed() {
            let _ = stream.shutdown().await;
            return Ok(());
        }
        if !pending.is_empty() && session.wants_input() {
            let taken = session.handle_input(&pending);
            pending.advance(taken);
            session.handle_timeout(now());
            if taken > 0 {
                continue;
            }
        }
        let deadline = session.poll_timeout();
        let sleep = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        let can_read = session.wants_input() && pending.is_empty();
        tokio::select! {
            read = stream.read(&mut read_buf), if can_read => match read {
                Ok(0) | Err(_) => session.handle_eof(),
                Ok(n) => {
                    let taken = session.handle_input(&read_buf[..n]);
                    pending.extend_from_slice(&read_buf[taken..n]);
                    session.handle_timeout(now());
                }
            },
            () = sleep => session.handle_timeout(now()),
            () = &mut stopped, if !stopping => {
                stopping = true;
                session.close();
            }
        }
    }
}

/// Answers every event the session has; returns whether STARTTLS was accepted (its
/// `220` is in the output and the handshake comes next).
async fn answer_events<H: SmtpHandler>(session: &mut ServerSession, handler: &mut H) -> bool {
    loop {
        let authenticated = session.authenticated().map(str::to_owned);
        let Some(event) = session.poll_event() else {
            return false;
        };
        match event {
            Event::Hello(decision) => {
                let host = decision.host().to_string();
                match handler.hello(&host).await {
                    None => decision.accept(),
                    Some(reply) => decision.reject(reply),
                }
            }
            Event::Auth(decision) => {
                let credentials = decision.credentials();
                let (user, authzid) = (
                    credentials.username().to_owned(),
                    credentials.authzid().map(str::to_owned),
                );
                let password = credentials.password().declassify().clone();
                match handler.auth(&user, authzid.as_deref(), &password).await {
                    Ok(()) => decision.accept(),
                    Err(None) => decision.reject(),
                    Err(Some(reply)) => decision.reject_with(reply),
                }
            }
            Event::MailFrom(decision) => {
                let from = decision.from().mailbox().map(ToString::to_string);
                match handler.mail_from(from, authenticated).await {
                    None => decision.accept(),
                    Some(reply) => decision.reject(reply),
                }
            }
            Event::Rcpt(decision) => {
                let Some(to) = decision.to().mailbox().map(ToString::to_string) else {
                    // `<Postmaster>` without a domain: ours.
                    decision.accept();
                    continue;
                };
                match handler.rcpt(to).await {
                    None => decision.accept(),
                    Some(reply) => decision.reject(reply),
                }
            }
            Event::Verify(decision) => decision.respond(Reply::new(
                ReplyCode::CANNOT_VERIFY,
                "cannot VRFY user, but will accept message and attempt delivery",
            )),
            Event::StartTls => return true,
            Event::BodyChunk(chunk) => handler.body_chunk(chunk),
            Event::MessageComplete(decision) => {
                let envelope = decision.envelope().clone();
                match handler.message(&envelope).await {
                    Ok(id) => decision.accept(&id),
                    Err(reply) => decision.reject(reply),
                }
            }
            Event::MessageAborted(_) => handler.aborted(),
            _ => {}
        }
    }
}

fn now() -> Instant {
    // The async edge owns the clock; the session gets the time passed in.
    #[allow(clippy::disallowed_methods)]
    Instant::now()
}
