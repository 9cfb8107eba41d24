//! # The tokio driver and the handler trait
//!
//! The async edge (`mailwright_smtp::tokio`, default feature `tokio`) is one loop per
//! connection around the sans-IO session, in the shape of quinn's
//! `ConnectionDriver` and imap-next's `Stream::next`:
//!
//! ```text
//! loop {
//!     while let Some(event) = session.poll_event() {   // decisions first
//!         match event {
//!             Hello/Auth/MailFrom/Rcpt/Verify(decision) => decision.answer(handler.x(..).await),
//!             BodyChunk(bytes)        => handler.body_chunk(bytes).await,
//!             MessageComplete(d)      => d.answer(handler.message(envelope).await),
//!             MessageAborted(reason)  => handler.message_aborted(reason).await,
//!             StartTls                => { flush output; handshake; session.tls_started() }
//!         }
//!     }
//!     session.poll_output(&mut out);                     // one write per pipelined group
//!     if session.is_closed() { break }
//!     select! {                                          // write and read concurrently
//!         write(out)                                     //   so neither side can block
//!         read(buf), if session.wants_input()            //   the other
//!         sleep_until(session.poll_timeout())            // RFC 5321 4.5.3.2 timers
//!         shutdown signal                                // graceful: close when idle
//!     }
//!     session.handle_input(&buf) / handle_timeout(now) / handle_eof()
//! }
//! ```
//!
//! The driver adds no protocol logic: what to answer is the handler's, how to answer
//! (the reply text, the order, the enhanced codes) is the session's.
//!
//! ## The handler
//!
//! The application implements `Handler` (one per listener, shared by every
//! connection) whose `connect` creates a per-connection `SessionHandler` (or refuses
//! the connection with a reply). The `SessionHandler` has one async method per
//! decision, each with a default that does what the RFC allows (accept hello, accept
//! sender and recipients, refuse authentication, discard the body and accept the
//! message), so a handler implements only what it decides. Each method gets a
//! `Context`: peer and local address, TLS state, the authenticated identity, the HELO
//! name, the listener's configuration; so per-listener policies ("AUTH only after
//! TLS", "AUTH before MAIL", relay rules by peer address) can be written in the
//! handler, and the ones that are protocol rules are switches of
//! [`ServerConfig`](crate::server::ServerConfig).
//!
//! After DATA the handler's `message` answers with the final decision: accepted
//! with a queue id, refused with a reply, or (LMTP) one reply per recipient. A
//! message is never acknowledged before the handler returns, so an application that
//! spools durably before returning never loses an accepted message.
//!
//! ## What lives in the edge
//!
//! Limits that are not protocol rules: the number of connections (over it, new
//! connections get `421 4.3.2` and are closed), the TLS handshake timeout, the grace
//! period of a shutdown (sessions are closed when idle between transactions, or when
//! the grace period ends). TLS is tokio-rustls only: implicit TLS wraps the stream
//! before the greeting; STARTTLS swaps the stream after the `220`.
