//! A TTL cache around any [`Resolver`], with negative caching (RFC 2308).
//!
//! Answers (records, NXDOMAIN, no data) are kept for their TTL, bounded by
//! [`Cache::set_max_ttl`] / [`Cache::set_max_negative_ttl`]; temporary failures are
//! never cached. Time comes from a [`Clock`], so tests move it by hand.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::dns::resolver::{DnsError, Lookup, Rdata, RecordType, Resolver, SharedLookup};

/// A monotonic clock in whole seconds from an arbitrary start.
pub trait Clock: Send + Sync {
    /// Seconds since this clock's start; never decreases.
    fn now_secs(&self) -> u64;
}

/// A clock moved by hand (tests, simulations); clones share the same time.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    secs: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at second 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward.
    pub fn advance(&self, secs: u64) {
        self.secs.fetch_add(secs, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now_secs(&self) -> u64 {
        self.secs.load(Ordering::Relaxed)
    }
}

/// The tokio runtime's clock (pausable in tests with `tokio::time::pause`).
#[cfg(feature = "tokio")]
#[derive(Clone, Copy, Debug)]
pub struct TokioClock {
    start: tokio::time::Instant,
}

#[cfg(feature = "tokio")]
impl TokioClock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: tokio::time::Instant::now(),
        }
    }
}

#[cfg(feature = "tokio")]
impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "tokio")]
impl Clock for TokioClock {
    fn now_secs(&self) -> u64 {
        self.start.elapsed().as_secs()
    }
}

/// A TTL cache in front of a resolver; cheap to clone (clones share the entries).
///
/// ```
/// use mailwright_auth::dns::{Cache, ManualClock, Resolver, Zone};
///
/// let zone = Zone::parse("example.com. 60 A 192.0.2.1\n").unwrap();
/// let clock = ManualClock::new();
/// let cache = Cache::new(zone, clock.clone());
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(cache.a("example.com").await.unwrap().ttl, 60);
/// clock.advance(45);
/// assert_eq!(cache.a("example.com").await.unwrap().ttl, 15); // from the cache
/// # });
/// ```
pub struct Cache<R, C> {
    inner: R,
    clock: C,
    shared: Arc<Shared>,
}

struct Shared {
    entries: Mutex<HashMap<(String, RecordType), Entry>>,
    limits: Limits,
}

#[derive(Clone, Copy)]
struct Limits {
    max_entries: usize,
    max_ttl: u32,
    max_negative_ttl: u32,
}

struct Entry {
    expires: u64,
    /// Records are shared with the callers of [`Resolver::query_shared`].
    answer: Result<SharedLookup, DnsError>,
}

impl<R: Resolver, C: Clock> Cache<R, C> {
    /// A cache of at most 10,000 answers, positive TTLs capped at one day and negative
    /// TTLs at one hour.
    pub fn new(inner: R, clock: C) -> Self {
        Self {
            inner,
            clock,
            shared: Arc::new(Shared {
                entries: Mutex::new(HashMap::new()),
                limits: Limits {
                    max_entries: 10_000,
                    max_ttl: 86_400,
                    max_negative_ttl: 3_600,
                },
            }),
        }
    }

    /// Sets the largest number of cached answers (before this cache is shared).
    pub fn set_max_entries(&mut self, max: usize) -> &mut Self {
        self.limits_mut(|limits| limits.max_entries = max);
        self
    }

    /// Caps the time positive answers are kept (before this cache is shared).
    pub fn set_max_ttl(&mut self, secs: u32) -> &mut Self {
        self.limits_mut(|limits| limits.max_ttl = secs);
        self
    }

    /// Caps the time NXDOMAIN and no-data answers are kept (before this cache is
    /// shared).
    pub fn set_max_negative_ttl(&mut self, secs: u32) -> &mut Self {
        self.limits_mut(|limits| limits.max_negative_ttl = secs);
        self
    }

    /// The number of answers held now (expired ones included until evicted).
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every cached answer.
    pub fn clear(&self) {
        self.entries().clear();
    }

    fn limits_mut(&mut self, change: impl FnOnce(&mut Limits)) {
        let mut limits = self.shared.limits;
        change(&mut limits);
        let entries = std::mem::take(&mut *self.entries());
        self.shared = Arc::new(Shared {
            entries: Mutex::new(entries),
            limits,
        });
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<(String, RecordType), Entry>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.shared
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn cached(&self, key: &(String, RecordType)) -> Option<Result<SharedLookup, DnsError>> {
        let now = self.clock.now_secs();
        let entries = self.entries();
        let entry = entries.get(key).filter(|entry| entry.expires > now)?;
        let left = u32::try_from(entry.expires - now).unwrap_or(u32::MAX);
        Some(match &entry.answer {
            Ok(lookup) => Ok(lookup.with_ttl(left)),
            Err(DnsError::NxDomain { .. }) => Err(DnsError::NxDomain { negative_ttl: left }),
            Err(DnsError::NoData { .. }) => Err(DnsError::NoData { negative_ttl: left }),
            Err(err) => Err(err.clone()),
        })
    }

    fn store(&self, key: (String, RecordType), answer: &Result<SharedLookup, DnsError>) {
        let limits = self.shared.limits;
        let ttl = match answer {
            Ok(lookup) => lookup.ttl.min(limits.max_ttl),
            Err(err) => match err.negative_ttl() {
                Some(ttl) => ttl.min(limits.max_negative_ttl),
                None => return,
            },
        };
        if ttl == 0 || limits.max_entries == 0 {
            return;
        }
        let now = self.clock.now_secs();
        let mut entries = self.entries();
        if entries.len() >= limits.max_entries && !entries.contains_key(&key) {
            entries.retain(|_, entry| entry.expires > now);
            if entries.len() >= limits.max_entries {
                let soonest = entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.expires)
                    .map(|(key, _)| key.clone());
                if let Some(soonest) = soonest {
                    entries.remove(&soonest);
                }
            }
        }
        entries.insert(
            key,
            Entry {
                expires: now + u64::from(ttl),
                answer: answer.clone(),
            },
        );
    }
}

impl<R: Resolver, C: Clock> Resolver for Cache<R, C> {
    fn query(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<Lookup<Rdata>, DnsError>> + Send {
        let shared = self.query_shared(name, rtype);
        async move { shared.await.map(|shared| shared.to_lookup()) }
    }

    fn query_shared(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<SharedLookup, DnsError>> + Send {
        let key = (name.to_owned(), rtype);
        async move {
            if let Some(answer) = self.cached(&key) {
                return answer;
            }
            let answer = self.inner.query_shared(&key.0, rtype).await;
            self.store(key, &answer);
            answer
        }
    }
}

impl<R: Clone, C: Clone> Clone for Cache<R, C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            clock: self.clock.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<R: fmt::Debug, C> fmt::Debug for Cache<R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("inner", &self.inner)
            .field("max_entries", &self.shared.limits.max_entries)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::dns::Zone;

    /// Counts the queries that reach the zone.
    #[derive(Clone)]
    struct Counting {
        zone: Zone,
        count: Arc<AtomicUsize>,
    }

    impl Resolver for Counting {
        fn query(
            &self,
            name: &str,
            rtype: RecordType,
        ) -> impl Future<Output = Result<Lookup<Rdata>, DnsError>> + Send {
            self.count.fetch_add(1, Ordering::Relaxed);
            self.zone.query(name, rtype)
        }
    }

    fn setup() -> (Cache<Counting, ManualClock>, ManualClock, Arc<AtomicUsize>) {
        let zone = Zone::parse(
            "a.example. 60 A 192.0.2.1\nslow.example. TIMEOUT\nzero.example. 0 A 192.0.2.2\n",
        )
        .unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        let clock = ManualClock::new();
        let inner = Counting {
            zone,
            count: Arc::clone(&count),
        };
        (Cache::new(inner, clock.clone()), clock, count)
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn positive_answers_live_for_their_ttl() {
        let (cache, clock, count) = setup();
        block_on(async {
            assert_eq!(cache.a("a.example").await.unwrap().ttl, 60);
            clock.advance(59);
            assert_eq!(cache.a("A.example.").await.unwrap().ttl, 1);
            assert_eq!(count.load(Ordering::Relaxed), 1);
            clock.advance(1);
            assert_eq!(cache.a("a.example").await.unwrap().ttl, 60);
            assert_eq!(count.load(Ordering::Relaxed), 2);
            // TTL 0 is never cached.
            cache.a("zero.example").await.unwrap();
            cache.a("zero.example").await.unwrap();
            assert_eq!(count.load(Ordering::Relaxed), 4);
        });
    }

    #[test]
    fn negative_answers_are_cached_failures_are_not() {
        let (cache, clock, count) = setup();
        block_on(async {
            assert!(cache.a("none.example").await.unwrap_err().is_nxdomain());
            assert!(cache.txt("a.example").await.unwrap_err().is_no_data());
            clock.advance(100);
            assert_eq!(
                cache.a("none.example").await,
                Err(DnsError::NxDomain { negative_ttl: 200 })
            );
            assert!(cache.txt("a.example").await.unwrap_err().is_no_data());
            assert_eq!(count.load(Ordering::Relaxed), 2);
            assert_eq!(cache.txt("slow.example").await, Err(DnsError::Timeout));
            assert_eq!(cache.txt("slow.example").await, Err(DnsError::Timeout));
            assert_eq!(count.load(Ordering::Relaxed), 4);
        });
    }

    #[test]
    fn shared_answers_are_kept_not_copied() {
        // `Counting` answers `query` only: the cache gets shared answers from the
        // trait's default `query_shared`.
        let (cache, clock, count) = setup();
        block_on(async {
            let first = cache
                .query_shared("a.example", RecordType::A)
                .await
                .unwrap();
            clock.advance(20);
            let again = cache
                .query_shared("a.example", RecordType::A)
                .await
                .unwrap();
            assert!(Arc::ptr_eq(&first.records, &again.records));
            assert_eq!((first.ttl, again.ttl), (60, 40));
            assert_eq!(
                cache.query("a.example", RecordType::A).await,
                Ok(again.to_lookup())
            );
            assert_eq!(count.load(Ordering::Relaxed), 1);
        });
    }

    #[test]
    fn size_and_ttl_limits_hold() {
        let (mut cache, clock, count) = setup();
        cache.set_max_entries(1).set_max_negative_ttl(10);
        block_on(async {
            cache.a("a.example").await.unwrap();
            let _ = cache.a("none.example").await;
            assert_eq!(cache.len(), 1);
            clock.advance(10);
            let _ = cache.a("none.example").await;
            assert_eq!(count.load(Ordering::Relaxed), 3);
            cache.clear();
            assert!(cache.is_empty());
        });
    }
}
