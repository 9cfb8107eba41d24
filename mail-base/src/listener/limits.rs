//! Connection counts: at most so many at once in total and from one IP address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Connection counts of one server (over all its listeners): at most `total` at
/// once, at most `per_ip` from one address.
///
/// [`take`](Self::take) hands out a [`ConnectionSlot`] that gives its place back when
/// dropped, however the connection ends (an error, a panic, an abort at the end of a
/// shutdown). A panic elsewhere while the counts are locked does not stop the server:
/// every critical section is a counter update that leaves the counts consistent, so a
/// poisoned lock is taken over.
///
/// ```
/// use mailwright_base::listener::ConnectionLimits;
///
/// let limits = ConnectionLimits::new(10, 1);
/// let ip = "192.0.2.1".parse().unwrap();
/// let slot = limits.take(ip).unwrap();
/// assert!(limits.take(ip).is_none(), "one per address");
/// drop(slot);
/// assert!(limits.take(ip).is_some(), "given back");
/// ```
#[derive(Debug)]
pub struct ConnectionLimits {
    total: usize,
    per_ip: usize,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// A connection's place in its server's counts, given back when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    limits: Arc<ConnectionLimits>,
    ip: IpAddr,
}

impl ConnectionLimits {
    /// Limits of `total` connections at once, `per_ip` from one address.
    pub fn new(total: usize, per_ip: usize) -> Arc<Self> {
        Arc::new(Self {
            total,
            per_ip,
            counts: Mutex::default(),
        })
    }

    /// A slot for a connection from `ip`, or `None` when a limit is reached.
    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionSlot> {
        let mut counts = self.lock();
        let from_ip = counts.per_ip.get(&ip).copied().unwrap_or(0);
        if counts.total >= self.total || from_ip >= self.per_ip {
            return None;
        }
        counts.total += 1;
        *counts.per_ip.entry(ip).or_insert(0) += 1;
        Some(ConnectionSlot {
            limits: Arc::clone(self),
            ip,
        })
    }

    /// Connections counted now.
    pub fn count(&self) -> usize {
        self.lock().total
    }

    /// Connections counted now from `ip`.
    pub fn count_from(&self, ip: IpAddr) -> usize {
        self.lock().per_ip.get(&ip).copied().unwrap_or(0)
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ConnectionSlot {
    /// The address this slot counts.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut counts = self.limits.lock();
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_ip.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// Panics in another thread while holding the counts, as a panicking session
    /// would; the mutex is poisoned afterwards.
    fn poison(limits: &ConnectionLimits) {
        let panicked = std::thread::scope(|s| {
            s.spawn(|| {
                let _counts = limits.counts.lock();
                panic!("a session panicked while holding the connection counts");
            })
            .join()
        });
        assert!(panicked.is_err());
        assert!(limits.counts.is_poisoned());
    }

    #[test]
    fn limits_total_and_per_ip() {
        let limits = ConnectionLimits::new(3, 2);
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        let first = limits.take(a).unwrap();
        let _second = limits.take(a).unwrap();
        assert!(limits.take(a).is_none(), "per address");
        let _third = limits.take(b).unwrap();
        assert!(limits.take(b).is_none(), "in total");
        assert_eq!((limits.count(), limits.count_from(a)), (3, 2));
        drop(first);
        assert!(limits.take(a).is_some(), "given back");
    }

    #[test]
    fn poisoned_counts_still_take_and_release_slots() {
        let limits = ConnectionLimits::new(10, 2);
        poison(&limits);
        let a = ip("127.0.0.1");
        let first = limits.take(a);
        let second = limits.take(a);
        assert!(first.is_some() && second.is_some(), "slots are still given");
        assert!(limits.take(a).is_none(), "and the limits still hold");
        assert_eq!(limits.count(), 2);
        drop(first);
        assert_eq!(limits.count(), 1, "and released");
        drop(second);
        assert_eq!(limits.count(), 0);
        assert!(limits.lock().per_ip.is_empty());
    }
}
