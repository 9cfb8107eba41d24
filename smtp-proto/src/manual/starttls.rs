//! # STARTTLS: drop the buffer, start over
//!
//! After `STARTTLS` the server answers `220` and both sides start the TLS handshake
//! ([RFC 3207 section 4](https://www.rfc-editor.org/rfc/rfc3207#section-4)). Two rules
//! follow, and the session enforces both:
//!
//! * **Nothing pipelined after STARTTLS counts.** A man in the middle can append
//!   plaintext commands to the client's `STARTTLS` line (`STARTTLS\r\nRCPT
//!   TO:<attacker>\r\n`). A server that keeps its input buffer processes them after
//!   the handshake as if they came over TLS (CVE-2011-0411 in Postfix, and many
//!   since). The session clears its input buffer and its line framer when it accepts
//!   STARTTLS, discards any input until [`tls_started`](crate::server::ServerSession::tls_started),
//!   and reports [`wants_input`](crate::server::ServerSession::wants_input) false
//!   meanwhile so that a driver does not read the TLS ClientHello into it. The tokio
//!   driver also drops what its own read buffer holds.
//! * **The session starts over.** RFC 3207 section 4.2: "the SMTP server MUST discard
//!   any knowledge obtained from the client, such as the argument to the EHLO
//!   command". After `tls_started` the session forgets the greeting name and any
//!   authentication, requires a new `EHLO`, and no longer offers STARTTLS; AUTH is
//!   offered now if it was held back for TLS
//!   ([`ServerConfig::auth_requires_tls`](crate::server::ServerConfig::auth_requires_tls)).
//!
//! The client side mirrors it: the [`ClientSession`](crate::client::ClientSession)
//! sends nothing after `STARTTLS` until the `220`, drops any bytes the server sent
//! after it, and sends `EHLO` again after the handshake (the capabilities it knew are
//! forgotten).
