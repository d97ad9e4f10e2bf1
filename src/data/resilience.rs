//! What keeps the cache honest under load and failure: one Postgres read per key no
//! matter how many requests miss at once, a circuit breaker that stops waiting on an
//! absent Redis, and counters of what happened.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Concurrent calls for one key share the first caller's result.
pub struct SingleFlight<V> {
    calls: Mutex<HashMap<String, Arc<OnceCell<V>>>>,
}

impl<V> Default for SingleFlight<V> {
    fn default() -> Self {
        Self { calls: Mutex::new(HashMap::new()) }
    }
}

impl<V: Clone> SingleFlight<V> {
    /// Runs `work` unless a call for `key` is already under way, in which case its
    /// result is awaited and shared. Finished calls are forgotten: the next caller
    /// runs `work` again.
    pub async fn run<F, Fut>(&self, key: &str, work: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = {
            let mut calls = self.calls.lock().expect("single-flight map");
            calls.entry(key.to_owned()).or_default().clone()
        };
        let value = cell.get_or_init(work).await.clone();
        let mut calls = self.calls.lock().expect("single-flight map");
        if calls.get(key).is_some_and(|current| Arc::ptr_eq(current, &cell)) {
            calls.remove(key);
        }
        value
    }
}

/// Stops calling Redis for a while after it fails, then tries it again.
pub struct CircuitBreaker {
    started: Instant,
    /// Milliseconds since `started` until which Redis is skipped; 0 when closed.
    open_until_ms: AtomicU64,
    cool_down: Duration,
}

impl CircuitBreaker {
    pub fn new(cool_down: Duration) -> Self {
        Self { started: Instant::now(), open_until_ms: AtomicU64::new(0), cool_down }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Whether Redis should be asked now (closed, or the cool-down has passed).
    pub fn allows(&self) -> bool {
        self.now_ms() >= self.open_until_ms.load(Ordering::Relaxed)
    }

    pub fn record_failure(&self) {
        let until = self.now_ms() + self.cool_down.as_millis() as u64;
        self.open_until_ms.store(until, Ordering::Relaxed);
    }

    pub fn record_success(&self) {
        self.open_until_ms.store(0, Ordering::Relaxed);
    }
}

/// How cached reads went, since the process started.
#[derive(Default)]
pub struct CacheCounters {
    /// Answered from Redis.
    pub hits: AtomicU64,
    /// Not in Redis: read from Postgres.
    pub misses: AtomicU64,
    /// Written back to Redis after a miss.
    pub fills: AtomicU64,
    /// Redis failed, timed out or was skipped by the breaker: read from Postgres.
    pub fallbacks: AtomicU64,
    /// Postgres reads actually made (after single-flight sharing).
    pub database_reads: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheCounts {
    pub hits: u64,
    pub misses: u64,
    pub fills: u64,
    pub fallbacks: u64,
    pub database_reads: u64,
}

impl CacheCounters {
    pub fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> CacheCounts {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        CacheCounts {
            hits: read(&self.hits),
            misses: read(&self.misses),
            fills: read(&self.fills),
            fallbacks: read(&self.fallbacks),
            database_reads: read(&self.database_reads),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_calls_share_one_run() {
        let flight = Arc::new(SingleFlight::<u32>::default());
        let runs = Arc::new(AtomicU64::new(0));
        let calls: Vec<_> = (0..50)
            .map(|_| {
                let (flight, runs) = (flight.clone(), runs.clone());
                tokio::spawn(async move {
                    flight
                        .run("k", || async {
                            runs.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            7
                        })
                        .await
                })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap(), 7);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Finished calls are forgotten.
        assert_eq!(flight.run("k", || async { 8 }).await, 8);
    }

    #[test]
    fn the_breaker_opens_on_failure_and_closes_after_the_cool_down() {
        let breaker = CircuitBreaker::new(Duration::from_millis(30));
        assert!(breaker.allows());
        breaker.record_failure();
        assert!(!breaker.allows());
        std::thread::sleep(Duration::from_millis(40));
        assert!(breaker.allows(), "half-open: Redis is tried again");
        breaker.record_success();
        assert!(breaker.allows());
    }
}
