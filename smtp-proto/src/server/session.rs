//! The sans-IO SMTP/LMTP server session: its state and its public calling protocol.
//!
//! Command handling lives in `dispatch.rs`, message bodies in `body.rs`, the SASL
//! exchange in `sasl.rs`; all of them are `impl ServerSession` blocks over the fields
//! declared here.

use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use crate::codec::encode;
use crate::codec::frame::{ChunkDecoder, DataDecoder, LineFramer};
use crate::command::MailParameters;
use crate::error::{LimitExceeded, SessionError};
use crate::reply::Reply;
use crate::server::sasl::SaslStep;
use crate::server::{
    AbortReason, AuthDecision, Credentials, Event, HelloDecision, HelloKind, MailFromDecision,
    MessageDecision, Protocol, RcptDecision, ServerConfig, State, VerifyDecision, VerifyKind,
};
use crate::types::{
    Argument, EnhancedStatusCode, Envelope, Host, Recipient, ReplyCode, ReversePath,
};

/// One SMTP or LMTP server connection as a state machine: bytes in, bytes and events
/// out, no I/O, no clock.
///
/// # Calling protocol
///
/// The session never touches a socket or reads the clock. The application (or the
/// [`tokio`](crate::tokio) driver) repeats these steps until [`is_closed`] is true:
///
/// 1. **Events.** Call [`poll_event`] until it returns `None`, and act on each
///    [`Event`]. A decision ([`HelloDecision`], [`AuthDecision`], [`MailFromDecision`],
///    [`RcptDecision`], [`VerifyDecision`], [`MessageDecision`]) MUST be answered before
///    the session goes on: until then `poll_event` returns the same event again and no
///    further command is processed. [`Event::BodyChunk`] hands out the message body
///    piece by piece; [`Event::MessageAborted`] says a body in progress is void.
/// 2. **Output.** Call [`poll_output`] and write everything it appended to the
///    connection. Replies to pipelined commands accumulate until the session runs
///    out of complete commands or waits for a decision, so a pipelined group is
///    answered with one write (RFC 2920 section 3.2). The greeting is there right
///    after [`new`]. After [`Event::StartTls`] the output (the `220`) MUST be written
///    before the TLS handshake starts; after the handshake call [`tls_started`].
/// 3. **Input.** While [`wants_input`] is true, read from the connection and pass
///    the bytes to [`handle_input`], which takes what fits in the bounded input buffer
///    and returns how many octets it took; keep the rest for the next call (after
///    step 1 made room). At end of stream call [`handle_eof`].
/// 4. **Time.** Call [`handle_timeout`] with the current time after each
///    [`handle_input`] and whenever the instant of [`poll_timeout`] passes. Input
///    restarts the RFC 5321 section 4.5.3.2.7 timer; expiry sends `421 4.4.2` and
///    closes. The timer stops while a decision is pending.
///
/// [`close`] ends the session from the application's side (`421 4.3.2`, a server
/// shutdown); [`ServerSession::refuse`] starts one that only says why it will not
/// serve.
///
/// ```
/// use bytes::BytesMut;
/// use mailwright_smtp::server::{Event, ServerConfig, ServerSession};
///
/// let mut session = ServerSession::new(ServerConfig::default());
/// let mut out = BytesMut::new();
/// let _ = session.poll_output(&mut out);
/// assert!(out.starts_with(b"220 localhost ESMTP"));
///
/// let input = b"EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";
/// assert_eq!(session.handle_input(input), input.len());
/// let mut body = Vec::new();
/// loop {
///     match session.poll_event() {
///         Some(Event::Hello(hello)) => hello.accept(),
///         Some(Event::MailFrom(mail)) => mail.accept(),
///         Some(Event::Rcpt(rcpt)) => rcpt.accept(),
///         Some(Event::BodyChunk(chunk)) => body.extend_from_slice(&chunk),
///         Some(Event::MessageComplete(message)) => message.accept("4Fh2kT0qZ9z8"),
///         Some(_) => unreachable!(),
///         None if body.is_empty() => {
///             // Waiting for the body: the 354 is in the output.
///             let _ = session.handle_input(b"Hello\r\n..dot\r\n.\r\nQUIT\r\n");
///         }
///         None => break,
///     }
/// }
/// assert_eq!(body, b"Hello\r\n.dot\r\n");
/// out.clear();
/// let _ = session.poll_output(&mut out);
/// assert!(out.ends_with(b"250 2.0.0 OK queued as 4Fh2kT0qZ9z8\r\n221 2.0.0 localhost closing connection\r\n"));
/// assert!(session.is_closed());
/// ```
///
/// [`new`]: Self::new
/// [`is_closed`]: Self::is_closed
/// [`poll_output`]: Self::poll_output
/// [`poll_event`]: Self::poll_event
/// [`poll_timeout`]: Self::poll_timeout
/// [`handle_input`]: Self::handle_input
/// [`handle_eof`]: Self::handle_eof
/// [`handle_timeout`]: Self::handle_timeout
/// [`tls_started`]: Self::tls_started
/// [`wants_input`]: Self::wants_input
/// [`close`]: Self::close
#[derive(Debug)]
pub struct ServerSession {
    pub(super) config: Arc<ServerConfig>,
    pub(super) input: BytesMut,
    pub(super) output: BytesMut,
    pub(super) lines: LineFramer,
    pub(super) mode: Mode,
    pub(super) pending: Pending,
    /// A `MessageAborted` notification waiting for `poll_event`.
    pub(super) aborted: Option<AbortReason>,
    pub(super) hello: Option<(Host<'static>, HelloKind)>,
    pub(super) tls: bool,
    pub(super) authenticated: Option<String>,
    pub(super) transaction: Option<Transaction>,
    pub(super) errors: u32,
    pub(super) auth_failures: u32,
    pub(super) deadline: Option<Instant>,
    pub(super) activity: bool,
    pub(super) closing: bool,
    pub(super) close_reason: Option<SessionError>,
}

/// How the next input octets are read.
#[derive(Debug)]
pub(super) enum Mode {
    /// Command lines.
    Command,
    /// SASL response lines.
    Sasl(SaslStep),
    /// A DATA body.
    Data(DataDecoder),
    /// The octets of a BDAT chunk; `refused` holds the error to answer once they are
    /// read (the chunk of a refused BDAT is still read and dropped).
    Bdat {
        chunk: ChunkDecoder,
        last: bool,
        size: u64,
        refused: Option<SessionError>,
    },
    /// `220` sent for STARTTLS; nothing is read until `tls_started`.
    StartTls,
}

/// What the session waits for before it goes on.
#[derive(Debug)]
pub(super) enum Pending {
    None,
    Hello(Box<(Host<'static>, HelloKind)>),
    Auth(Box<Credentials>),
    MailFrom(Box<(ReversePath<'static>, MailParameters<'static>)>),
    Rcpt(Box<Recipient<'static>>),
    Verify(Box<(VerifyKind, Argument<'static>)>),
    Chunk(Bytes),
    Message,
    StartTls,
}

/// The mail transaction in progress.
#[derive(Debug)]
pub(super) struct Transaction {
    pub(super) envelope: Envelope<'static>,
    /// Some RCPT was refused (so DATA without recipients is 554, not 503).
    pub(super) rcpt_refused: bool,
    /// DATA or BDAT started: an abandoned body must be reported.
    pub(super) body_started: bool,
    /// BDAT was used (DATA is then out of sequence).
    pub(super) bdat: bool,
    /// Body octets handed out (DATA) or announced (BDAT).
    pub(super) size: u64,
    /// The body is void; the reply comes after its end.
    pub(super) failed: Option<AbortReason>,
}

impl ServerSession {
    /// A session for a new connection; the `220` greeting is ready in
    /// [`poll_output`](Self::poll_output).
    pub fn new(config: impl Into<Arc<ServerConfig>>) -> Self {
        let mut session = Self::blank(config.into());
        let config = Arc::clone(&session.config);
        session.reply_parts(
            ReplyCode::SERVICE_READY,
            None,
            &[config.hostname.as_str(), " ", config.greeting.as_str()],
        );
        session
    }

    /// A session that refuses the connection: `reply` (say `554 5.7.1 no service for
    /// you`, or `421 4.3.2` when too busy) is the only output, then the session is
    /// closed. RFC 5321 section 3.1.
    pub fn refuse(config: impl Into<Arc<ServerConfig>>, reply: Reply<'_>) -> Self {
        let mut session = Self::blank(config.into());
        encode::reply(&reply, &mut session.output);
        session.closing = true;
        session
    }

    fn blank(config: Arc<ServerConfig>) -> Self {
        Self {
            lines: LineFramer::new(config.limits.max_command_line),
            input: BytesMut::new(),
            output: BytesMut::new(),
            mode: Mode::Command,
            pending: Pending::None,
            aborted: None,
            hello: None,
            tls: config.tls_active,
            authenticated: None,
            transaction: None,
            errors: 0,
            auth_failures: 0,
            deadline: None,
            activity: true,
            closing: false,
            close_reason: None,
            config,
        }
    }

    // ----- inputs -----

    /// Takes bytes read from the connection: as many as fit in the input buffer
    /// ([`Limits::max_pending_input`](crate::server::Limits::max_pending_input)), and
    /// returns how many it took. Keep the rest and offer it again after
    /// [`poll_event`](Self::poll_event) has made room.
    ///
    /// Every complete command is processed up to the next decision. Bytes that come
    /// while `STARTTLS` waits for the handshake, or after the session closed, are
    /// taken and dropped (RFC 3207 section 4.2: pipelined plaintext after STARTTLS
    /// must not reach the TLS session).
    #[must_use = "bytes not taken must be offered again"]
    pub fn handle_input(&mut self, bytes: &[u8]) -> usize {
        if self.closing || matches!(self.mode, Mode::StartTls) {
            return bytes.len();
        }
        let room = self
            .config
            .limits
            .input_capacity()
            .saturating_sub(self.input.len());
        let taken = bytes.len().min(room);
        if taken > 0 {
            self.activity = true;
            self.input.extend_from_slice(&bytes[..taken]);
            self.advance();
        }
        taken
    }

    /// The client closed its side: a body in progress is aborted
    /// ([`Event::MessageAborted`]) and the session closes without a reply.
    pub fn handle_eof(&mut self) {
        if self.closing {
            return;
        }
        self.abort_body(AbortReason::Closed);
        self.output.clear();
        self.input.clear();
        self.pending = Pending::None;
        self.closing = true;
    }

    /// Tells the session the time. Restarts the idle timer after input or a decision,
    /// and closes the session with `421 4.4.2` once the timer has expired.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.closing || !self.timer_runs() {
            self.deadline = None;
            return;
        }
        match self.deadline {
            Some(deadline) if !self.activity && now >= deadline => {
                self.abort_body(AbortReason::Closed);
                self.fail(SessionError::Timeout);
            }
            Some(_) if !self.activity => {}
            _ => {
                self.deadline = Some(now + self.config.limits.idle_timeout);
                self.activity = false;
            }
        }
    }

    /// The TLS handshake after [`Event::StartTls`] succeeded. The session starts over
    /// as RFC 3207 section 4.2 requires: it forgets the greeting, any authentication
    /// and everything buffered, and waits for a new `EHLO`. Does nothing unless
    /// STARTTLS is pending.
    pub fn tls_started(&mut self) {
        if !matches!(self.mode, Mode::StartTls) {
            return;
        }
        self.tls = true;
        self.hello = None;
        self.authenticated = None;
        self.transaction = None;
        self.input.clear();
        self.lines.reset();
        self.mode = Mode::Command;
        self.pending = Pending::None;
        self.activity = true;
    }

    /// Ends the session from the application's side (a shutdown): a body in progress
    /// is aborted, any pending decision dropped, `421 4.3.2` sent, and the session
    /// closes once the output is written.
    pub fn close(&mut self) {
        if self.closing {
            return;
        }
        self.abort_body(AbortReason::Closed);
        self.pending = Pending::None;
        let config = Arc::clone(&self.config);
        self.reply_parts(
            ReplyCode::SERVICE_NOT_AVAILABLE,
            Some(EnhancedStatusCode::SYSTEM_NOT_ACCEPTING),
            &[config.hostname.as_str(), " service shutting down"],
        );
        self.closing = true;
    }

    // ----- outputs -----

    /// The next event for the application, or `None` when the session needs input
    /// (or is closed). Processes buffered input as far as it can first.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        self.advance();
        if let Some(reason) = self.aborted.take() {
            return Some(Event::MessageAborted(reason));
        }
        match self.pending {
            Pending::None => None,
            Pending::Chunk(_) => match std::mem::replace(&mut self.pending, Pending::None) {
                Pending::Chunk(chunk) => Some(Event::BodyChunk(chunk)),
                _ => None,
            },
            Pending::StartTls => Some(Event::StartTls),
            Pending::Hello(_) => Some(Event::Hello(HelloDecision { session: self })),
            Pending::Auth(_) => Some(Event::Auth(AuthDecision { session: self })),
            Pending::MailFrom(_) => Some(Event::MailFrom(MailFromDecision { session: self })),
            Pending::Rcpt(_) => Some(Event::Rcpt(RcptDecision { session: self })),
            Pending::Verify(_) => Some(Event::Verify(VerifyDecision { session: self })),
            Pending::Message => Some(Event::MessageComplete(MessageDecision { session: self })),
        }
    }

    /// Appends the bytes to send to `buf` and returns how many; 0 when there is
    /// nothing to send.
    #[must_use = "the output must be written to the connection"]
    pub fn poll_output(&mut self, buf: &mut BytesMut) -> usize {
        let len = self.output.len();
        if len > 0 {
            buf.extend_from_slice(&self.output);
            self.output.clear();
        }
        len
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if the
    /// idle timer runs.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closing || !self.timer_runs() {
            None
        } else {
            self.deadline
        }
    }

    // ----- getters -----

    /// Where the session is in the dialogue.
    pub fn state(&self) -> State {
        if self.closing {
            return State::Closed;
        }
        match &self.mode {
            Mode::Sasl(_) => return State::Auth,
            Mode::Data(_) => return State::Data,
            Mode::Bdat { .. } => return State::Bdat,
            Mode::StartTls => return State::StartTls,
            Mode::Command => {}
        }
        if matches!(self.pending, Pending::Auth(_)) {
            return State::Auth;
        }
        match &self.transaction {
            Some(t) if t.bdat => State::Bdat,
            Some(_) if matches!(self.pending, Pending::Message | Pending::Chunk(_)) => State::Data,
            Some(t) if t.envelope.recipients.is_empty() => State::Mail,
            Some(_) => State::Recipients,
            None if self.hello.is_some() => State::Ready,
            None => State::Connected,
        }
    }

    /// Whether the session is over and its output written: drop the connection.
    pub fn is_closed(&self) -> bool {
        self.closing && self.output.is_empty() && self.aborted.is_none()
    }

    /// Whether the application should read from the connection now. False while the
    /// input buffer is full, during STARTTLS (the next bytes belong to the TLS
    /// handshake), and once closing.
    pub fn wants_input(&self) -> bool {
        !self.closing
            && !matches!(self.mode, Mode::StartTls)
            && self.input.len() < self.config.limits.input_capacity()
    }

    /// Whether a mail transaction is in progress (`MAIL` accepted, no final reply
    /// yet). A graceful shutdown waits for this to be false before
    /// [`close`](Self::close).
    pub fn in_transaction(&self) -> bool {
        self.transaction.is_some()
    }

    /// Whether the connection runs TLS (implicit, or after STARTTLS).
    pub fn tls_active(&self) -> bool {
        self.tls
    }

    /// The identity the client authenticated as, if it did.
    pub fn authenticated(&self) -> Option<&str> {
        self.authenticated.as_deref()
    }

    /// The name the client greeted with, once accepted.
    pub fn hello(&self) -> Option<(&Host<'static>, HelloKind)> {
        self.hello.as_ref().map(|(host, kind)| (host, *kind))
    }

    /// Why the session closed, if an error closed it (timeout, too many errors).
    pub fn close_reason(&self) -> Option<&SessionError> {
        self.close_reason.as_ref()
    }

    /// The configuration the session runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    // ----- the engine -----

    /// Processes buffered input until a decision or notification is pending, input
    /// runs out, or the session closes.
    pub(super) fn advance(&mut self) {
        while matches!(self.pending, Pending::None) && self.aborted.is_none() && !self.closing {
            let progressed = match self.mode {
                Mode::Command => self.next_command(),
                Mode::Sasl(_) => self.next_sasl_line(),
                Mode::Data(_) => self.next_data(),
                Mode::Bdat { .. } => self.next_bdat(),
                Mode::StartTls => false,
            };
            if !progressed {
                break;
            }
        }
    }

    /// Writes a reply of one line; the enhanced code is left out unless the client
    /// said EHLO/LHLO and the server offers ENHANCEDSTATUSCODES.
    pub(super) fn reply(
        &mut self,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: &str,
    ) {
        self.reply_parts(code, enhanced, &[text]);
    }

    /// Writes a reply of one line whose text is `parts` joined.
    pub(super) fn reply_parts(
        &mut self,
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        parts: &[&str],
    ) {
        let enhanced = enhanced
            .filter(|_| self.enhanced_codes())
            .map(|e| e.with_class(code.class()));
        encode::reply_line(code, enhanced, false, parts, &mut self.output);
    }

    /// Writes `reply` as given, minus the enhanced code when not negotiated.
    pub(super) fn send(&mut self, reply: &Reply<'_>) {
        let enhanced = reply.enhanced().filter(|_| self.enhanced_codes());
        encode::reply_lines(reply.code(), enhanced, reply.lines(), &mut self.output);
    }

    /// Answers a protocol error, counting it; too many close the session.
    pub(super) fn error(&mut self, error: SessionError) {
        let counts = !matches!(
            error,
            SessionError::Limit(_) | SessionError::NoValidRecipients | SessionError::AuthCancelled
        );
        if error.is_fatal() {
            self.fail(error);
            return;
        }
        self.send(&Reply::from(&error));
        if counts {
            self.errors += 1;
            if self.errors >= self.config.limits.max_errors {
                self.fail(SessionError::Limit(LimitExceeded::Errors));
            }
        }
    }

    /// Sends the reply for a fatal error and closes.
    pub(super) fn fail(&mut self, error: SessionError) {
        self.abort_body(AbortReason::Closed);
        self.send(&Reply::from(&error));
        self.pending = Pending::None;
        self.close_reason = Some(error);
        self.closing = true;
    }

    /// Reports a body in progress as abandoned and drops the transaction's body state.
    pub(super) fn abort_body(&mut self, reason: AbortReason) {
        if let Some(t) = &mut self.transaction {
            if t.body_started && t.failed.is_none() {
                self.aborted = Some(reason);
            }
            t.failed.get_or_insert(reason);
        }
        if matches!(self.pending, Pending::Chunk(_) | Pending::Message) {
            self.pending = Pending::None;
        }
    }

    /// Whether enhanced status codes go into replies.
    fn enhanced_codes(&self) -> bool {
        self.config.enhanced_status_codes
            && matches!(self.hello, Some((_, HelloKind::Ehlo | HelloKind::Lhlo)))
    }

    fn timer_runs(&self) -> bool {
        matches!(self.pending, Pending::None) && !matches!(self.mode, Mode::StartTls)
    }

    pub(super) fn is_lmtp(&self) -> bool {
        self.config.protocol == Protocol::Lmtp
    }

    // ----- what the decision objects read -----

    pub(super) fn pending_hello(&self) -> &(Host<'static>, HelloKind) {
        match &self.pending {
            Pending::Hello(hello) => hello,
            // A HelloDecision exists only while the hello is pending.
            _ => unreachable!("HelloDecision without a pending hello"),
        }
    }

    pub(super) fn pending_credentials(&self) -> &Credentials {
        match &self.pending {
            Pending::Auth(credentials) => credentials,
            _ => unreachable!("AuthDecision without pending credentials"),
        }
    }

    pub(super) fn pending_mail(&self) -> &(ReversePath<'static>, MailParameters<'static>) {
        match &self.pending {
            Pending::MailFrom(mail) => mail,
            _ => unreachable!("MailFromDecision without a pending MAIL"),
        }
    }

    pub(super) fn pending_rcpt(&self) -> &Recipient<'static> {
        match &self.pending {
            Pending::Rcpt(rcpt) => rcpt,
            _ => unreachable!("RcptDecision without a pending RCPT"),
        }
    }

    pub(super) fn pending_verify(&self) -> &(VerifyKind, Argument<'static>) {
        match &self.pending {
            Pending::Verify(verify) => verify,
            _ => unreachable!("VerifyDecision without a pending VRFY"),
        }
    }

    pub(super) fn envelope_in_progress(&self) -> &Envelope<'static> {
        match &self.transaction {
            Some(t) => &t.envelope,
            None => unreachable!("a transaction decision without a transaction"),
        }
    }

    pub(super) fn body_size(&self) -> u64 {
        self.transaction.as_ref().map_or(0, |t| t.size)
    }
}
