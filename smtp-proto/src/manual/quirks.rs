//! # Quirks: what the parser tolerates
//!
//! Input leniencies are accepted where real peers need them and where they cannot
//! change the meaning of the dialogue; output is always what the RFCs prescribe.
//!
//! | leniency | where | why it is safe |
//! | --- | --- | --- |
//! | verbs in any case, `mail from:` | command parser | RFC 5321 section 2.4 makes verbs case-insensitive |
//! | a space after `FROM:` / `TO:` (`MAIL FROM: <a@b>`) | command parser | common in old clients; unambiguous |
//! | trailing spaces after commands without arguments | command parser | unambiguous |
//! | a command line ending in a bare LF | [`LineFramer`](crate::codec::frame::LineFramer) | only command lines; DATA ends at `<CRLF>.<CRLF>` only (see [`smuggling`](super::smuggling)) |
//! | lower-case SASL mechanism names | [`Mechanism`](crate::Mechanism) | compared case-insensitively |
//! | lower-case hex and UTF-8 in xtext | [`XText`](crate::XText) | decoded the same |
//! | `AUTH=PLAIN LOGIN` in an EHLO reply | [`Capabilities`](crate::Capabilities) | old servers; read as `AUTH PLAIN LOGIN` |
//! | a missing final CRLF or bare LFs in a reply | [`parse::reply`](crate::codec::parse::reply) | the framer already found the reply's end |
//!
//! Not tolerated, because they change meaning or hide attacks: end of data at
//! anything but `<CRLF>.<CRLF>`, a path without angle brackets (`MAIL FROM:a@b`),
//! domains outside the LDH/U-label grammar, unknown or repeated `MAIL`/`RCPT`
//! parameters (`555`), parameters after `HELO`, non-ASCII addresses without
//! `SMTPUTF8` (`553 5.6.7`).
