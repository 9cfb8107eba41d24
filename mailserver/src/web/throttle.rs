//! Failed sign-ins counted per client address: after [`MAX_FAILURES`] within
//! [`WINDOW`], that address is refused (429) until the window ends, so guessing the
//! admin token or a password from one place stops early. Kept in memory, bounded.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed sign-ins allowed from one address per window.
pub const MAX_FAILURES: u32 = 10;
/// The length of a window, from its first failure.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses tracked at most; past it, expired windows are dropped, then the oldest.
const MAX_TRACKED: usize = 10_000;

/// Failure counts per client address.
#[derive(Debug, Default)]
pub struct SignInThrottle {
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl SignInThrottle {
    /// Whether `ip` may try to sign in at `now`.
    pub fn allows(&self, ip: IpAddr, now: Instant) -> bool {
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        match windows.get(&ip) {
            Some(&(start, failures)) => {
                now.duration_since(start) >= WINDOW || failures < MAX_FAILURES
            }
            None => true,
        }
    }

    /// Counts a failed sign-in from `ip` at `now`.
    pub fn failed(&self, ip: IpAddr, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_TRACKED && !windows.contains_key(&ip) {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if windows.len() >= MAX_TRACKED
                && let Some(oldest) = windows.iter().min_by_key(|(_, (start, _))| *start)
            {
                let oldest = *oldest.0;
                windows.remove(&oldest);
            }
        }
        let window = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(window.0) >= WINDOW {
            *window = (now, 0);
        }
        window.1 = window.1.saturating_add(1);
    }

    /// Forgets the failures of `ip` (it signed in).
    pub fn succeeded(&self, ip: IpAddr) {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_until_the_window_ends() {
        let throttle = SignInThrottle::default();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let start = crate::web::session::now();
        for _ in 0..MAX_FAILURES {
            assert!(throttle.allows(ip, start));
            throttle.failed(ip, start);
        }
        assert!(!throttle.allows(ip, start + Duration::from_secs(60)));
        assert!(
            throttle.allows(other, start),
            "other addresses are not affected"
        );
        assert!(throttle.allows(ip, start + WINDOW));
        throttle.failed(ip, start + WINDOW);
        assert!(
            throttle.allows(ip, start + WINDOW),
            "a new window counts from one"
        );
    }

    #[test]
    fn success_forgets_failures() {
        let throttle = SignInThrottle::default();
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        let now = crate::web::session::now();
        for _ in 0..MAX_FAILURES {
            throttle.failed(ip, now);
        }
        throttle.succeeded(ip);
        assert!(throttle.allows(ip, now));
    }

    #[test]
    fn tracking_stays_bounded() {
        let throttle = SignInThrottle::default();
        let now = crate::web::session::now();
        for i in 0..(MAX_TRACKED as u32 + 50) {
            throttle.failed(IpAddr::from(i.to_be_bytes()), now);
        }
        assert!(throttle.windows.lock().unwrap().len() <= MAX_TRACKED);
    }
}
