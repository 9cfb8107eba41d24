//! The sans-IO POP3 server session.

use std::time::Instant;

use bytes::BytesMut;

use crate::codec::encode;
use crate::codec::frame::{BodyEncoder, BodyProgress, LineFrame, LineFramer};
use crate::codec::parse;
use crate::command::{Command, SaslResponse};
use crate::maildrop::MessageInfo;
use crate::response::StatusLine;
use crate::server::listing::{Listing, ListingKind, ListingWriter};
use crate::server::sasl::{self, SaslStep};
use crate::server::{
    Credentials, Event, LoginDecision, LoginRejection, PasswordMethod, RetrieveDecision,
    ServerConfig, SessionError, State, UpdateDecision,
};
use crate::types::{Capability, MessageNumber, Secret, Text, UserName};

/// One POP3 server connection as a state machine: bytes in, bytes and events out, no
/// I/O, no clock.
///
/// # Calling protocol
///
/// The session never reads a socket or the clock. The application (or the
/// [`tokio`](crate::tokio) driver) repeats these steps until [`is_closed`] is true:
///
/// 1. **Output.** Call [`poll_output`] and write everything it appended to the
///    connection. The greeting is there right after [`new`]. Call it again after every
///    other step: answers, listings and message bodies all come out here.
/// 2. **Events.** Call [`poll_event`] and answer each [`Event`] through its decision
///    object ([`LoginDecision`], [`RetrieveDecision`], [`UpdateDecision`]). While a
///    decision is unanswered the session processes no further command; the same event
///    comes back on the next call. After [`RetrieveDecision::accept`] the application
///    MUST feed the message with [`handle_body`] (draining [`poll_output`] between
///    chunks keeps memory at one chunk) and end it with [`finish_body`]. After
///    [`Event::StartTls`] it MUST write the pending output, run the TLS handshake and
///    call [`tls_started`].
/// 3. **Input.** When [`wants_input`] is true, read from the connection and pass the
///    bytes to [`handle_input`]. Commands are processed in order, pipelined or not.
/// 4. **Time.** Call [`handle_timeout`] with the current time after each
///    [`handle_input`] and whenever the instant of [`poll_timeout`] passes: input restarts
///    the autologout timer, and a timer that expires closes the session without entering
///    UPDATE and without a response ([RFC 1939 section 3](https://www.rfc-editor.org/rfc/rfc1939#section-3)).
///
/// [`close`] ends the session on the application's initiative (server shutdown).
///
/// ```
/// use bytes::BytesMut;
/// use mailwright_pop3::server::{Event, ServerConfig, ServerSession};
///
/// let mut config = ServerConfig::default();
/// config.plaintext_without_tls(true);
/// let mut session = ServerSession::new(config);
/// let mut out = BytesMut::new();
/// let _ = session.poll_output(&mut out);
/// assert!(out.starts_with(b"+OK "));
///
/// session.handle_input(b"USER mrose\r\nPASS secret\r\nSTAT\r\n");
/// let Some(Event::Login(login)) = session.poll_event() else { panic!() };
/// assert_eq!(login.credentials().user(), "mrose");
/// login.accept(Vec::new());
/// out.clear();
/// let _ = session.poll_output(&mut out);
/// assert_eq!(
///     &out[..],
///     &b"+OK send PASS\r\n+OK maildrop has 0 messages (0 octets)\r\n+OK 0 0\r\n"[..]
/// );
/// ```
///
/// [`new`]: Self::new
/// [`is_closed`]: Self::is_closed
/// [`poll_output`]: Self::poll_output
/// [`poll_event`]: Self::poll_event
/// [`poll_timeout`]: Self::poll_timeout
/// [`handle_input`]: Self::handle_input
/// [`handle_timeout`]: Self::handle_timeout
/// [`handle_body`]: Self::handle_body
/// [`finish_body`]: Self::finish_body
/// [`tls_started`]: Self::tls_started
/// [`wants_input`]: Self::wants_input
/// [`close`]: Self::close
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    framer: LineFramer,
    input: BytesMut,
    output: BytesMut,
    state: State,
    pending: Pending,
    tls_active: bool,
    utf8: bool,
    user: Option<UserName<'static>>,
    sasl: Option<SaslStep>,
    logged_in: Option<String>,
    listing: Listing,
    failed_logins: u32,
    close_after_output: bool,
    timed_out: bool,
    deadline: Option<Instant>,
    activity: bool,
}

/// What the session waits for before it reads the next command.
#[derive(Debug)]
enum Pending {
    None,
    Login(Box<Credentials>),
    Retrieve {
        message: MessageNumber,
        top: Option<u32>,
    },
    Body(BodyEncoder),
    Listing(ListingWriter),
    Update,
    StartTls,
}

impl ServerSession {
    /// A session for a new connection; the greeting is ready in [`poll_output`](Self::poll_output).
    pub fn new(config: ServerConfig) -> Self {
        let mut session = Self {
            framer: LineFramer::new(config.limits.max_command_line),
            input: BytesMut::new(),
            output: BytesMut::new(),
            state: State::Authorization,
            pending: Pending::None,
            tls_active: config.tls_active,
            utf8: false,
            user: None,
            sasl: None,
            logged_in: None,
            listing: Listing::default(),
            failed_logins: 0,
            close_after_output: false,
            timed_out: false,
            deadline: None,
            activity: true,
            config,
        };
        let greeting = match &session.config.apop {
            Some(timestamp) => {
                // The timestamp must arrive whole: the greeting gives way so that the
                // line stays within `Text::MAX_LEN`, cut on a character boundary.
                let room = Text::MAX_LEN.saturating_sub(timestamp.as_str().len() + 1);
                let greeting = floor_cut(session.config.greeting.as_str(), room);
                format!("{greeting} {timestamp}")
            }
            None => session.config.greeting.to_string(),
        };
        session.ok(greeting);
        session
    }

    // ----- inputs -----

    /// Hands bytes read from the connection to the session and processes every complete
    /// command they finish, up to the next decision.
    ///
    /// Bytes that arrive while `STLS` waits for the handshake are discarded (a client
    /// MUST NOT pipeline after `STLS`; RFC 2595 section 4, and injected plaintext must
    /// not reach the TLS session). Input past
    /// [`Limits::max_pending_input`](crate::server::Limits::max_pending_input) closes
    /// the session.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.is_closing() || bytes.is_empty() {
            return;
        }
        self.activity = true;
        if matches!(self.pending, Pending::StartTls) {
            return;
        }
        if self.input.len() + bytes.len() > self.config.limits.max_pending_input {
            self.input.clear();
            match self.pending {
                // Nothing half-answered: say why before closing.
                Pending::None => self.fail(SessionError::TooMuchInput),
                // A response (or a decision) is in progress: an -ERR now would land
                // inside it, so close at once.
                _ => {
                    self.pending = Pending::None;
                    self.state = State::Closed;
                }
            }
            return;
        }
        self.input.extend_from_slice(bytes);
        self.advance();
    }

    /// Tells the session the time: restarts the autologout timer after input (or after a
    /// decision or a message transfer ended), and closes the session when the timer has
    /// expired. The timer does not run while the session waits for the application.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_closing() {
            return;
        }
        if !self.timer_runs() {
            self.deadline = None;
            return;
        }
        match self.deadline {
            Some(deadline) if !self.activity && now >= deadline => {
                // RFC 1939 section 3: no response, no UPDATE; close at once.
                self.timed_out = true;
                self.output.clear();
                self.state = State::Closed;
            }
            Some(_) if !self.activity => {}
            _ => {
                self.deadline = Some(now + self.config.limits.idle_timeout);
                self.activity = false;
            }
        }
    }

    /// Feeds the next chunk of the message accepted by [`RetrieveDecision::accept`].
    ///
    /// Returns [`BodyProgress::Complete`] when `TOP` has all its lines (stop reading and
    /// call [`finish_body`](Self::finish_body)).
    ///
    /// # Errors
    ///
    /// [`SessionError::Misuse`] when no message is being sent.
    pub fn handle_body(&mut self, chunk: &[u8]) -> Result<BodyProgress, SessionError> {
        let Pending::Body(encoder) = &mut self.pending else {
            return Err(SessionError::Misuse(
                "handle_body without an accepted RETR/TOP",
            ));
        };
        self.activity = true;
        Ok(encoder.encode(chunk, &mut self.output))
    }

    /// Ends the message being sent (the terminating `.`) and goes on with the next
    /// command.
    ///
    /// # Errors
    ///
    /// [`SessionError::Misuse`] when no message is being sent.
    pub fn finish_body(&mut self) -> Result<(), SessionError> {
        let Pending::Body(encoder) = &mut self.pending else {
            return Err(SessionError::Misuse(
                "finish_body without an accepted RETR/TOP",
            ));
        };
        encoder.finish(&mut self.output);
        self.pending = Pending::None;
        self.activity = true;
        self.advance();
        Ok(())
    }

    /// The message could not be read to its end after `+OK` went out: the response
    /// cannot be completed, so the session closes at once (without UPDATE). The
    /// client sees the connection drop and retries later.
    pub fn abort_body(&mut self) {
        self.pending = Pending::None;
        self.state = State::Closed;
    }

    /// The TLS handshake after `STLS` succeeded: the session continues in
    /// AUTHORIZATION over TLS, with everything sent before forgotten
    /// ([RFC 2595 section 4](https://www.rfc-editor.org/rfc/rfc2595#section-4)).
    pub fn tls_started(&mut self) {
        if !matches!(self.pending, Pending::StartTls) {
            return;
        }
        self.pending = Pending::None;
        self.tls_active = true;
        self.input.clear();
        self.framer = LineFramer::new(self.config.limits.max_command_line);
        self.user = None;
        self.activity = true;
    }

    /// Ends the session on the application's initiative (graceful shutdown): answers
    /// `-ERR [SYS/TEMP] server shutting down` unless a response is half sent, and
    /// closes without UPDATE once the output is written.
    pub fn close(&mut self) {
        if self.is_closing() {
            return;
        }
        if matches!(self.pending, Pending::Body(_) | Pending::Listing(_)) {
            self.state = State::Closed;
            return;
        }
        self.pending = Pending::None;
        self.write_status(&StatusLine::err_with_code(
            crate::types::ResponseCode::SYS_TEMP,
            Text::unvalidated("server shutting down"),
        ));
        self.close_after_output = true;
    }

    // ----- outputs -----

    /// Appends everything the session has to send to `buf` and returns how many octets
    /// that was. Also writes the next piece of a long `LIST`/`UIDL`.
    #[must_use]
    pub fn poll_output(&mut self, buf: &mut BytesMut) -> usize {
        if let Pending::Listing(writer) = &mut self.pending
            && writer.write(
                &self.listing,
                &mut self.output,
                self.config.limits.output_chunk,
            )
        {
            self.pending = Pending::None;
            self.advance();
        }
        let written = self.output.len();
        if written > 0 {
            if buf.is_empty() {
                std::mem::swap(buf, &mut self.output);
            } else {
                buf.extend_from_slice(&self.output);
                self.output.clear();
            }
        }
        if self.close_after_output
            && self.output.is_empty()
            && !matches!(self.pending, Pending::Listing(_))
        {
            self.state = State::Closed;
        }
        written
    }

    /// The next event the application must act on, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        if self.state == State::Closed {
            return None;
        }
        match self.pending {
            Pending::Login(_) => Some(Event::Login(LoginDecision { session: self })),
            Pending::Retrieve { .. } => Some(Event::Retrieve(RetrieveDecision { session: self })),
            Pending::Update => Some(Event::Update(UpdateDecision { session: self })),
            Pending::StartTls => Some(Event::StartTls),
            Pending::None | Pending::Body(_) | Pending::Listing(_) => None,
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next (the
    /// autologout deadline), if a timer runs.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.timer_runs() && !self.is_closing() {
            true => self.deadline,
            false => None,
        }
    }

    // ----- getters -----

    /// The RFC 1939 state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the session is over (after its last output was taken).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Whether the session ended because the autologout timer expired.
    pub fn is_timed_out(&self) -> bool {
        self.timed_out
    }

    /// Whether the session can use more input now: not closing, not waiting for a TLS
    /// handshake, and its pipelining buffer has room.
    pub fn wants_input(&self) -> bool {
        !self.is_closing()
            && !matches!(self.pending, Pending::StartTls)
            && self.input.len() < self.config.limits.max_pending_input
    }

    /// Whether the connection runs TLS (implicit, or after `STLS`).
    pub fn is_tls_active(&self) -> bool {
        self.tls_active
    }

    /// The user whose maildrop is open, once logged in.
    pub fn user(&self) -> Option<&str> {
        self.logged_in.as_deref()
    }

    /// How many logins were rejected on this connection.
    pub fn failed_logins(&self) -> u32 {
        self.failed_logins
    }

    // ----- decisions (called by the decision objects) -----

    pub(crate) fn pending_credentials(&self) -> &Credentials {
        match &self.pending {
            Pending::Login(credentials) => credentials,
            // A LoginDecision is only built while `pending` is `Login` and holds the
            // session's only mutable borrow, so `pending` cannot have changed.
            _ => unreachable_decision(),
        }
    }

    pub(crate) fn pending_retrieve(&self) -> (MessageNumber, Option<u32>, &MessageInfo) {
        match &self.pending {
            Pending::Retrieve { message, top } => match self.listing.info(message.index()) {
                Some(info) => (*message, *top, info),
                // `Retrieve` is only set for a number `Listing::get` accepted.
                None => unreachable_decision(),
            },
            // As in `pending_credentials`.
            _ => unreachable_decision(),
        }
    }

    pub(crate) fn accept_login(&mut self, messages: Vec<MessageInfo>) {
        let Pending::Login(credentials) = std::mem::replace(&mut self.pending, Pending::None)
        else {
            return;
        };
        self.logged_in = Some(credentials.user().to_owned());
        self.listing = Listing::new(messages);
        self.state = State::Transaction;
        let stat = self.listing.stat();
        self.ok(format!(
            "maildrop has {} message{} ({} octets)",
            stat.count,
            if stat.count == 1 { "" } else { "s" },
            stat.octets
        ));
        self.activity = true;
        self.advance();
    }

    pub(crate) fn reject_login(&mut self, rejection: LoginRejection) {
        self.pending = Pending::None;
        self.write_status(&StatusLine::from(rejection));
        if rejection == LoginRejection::BadCredentials {
            self.failed_logins += 1;
            if self.failed_logins >= self.config.limits.max_failed_logins {
                self.close_after_output = true;
                return;
            }
        }
        self.activity = true;
        self.advance();
    }

    pub(crate) fn accept_retrieve(&mut self) {
        let (_, top, info) = self.pending_retrieve();
        let size = info.size;
        let encoder = match top {
            Some(lines) => {
                self.ok("top of message follows");
                BodyEncoder::top(lines)
            }
            None => {
                self.ok(format!("{size} octets"));
                BodyEncoder::whole()
            }
        };
        self.pending = Pending::Body(encoder);
        self.activity = true;
    }

    pub(crate) fn reject_retrieve(&mut self, status: StatusLine<'static>) {
        self.pending = Pending::None;
        self.write_status(&status);
        self.activity = true;
        self.advance();
    }

    pub(crate) fn deleted_indices(&self) -> Vec<usize> {
        self.listing.deleted_indices()
    }

    pub(crate) fn finish_update(&mut self, failure: Option<StatusLine<'static>>) {
        self.pending = Pending::None;
        match failure {
            Some(status) => self.write_status(&status),
            None => {
                let left = self.listing.stat().count;
                self.ok(match left {
                    0 => "POP3 server signing off (maildrop empty)".to_owned(),
                    1 => "POP3 server signing off (1 message left)".to_owned(),
                    n => format!("POP3 server signing off ({n} messages left)"),
                });
            }
        }
        self.close_after_output = true;
    }

    // ----- the command loop -----

    /// Processes complete lines until one needs a decision or the input runs out.
    fn advance(&mut self) {
        while matches!(self.pending, Pending::None) && !self.is_closing() {
            let Some(frame) = self.framer.next_frame(&mut self.input) else {
                return;
            };
            match frame {
                LineFrame::TooLong => {
                    self.end_sasl();
                    self.fail(SessionError::LineTooLong);
                }
                LineFrame::Line(line) => match self.sasl.take() {
                    Some(step) => self.sasl_line(step, &line),
                    None => self.command_line(&line),
                },
            }
        }
    }

    fn command_line(&mut self, line: &[u8]) {
        match parse::command(line) {
            Err(error) => self.fail(SessionError::Syntax(error)),
            Ok(command) => match self.state {
                State::Authorization => self.authorization(command),
                State::Transaction => self.transaction(command),
                State::Update | State::Closed => {}
            },
        }
    }

    fn authorization(&mut self, command: Command<'_>) {
        let plaintext = self.config.plaintext_allowed(self.tls_active);
        match command {
            Command::Capa => self.capabilities(),
            Command::User(_) | Command::Pass(_) if !plaintext => {
                self.fail(SessionError::PlaintextDisallowed);
            }
            Command::User(name) => {
                self.user = Some(name.into_owned());
                self.ok("send PASS");
            }
            Command::Pass(password) => match self.user.take() {
                None => self.fail(SessionError::PassWithoutUser),
                Some(user) => self.login(Credentials::Password {
                    user: user.as_str().to_owned(),
                    password: Secret::new(password.declassify().to_vec()),
                    authzid: None,
                    method: PasswordMethod::UserPass,
                }),
            },
            Command::Apop { name, digest } => match &self.config.apop {
                None => self.fail(SessionError::ApopUnavailable),
                Some(timestamp) => {
                    let timestamp = timestamp.clone();
                    self.login(Credentials::Apop {
                        user: name.into_owned(),
                        digest,
                        timestamp,
                    });
                }
            },
            Command::AuthList => {
                self.ok("SASL mechanisms follow");
                if plaintext {
                    for mechanism in &self.config.mechanisms {
                        encode::mechanism(mechanism, &mut self.output);
                    }
                }
                encode::multiline_end(&mut self.output);
            }
            Command::Auth { .. } if !plaintext => self.fail(SessionError::PlaintextDisallowed),
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                if !self.config.mechanisms.contains(&mechanism) {
                    return self.fail(SessionError::UnsupportedMechanism);
                }
                let step = match mechanism.as_str().eq_ignore_ascii_case("PLAIN") {
                    true => SaslStep::Plain,
                    false => SaslStep::LoginUser,
                };
                match initial_response {
                    Some(data) => self.sasl_data(step, data.into_declassified()),
                    None => self.start_sasl(step),
                }
            }
            Command::Stls if self.tls_active => self.fail(SessionError::TlsActive),
            Command::Stls if !self.config.stls => self.fail(SessionError::StlsUnavailable),
            Command::Stls => {
                self.ok("begin TLS negotiation now");
                self.input.clear();
                self.pending = Pending::StartTls;
            }
            Command::Utf8 if !self.config.utf8 => {
                self.fail(SessionError::Syntax(crate::ParseError::UnknownCommand));
            }
            Command::Utf8 => {
                self.utf8 = true;
                self.ok("UTF8 enabled");
            }
            Command::Quit => {
                self.ok("POP3 server signing off");
                self.close_after_output = true;
            }
            other => self.fail(SessionError::WrongState {
                command: other.keyword(),
            }),
        }
    }

    fn transaction(&mut self, command: Command<'_>) {
        match command {
            Command::Stat => encode::stat(&self.listing.stat(), &mut self.output),
            Command::List(None) => {
                let stat = self.listing.stat();
                self.ok(format!("{} messages ({} octets)", stat.count, stat.octets));
                self.pending = Pending::Listing(ListingWriter::new(ListingKind::Scan));
            }
            Command::List(Some(message)) => match self.listing.get(message) {
                Ok(info) => {
                    let text = format!("{message} {}", info.size);
                    self.ok(text);
                }
                Err(error) => self.fail(error),
            },
            Command::Uidl(None) => {
                self.ok("unique-id listing follows");
                self.pending = Pending::Listing(ListingWriter::new(ListingKind::UniqueId));
            }
            Command::Uidl(Some(message)) => match self.listing.get(message) {
                Ok(info) => {
                    let text = format!("{message} {}", info.unique_id);
                    self.ok(text);
                }
                Err(error) => self.fail(error),
            },
            Command::Retr(message) => self.retrieve(message, None),
            Command::Top { message, lines } => self.retrieve(message, Some(lines)),
            Command::Dele(message) => match self.listing.delete(message) {
                Ok(()) => self.ok(format!("message {message} deleted")),
                Err(error) => self.fail(error),
            },
            Command::Noop => self.ok_empty(),
            Command::Rset => {
                self.listing.reset();
                let stat = self.listing.stat();
                self.ok(format!(
                    "maildrop has {} messages ({} octets)",
                    stat.count, stat.octets
                ));
            }
            Command::Quit => {
                self.state = State::Update;
                self.pending = Pending::Update;
            }
            Command::Capa => self.capabilities(),
            other => self.fail(SessionError::WrongState {
                command: other.keyword(),
            }),
        }
    }

    fn retrieve(&mut self, message: MessageNumber, top: Option<u32>) {
        match self.listing.get(message) {
            Ok(_) => self.pending = Pending::Retrieve { message, top },
            Err(error) => self.fail(error),
        }
    }

    fn capabilities(&mut self) {
        self.ok("capability list follows");
        let authorization = self.state == State::Authorization;
        let plaintext = self.config.plaintext_allowed(self.tls_active);
        let mut capabilities = vec![
            Capability::TOP,
            Capability::UIDL,
            Capability::RESP_CODES,
            Capability::AUTH_RESP_CODE,
            Capability::PIPELINING,
        ];
        if authorization && plaintext {
            capabilities.push(Capability::USER);
            if !self.config.mechanisms.is_empty() {
                capabilities.push(Capability::sasl(&self.config.mechanisms));
            }
        }
        if authorization && self.config.stls && !self.tls_active {
            capabilities.push(Capability::STLS);
        }
        if self.config.utf8 {
            capabilities.push(Capability::utf8_user());
        }
        if let Some(seconds) = self.config.login_delay {
            capabilities.push(Capability::login_delay(seconds, false));
        }
        if let Some(implementation) = &self.config.implementation {
            capabilities.push(implementation.clone());
        }
        for capability in &capabilities {
            encode::capability(capability, &mut self.output);
        }
        encode::multiline_end(&mut self.output);
    }

    // ----- SASL -----

    fn start_sasl(&mut self, step: SaslStep) {
        let challenge: &[u8] = match step {
            SaslStep::Plain => b"",
            SaslStep::LoginUser => sasl::LOGIN_USER_CHALLENGE,
            SaslStep::LoginPassword { .. } => sasl::LOGIN_PASSWORD_CHALLENGE,
        };
        encode::continuation(challenge, &mut self.output);
        self.framer.set_max_len(self.config.limits.max_auth_line);
        self.sasl = Some(step);
    }

    fn end_sasl(&mut self) {
        self.sasl = None;
        self.framer.set_max_len(self.config.limits.max_command_line);
    }

    fn sasl_line(&mut self, step: SaslStep, line: &[u8]) {
        self.end_sasl();
        match parse::sasl_response(line) {
            Err(_) => self.fail(SessionError::BadSaslData),
            Ok(SaslResponse::Cancel) => self.fail(SessionError::AuthCancelled),
            Ok(SaslResponse::Data(data)) => self.sasl_data(step, data.into_declassified()),
        }
    }

    fn sasl_data(&mut self, step: SaslStep, data: Vec<u8>) {
        match step {
            SaslStep::Plain => match sasl::plain(data) {
                Ok(message) => self.login(Credentials::Password {
                    user: message.authcid,
                    password: Secret::new(message.password),
                    authzid: message.authzid,
                    method: PasswordMethod::SaslPlain,
                }),
                Err(error) => self.fail(error),
            },
            SaslStep::LoginUser => match sasl::login_user(data) {
                Ok(user) => self.start_sasl(SaslStep::LoginPassword { user }),
                Err(error) => self.fail(error),
            },
            SaslStep::LoginPassword { user } => self.login(Credentials::Password {
                user,
                password: Secret::new(data),
                authzid: None,
                method: PasswordMethod::SaslLogin,
            }),
        }
    }

    fn login(&mut self, credentials: Credentials) {
        self.pending = Pending::Login(Box::new(credentials));
    }

    // ----- output helpers -----

    fn ok(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.write_status(&StatusLine::ok(Text::unvalidated(text)));
    }

    fn ok_empty(&mut self) {
        self.write_status(&StatusLine {
            status: crate::response::Status::Ok,
            code: None,
            text: None,
        });
    }

    fn fail(&mut self, error: SessionError) {
        self.write_status(&StatusLine::from(&error));
        if error.is_fatal() {
            self.close_after_output = true;
        }
    }

    fn write_status(&mut self, status: &StatusLine<'_>) {
        encode::status_line(status, &mut self.output);
    }

    fn is_closing(&self) -> bool {
        self.close_after_output || self.state == State::Closed
    }

    fn timer_runs(&self) -> bool {
        matches!(self.pending, Pending::None)
    }
}

/// `text` cut to at most `max` octets, at the character boundary at or before `max`.
fn floor_cut(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

#[cold]
fn unreachable_decision() -> ! {
    #[allow(clippy::panic, reason = "a decision object proves its pending state")]
    {
        panic!("decision object outlived its pending state")
    }
}
