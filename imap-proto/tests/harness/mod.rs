//! A socket-free harness: a server session, a simulated clock, and a small
//! in-memory model that answers the session's events.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    dead_code,
    unreachable_pub,
    reason = "a test harness: each test file uses a different part, and a failed unwrap is a failed test"
)]

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwright_imap::codec::frame::{FrameEvent, Framer};
use mailwright_imap::command::{FetchAttribute, SearchKey, StoreKind};
use mailwright_imap::response::{FetchData, Response};
use mailwright_imap::server::{
    AppendUid, CopyResult, Event, LoginRejection, MailboxChanges, MailboxInfo, MailboxOperation,
    MessageFlags, Rejection, SelectedMailbox, ServerConfig, ServerSession, StatusInfo, StoreResult,
};
use mailwright_imap::types::{Flag, NString, Uid};

pub fn uid(n: u32) -> Uid {
    NonZeroU32::new(n).unwrap()
}

#[derive(Clone, Debug)]
pub struct Message {
    pub uid: u32,
    pub flags: Vec<Flag<'static>>,
    pub data: Vec<u8>,
    pub modseq: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Folder {
    pub uid_next: u32,
    pub messages: Vec<Message>,
    pub subscribed: bool,
    pub modseq: u64,
}

/// The application side: a few mailboxes, the user alice/secret.
#[derive(Debug, Default)]
pub struct Model {
    pub folders: BTreeMap<String, Folder>,
    pub selected: Option<String>,
    pub append_buffer: Vec<u8>,
    pub logins: u32,
}

impl Model {
    pub fn with_inbox(messages: usize) -> Self {
        let mut model = Self::default();
        model.create("INBOX");
        for i in 0..messages {
            model.add(
                "INBOX",
                format!("Subject: message {}\r\n\r\nbody {}\r\n", i + 1, i + 1).into_bytes(),
            );
        }
        model
    }

    pub fn create(&mut self, name: &str) {
        self.folders.insert(
            name.to_owned(),
            Folder {
                uid_next: 1,
                modseq: 1,
                ..Folder::default()
            },
        );
    }

    pub fn add(&mut self, name: &str, data: Vec<u8>) -> u32 {
        let folder = self.folders.get_mut(name).expect("folder");
        let uid = folder.uid_next;
        folder.uid_next += 1;
        folder.modseq += 1;
        folder.messages.push(Message {
            uid,
            flags: Vec::new(),
            data,
            modseq: folder.modseq,
        });
        uid
    }

    fn folder(&mut self) -> Option<&mut Folder> {
        let name = self.selected.clone()?;
        self.folders.get_mut(&name)
    }

    /// Answers one event; returns false when there was none.
    pub fn answer(&mut self, session: &mut ServerSession) -> bool {
        let Some(event) = session.poll_event() else {
            return false;
        };
        match event {
            Event::Login(d) => {
                if d.username() == "alice" && d.password() == b"secret" {
                    self.logins += 1;
                    d.accept();
                } else {
                    d.reject(LoginRejection::BadCredentials);
                }
            }
            Event::StartTls => session.tls_started(),
            Event::Select(d) => match self.folders.get(d.mailbox()) {
                Some(f) => {
                    self.selected = Some(d.mailbox().to_owned());
                    let uids = f.messages.iter().map(|m| uid(m.uid)).collect();
                    let changed = match d.qresync() {
                        Some(q) => f
                            .messages
                            .iter()
                            .filter(|m| m.modseq > q.modseq)
                            .map(|m| MessageFlags {
                                uid: uid(m.uid),
                                flags: m.flags.clone(),
                                modseq: Some(m.modseq),
                            })
                            .collect(),
                        None => Vec::new(),
                    };
                    let first_unseen = f
                        .messages
                        .iter()
                        .find(|m| !m.flags.contains(&Flag::SEEN))
                        .map(|m| uid(m.uid));
                    let snapshot = SelectedMailbox::new(uid(7), uid(f.uid_next), uids)
                        .with_highest_modseq(f.modseq)
                        .with_first_unseen(first_unseen)
                        .with_changes(changed, None);
                    d.accept(snapshot);
                }
                None => d.reject(Rejection::nonexistent()),
            },
            Event::Mailbox(d) => match d.operation().cloned() {
                Some(MailboxOperation::Create { name }) => {
                    if self.folders.contains_key(&name) {
                        d.reject(Rejection::already_exists());
                    } else {
                        self.create(&name);
                        d.accept();
                    }
                }
                Some(MailboxOperation::Delete { name }) => {
                    if self.folders.remove(&name).is_some() {
                        d.accept();
                    } else {
                        d.reject(Rejection::nonexistent());
                    }
                }
                Some(MailboxOperation::Rename { from, to }) => match self.folders.remove(&from) {
                    Some(f) => {
                        self.folders.insert(to, f);
                        d.accept();
                    }
                    None => d.reject(Rejection::nonexistent()),
                },
                Some(MailboxOperation::Subscribe { name }) => {
                    if let Some(f) = self.folders.get_mut(&name) {
                        f.subscribed = true;
                    }
                    d.accept();
                }
                Some(MailboxOperation::Unsubscribe { name }) => {
                    if let Some(f) = self.folders.get_mut(&name) {
                        f.subscribed = false;
                    }
                    d.accept();
                }
                _ => d.reject(Rejection::cannot("unknown")),
            },
            Event::List(d) => {
                let wants_status = d.status_items().is_some();
                let all = self
                    .folders
                    .iter()
                    .map(|(name, f)| {
                        let info = MailboxInfo::new(name.clone()).subscribed(f.subscribed);
                        if wants_status {
                            info.with_status(status(f))
                        } else {
                            info
                        }
                    })
                    .collect();
                d.respond(all);
            }
            Event::Status(d) => match self.folders.get(d.mailbox()) {
                Some(f) => d.respond(status(f)),
                None => d.reject(Rejection::nonexistent()),
            },
            Event::Append(d) => {
                if self.folders.contains_key(d.mailbox()) {
                    self.append_buffer.clear();
                    d.accept();
                } else {
                    d.reject(Rejection::try_create());
                }
            }
            Event::AppendData(chunk) => self.append_buffer.extend_from_slice(&chunk),
            Event::AppendComplete(d) => {
                let name = d.mailbox().to_owned();
                let flags = d.flags().to_vec();
                let data = std::mem::take(&mut self.append_buffer);
                let new = self.add(&name, data);
                if let Some(m) = self
                    .folders
                    .get_mut(&name)
                    .and_then(|f| f.messages.last_mut())
                {
                    m.flags = flags;
                }
                d.accept(Some(AppendUid {
                    uid_validity: uid(7),
                    uid: uid(new),
                }));
            }
            Event::Fetch(mut d) => {
                let attributes = d.attributes().to_vec();
                let marks_seen = d.marks_seen();
                let wanted: Vec<Uid> = d.messages().map(|(_, u)| u).collect();
                for u in wanted {
                    let Some(m) = self
                        .folder()
                        .and_then(|f| f.messages.iter_mut().find(|m| m.uid == u.get()))
                    else {
                        d.skip(u);
                        continue;
                    };
                    if marks_seen && !m.flags.contains(&Flag::SEEN) {
                        m.flags.push(Flag::SEEN);
                    }
                    let m = m.clone();
                    let items = attributes
                        .iter()
                        .filter_map(|a| fetch_item(a, &m))
                        .collect();
                    d.respond(u, items);
                }
                d.finish();
            }
            Event::Store(d) => {
                let uids = d.uids().to_vec();
                let kind = d.kind();
                let flags = d.flags().to_vec();
                let mut result = StoreResult::default();
                if let Some(f) = self.folder() {
                    f.modseq += 1;
                    let modseq = f.modseq;
                    for m in f
                        .messages
                        .iter_mut()
                        .filter(|m| uids.iter().any(|u| u.get() == m.uid))
                    {
                        match kind {
                            StoreKind::Replace => m.flags = flags.clone(),
                            StoreKind::Add => {
                                for fl in &flags {
                                    if !m.flags.contains(fl) {
                                        m.flags.push(fl.clone());
                                    }
                                }
                            }
                            StoreKind::Remove => m.flags.retain(|x| !flags.contains(x)),
                        }
                        m.modseq = modseq;
                        result.updated.push(MessageFlags {
                            uid: uid(m.uid),
                            flags: m.flags.clone(),
                            modseq: Some(modseq),
                        });
                    }
                }
                d.respond(result);
            }
            Event::Search(d) => {
                let criteria = d.criteria().to_vec();
                let messages = self
                    .folder()
                    .map(|f| f.messages.clone())
                    .unwrap_or_default();
                let matches: Vec<Uid> = d
                    .candidates()
                    .filter(|u| {
                        messages
                            .iter()
                            .find(|m| m.uid == u.get())
                            .is_some_and(|m| criteria.iter().all(|k| matches_key(k, m)))
                    })
                    .collect();
                d.respond(matches, None);
            }
            Event::Copy(d) => {
                let uids = d.uids().to_vec();
                let dest = d.destination().to_owned();
                let is_move = d.is_move();
                if !self.folders.contains_key(&dest) {
                    d.reject(Rejection::try_create());
                    return true;
                }
                let source: Vec<Message> = self
                    .folder()
                    .map(|f| {
                        f.messages
                            .iter()
                            .filter(|m| uids.iter().any(|u| u.get() == m.uid))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                let mut pairs = Vec::new();
                for m in source {
                    let new = self.add(&dest, m.data.clone());
                    pairs.push((uid(m.uid), uid(new)));
                }
                if is_move && let Some(f) = self.folder() {
                    f.messages
                        .retain(|m| !uids.iter().any(|u| u.get() == m.uid));
                }
                d.respond(CopyResult {
                    uid_validity: uid(7),
                    pairs,
                });
            }
            Event::Expunge(d) => {
                let only = d.uids().map(<[Uid]>::to_vec);
                let mut gone = Vec::new();
                if let Some(f) = self.folder() {
                    f.messages.retain(|m| {
                        let hit = m.flags.contains(&Flag::DELETED)
                            && only
                                .as_ref()
                                .is_none_or(|o| o.iter().any(|u| u.get() == m.uid));
                        if hit {
                            gone.push(uid(m.uid));
                        }
                        !hit
                    });
                }
                d.respond(gone);
            }
            _ => return false,
        }
        true
    }
}

fn status(f: &Folder) -> StatusInfo {
    let unseen = f
        .messages
        .iter()
        .filter(|m| !m.flags.contains(&Flag::SEEN))
        .count() as u32;
    StatusInfo::new(f.messages.len() as u32, unseen, uid(f.uid_next), uid(7)).with_details(
        0,
        0,
        Some(f.modseq),
    )
}

fn fetch_item(a: &FetchAttribute<'_>, m: &Message) -> Option<FetchData<'static>> {
    Some(match a {
        FetchAttribute::Flags => FetchData::Flags(m.flags.clone()),
        FetchAttribute::Uid => FetchData::Uid(uid(m.uid)),
        FetchAttribute::Rfc822Size => FetchData::Rfc822Size(m.data.len() as u64),
        FetchAttribute::ModSeq => FetchData::ModSeq(m.modseq),
        FetchAttribute::BodySection {
            section: None,
            partial,
            ..
        } => {
            let (data, origin) = match partial {
                Some(p) => {
                    let start = (p.offset as usize).min(m.data.len());
                    let end = (start + p.length.get() as usize).min(m.data.len());
                    (m.data[start..end].to_vec(), Some(p.offset))
                }
                None => (m.data.clone(), None),
            };
            FetchData::BodySection {
                section: None,
                origin,
                data: NString::from_bytes(data).ok()?,
            }
        }
        _ => return None,
    })
}

fn matches_key(key: &SearchKey<'_>, m: &Message) -> bool {
    match key {
        SearchKey::All => true,
        SearchKey::Seen => m.flags.contains(&Flag::SEEN),
        SearchKey::Unseen => !m.flags.contains(&Flag::SEEN),
        SearchKey::Deleted => m.flags.contains(&Flag::DELETED),
        SearchKey::Uid(set) => set.contains(m.uid, u32::MAX),
        SearchKey::Not(k) => !matches_key(k, m),
        SearchKey::Or(a, b) => matches_key(a, m) || matches_key(b, m),
        SearchKey::And(keys) => keys.iter().all(|k| matches_key(k, m)),
        SearchKey::Body(s) | SearchKey::Text(s) => {
            let needle = s.as_bytes();
            m.data
                .windows(needle.len().max(1))
                .any(|w| w.eq_ignore_ascii_case(needle))
        }
        _ => false,
    }
}

/// A session, a clock and the model, driven together.
pub struct Pair {
    pub session: ServerSession,
    pub model: Model,
    pub now: Instant,
    /// Everything the server sent, as text.
    pub transcript: String,
}

impl Pair {
    pub fn new(config: ServerConfig, model: Model) -> Self {
        let mut pair = Self {
            session: ServerSession::new(config),
            model,
            // The simulated clock starts at the real "now" and only moves by `advance`.
            #[allow(
                clippy::disallowed_methods,
                reason = "the starting point of the simulated clock"
            )]
            now: Instant::now(),
            transcript: String::new(),
        };
        pair.drive();
        pair
    }

    /// A pair with plaintext login allowed, logged in as alice.
    pub fn logged_in(model: Model) -> Self {
        let mut config = ServerConfig::default();
        config.plaintext_auth(true);
        let mut pair = Self::new(config, model);
        pair.send("l0 LOGIN alice secret\r\n");
        pair
    }

    /// Answers events and collects output until nothing moves.
    pub fn drive(&mut self) -> String {
        let mut out = BytesMut::new();
        for round in 0.. {
            assert!(round < 100_000, "the session does not settle");
            self.session.handle_timeout(self.now);
            let _ = self.session.poll_output(&mut out);
            if !self.model.answer(&mut self.session) {
                break;
            }
        }
        self.session.handle_timeout(self.now);
        let _ = self.session.poll_output(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        self.transcript.push_str(&text);
        text
    }

    /// Sends client bytes and returns what the server answered.
    pub fn send(&mut self, input: &str) -> String {
        self.send_bytes(input.as_bytes())
    }

    pub fn send_bytes(&mut self, input: &[u8]) -> String {
        self.session.handle_input(input);
        self.drive()
    }

    /// Moves the clock.
    pub fn advance(&mut self, by: Duration) -> String {
        self.now += by;
        self.drive()
    }

    /// Reports a change of the selected mailbox to the session.
    pub fn changes(&mut self, changes: MailboxChanges) -> String {
        self.session.handle_mailbox_changes(changes);
        self.drive()
    }
}

/// Parses server output with the client-side framer and parser; panics on any
/// response that does not parse.
pub fn responses(output: &str) -> Vec<Response<'static>> {
    let mut framer = Framer::for_responses(1 << 20, 1 << 26);
    framer.enqueue(output.as_bytes());
    let mut out = Vec::new();
    while let Some(event) = framer.poll() {
        let FrameEvent::Frame(frame) = event else {
            panic!("unexpected {event:?}");
        };
        let response = mailwright_imap::codec::parse::response(&frame)
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(&frame)));
        out.push(response.into_owned());
    }
    out
}
