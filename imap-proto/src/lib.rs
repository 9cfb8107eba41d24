//! An IMAP4rev2 / IMAP4rev1 library: a codec for both directions, a sans-IO server
//! session, and a tokio adapter.
//!
//! Use it to build IMAP servers, gateways, proxies and clients: parse what clients
//! send and encode what servers send (and the reverse), drive the RFC 9051 state
//! machine with bytes in and events out, or run a complete server over tokio and
//! rustls by implementing two traits over your mail store.
//!
//! ```
//! use mailwright_imap::command::CommandBody;
//! use mailwright_imap::response::{Code, Response, StatusResponse};
//! use mailwright_imap::types::Text;
//!
//! // The codec: parse a command frame, encode a response.
//! let command = mailwright_imap::codec::parse::command(b"a1 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER])\r\n").unwrap();
//! assert!(matches!(command.body, CommandBody::Fetch { uid: true, .. }));
//! let done = StatusResponse::ok(Some(command.tag), Some(Code::ReadWrite), Text::try_from("done").unwrap());
//! let mut out = Vec::new();
//! mailwright_imap::codec::encode::response(&Response::Status(done), &mut out);
//! assert_eq!(out, b"a1 OK [READ-WRITE] done\r\n");
//!
//! // The session: bytes in, events and bytes out.
//! use bytes::BytesMut;
//! use mailwright_imap::server::{Event, ServerConfig, ServerSession};
//!
//! let mut config = ServerConfig::default();
//! config.plaintext_auth(true);
//! let mut session = ServerSession::new(config);
//! session.handle_input(b"a2 LOGIN alice secret\r\n");
//! let Some(Event::Login(login)) = session.poll_event() else { unreachable!() };
//! login.accept();
//! let mut wire = BytesMut::new();
//! let _ = session.poll_output(&mut wire);
//! assert!(wire.ends_with(b"a2 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE ID IDLE NAMESPACE UNSELECT UIDPLUS MOVE CONDSTORE QRESYNC SPECIAL-USE LIST-EXTENDED LIST-STATUS CHILDREN ESEARCH BINARY UTF8=ACCEPT STATUS=SIZE] Logged in\r\n"));
//! ```
//!
//! # Design
//!
//! ```text
//!            bytes from the client                       bytes to the client
//!                    |                                            ^
//!   +----------------v--------------------------------------------+-----------+
//!   | tokio (feature "tokio"): sockets, TLS, timers, limits,      |           |
//!   | shutdown; answers events through Backend / Account          |           |
//!   +----------------+--------------------------------------------+-----------+
//!                    | handle_input(&[u8])          poll_output(&mut BytesMut)
//!   +----------------v--------------------------------------------+-----------+
//!   | server::ServerSession: states, sequence numbers, literals,  |           |
//!   | SASL, IDLE, untagged updates; poll_event -> decisions       |           |
//!   +------+---------------------------------------------+--------+-----------+
//!          | frames                                       | responses
//!   +------v-------------------+                 +--------+-----------------+
//!   | frame::Framer            |                 | encode: typed values to  |
//!   | lines + literals, limits |---> parse ----> | bytes (fragments for     |
//!   | announcements first      |  typed values   | synchronizing literals)  |
//!   +--------------------------+                 +--------------------------+
//! ```
//!
//! Each layer is usable alone: the codec for clients and proxies, the framer for
//! anything that reads IMAP from a stream, the session for servers on any I/O (see
//! `examples/blocking_server.rs` for a server on `std::net` without tokio), the
//! tokio adapter for a server in a few lines. Rationale in [`manual`].
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `tokio` | yes | [`tokio`]: the server driver with STARTTLS and implicit TLS (tokio-rustls), the `Backend`/`Account` traits; the accept loop, connection limits, timeouts and shutdown come from `mailwright_base::listener` (feature `mail-base/tokio`), as in the SMTP and POP3 crates |
//! | `arbitrary` | no | `arbitrary::Arbitrary` for the protocol types (the `imap_encode` fuzz target builds commands and responses with it) |
//!
//! # Supported RFCs and extensions
//!
//! | RFC | what | codec | server session |
//! |---|---|---|---|
//! | 9051 | IMAP4rev2 | full | full; `IMAP4rev2` via ENABLE, ESEARCH-style results, UTF-8 names |
//! | 3501 | IMAP4rev1 | full (RFC822.*, LSUB, RECENT, NEW/OLD, CHECK) | full; `\Recent` is not kept (always 0) |
//! | 2177 | IDLE | full | live updates, 35-minute IDLE timeout |
//! | 2342 | NAMESPACE | full | one personal namespace |
//! | 2971 | ID | full | server fields from the configuration |
//! | 3348 | CHILDREN | full | `\HasChildren`/`\HasNoChildren` always |
//! | 3516 | BINARY | full (`~{n}`, BINARY, BINARY.SIZE) | yes |
//! | 3691 | UNSELECT | full | yes |
//! | 4315 | UIDPLUS | full | APPENDUID, COPYUID, UID EXPUNGE |
//! | 4616, 4959 | SASL PLAIN, SASL-IR | full | PLAIN and LOGIN, failure counter and delay |
//! | 4731 | ESEARCH | full | MIN, MAX, ALL, COUNT (no SAVE) |
//! | 5161 | ENABLE | full | CONDSTORE, QRESYNC, UTF8=ACCEPT, IMAP4rev2 |
//! | 5256 | SORT | full | when the backend sorts (`Backend::supports_sort`) |
//! | 5258, 5819 | LIST-EXTENDED, LIST-STATUS | full | SUBSCRIBED, RECURSIVEMATCH, REMOTE, RETURN (CHILDREN, SUBSCRIBED, STATUS, SPECIAL-USE) |
//! | 5530 | response codes | full | yes |
//! | 6154 | SPECIAL-USE | full | attributes from the backend, SPECIAL-USE selection |
//! | 6851 | MOVE | full | yes |
//! | 6855 | UTF8=ACCEPT | names | UTF-8 mailbox names once enabled |
//! | 7162 | CONDSTORE, QRESYNC | full | MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE, VANISHED, CLOSED |
//! | 7888 | LITERAL+, LITERAL- | full | either, with LITERAL-'s 4096-octet limit |
//! | 7889 | APPENDLIMIT | TOOBIG code | APPEND over the limit refused before its bytes |
//! | 8438 | STATUS=SIZE | full | yes |
//! | 2088 / 2595 | STARTTLS | full | with injected-plaintext drop |
//!
//! Not offered: MULTIAPPEND, CATENATE, SEARCHRES, NOTIFY, METADATA, QUOTA, ACL,
//! COMPRESS, THREAD.
//!
//! # Modules
//!
//! | module | what |
//! | --- | --- |
//! | the root | the values most programs need: [`Command`], [`Response`], [`ServerSession`], [`ServerConfig`], tags, mailboxes, flags, UIDs, the errors |
//! | [`server`] | the sans-IO session with its events, decisions, configuration and limits |
//! | `tokio` (feature) | the tokio server over a `Backend`/`Account` (see the `mailwright-store-imap` crate for one over a mailbox store) |
//! | [`codec`] | the parsers, encoders (literal-aware fragments) and framers, for clients, proxies and fuzzers |
//! | [`command`], [`response`], [`types`], [`error`] | the data model |
//! | [`manual`] | design notes |

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod codec;
pub mod command;
pub mod error;
pub mod manual;
pub mod response;
pub mod server;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod types;

#[cfg(test)]
mod testing;

pub use command::{Command, CommandBody};
pub use error::{ParseError, ValidationError};
pub use response::{Response, StatusKind, StatusResponse};
pub use server::{ServerConfig, ServerSession, SessionError};
pub use types::{Flag, Mailbox, Secret, SequenceSet, Tag, Uid};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
