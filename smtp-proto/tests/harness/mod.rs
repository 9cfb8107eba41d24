//! A socket-free client<->server pair with a simulated clock (quinn-proto's `Pair`),
//! and a scripted server application that answers every decision.

#![allow(dead_code, reason = "each test file uses a part of the harness")]
#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test support: a failed unwrap is a failed test; the simulated clock starts at the real now"
)]

use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwright_smtp::client::{self, ClientConfig, ClientSession};
use mailwright_smtp::server::{self, AbortReason, ServerConfig, ServerSession};
use mailwright_smtp::{EnhancedStatusCode, Envelope, Reply, ReplyCode};

/// What the scripted server application decides, and what it saw.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    /// Refuse EHLO with `502` (an old server), accept HELO.
    pub(crate) refuse_ehlo: bool,
    /// Recipients (local parts) to refuse with `550 5.1.1`.
    pub(crate) refuse_rcpt: Vec<String>,
    /// Senders (full address) to refuse with `550 5.7.1`.
    pub(crate) refuse_mail: Vec<String>,
    /// The user and password AUTH accepts.
    pub(crate) login: Option<(String, String)>,
    /// Refuse every message with this reply.
    pub(crate) refuse_message: Option<Reply<'static>>,
    /// LMTP: refuse these recipients (local parts) after DATA.
    pub(crate) refuse_after_data: Vec<String>,
    /// Messages stored: envelope and body.
    pub(crate) messages: Vec<(Envelope<'static>, Vec<u8>)>,
    /// The body being received.
    pub(crate) body: Vec<u8>,
    /// Body chunks seen (to check streaming).
    pub(crate) chunks: usize,
    /// Aborted bodies.
    pub(crate) aborted: Vec<AbortReason>,
    /// Successful logins (user names).
    pub(crate) logins: Vec<String>,
    /// The server saw `Event::StartTls`.
    pub(crate) starttls: bool,
}

impl Sink {
    /// Answers one server event.
    pub(crate) fn answer(&mut self, event: server::Event<'_>) {
        match event {
            server::Event::Hello(hello) => {
                if self.refuse_ehlo && hello.kind() == server::HelloKind::Ehlo {
                    hello.reject(Reply::new(ReplyCode::NOT_IMPLEMENTED, "what is EHLO?"));
                } else {
                    hello.accept();
                }
            }
            server::Event::Auth(auth) => {
                let credentials = auth.credentials();
                let good = self.login.as_ref().is_some_and(|(user, pass)| {
                    credentials.username() == user
                        && credentials.password().declassify().as_str() == pass
                });
                if good {
                    self.logins.push(credentials.username().to_owned());
                    auth.accept();
                } else {
                    auth.reject();
                }
            }
            server::Event::MailFrom(mail) => {
                let from = mail.from().to_string();
                if self.refuse_mail.iter().any(|s| from.contains(s.as_str())) {
                    mail.reject(
                        Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "sender refused")
                            .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED),
                    );
                } else {
                    mail.accept();
                }
            }
            server::Event::Rcpt(rcpt) => {
                let local = rcpt
                    .to()
                    .mailbox()
                    .map(|m| m.local_part().content().into_owned())
                    .unwrap_or_default();
                if self.refuse_rcpt.contains(&local) {
                    rcpt.reject(
                        Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "no such user here")
                            .with_enhanced(EnhancedStatusCode::BAD_DESTINATION_MAILBOX),
                    );
                } else {
                    rcpt.accept();
                }
            }
            server::Event::Verify(verify) => {
                verify.respond(Reply::new(ReplyCode::CANNOT_VERIFY, "maybe"))
            }
            server::Event::StartTls => self.starttls = true,
            server::Event::BodyChunk(chunk) => {
                self.chunks += 1;
                self.body.extend_from_slice(&chunk);
            }
            server::Event::MessageComplete(message) => {
                let envelope = message.envelope().clone();
                let body = std::mem::take(&mut self.body);
                assert_eq!(message.size(), body.len() as u64);
                if let Some(reply) = &self.refuse_message {
                    message.reject(reply.clone());
                } else if message.is_lmtp() && !self.refuse_after_data.is_empty() {
                    let replies: Vec<Reply<'static>> = envelope
                        .recipients
                        .iter()
                        .map(|r| {
                            let local = r
                                .path
                                .mailbox()
                                .map(|m| m.local_part().content().into_owned());
                            if local.is_some_and(|l| self.refuse_after_data.contains(&l)) {
                                Reply::new(ReplyCode::MAILBOX_BUSY, "mailbox full")
                                    .with_enhanced(EnhancedStatusCode::MAILBOX_FULL)
                            } else {
                                Reply::new(ReplyCode::OK, "delivered")
                                    .with_enhanced(EnhancedStatusCode::OK)
                            }
                        })
                        .collect();
                    self.messages.push((envelope, body));
                    message.respond_per_recipient(replies);
                } else {
                    self.messages.push((envelope, body));
                    message.accept("Q1");
                }
            }
            server::Event::MessageAborted(reason) => {
                self.body.clear();
                self.aborted.push(reason);
            }
            _ => {}
        }
    }
}

/// Our client and our server wired back to back.
pub(crate) struct Pair {
    pub(crate) client: ClientSession,
    pub(crate) server: ServerSession,
    pub(crate) sink: Sink,
    pub(crate) now: Instant,
    /// Every byte the client wrote, and the server wrote.
    pub(crate) to_server: Vec<u8>,
    pub(crate) to_client: Vec<u8>,
    /// Client events, in order.
    pub(crate) events: Vec<client::Event>,
    /// Writes the server made (one per drained output): checks reply batching.
    pub(crate) server_writes: Vec<Vec<u8>>,
}

impl Pair {
    pub(crate) fn new(client: ClientConfig, server: ServerConfig) -> Self {
        let mut pair = Self {
            client: ClientSession::new(client),
            server: ServerSession::new(server),
            sink: Sink::default(),
            now: Instant::now(),
            to_server: Vec::new(),
            to_client: Vec::new(),
            events: Vec::new(),
            server_writes: Vec::new(),
        };
        pair.drive();
        pair
    }

    /// Moves bytes and events until nothing moves.
    pub(crate) fn drive(&mut self) {
        for _ in 0..10_000 {
            if !self.step() {
                return;
            }
        }
        panic!("the pair did not settle");
    }

    /// One round: server events, server output, client input, client events, client
    /// output, server input. True if anything moved.
    pub(crate) fn step(&mut self) -> bool {
        let mut moved = drain(&mut self.server, &mut self.sink);
        let mut out = BytesMut::new();
        if self.server.poll_output(&mut out) > 0 {
            moved = true;
            self.server_writes.push(out.to_vec());
            self.to_client.extend_from_slice(&out);
            let mut rest = &out[..];
            while !rest.is_empty() {
                let n = self.client.handle_input(rest);
                assert!(n > 0, "the client took no input");
                rest = &rest[n..];
            }
        }
        while let Some(event) = self.client.poll_event() {
            moved = true;
            self.events.push(event);
        }
        // Simulated TLS: both sides agreed, nothing is encrypted.
        if self.sink.starttls && matches!(self.events.last(), Some(client::Event::StartTls)) {
            self.sink.starttls = false;
            self.server.tls_started();
            self.client.tls_started();
            moved = true;
        }
        let mut out = BytesMut::new();
        if self.client.poll_output(&mut out) > 0 {
            moved = true;
            self.to_server.extend_from_slice(&out);
            feed_server(&mut self.server, &mut self.sink, &out);
        }
        self.client.handle_timeout(self.now);
        self.server.handle_timeout(self.now);
        moved
    }

    /// Lets simulated time pass, then drives.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.now += by;
        self.client.handle_timeout(self.now);
        self.server.handle_timeout(self.now);
        self.drive();
    }

    /// Takes the client events collected so far.
    pub(crate) fn take_events(&mut self) -> Vec<client::Event> {
        std::mem::take(&mut self.events)
    }
}

/// Feeds `bytes` to `server`, answering its events with `sink` whenever it needs
/// room.
pub(crate) fn feed_server(server: &mut ServerSession, sink: &mut Sink, bytes: &[u8]) {
    let mut rest = bytes;
    let mut stalls = 0;
    while !rest.is_empty() {
        let n = server.handle_input(rest);
        rest = &rest[n..];
        if n == 0 {
            drain(server, sink);
            stalls += 1;
            assert!(stalls < 1000, "input never taken");
        }
    }
}

/// Answers server events until there are none, or until `StartTls` (which repeats
/// until the handshake is done). True if there was any.
pub(crate) fn drain(server: &mut ServerSession, sink: &mut Sink) -> bool {
    let mut any = false;
    while let Some(event) = server.poll_event() {
        any = true;
        let starttls = matches!(event, server::Event::StartTls);
        sink.answer(event);
        if starttls {
            break;
        }
    }
    any
}

/// A server session fed by hand: the greeting is skipped, `input` goes in, and the
/// output after every event was answered by `sink` comes back.
pub(crate) fn exchange(server: &mut ServerSession, sink: &mut Sink, input: &[u8]) -> String {
    feed_server(server, sink, input);
    drain(server, sink);
    let mut out = BytesMut::new();
    let _ = server.poll_output(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A started server session with its greeting consumed.
pub(crate) fn server(config: ServerConfig) -> ServerSession {
    let mut server = ServerSession::new(config);
    let mut out = BytesMut::new();
    let _ = server.poll_output(&mut out);
    assert!(out.starts_with(b"220 "));
    server
}
