//! The sans-IO IMAP server session.

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use crate::codec::encode;
use crate::codec::frame::{FrameEvent, Framer};
use crate::response::{Code, Data, Response, StatusKind, StatusResponse};
use crate::server::pending::Pending;
use crate::server::view::{UpdateStyle, View};
use crate::server::{
    AppendCompleteDecision, AppendDecision, CopyDecision, Event, ExpungeDecision, FetchDecision,
    ListDecision, LoginDecision, MailboxChanges, MailboxDecision, SearchDecision, SelectDecision,
    ServerConfig, SessionError, State, StatusDecision, StoreDecision,
};
use crate::types::{Tag, Text};

/// One IMAP server connection as a state machine: bytes in, bytes and events out,
/// no I/O, no clock.
///
/// # Calling protocol
///
/// The session never reads a socket or the clock. The application (or the
/// [`tokio`](crate::tokio) driver) repeats these steps until [`is_closed`] is true:
///
/// 1. **Output.** Call [`poll_output`] and write everything it appended to the
///    connection. The greeting is there right after [`new`]. Call it again after
///    every other step.
/// 2. **Events.** Call [`poll_event`] and answer each [`Event`] through its
///    decision object. While a decision is unanswered the session reads no further
///    command; the same event comes back on the next call. After
///    [`Event::StartTls`] the application MUST write the pending output, run the
///    TLS handshake and call [`tls_started`].
/// 3. **Input.** When [`wants_input`] is true, read from the connection and pass
///    the bytes to [`handle_input`]. Commands are processed in order, pipelined or
///    not; literals are announced to the session before their bytes are read.
/// 4. **Time.** Call [`handle_timeout`] with the current time after each
///    [`handle_input`], after answering decisions, and whenever the instant of
///    [`poll_timeout`] passes: input restarts the autologout timer, an expired
///    timer says BYE, and the answer to a failed login is held until its delay
///    has passed.
/// 5. **Mailbox changes.** When the store reports changes to the selected mailbox
///    (another session appended, expunged or changed flags), pass them to
///    [`handle_mailbox_changes`]; the session tells the client when RFC 9051
///    allows it (at once during IDLE).
///
/// [`close`] ends the session on the application's initiative (shutdown).
///
/// ```
/// use bytes::BytesMut;
/// use mailwright_imap::server::{Event, ServerConfig, ServerSession};
///
/// let mut config = ServerConfig::default();
/// config.plaintext_auth(true);
/// let mut session = ServerSession::new(config);
/// let mut out = BytesMut::new();
/// let _ = session.poll_output(&mut out);
/// assert!(out.starts_with(b"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 "));
///
/// session.handle_input(b"a1 LOGIN alice secret\r\na2 NOOP\r\n");
/// let Some(Event::Login(login)) = session.poll_event() else { panic!() };
/// assert_eq!((login.username(), login.password()), ("alice", &b"secret"[..]));
/// login.accept();
/// out.clear();
/// let _ = session.poll_output(&mut out);
/// assert!(out.starts_with(b"a1 OK [CAPABILITY "));
/// assert!(out.ends_with(b"a2 OK NOOP completed\r\n"));
/// ```
///
/// [`new`]: Self::new
/// [`is_closed`]: Self::is_closed
/// [`poll_output`]: Self::poll_output
/// [`poll_event`]: Self::poll_event
/// [`poll_timeout`]: Self::poll_timeout
/// [`handle_input`]: Self::handle_input
/// [`handle_timeout`]: Self::handle_timeout
/// [`handle_mailbox_changes`]: Self::handle_mailbox_changes
/// [`tls_started`]: Self::tls_started
/// [`wants_input`]: Self::wants_input
/// [`close`]: Self::close
#[derive(Debug)]
pub struct ServerSession {
    pub(crate) config: ServerConfig,
    pub(crate) framer: Framer,
    pub(crate) output: Vec<u8>,
    pub(crate) state: State,
    pub(crate) pending: Pending,
    pub(crate) view: Option<View>,
    pub(crate) enabled: Enabled,
    pub(crate) tls_active: bool,
    pub(crate) user: Option<String>,
    pub(crate) failed_logins: u32,
    held: Option<Held>,
    append_chunk: Option<Bytes>,
    close_after_output: bool,
    closed: bool,
    now: Option<Instant>,
    deadline: Option<Instant>,
    activity: bool,
}

/// What the client turned on with ENABLE (or by using it).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Enabled {
    pub(crate) condstore: bool,
    pub(crate) qresync: bool,
    pub(crate) utf8: bool,
    pub(crate) rev2: bool,
}

/// Output held back until a delay has passed (the answer to a failed login).
#[derive(Debug)]
struct Held {
    output: Vec<u8>,
    delay: Duration,
    until: Option<Instant>,
    close: bool,
}

impl ServerSession {
    /// A session for a new connection; the greeting is ready in
    /// [`poll_output`](Self::poll_output).
    pub fn new(config: ServerConfig) -> Self {
        let limits = &config.limits;
        let framer = Framer::for_commands(limits.max_line, limits.max_command);
        let mut session = Self {
            framer,
            output: Vec::new(),
            state: State::NotAuthenticated,
            pending: Pending::None,
            view: None,
            enabled: Enabled::default(),
            tls_active: config.tls_active,
            user: None,
            failed_logins: 0,
            held: None,
            append_chunk: None,
            close_after_output: false,
            closed: false,
            now: None,
            deadline: None,
            activity: true,
            config,
        };
        let caps = session
            .config
            .capabilities(State::NotAuthenticated, session.tls_active);
        let greeting = Text::sanitized(&session.config.greeting);
        session.write_status(StatusResponse::ok(
            None,
            Some(Code::Capability(caps)),
            greeting,
        ));
        session
    }

    /// A session for a connection that is already authenticated (PREAUTH greeting).
    pub fn new_preauthenticated(config: ServerConfig, user: impl Into<String>) -> Self {
        let mut session = Self::new(config);
        session.output.clear();
        session.state = State::Authenticated;
        session.user = Some(user.into());
        let caps = session
            .config
            .capabilities(State::Authenticated, session.tls_active);
        session.write_status(StatusResponse {
            tag: None,
            kind: StatusKind::PreAuth,
            code: Some(Code::Capability(caps)),
            text: Text::sanitized(&session.config.greeting),
        });
        session
    }

    // ----- inputs -----

    /// Hands bytes read from the connection to the session and processes every
    /// complete command they finish, up to the next decision.
    ///
    /// Input past [`Limits::max_pending_input`](crate::server::Limits::max_pending_input)
    /// that piles up while the application decides ends the session with BYE.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.is_closing() || bytes.is_empty() {
            return;
        }
        self.activity = true;
        if matches!(self.pending, Pending::StartTls) {
            // RFC 9051 section 6.2.1: nothing may follow STARTTLS before the
            // handshake; injected plaintext is dropped.
            return;
        }
        if self.framer.buffered() + bytes.len() > self.config.limits.max_pending_input {
            self.fail_fatal(SessionError::TooMuchInput);
            return;
        }
        self.framer.enqueue(bytes);
        self.advance();
    }

    /// The client closed its side: the session closes without a response (an APPEND
    /// in progress is abandoned; nothing the client sent after its last complete
    /// command is acted on).
    pub fn handle_eof(&mut self) {
        if self.closed {
            return;
        }
        self.output.clear();
        self.framer.clear();
        self.held = None;
        self.append_chunk = None;
        self.pending = Pending::None;
        self.view = None;
        self.state = State::Logout;
        self.close_after_output = true;
        self.closed = true;
    }

    /// Tells the session the time (see the calling protocol).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        if let Some(held) = &mut self.held {
            let until = *held.until.get_or_insert(now + held.delay);
            if now < until {
                return;
            }
            if let Some(held) = self.held.take() {
                self.output.extend_from_slice(&held.output);
                if held.close {
                    self.state = State::Logout;
                    self.close_after_output = true;
                }
            }
            self.activity = true;
            self.advance();
        }
        if self.is_closing() {
            return;
        }
        if !self.timer_runs() {
            self.deadline = None;
            return;
        }
        let timeout = match self.pending {
            Pending::Idle(_) => self.config.limits.idle_timeout,
            _ => self.config.limits.autologout,
        };
        match self.deadline {
            Some(deadline) if !self.activity && now >= deadline => {
                self.write_status(StatusResponse::bye(
                    None,
                    Text::unvalidated("Autologout; idle for too long"),
                ));
                self.state = State::Logout;
                self.close_after_output = true;
            }
            Some(_) if !self.activity => {}
            _ => {
                self.deadline = Some(now + timeout);
                self.activity = false;
            }
        }
    }

    /// Reports changes to the selected mailbox made elsewhere; see [`MailboxChanges`].
    /// Ignored when no mailbox is selected.
    pub fn handle_mailbox_changes(&mut self, changes: MailboxChanges) {
        let style = self.update_style();
        let Some(view) = &mut self.view else {
            return;
        };
        view.note_changes(changes);
        if matches!(self.pending, Pending::Idle(_)) {
            view.flush(&mut self.output, true, style);
        }
    }

    /// The TLS handshake after STARTTLS succeeded: input buffered before it is
    /// dropped and the session continues not authenticated, over TLS.
    pub fn tls_started(&mut self) {
        if !matches!(self.pending, Pending::StartTls) {
            return;
        }
        self.pending = Pending::None;
        self.tls_active = true;
        self.framer.clear();
        self.activity = true;
    }

    /// Ends the session on the application's initiative (graceful shutdown):
    /// `* BYE Server shutting down`, then closed once the output is written.
    pub fn close(&mut self) {
        if self.is_closing() {
            return;
        }
        self.pending = Pending::None;
        self.held = None;
        self.write_status(StatusResponse::bye(
            Some(Code::Unavailable),
            Text::unvalidated("Server shutting down"),
        ));
        self.state = State::Logout;
        self.close_after_output = true;
    }

    // ----- outputs -----

    /// Appends everything the session has to send to `buf` and returns how many
    /// octets that was.
    #[must_use]
    pub fn poll_output(&mut self, buf: &mut BytesMut) -> usize {
        let written = self.output.len();
        if written > 0 {
            buf.extend_from_slice(&self.output);
            self.output.clear();
            if self.output.capacity() > 64 * 1024 {
                self.output = Vec::new();
            }
        }
        if self.close_after_output {
            self.closed = true;
        }
        written
    }

    /// The next event the application must act on, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        if self.closed || self.close_after_output {
            return None;
        }
        self.advance();
        if let Some(chunk) = self.append_chunk.take() {
            return Some(Event::AppendData(chunk));
        }
        Some(match self.pending {
            Pending::Login(_) => Event::Login(LoginDecision { session: self }),
            Pending::StartTls => Event::StartTls,
            Pending::Select(_) => Event::Select(SelectDecision { session: self }),
            Pending::Mailbox(_) => Event::Mailbox(MailboxDecision { session: self }),
            Pending::List(_) => Event::List(ListDecision { session: self }),
            Pending::Status(_) => Event::Status(StatusDecision { session: self }),
            Pending::Append(_) => Event::Append(AppendDecision { session: self }),
            Pending::AppendDone(_) => {
                Event::AppendComplete(AppendCompleteDecision { session: self })
            }
            Pending::Fetch(_) => Event::Fetch(FetchDecision { session: self }),
            Pending::Store(_) => Event::Store(StoreDecision { session: self }),
            Pending::Search(_) => Event::Search(SearchDecision { session: self }),
            Pending::Copy(_) => Event::Copy(CopyDecision { session: self }),
            Pending::Expunge(_) => Event::Expunge(ExpungeDecision { session: self }),
            Pending::None
            | Pending::Sasl(..)
            | Pending::Idle(_)
            | Pending::AppendStream(_)
            | Pending::AppendTail(_) => return None,
        })
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if ever.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let held = self
            .held
            .as_ref()
            .and_then(|h| h.until.or_else(|| self.now.map(|n| n + h.delay)));
        match (held, self.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    // ----- getters -----

    /// The connection state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the session ended and its last output was taken.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether the session takes input now (not closing, not over its buffer).
    pub fn wants_input(&self) -> bool {
        !self.is_closing()
            && !matches!(self.pending, Pending::StartTls)
            && self.framer.buffered() < self.config.limits.max_pending_input
    }

    /// Whether the client is in IDLE.
    pub fn is_idle(&self) -> bool {
        matches!(self.pending, Pending::Idle(_))
    }

    /// The user the client logged in as, if it did.
    pub fn authenticated(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The Unicode name of the selected mailbox.
    pub fn selected(&self) -> Option<&str> {
        self.view.as_ref().map(|v| v.name.as_str())
    }

    /// Whether the connection runs TLS (implicit, or after STARTTLS).
    pub fn tls_active(&self) -> bool {
        self.tls_active
    }

    /// Octets of output not yet taken with [`poll_output`](Self::poll_output).
    pub fn buffered_output(&self) -> usize {
        self.output.len()
    }

    /// Octets of input buffered and not yet processed (for memory accounting).
    pub fn buffered_input(&self) -> usize {
        self.framer.buffered()
    }

    // ----- internals -----

    fn is_closing(&self) -> bool {
        self.closed || self.close_after_output
    }

    fn timer_runs(&self) -> bool {
        !self.pending.is_decision() && self.held.is_none()
    }

    /// Processes buffered input until a decision is needed or input runs out.
    pub(crate) fn advance(&mut self) {
        loop {
            if self.is_closing() || self.held.is_some() || self.pending.is_decision() {
                return;
            }
            if self.append_chunk.is_some() {
                return;
            }
            let Some(event) = self.framer.poll() else {
                return;
            };
            match event {
                FrameEvent::Frame(frame) => self.handle_frame(frame),
                FrameEvent::LiteralAnnounced(a) => self.handle_literal(a),
                FrameEvent::LiteralData(chunk) => self.handle_append_chunk(chunk),
                FrameEvent::Error(err) => {
                    if !matches!(self.pending, Pending::None) {
                        self.pending = Pending::None;
                    }
                    let error = SessionError::Frame(err.kind);
                    self.write_status(error.response(err.tag));
                }
            }
        }
    }

    fn handle_append_chunk(&mut self, chunk: Bytes) {
        let Pending::AppendStream(p) = &mut self.pending else {
            return;
        };
        p.remaining = p.remaining.saturating_sub(chunk.len() as u64);
        if p.remaining == 0
            && let Pending::AppendStream(p) = std::mem::replace(&mut self.pending, Pending::None)
        {
            self.pending = Pending::AppendTail(p);
        }
        self.append_chunk = Some(chunk);
    }

    // ----- output helpers -----

    pub(crate) fn write_status(&mut self, status: StatusResponse<'_>) {
        encode::response(&Response::Status(status), &mut self.output);
    }

    pub(crate) fn write_data(&mut self, data: Data<'_>) {
        encode::response(&Response::Data(data), &mut self.output);
    }

    pub(crate) fn update_style(&self) -> UpdateStyle {
        UpdateStyle {
            condstore: self.enabled.condstore,
            qresync: self.enabled.qresync,
        }
    }

    /// Sends the updates the moment allows, then `tag OK [code] text`.
    pub(crate) fn complete_ok(
        &mut self,
        tag: Tag<'static>,
        code: Option<Code<'static>>,
        text: &str,
        allow_expunge: bool,
    ) {
        self.flush_updates(allow_expunge);
        self.write_status(StatusResponse::ok(Some(tag), code, Text::sanitized(text)));
    }

    pub(crate) fn flush_updates(&mut self, allow_expunge: bool) {
        let style = self.update_style();
        if let Some(view) = &mut self.view {
            view.flush(&mut self.output, allow_expunge, style);
        }
    }

    /// `tag NO [code] text` for a refused command, then goes on with input.
    pub(crate) fn reject_command(
        &mut self,
        tag: Tag<'static>,
        rejection: crate::server::Rejection,
    ) {
        self.flush_updates(true);
        self.write_status(StatusResponse::no(
            Some(tag),
            rejection.code,
            rejection.text,
        ));
        self.advance();
    }

    /// Answers a refused command with the error's response.
    pub(crate) fn refuse(&mut self, tag: Option<Tag<'_>>, error: SessionError) {
        if error.is_fatal() {
            self.fail_fatal(error);
        } else {
            self.write_status(error.response(tag));
        }
    }

    pub(crate) fn fail_fatal(&mut self, error: SessionError) {
        self.write_status(error.response(None));
        self.state = State::Logout;
        self.pending = Pending::None;
        self.close_after_output = true;
    }

    /// Holds `output` back for `delay` (a failed login), then closes if `close`.
    pub(crate) fn hold(&mut self, output: Vec<u8>, delay: Duration, close: bool) {
        self.held = Some(Held {
            output,
            delay,
            until: self.now.map(|n| n + delay),
            close,
        });
    }

    /// Ends the session after the output is written (LOGOUT).
    pub(crate) fn logout(&mut self) {
        self.view = None;
        self.pending = Pending::None;
        self.state = State::Logout;
        self.close_after_output = true;
    }

    /// Leaves the selected state.
    pub(crate) fn deselect(&mut self) {
        self.view = None;
        if self.state == State::Selected {
            self.state = State::Authenticated;
        }
    }

    /// Whether mailbox names are UTF-8 for this client (IMAP4rev2 or UTF8=ACCEPT).
    pub(crate) fn utf8_names(&self) -> bool {
        self.enabled.utf8 || self.enabled.rev2
    }
}
