//! # End of data only at `<CRLF>.<CRLF>`
//!
//! SMTP ends a DATA body with a line holding a single dot:
//! `<CRLF>.<CRLF>` ([RFC 5321 section 4.1.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.4)).
//! Servers that also accepted `<LF>.<LF>`, `<CR>.<CR><LF>` or `<LF>.<CR><LF>` as the
//! end let an attacker hide a second message inside the first: a relay that forwards
//! the body unchanged, and a receiver that ends DATA early, read the rest as new
//! commands with a spoofed sender (SMTP smuggling, CVE-2023-51764 Postfix,
//! CVE-2023-51765 Sendmail, CVE-2023-51766 Exim).
//!
//! This crate closes it on both sides:
//!
//! * **Receiving.** The [`DataDecoder`](crate::codec::frame::DataDecoder) ends a body only
//!   where the octets on the wire are `CR LF . CR LF` (or `. CR LF` as the first line).
//!   Line starts, for dot-unstuffing too, are only after a real CRLF. Every other
//!   combination is body content. Bare CR and LF are then normalized to CRLF in the
//!   body handed out (the default, as Postfix 3.9's `smtpd_forbid_bare_newline =
//!   normalize`), or the message is refused after its end with `554 5.6.0`
//!   ([`BareLineEndings::Reject`](crate::codec::frame::BareLineEndings::Reject)). Either way
//!   the session's idea of where the message ends is the RFC's.
//! * **Sending.** The [`DotStuffer`](crate::codec::frame::DotStuffer) of the client turns
//!   every bare CR and bare LF into CRLF *before* it doubles leading dots. A body that
//!   holds `\n.\n` goes out as `\r\n..\r\n`: no receiver, however lenient, can read an
//!   end of data into it. BDAT bodies get the same line-ending normalization (except
//!   `BODY=BINARYMIME`, where the count alone frames the data).
//!
//! BDAT (RFC 3030) cannot be smuggled through: the length is announced and counted
//! exactly, and nothing inside a chunk is interpreted.
//!
//! The tests replay the known variants (`\n.\n`, `\r.\r\n`, `\n.\r\n`, `\r\n.\n`,
//! `\r\n.\r`) through the decoder at every split point, through the server session
//! (none ends DATA, none makes a second MAIL), and through the client (none reaches
//! the wire unnormalized).
