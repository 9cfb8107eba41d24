//! The settings every protocol server shares.

use std::time::Duration;

/// The settings of a protocol server that are not protocol rules, the same in the
/// SMTP, IMAP and POP3 crates (each re-exports this type as `tokio::Options`).
///
/// | option | default |
/// | --- | --- |
/// | [`max_connections`](Self::max_connections) | 1,000 |
/// | [`max_connections_per_ip`](Self::max_connections_per_ip) | 50 |
/// | [`handshake_timeout`](Self::handshake_timeout) | 30 seconds |
/// | [`write_timeout`](Self::write_timeout) | 10 minutes |
/// | [`login_failure_delay`](Self::login_failure_delay) | 2 seconds |
/// | [`shutdown_grace`](Self::shutdown_grace) | 30 seconds |
///
/// ```
/// use std::time::Duration;
/// use mailwright_base::listener::Options;
///
/// let mut options = Options::default();
/// options
///     .max_connections(200)
///     .max_connections_per_ip(10)
///     .login_failure_delay(Duration::from_secs(1));
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    pub(crate) max_connections: usize,
    pub(crate) max_connections_per_ip: usize,
    pub(crate) handshake_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) login_failure_delay: Duration,
    pub(crate) shutdown_grace: Duration,
}

impl Options {
    /// The most connections served at once, over all the listeners of one server; one
    /// more gets the protocol's refusal line (`421 4.7.0`, `* BYE [UNAVAILABLE]`,
    /// `-ERR [SYS/TEMP]`) and is closed. At least 1. Default 1,000.
    pub fn max_connections(&mut self, count: usize) -> &mut Self {
        self.max_connections = count.max(1);
        self
    }

    /// The most connections at once from one IP address, refused like
    /// [`max_connections`](Self::max_connections). At least 1. Default 50.
    pub fn max_connections_per_ip(&mut self, count: usize) -> &mut Self {
        self.max_connections_per_ip = count.max(1);
        self
    }

    /// How long a TLS handshake may take (implicit TLS and STARTTLS); a client that
    /// never speaks TLS is dropped after it. Default 30 seconds.
    pub fn handshake_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.handshake_timeout = timeout;
        self
    }

    /// How long the client may leave our output unread before the connection is
    /// dropped. Default 10 minutes.
    pub fn write_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.write_timeout = timeout;
        self
    }

    /// How long to wait before answering a failed login (SMTP `AUTH`, IMAP `LOGIN`
    /// and `AUTHENTICATE`, POP3 `PASS`, `APOP` and `AUTH`): slows password guessing.
    /// IMAP multiplies it by the session's count of failures. Default 2 seconds.
    pub fn login_failure_delay(&mut self, delay: Duration) -> &mut Self {
        self.login_failure_delay = delay;
        self
    }

    /// After a shutdown is asked, how long sessions may take to end (an SMTP
    /// transaction to finish, a BYE to be written) before they are dropped. Default
    /// 30 seconds.
    pub fn shutdown_grace(&mut self, grace: Duration) -> &mut Self {
        self.shutdown_grace = grace;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_connections: 1000,
            max_connections_per_ip: 50,
            handshake_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(600),
            login_failure_delay: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}
