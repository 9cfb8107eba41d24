//! Counters for the Prometheus endpoint (`GET /metrics` on the admin listener) and
//! the admin status page, and the recent history the web dashboard draws
//! ([`history`]: per-minute counts over 24 hours, the last errors).

pub mod history;

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use history::{Flow, FlowCounts, History, RecentError, RecentErrors};

/// A service that counts its connections and logins separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// SMTP from other servers.
    Smtp,
    /// Submission (587 and 465).
    Submission,
    /// IMAP (143 and 993).
    Imap,
    /// POP3 (110 and 995).
    Pop3,
}

impl Service {
    const ALL: [Self; 4] = [Self::Smtp, Self::Submission, Self::Imap, Self::Pop3];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Smtp => "smtp",
            Self::Submission => "submission",
            Self::Imap => "imap",
            Self::Pop3 => "pop3",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Why a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Unknown local recipient.
    UnknownUser,
    /// Relaying denied.
    Relay,
    /// DMARC policy reject.
    Dmarc,
    /// SPF fail (when configured to refuse).
    Spf,
    /// Sender not owned by the authenticated user.
    Sender,
    /// Submission rate limit.
    RateLimit,
    /// Over quota or too large.
    Size,
    /// Anything else (temporary failures included).
    Other,
}

impl Rejection {
    const ALL: [Self; 8] = [
        Self::UnknownUser,
        Self::Relay,
        Self::Dmarc,
        Self::Spf,
        Self::Sender,
        Self::RateLimit,
        Self::Size,
        Self::Other,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown_user",
            Self::Relay => "relay",
            Self::Dmarc => "dmarc",
            Self::Spf => "spf",
            Self::Sender => "sender",
            Self::RateLimit => "rate_limit",
            Self::Size => "size",
            Self::Other => "other",
        }
    }
}

/// The server's counters. Shared by reference; the counters are lock-free, the
/// per-minute history takes a short lock.
#[derive(Debug, Default)]
pub struct Metrics {
    history: History,
    errors: RecentErrors,
    connections: [AtomicU64; 4],
    active: [AtomicI64; 4],
    logins: [AtomicU64; 4],
    auth_failures: [AtomicU64; 4],
    accepted: [AtomicU64; 4],
    rejected: [AtomicU64; 8],
    delivered_local: AtomicU64,
    delivered_remote: AtomicU64,
    deferred: AtomicU64,
    bounced: AtomicU64,
    queue_size: AtomicI64,
}

/// Decrements the active-connection gauge when dropped.
#[derive(Debug)]
pub struct ActiveConnection<'m> {
    metrics: &'m Metrics,
    service: Service,
}

impl Drop for ActiveConnection<'_> {
    fn drop(&mut self) {
        self.metrics.active[self.service.index()].fetch_sub(1, Ordering::Relaxed);
    }
}

/// The wall clock in seconds since the epoch: the history is kept in real minutes,
/// so the dashboard can label them.
fn unix_now() -> u64 {
    u64::try_from(crate::headers::unix_now()).unwrap_or(0)
}

impl Metrics {
    /// A connection opened; the gauge goes down when the guard drops.
    pub fn connection(&self, service: Service) -> ActiveConnection<'_> {
        self.connections[service.index()].fetch_add(1, Ordering::Relaxed);
        self.active[service.index()].fetch_add(1, Ordering::Relaxed);
        ActiveConnection {
            metrics: self,
            service,
        }
    }

    /// A connection opened, for a driver that cannot hold an [`ActiveConnection`];
    /// MUST be paired with [`Metrics::closed`].
    pub fn opened(&self, service: Service) {
        self.connections[service.index()].fetch_add(1, Ordering::Relaxed);
        self.active[service.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// A connection counted with [`Metrics::opened`] closed.
    pub fn closed(&self, service: Service) {
        self.active[service.index()].fetch_sub(1, Ordering::Relaxed);
    }

    /// A successful login.
    pub fn login(&self, service: Service) {
        self.logins[service.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// A failed login.
    pub fn auth_failure(&self, service: Service) {
        self.auth_failures[service.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// A message accepted (250 after DATA).
    pub fn accepted(&self, service: Service) {
        self.accepted[service.index()].fetch_add(1, Ordering::Relaxed);
        self.history.record(Flow::Accepted, unix_now() / 60, 1);
    }

    /// A message or recipient refused.
    pub fn rejected(&self, why: Rejection) {
        self.rejected[why as usize].fetch_add(1, Ordering::Relaxed);
        self.history.record(Flow::Rejected, unix_now() / 60, 1);
    }

    /// A message stored in a local mailbox (per recipient).
    pub fn delivered_local(&self, n: u64) {
        self.delivered_local.fetch_add(n, Ordering::Relaxed);
        self.history.record(Flow::Delivered, unix_now() / 60, n);
    }

    /// A remote recipient delivered by the queue.
    pub fn delivered_remote(&self) {
        self.delivered_remote.fetch_add(1, Ordering::Relaxed);
        self.history.record(Flow::Delivered, unix_now() / 60, 1);
    }

    /// A delivery attempt deferred, with the reason for the dashboard.
    pub fn deferred(&self, reason: &str) {
        self.deferred.fetch_add(1, Ordering::Relaxed);
        let now = unix_now();
        self.history.record(Flow::Deferred, now / 60, 1);
        self.errors.push(now, "deferred", reason);
    }

    /// A recipient bounced, with the reason for the dashboard.
    pub fn bounced(&self, reason: &str) {
        self.bounced.fetch_add(1, Ordering::Relaxed);
        let now = unix_now();
        self.history.record(Flow::Bounced, now / 60, 1);
        self.errors.push(now, "bounced", reason);
    }

    /// The flow over the last `minutes` minutes (up to 24 hours).
    pub fn flow_totals(&self, minutes: u64) -> FlowCounts {
        self.history.totals(unix_now() / 60, minutes)
    }

    /// The flow over the last `minutes` minutes in groups of `group` minutes, oldest
    /// first, and the unix minute the last group ends with.
    pub fn flow_series(&self, minutes: u64, group: u64) -> (Vec<FlowCounts>, u64) {
        let now = unix_now() / 60;
        (self.history.grouped(now, minutes, group), now)
    }

    /// The last delivery errors, newest first.
    pub fn recent_errors(&self) -> Vec<RecentError> {
        self.errors.newest_first()
    }

    /// Connections open now, per service.
    pub fn active_connections(&self) -> Vec<(&'static str, i64)> {
        Service::ALL
            .iter()
            .map(|s| (s.as_str(), self.active[s.index()].load(Ordering::Relaxed)))
            .collect()
    }

    /// The queue size last set.
    pub fn queue_size(&self) -> i64 {
        self.queue_size.load(Ordering::Relaxed)
    }

    /// Sets the number of messages in the queue.
    pub fn set_queue_size(&self, n: usize) {
        self.queue_size
            .store(i64::try_from(n).unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    /// The counters as JSON-friendly pairs, for the status API.
    pub fn snapshot(&self) -> serde_json::Value {
        let per_service = |counters: &[AtomicU64; 4]| {
            Service::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_owned(),
                        counters[s.index()].load(Ordering::Relaxed).into(),
                    )
                })
                .collect::<serde_json::Map<String, serde_json::Value>>()
        };
        serde_json::json!({
            "connections": per_service(&self.connections),
            "logins": per_service(&self.logins),
            "auth_failures": per_service(&self.auth_failures),
            "accepted": per_service(&self.accepted),
            "rejected": Rejection::ALL.iter().map(|r| (r.as_str().to_owned(), self.rejected[*r as usize].load(Ordering::Relaxed).into())).collect::<serde_json::Map<String, serde_json::Value>>(),
            "delivered_local": self.delivered_local.load(Ordering::Relaxed),
            "delivered_remote": self.delivered_remote.load(Ordering::Relaxed),
            "deferred": self.deferred.load(Ordering::Relaxed),
            "bounced": self.bounced.load(Ordering::Relaxed),
            "queue_size": self.queue_size.load(Ordering::Relaxed),
        })
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, values: &[(String, i64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in values {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let load = |c: &AtomicU64| i64::try_from(c.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
        let services = |counters: &[AtomicU64; 4]| -> Vec<(String, i64)> {
            Service::ALL
                .iter()
                .map(|s| {
                    (
                        format!("{{service=\"{}\"}}", s.as_str()),
                        load(&counters[s.index()]),
                    )
                })
                .collect()
        };
        family(
            "mailserver_connections_total",
            "counter",
            "Connections accepted.",
            &services(&self.connections),
        );
        let active: Vec<(String, i64)> = Service::ALL
            .iter()
            .map(|s| {
                (
                    format!("{{service=\"{}\"}}", s.as_str()),
                    self.active[s.index()].load(Ordering::Relaxed),
                )
            })
            .collect();
        family(
            "mailserver_connections_active",
            "gauge",
            "Connections open now.",
            &active,
        );
        family(
            "mailserver_logins_total",
            "counter",
            "Successful logins.",
            &services(&self.logins),
        );
        family(
            "mailserver_auth_failures_total",
            "counter",
            "Failed logins.",
            &services(&self.auth_failures),
        );
        family(
            "mailserver_messages_accepted_total",
            "counter",
            "Messages accepted with 250.",
            &services(&self.accepted),
        );
        let rejected: Vec<(String, i64)> = Rejection::ALL
            .iter()
            .map(|r| {
                (
                    format!("{{reason=\"{}\"}}", r.as_str()),
                    load(&self.rejected[*r as usize]),
                )
            })
            .collect();
        family(
            "mailserver_messages_rejected_total",
            "counter",
            "Messages or recipients refused.",
            &rejected,
        );
        family(
            "mailserver_messages_delivered_total",
            "counter",
            "Recipients delivered.",
            &[
                (
                    "{destination=\"local\"}".to_owned(),
                    load(&self.delivered_local),
                ),
                (
                    "{destination=\"remote\"}".to_owned(),
                    load(&self.delivered_remote),
                ),
            ],
        );
        family(
            "mailserver_messages_deferred_total",
            "counter",
            "Delivery attempts deferred.",
            &[(String::new(), load(&self.deferred))],
        );
        family(
            "mailserver_messages_bounced_total",
            "counter",
            "Recipients bounced.",
            &[(String::new(), load(&self.bounced))],
        );
        family(
            "mailserver_queue_size",
            "gauge",
            "Messages in the outbound queue.",
            &[(String::new(), self.queue_size.load(Ordering::Relaxed))],
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let metrics = Metrics::default();
        {
            let _open = metrics.connection(Service::Imap);
            metrics.login(Service::Imap);
            metrics.rejected(Rejection::Relay);
            assert!(
                metrics
                    .render()
                    .contains("mailserver_connections_active{service=\"imap\"} 1")
            );
        }
        let text = metrics.render();
        assert!(text.contains("# TYPE mailserver_connections_total counter"));
        assert!(text.contains("mailserver_connections_total{service=\"imap\"} 1"));
        assert!(text.contains("mailserver_connections_active{service=\"imap\"} 0"));
        assert!(text.contains("mailserver_messages_rejected_total{reason=\"relay\"} 1"));
        assert!(text.contains("mailserver_queue_size 0"));
    }
}
