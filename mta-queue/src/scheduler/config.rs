//! [`SchedulerConfig`]: named queues, limits, throttles, backoff.

use std::time::Duration;

use crate::envelope::Envelope;
use crate::retry::QueueConfig;
use crate::throttle::{Limits, Throttle};

/// The scheduler's configuration.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// Named queues; a queue named in a route but missing here behaves as
    /// `QueueConfig::new(name)`.
    pub queues: Vec<QueueConfig>,
    /// Limits of a site no [`Throttle`] matches.
    pub site_limits: Limits,
    /// Limits for sites matching patterns, first match wins.
    pub throttles: Vec<Throttle>,
    /// Limits for the whole queue (connections and rate are used).
    pub global: Limits,
    /// How long a site is avoided after its 1st, 2nd, ... consecutive failure (421,
    /// 4xx greeting, unreachable); the last repeats.
    pub site_backoff: Vec<Duration>,
    /// How long a temporary DNS failure is remembered.
    pub dns_failure_ttl: Duration,
    /// The named queue DSNs go into.
    pub dsn_queue: String,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            queues: vec![QueueConfig::new(Envelope::DEFAULT_QUEUE)],
            site_limits: Limits::default(),
            throttles: Vec::new(),
            global: Limits::unlimited().connections(500),
            site_backoff: vec![
                Duration::from_secs(60),
                Duration::from_secs(300),
                Duration::from_secs(900),
            ],
            dns_failure_ttl: Duration::from_secs(60),
            dsn_queue: "bounces".to_owned(),
        }
    }
}

impl SchedulerConfig {
    /// Adds or replaces a named queue.
    pub fn queue(mut self, queue: QueueConfig) -> Self {
        self.queues.retain(|q| q.name != queue.name);
        self.queues.push(queue);
        self
    }

    /// Sets the limits of sites no throttle matches.
    pub fn site_limits(mut self, limits: Limits) -> Self {
        self.site_limits = limits;
        self
    }

    /// Adds a throttle (tried in the order added).
    pub fn throttle(mut self, throttle: Throttle) -> Self {
        self.throttles.push(throttle);
        self
    }

    /// Sets the global limits (connections and rate).
    pub fn global(mut self, limits: Limits) -> Self {
        self.global = limits;
        self
    }

    /// Sets the site backoff schedule.
    pub fn site_backoff(mut self, schedule: Vec<Duration>) -> Self {
        self.site_backoff = schedule;
        self
    }

    /// Sets how long a temporary DNS failure is remembered.
    pub fn dns_failure_ttl(mut self, ttl: Duration) -> Self {
        self.dns_failure_ttl = ttl;
        self
    }

    /// Sets the named queue DSNs go into.
    pub fn dsn_queue(mut self, queue: impl Into<String>) -> Self {
        self.dsn_queue = queue.into();
        self
    }
}
