//! Protocol limits of the server session.

use std::time::Duration;

/// Limits the session enforces, with documented defaults and `&mut self` setters.
///
/// ```
/// use std::time::Duration;
/// use mailwright_pop3::server::Limits;
///
/// let mut limits = Limits::default();
/// limits.max_failed_logins(5).idle_timeout(Duration::from_secs(900));
/// ```
#[derive(Clone, Debug)]
pub struct Limits {
    pub(crate) max_command_line: usize,
    pub(crate) max_auth_line: usize,
    pub(crate) max_failed_logins: u32,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_pending_input: usize,
    pub(crate) output_chunk: usize,
}

impl Limits {
    /// The longest command line, CRLF included. Default 2,048 octets: more than the
    /// 255 of [RFC 2449 section 4](https://www.rfc-editor.org/rfc/rfc2449#section-4),
    /// enough for a 1,024-octet password. A longer line gets `-ERR` and is skipped.
    pub fn max_command_line(&mut self, octets: usize) -> &mut Self {
        self.max_command_line = octets;
        self
    }

    /// The longest line during `AUTH` (an initial response or a SASL response), CRLF
    /// included. Default 16,384 octets.
    pub fn max_auth_line(&mut self, octets: usize) -> &mut Self {
        self.max_auth_line = octets;
        self
    }

    /// After this many rejected logins the session answers `-ERR` and closes. Default 3.
    pub fn max_failed_logins(&mut self, count: u32) -> &mut Self {
        self.max_failed_logins = count.max(1);
        self
    }

    /// The inactivity autologout timer. Default 10 minutes, the minimum of
    /// [RFC 1939 section 3](https://www.rfc-editor.org/rfc/rfc1939#section-3).
    pub fn idle_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.idle_timeout = timeout;
        self
    }

    /// How much pipelined input the session buffers while it waits for a decision or
    /// sends a message. Default 64 KiB; past it the session answers `-ERR` and closes.
    pub fn max_pending_input(&mut self, octets: usize) -> &mut Self {
        self.max_pending_input = octets;
        self
    }

    /// How many octets of a `LIST`/`UIDL` listing one [`poll_output`] call produces at
    /// most. Default 64 KiB; a maildrop of 100,000 messages is listed in pieces.
    ///
    /// [`poll_output`]: crate::server::ServerSession::poll_output
    pub fn output_chunk(&mut self, octets: usize) -> &mut Self {
        self.output_chunk = octets.max(512);
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_command_line: 2048,
            max_auth_line: 16 * 1024,
            max_failed_logins: 3,
            idle_timeout: Duration::from_secs(600),
            max_pending_input: 64 * 1024,
            output_chunk: 64 * 1024,
        }
    }
}
