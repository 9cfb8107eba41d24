//! What an outcome does to a recipient's state.

use super::{Phase, RcptOutcome, Scheduler};
use crate::dsn::DsnKind;
use crate::entry::Update;
use crate::event::EventKind;
use crate::id::QueueId;
use crate::status::{DeliveryStatus, Diagnostic, codes};
use crate::time::Timestamp;

impl Scheduler {
    /// Applies an attempt's outcome (or a local decision) to one recipient and records
    /// the change for the spool.
    pub(super) fn finish_recipient(
        &mut self,
        id: QueueId,
        index: u32,
        outcome: RcptOutcome,
        now: Timestamp,
        dsn_owed: bool,
    ) {
        let Some(slot) = self.slots.get(&id) else {
            return;
        };
        let i = index as usize;
        let Some(state) = slot.entry.recipients.get(i) else {
            return;
        };
        if state.status.is_final() {
            return;
        }
        let envelope = std::sync::Arc::clone(&slot.envelope);
        let created = slot.entry.created;
        let bounce_requested = slot.bounce_requested;
        let attempts = state.attempts.saturating_add(1);
        let route = self
            .router
            .route(&envelope, &envelope.recipients[i].address);
        let policy = self.queue(&route.queue, now).config.retry.clone();

        // Deferrals that cannot wait any more become failures.
        let outcome = match outcome {
            RcptOutcome::Deferred(diagnostic) if bounce_requested => {
                RcptOutcome::Failed(Diagnostic {
                    status: codes::PERMANENT,
                    ..diagnostic
                })
            }
            RcptOutcome::Deferred(diagnostic)
                if now >= created.saturating_add(policy.max_lifetime) =>
            {
                let text = format!("delivery time expired; last error: {diagnostic}");
                RcptOutcome::Failed(Diagnostic {
                    status: codes::EXPIRED,
                    text: crate::status::clean_text(&text, 512),
                    ..diagnostic
                })
            }
            other => other,
        };
        let recipient = envelope.recipients[i].address.to_string();
        let (status, diagnostic, next, final_notified) = match outcome {
            RcptOutcome::Delivered(diagnostic) => {
                let owed = dsn_owed && self.wants(&envelope, index, DsnKind::Success);
                self.event(
                    now,
                    EventKind::Delivered {
                        id,
                        recipient,
                        diagnostic: diagnostic.clone(),
                    },
                );
                (DeliveryStatus::Delivered, diagnostic, now, !owed)
            }
            RcptOutcome::Failed(diagnostic) => {
                let owed = self.wants(&envelope, index, DsnKind::Failure);
                self.event(
                    now,
                    EventKind::Failed {
                        id,
                        recipient,
                        diagnostic: diagnostic.clone(),
                    },
                );
                (DeliveryStatus::Failed, diagnostic, now, !owed)
            }
            RcptOutcome::Deferred(diagnostic) => {
                let delay = policy.delay(attempts, &mut self.rng);
                let next = now.saturating_add(delay);
                self.event(
                    now,
                    EventKind::Deferred {
                        id,
                        recipient,
                        diagnostic: diagnostic.clone(),
                        next_attempt: next,
                    },
                );
                (DeliveryStatus::Deferred, diagnostic, next, false)
            }
        };
        let Some(slot) = self.slots.get_mut(&id) else {
            return;
        };
        let state = &mut slot.entry.recipients[i];
        state.status = status;
        state.attempts = attempts;
        state.next_attempt = next;
        state.updated = now;
        state.diagnostic = Some(diagnostic);
        state.final_notified = final_notified;
        slot.phase[i] = Phase::Idle;
        let update = Update::Recipient {
            index,
            state: state.clone(),
        };
        slot.unpersisted.push(update);
    }
}
