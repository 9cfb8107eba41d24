//! The sans-IO scheduler: decides what to deliver when, over which connection, within
//! which limits, and what follows from each outcome. It does no I/O and never reads the
//! clock; the runtime (or a test with a simulated clock) drives it.
//!
//! # Calling protocol
//!
//! ```text
//!  add(entry, now) ──┐   handle_resolved / handle_batch / handle_job_end / handle_notified
//!                    ▼        ▲
//!   poll_action(now) ──► Action::{Resolve, Deliver, Persist, Remove, Notify} ──► runtime
//!   poll_event()     ──► Event (logs, metrics)
//!   poll_timeout()   ──► when to call poll_action again if nothing else happens
//! ```
//!
//! * Call [`poll_action`](Scheduler::poll_action) until it returns `None` after every
//!   input and whenever the time from [`poll_timeout`](Scheduler::poll_timeout) comes.
//! * Every [`Action::Resolve`] MUST be answered with
//!   [`handle_resolved`](Scheduler::handle_resolved), every [`Action::Notify`] with
//!   [`handle_notified`](Scheduler::handle_notified), and every [`Action::Deliver`]
//!   job MUST end with [`handle_job_end`](Scheduler::handle_job_end) after reporting
//!   each batch it was given with [`handle_batch`](Scheduler::handle_batch); until then
//!   the recipients involved are "in flight" and the site's connection slot is taken.
//!
//! # Grouping and limits
//!
//! Due recipients are routed ([`Router`]); MX routes wait for their domain's
//! resolution. Recipients then wait in a *lane*: one per site and rule, where a site is
//! the set of MX host names (so domains hosted by one provider share it), a relay, an
//! LMTP server or a local handler. A job takes the oldest, highest-priority message of
//! its lane with up to `max_recipients_per_transaction` of its recipients, then asks for
//! the next (up to `max_messages_per_connection`). New jobs open while the site's and
//! the global connection limits, the site's, the queue's and the global token buckets
//! allow, and the site is not backed off.

mod action;
mod config;
mod dispatch;
mod ops;
mod outcome;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use mailwright_smtp::{EnhancedStatusCode, Notify};

pub use action::{Action, Batch, DsnRequest, Job, JobEnd, JobId, NextBatch, RcptOutcome, Target};
pub use config::SchedulerConfig;

use crate::dsn::DsnKind;
use crate::entry::{QueueEntry, Update};
use crate::envelope::Envelope;
use crate::event::{Event, EventKind};
use crate::id::QueueId;
use crate::mx::MxResolution;
use crate::retry::QueueConfig;
use crate::route::{RouteAction, Router};
use crate::status::{DeliveryStatus, Diagnostic, codes};
use crate::throttle::TokenBucket;
use crate::time::Timestamp;
use dispatch::{Lane, LaneKey, Site};

/// Where a recipient is inside the scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for its next attempt time (or final).
    Idle,
    /// Waiting for its domain's MX resolution.
    Resolving,
    /// Waiting in a lane for a connection.
    Ready,
    /// Handed to a job.
    InFlight,
}

/// One entry and the scheduler's bookkeeping for it.
#[derive(Debug)]
struct Slot {
    entry: QueueEntry,
    envelope: Arc<Envelope>,
    phase: Vec<Phase>,
    /// The key under which it sits in `timers`.
    timer: Option<Timestamp>,
    /// Changes not yet handed out as `Action::Persist`.
    unpersisted: Vec<Update>,
    /// DSN kinds requested and not yet answered.
    notifying: Vec<DsnKind>,
    /// An operator asked to bounce: deferrals become failures.
    bounce_requested: bool,
}

/// The scheduler. See the [module docs](self).
#[derive(Debug)]
pub struct Scheduler {
    config: SchedulerConfig,
    router: Router,
    rng: fastrand::Rng,
    slots: HashMap<QueueId, Slot>,
    timers: BTreeSet<(Timestamp, QueueId)>,
    domains: HashMap<String, DomainState>,
    sites: HashMap<String, Site>,
    lanes: HashMap<LaneKey, Lane>,
    jobs: HashMap<JobId, dispatch::JobState>,
    next_job: u64,
    global_connections: u32,
    global_bucket: Option<TokenBucket>,
    queue_state: HashMap<String, QueueState>,
    actions: VecDeque<Action>,
    events: VecDeque<Event>,
    /// The earliest time a limit (backoff, token) may let a waiting lane go.
    wake: Option<Timestamp>,
    /// A lane with an idle job has work.
    idle_work: bool,
}

/// A named queue's live counters.
#[derive(Debug)]
struct QueueState {
    config: QueueConfig,
    in_flight: u32,
    bucket: Option<TokenBucket>,
}

/// What is known of a domain's MX hosts.
#[derive(Debug)]
enum DomainState {
    Resolving {
        waiting: Vec<(QueueId, u32)>,
    },
    Resolved {
        resolution: MxResolution,
        expires: Timestamp,
    },
}

impl Scheduler {
    /// A scheduler with `config`, `router` and a random seed (fixed in tests for
    /// reproducible jitter and MX order).
    pub fn new(config: SchedulerConfig, router: Router, seed: u64) -> Self {
        Self {
            config,
            router,
            rng: fastrand::Rng::with_seed(seed),
            slots: HashMap::new(),
            timers: BTreeSet::new(),
            domains: HashMap::new(),
            sites: HashMap::new(),
            lanes: HashMap::new(),
            jobs: HashMap::new(),
            next_job: 1,
            global_connections: 0,
            global_bucket: None,
            queue_state: HashMap::new(),
            actions: VecDeque::new(),
            events: VecDeque::new(),
            wake: None,
            idle_work: false,
        }
    }

    /// Takes an entry: newly enqueued (emit `queued` with `announce`) or recovered
    /// from the spool at start.
    pub fn add(&mut self, entry: QueueEntry, now: Timestamp, announce: bool) {
        let id = entry.id;
        if announce {
            self.event(
                now,
                EventKind::Queued {
                    id,
                    sender: entry
                        .envelope
                        .sender
                        .mailbox()
                        .map_or_else(String::new, ToString::to_string),
                    recipients: entry.envelope.recipients.len(),
                    size: entry.size,
                    queue: entry.envelope.queue.clone(),
                },
            );
        }
        let n = entry.recipients.len();
        let slot = Slot {
            envelope: Arc::new(entry.envelope.clone()),
            entry,
            phase: vec![Phase::Idle; n],
            timer: None,
            unpersisted: Vec::new(),
            notifying: Vec::new(),
            bounce_requested: false,
        };
        if let Some(old) = self.slots.insert(id, slot) {
            // The same id twice: keep the newer, forget the older's timer.
            if let Some(t) = old.timer {
                self.timers.remove(&(t, id));
            }
        }
        self.visit(id, now);
    }

    /// The next action for the runtime, after moving due entries and opening the
    /// connections the limits allow at `now`.
    #[must_use]
    pub fn poll_action(&mut self, now: Timestamp) -> Option<Action> {
        if self.actions.is_empty() {
            self.process(now);
        }
        self.actions.pop_front()
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`poll_action`](Self::poll_action) may next have something to do without
    /// any other input.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let timer = self.timers.first().map(|(t, _)| *t);
        match (timer, self.wake) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The entry with this id, as the scheduler sees it.
    pub fn entry(&self, id: QueueId) -> Option<&QueueEntry> {
        self.slots.get(&id).map(|slot| &slot.entry)
    }

    /// Every entry (in no particular order).
    pub fn entries(&self) -> impl Iterator<Item = &QueueEntry> {
        self.slots.values().map(|slot| &slot.entry)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The named queue DSNs go into.
    pub fn dsn_queue(&self) -> &str {
        &self.config.dsn_queue
    }

    /// Until when an entry's first waiting recipient is retried (its enqueue time plus
    /// its queue's maximum lifetime).
    pub fn retry_until(&mut self, id: QueueId) -> Option<Timestamp> {
        let slot = self.slots.get(&id)?;
        let envelope = Arc::clone(&slot.envelope);
        let created = slot.entry.created;
        let index = slot
            .entry
            .recipients
            .iter()
            .position(|r| !r.status.is_final())
            .unwrap_or(0);
        let rcpt = envelope.recipients.get(index)?;
        let queue = self.router.route(&envelope, &rcpt.address).queue;
        let lifetime = self.queue(&queue, created).config.retry.max_lifetime;
        Some(created.saturating_add(lifetime))
    }

    /// Connections open now (jobs not ended).
    pub fn connections(&self) -> u32 {
        self.global_connections
    }

    /// The connections open to one site.
    pub fn site_connections(&self, site: &str) -> u32 {
        self.sites.get(site).map_or(0, |s| s.connections)
    }

    /// Answers [`Action::Resolve`].
    pub fn handle_resolved(&mut self, domain: &str, resolution: MxResolution, now: Timestamp) {
        let ttl = match &resolution {
            MxResolution::Hosts { ttl, .. } => (*ttl).max(Duration::from_secs(1)),
            MxResolution::Permanent(_) => Duration::from_secs(60),
            MxResolution::Temporary(_) => self.config.dns_failure_ttl,
        };
        let previous = self.domains.insert(
            domain.to_owned(),
            DomainState::Resolved {
                resolution,
                expires: now.saturating_add(ttl),
            },
        );
        let Some(DomainState::Resolving { waiting }) = previous else {
            return;
        };
        let mut touched = Vec::new();
        for (id, index) in waiting {
            let Some(slot) = self.slots.get_mut(&id) else {
                continue;
            };
            if slot.phase.get(index as usize) != Some(&Phase::Resolving) {
                continue;
            }
            slot.phase[index as usize] = Phase::Idle;
            self.place(id, index, now);
            touched.push(id);
        }
        touched.dedup();
        for id in touched {
            self.visit(id, now);
        }
    }

    /// Answers [`Action::Notify`]: `dsn` is the DSN's own entry, or `None` when it
    /// could not be queued (it is asked for again later).
    pub fn handle_notified(&mut self, request: &DsnRequest, dsn: Option<QueueId>, now: Timestamp) {
        let Some(slot) = self.slots.get_mut(&request.id) else {
            return;
        };
        slot.notifying.retain(|k| *k != request.kind);
        match dsn {
            Some(dsn) => {
                for &index in &request.recipients {
                    let Some(state) = slot.entry.recipients.get_mut(index as usize) else {
                        continue;
                    };
                    match request.kind {
                        DsnKind::Delay => state.delay_notified = true,
                        DsnKind::Failure | DsnKind::Success => state.final_notified = true,
                    }
                    slot.unpersisted.push(Update::Recipient {
                        index,
                        state: state.clone(),
                    });
                }
                self.event(
                    now,
                    EventKind::Bounced {
                        id: request.id,
                        kind: request.kind,
                        dsn,
                    },
                );
                self.visit(request.id, now);
            }
            None => {
                // Try again in a minute.
                self.arm(request.id, now.saturating_add(Duration::from_secs(60)));
            }
        }
    }

    /// Visits an entry: notifications owed, due recipients placed, removal when done,
    /// the next timer.
    fn visit(&mut self, id: QueueId, now: Timestamp) {
        let Some(slot) = self.slots.get_mut(&id) else {
            return;
        };
        if let Some(t) = slot.timer.take() {
            self.timers.remove(&(t, id));
        }
        let Some(slot) = self.slots.get(&id) else {
            return;
        };
        if !slot.entry.held {
            let due: Vec<u32> = (0..slot.entry.recipients.len())
                .filter(|&i| {
                    slot.phase[i] == Phase::Idle
                        && !slot.entry.recipients[i].status.is_final()
                        && slot.entry.recipients[i].next_attempt <= now
                })
                .map(|i| i as u32)
                .collect();
            for index in due {
                self.place(id, index, now);
            }
        }
        self.request_notifications(id, now);
        self.flush(id);
        let Some(slot) = self.slots.get(&id) else {
            return;
        };
        if slot.entry.held {
            return;
        }
        let next = (0..slot.entry.recipients.len())
            .filter(|&i| {
                slot.phase[i] == Phase::Idle && !slot.entry.recipients[i].status.is_final()
            })
            .map(|i| slot.entry.recipients[i].next_attempt)
            .min();
        if let Some(next) = next {
            self.arm(id, next.max(now));
        }
    }

    fn arm(&mut self, id: QueueId, at: Timestamp) {
        let Some(slot) = self.slots.get_mut(&id) else {
            return;
        };
        if let Some(t) = slot.timer {
            if t <= at {
                return;
            }
            self.timers.remove(&(t, id));
        }
        slot.timer = Some(at);
        self.timers.insert((at, id));
    }

    /// Emits the DSN requests an entry owes.
    fn request_notifications(&mut self, id: QueueId, now: Timestamp) {
        let Some(slot) = self.slots.get_mut(&id) else {
            return;
        };
        // Wait until no recipient is being routed or delivered, so that recipients
        // failing in the same round share one DSN.
        if slot.phase.iter().any(|p| *p != Phase::Idle) {
            return;
        }
        let mut owed: Vec<(DsnKind, u32)> = Vec::new();
        for (i, state) in slot.entry.recipients.iter().enumerate() {
            if state.status.is_final() && !state.final_notified {
                let kind = match state.status {
                    DeliveryStatus::Delivered => DsnKind::Success,
                    _ => DsnKind::Failure,
                };
                owed.push((kind, i as u32));
            } else if state.status == DeliveryStatus::Deferred
                && !state.delay_notified
                && slot.phase[i] == Phase::Idle
            {
                let queue = self
                    .router
                    .route(&slot.envelope, &slot.envelope.recipients[i].address)
                    .queue;
                let warn = self
                    .queue_state
                    .get(&queue)
                    .map(|q| q.config.retry.delay_warning)
                    .or_else(|| {
                        self.config
                            .queues
                            .iter()
                            .find(|q| q.name == queue)
                            .map(|q| q.retry.delay_warning)
                    })
                    .unwrap_or_else(|| crate::retry::RetryPolicy::default().delay_warning);
                let wants = slot.envelope.recipients[i].notify_or_default().delay()
                    && slot.envelope.sender.mailbox().is_some();
                if let Some(after) = warn
                    && wants
                    && now >= slot.entry.created.saturating_add(after)
                {
                    owed.push((DsnKind::Delay, i as u32));
                }
            }
        }
        for kind in [DsnKind::Failure, DsnKind::Delay, DsnKind::Success] {
            if slot.notifying.contains(&kind) {
                continue;
            }
            let recipients: Vec<u32> = owed
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, i)| *i)
                .collect();
            if recipients.is_empty() {
                continue;
            }
            slot.notifying.push(kind);
            self.actions.push_back(Action::Notify(DsnRequest {
                id,
                kind,
                recipients,
            }));
        }
    }

    /// Hands out the entry's unpersisted changes, or its removal when it is done.
    fn flush(&mut self, id: QueueId) {
        let Some(slot) = self.slots.get_mut(&id) else {
            return;
        };
        if slot.entry.is_done()
            && slot.phase.iter().all(|p| *p == Phase::Idle)
            && slot.notifying.is_empty()
        {
            if let Some(t) = slot.timer {
                self.timers.remove(&(t, id));
            }
            let time = slot
                .entry
                .recipients
                .iter()
                .map(|r| r.updated)
                .max()
                .unwrap_or_default();
            self.slots.remove(&id);
            self.actions.push_back(Action::Remove { id });
            self.event(time, EventKind::Completed { id });
            return;
        }
        if !slot.unpersisted.is_empty() {
            let updates = std::mem::take(&mut slot.unpersisted);
            self.actions.push_back(Action::Persist { id, updates });
        }
    }

    /// Whether a recipient wants a DSN of `kind` (never for a null reverse-path: no
    /// bounce of a bounce).
    fn wants(&self, envelope: &Envelope, index: u32, kind: DsnKind) -> bool {
        if envelope.sender.mailbox().is_none() {
            return false;
        }
        let notify: Notify = envelope
            .recipients
            .get(index as usize)
            .map_or(Notify::DEFAULT, |r| r.notify_or_default());
        match kind {
            DsnKind::Failure => notify.failure(),
            DsnKind::Delay => notify.delay(),
            DsnKind::Success => notify.success(),
        }
    }

    fn queue(&mut self, name: &str, now: Timestamp) -> &mut QueueState {
        if !self.queue_state.contains_key(name) {
            let config = self
                .config
                .queues
                .iter()
                .find(|q| q.name == name)
                .cloned()
                .unwrap_or_else(|| QueueConfig::new(name));
            let bucket = config.rate.map(|rate| TokenBucket::new(rate, now));
            self.queue_state.insert(
                name.to_owned(),
                QueueState {
                    config,
                    in_flight: 0,
                    bucket,
                },
            );
        }
        // Just inserted if it was missing.
        self.queue_state
            .get_mut(name)
            .unwrap_or_else(|| unreachable!("queue state inserted above"))
    }

    fn event(&mut self, time: Timestamp, kind: EventKind) {
        // Bounded: a runtime that does not drain events loses the oldest.
        if self.events.len() >= 100_000 {
            self.events.pop_front();
        }
        self.events.push_back(Event { time, kind });
    }

    /// Routes one due recipient and puts it where it waits next.
    fn place(&mut self, id: QueueId, index: u32, now: Timestamp) {
        let Some(slot) = self.slots.get(&id) else {
            return;
        };
        let i = index as usize;
        let envelope = Arc::clone(&slot.envelope);
        let created = slot.entry.created;
        let route = self
            .router
            .route(&envelope, &envelope.recipients[i].address);
        let lifetime = self.queue(&route.queue, now).config.retry.max_lifetime;
        if now >= created.saturating_add(lifetime) {
            let last = self.slots[&id].entry.recipients[i].diagnostic.clone();
            let text = match &last {
                Some(d) => format!("delivery time expired; last error: {d}"),
                None => "delivery time expired".to_owned(),
            };
            let mut diagnostic = Diagnostic::local(codes::EXPIRED, &text);
            if let Some(last) = last {
                diagnostic.reply = last.reply;
                diagnostic.remote_mta = last.remote_mta;
            }
            self.finish_recipient(id, index, RcptOutcome::Failed(diagnostic), now, false);
            return;
        }
        match &route.action {
            RouteAction::Reject { status, text } => {
                let status = if status.class() == 5 {
                    *status
                } else {
                    EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED
                };
                let diagnostic = Diagnostic::local(status, text);
                self.finish_recipient(id, index, RcptOutcome::Failed(diagnostic), now, false);
            }
            RouteAction::Mx { port } => {
                let domain = envelope.recipients[i].domain();
                let port = *port;
                match self.domains.get_mut(&domain) {
                    Some(DomainState::Resolving { waiting }) => {
                        waiting.push((id, index));
                        self.set_phase(id, index, Phase::Resolving);
                    }
                    Some(DomainState::Resolved {
                        resolution,
                        expires,
                    }) if *expires > now => match resolution.clone() {
                        MxResolution::Hosts { hosts, .. } => {
                            let target = Target::Mx { hosts, port };
                            self.enter_lane(id, index, target, &route, now);
                        }
                        MxResolution::Permanent(diagnostic) => {
                            self.finish_recipient(
                                id,
                                index,
                                RcptOutcome::Failed(diagnostic),
                                now,
                                false,
                            );
                        }
                        MxResolution::Temporary(diagnostic) => {
                            self.finish_recipient(
                                id,
                                index,
                                RcptOutcome::Deferred(diagnostic),
                                now,
                                false,
                            );
                        }
                    },
                    _ => {
                        self.domains.insert(
                            domain.clone(),
                            DomainState::Resolving {
                                waiting: vec![(id, index)],
                            },
                        );
                        self.set_phase(id, index, Phase::Resolving);
                        self.actions.push_back(Action::Resolve { domain });
                    }
                }
            }
            RouteAction::Relay(relay) => {
                let target = Target::Relay(relay.clone());
                self.enter_lane(id, index, target, &route, now);
            }
            RouteAction::Lmtp(lmtp) => {
                let target = Target::Lmtp(lmtp.clone());
                self.enter_lane(id, index, target, &route, now);
            }
            RouteAction::Local { handler } => {
                let target = Target::Local {
                    handler: handler.clone(),
                };
                self.enter_lane(id, index, target, &route, now);
            }
        }
    }

    fn set_phase(&mut self, id: QueueId, index: u32, phase: Phase) {
        if let Some(p) = self
            .slots
            .get_mut(&id)
            .and_then(|slot| slot.phase.get_mut(index as usize))
        {
            *p = phase;
        }
    }
}
