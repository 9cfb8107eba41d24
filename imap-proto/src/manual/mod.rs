//! Design notes that are not API: why the crate is built the way it is.
//!
//! # Frame first, then parse
//!
//! An IMAP command can span several lines joined by literals, and a server must
//! decide about a literal (send `+`, or refuse it) *before* the client sends its
//! bytes. The [`Framer`](crate::codec::frame::Framer) finds line ends and literal
//! announcements with a bounded linear scan and stops at each announcement; only
//! complete frames reach [`parse`](crate::codec::parse). So the parsers never deal with
//! partial input (no "need more" from every rule, no re-parsing a growing buffer),
//! and every size is checked before memory is spent on it: lines against
//! [`Limits::max_line`](crate::server::Limits::max_line), buffered literals against
//! [`Limits::max_literal`](crate::server::Limits::max_literal), an APPEND message
//! against [`Limits::max_append`](crate::server::Limits::max_append). A refused
//! synchronizing literal costs nothing: its bytes never come. A refused
//! non-synchronizing one is read and dropped as it streams by.
//!
//! # APPEND messages are streamed
//!
//! The literal that carries an APPEND's message is not buffered in the frame. The
//! session parses the command head when the literal is announced, asks the
//! application ([`Event::Append`](crate::server::Event::Append)), and then hands
//! the message out in [`Event::AppendData`](crate::server::Event::AppendData)
//! pieces as they arrive, so a 50 MB APPEND never sits in one buffer of the
//! session. (The tokio driver collects the pieces for
//! [`Account::append`](crate::tokio::Account::append); a backend that can store
//! incrementally can drive the session itself.)
//!
//! # Message sequence numbers belong to the session
//!
//! Sequence numbers are a property of one connection's view of a mailbox, not of
//! the store. The session keeps that view (the UIDs, in order, exactly as the
//! client was told about them), translates every sequence set and every `SEARCH`
//! key that uses numbers into UIDs, and never asks the application about numbers.
//! Changes made elsewhere arrive as [`MailboxChanges`](crate::server::MailboxChanges)
//! in UIDs and are applied to the view only when the client is told:
//!
//! | moment | EXISTS / FETCH | EXPUNGE / VANISHED |
//! |---|---|---|
//! | between commands | held | held |
//! | end of FETCH, STORE, SEARCH by number | sent | held (RFC 9051 7.5.1) |
//! | end of any other command, UID forms included | sent | sent |
//! | during IDLE | sent at once | sent at once |
//!
//! Reports may repeat or overlap (a store that notifies every session of every
//! change, the changing one included, is fine): UIDs the view already has, or
//! never had, are ignored. An APPEND or COPY into the selected mailbox announces
//! its new messages before the tagged OK from the UIDs the application returns.
//!
//! # Decisions are objects
//!
//! An event that needs an answer carries a decision object borrowing the session;
//! answering consumes it, and until then the session reads no further command and
//! hands out the same event again. Dropping a decision is allowed and is how the
//! tokio driver streams a large FETCH: it answers a batch of messages, drops the
//! decision, writes the output, and polls the event again for the rest.
//!
//! # Time is an argument
//!
//! The core never reads the clock (`clippy.toml` forbids it). Autologout (at least
//! 30 minutes, RFC 9051 section 5.4), the longer IDLE timeout (clients re-issue
//! IDLE every 29 minutes, some late), and the growing delay before the answer to a
//! failed login are deadlines reported by
//! [`poll_timeout`](crate::server::ServerSession::poll_timeout) and checked in
//! [`handle_timeout`](crate::server::ServerSession::handle_timeout). Tests move a
//! simulated clock.
//!
//! # Strings on the wire
//!
//! Encoders choose the form by content ([`AString::from_text`](crate::types::AString::from_text)):
//! an atom when every byte may appear in one, a quoted string for short 7-bit
//! text, a literal otherwise. Mailbox names go out as modified UTF-7 to IMAP4rev1
//! clients and as UTF-8 (quoted) once a client enabled `IMAP4rev2` or
//! `UTF8=ACCEPT`; the application only ever sees Unicode names. A body that holds
//! NUL (which no literal may) has each NUL replaced by 0x80, as other servers do;
//! `BINARY` sends such data as a `~{n}` literal instead.
//!
//! # Quirks accepted on input
//!
//! Leniencies that real peers need, accepted when parsing and never produced:
//! a single-digit day without its padding space in `date-time`
//! (`"7-Feb-1994 ..."`); status responses without text (`A1 OK`); a bare `+` as a
//! continuation request; spaces between the addresses of an envelope and between
//! the parts of a multipart body structure; a quoted `"OLDNAME"` tag.
