//! POP3 for Rust: a codec for both directions, a sans-IO server session, a maildrop
//! trait, and a tokio driver with STLS and implicit TLS.
//!
//! For anyone who builds a POP3 server (the workspace's reference server implements the
//! [`maildrop::Maildrop`] trait over its mail store) or talks POP3 as a client: commands
//! parse and encode, responses encode and parse. The core does no I/O and reads no
//! clock, so it runs under any runtime, in tests with a simulated clock, and in fuzzers.
//!
//! # Example
//!
//! Parse a command, build a response, and drive a server session with bytes:
//!
//! ```
//! use bytes::BytesMut;
//! use mailwright_pop3::maildrop::MessageInfo;
//! use mailwright_pop3::server::{Event, ServerConfig, ServerSession};
//! use mailwright_pop3::{Command, MessageNumber, Stat, UniqueId, codec::encode, codec::parse};
//!
//! // The codec.
//! assert_eq!(parse::command(b"RETR 1\r\n")?, Command::Retr(MessageNumber::FIRST));
//! let mut line = Vec::new();
//! encode::stat(&Stat { count: 2, octets: 320 }, &mut line);
//! assert_eq!(line, b"+OK 2 320\r\n");
//!
//! // The session: bytes in, bytes and events out.
//! let mut config = ServerConfig::default();
//! config.plaintext_without_tls(true); // a loopback client, say
//! let mut session = ServerSession::new(config);
//! let mut out = BytesMut::new();
//! let _ = session.poll_output(&mut out); // the greeting
//!
//! session.handle_input(b"USER mrose\r\nPASS tanstaaf\r\nRETR 1\r\n");
//! while let Some(event) = session.poll_event() {
//!     match event {
//!         Event::Login(login) => {
//!             // Check the password, lock the maildrop, list its messages.
//!             assert_eq!(login.credentials().user(), "mrose");
//!             let uid = UniqueId::try_from("m1")?;
//!             login.accept(vec![MessageInfo::new(13, uid)]);
//!         }
//!         Event::Retrieve(retrieve) => {
//!             retrieve.accept();
//!             // Stream the message from storage, chunk by chunk.
//!             session.handle_body(b"Hi.\r\n.dot\r\n")?;
//!             session.finish_body()?;
//!         }
//!         _ => break,
//!     }
//! }
//! out.clear();
//! let _ = session.poll_output(&mut out);
//! assert!(out.ends_with(b"+OK 13 octets\r\nHi.\r\n..dot\r\n.\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With the `tokio` feature, [`tokio::Server`] runs all of this over sockets (built and
//! configured as the SMTP and IMAP crates' servers are: `Server::new(config, handler)`,
//! `&mut` setters, `serve(listener, TlsMode, shutdown)`); see
//! `examples/pop3-memory-server` in the workspace for a complete server.
//!
//! # Design
//!
//! ```text
//!            bytes from the client                       bytes to the client
//!                    |                                            ^
//!   +----------------v--------------------------------------------+-----------+
//!   | frame      LineFramer: bounded CRLF lines    BodyEncoder: dot-stuffing,  |
//!   |            (oversize line reported once,     CRLF, the TOP cut, streamed  |
//!   |             then skipped)                    chunk by chunk               |
//!   +----------------|--------------------------------------------^-----------+
//!   | parse/encode   Command <-> line     StatusLine, listings, CAPA <-> line    |
//!   +----------------|--------------------------------------------^-----------+
//!   | server     ServerSession: AUTHORIZATION -> TRANSACTION -> UPDATE,         |
//!   |            message numbers, deletion marks, SASL, STLS, timers            |
//!   |               |  Event + decision objects (Login, Retrieve, Update)  ^    |
//!   +---------------|------------------------------------------------------|---+
//!                   v                                                      |
//!   application, or the tokio driver:  Handler::login -> Maildrop (locked) |
//!                                      list / open -> chunks / remove -------+
//! ```
//!
//! Frames come first: only the framer ever waits for more input, and the parsers see
//! whole lines. The session owns every protocol rule (state, pipelining order,
//! numbering, dot-stuffing, the autologout timer, the failed-login counter); the
//! application only makes decisions. [`manual`] explains the choices.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `tokio` | yes | [`tokio`]: the async driver, STLS and implicit TLS (tokio-rustls); the accept loop, connection limits, timeouts and graceful shutdown come from `mailwright_base::listener` (feature `mail-base/tokio`), as in the SMTP and IMAP crates |
//! | `arbitrary` | no | `arbitrary::Arbitrary` for the protocol types, for fuzzing |
//!
//! # Supported RFCs
//!
//! | RFC | what | status |
//! | --- | --- | --- |
//! | [1939](https://www.rfc-editor.org/rfc/rfc1939) | POP3: USER, PASS, APOP, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT, TOP, UIDL; AUTHORIZATION / TRANSACTION / UPDATE | complete |
//! | [2449](https://www.rfc-editor.org/rfc/rfc2449) | CAPA, extended response codes (`IN-USE`, `LOGIN-DELAY`), PIPELINING, `IMPLEMENTATION`, `LOGIN-DELAY` capability | complete; `EXPIRE` is parsed, not advertised |
//! | [2595](https://www.rfc-editor.org/rfc/rfc2595) | STLS | complete (injected plaintext after STLS is discarded) |
//! | [3206](https://www.rfc-editor.org/rfc/rfc3206) | `SYS/TEMP`, `SYS/PERM`, `AUTH` response codes, `AUTH-RESP-CODE` | complete |
//! | [5034](https://www.rfc-editor.org/rfc/rfc5034) | AUTH with SASL, initial response | `PLAIN` ([4616](https://www.rfc-editor.org/rfc/rfc4616)) and `LOGIN`; other mechanisms are refused |
//! | [6856](https://www.rfc-editor.org/rfc/rfc6856) | UTF8 command and capability, UTF-8 user names and passwords | supported; `LANG` is not |
//! | [1734](https://www.rfc-editor.org/rfc/rfc1734) | `AUTH` without arguments lists mechanisms | supported (Outlook still sends it) |
//!
//! # Modules
//!
//! | module | what |
//! | --- | --- |
//! | the root | the values most programs need: [`Command`], [`StatusLine`], listings, [`ServerSession`], [`ServerConfig`], the errors |
//! | [`server`] | the sans-IO session with its events, decisions, configuration and limits |
//! | [`maildrop`] | the `Maildrop` trait the tokio server reads from, and an in-memory maildrop |
//! | `tokio` (feature) | the tokio server over a `Handler` (see the `mailwright-store-pop3` crate for one over a mailbox store) |
//! | [`codec`] | the parsers, encoders and framers, for your own driver or a fuzzer |
//! | [`command`], [`response`], [`types`], [`error`] | the data model |
//! | [`manual`] | design notes |

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod codec;
pub mod command;
pub mod error;
pub mod maildrop;
pub mod manual;
pub mod response;
pub mod server;
pub mod types;

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

#[cfg(feature = "__fuzz")]
#[doc(hidden)]
pub mod fuzz;

#[cfg(test)]
mod testing;

pub use command::{Command, SaslResponse};
pub use error::{ParseError, ValidationError};
pub use response::{ResponseLine, ScanListing, Stat, Status, StatusLine, UniqueIdListing};
pub use server::{ServerConfig, ServerSession};
pub use types::{
    ApopDigest, ApopTimestamp, Capability, Mechanism, MessageNumber, Password, ResponseCode,
    Secret, Text, UniqueId, UserName,
};

#[doc = include_str!("../README.md")]
#[cfg(all(doctest, feature = "tokio"))]
pub struct ReadmeDoctests;
