//! Throttling: [`Limits`] per site, per queue and for the whole queue, and the
//! [`TokenBucket`] that enforces a [`Rate`].

use std::time::Duration;

use crate::route::DomainPattern;
use crate::time::Timestamp;

/// A rate: `messages` per `per`, with bursts of up to `burst` messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Messages allowed per window.
    pub messages: u32,
    /// The window.
    pub per: Duration,
    /// How many messages may go at once after a quiet time (the bucket's size).
    pub burst: u32,
}

impl Rate {
    /// `messages` per `per`, bursts of up to `messages`.
    pub fn new(messages: u32, per: Duration) -> Self {
        Self {
            messages: messages.max(1),
            per,
            burst: messages.max(1),
        }
    }

    /// `messages` per second.
    pub fn per_second(messages: u32) -> Self {
        Self::new(messages, Duration::from_secs(1))
    }

    /// Sets the burst size (at least 1).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }
}

/// A token bucket: one token per message, refilled at [`Rate`].
///
/// Integer arithmetic without rounding loss: each millisecond adds `messages` units
/// and a token is `per` (in milliseconds) units.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    rate: Rate,
    units: u128,
    last: Timestamp,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: Rate, now: Timestamp) -> Self {
        let mut bucket = Self {
            rate,
            units: 0,
            last: now,
        };
        bucket.units = bucket.cap();
        bucket
    }

    /// The rate.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    fn token(&self) -> u128 {
        self.rate.per.as_millis().max(1)
    }

    fn cap(&self) -> u128 {
        u128::from(self.rate.burst) * self.token()
    }

    fn refill(&mut self, now: Timestamp) {
        if now <= self.last {
            return;
        }
        let elapsed = u128::from(now.as_millis() - self.last.as_millis());
        self.units = (self.units + elapsed * u128::from(self.rate.messages)).min(self.cap());
        self.last = now;
    }

    /// Whether a token is there at `now` (without taking it); `Err` holds when one
    /// will be.
    pub fn check(&mut self, now: Timestamp) -> Result<(), Timestamp> {
        self.refill(now);
        let token = self.token();
        if self.units >= token {
            return Ok(());
        }
        let wait_ms = (token - self.units).div_ceil(u128::from(self.rate.messages));
        Err(now.saturating_add(Duration::from_millis(
            u64::try_from(wait_ms).unwrap_or(u64::MAX),
        )))
    }

    /// Takes a token if one is there; `Err` holds when one will be.
    pub fn take(&mut self, now: Timestamp) -> Result<(), Timestamp> {
        self.check(now)?;
        self.units -= self.token();
        Ok(())
    }
}

/// Limits for one site (a receiving provider), or for the whole queue.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Concurrent connections; `None` for no limit.
    pub max_connections: Option<u32>,
    /// Messages sent over one connection before it is closed (RSET between them).
    pub max_messages_per_connection: u32,
    /// Recipients in one transaction (RFC 5321 §4.5.3.1.8 requires servers to take
    /// at least 100).
    pub max_recipients_per_transaction: u32,
    /// Messages per time window.
    pub rate: Option<Rate>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: Some(20),
            max_messages_per_connection: 100,
            max_recipients_per_transaction: 100,
            rate: None,
        }
    }
}

impl Limits {
    /// No limits at all (the global default).
    pub fn unlimited() -> Self {
        Self {
            max_connections: None,
            max_messages_per_connection: u32::MAX,
            max_recipients_per_transaction: u32::MAX,
            rate: None,
        }
    }

    /// Sets the connection limit.
    pub fn connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max);
        self
    }

    /// Sets the messages-per-connection limit.
    pub fn messages_per_connection(mut self, max: u32) -> Self {
        self.max_messages_per_connection = max.max(1);
        self
    }

    /// Sets the recipients-per-transaction limit.
    pub fn recipients_per_transaction(mut self, max: u32) -> Self {
        self.max_recipients_per_transaction = max.max(1);
        self
    }

    /// Sets the rate.
    pub fn rate(mut self, rate: Rate) -> Self {
        self.rate = Some(rate);
        self
    }
}

/// Limits for the sites whose hosts match a pattern: a [`Limits`] for a provider,
/// e.g. every site with an MX under `.mail.provider.example`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// Matched against every MX host name (or relay / LMTP host) of a site, and
    /// against the recipient domain that led to it.
    pub pattern: DomainPattern,
    /// The limits.
    pub limits: Limits,
}

impl Throttle {
    /// Limits for sites matching `pattern`.
    pub fn new(pattern: DomainPattern, limits: Limits) -> Self {
        Self { pattern, limits }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn bucket_allows_burst_then_rate() {
        let mut bucket = TokenBucket::new(Rate::per_second(10).with_burst(2), at(0));
        assert!(bucket.take(at(0)).is_ok());
        assert!(bucket.take(at(0)).is_ok());
        assert_eq!(bucket.take(at(0)), Err(at(100)));
        assert_eq!(bucket.take(at(50)), Err(at(100)));
        assert!(bucket.take(at(100)).is_ok());
        // Never more than burst after a long pause.
        assert!(bucket.take(at(10_000)).is_ok());
        assert!(bucket.take(at(10_000)).is_ok());
        assert!(bucket.take(at(10_000)).is_err());
    }

    #[test]
    fn bucket_over_a_long_run_stays_under_rate() {
        let mut bucket =
            TokenBucket::new(Rate::new(3, Duration::from_secs(2)).with_burst(1), at(0));
        let mut taken = 0;
        let mut now = 0;
        while now < 60_000 {
            match bucket.take(at(now)) {
                Ok(()) => taken += 1,
                Err(next) => assert!(next > at(now)),
            }
            now += 7;
        }
        // 3 per 2 s over 60 s is 90, plus the initial token.
        assert!(taken <= 91, "{taken}");
        assert!(taken >= 89, "{taken}");
    }

    #[test]
    fn time_going_backwards_does_not_refill() {
        let mut bucket = TokenBucket::new(Rate::per_second(1).with_burst(1), at(5000));
        assert!(bucket.take(at(5000)).is_ok());
        assert!(bucket.take(at(1000)).is_err());
        assert!(bucket.take(at(5999)).is_err());
        assert!(bucket.take(at(6000)).is_ok());
    }
}
