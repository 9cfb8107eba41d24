//! The driver task: runs the scheduler's actions and hands out its events.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use mailwright_auth::dns::Resolver;

use super::{Inner, job, writer};
use crate::dsn::{self, DsnInput};
use crate::mx;
use crate::scheduler::{Action, DsnRequest};
use crate::transport::Transport;

/// The longest the driver sleeps without looking (wall-clock changes, missed wakes).
const MAX_SLEEP: Duration = Duration::from_secs(30);

pub(super) async fn run<R, T>(inner: Arc<Inner<R, T>>)
where
    R: Resolver + 'static,
    T: Transport,
{
    loop {
        let now = inner.clock.now();
        let (actions, events, timeout) = {
            let mut scheduler = inner.lock();
            let actions: Vec<Action> = std::iter::from_fn(|| scheduler.poll_action(now)).collect();
            let events: Vec<_> = std::iter::from_fn(|| scheduler.poll_event()).collect();
            if scheduler.take_idle_work() {
                inner.work.notify_waiters();
            }
            (actions, events, scheduler.poll_timeout())
        };
        for event in &events {
            inner.emit(event);
        }
        for action in actions {
            dispatch(&inner, action);
        }
        if inner.shutdown.load(Ordering::Relaxed) {
            break;
        }
        let sleep = timeout
            .map_or(MAX_SLEEP, |at| at.duration_since(now))
            .clamp(Duration::from_millis(1), MAX_SLEEP);
        tokio::select! {
            () = inner.wake.notified() => {}
            () = tokio::time::sleep(sleep) => {}
        }
    }
}

fn dispatch<R, T>(inner: &Arc<Inner<R, T>>, action: Action)
where
    R: Resolver + 'static,
    T: Transport,
{
    match action {
        Action::Resolve { domain } => {
            let inner = Arc::clone(inner);
            tokio::spawn(async move {
                let mut rng = inner.fork_rng();
                let resolution = mx::resolve_mx(&inner.resolver, &domain, &mut rng).await;
                let now = inner.clock.now();
                inner.lock().handle_resolved(&domain, resolution, now);
                inner.wake.notify_one();
            });
        }
        Action::Deliver(delivery) => {
            tokio::spawn(job::run(Arc::clone(inner), delivery));
        }
        Action::Persist { id, updates } => {
            let _ = inner.writer.send(writer::Write::Persist(id, updates));
        }
        Action::Remove { id } => {
            let _ = inner.writer.send(writer::Write::Remove(id));
        }
        Action::Notify(request) => {
            tokio::spawn(notify(Arc::clone(inner), request));
        }
    }
}

/// Builds and queues a DSN, then tells the scheduler.
async fn notify<R, T>(inner: Arc<Inner<R, T>>, request: DsnRequest)
where
    R: Resolver + 'static,
    T: Transport,
{
    let (entry, retry_until, queue) = {
        let mut scheduler = inner.lock();
        let Some(entry) = scheduler.entry(request.id).cloned() else {
            return;
        };
        let retry_until = scheduler.retry_until(request.id);
        (entry, retry_until, scheduler.dsn_queue().to_owned())
    };
    let spool = Arc::clone(&inner.spool);
    let id = request.id;
    let original = tokio::task::spawn_blocking(move || spool.read_body(id))
        .await
        .ok()
        .and_then(Result::ok);
    let now = inner.clock.now();
    let mut input = DsnInput::new(
        request.kind,
        &entry,
        &request.recipients,
        original.as_deref().unwrap_or(b""),
        &inner.hostname,
        now,
    );
    input.retry_until = retry_until;
    input.queue = &queue;
    let outcome = match dsn::build(&input) {
        // Never happens for requests the scheduler makes (it asks only for a
        // non-null reverse-path); answering keeps the entry from waiting forever.
        None => Some(request.id),
        Some(built) => match inner.create(built.envelope, built.message.into()).await {
            Ok(dsn_entry) => {
                let dsn_id = dsn_entry.id;
                inner.lock().add(dsn_entry, now, true);
                Some(dsn_id)
            }
            Err(_) => None,
        },
    };
    inner
        .lock()
        .handle_notified(&request, outcome, inner.clock.now());
    inner.wake.notify_one();
}
