//! The queue service on tokio: [`Queue`] takes messages ([`Queue::enqueue`]), recovers
//! the spool at start, drives the [`Scheduler`] (DNS, delivery jobs over a
//! [`Transport`], spool writes, DSNs), and offers the operations and the event stream.
//!
//! ```text
//!  enqueue ──► Spool::create (fsync) ──► Scheduler::add ─┐
//!                                                         ▼
//!   driver task: poll_action ─► Resolve  ─► mx::resolve_mx ──► handle_resolved
//!                            ─► Deliver  ─► job task: Transport::connect (failover)
//!                                              send / RSET / next_batch / QUIT
//!                            ─► Persist/Remove ─► spool writer (ordered per entry)
//!                            ─► Notify   ─► dsn::build ─► Spool::create ─► add
//!                poll_event  ─► hooks + broadcast subscribers
//! ```

mod driver;
mod job;
mod ops;
mod writer;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use mailwright_auth::dns::Resolver;
use tokio::sync::{Notify, broadcast, mpsc};

pub use ops::EntryFilter;

use crate::entry::QueueEntry;
use crate::envelope::Envelope;
use crate::error::{EnqueueError, SpoolError};
use crate::event::{Event, EventKind};
use crate::id::QueueId;
use crate::route::Router;
use crate::scheduler::{Scheduler, SchedulerConfig};
use crate::spool::{Recovery, Spool};
use crate::time::{Clock, SystemClock};
use crate::transport::{LocalDelivery, Transport};

/// A callback for every event (logging, metrics), called in order from the driver.
pub type EventHook = Arc<dyn Fn(&Event) + Send + Sync>;

/// Builds and starts a [`Queue`].
pub struct QueueBuilder<R, T> {
    spool: Arc<dyn Spool>,
    resolver: R,
    transport: T,
    config: SchedulerConfig,
    router: Router,
    hostname: String,
    clock: Arc<dyn Clock>,
    local: HashMap<String, Arc<dyn LocalDelivery>>,
    hooks: Vec<EventHook>,
    max_message_size: usize,
    seed: u64,
    connection_idle: std::time::Duration,
}

impl<R, T> QueueBuilder<R, T>
where
    R: Resolver + 'static,
    T: Transport,
{
    /// A builder over a spool, a resolver and a transport, with default
    /// configuration, no rules, and `localhost` as the host name.
    pub fn new(spool: Arc<dyn Spool>, resolver: R, transport: T) -> Self {
        Self {
            spool,
            resolver,
            transport,
            config: SchedulerConfig::default(),
            router: Router::new(),
            hostname: "localhost".to_owned(),
            clock: Arc::new(SystemClock),
            local: HashMap::new(),
            hooks: Vec::new(),
            max_message_size: 50 << 20,
            seed: fastrand::u64(..),
            connection_idle: std::time::Duration::from_secs(2),
        }
    }

    /// Sets the scheduler configuration (queues, limits, throttles, backoff).
    pub fn config(mut self, config: SchedulerConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the routing rules.
    pub fn router(mut self, router: Router) -> Self {
        self.router = router;
        self
    }

    /// Sets our host name: the default EHLO name and the DSNs' Reporting-MTA.
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = hostname.into();
        self
    }

    /// Sets the clock (tests use a [`ManualClock`](crate::ManualClock)).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Registers a local-delivery handler for `RouteAction::Local { handler: name }`.
    pub fn local_handler(
        mut self,
        name: impl Into<String>,
        handler: Arc<dyn LocalDelivery>,
    ) -> Self {
        self.local.insert(name.into(), handler);
        self
    }

    /// Calls `hook` with every event.
    pub fn on_event(mut self, hook: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// The largest message [`Queue::enqueue`] takes (50 MiB by default).
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// How long a connection with nothing to send stays open for new mail to its site
    /// (2 s by default, as Postfix's connection cache; zero closes at once).
    pub fn connection_idle(mut self, idle: std::time::Duration) -> Self {
        self.connection_idle = idle;
        self
    }

    /// Fixes the random seed (MX order among equals, retry jitter).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Recovers the spool, schedules every unfinished entry, and starts the driver.
    /// MUST be called within a tokio runtime.
    ///
    /// # Errors
    ///
    /// When the spool as a whole cannot be read.
    pub async fn start(self) -> Result<Queue<R, T>, SpoolError> {
        let spool = Arc::clone(&self.spool);
        let recovery = tokio::task::spawn_blocking(move || spool.recover())
            .await
            .map_err(|_| SpoolError::Read(std::io::Error::other("recovery task failed")))??;
        let (events, _) = broadcast::channel(4096);
        let (writer_tx, writer_rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            scheduler: Mutex::new(Scheduler::new(self.config, self.router, self.seed)),
            spool: self.spool,
            resolver: self.resolver,
            transport: self.transport,
            clock: self.clock,
            hostname: self.hostname,
            local: self.local,
            hooks: self.hooks,
            events,
            wake: Notify::new(),
            work: Notify::new(),
            connection_idle: self.connection_idle,
            shutdown: AtomicBool::new(false),
            writer: writer_tx,
            max_message_size: self.max_message_size,
            rng: Mutex::new(fastrand::Rng::with_seed(self.seed ^ 0x9e37_79b9_7f4a_7c15)),
        });
        let report = inner.adopt(recovery);
        let context = writer::WriterContext {
            spool: Arc::clone(&inner.spool),
            clock: Arc::clone(&inner.clock),
            hooks: inner.hooks.clone(),
            events: inner.events.clone(),
        };
        tokio::spawn(writer::run(context, writer_rx));
        let driver = tokio::spawn(driver::run(Arc::clone(&inner)));
        Ok(Queue {
            inner,
            driver: Arc::new(Mutex::new(Some(driver))),
            recovered: Arc::new(report),
        })
    }
}

impl<R, T> fmt::Debug for QueueBuilder<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueBuilder")
            .field("hostname", &self.hostname)
            .field("router", &self.router)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What the queue found in the spool at start.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Entries scheduled again.
    pub entries: usize,
    /// Damaged entries set aside (also sent as events).
    pub corrupt: Vec<crate::spool::CorruptEntry>,
    /// Leftovers of unfinished enqueues removed.
    pub incomplete_removed: usize,
    /// Torn last records cut off.
    pub torn_tails: usize,
}

/// The running queue; cheap to clone (every clone is the same queue).
pub struct Queue<R, T> {
    inner: Arc<Inner<R, T>>,
    driver: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    recovered: Arc<RecoveryReport>,
}

impl<R, T> Clone for Queue<R, T> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            driver: Arc::clone(&self.driver),
            recovered: Arc::clone(&self.recovered),
        }
    }
}

impl<R, T> fmt::Debug for Queue<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("hostname", &self.inner.hostname)
            .finish_non_exhaustive()
    }
}

impl<R, T> Queue<R, T>
where
    R: Resolver + 'static,
    T: Transport,
{
    /// Stores a message durably and schedules it; returns its id only once the body and
    /// envelope are fsynced (file and directory). An SMTP server answers 250 after this
    /// returns, and `Reply::from(&error)` (see [`EnqueueError`]) when it fails.
    ///
    /// # Errors
    ///
    /// [`EnqueueError::StorageFull`] (452 4.3.1), [`EnqueueError::Storage`]
    /// (451 4.3.0), [`EnqueueError::NoRecipients`], [`EnqueueError::TooLarge`],
    /// [`EnqueueError::ShuttingDown`].
    pub async fn enqueue(
        &self,
        envelope: Envelope,
        body: impl Into<Arc<[u8]>>,
    ) -> Result<QueueId, EnqueueError> {
        let body: Arc<[u8]> = body.into();
        if envelope.recipients.is_empty() {
            return Err(EnqueueError::NoRecipients);
        }
        if body.len() > self.inner.max_message_size {
            return Err(EnqueueError::TooLarge);
        }
        if self.inner.shutdown.load(Ordering::Relaxed) {
            return Err(EnqueueError::ShuttingDown);
        }
        let entry = self.inner.create(envelope, body).await?;
        let id = entry.id;
        let now = self.inner.clock.now();
        self.inner.lock().add(entry, now, true);
        self.inner.wake.notify_one();
        Ok(id)
    }

    /// Subscribes to the event stream (a lagging subscriber loses the oldest events;
    /// use [`QueueBuilder::on_event`] for a hook that sees every event).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    /// What recovery found at start.
    pub fn recovery(&self) -> &RecoveryReport {
        &self.recovered
    }

    /// Our host name.
    pub fn hostname(&self) -> &str {
        &self.inner.hostname
    }

    /// Makes the driver look at the queue now (after a [`ManualClock`](crate::ManualClock)
    /// was moved, for example).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops taking messages and stops the driver; jobs running finish their current
    /// transaction on their own. Entries stay in the spool for the next start.
    pub async fn shutdown(&self) {
        self.inner.shutdown.store(true, Ordering::Relaxed);
        self.inner.wake.notify_one();
        let handle = self
            .driver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            let _ = handle.await;
        }
    }
}

/// The shared state of a queue.
struct Inner<R, T> {
    scheduler: Mutex<Scheduler>,
    spool: Arc<dyn Spool>,
    resolver: R,
    transport: T,
    clock: Arc<dyn Clock>,
    hostname: String,
    local: HashMap<String, Arc<dyn LocalDelivery>>,
    hooks: Vec<EventHook>,
    events: broadcast::Sender<Event>,
    wake: Notify,
    /// Wakes idle connections when their site has mail.
    work: Notify,
    connection_idle: std::time::Duration,
    shutdown: AtomicBool,
    writer: mpsc::UnboundedSender<writer::Write>,
    max_message_size: usize,
    rng: Mutex<fastrand::Rng>,
}

impl<R, T> Inner<R, T>
where
    R: Resolver + 'static,
    T: Transport,
{
    fn lock(&self) -> MutexGuard<'_, Scheduler> {
        self.scheduler
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates an entry in the spool on the blocking pool.
    async fn create(&self, envelope: Envelope, body: Arc<[u8]>) -> Result<QueueEntry, SpoolError> {
        let spool = Arc::clone(&self.spool);
        let now = self.clock.now();
        tokio::task::spawn_blocking(move || spool.create(envelope, &body, now))
            .await
            .map_err(|_| SpoolError::Write(std::io::Error::other("spool task failed")))?
    }

    /// Takes recovered entries into the scheduler and reports damaged ones.
    fn adopt(&self, recovery: Recovery) -> RecoveryReport {
        let now = self.clock.now();
        let report = RecoveryReport {
            entries: recovery.entries.len(),
            corrupt: recovery.corrupt.clone(),
            incomplete_removed: recovery.incomplete_removed,
            torn_tails: recovery.torn_tails,
        };
        for entry in recovery.corrupt {
            self.emit(&Event {
                time: now,
                kind: EventKind::Corrupt { entry },
            });
        }
        let mut scheduler = self.lock();
        for entry in recovery.entries {
            scheduler.add(entry, now, false);
        }
        report
    }

    fn fork_rng(&self) -> fastrand::Rng {
        self.rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .fork()
    }

    fn emit(&self, event: &Event) {
        for hook in &self.hooks {
            hook(event);
        }
        let _ = self.events.send(event.clone());
    }
}
