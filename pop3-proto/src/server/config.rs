//! What a server session offers: greeting, TLS, authentication, capabilities.

use crate::server::Limits;
use crate::types::{ApopTimestamp, Capability, Mechanism, Text};

/// The configuration of one server session.
///
/// Cheap to clone; an application keeps one per listener and sets the per-connection
/// values (the APOP timestamp, whether TLS is already on, whether the peer is on
/// loopback) on a clone for each connection.
///
/// ```
/// use mailwright_pop3::server::ServerConfig;
/// use mailwright_pop3::ApopTimestamp;
///
/// let mut config = ServerConfig::default();
/// config
///     .stls(true)
///     .apop(Some(ApopTimestamp::try_from("<1896.697170952@dbc.mit.edu>".to_owned()).unwrap()));
/// ```
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub(crate) limits: Limits,
    pub(crate) greeting: Text<'static>,
    pub(crate) apop: Option<ApopTimestamp<'static>>,
    pub(crate) stls: bool,
    pub(crate) tls_active: bool,
    pub(crate) plaintext_without_tls: bool,
    pub(crate) mechanisms: Vec<Mechanism<'static>>,
    pub(crate) implementation: Option<Capability<'static>>,
    pub(crate) login_delay: Option<u32>,
    pub(crate) utf8: bool,
}

impl ServerConfig {
    /// The limits (see [`Limits`] for the defaults).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// The greeting text after `+OK` (default `POP3 server ready`); the APOP timestamp
    /// is appended when set, and the greeting is then cut (on a character boundary) to
    /// leave it room within [`Text::MAX_LEN`].
    pub fn greeting(&mut self, text: Text<'static>) -> &mut Self {
        self.greeting = text;
        self
    }

    /// The timestamp for `APOP`, unique per connection
    /// ([RFC 1939 section 7](https://www.rfc-editor.org/rfc/rfc1939#section-7)); `None`
    /// (the default) does not offer `APOP`.
    pub fn apop(&mut self, timestamp: Option<ApopTimestamp<'static>>) -> &mut Self {
        self.apop = timestamp;
        self
    }

    /// Whether `STLS` is offered (the application can start TLS). Default `false`.
    pub fn stls(&mut self, offered: bool) -> &mut Self {
        self.stls = offered;
        self
    }

    /// Whether the connection already runs TLS (port 995 style). Default `false`.
    pub fn tls_active(&mut self, active: bool) -> &mut Self {
        self.tls_active = active;
        self
    }

    /// Whether `USER`/`PASS` and plaintext SASL are allowed without TLS. Default `false`
    /// (DESIGN.md: passwords only over TLS); an application sets it for loopback peers,
    /// as Dovecot does.
    pub fn plaintext_without_tls(&mut self, allowed: bool) -> &mut Self {
        self.plaintext_without_tls = allowed;
        self
    }

    /// The SASL mechanisms offered, among those the session implements (`PLAIN`,
    /// `LOGIN`; the default is both). Others are ignored.
    pub fn mechanisms(&mut self, mechanisms: &[Mechanism<'static>]) -> &mut Self {
        self.mechanisms = mechanisms
            .iter()
            .filter(|mechanism| **mechanism == Mechanism::PLAIN || **mechanism == Mechanism::LOGIN)
            .cloned()
            .collect();
        self
    }

    /// The `IMPLEMENTATION` capability (default none).
    pub fn implementation(&mut self, capability: Option<Capability<'static>>) -> &mut Self {
        self.implementation = capability;
        self
    }

    /// The `LOGIN-DELAY` capability, in seconds (default none).
    pub fn login_delay(&mut self, seconds: Option<u32>) -> &mut Self {
        self.login_delay = seconds;
        self
    }

    /// Whether the `UTF8` command and capability are offered
    /// ([RFC 6856](https://www.rfc-editor.org/rfc/rfc6856)). Default `true`.
    pub fn utf8(&mut self, offered: bool) -> &mut Self {
        self.utf8 = offered;
        self
    }

    /// Whether plaintext passwords are acceptable on this connection now.
    pub(crate) fn plaintext_allowed(&self, tls_active: bool) -> bool {
        tls_active || self.plaintext_without_tls
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            greeting: Text::unvalidated("POP3 server ready"),
            apop: None,
            stls: false,
            tls_active: false,
            plaintext_without_tls: false,
            mechanisms: vec![Mechanism::PLAIN, Mechanism::LOGIN],
            implementation: None,
            login_delay: None,
            utf8: true,
        }
    }
}
