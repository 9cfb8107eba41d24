//! Design notes: why the crate is shaped as it is (no API here).
//!
//! # Frame first, hand-written rules
//!
//! POP3 is line based and flat: a keyword and at most two words. The
//! [`LineFramer`](crate::codec::frame::LineFramer) finds whole lines under a hard limit and is
//! the only component that says "need more"; after an oversize line it answers once
//! and discards up to the next LF, so a peer can never make the buffer grow past the
//! limit. The parsers then see complete lines, so they are small hand-written
//! functions, one per ABNF rule; nom would add a dependency and nothing the grammar
//! needs (the workspace uses it where grammars recurse, as in IMAP).
//!
//! # Message numbers and deletions
//!
//! The listing given to [`LoginDecision::accept`](crate::server::LoginDecision::accept)
//! fixes the numbers for the whole session (RFC 1939 section 5). `DELE` only marks;
//! `RSET` unmarks; the removal happens in one [`Maildrop::remove`] call after `QUIT`
//! (the UPDATE state), never after an autologout, a lost connection or a server
//! shutdown, so a client that disconnects mid-session loses nothing.
//!
//! [`Maildrop::remove`]: crate::maildrop::Maildrop::remove
//!
//! # Streaming bodies
//!
//! A message is never held whole. The driver reads it from the maildrop in chunks,
//! feeds each to [`ServerSession::handle_body`](crate::server::ServerSession::handle_body)
//! and writes the output before it reads the next one, so memory stays at about two
//! chunks whatever the message size. The [`BodyEncoder`](crate::codec::frame::BodyEncoder)
//! keeps three flags across chunks (line start, CR seen, the TOP cut) and so handles a
//! dot, a CR or an LF at any chunk boundary. `LIST` and `UIDL` of a huge maildrop are
//! written in pieces by `poll_output` for the same reason.
//!
//! # Time
//!
//! The core reads no clock: the application passes `now` to
//! [`handle_timeout`](crate::server::ServerSession::handle_timeout) after input and
//! when [`poll_timeout`](crate::server::ServerSession::poll_timeout) says. The timer
//! runs only while the session waits for the client, and on expiry the session closes
//! without a response and without UPDATE (RFC 1939 section 3). The failed-login delay
//! lives in the tokio driver (a sleep before it answers the rejection); the counter of
//! failures, a protocol rule, lives in the session.
//!
//! # Security defaults
//!
//! `USER`/`PASS` and the plaintext SASL mechanisms are refused without TLS unless the
//! application allows them (the driver does for loopback clients, as Dovecot does);
//! `CAPA` then lists neither `USER` nor `SASL`. `APOP` needs no TLS. After `STLS` the
//! session discards every byte that arrived before the handshake (RFC 2595 section 4;
//! the STARTTLS command-injection class of bugs). `USER` never says whether a user
//! exists. A second login to a locked maildrop gets `-ERR [IN-USE]`.
//!
//! # Quirks accepted
//!
//! * A bare LF ends a command line as CRLF does (Dovecot does the same; telnet and
//!   `nc` users send it). Output always uses CRLF.
//! * Runs of spaces between arguments, and trailing spaces, are accepted.
//! * Keywords, status indicators and mechanism names are matched case-insensitively.
//! * SASL base64 is accepted with or without padding; it is always written padded.
//! * `AUTH` without arguments lists the mechanisms (RFC 1734), which Outlook sends.
//! * Maildrops may store bare LF line ends (Maildir files do); they are sent as CRLF,
//!   and a maildrop should report sizes counted with CRLF.
//!
//! # The RFC 1939 APOP example
//!
//! RFC 1939 section 7 prints the digest `c4c9334bac560ecc979e58001b3e22fb` for
//! `<1896.697170952@dbc.mit.edu>tanstaaf`, but MD5 of that string is
//! `b8282ceea143d14e379abefc8fb0eb8a` (Python's hashlib agrees, and so does poplib's
//! `apop`). The tests and vectors use the real digest.
