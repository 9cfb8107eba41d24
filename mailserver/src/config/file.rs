//! The TOML file as written, and its checking into a [`Config`].
//!
//! Every table refuses unknown keys (a typo stops start-up instead of being ignored);
//! every value is checked and a bad one is reported with its dotted key.

use std::net::SocketAddr;
use std::path::PathBuf;

use ipnet::IpNet;
use serde::Deserialize;

use super::{
    AdminSettings, Config, ConfigError, DkimAlgorithm, DkimPolicy, DnsSettings, InboundPolicy,
    Limits, Listen, LogSettings, QueueSettings, RouteRule, RouteTarget, StoreBackend,
    SubmissionPolicy, TlsFiles, value,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    hostname: String,
    #[serde(default)]
    data_dir: Option<PathBuf>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    trusted_networks: Vec<String>,
    #[serde(default)]
    listen: FileListen,
    #[serde(default)]
    tls: Option<FileTls>,
    #[serde(default)]
    limits: FileLimits,
    #[serde(default)]
    submission: FileSubmission,
    #[serde(default)]
    inbound: FileInbound,
    #[serde(default)]
    dkim: FileDkim,
    #[serde(default)]
    dns: FileDns,
    #[serde(default)]
    queue: FileQueue,
    #[serde(default)]
    admin: FileAdmin,
    #[serde(default)]
    log: FileLog,
    #[serde(default)]
    store: FileStore,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileListen {
    #[serde(default)]
    smtp: Vec<String>,
    #[serde(default)]
    submission: Vec<String>,
    #[serde(default)]
    submissions: Vec<String>,
    #[serde(default)]
    imap: Vec<String>,
    #[serde(default)]
    imaps: Vec<String>,
    #[serde(default)]
    pop3: Vec<String>,
    #[serde(default)]
    pop3s: Vec<String>,
    #[serde(default)]
    admin: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTls {
    cert: PathBuf,
    key: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    max_message_size: Option<String>,
    max_recipients: Option<i64>,
    max_connections: Option<i64>,
    max_connections_per_ip: Option<i64>,
    max_auth_failures: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSubmission {
    messages_per_hour: Option<i64>,
    recipients_per_hour: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileInbound {
    spf_reject_fail: Option<bool>,
    dmarc_reject: Option<bool>,
    quarantine_mailbox: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDkim {
    algorithms: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDns {
    #[serde(default)]
    servers: Vec<String>,
    timeout: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileQueue {
    mx_port: Option<i64>,
    retry: Option<Vec<String>>,
    max_lifetime: Option<String>,
    delay_warning: Option<String>,
    max_connections_per_site: Option<i64>,
    #[serde(default)]
    route: Vec<FileRoute>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRoute {
    name: Option<String>,
    domain: String,
    relay: Option<String>,
    port: Option<i64>,
    #[serde(default)]
    tls_required: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAdmin {
    token: Option<String>,
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    tls: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLog {
    level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStore {
    backend: Option<String>,
}

/// Reads and checks TOML text.
pub(super) fn parse(text: &str) -> Result<Config, ConfigError> {
    let file: File = toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: PathBuf::new(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    file.check()
}

fn addresses(key: &str, list: &[String]) -> Result<Vec<SocketAddr>, ConfigError> {
    list.iter()
        .enumerate()
        .map(|(i, text)| {
            value::socket_addr(text).map_err(|p| ConfigError::invalid(format!("{key}[{i}]"), p))
        })
        .collect()
}

fn count<T: TryFrom<i64>>(
    key: &str,
    value: Option<i64>,
    default: T,
    min: i64,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) if v < min => Err(ConfigError::invalid(
            key,
            format!("must be at least {min}, got {v}"),
        )),
        Some(v) => T::try_from(v).map_err(|_| ConfigError::invalid(key, format!("too large: {v}"))),
    }
}

fn duration(key: &str, text: &str) -> Result<std::time::Duration, ConfigError> {
    value::duration(text).map_err(|p| ConfigError::invalid(key, p))
}

/// A host name or domain: dot-separated labels of letters, digits and hyphens.
pub(crate) fn check_domain(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(format!("not a valid domain name: {name:?}"))
    }
}

impl File {
    fn check(self) -> Result<Config, ConfigError> {
        check_domain(&self.hostname).map_err(|p| ConfigError::invalid("hostname", p))?;
        let mut domains = Vec::new();
        for (i, domain) in self.domains.iter().enumerate() {
            let domain = domain.to_ascii_lowercase();
            check_domain(&domain).map_err(|p| ConfigError::invalid(format!("domains[{i}]"), p))?;
            domains.push(domain);
        }
        let trusted_networks = self
            .trusted_networks
            .iter()
            .enumerate()
            .map(|(i, text)| {
                text.parse::<IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        ConfigError::invalid(
                            format!("trusted_networks[{i}]"),
                            format!("not an IP range (like \"192.0.2.0/24\"): {text:?}"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        let l = &self.listen;
        let listen = Listen {
            smtp: addresses("listen.smtp", &l.smtp)?,
            submission: addresses("listen.submission", &l.submission)?,
            submissions: addresses("listen.submissions", &l.submissions)?,
            imap: addresses("listen.imap", &l.imap)?,
            imaps: addresses("listen.imaps", &l.imaps)?,
            pop3: addresses("listen.pop3", &l.pop3)?,
            pop3s: addresses("listen.pop3s", &l.pop3s)?,
            admin: addresses("listen.admin", &l.admin)?,
        };
        let tls = match self.tls {
            Some(t) => {
                for (key, path) in [("tls.cert", &t.cert), ("tls.key", &t.key)] {
                    if !path.is_file() {
                        return Err(ConfigError::invalid(
                            key,
                            format!("no such file: {}", path.display()),
                        ));
                    }
                }
                Some(TlsFiles {
                    cert: t.cert,
                    key: t.key,
                })
            }
            None => None,
        };
        let defaults = Limits::default();
        let limits = Limits {
            max_message_size: match &self.limits.max_message_size {
                Some(text) => value::size(text)
                    .map_err(|p| ConfigError::invalid("limits.max_message_size", p))?,
                None => defaults.max_message_size,
            },
            max_recipients: count(
                "limits.max_recipients",
                self.limits.max_recipients,
                defaults.max_recipients,
                1,
            )?,
            max_connections: count(
                "limits.max_connections",
                self.limits.max_connections,
                defaults.max_connections,
                1,
            )?,
            max_connections_per_ip: count(
                "limits.max_connections_per_ip",
                self.limits.max_connections_per_ip,
                defaults.max_connections_per_ip,
                1,
            )?,
            max_auth_failures: count(
                "limits.max_auth_failures",
                self.limits.max_auth_failures,
                defaults.max_auth_failures,
                1,
            )?,
        };
        let defaults = SubmissionPolicy::default();
        let submission = SubmissionPolicy {
            messages_per_hour: count(
                "submission.messages_per_hour",
                self.submission.messages_per_hour,
                defaults.messages_per_hour,
                1,
            )?,
            recipients_per_hour: count(
                "submission.recipients_per_hour",
                self.submission.recipients_per_hour,
                defaults.recipients_per_hour,
                1,
            )?,
        };
        let defaults = InboundPolicy::default();
        let inbound = InboundPolicy {
            spf_reject_fail: self
                .inbound
                .spf_reject_fail
                .unwrap_or(defaults.spf_reject_fail),
            dmarc_reject: self.inbound.dmarc_reject.unwrap_or(defaults.dmarc_reject),
            quarantine_mailbox: match self.inbound.quarantine_mailbox {
                Some(name) => {
                    mailwright_store::MailboxName::try_from(name.as_str()).map_err(|e| {
                        ConfigError::invalid("inbound.quarantine_mailbox", e.to_string())
                    })?;
                    name
                }
                None => defaults.quarantine_mailbox,
            },
        };
        let dkim = match self.dkim.algorithms {
            None => DkimPolicy::default(),
            Some(names) => {
                let mut algorithms = Vec::new();
                for (i, name) in names.iter().enumerate() {
                    let algorithm = match name.as_str() {
                        "rsa" => DkimAlgorithm::Rsa,
                        "ed25519" => DkimAlgorithm::Ed25519,
                        other => {
                            return Err(ConfigError::invalid(
                                format!("dkim.algorithms[{i}]"),
                                format!("unknown algorithm {other:?} (use \"rsa\" or \"ed25519\")"),
                            ));
                        }
                    };
                    if !algorithms.contains(&algorithm) {
                        algorithms.push(algorithm);
                    }
                }
                DkimPolicy { algorithms }
            }
        };
        let dns = DnsSettings {
            servers: addresses("dns.servers", &self.dns.servers)?,
            timeout: match &self.dns.timeout {
                Some(text) => duration("dns.timeout", text)?,
                None => DnsSettings::default().timeout,
            },
        };
        let queue = self.queue.check()?;
        if let Some(token) = &self.admin.token
            && token.len() < 16
        {
            return Err(ConfigError::invalid(
                "admin.token",
                "must be at least 16 characters",
            ));
        }
        let admin_users = self
            .admin
            .users
            .iter()
            .enumerate()
            .map(|(i, address)| {
                let address = address.trim().to_ascii_lowercase();
                match address.split_once('@') {
                    Some((local, domain)) if !local.is_empty() && !domain.is_empty() => Ok(address),
                    _ => Err(ConfigError::invalid(
                        format!("admin.users[{i}]"),
                        format!("not an address: {address:?}"),
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let filter = self.log.level.unwrap_or_else(|| "info".to_owned());
        tracing_subscriber::EnvFilter::try_new(&filter)
            .map_err(|e| ConfigError::invalid("log.level", e.to_string()))?;
        Ok(Config {
            hostname: self.hostname.to_ascii_lowercase(),
            data_dir: self.data_dir.unwrap_or_else(|| PathBuf::from("data")),
            domains,
            demo: false,
            listen,
            tls,
            trusted_networks,
            limits,
            submission,
            inbound,
            dkim,
            dns,
            queue,
            admin: AdminSettings {
                token: self.admin.token,
                users: admin_users,
                tls: self.admin.tls,
            },
            store: match self.store.backend.as_deref() {
                None | Some("maildir") => StoreBackend::Maildir,
                Some("memory") => StoreBackend::Memory,
                Some(other) => {
                    return Err(ConfigError::invalid(
                        "store.backend",
                        format!("{other:?}: one of \"maildir\", \"memory\""),
                    ));
                }
            },
            log: LogSettings { filter },
        })
    }
}

impl FileQueue {
    fn check(self) -> Result<QueueSettings, ConfigError> {
        let defaults = QueueSettings::default();
        let retry = match self.retry {
            None => defaults.retry,
            Some(list) if list.is_empty() => {
                return Err(ConfigError::invalid(
                    "queue.retry",
                    "needs at least one delay",
                ));
            }
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, text)| duration(&format!("queue.retry[{i}]"), text))
                .collect::<Result<_, _>>()?,
        };
        let mut routes = Vec::new();
        for (i, route) in self.route.into_iter().enumerate() {
            let key = |k: &str| format!("queue.route[{i}].{k}");
            let domain = route.domain.parse().map_err(|_| {
                ConfigError::invalid(
                    key("domain"),
                    format!(
                        "not a domain pattern (\"example.net\", \".example.net\" or \"*\"): {:?}",
                        route.domain
                    ),
                )
            })?;
            let port = route
                .port
                .map(|p| {
                    u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
                        ConfigError::invalid(key("port"), format!("not a port: {p}"))
                    })
                })
                .transpose()?;
            let target = match route.relay {
                Some(relay) => {
                    let (host, relay_port) = match relay.rsplit_once(':') {
                        Some((host, p)) => (
                            host.trim_start_matches('[')
                                .trim_end_matches(']')
                                .to_owned(),
                            p.parse::<u16>().map_err(|_| {
                                ConfigError::invalid(
                                    key("relay"),
                                    format!("not host:port: {relay:?}"),
                                )
                            })?,
                        ),
                        None => (relay.clone(), 25),
                    };
                    if port.is_some() {
                        return Err(ConfigError::invalid(
                            key("port"),
                            "give the port in `relay` (host:port), not both",
                        ));
                    }
                    RouteTarget::Relay {
                        host,
                        port: relay_port,
                        tls_required: route.tls_required,
                    }
                }
                None => RouteTarget::Mx {
                    port: port.unwrap_or(25),
                },
            };
            routes.push(RouteRule {
                name: route.name.unwrap_or_else(|| format!("route{i}")),
                domain,
                target,
            });
        }
        Ok(QueueSettings {
            mx_port: self
                .mx_port
                .map(|p| {
                    u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
                        ConfigError::invalid("queue.mx_port", format!("not a port: {p}"))
                    })
                })
                .transpose()?
                .unwrap_or(defaults.mx_port),
            retry,
            max_lifetime: match &self.max_lifetime {
                Some(text) => duration("queue.max_lifetime", text)?,
                None => defaults.max_lifetime,
            },
            delay_warning: match self.delay_warning.as_deref() {
                Some("never") => None,
                Some(text) => Some(duration("queue.delay_warning", text)?),
                None => defaults.delay_warning,
            },
            max_connections_per_site: count(
                "queue.max_connections_per_site",
                self.max_connections_per_site,
                defaults.max_connections_per_site,
                1,
            )?,
            routes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn the_example_file_is_valid() {
        let text = include_str!("../../mailserver.example.toml");
        // The example names certificate files that do not exist here.
        let text = text.replace("[tls]\n", "[unused_tls]\n");
        let without_tls: String = text
            .lines()
            .filter(|l| {
                !l.starts_with("[unused_tls]")
                    && !l.starts_with("cert =")
                    && !l.starts_with("key =")
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let config = parse(&without_tls).unwrap();
        assert_eq!(config.hostname, "mail.example.org");
        assert_eq!(config.listen.smtp.len(), 2);
        assert_eq!(config.queue.routes.len(), 1);
    }

    #[test]
    fn minimal_file_takes_defaults() {
        let config = parse("hostname = \"mx.example.org\"\n").unwrap();
        assert!(config.listen.smtp.is_empty());
        assert_eq!(config.limits.max_message_size, 25 << 20);
        assert_eq!(
            config.dkim.algorithms,
            [DkimAlgorithm::Rsa, DkimAlgorithm::Ed25519]
        );
        assert!(!config.demo);
        assert_eq!(config.store, StoreBackend::Maildir);
        let memory = parse("hostname = \"mx\"\n[store]\nbackend = \"memory\"\n").unwrap();
        assert_eq!(memory.store, StoreBackend::Memory);
    }

    #[test]
    fn errors_name_the_key_and_problem() {
        let cases = [
            (
                "hostname = \"mx\"\n[listen]\nsmtp = [\"127.0.0.1:25\", \"nonsense\"]\n",
                "listen.smtp[1]",
            ),
            (
                "hostname = \"mx\"\n[limits]\nmax_message_size = \"25 parsecs\"\n",
                "limits.max_message_size",
            ),
            (
                "hostname = \"mx\"\n[limits]\nmax_recipients = 0\n",
                "limits.max_recipients",
            ),
            (
                "hostname = \"mx\"\ntrusted_networks = [\"10.0.0.0/33\"]\n",
                "trusted_networks[0]",
            ),
            (
                "hostname = \"mx\"\n[queue]\nretry = [\"1m\", \"soon\"]\n",
                "queue.retry[1]",
            ),
            (
                "hostname = \"mx\"\n[queue]\nmx_port = 70000\n",
                "queue.mx_port",
            ),
            (
                "hostname = \"mx\"\n[store]\nbackend = \"postgres\"\n",
                "store.backend",
            ),
            (
                "hostname = \"mx\"\n[[queue.route]]\ndomain = \"a b\"\n",
                "queue.route[0].domain",
            ),
            (
                "hostname = \"mx\"\n[dkim]\nalgorithms = [\"dsa\"]\n",
                "dkim.algorithms[0]",
            ),
            (
                "hostname = \"mx\"\n[tls]\ncert = \"/nonexistent.pem\"\nkey = \"/nonexistent.key\"\n",
                "tls.cert",
            ),
            ("hostname = \"bad name!\"\n", "hostname"),
            (
                "hostname = \"mx\"\n[admin]\ntoken = \"short\"\n",
                "admin.token",
            ),
        ];
        for (text, key) in cases {
            let message = error(text);
            assert!(message.contains(&format!("`{key}`")), "{key}: {message}");
        }
        // The TOML reader names unknown keys and wrong types.
        let message = error("hostname = \"mx\"\n[limits]\nmax_recipent = 5\n");
        assert!(message.contains("max_recipent"), "{message}");
        let message = error("hostname = \"mx\"\n[limits]\nmax_recipients = \"many\"\n");
        assert!(message.contains("max_recipients"), "{message}");
        let message = error("[listen]\n");
        assert!(message.contains("hostname"), "{message}");
    }
}
