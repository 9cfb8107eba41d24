//! SMTP and LMTP for Rust: a codec for both directions, a bounded framer, sans-IO
//! server and client sessions, and a tokio adapter with STARTTLS and implicit TLS.
//!
//! For anyone who receives mail (an MX, a submission server, an LMTP delivery agent,
//! a test sink) or sends it (a queue, a relay, a notifier): commands parse and encode,
//! replies encode and parse, and the sessions enforce the protocol so that the
//! application only makes its own decisions (accept this sender? store this message?).
//! The core does no I/O and reads no clock, so it runs under any runtime, in tests
//! with a simulated clock, and in fuzzers. The workspace's reference mail server and
//! its MTA queue are built on it.
//!
//! # Example
//!
//! Parse a command, build a reply, and drive a server session with bytes:
//!
//! ```
//! use bytes::BytesMut;
//! use mailwright_smtp::server::{Event, ServerConfig, ServerSession};
//! use mailwright_smtp::{Command, EnhancedStatusCode, Reply, ReplyCode, codec::encode, codec::parse};
//!
//! // The codec.
//! let command = parse::command(b"RCPT TO:<jones@foo.com>\r\n")?;
//! assert!(matches!(command, Command::Rcpt { .. }));
//! let reply = Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "no such user here")
//!     .with_enhanced(EnhancedStatusCode::BAD_DESTINATION_MAILBOX);
//! let mut wire = Vec::new();
//! encode::reply(&reply, &mut wire);
//! assert_eq!(wire, b"550 5.1.1 no such user here\r\n");
//!
//! // The session: bytes in, bytes and events out.
//! let mut session = ServerSession::new(ServerConfig::default());
//! let input = b"EHLO bar.com\r\nMAIL FROM:<smith@bar.com>\r\nRCPT TO:<green@foo.com>\r\n";
//! let _ = session.handle_input(input);
//! while let Some(event) = session.poll_event() {
//!     match event {
//!         Event::Hello(hello) => hello.accept(),
//!         Event::MailFrom(mail) => mail.accept(),
//!         Event::Rcpt(rcpt) => rcpt.reject(reply.clone()),
//!         _ => unreachable!(),
//!     }
//! }
//! let mut out = BytesMut::new();
//! let _ = session.poll_output(&mut out);
//! assert!(out.ends_with(b"250 2.1.0 sender OK\r\n550 5.1.1 no such user here\r\n"));
//! # Ok::<(), mailwright_smtp::ParseError>(())
//! ```
//!
//! With the `tokio` feature, [`tokio::Server`] runs a session per connection over
//! TCP and TLS and calls an async handler for each decision (built and configured as
//! the IMAP and POP3 crates' servers are: `Server::new(config, handler)`, `&mut`
//! setters, `serve(listener, TlsMode, shutdown)`), and [`tokio::Client`] sends mail.
//! `examples/smtp-sink` and `examples/smtp-send` in the workspace are complete
//! programs.
//!
//! # Design
//!
//! ```text
//!              bytes from the peer                         bytes to the peer
//!                      |                                           ^
//!  +-------------------v-------------------------------------------+------------+
//!  | frame     LineFramer   DataDecoder   ChunkDecoder   ReplyFramer  DotStuffer  |
//!  |           bounded lines, dot-unstuffing, BDAT counts, replies, stuffing      |
//!  +-------------------|-------------------------------------------^------------+
//!  | parse/encode     Command <-> line     Reply <-> lines     SaslLine <-> line  |
//!  +-------------------|-------------------------------------------^------------+
//!  | server/client    ServerSession / ClientSession: RFC state machines, limits,  |
//!  |                  timers (now passed in), Event + decision objects            |
//!  +-------------------|-------------------------------------------^------------+
//!                      v                                           |
//!  tokio (feature)     driver: read -> handle_input -> poll_event -> handler
//!                      -> decision -> poll_output -> write; TLS, timeouts, limits
//! ```
//!
//! Frames come first: only the framer ever waits for more input, and it bounds every
//! frame, so the parsers see complete lines and a peer cannot make a buffer grow. The
//! sessions enforce order, pipelining, the SASL exchange, STARTTLS and the limits,
//! and turn what only the application can decide into events whose decision object
//! is the only way forward. The reasons are in the [`manual`].
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `tokio` | yes | [`tokio`]: server and client drivers over tokio, STARTTLS and implicit TLS with tokio-rustls; the server's accept loop, connection limits, timeouts and shutdown come from `mailwright_base::listener` (feature `mail-base/tokio`), as in the IMAP and POP3 crates |
//! | `arbitrary` | no | `arbitrary::Arbitrary` for the protocol types (always valid values), for fuzzing |
//!
//! # Supported RFCs and extensions
//!
//! | RFC | what | status |
//! | --- | --- | --- |
//! | [5321](https://www.rfc-editor.org/rfc/rfc5321) | SMTP | commands, replies, paths (quoted local parts, address literals, source routes ignored), ordering, timeouts, limits |
//! | [2033](https://www.rfc-editor.org/rfc/rfc2033) | LMTP | `LHLO`, one reply per recipient after the message (server and client) |
//! | [1870](https://www.rfc-editor.org/rfc/rfc1870) | SIZE | advertised, checked at `MAIL` and while the body streams |
//! | [2034](https://www.rfc-editor.org/rfc/rfc2034), [3463](https://www.rfc-editor.org/rfc/rfc3463) | ENHANCEDSTATUSCODES | in every reply after `EHLO` |
//! | [2920](https://www.rfc-editor.org/rfc/rfc2920) | PIPELINING | server batches replies per group; client pipelines the envelope |
//! | [3030](https://www.rfc-editor.org/rfc/rfc3030) | CHUNKING, BINARYMIME | `BDAT` both ways; BINARYMIME on the server when configured |
//! | [3207](https://www.rfc-editor.org/rfc/rfc3207) | STARTTLS | buffered plaintext dropped, session reset, both sides |
//! | [3461](https://www.rfc-editor.org/rfc/rfc3461) | DSN | `RET`, `ENVID`, `NOTIFY`, `ORCPT` parsed, encoded, checked; generating DSNs is the application's |
//! | [4954](https://www.rfc-editor.org/rfc/rfc4954), [4616](https://www.rfc-editor.org/rfc/rfc4616) | AUTH, PLAIN, LOGIN | exchange run by the sessions; credentials checked by the application |
//! | [6152](https://www.rfc-editor.org/rfc/rfc6152) | 8BITMIME | `BODY=8BITMIME` |
//! | [6531](https://www.rfc-editor.org/rfc/rfc6531) | SMTPUTF8 | UTF-8 local parts and domains under the `SMTPUTF8` parameter |
//! | [8314](https://www.rfc-editor.org/rfc/rfc8314) | implicit TLS | the tokio server's implicit TLS listeners (port 465) |
//! | CVE-2023-51764/5/6 | SMTP smuggling | end of data only at `<CRLF>.<CRLF>`; bare CR/LF normalized or refused; outbound bodies normalized |
//!
//! # Modules
//!
//! | module | what |
//! | --- | --- |
//! | the root | the values most programs need: [`Command`], [`Reply`], [`ReplyCode`], [`EnhancedStatusCode`], paths and mailboxes, [`ServerSession`], [`ClientSession`], the errors |
//! | [`server`], [`client`] | the sans-IO sessions with their events, decisions, configuration and limits |
//! | `tokio` (feature) | the tokio server over a `SessionHandler`, and the client |
//! | [`codec`] | the parsers, encoders and framers under the sessions, for your own driver, a proxy or a fuzzer |
//! | [`command`], [`reply`], [`types`], [`error`] | the data model, re-exported at the root |
//! | [`manual`] | design notes: why the framing works as it does, the quirks we accept |

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
pub mod codec;
pub mod command;
pub mod error;
pub mod manual;
pub mod reply;
pub mod server;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;
pub mod types;

#[cfg(feature = "arbitrary")]
mod arbitrary;
#[cfg(test)]
mod testing;

pub use client::{ClientConfig, ClientSession};
pub use command::{Command, MailParameters, RcptParameters, SaslLine};
pub use error::{ClientError, ParseError, SessionError, ValidationError};
pub use reply::Reply;
pub use server::{ServerConfig, ServerSession};
pub use types::{
    AddressLiteral, Argument, BodyType, Capabilities, Domain, EhloKeyword, EnhancedStatusCode,
    EnvId, Envelope, EsmtpKeyword, EsmtpParameter, EsmtpValue, Extension, ForwardPath, Host,
    LocalPart, Mailbox, Mechanism, Notify, Orcpt, Recipient, ReplyClass, ReplyCode, Ret,
    ReversePath, SaslResponse, Secret, Text, XText,
};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
