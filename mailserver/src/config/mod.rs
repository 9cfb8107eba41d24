//! The server's configuration: the embedded default (no file, everything on loopback
//! high ports, ready to try) or a TOML file (`--config FILE`, see
//! `mailserver.example.toml` in the package for every key with comments).
//!
//! [`Config`] holds validated values only: a file is read into the `file` module's raw
//! structs (unknown keys and wrong types are refused by the TOML reader, naming the key
//! and line), then checked value by value ([`ConfigError::Invalid`] names the key).

mod error;
mod file;
mod value;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use error::{ConfigError, Invalid};
pub(crate) use file::check_domain;
use ipnet::IpNet;
pub(crate) use value::size as parse_size;

/// The validated configuration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// This server's host name: greeting, `Received`, EHLO when sending, MX record.
    pub hostname: String,
    /// Where users, mailboxes, the queue, keys and the certificate live.
    pub data_dir: PathBuf,
    /// Domains to create at start (more are added with `domain add` or the admin API).
    pub domains: Vec<String>,
    /// Whether the first start creates the demo domain and user (embedded default).
    pub demo: bool,
    /// Listener addresses.
    pub listen: Listen,
    /// Certificate and key files; `None` makes (once) and uses a self-signed one.
    pub tls: Option<TlsFiles>,
    /// Clients that may relay without AUTH (IP ranges).
    pub trusted_networks: Vec<IpNet>,
    /// Resource limits.
    pub limits: Limits,
    /// What authenticated senders may do.
    pub submission: SubmissionPolicy,
    /// What happens to mail from outside.
    pub inbound: InboundPolicy,
    /// DKIM signing.
    pub dkim: DkimPolicy,
    /// Name resolution.
    pub dns: DnsSettings,
    /// The outbound queue.
    pub queue: QueueSettings,
    /// The admin HTTP API.
    pub admin: AdminSettings,
    /// The mailbox store.
    pub store: StoreBackend,
    /// Logging.
    pub log: LogSettings,
}

/// The addresses each service listens on; an empty list turns the service off.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Listen {
    /// SMTP from other servers (port 25).
    pub smtp: Vec<SocketAddr>,
    /// Submission with STARTTLS (port 587).
    pub submission: Vec<SocketAddr>,
    /// Submission with implicit TLS (port 465).
    pub submissions: Vec<SocketAddr>,
    /// IMAP with STARTTLS (port 143).
    pub imap: Vec<SocketAddr>,
    /// IMAP with implicit TLS (port 993).
    pub imaps: Vec<SocketAddr>,
    /// POP3 with STLS (port 110).
    pub pop3: Vec<SocketAddr>,
    /// POP3 with implicit TLS (port 995).
    pub pop3s: Vec<SocketAddr>,
    /// The admin HTTP API.
    pub admin: Vec<SocketAddr>,
}

/// PEM files of the TLS certificate chain and its private key.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TlsFiles {
    /// Certificate chain, leaf first.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// Limits on what clients may use.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Limits {
    /// Largest message accepted, in bytes.
    pub max_message_size: u64,
    /// Most recipients per message.
    pub max_recipients: usize,
    /// Most connections at once per service.
    pub max_connections: usize,
    /// Most connections at once from one IP address, per service.
    pub max_connections_per_ip: usize,
    /// Failed logins after which a connection is closed.
    pub max_auth_failures: u32,
}

/// Outbound spam control for authenticated users.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SubmissionPolicy {
    /// Most messages one user may submit per hour.
    pub messages_per_hour: u32,
    /// Most recipients (all messages together) one user may address per hour.
    pub recipients_per_hour: u32,
}

/// The checks on mail from outside.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InboundPolicy {
    /// Refuse at MAIL FROM when SPF says `fail` (off: DMARC decides).
    pub spf_reject_fail: bool,
    /// Honour a sender domain's DMARC `p=reject` with `550 5.7.1`.
    pub dmarc_reject: bool,
    /// Where messages under DMARC `p=quarantine` go.
    pub quarantine_mailbox: String,
}

/// The DKIM signature algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DkimAlgorithm {
    /// `rsa-sha256`, 2048-bit keys.
    Rsa,
    /// `ed25519-sha256` (RFC 8463).
    Ed25519,
}

impl DkimAlgorithm {
    /// The name in the configuration and the key files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa => "rsa",
            Self::Ed25519 => "ed25519",
        }
    }
}

/// DKIM signing of submitted mail.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DkimPolicy {
    /// One signature per algorithm (both by default: some receivers still fail
    /// Ed25519 alone).
    pub algorithms: Vec<DkimAlgorithm>,
}

/// Name resolution.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DnsSettings {
    /// Name servers; empty reads `/etc/resolv.conf`.
    pub servers: Vec<SocketAddr>,
    /// Time for one query.
    pub timeout: Duration,
}

/// Where a routing rule sends recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteTarget {
    /// By MX lookup, to this port.
    Mx {
        /// The port on the MX hosts.
        port: u16,
    },
    /// Through one relay host.
    Relay {
        /// Host name or IP.
        host: String,
        /// Port.
        port: u16,
        /// Whether STARTTLS is required (else used when offered).
        tls_required: bool,
    },
}

/// One routing rule: recipients whose domain matches go to the target.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RouteRule {
    /// The rule's name in logs.
    pub name: String,
    /// `example.net`, `.example.net` (subdomains) or `*`.
    pub domain: mailwright_queue::route::DomainPattern,
    /// Where to.
    pub target: RouteTarget,
}

/// The outbound queue.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct QueueSettings {
    /// The port of MX hosts (25; tests use loopback high ports).
    pub mx_port: u16,
    /// Delays between attempts; the last one repeats.
    pub retry: Vec<Duration>,
    /// How long a message is tried before it bounces.
    pub max_lifetime: Duration,
    /// When the sender is told that a message is delayed; `None` never.
    pub delay_warning: Option<Duration>,
    /// Most connections at once to one destination.
    pub max_connections_per_site: u32,
    /// Routing rules, first match wins; the rest goes by MX.
    pub routes: Vec<RouteRule>,
}

/// The admin HTTP API.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AdminSettings {
    /// The bearer token; `None` makes one at first start (kept in the data folder).
    /// It also signs in to the web admin pages.
    pub token: Option<String>,
    /// Users who may sign in to the web admin pages with their mail password.
    pub users: Vec<String>,
    /// Serve the admin listener over HTTPS with the server's certificate (the web
    /// admin's session cookie then gets `Secure`).
    pub tls: bool,
}

/// Where the mailboxes are kept (`[store]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreBackend {
    /// Maildir files and an SQLite index per account, under the data folder (the
    /// default; durable).
    #[default]
    Maildir,
    /// In memory: everything is lost when the server stops. For tests and demos.
    Memory,
}

impl StoreBackend {
    /// The name in the configuration file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Maildir => "maildir",
            Self::Memory => "memory",
        }
    }
}

/// Logging.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LogSettings {
    /// A `tracing` filter such as `info` or `mailwright_server=debug,info`; `RUST_LOG`
    /// overrides it.
    pub filter: String,
}

/// The demo domain the embedded default creates.
pub const DEMO_DOMAIN: &str = "example.test";

impl Config {
    /// The embedded default: data in `data_dir`, every service on 127.0.0.1 at the
    /// fixed high ports, a self-signed certificate, the demo domain and user.
    pub fn embedded(data_dir: PathBuf) -> Self {
        let local = |port| vec![SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)];
        Self {
            hostname: "localhost".to_owned(),
            data_dir,
            domains: vec![DEMO_DOMAIN.to_owned()],
            demo: true,
            listen: Listen {
                smtp: local(2525),
                submission: local(2587),
                submissions: local(2465),
                imap: local(2143),
                imaps: local(2993),
                pop3: local(2110),
                pop3s: local(2995),
                admin: local(2080),
            },
            tls: None,
            trusted_networks: Vec::new(),
            limits: Limits::default(),
            submission: SubmissionPolicy::default(),
            inbound: InboundPolicy::default(),
            dkim: DkimPolicy::default(),
            dns: DnsSettings::default(),
            queue: QueueSettings::default(),
            admin: AdminSettings {
                token: None,
                users: Vec::new(),
                tls: false,
            },
            store: StoreBackend::Maildir,
            log: LogSettings {
                filter: "info".to_owned(),
            },
        }
    }

    /// Reads and checks a TOML file; `data_dir` (from `--data`) overrides the file's.
    ///
    /// # Errors
    /// [`ConfigError`] naming the key and the problem.
    pub fn load(path: &Path, data_dir: Option<PathBuf>) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut config = Self::parse(&text).map_err(|e| match e {
            ConfigError::Syntax { message, .. } => ConfigError::Syntax {
                path: path.to_owned(),
                message,
            },
            other => other,
        })?;
        if let Some(dir) = data_dir {
            config.data_dir = dir;
        }
        Ok(config)
    }

    /// Checks TOML text (see [`Config::load`]).
    ///
    /// # Errors
    /// [`ConfigError`] naming the key and the problem.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        file::parse(text)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: 25 << 20,
            max_recipients: 100,
            max_connections: 1000,
            max_connections_per_ip: 50,
            max_auth_failures: 5,
        }
    }
}

impl Default for SubmissionPolicy {
    fn default() -> Self {
        Self {
            messages_per_hour: 200,
            recipients_per_hour: 1000,
        }
    }
}

impl Default for InboundPolicy {
    fn default() -> Self {
        Self {
            spf_reject_fail: false,
            dmarc_reject: true,
            quarantine_mailbox: "Junk".to_owned(),
        }
    }
}

impl Default for DkimPolicy {
    fn default() -> Self {
        Self {
            algorithms: vec![DkimAlgorithm::Rsa, DkimAlgorithm::Ed25519],
        }
    }
}

impl Default for DnsSettings {
    fn default() -> Self {
        Self {
            servers: Vec::new(),
            timeout: Duration::from_secs(5),
        }
    }
}

impl Default for QueueSettings {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(60 * m);
        Self {
            mx_port: 25,
            retry: vec![
                minutes(1),
                minutes(5),
                minutes(15),
                minutes(60),
                minutes(240),
            ],
            max_lifetime: Duration::from_secs(5 * 86_400),
            delay_warning: Some(Duration::from_secs(4 * 3600)),
            max_connections_per_site: 5,
            routes: Vec::new(),
        }
    }
}
