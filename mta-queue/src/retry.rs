//! When to try again: [`RetryPolicy`] (backoff schedule with jitter, maximum lifetime,
//! delay warning) and the [`QueueConfig`] of a named queue.

use std::time::Duration;

use crate::throttle::Rate;

/// The retry schedule of a queue.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The wait after the first, second, ... failed attempt; the last repeats.
    pub schedule: Vec<Duration>,
    /// Each wait is varied by up to this fraction either way (0.1 = ±10 %), so that
    /// messages deferred together do not come back together.
    pub jitter: f64,
    /// A recipient not delivered this long after enqueue fails (RFC 5321 §4.5.4.1
    /// suggests 4-5 days).
    pub max_lifetime: Duration,
    /// Send a delay notice (DSN action `delayed`) once a recipient has waited this
    /// long; `None` for never.
    pub delay_warning: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(60 * m);
        Self {
            schedule: vec![
                minutes(1),
                minutes(5),
                minutes(15),
                minutes(30),
                minutes(60),
                minutes(120),
                minutes(240),
            ],
            jitter: 0.1,
            max_lifetime: Duration::from_secs(5 * 24 * 3600),
            delay_warning: Some(Duration::from_secs(4 * 3600)),
        }
    }
}

impl RetryPolicy {
    /// The wait before the attempt after `attempts` failed ones, with jitter from `rng`.
    pub fn delay(&self, attempts: u32, rng: &mut fastrand::Rng) -> Duration {
        let index = (attempts.max(1) as usize - 1).min(self.schedule.len().saturating_sub(1));
        let base = self
            .schedule
            .get(index)
            .copied()
            .unwrap_or(Duration::from_secs(300));
        let jitter = self.jitter.clamp(0.0, 1.0);
        if jitter == 0.0 {
            return base;
        }
        let factor = 1.0 + jitter * (rng.f64() * 2.0 - 1.0);
        base.mul_f64(factor.max(0.0))
    }

    /// Sets the schedule.
    pub fn schedule(mut self, schedule: Vec<Duration>) -> Self {
        self.schedule = schedule;
        self
    }

    /// Sets the jitter fraction.
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the maximum lifetime.
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// Sets the delay warning.
    pub fn delay_warning(mut self, after: Option<Duration>) -> Self {
        self.delay_warning = after;
        self
    }
}

/// A named queue: its priority, retry schedule and limits (e.g. `transactional` before
/// `bulk`, `bounces` with a shorter lifetime).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct QueueConfig {
    /// The name routing rules and envelopes refer to.
    pub name: String,
    /// Higher goes first when several messages wait for the same site.
    pub priority: i32,
    /// The retry schedule.
    pub retry: RetryPolicy,
    /// Messages of this queue being delivered at once; `None` for no limit.
    pub max_in_flight: Option<u32>,
    /// Messages of this queue per time window.
    pub rate: Option<Rate>,
}

impl QueueConfig {
    /// A queue with priority 0, the default schedule and no limits.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            priority: 0,
            retry: RetryPolicy::default(),
            max_in_flight: None,
            rate: None,
        }
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the in-flight limit.
    pub fn max_in_flight(mut self, max: u32) -> Self {
        self.max_in_flight = Some(max.max(1));
        self
    }

    /// Sets the rate.
    pub fn rate(mut self, rate: Rate) -> Self {
        self.rate = Some(rate);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_steps_and_repeats_with_bounded_jitter() {
        let policy = RetryPolicy::default()
            .schedule(vec![Duration::from_secs(60), Duration::from_secs(600)])
            .jitter(0.2);
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..200 {
            let first = policy.delay(1, &mut rng).as_secs_f64();
            assert!((48.0..=72.0).contains(&first), "{first}");
            let later = policy.delay(9, &mut rng).as_secs_f64();
            assert!((480.0..=720.0).contains(&later), "{later}");
        }
        let exact = policy.clone().jitter(0.0);
        assert_eq!(exact.delay(0, &mut rng), Duration::from_secs(60));
        assert_eq!(exact.delay(2, &mut rng), Duration::from_secs(600));
        let empty = policy.schedule(Vec::new());
        assert_eq!(
            empty.jitter(0.0).delay(3, &mut rng),
            Duration::from_secs(300)
        );
    }
}
