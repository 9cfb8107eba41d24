//! The recent past of the mail flow for the web dashboard: per-minute counts over the
//! last 24 hours in a fixed ring of buckets, and the last few errors.
//!
//! Both are bounded: [`History`] holds [`MINUTES`] buckets whatever the traffic, and
//! [`RecentErrors`] the last [`RECENT_ERRORS`] errors, each cut to
//! [`MAX_ERROR_TEXT`] bytes. Time is passed in (unix minutes or seconds), so the
//! ring is tested without a clock.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;

/// Buckets kept: one per minute for 24 hours.
pub const MINUTES: usize = 24 * 60;
/// Errors kept for the dashboard.
pub const RECENT_ERRORS: usize = 20;
/// The longest error text kept, in bytes.
pub const MAX_ERROR_TEXT: usize = 300;

/// What the dashboard counts per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Messages accepted with 250 (SMTP in and submission).
    Accepted,
    /// Recipients delivered (local mailboxes and remote servers).
    Delivered,
    /// Delivery attempts deferred.
    Deferred,
    /// Recipients bounced.
    Bounced,
    /// Messages or recipients refused.
    Rejected,
}

impl Flow {
    /// Every flow, in the order of [`FlowCounts`]' fields.
    pub const ALL: [Self; 5] = [
        Self::Accepted,
        Self::Delivered,
        Self::Deferred,
        Self::Bounced,
        Self::Rejected,
    ];
}

/// Counts of each [`Flow`] over some span of minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FlowCounts {
    /// Messages accepted.
    pub accepted: u64,
    /// Recipients delivered.
    pub delivered: u64,
    /// Attempts deferred.
    pub deferred: u64,
    /// Recipients bounced.
    pub bounced: u64,
    /// Messages or recipients refused.
    pub rejected: u64,
}

impl FlowCounts {
    fn add(&mut self, flow: Flow, n: u64) {
        let slot = match flow {
            Flow::Accepted => &mut self.accepted,
            Flow::Delivered => &mut self.delivered,
            Flow::Deferred => &mut self.deferred,
            Flow::Bounced => &mut self.bounced,
            Flow::Rejected => &mut self.rejected,
        };
        *slot = slot.saturating_add(n);
    }

    fn merge(&mut self, other: &Self) {
        self.accepted = self.accepted.saturating_add(other.accepted);
        self.delivered = self.delivered.saturating_add(other.delivered);
        self.deferred = self.deferred.saturating_add(other.deferred);
        self.bounced = self.bounced.saturating_add(other.bounced);
        self.rejected = self.rejected.saturating_add(other.rejected);
    }
}

/// One minute's counts, stamped with the minute they belong to.
#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    minute: u64,
    counts: FlowCounts,
}

/// Per-minute counts over the last [`MINUTES`] minutes: a ring indexed by the unix
/// minute, where a bucket stamped with an older minute counts as empty.
#[derive(Debug)]
pub struct History {
    ring: Mutex<Vec<Bucket>>,
}

impl Default for History {
    fn default() -> Self {
        Self {
            ring: Mutex::new(vec![Bucket::default(); MINUTES]),
        }
    }
}

impl History {
    /// Counts `n` of `flow` in `minute` (unix time / 60).
    pub fn record(&self, flow: Flow, minute: u64, n: u64) {
        let mut ring = self.ring();
        let bucket = &mut ring[slot(minute)];
        if bucket.minute != minute {
            *bucket = Bucket {
                minute,
                counts: FlowCounts::default(),
            };
        }
        bucket.counts.add(flow, n);
    }

    /// The totals of the `span` minutes up to and including `now` (at most
    /// [`MINUTES`]).
    pub fn totals(&self, now: u64, span: u64) -> FlowCounts {
        let mut total = FlowCounts::default();
        for counts in self.per_minute(now, span) {
            total.merge(&counts);
        }
        total
    }

    /// The `span` minutes up to `now`, oldest first, summed in groups of `group`
    /// minutes (the last group ends at `now`).
    pub fn grouped(&self, now: u64, span: u64, group: u64) -> Vec<FlowCounts> {
        let group = usize::try_from(group.max(1)).unwrap_or(usize::MAX);
        self.per_minute(now, span)
            .chunks(group)
            .map(|chunk| {
                let mut sum = FlowCounts::default();
                for counts in chunk {
                    sum.merge(counts);
                }
                sum
            })
            .collect()
    }

    /// The counts of each of the `span` minutes up to `now`, oldest first.
    fn per_minute(&self, now: u64, span: u64) -> Vec<FlowCounts> {
        let span = span.min(MINUTES as u64);
        let ring = self.ring();
        (0..span)
            .rev()
            .map(|back| {
                let Some(minute) = now.checked_sub(back) else {
                    return FlowCounts::default();
                };
                let bucket = &ring[slot(minute)];
                if bucket.minute == minute {
                    bucket.counts
                } else {
                    FlowCounts::default()
                }
            })
            .collect()
    }

    fn ring(&self) -> MutexGuard<'_, Vec<Bucket>> {
        // Every update is a plain store of copies: a panic elsewhere cannot leave a
        // bucket half written.
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn slot(minute: u64) -> usize {
    // The remainder is below MINUTES, which fits in usize.
    usize::try_from(minute % MINUTES as u64).unwrap_or(0)
}

/// One error worth showing on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecentError {
    /// When (seconds since the epoch).
    pub at: u64,
    /// What kind: `deferred`, `bounced`, `rejected`.
    pub kind: &'static str,
    /// What happened, cut to [`MAX_ERROR_TEXT`] bytes.
    pub text: String,
}

/// The last [`RECENT_ERRORS`] errors, newest last.
#[derive(Debug, Default)]
pub struct RecentErrors {
    list: Mutex<VecDeque<RecentError>>,
}

impl RecentErrors {
    /// Remembers an error, forgetting the oldest beyond [`RECENT_ERRORS`].
    pub fn push(&self, at: u64, kind: &'static str, text: &str) {
        let mut end = text.len().min(MAX_ERROR_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        if list.len() == RECENT_ERRORS {
            list.pop_front();
        }
        list.push_back(RecentError {
            at,
            kind,
            text: text[..end].to_owned(),
        });
    }

    /// The errors, newest first.
    pub fn newest_first(&self) -> Vec<RecentError> {
        let list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        list.iter().rev().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_minute_and_forgets_after_a_day() {
        let history = History::default();
        let now = 30_000_000;
        history.record(Flow::Accepted, now, 2);
        history.record(Flow::Accepted, now - 59, 1);
        history.record(Flow::Accepted, now - 60, 4);
        history.record(Flow::Rejected, now - 1000, 3);
        assert_eq!(history.totals(now, 60).accepted, 3);
        assert_eq!(history.totals(now, MINUTES as u64).accepted, 7);
        assert_eq!(history.totals(now, MINUTES as u64).rejected, 3);
        // A day later the same slots stand for other minutes: the old counts are gone.
        let later = now + MINUTES as u64;
        assert_eq!(history.totals(later - 1, MINUTES as u64).accepted, 2);
        assert_eq!(history.totals(later, MINUTES as u64), FlowCounts::default());
        history.record(Flow::Delivered, later, 1);
        assert_eq!(
            history.totals(later, 1),
            FlowCounts {
                delivered: 1,
                ..FlowCounts::default()
            }
        );
    }

    #[test]
    fn groups_end_at_now() {
        let history = History::default();
        let now = 1_000_000;
        history.record(Flow::Delivered, now, 1);
        history.record(Flow::Delivered, now - 10, 5);
        let groups = history.grouped(now, 60, 10);
        assert_eq!(groups.len(), 6);
        assert_eq!(groups[5].delivered, 1);
        assert_eq!(groups[4].delivered, 5);
        assert_eq!(history.grouped(5, 60, 10).len(), 6, "near the epoch");
    }

    #[test]
    fn recent_errors_are_bounded_and_cut() {
        let errors = RecentErrors::default();
        for i in 0..30 {
            errors.push(i, "deferred", &format!("error {i}"));
        }
        let list = errors.newest_first();
        assert_eq!(list.len(), RECENT_ERRORS);
        assert_eq!(list[0].text, "error 29");
        errors.push(99, "bounced", &"é".repeat(400));
        let cut = &errors.newest_first()[0].text;
        assert!(cut.len() <= MAX_ERROR_TEXT && cut.starts_with('é'));
    }
}
