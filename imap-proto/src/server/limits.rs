//! Protocol limits of the session, with documented defaults and setters.

use std::time::Duration;

/// The least autologout time RFC 9051 section 5.4 allows.
pub const MIN_AUTOLOGOUT: Duration = Duration::from_secs(30 * 60);

/// Limits that are protocol rules: sizes of lines and literals, failed logins,
/// timers. Defaults in each setter's doc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub(crate) max_line: usize,
    pub(crate) max_literal: u64,
    pub(crate) max_command: usize,
    pub(crate) max_append: u64,
    pub(crate) max_failed_logins: u32,
    pub(crate) failed_login_delay: Duration,
    pub(crate) autologout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_pending_input: usize,
}

impl Limits {
    /// Longest command line (without literal data). Default 64 KiB (clients send
    /// long UID sets).
    pub fn max_line(&mut self, octets: usize) -> &mut Self {
        self.max_line = octets.max(1024);
        self
    }

    /// Largest literal inside a command other than APPEND's message (LOGIN
    /// passwords, SEARCH strings, mailbox names). Default 64 KiB.
    pub fn max_literal(&mut self, octets: u64) -> &mut Self {
        self.max_literal = octets;
        self
    }

    /// Largest command as buffered (lines and literals together, APPEND messages
    /// excepted). Default 1 MiB.
    pub fn max_command(&mut self, octets: usize) -> &mut Self {
        self.max_command = octets.max(self.max_line);
        self
    }

    /// Largest message APPEND accepts (streamed, never buffered whole by the
    /// session). Default 64 MiB; advertised as `APPENDLIMIT` nowhere, refused with
    /// `NO [TOOBIG]`.
    pub fn max_append(&mut self, octets: u64) -> &mut Self {
        self.max_append = octets;
        self
    }

    /// Failed logins after which the session says BYE. Default 3.
    pub fn max_failed_logins(&mut self, count: u32) -> &mut Self {
        self.max_failed_logins = count.max(1);
        self
    }

    /// How long the answer to a failed login is held back, multiplied by the number
    /// of failures so far. Default 2 seconds.
    pub fn failed_login_delay(&mut self, delay: Duration) -> &mut Self {
        self.failed_login_delay = delay;
        self
    }

    /// Inactivity after which the session says BYE. Default and least 30 minutes
    /// (RFC 9051 section 5.4); shorter values are raised to 30 minutes.
    pub fn autologout(&mut self, timeout: Duration) -> &mut Self {
        self.autologout = timeout.max(MIN_AUTOLOGOUT);
        self
    }

    /// Inactivity allowed during IDLE. Default 35 minutes: clients re-issue IDLE
    /// every 29 minutes (RFC 2177), some a little late. Least 30 minutes.
    pub fn idle_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.idle_timeout = timeout.max(MIN_AUTOLOGOUT);
        self
    }

    /// Sets both timers without the 30-minute floor, for tests.
    ///
    /// <div class="warning">Breaks RFC 9051 section 5.4 in production: clients that
    /// poll every few minutes would be logged out.</div>
    pub fn dangerous_short_timers(&mut self, autologout: Duration, idle: Duration) -> &mut Self {
        self.autologout = autologout;
        self.idle_timeout = idle;
        self
    }

    /// Input the session buffers while it waits for the application, before it
    /// closes the connection. Default 2 MiB.
    pub fn max_pending_input(&mut self, octets: usize) -> &mut Self {
        self.max_pending_input = octets;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line: 64 * 1024,
            max_literal: 64 * 1024,
            max_command: 1024 * 1024,
            max_append: 64 * 1024 * 1024,
            max_failed_logins: 3,
            failed_login_delay: Duration::from_secs(2),
            autologout: MIN_AUTOLOGOUT,
            idle_timeout: Duration::from_secs(35 * 60),
            max_pending_input: 2 * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autologout_has_a_floor() {
        let mut limits = Limits::default();
        limits.autologout(Duration::from_secs(60));
        assert_eq!(limits.autologout, MIN_AUTOLOGOUT);
        limits.dangerous_short_timers(Duration::from_secs(1), Duration::from_secs(2));
        assert_eq!(limits.autologout, Duration::from_secs(1));
    }
}
