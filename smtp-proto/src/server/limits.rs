//! Protocol limits of the server session.

use std::time::Duration;

/// The limits the server session enforces, with documented defaults and
/// `&mut self` setters (so they chain).
///
/// Every limit bounds memory or work per connection; none can be turned off (a
/// very large value is the way to say "practically none").
///
/// ```
/// use std::time::Duration;
/// use mailwright_smtp::server::Limits;
///
/// let mut limits = Limits::default();
/// limits
///     .max_message_size(10 * 1024 * 1024)
///     .max_recipients(50)
///     .idle_timeout(Duration::from_secs(120));
/// assert_eq!(limits.message_size(), 10 * 1024 * 1024);
/// ```
#[derive(Clone, Debug)]
pub struct Limits {
    pub(crate) max_command_line: usize,
    pub(crate) max_auth_line: usize,
    pub(crate) max_message_size: u64,
    pub(crate) max_recipients: usize,
    pub(crate) max_errors: u32,
    pub(crate) max_auth_failures: u32,
    pub(crate) max_pending_input: usize,
    pub(crate) idle_timeout: Duration,
}

impl Limits {
    /// The longest command line, CRLF included. Default 2,048 octets: RFC 5321
    /// section 4.5.3.1.4 sets 512 and lets extensions raise it, and the parameters of
    /// SIZE, DSN, SMTPUTF8 and AUTH= do. A longer line is discarded as it arrives
    /// (never buffered) and answered with `500 5.5.2`. At least 512.
    pub fn max_command_line(&mut self, octets: usize) -> &mut Self {
        self.max_command_line = octets.max(512);
        self
    }

    /// The longest line of a SASL exchange, CRLF included. Default 12,288 octets,
    /// the minimum of [RFC 4954 section 4](https://www.rfc-editor.org/rfc/rfc4954#section-4);
    /// a longer one gets `500 5.5.6`. At least 512.
    pub fn max_auth_line(&mut self, octets: usize) -> &mut Self {
        self.max_auth_line = octets.max(512);
        self
    }

    /// The largest message body, in octets, advertised as `SIZE` (RFC 1870). Default
    /// 50 MiB. Checked against `MAIL FROM ... SIZE=` (`552 5.3.4` at once), against
    /// each `BDAT` count, and while a DATA body streams: once the body passes the
    /// limit the rest is read and dropped and the message is refused with `552 5.3.4`
    /// after its end.
    pub fn max_message_size(&mut self, octets: u64) -> &mut Self {
        self.max_message_size = octets.max(1);
        self
    }

    /// The most recipients per transaction. Default 100, the minimum of RFC 5321
    /// section 4.5.3.1.8; one more gets `452 4.5.3` (section 4.5.3.1.10), and the
    /// client sends the rest in another transaction.
    pub fn max_recipients(&mut self, count: usize) -> &mut Self {
        self.max_recipients = count.max(1);
        self
    }

    /// After this many protocol errors (unknown commands, syntax errors, bad
    /// sequence) the session answers `421 4.7.0` and closes. Default 20.
    pub fn max_errors(&mut self, count: u32) -> &mut Self {
        self.max_errors = count.max(1);
        self
    }

    /// After this many rejected `AUTH` attempts the session answers `421 4.7.0` and
    /// closes. Default 3.
    pub fn max_auth_failures(&mut self, count: u32) -> &mut Self {
        self.max_auth_failures = count.max(1);
        self
    }

    /// How many octets of client input the session buffers. Default 256 KiB; at
    /// least 4 KiB more than the longest line. Input comes in only while there is
    /// room: [`ServerSession::handle_input`](crate::server::ServerSession::handle_input)
    /// takes what fits and says how much, so a client that pipelines while the
    /// application decides is slowed down by TCP, not buffered without end.
    pub fn max_pending_input(&mut self, octets: usize) -> &mut Self {
        self.max_pending_input = octets;
        self
    }

    /// How long the session waits for the client's next command or data block.
    /// Default 5 minutes, the server timeout of
    /// [RFC 5321 section 4.5.3.2.7](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.2.7).
    /// The timer stops while the application holds a decision. On expiry the session
    /// answers `421 4.4.2` and closes.
    pub fn idle_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.idle_timeout = timeout;
        self
    }

    /// The configured [`max_message_size`](Self::max_message_size).
    pub fn message_size(&self) -> u64 {
        self.max_message_size
    }

    /// The configured [`idle_timeout`](Self::idle_timeout).
    pub fn timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// The input buffer size in effect: the configured one, but never less than the
    /// longest line plus 4 KiB.
    pub(crate) fn input_capacity(&self) -> usize {
        self.max_pending_input
            .max(self.max_command_line.max(self.max_auth_line) + 4096)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_command_line: 2048,
            max_auth_line: 12_288,
            max_message_size: 50 * 1024 * 1024,
            max_recipients: 100,
            max_errors: 20,
            max_auth_failures: 3,
            max_pending_input: 256 * 1024,
            idle_timeout: Duration::from_secs(300),
        }
    }
}
