//! Per-user submission limits (outgoing spam control): messages and recipients per
//! hour, in fixed one-hour windows kept in memory.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The length of a window.
const WINDOW: Duration = Duration::from_secs(3600);

/// Counts per user.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    messages: u32,
    recipients: u32,
}

/// Why a user must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// Too many messages this hour.
    Messages,
    /// Too many recipients this hour.
    Recipients,
}

impl RateLimiter {
    /// Counts one message with `recipients` recipients for `user` at `now`, if that
    /// stays within the limits; otherwise counts nothing and says which was exceeded.
    ///
    /// # Errors
    /// [`Exceeded`].
    pub fn check(
        &self,
        user: &str,
        recipients: u32,
        max_messages: u32,
        max_recipients: u32,
        now: Instant,
    ) -> Result<(), Exceeded> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() > 100_000 {
            windows.retain(|_, w| now.duration_since(w.start) < WINDOW);
        }
        let window = windows.entry(user.to_owned()).or_insert(Window {
            start: now,
            messages: 0,
            recipients: 0,
        });
        if now.duration_since(window.start) >= WINDOW {
            *window = Window {
                start: now,
                messages: 0,
                recipients: 0,
            };
        }
        if window.messages >= max_messages {
            return Err(Exceeded::Messages);
        }
        if window.recipients.saturating_add(recipients) > max_recipients {
            return Err(Exceeded::Recipients);
        }
        window.messages += 1;
        window.recipients = window.recipients.saturating_add(recipients);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::disallowed_methods)] // a start instant for the windows
    fn limits_per_user_and_window() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert!(limiter.check("a", 1, 2, 10, t0).is_ok());
        assert!(limiter.check("a", 1, 2, 10, t0).is_ok());
        assert_eq!(limiter.check("a", 1, 2, 10, t0), Err(Exceeded::Messages));
        assert!(limiter.check("b", 10, 2, 10, t0).is_ok(), "per user");
        assert_eq!(limiter.check("b", 1, 2, 10, t0), Err(Exceeded::Recipients));
        assert!(
            limiter.check("a", 1, 2, 10, t0 + WINDOW).is_ok(),
            "new window"
        );
    }
}
