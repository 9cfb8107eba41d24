//! What a routing rule chooses: a [`RouteAction`] and the [`DeliveryOptions`] of the
//! connections it makes.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use mailwright_smtp::EnhancedStatusCode;

/// Where recipients matched by a rule go.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteAction {
    /// Look up the recipient domain's MX records and deliver by SMTP (RFC 5321 §5).
    Mx {
        /// The port to connect to (25; tests use loopback high ports).
        port: u16,
    },
    /// Relay everything through one host.
    Relay(Relay),
    /// Hand over by LMTP (RFC 2033), e.g. to Dovecot.
    Lmtp(LmtpTarget),
    /// Hand to the application's local-delivery handler registered under this name.
    Local {
        /// The handler's name.
        handler: String,
    },
    /// Fail the recipient at once with this reply.
    Reject {
        /// The status for the DSN (class 5).
        status: EnhancedStatusCode,
        /// The text for the DSN.
        text: String,
    },
}

impl RouteAction {
    /// MX delivery on port 25.
    pub const fn mx() -> Self {
        Self::Mx { port: 25 }
    }
}

/// A smarthost.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relay {
    /// Host name or IP address literal.
    pub host: String,
    /// Port (587 for submission, 465 for implicit TLS, 25).
    pub port: u16,
    /// TLS on the connection.
    pub tls: RelayTls,
    /// AUTH credentials (PLAIN or LOGIN, whichever the server offers).
    pub auth: Option<Credentials>,
}

impl Relay {
    /// A relay to `host:port` with STARTTLS required and no AUTH.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            tls: RelayTls::StartTlsRequired,
            auth: None,
        }
    }

    /// Sets the TLS mode.
    pub fn with_tls(mut self, tls: RelayTls) -> Self {
        self.tls = tls;
        self
    }

    /// Sets AUTH credentials.
    pub fn with_auth(mut self, credentials: Credentials) -> Self {
        self.auth = Some(credentials);
        self
    }
}

/// How a relay connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelayTls {
    /// TLS from the first byte (port 465, RFC 8314).
    Implicit,
    /// STARTTLS, and fail if the server does not offer it.
    StartTlsRequired,
    /// STARTTLS when offered (the default for MX delivery).
    Opportunistic,
    /// Plain text.
    None,
}

/// A user name and password for SMTP AUTH; the password never shows in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The authentication identity.
    pub username: String,
    password: String,
}

impl Credentials {
    /// Credentials.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// An LMTP server.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LmtpTarget {
    /// Over TCP.
    Tcp {
        /// Host name or IP address.
        host: String,
        /// Port (24 is LMTP's).
        port: u16,
    },
    /// Over a unix socket.
    Unix(PathBuf),
}

impl fmt::Display for LmtpTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp { host, port } => write!(f, "{host}:{port}"),
            Self::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Which address families a rule's connections use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum IpFamily {
    /// IPv6 first, then IPv4 (RFC 5321 §5 leaves the order to the client; IPv6 first is
    /// what RFC 6555 clients do).
    #[default]
    Any,
    /// IPv4 only (receivers that reject IPv6 senders without reverse DNS).
    V4Only,
    /// IPv6 only.
    V6Only,
}

impl IpFamily {
    /// Whether `ip` may be used.
    pub fn allows(self, ip: IpAddr) -> bool {
        match self {
            Self::Any => true,
            Self::V4Only => ip.is_ipv4(),
            Self::V6Only => ip.is_ipv6(),
        }
    }
}

/// A local address to send from and the name to greet with from it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceAddress {
    /// Bound before connecting.
    pub ip: IpAddr,
    /// The EHLO name for connections from this address (its reverse DNS name).
    pub ehlo: String,
}

/// TLS for SMTP (MX and LMTP) connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// STARTTLS when offered, plain text otherwise (the default; RFC 3207).
    Opportunistic,
    /// STARTTLS, or a temporary failure.
    Required,
    /// Never STARTTLS.
    Disabled,
}

/// How a rule's connections are made.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryOptions {
    /// Source addresses to use (one is picked per connection, by family); empty for the
    /// system's choice.
    pub sources: Vec<SourceAddress>,
    /// The EHLO name when no source address gives one.
    pub ehlo: Option<String>,
    /// Address families.
    pub family: IpFamily,
    /// STARTTLS policy for MX and LMTP delivery (relays use [`Relay::tls`]).
    pub tls: TlsMode,
    /// Verify the server's certificate (name and chain). Off by default for MX
    /// delivery, where opportunistic TLS with an unverified certificate is still better
    /// than plain text (RFC 7435); on for relays.
    pub verify_certificates: bool,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            sources: Vec::new(),
            ehlo: None,
            family: IpFamily::Any,
            tls: TlsMode::Opportunistic,
            verify_certificates: false,
        }
    }
}

impl DeliveryOptions {
    /// Adds a source address (with its EHLO name) to the pool.
    pub fn source(mut self, source: SourceAddress) -> Self {
        self.sources.push(source);
        self
    }

    /// Sets the EHLO name used when no source address gives one.
    pub fn ehlo(mut self, name: impl Into<String>) -> Self {
        self.ehlo = Some(name.into());
        self
    }

    /// Sets the address families.
    pub fn family(mut self, family: IpFamily) -> Self {
        self.family = family;
        self
    }

    /// Sets the STARTTLS policy.
    pub fn tls(mut self, tls: TlsMode) -> Self {
        self.tls = tls;
        self
    }

    /// Sets certificate verification.
    pub fn verify_certificates(mut self, verify: bool) -> Self {
        self.verify_certificates = verify;
        self
    }

    /// The source address to bind for a connection to `remote`, if configured: the
    /// `n`th of those of the right family, round-robin.
    pub fn source_for(&self, remote: IpAddr, n: usize) -> Option<&SourceAddress> {
        let matching: Vec<&SourceAddress> = self
            .sources
            .iter()
            .filter(|s| s.ip.is_ipv4() == remote.is_ipv4())
            .collect();
        if matching.is_empty() {
            return None;
        }
        matching.get(n % matching.len()).copied()
    }

    /// Whether some source of `ip`'s family exists, or none is configured at all.
    pub fn can_reach(&self, ip: IpAddr) -> bool {
        self.family.allows(ip)
            && (self.sources.is_empty()
                || self.sources.iter().any(|s| s.ip.is_ipv4() == ip.is_ipv4()))
    }
}
