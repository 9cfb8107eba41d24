//! The expunge history of one mailbox, for QRESYNC `VANISHED` (RFC 7162): which UIDs
//! were expunged at which MODSEQ, in bounded memory.
//!
//! UIDs expunged together are kept as runs (`first..=last` at one MODSEQ), so an
//! expunge of a thousand adjacent messages costs one entry. Past [`MAX_RUNS`] runs the
//! two lowest are merged into one that spans both at the later MODSEQ: the history then
//! answers with UIDs that vanished earlier than asked for, which RFC 7162 allows
//! (section 3.2.10: the server may send UIDs that were expunged before the client's
//! MODSEQ), never with a UID that still exists (those are taken out when asked) nor
//! misses one. Until then it answers exactly as the SQL index's `expunged` table does.

use std::collections::BTreeMap;

use crate::types::{Uid, UidSet};

/// The most runs kept per mailbox (about 16 bytes each).
pub(super) const MAX_RUNS: usize = 4096;

/// Expunged UIDs of one mailbox with the MODSEQ of their expunge.
#[derive(Debug, Clone, Default)]
pub(super) struct Vanished {
    /// Disjoint runs, ascending by first UID.
    runs: Vec<Run>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    first: u32,
    last: u32,
    modseq: u64,
}

impl Vanished {
    /// Records that `uid` was expunged at `modseq`.
    pub(super) fn record(&mut self, uid: Uid, modseq: u64) {
        let uid = uid.get();
        let at = self.runs.partition_point(|r| r.last < uid);
        if self.runs.get(at).is_some_and(|r| r.first <= uid) {
            // Already covered (a merged run): keep the later MODSEQ.
            if let Some(run) = self.runs.get_mut(at) {
                run.modseq = run.modseq.max(modseq);
            }
            return;
        }
        let joins_before = at
            .checked_sub(1)
            .and_then(|i| self.runs.get(i))
            .is_some_and(|r| r.modseq == modseq && r.last.checked_add(1) == Some(uid));
        let joins_after = self
            .runs
            .get(at)
            .is_some_and(|r| r.modseq == modseq && uid.checked_add(1) == Some(r.first));
        match (joins_before, joins_after) {
            (true, true) => {
                let next = self.runs.remove(at);
                if let Some(run) = self.runs.get_mut(at - 1) {
                    run.last = next.last;
                }
            }
            (true, false) => {
                if let Some(run) = self.runs.get_mut(at - 1) {
                    run.last = uid;
                }
            }
            (false, true) => {
                if let Some(run) = self.runs.get_mut(at) {
                    run.first = uid;
                }
            }
            (false, false) => {
                self.runs.insert(
                    at,
                    Run {
                        first: uid,
                        last: uid,
                        modseq,
                    },
                );
                if self.runs.len() > MAX_RUNS {
                    let second = self.runs.remove(1);
                    if let Some(run) = self.runs.first_mut() {
                        run.last = second.last;
                        run.modseq = run.modseq.max(second.modseq);
                    }
                }
            }
        }
    }

    /// The UIDs expunged after `since`, leaving out those in `live` (the mailbox's
    /// messages now, which a merged run may span).
    pub(super) fn since<V>(&self, since: u64, live: &BTreeMap<Uid, V>) -> UidSet {
        let mut out = UidSet::new();
        for run in self.runs.iter().filter(|r| r.modseq > since) {
            let (Some(first), Some(last)) = (Uid::new(run.first), Uid::new(run.last)) else {
                continue;
            };
            let mut from = first;
            for (&uid, _) in live.range(first..=last) {
                if let Some(before) = uid.get().checked_sub(1).and_then(Uid::new)
                    && from <= before
                {
                    out.insert_range(from, before);
                }
                match uid.get().checked_add(1).and_then(Uid::new) {
                    Some(next) => from = next,
                    None => return out,
                }
            }
            if from <= last {
                out.insert_range(from, last);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(n: u32) -> Uid {
        Uid::new(n).unwrap()
    }

    fn set(text: &str) -> UidSet {
        text.parse().unwrap()
    }

    #[test]
    fn runs_join_and_answer_by_modseq() {
        let mut vanished = Vanished::default();
        for n in [3, 1, 2] {
            vanished.record(uid(n), 5);
        }
        vanished.record(uid(4), 7);
        vanished.record(uid(9), 7);
        assert_eq!(vanished.runs.len(), 3);
        let live: BTreeMap<Uid, ()> = BTreeMap::new();
        assert_eq!(vanished.since(4, &live), set("1:4,9"));
        assert_eq!(vanished.since(5, &live), set("4,9"));
        assert_eq!(vanished.since(7, &live), UidSet::new());
    }

    #[test]
    fn bounded_and_never_names_a_live_message() {
        let mut vanished = Vanished::default();
        let mut live = BTreeMap::new();
        // Every other UID expunged, one per MODSEQ: one run each, until the bound.
        for n in 1..=(2 * MAX_RUNS as u32 + 10) {
            if n % 2 == 0 {
                live.insert(uid(n), ());
            } else {
                vanished.record(uid(n), u64::from(n));
            }
        }
        assert_eq!(vanished.runs.len(), MAX_RUNS);
        let all = vanished.since(0, &live);
        assert!(all.iter().all(|u| u.get() % 2 == 1));
        assert_eq!(all.len(), MAX_RUNS as u64 + 5);
        // Recent ones are exact; the merged old ones are reported as a whole.
        let last = 2 * MAX_RUNS as u32 + 9;
        assert_eq!(
            vanished.since(u64::from(last) - 1, &live),
            UidSet::from(uid(last))
        );
        assert!(
            vanished
                .since(u64::from(last) - 1, &live)
                .iter()
                .all(|u| u.get() % 2 == 1)
        );
    }
}
