//! A socket-free driver for `ServerSession` with a simulated clock: answers the
//! session's events from an in-test maildrop, feeding message bodies in small chunks.

#![allow(dead_code, reason = "each test file uses a different part")]
#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test support: a failed unwrap is a failed test; the simulated clock starts at the real now"
)]

use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwright_pop3::UniqueId;
use mailwright_pop3::maildrop::MessageInfo;
use mailwright_pop3::server::{Credentials, Event, LoginRejection, ServerConfig, ServerSession};

pub(crate) struct Harness {
    pub(crate) session: ServerSession,
    pub(crate) user: String,
    pub(crate) password: Vec<u8>,
    pub(crate) messages: Vec<(Vec<u8>, String)>,
    pub(crate) in_use: bool,
    pub(crate) removed: Option<Vec<usize>>,
    pub(crate) logins: Vec<String>,
    pub(crate) chunk: usize,
    pub(crate) largest_output: usize,
    pub(crate) now: Instant,
}

impl Harness {
    pub(crate) fn new(config: ServerConfig) -> Self {
        Self {
            session: ServerSession::new(config),
            user: "mrose".to_owned(),
            password: b"tanstaaf".to_vec(),
            messages: Vec::new(),
            in_use: false,
            removed: None,
            logins: Vec::new(),
            chunk: 7,
            largest_output: 0,
            now: Instant::now(),
        }
    }

    /// A config that allows passwords without TLS (as for a loopback client).
    pub(crate) fn plaintext_config() -> ServerConfig {
        let mut config = ServerConfig::default();
        config.plaintext_without_tls(true);
        config
    }

    pub(crate) fn with_message(mut self, body: &[u8]) -> Self {
        let uid = format!("uid{}", self.messages.len() + 1);
        self.messages.push((body.to_vec(), uid));
        self
    }

    /// Sends `input`, answers every event, returns everything the session wrote.
    pub(crate) fn send(&mut self, input: &[u8]) -> Vec<u8> {
        self.session.handle_input(input);
        self.session.handle_timeout(self.now);
        let out = self.drive();
        // As the tokio driver does on every turn of its loop.
        self.session.handle_timeout(self.now);
        out
    }

    /// Advances the simulated clock and tells the session.
    pub(crate) fn advance(&mut self, by: Duration) -> Vec<u8> {
        self.now += by;
        self.session.handle_timeout(self.now);
        let out = self.drive();
        self.session.handle_timeout(self.now);
        out
    }

    pub(crate) fn drive(&mut self) -> Vec<u8> {
        let listing = self.listing();
        let mut all = Vec::new();
        loop {
            let mut out = BytesMut::new();
            let written = self.session.poll_output(&mut out);
            self.largest_output = self.largest_output.max(written);
            all.extend_from_slice(&out);
            let Some(event) = self.session.poll_event() else {
                if written == 0 {
                    return all;
                }
                continue;
            };
            match event {
                Event::Login(decision) => {
                    let credentials = decision.credentials();
                    self.logins.push(credentials.user().to_owned());
                    let ok = match credentials {
                        Credentials::Password { user, password, .. } => {
                            *user == self.user && password.declassify() == &self.password
                        }
                        Credentials::Apop {
                            user,
                            digest,
                            timestamp,
                        } => user.as_str() == self.user && timestamp.verify(&self.password, digest),
                        _ => false,
                    };
                    if !ok {
                        decision.reject(LoginRejection::BadCredentials);
                    } else if self.in_use {
                        decision.reject(LoginRejection::InUse);
                    } else {
                        decision.accept(listing.clone());
                    }
                }
                Event::Retrieve(decision) => {
                    let body = self.messages[decision.index()].0.clone();
                    decision.accept();
                    for piece in body.chunks(self.chunk.max(1)) {
                        let progress = self.session.handle_body(piece).unwrap();
                        let mut out = BytesMut::new();
                        let written = self.session.poll_output(&mut out);
                        self.largest_output = self.largest_output.max(written);
                        all.extend_from_slice(&out);
                        if progress == mailwright_pop3::codec::frame::BodyProgress::Complete {
                            break;
                        }
                    }
                    self.session.finish_body().unwrap();
                }
                Event::Update(decision) => {
                    self.removed = Some(decision.deleted());
                    decision.accept();
                }
                Event::StartTls => return all,
                _ => return all,
            }
        }
    }

    pub(crate) fn listing(&self) -> Vec<MessageInfo> {
        self.messages
            .iter()
            .map(|(body, uid)| {
                MessageInfo::new(body.len() as u64, UniqueId::try_from(uid.clone()).unwrap())
            })
            .collect()
    }
}

/// A message of exactly `size` octets made of CRLF lines (at least 2 octets).
pub(crate) fn message_of_size(size: usize, seed: u8) -> Vec<u8> {
    let mut body = Vec::with_capacity(size);
    let mut column = 0;
    while body.len() + 2 < size {
        body.push(b'a' + (seed.wrapping_add(column as u8) % 26));
        column += 1;
        if column == 60 {
            body.extend_from_slice(b"\r\n");
            column = 0;
        }
    }
    body.truncate(size.saturating_sub(2));
    while body.len() + 2 < size {
        body.push(b'x');
    }
    body.extend_from_slice(b"\r\n");
    body.truncate(size);
    body
}

/// What a client gets back from a dot-stuffed body: the message bytes.
pub(crate) fn unstuff(lines: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        let line = line.strip_prefix(b".").unwrap_or(line);
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}
