//! Operator commands on the scheduler: hold, release, retry now, bounce now, delete.

use super::{Action, Phase, RcptOutcome, Scheduler};
use crate::entry::Update;
use crate::event::EventKind;
use crate::id::QueueId;
use crate::status::{Diagnostic, codes};
use crate::time::Timestamp;

impl Scheduler {
    /// Holds an entry: nothing of it is started until released. Returns false for an
    /// unknown id.
    pub fn hold(&mut self, id: QueueId, now: Timestamp) -> bool {
        let Some(slot) = self.slots.get_mut(&id) else {
            return false;
        };
        if !slot.entry.held {
            slot.entry.held = true;
            slot.unpersisted.push(Update::Held(true));
            self.unready(id);
            self.event(now, EventKind::Held { id });
        }
        self.flush(id);
        true
    }

    /// Releases a held entry. Returns false for an unknown id.
    pub fn release(&mut self, id: QueueId, now: Timestamp) -> bool {
        let Some(slot) = self.slots.get_mut(&id) else {
            return false;
        };
        if slot.entry.held {
            slot.entry.held = false;
            slot.unpersisted.push(Update::Held(false));
            self.event(now, EventKind::Released { id });
        }
        self.visit(id, now);
        true
    }

    /// Makes every waiting recipient of an entry due now (and releases a hold). Returns
    /// false for an unknown id.
    pub fn retry_now(&mut self, id: QueueId, now: Timestamp) -> bool {
        let Some(slot) = self.slots.get_mut(&id) else {
            return false;
        };
        for (state, phase) in slot.entry.recipients.iter_mut().zip(&slot.phase) {
            if !state.status.is_final() && *phase == Phase::Idle {
                state.next_attempt = now;
            }
        }
        if slot.entry.held {
            return self.release(id, now);
        }
        self.visit(id, now);
        true
    }

    /// Fails every recipient not yet final (a DSN goes to the sender as for any
    /// failure); recipients in flight fail when their attempt does not deliver them.
    /// Returns false for an unknown id.
    pub fn bounce_now(&mut self, id: QueueId, now: Timestamp) -> bool {
        let Some(slot) = self.slots.get_mut(&id) else {
            return false;
        };
        slot.bounce_requested = true;
        self.unready(id);
        let diagnostic =
            Diagnostic::local(codes::PERMANENT, "delivery cancelled by the postmaster");
        let indexes: Vec<u32> = self.slots[&id]
            .phase
            .iter()
            .enumerate()
            .filter(|(i, phase)| {
                **phase == Phase::Idle && !self.slots[&id].entry.recipients[*i].status.is_final()
            })
            .map(|(i, _)| i as u32)
            .collect();
        for index in indexes {
            self.finish_recipient(
                id,
                index,
                RcptOutcome::Failed(diagnostic.clone()),
                now,
                false,
            );
        }
        self.visit(id, now);
        true
    }

    /// Forgets an entry without any DSN and asks the runtime to remove it. Results of
    /// attempts in flight are ignored. Returns false for an unknown id.
    pub fn delete(&mut self, id: QueueId, now: Timestamp) -> bool {
        if !self.slots.contains_key(&id) {
            return false;
        }
        self.unready(id);
        if let Some(slot) = self.slots.remove(&id)
            && let Some(t) = slot.timer
        {
            self.timers.remove(&(t, id));
        }
        self.actions.push_back(Action::Remove { id });
        self.event(now, EventKind::Deleted { id });
        true
    }
}
