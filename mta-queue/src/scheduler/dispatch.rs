//! Lanes, sites and jobs: turning waiting recipients into connections within limits.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;

use mailwright_smtp::EnhancedStatusCode;

use super::{Action, Batch, Job, JobEnd, JobId, NextBatch, Phase, RcptOutcome, Scheduler, Target};
use crate::event::EventKind;
use crate::id::QueueId;
use crate::route::{DeliveryOptions, Route};
use crate::status::{Diagnostic, codes};
use crate::throttle::{Limits, TokenBucket};
use crate::time::Timestamp;

/// A lane: one site reached by one rule.
pub(super) type LaneKey = (String, Option<String>);

/// Recipients of one message waiting in a lane.
#[derive(Debug)]
pub(super) struct LaneItem {
    recipients: Vec<u32>,
    queue: String,
}

/// Messages waiting for a connection to one site by one rule.
#[derive(Debug)]
pub(super) struct Lane {
    site: String,
    target: Target,
    options: Arc<DeliveryOptions>,
    /// Highest priority first, then oldest.
    ready: BTreeMap<(Reverse<i32>, QueueId), LaneItem>,
    /// Jobs of this lane waiting for work on an open connection.
    idle: u32,
}

/// A receiving site's limits and live counters.
#[derive(Debug)]
pub(super) struct Site {
    limits: Limits,
    bucket: Option<TokenBucket>,
    pub(super) connections: u32,
    backoff_until: Timestamp,
    failures: u32,
}

/// A running job.
#[derive(Debug)]
pub(super) struct JobState {
    lane: LaneKey,
    messages: u32,
    /// The batch handed out and not yet reported: entry, recipients, queue.
    current: Option<(QueueId, Vec<u32>, String)>,
    /// The last `next_batch` answered `Idle`.
    idle: bool,
}

/// The site key of a target: MX sites are named by their sorted host names, so every
/// domain hosted by the same provider shares one.
fn site_key(target: &Target) -> String {
    match target {
        Target::Mx { hosts, port } => {
            let mut names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            format!("mx:{}:{port}", names.join(","))
        }
        Target::Relay(relay) => format!("relay:{}:{}", relay.host, relay.port),
        Target::Lmtp(lmtp) => format!("lmtp:{lmtp}"),
        Target::Local { handler } => format!("local:{handler}"),
    }
}

fn target_hosts(target: &Target) -> Vec<String> {
    match target {
        Target::Mx { hosts, .. } => hosts.iter().map(|h| h.name.clone()).collect(),
        Target::Relay(relay) => vec![relay.host.clone()],
        Target::Lmtp(crate::route::LmtpTarget::Tcp { host, .. }) => vec![host.clone()],
        Target::Lmtp(_) | Target::Local { .. } => Vec::new(),
    }
}

impl Scheduler {
    /// Puts a routed recipient into its lane.
    pub(super) fn enter_lane(
        &mut self,
        id: QueueId,
        index: u32,
        target: Target,
        route: &Route,
        now: Timestamp,
    ) {
        let site = site_key(&target);
        if !self.sites.contains_key(&site) {
            let domain = self
                .slots
                .get(&id)
                .map(|slot| slot.envelope.recipients[index as usize].domain())
                .unwrap_or_default();
            let hosts = target_hosts(&target);
            let limits = self
                .config
                .throttles
                .iter()
                .find(|t| t.pattern.matches(&domain) || hosts.iter().any(|h| t.pattern.matches(h)))
                .map_or_else(|| self.config.site_limits.clone(), |t| t.limits.clone());
            let bucket = limits.rate.map(|rate| TokenBucket::new(rate, now));
            self.sites.insert(
                site.clone(),
                Site {
                    limits,
                    bucket,
                    connections: 0,
                    backoff_until: Timestamp::ZERO,
                    failures: 0,
                },
            );
        }
        let priority = self.queue(&route.queue, now).config.priority;
        let key = (site.clone(), route.rule.clone());
        let lane = self.lanes.entry(key).or_insert_with(|| Lane {
            site,
            target,
            options: Arc::clone(&route.options),
            ready: BTreeMap::new(),
            idle: 0,
        });
        lane.ready
            .entry((Reverse(priority), id))
            .or_insert_with(|| LaneItem {
                recipients: Vec::new(),
                queue: route.queue.clone(),
            })
            .recipients
            .push(index);
        self.set_phase(id, index, Phase::Ready);
    }

    /// Takes an entry's recipients out of every lane (hold, bounce, delete).
    pub(super) fn unready(&mut self, id: QueueId) {
        for lane in self.lanes.values_mut() {
            lane.ready.retain(|(_, entry), _| *entry != id);
        }
        if let Some(slot) = self.slots.get_mut(&id) {
            for phase in &mut slot.phase {
                if *phase == Phase::Ready || *phase == Phase::Resolving {
                    *phase = Phase::Idle;
                }
            }
        }
    }

    /// Moves due entries and opens the connections the limits allow.
    pub(super) fn process(&mut self, now: Timestamp) {
        while let Some(&(t, id)) = self.timers.first() {
            if t > now {
                break;
            }
            self.timers.pop_first();
            if let Some(slot) = self.slots.get_mut(&id) {
                slot.timer = None;
            }
            self.visit(id, now);
        }
        self.wake = None;
        // Lanes whose best message has the highest priority (then is oldest) go first.
        let mut keys: Vec<((Reverse<i32>, QueueId), LaneKey)> = self
            .lanes
            .iter()
            .filter_map(|(key, lane)| lane.ready.keys().next().map(|first| (*first, key.clone())))
            .collect();
        keys.sort_unstable();
        for (_, key) in keys {
            while self.open_job(&key, now) {}
        }
        // Drop idle lanes (their site counters stay).
        self.lanes.retain(|key, lane| {
            !lane.ready.is_empty() || self.jobs.values().any(|job| job.lane == *key)
        });
    }

    fn note_wake(&mut self, at: Timestamp) {
        self.wake = Some(self.wake.map_or(at, |w| w.min(at)));
    }

    /// Opens one job on a lane if the limits allow; false when they do not (or the lane
    /// is empty).
    fn open_job(&mut self, key: &LaneKey, now: Timestamp) -> bool {
        let Some(lane) = self.lanes.get(key) else {
            return false;
        };
        if lane.ready.is_empty() {
            return false;
        }
        let site_name = lane.site.clone();
        if lane.idle > 0 {
            // An open connection waits for work: it takes this instead, as soon as the
            // rate limits allow (the driver wakes for that time).
            match self.rate_ready(&site_name, now) {
                Ok(()) => self.idle_work = true,
                Err(at) => self.note_wake(at),
            }
            return false;
        }
        let Some(site) = self.sites.get(&site_name) else {
            return false;
        };
        if site.backoff_until > now {
            let until = site.backoff_until;
            self.note_wake(until);
            return false;
        }
        if site
            .limits
            .max_connections
            .is_some_and(|max| site.connections >= max)
        {
            return false;
        }
        if self
            .config
            .global
            .max_connections
            .is_some_and(|max| self.global_connections >= max)
        {
            return false;
        }
        let Some((batch, queue)) = self.take_batch(key, now) else {
            return false;
        };
        let Some(lane) = self.lanes.get(key) else {
            return false;
        };
        let (target, options) = (lane.target.clone(), Arc::clone(&lane.options));
        let id = JobId(self.next_job);
        self.next_job += 1;
        self.jobs.insert(
            id,
            JobState {
                lane: key.clone(),
                messages: 1,
                current: None,
                idle: false,
            },
        );
        self.start_batch(id, &batch, queue, now);
        if let Some(site) = self.sites.get_mut(&site_name) {
            site.connections += 1;
        }
        self.global_connections += 1;
        self.actions.push_back(Action::Deliver(Job {
            id,
            site: site_name,
            target,
            options,
            batch,
        }));
        true
    }

    /// Whether the site's and the global token buckets have a token now; `Err` holds
    /// when they will.
    fn rate_ready(&mut self, site: &str, now: Timestamp) -> Result<(), Timestamp> {
        let site = self
            .sites
            .get_mut(site)
            .and_then(|s| s.bucket.as_mut())
            .map_or(Ok(()), |b| b.check(now));
        let global = self.global_bucket.as_mut().map_or(Ok(()), |b| b.check(now));
        match (site, global) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(a), Err(b)) => Err(a.max(b)),
            (Err(at), _) | (_, Err(at)) => Err(at),
        }
    }

    /// Records that a job carries `batch` now.
    fn start_batch(&mut self, job: JobId, batch: &Batch, queue: String, now: Timestamp) {
        let site = self
            .jobs
            .get(&job)
            .and_then(|j| self.lanes.get(&j.lane))
            .map(|lane| lane.site.clone())
            .unwrap_or_default();
        if let Some(state) = self.jobs.get_mut(&job) {
            state.current = Some((batch.id, batch.recipients.clone(), queue));
        }
        self.event(
            now,
            EventKind::Attempt {
                id: batch.id,
                site,
                recipients: batch.recipients.len(),
            },
        );
    }

    /// Takes the next transaction from a lane, within the rate and queue limits.
    fn take_batch(&mut self, key: &LaneKey, now: Timestamp) -> Option<(Batch, String)> {
        let lane = self.lanes.get(key)?;
        let site_name = lane.site.clone();
        // Site and global buckets apply to every message of the lane.
        if let Some(Err(at)) = self
            .sites
            .get_mut(&site_name)
            .and_then(|s| s.bucket.as_mut())
            .map(|b| b.check(now))
        {
            self.note_wake(at);
            return None;
        }
        if self.global_bucket.is_none()
            && let Some(rate) = self.config.global.rate
        {
            self.global_bucket = Some(TokenBucket::new(rate, now));
        }
        if let Some(Err(at)) = self.global_bucket.as_mut().map(|b| b.check(now)) {
            self.note_wake(at);
            return None;
        }
        let max_rcpts = self
            .sites
            .get(&site_name)
            .map_or(100, |s| s.limits.max_recipients_per_transaction)
            .max(1) as usize;
        // The first message whose queue allows it (queue states exist: `enter_lane`
        // made them).
        let mut chosen = None;
        let mut wake = None;
        for (item_key, item) in &self.lanes.get(key)?.ready {
            let Some(state) = self.queue_state.get_mut(&item.queue) else {
                continue;
            };
            if state
                .config
                .max_in_flight
                .is_some_and(|max| state.in_flight >= max)
            {
                continue;
            }
            if let Some(Err(at)) = state.bucket.as_mut().map(|b| b.check(now)) {
                wake = Some(wake.map_or(at, |w: Timestamp| w.min(at)));
                continue;
            }
            chosen = Some((*item_key, item.queue.clone()));
            break;
        }
        if let Some(at) = wake {
            self.note_wake(at);
        }
        let (item_key, queue) = chosen?;
        // Take the tokens.
        if let Some(bucket) = self
            .sites
            .get_mut(&site_name)
            .and_then(|s| s.bucket.as_mut())
        {
            let _ = bucket.take(now);
        }
        if let Some(bucket) = self.global_bucket.as_mut() {
            let _ = bucket.take(now);
        }
        let state = self.queue(&queue, now);
        if let Some(bucket) = state.bucket.as_mut() {
            let _ = bucket.take(now);
        }
        state.in_flight += 1;

        let lane = self.lanes.get_mut(key)?;
        let item = lane.ready.get_mut(&item_key)?;
        let take = item.recipients.len().min(max_rcpts);
        let recipients: Vec<u32> = item.recipients.drain(..take).collect();
        if item.recipients.is_empty() {
            lane.ready.remove(&item_key);
        }
        let id = item_key.1;
        let slot = self.slots.get_mut(&id)?;
        for &index in &recipients {
            if let Some(phase) = slot.phase.get_mut(index as usize) {
                *phase = Phase::InFlight;
            }
        }
        let batch = Batch {
            id,
            envelope: Arc::clone(&slot.envelope),
            recipients,
            size: slot.entry.size,
        };
        Some((batch, queue))
    }

    /// The next transaction for a running job, on the same connection.
    ///
    /// The job's previous batch MUST have been reported with
    /// [`handle_batch`](Self::handle_batch) first; otherwise, and when the job has sent
    /// its share of messages, the site is backed off, or nothing waits, the answer is
    /// [`NextBatch::Close`].
    #[must_use]
    pub fn next_batch(&mut self, job: JobId, now: Timestamp) -> NextBatch {
        self.set_idle(job, false);
        let Some(state) = self.jobs.get(&job) else {
            return NextBatch::Close;
        };
        if state.current.is_some() {
            return NextBatch::Close;
        }
        let key = state.lane.clone();
        let messages = state.messages;
        let Some(site) = self
            .lanes
            .get(&key)
            .and_then(|lane| self.sites.get(&lane.site))
        else {
            return NextBatch::Close;
        };
        if messages >= site.limits.max_messages_per_connection || site.backoff_until > now {
            return NextBatch::Close;
        }
        match self.take_batch(&key, now) {
            Some((batch, queue)) => {
                if let Some(state) = self.jobs.get_mut(&job) {
                    state.messages += 1;
                }
                self.start_batch(job, &batch, queue, now);
                NextBatch::Batch(batch)
            }
            None => {
                self.set_idle(job, true);
                NextBatch::Idle
            }
        }
    }

    /// Whether work came for an idle job since the last call (the runtime then wakes
    /// its idle jobs to ask [`next_batch`](Self::next_batch) again).
    pub fn take_idle_work(&mut self) -> bool {
        std::mem::take(&mut self.idle_work)
    }

    fn set_idle(&mut self, job: JobId, idle: bool) {
        let Some(state) = self.jobs.get_mut(&job) else {
            return;
        };
        if state.idle == idle {
            return;
        }
        state.idle = idle;
        if let Some(lane) = self.lanes.get_mut(&state.lane) {
            if idle {
                lane.idle += 1;
            } else {
                lane.idle = lane.idle.saturating_sub(1);
            }
        }
    }

    /// Reports the outcome of the job's current batch, one entry per recipient it
    /// carried (a recipient left out counts as deferred). `dsn_owed` says the next hop
    /// does not take over DSN duty (it lacks the DSN extension, or it is a final
    /// delivery by LMTP or a local handler), so recipients that asked for success
    /// notices get one from us.
    pub fn handle_batch(
        &mut self,
        job: JobId,
        outcomes: Vec<(u32, RcptOutcome)>,
        dsn_owed: bool,
        now: Timestamp,
    ) {
        let Some(state) = self.jobs.get_mut(&job) else {
            return;
        };
        let Some((id, recipients, queue)) = state.current.take() else {
            return;
        };
        let site_name = self.lanes.get(&state.lane).map(|lane| lane.site.clone());
        let queue = self.queue(&queue, now);
        queue.in_flight = queue.in_flight.saturating_sub(1);
        let mut delivered_any = false;
        let mut outcomes = outcomes;
        for index in recipients {
            let outcome = match outcomes.iter().position(|(i, _)| *i == index) {
                Some(at) => outcomes.swap_remove(at).1,
                None => RcptOutcome::Deferred(Diagnostic::local(
                    codes::TEMPORARY,
                    "no outcome reported for this recipient",
                )),
            };
            delivered_any |= matches!(outcome, RcptOutcome::Delivered(_));
            self.set_phase(id, index, Phase::Idle);
            if self.slots.contains_key(&id) {
                self.finish_recipient(id, index, outcome, now, dsn_owed);
            }
        }
        if delivered_any && let Some(site) = site_name.and_then(|name| self.sites.get_mut(&name)) {
            site.failures = 0;
        }
        self.visit(id, now);
    }

    /// Ends a job. A batch not reported gets the failure's diagnostic (deferred when
    /// temporary); a temporary failure backs the site off.
    pub fn handle_job_end(&mut self, job: JobId, end: JobEnd, now: Timestamp) {
        self.set_idle(job, false);
        let Some(state) = self.jobs.get(&job) else {
            return;
        };
        let site_name = self.lanes.get(&state.lane).map(|lane| lane.site.clone());
        if let Some((_, recipients, _)) = &state.current {
            let diagnostic = match &end {
                JobEnd::Failed(diagnostic) => diagnostic.clone(),
                JobEnd::Done => Diagnostic::local(
                    EnhancedStatusCode::BAD_CONNECTION,
                    "connection ended before the transaction completed",
                ),
            };
            let outcomes = recipients
                .iter()
                .map(|&i| (i, RcptOutcome::from_diagnostic(diagnostic.clone())))
                .collect();
            self.handle_batch(job, outcomes, false, now);
        }
        self.jobs.remove(&job);
        self.global_connections = self.global_connections.saturating_sub(1);
        let Some(site_name) = site_name else {
            return;
        };
        let backoff = self.config.site_backoff.clone();
        let Some(site) = self.sites.get_mut(&site_name) else {
            return;
        };
        site.connections = site.connections.saturating_sub(1);
        if let JobEnd::Failed(diagnostic) = end
            && !diagnostic.is_permanent()
        {
            site.failures += 1;
            let step = (site.failures as usize - 1).min(backoff.len().saturating_sub(1));
            let wait = backoff.get(step).copied().unwrap_or_default();
            site.backoff_until = now.saturating_add(wait);
            let until = site.backoff_until;
            self.event(
                now,
                EventKind::SiteBackoff {
                    site: site_name,
                    until,
                    diagnostic,
                },
            );
        }
    }
}
