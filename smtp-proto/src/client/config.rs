//! What a client session says and how long it waits.

use std::time::Duration;

use crate::server::Protocol;
use crate::types::{Domain, Host};

/// The configuration of a client session.
///
/// ```
/// use std::time::Duration;
/// use mailwright_smtp::client::ClientConfig;
/// use mailwright_smtp::{Domain, Host};
///
/// let mut config = ClientConfig::new(Host::Domain(Domain::try_from("mta.example.org")?));
/// config.bdat(false).timeouts_mut().data_end = Duration::from_secs(600);
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub(crate) hello: Host<'static>,
    pub(crate) protocol: Protocol,
    pub(crate) pipelining: bool,
    pub(crate) bdat: bool,
    pub(crate) bdat_chunk: usize,
    pub(crate) max_reply_line: usize,
    pub(crate) max_reply_lines: usize,
    pub(crate) max_pending_output: usize,
    pub(crate) timeouts: Timeouts,
}

impl ClientConfig {
    /// A client that introduces itself as `hello` in `EHLO`/`HELO`/`LHLO`.
    pub fn new(hello: Host<'static>) -> Self {
        Self {
            hello,
            protocol: Protocol::Smtp,
            pipelining: true,
            bdat: true,
            bdat_chunk: 64 * 1024,
            max_reply_line: 2048,
            max_reply_lines: 128,
            max_pending_output: 256 * 1024,
            timeouts: Timeouts::default(),
        }
    }

    /// SMTP (`EHLO`, `HELO` as fallback) or LMTP (`LHLO`, one reply per recipient
    /// after the message). Default SMTP.
    pub fn protocol(&mut self, protocol: Protocol) -> &mut Self {
        self.protocol = protocol;
        self
    }

    /// Pipeline the envelope (`MAIL`, every `RCPT`, `DATA` in one write) when the
    /// server offers `PIPELINING` (RFC 2920). Default on.
    pub fn pipelining(&mut self, on: bool) -> &mut Self {
        self.pipelining = on;
        self
    }

    /// Send the body with `BDAT` when the server offers `CHUNKING` (RFC 3030). Default
    /// on. `BODY=BINARYMIME` always uses BDAT.
    pub fn bdat(&mut self, on: bool) -> &mut Self {
        self.bdat = on;
        self
    }

    /// The size of a `BDAT` chunk. Default 64 KiB; at least 512.
    pub fn bdat_chunk(&mut self, octets: usize) -> &mut Self {
        self.bdat_chunk = octets.max(512);
        self
    }

    /// The longest reply line accepted, CRLF included. Default 2,048 octets (RFC 5321
    /// section 4.5.3.1.5 sets 512; EHLO lines run longer in practice).
    pub fn max_reply_line(&mut self, octets: usize) -> &mut Self {
        self.max_reply_line = octets.max(512);
        self
    }

    /// The most lines in one reply. Default 128.
    pub fn max_reply_lines(&mut self, lines: usize) -> &mut Self {
        self.max_reply_lines = lines.max(2);
        self
    }

    /// How much body the session buffers before
    /// [`wants_body`](crate::client::ClientSession::wants_body) says to wait for the
    /// output to drain. Default 256 KiB.
    pub fn max_pending_output(&mut self, octets: usize) -> &mut Self {
        self.max_pending_output = octets.max(4096);
        self
    }

    /// The reply timeouts, to change one.
    pub fn timeouts_mut(&mut self) -> &mut Timeouts {
        &mut self.timeouts
    }

    /// The size of the input buffer: one reply of the longest kind.
    pub(crate) fn input_capacity(&self) -> usize {
        self.max_reply_line * self.max_reply_lines
    }
}

impl Default for ClientConfig {
    /// A client that says `EHLO localhost`.
    fn default() -> Self {
        Self::new(Host::Domain(Domain(std::borrow::Cow::Borrowed(
            "localhost",
        ))))
    }
}

/// How long the client waits for each reply,
/// [RFC 5321 section 4.5.3.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.2).
/// The defaults are the RFC's minimums. The "data block" timer (3 minutes per write
/// of body data) is a write timeout of the driver, not of this sans-IO session.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub struct Timeouts {
    /// The `220` greeting: 5 minutes (section 4.5.3.2.1).
    pub greeting: Duration,
    /// The reply to `MAIL`: 5 minutes (section 4.5.3.2.2).
    pub mail: Duration,
    /// The reply to each `RCPT`: 5 minutes (section 4.5.3.2.3).
    pub rcpt: Duration,
    /// The `354` to `DATA`: 2 minutes (section 4.5.3.2.4).
    pub data_init: Duration,
    /// The reply after the final dot or `BDAT ... LAST`: 10 minutes (section
    /// 4.5.3.2.6).
    pub data_end: Duration,
    /// Any other reply (EHLO, STARTTLS, AUTH, RSET, QUIT, BDAT chunks): 5 minutes.
    pub other: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            greeting: Duration::from_secs(300),
            mail: Duration::from_secs(300),
            rcpt: Duration::from_secs(300),
            data_init: Duration::from_secs(120),
            data_end: Duration::from_secs(600),
            other: Duration::from_secs(300),
        }
    }
}
