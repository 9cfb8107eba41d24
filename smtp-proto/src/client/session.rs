//! The sans-IO SMTP/LMTP client session: its state and its public calling protocol.
//!
//! The mail transaction (envelope, body, final replies) is in `transaction.rs`; both
//! are `impl ClientSession` blocks over the fields declared here.

use std::collections::VecDeque;
use std::time::Instant;

use bytes::{BufMut, BytesMut};

use crate::client::transaction::Transaction;
use crate::client::{ClientConfig, ClientCredentials, Event, Failure};
use crate::codec::encode;
use crate::codec::frame::{ReplyFrame, ReplyFramer};
use crate::codec::parse;
use crate::command::{Command, SaslLine};
use crate::error::{ClientError, ParseError};
use crate::reply::Reply;
use crate::server::Protocol;
use crate::types::{Capabilities, Mechanism, ReplyCode, SaslResponse};

/// One SMTP or LMTP client connection as a state machine: the application's commands
/// and the server's bytes in, bytes to send and events out. No I/O, no clock.
///
/// # Calling protocol
///
/// Repeat until [`is_closed`]:
///
/// 1. **Output.** Call [`poll_output`] and write everything it appended. Commands are
///    written as the protocol allows: pipelined in one group when the server offers
///    `PIPELINING` (RFC 2920), one at a time otherwise.
/// 2. **Events.** Call [`poll_event`] until `None` and act on each [`Event`]. After
///    [`Event::Ready`] (greeting and EHLO done) the session takes commands:
///    [`start_tls`], [`authenticate`], [`send_envelope`], [`quit`]; each MUST wait until
///    [`is_ready`] is true again (the event that ends the previous command says so).
///    After [`Event::EnvelopeResult`] with a body expected, send the body with
///    [`send_body`] (while [`wants_body`]) and [`finish_body`]. After
///    [`Event::StartTls`], write the output, run the TLS handshake, and call
///    [`tls_started`].
/// 3. **Input.** While [`wants_input`], read from the connection and pass the bytes to
///    [`handle_input`] (it returns how many it took); at end of stream call
///    [`handle_eof`].
/// 4. **Time.** Call [`handle_timeout`] after writing output and whenever the instant
///    of [`poll_timeout`] passes; a reply that does not come within its RFC 5321
///    section 4.5.3.2 timeout ends the session ([`Failure::Timeout`]).
///
/// ```
/// use bytes::BytesMut;
/// use mailwright_smtp::client::{ClientConfig, ClientSession, Event};
/// use mailwright_smtp::{Envelope, ForwardPath, Mailbox, ReversePath};
///
/// let mut client = ClientSession::new(ClientConfig::default());
/// let mut out = BytesMut::new();
/// let _ = client.handle_input(b"220 mx.example.org ESMTP\r\n");
/// let _ = client.poll_output(&mut out);
/// assert_eq!(&out[..], b"EHLO localhost\r\n");
/// let _ = client.handle_input(b"250-mx.example.org\r\n250 PIPELINING\r\n");
/// assert!(matches!(client.poll_event(), Some(Event::Ready)));
///
/// let mut envelope = Envelope::new(ReversePath::Mailbox(Mailbox::try_from("a@example.org")?));
/// envelope.add_recipient(ForwardPath::Mailbox(Mailbox::try_from("b@example.org")?));
/// client.send_envelope(&envelope)?;
/// out.clear();
/// let _ = client.poll_output(&mut out);
/// assert_eq!(&out[..], b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
/// let _ = client.handle_input(b"250 OK\r\n250 OK\r\n354 go ahead\r\n");
/// let Some(Event::EnvelopeResult(result)) = client.poll_event() else { panic!() };
/// assert!(result.body_expected());
/// client.send_body(b"Subject: hi\n\n.hidden\n")?;
/// client.finish_body()?;
/// out.clear();
/// let _ = client.poll_output(&mut out);
/// assert_eq!(&out[..], b"Subject: hi\r\n\r\n..hidden\r\n.\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`is_closed`]: Self::is_closed
/// [`poll_output`]: Self::poll_output
/// [`poll_event`]: Self::poll_event
/// [`poll_timeout`]: Self::poll_timeout
/// [`handle_input`]: Self::handle_input
/// [`handle_eof`]: Self::handle_eof
/// [`handle_timeout`]: Self::handle_timeout
/// [`start_tls`]: Self::start_tls
/// [`tls_started`]: Self::tls_started
/// [`authenticate`]: Self::authenticate
/// [`send_envelope`]: Self::send_envelope
/// [`send_body`]: Self::send_body
/// [`finish_body`]: Self::finish_body
/// [`quit`]: Self::quit
/// [`is_ready`]: Self::is_ready
/// [`wants_input`]: Self::wants_input
/// [`wants_body`]: Self::wants_body
#[derive(Debug)]
pub struct ClientSession {
    pub(super) config: ClientConfig,
    input: BytesMut,
    pub(super) output: BytesMut,
    framer: ReplyFramer,
    /// Commands not written yet, waiting for the end of the current group.
    pub(super) queue: VecDeque<Outgoing>,
    /// What each reply still to come answers, in order.
    pub(super) awaiting: VecDeque<Expect>,
    /// A command that ends a pipelining group was written: write nothing more until
    /// every reply is in.
    group_closed: bool,
    pub(super) events: VecDeque<Event>,
    pub(super) op: Op,
    capabilities: Capabilities,
    greeting: Option<Reply<'static>>,
    tls: bool,
    closed: bool,
    deadline: Option<Instant>,
    rearm: bool,
}

/// What the session is doing for the application.
#[derive(Debug)]
pub(super) enum Op {
    /// Waiting for the greeting or the EHLO/HELO/LHLO reply.
    Greeting,
    /// Ready for a command.
    Idle,
    /// `STARTTLS` sent.
    StartTls,
    /// The `220` came; waiting for `tls_started`.
    TlsHandshake,
    /// `AUTH` in progress.
    Auth(Box<AuthOp>),
    /// A mail transaction.
    Transaction(Box<Transaction>),
    /// `QUIT` sent.
    Quit,
}

#[derive(Debug)]
pub(super) struct AuthOp {
    mechanism: Mechanism<'static>,
    credentials: ClientCredentials,
    /// `334` challenges answered so far.
    step: u8,
}

/// What a reply still to come answers.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(super) enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt(usize),
    Data,
    Bdat,
    Final,
    /// A reply to read and ignore (RSET after a failed envelope, the end of an empty
    /// DATA body).
    Ignore,
    Quit,
}

/// A command (or BDAT chunk) waiting to be written.
#[derive(Debug)]
pub(super) struct Outgoing {
    pub(super) bytes: Vec<u8>,
    pub(super) expects: Vec<Expect>,
    /// Ends a pipelining group (RFC 2920 section 3.1: EHLO, DATA, QUIT, ... last).
    pub(super) ends_group: bool,
}

impl ClientSession {
    /// A session for a new connection, waiting for the server's greeting.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            framer: ReplyFramer::new(config.max_reply_line, config.max_reply_lines),
            config,
            input: BytesMut::new(),
            output: BytesMut::new(),
            queue: VecDeque::new(),
            awaiting: VecDeque::from([Expect::Greeting]),
            group_closed: true,
            events: VecDeque::new(),
            op: Op::Greeting,
            capabilities: Capabilities::new(),
            greeting: None,
            tls: false,
            closed: false,
            deadline: None,
            rearm: true,
        }
    }

    /// A session over a connection that is already encrypted (implicit TLS, port 465).
    pub fn new_tls(config: ClientConfig) -> Self {
        let mut session = Self::new(config);
        session.tls = true;
        session
    }

    // ----- inputs -----

    /// Takes bytes read from the connection, as many as fit in the input buffer (one
    /// reply of the longest allowed kind), and returns how many it took; offer the rest
    /// again after [`poll_event`](Self::poll_event). Bytes during the TLS handshake or
    /// after the end are taken and dropped.
    #[must_use = "bytes not taken must be offered again"]
    pub fn handle_input(&mut self, bytes: &[u8]) -> usize {
        if self.closed || matches!(self.op, Op::TlsHandshake) {
            return bytes.len();
        }
        let room = self
            .config
            .input_capacity()
            .saturating_sub(self.input.len());
        let taken = bytes.len().min(room);
        self.input.extend_from_slice(&bytes[..taken]);
        while !self.closed && !matches!(self.op, Op::TlsHandshake) {
            match self.framer.next(&self.input) {
                None => break,
                Some(ReplyFrame::Malformed) => {
                    self.fail(Failure::Malformed(ParseError::InvalidReply("Reply-line")));
                }
                Some(ReplyFrame::Complete { len }) => {
                    let frame = self.input.split_to(len);
                    match parse::reply(&frame) {
                        Ok(reply) => self.on_reply(reply.into_owned()),
                        Err(error) => self.fail(Failure::Malformed(error)),
                    }
                }
            }
        }
        taken
    }

    /// The server closed the connection.
    pub fn handle_eof(&mut self) {
        if self.closed {
            return;
        }
        if matches!(self.op, Op::Quit) || (self.awaiting.is_empty() && matches!(self.op, Op::Idle))
        {
            self.close();
        } else {
            self.fail(Failure::Closed);
        }
    }

    /// Tells the session the time: arms the reply timer after output, fails the
    /// session when a reply is late.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        let Some(&expect) = self.awaiting.front() else {
            self.deadline = None;
            return;
        };
        match self.deadline {
            Some(deadline) if !self.rearm && now >= deadline => self.fail(Failure::Timeout),
            Some(_) if !self.rearm => {}
            _ => {
                self.deadline = Some(now + self.timeout_for(expect));
                self.rearm = false;
            }
        }
    }

    /// The TLS handshake after [`Event::StartTls`] succeeded: the session forgets the
    /// server's capabilities and sends `EHLO` again (RFC 3207 section 4.2). Does
    /// nothing unless a handshake is pending.
    pub fn tls_started(&mut self) {
        if !matches!(self.op, Op::TlsHandshake) {
            return;
        }
        self.tls = true;
        self.input.clear();
        self.framer = ReplyFramer::new(self.config.max_reply_line, self.config.max_reply_lines);
        self.capabilities = Capabilities::new();
        self.op = Op::Greeting;
        self.send_hello();
    }

    // ----- application commands -----

    /// Sends `STARTTLS` (RFC 3207).
    ///
    /// # Errors
    ///
    /// [`ClientError::NotReady`] unless [`is_ready`](Self::is_ready);
    /// [`ClientError::NotOffered`] when the server does not offer STARTTLS or TLS is
    /// already active.
    pub fn start_tls(&mut self) -> Result<(), ClientError> {
        self.check_ready()?;
        if self.tls || !self.capabilities.starttls() {
            return Err(ClientError::NotOffered("STARTTLS"));
        }
        self.op = Op::StartTls;
        self.command(&Command::StartTls, vec![Expect::StartTls], true);
        Ok(())
    }

    /// Authenticates with `PLAIN` (initial response) if the server offers it, else
    /// `LOGIN`.
    ///
    /// # Errors
    ///
    /// [`ClientError::NotReady`] unless ready; [`ClientError::NotOffered`] when the
    /// server offers neither mechanism.
    pub fn authenticate(&mut self, credentials: ClientCredentials) -> Result<(), ClientError> {
        self.check_ready()?;
        let offered: Vec<Mechanism<'_>> = self.capabilities.auth_mechanisms().collect();
        let mechanism = if offered.contains(&Mechanism::PLAIN) {
            Mechanism::PLAIN
        } else if offered.contains(&Mechanism::LOGIN) {
            Mechanism::LOGIN
        } else {
            return Err(ClientError::NotOffered("AUTH PLAIN or LOGIN"));
        };
        let initial_response =
            (mechanism == Mechanism::PLAIN).then(|| plain_response(&credentials));
        self.command(
            &Command::Auth {
                mechanism: mechanism.clone(),
                initial_response,
            },
            vec![Expect::Auth],
            true,
        );
        self.op = Op::Auth(Box::new(AuthOp {
            mechanism,
            credentials,
            step: 0,
        }));
        Ok(())
    }

    /// Sends `QUIT`; the session closes after the `221`.
    ///
    /// # Errors
    ///
    /// [`ClientError::NotReady`] unless ready (call [`close`](Self::close) to drop
    /// the connection in the middle of something).
    pub fn quit(&mut self) -> Result<(), ClientError> {
        self.check_ready()?;
        self.op = Op::Quit;
        self.command(&Command::Quit, vec![Expect::Quit], true);
        Ok(())
    }

    /// Ends the session at once, without `QUIT` (the caller drops the connection).
    pub fn close(&mut self) {
        self.closed = true;
        self.queue.clear();
        self.awaiting.clear();
        self.deadline = None;
    }

    // ----- outputs -----

    /// Appends the bytes to send to `buf` and returns how many.
    #[must_use = "the output must be written to the connection"]
    pub fn poll_output(&mut self, buf: &mut BytesMut) -> usize {
        self.flush_queue();
        let len = self.output.len();
        if len > 0 {
            buf.extend_from_slice(&self.output);
            self.output.clear();
            self.rearm = true;
        }
        len
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, while a
    /// reply is awaited.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed || self.awaiting.is_empty() {
            None
        } else {
            self.deadline
        }
    }

    // ----- getters -----

    /// Whether the session takes a new command ([`send_envelope`](Self::send_envelope),
    /// [`authenticate`](Self::authenticate), [`start_tls`](Self::start_tls),
    /// [`quit`](Self::quit)).
    pub fn is_ready(&self) -> bool {
        !self.closed && matches!(self.op, Op::Idle)
    }

    /// Whether the session is over and its output and events consumed.
    pub fn is_closed(&self) -> bool {
        self.closed && self.output.is_empty() && self.events.is_empty()
    }

    /// Whether the application should read from the connection now (false during the
    /// TLS handshake: those bytes belong to TLS).
    pub fn wants_input(&self) -> bool {
        !self.closed
            && !matches!(self.op, Op::TlsHandshake)
            && self.input.len() < self.config.input_capacity()
    }

    /// What the server offered in its last EHLO/LHLO reply (empty after HELO).
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// The server's `220` greeting, once received.
    pub fn greeting(&self) -> Option<&Reply<'static>> {
        self.greeting.as_ref()
    }

    /// Whether the connection runs TLS.
    pub fn tls_active(&self) -> bool {
        self.tls
    }

    // ----- the engine -----

    fn check_ready(&self) -> Result<(), ClientError> {
        if self.closed {
            Err(ClientError::Closed)
        } else if self.is_ready() {
            Ok(())
        } else {
            Err(ClientError::NotReady)
        }
    }

    /// Queues `command`, answered by the replies `expects`.
    pub(super) fn command(
        &mut self,
        command: &Command<'_>,
        expects: Vec<Expect>,
        ends_group: bool,
    ) {
        let mut bytes = Vec::new();
        encode::command(command, &mut bytes);
        self.queue.push_back(Outgoing {
            bytes,
            expects,
            ends_group,
        });
        self.flush_queue();
    }

    /// Queues raw bytes (a SASL line, a BDAT chunk) answered by `expects`.
    pub(super) fn raw(&mut self, bytes: Vec<u8>, expects: Vec<Expect>, ends_group: bool) {
        self.queue.push_back(Outgoing {
            bytes,
            expects,
            ends_group,
        });
        self.flush_queue();
    }

    /// Moves queued commands to the output as far as pipelining allows.
    pub(super) fn flush_queue(&mut self) {
        let pipelining = self.config.pipelining && self.capabilities.pipelining();
        while let Some(next) = self.queue.front() {
            if self.group_closed && !self.awaiting.is_empty() {
                break;
            }
            let ends_group = next.ends_group || !pipelining;
            let Some(next) = self.queue.pop_front() else {
                break;
            };
            self.output.put_slice(&next.bytes);
            self.awaiting.extend(next.expects);
            self.group_closed = ends_group;
        }
    }

    fn timeout_for(&self, expect: Expect) -> std::time::Duration {
        let t = &self.config.timeouts;
        match expect {
            Expect::Greeting => t.greeting,
            Expect::Mail => t.mail,
            Expect::Rcpt(_) => t.rcpt,
            Expect::Data => t.data_init,
            Expect::Final => t.data_end,
            _ => t.other,
        }
    }

    fn send_hello(&mut self) {
        let host = self.config.hello.clone();
        let (command, expect) = match self.config.protocol {
            Protocol::Smtp => (Command::Ehlo(host), Expect::Ehlo),
            Protocol::Lmtp => (Command::Lhlo(host), Expect::Ehlo),
        };
        self.command(&command, vec![expect], true);
    }

    pub(super) fn fail(&mut self, failure: Failure) {
        if self.closed {
            return;
        }
        self.events.push_back(Event::Failed(failure));
        self.close();
    }

    fn on_reply(&mut self, reply: Reply<'static>) {
        self.rearm = true;
        let Some(expect) = self.awaiting.pop_front() else {
            // Only 421 may come unasked (RFC 5321 section 3.8).
            let failure = if reply.code() == ReplyCode::SERVICE_NOT_AVAILABLE {
                Failure::Rejected(reply)
            } else {
                Failure::Malformed(ParseError::InvalidReply("a reply to a command"))
            };
            self.fail(failure);
            return;
        };
        if self.awaiting.is_empty() {
            self.group_closed = false;
        }
        if reply.code() == ReplyCode::SERVICE_NOT_AVAILABLE && expect != Expect::Quit {
            self.fail(Failure::Rejected(reply));
            return;
        }
        match expect {
            Expect::Greeting => self.on_greeting(reply),
            Expect::Ehlo | Expect::Helo => self.on_hello(expect, reply),
            Expect::StartTls => self.on_starttls(reply),
            Expect::Auth => self.on_auth(reply),
            Expect::Mail | Expect::Rcpt(_) | Expect::Data | Expect::Bdat | Expect::Final => {
                self.on_transaction_reply(expect, reply)
            }
            Expect::Ignore => {}
            Expect::Quit => self.close(),
        }
        self.flush_queue();
    }

    fn on_greeting(&mut self, reply: Reply<'static>) {
        if reply.code() == ReplyCode::SERVICE_READY {
            self.greeting = Some(reply);
            self.send_hello();
        } else {
            self.fail(Failure::Rejected(reply));
        }
    }

    fn on_hello(&mut self, expect: Expect, reply: Reply<'static>) {
        if reply.code().class() == crate::types::ReplyClass::PositiveCompletion {
            self.capabilities = match expect {
                Expect::Ehlo => Capabilities::from_ehlo_lines(reply.lines()),
                _ => Capabilities::new(),
            };
            self.op = Op::Idle;
            self.events.push_back(Event::Ready);
        } else if expect == Expect::Ehlo
            && self.config.protocol == Protocol::Smtp
            && reply.code().class() == crate::types::ReplyClass::PermanentNegative
        {
            // RFC 5321 section 3.2: an old server; fall back to HELO.
            let host = self.config.hello.clone();
            self.command(&Command::Helo(host), vec![Expect::Helo], true);
        } else {
            self.fail(Failure::Rejected(reply));
        }
    }

    fn on_starttls(&mut self, reply: Reply<'static>) {
        if reply.code() == ReplyCode::SERVICE_READY {
            // Whatever else the server sent in plaintext is dropped (RFC 3207).
            self.input.clear();
            self.op = Op::TlsHandshake;
            self.events.push_back(Event::StartTls);
        } else {
            self.op = Op::Idle;
            self.events.push_back(Event::StartTlsRejected(reply));
        }
    }

    fn on_auth(&mut self, reply: Reply<'static>) {
        let Op::Auth(auth) = &mut self.op else {
            return;
        };
        match reply.code() {
            ReplyCode::AUTH_SUCCEEDED => {
                self.op = Op::Idle;
                self.events.push_back(Event::Authenticated);
            }
            ReplyCode::AUTH_CHALLENGE if auth.step < 2 => {
                let data = if auth.mechanism == Mechanism::PLAIN {
                    auth.step = 2;
                    plain_response(&auth.credentials)
                } else if auth.step == 0 {
                    auth.step = 1;
                    SaslResponse::encode(auth.credentials.username.as_bytes())
                } else {
                    auth.step = 2;
                    SaslResponse::encode(auth.credentials.password.declassify().as_bytes())
                };
                let mut line = Vec::new();
                encode::sasl_line(&SaslLine::Response(data), &mut line);
                self.raw(line, vec![Expect::Auth], true);
            }
            ReplyCode::AUTH_CHALLENGE => {
                // A challenge we have no answer for: cancel (RFC 4954 section 4).
                let mut line = Vec::new();
                encode::sasl_line(&SaslLine::Cancel, &mut line);
                self.raw(line, vec![Expect::Auth], true);
            }
            _ => {
                self.op = Op::Idle;
                self.events.push_back(Event::AuthRejected(reply));
            }
        }
    }
}

/// `PLAIN`'s response: `[authzid] NUL authcid NUL passwd` (RFC 4616 section 2).
fn plain_response(credentials: &ClientCredentials) -> SaslResponse<'static> {
    let mut data = zeroize::Zeroizing::new(Vec::new());
    data.extend_from_slice(credentials.authzid.as_deref().unwrap_or("").as_bytes());
    data.push(0);
    data.extend_from_slice(credentials.username.as_bytes());
    data.push(0);
    data.extend_from_slice(credentials.password.declassify().as_bytes());
    SaslResponse::encode(&data)
}
