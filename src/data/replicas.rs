//! PostgreSQL read replicas (issue 27): lists, dashboards, Customer360, reports and exports read
//! from a streaming replica when one is configured and caught up; everything else, and
//! every read that must see the request's own writes, goes to the primary.
//!
//! A watcher compares each replica's replayed WAL position with the primary's every
//! `WATCH_EVERY`: a replica is used while it has replayed what the primary had written
//! `max_lag` ago. One that lags further, or does not answer, is skipped (the primary
//! answers) until it catches up again. A read that fails because its replica went away
//! mid-way is run again on the primary, so stopping a replica fails no request.

use super::{sql, Store};
use sqlx::PgPool;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the watcher samples the primary and each replica.
pub const WATCH_EVERY: Duration = Duration::from_millis(200);

/// One replica: its pool and whether reads may go to it now.
struct Replica {
    /// For logs: the URL without its password.
    name: String,
    pool: PgPool,
    usable: AtomicBool,
    /// The primary's WAL positions not yet replayed here, oldest first, with when each
    /// was seen: the oldest one's age is how far behind the replica is.
    unreplayed: Mutex<VecDeque<(i64, Instant)>>,
}

/// The replicas of one store and what they have served.
pub(crate) struct Replicas {
    replicas: Vec<Replica>,
    next: AtomicUsize,
    max_lag: Duration,
    reads: AtomicU64,
    fallbacks: AtomicU64,
}

/// Reads answered by replicas and by the primary in their place, since start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplicaReads {
    pub on_replica: u64,
    pub on_primary_instead: u64,
}

impl Replicas {
    pub(crate) fn new(pools: Vec<(String, PgPool)>, max_lag: Duration) -> Self {
        let replicas = pools
            .into_iter()
            .map(|(name, pool)| Replica {
                name,
                pool,
                // Unused until the watcher has seen it caught up.
                usable: AtomicBool::new(false),
                unreplayed: Mutex::new(VecDeque::new()),
            })
            .collect();
        Self { replicas, next: AtomicUsize::new(0), max_lag, reads: AtomicU64::new(0), fallbacks: AtomicU64::new(0) }
    }

    /// A usable replica, in turn; `None` when none is.
    fn pick(&self) -> Option<&Replica> {
        let count = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count).map(|offset| &self.replicas[(start + offset) % count]).find(|r| r.usable.load(Ordering::Relaxed))
    }

    fn set_unusable(&self, replica: &Replica, reason: &str) {
        if replica.usable.swap(false, Ordering::Relaxed) {
            tracing::warn!(replica = replica.name, reason, "replica skipped; the primary answers its reads");
        }
    }

    pub(crate) fn reads(&self) -> ReplicaReads {
        ReplicaReads {
            on_replica: self.reads.load(Ordering::Relaxed),
            on_primary_instead: self.fallbacks.load(Ordering::Relaxed),
        }
    }

    /// One round of the watcher: the primary's position, then each replica's.
    async fn sample(&self, primary: &Store) {
        let primary_position = match wal_position(primary, "pg_current_wal_lsn()").await {
            Ok(position) => position,
            // Without the primary nothing is known; the replicas keep their state.
            Err(error) => return tracing::debug!(%error, "the primary's WAL position could not be read"),
        };
        let now = Instant::now();
        for replica in &self.replicas {
            let replayed = match replica.pool.begin().await {
                Ok(mut tx) => {
                    sql::query_scalar::<i64>("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
                        .fetch_one(&mut *tx)
                        .await
                }
                Err(error) => Err(error),
            };
            let replayed = match replayed {
                Ok(replayed) => replayed,
                Err(error) => {
                    self.set_unusable(replica, &error.to_string());
                    continue;
                }
            };
            let behind = {
                let mut unreplayed = replica.unreplayed.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if unreplayed.back().is_none_or(|(position, _)| *position < primary_position) {
                    unreplayed.push_back((primary_position, now));
                }
                while unreplayed.front().is_some_and(|(position, _)| *position <= replayed) {
                    unreplayed.pop_front();
                }
                unreplayed.front().map_or(Duration::ZERO, |(_, seen)| now.duration_since(*seen))
            };
            if behind > self.max_lag {
                self.set_unusable(replica, &format!("{} ms behind the primary", behind.as_millis()));
            } else if !replica.usable.swap(true, Ordering::Relaxed) {
                tracing::info!(replica = replica.name, "replica caught up; reads go to it");
            }
        }
    }
}

async fn wal_position(store: &Store, function: &str) -> Result<i64, sqlx::Error> {
    let mut tx = store.begin().await?;
    sql::query_scalar::<i64>(&format!("SELECT ({function} - '0/0'::pg_lsn)::bigint")).fetch_one(&mut *tx).await
}

/// Samples the primary and the replicas for as long as the store lives.
pub(crate) fn watch(store: Store, replicas: Arc<Replicas>) {
    let replicas = Arc::downgrade(&replicas);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(WATCH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            // The store (and its replicas) dropped: nothing left to watch.
            let Some(replicas) = replicas.upgrade() else { return };
            replicas.sample(&store).await;
        }
    });
}

/// Whether an error says the server (not the query) failed: the read can be run again
/// elsewhere. Shutdowns (57P..), lost connections (08...), and a standby cancelling a
/// query that conflicts with what it replays (40001).
pub trait ServerUnavailable {
    fn server_unavailable(&self) -> bool;
}

impl ServerUnavailable for sqlx::Error {
    fn server_unavailable(&self) -> bool {
        match self {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_) => true,
            sqlx::Error::Database(error) => {
                error.code().is_some_and(|code| code.starts_with("57P") || code.starts_with("08") || code == "40001")
            }
            _ => false,
        }
    }
}

impl Store {
    /// A transaction for a read that streams its rows out as it goes (an export): on a
    /// caught-up replica, else the primary. Unlike `on_replica`'s reads it cannot be run
    /// again elsewhere once rows have left, so only a replica that fails to open the
    /// transaction is skipped; one that fails mid-stream fails that read, as the
    /// primary would.
    pub(crate) async fn begin_streaming_read(&self) -> Result<super::Tx, sqlx::Error> {
        if let Some(replicas) = &self.replicas {
            match replicas.pick() {
                Some(replica) => match self.reading_from(&replica.pool).begin().await {
                    Ok(transaction) => {
                        replicas.reads.fetch_add(1, Ordering::Relaxed);
                        return Ok(transaction);
                    }
                    Err(error) if error.server_unavailable() => {
                        replicas.set_unusable(replica, "a streaming read could not start on it");
                        replicas.fallbacks.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(error) => return Err(error),
                },
                None => {
                    replicas.fallbacks.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        self.reading_from_primary().begin().await
    }

    /// Runs `read` on a caught-up replica, or on the primary when none is configured or
    /// usable, or when the replica fails under it. `read` must only read, and must not
    /// need to see writes of the same request.
    pub async fn on_replica<S, T, E, F, Fut>(&self, this: &S, read: F) -> Result<T, E>
    where
        S: ReadRouted,
        E: ServerUnavailable,
        F: Fn(S) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(replicas) = &self.replicas {
            if let Some(replica) = replicas.pick() {
                match read(this.reading_from(&replica.pool)).await {
                    Err(error) if error.server_unavailable() => {
                        replicas.set_unusable(replica, "a read failed on it");
                        replicas.fallbacks.fetch_add(1, Ordering::Relaxed);
                    }
                    outcome => {
                        replicas.reads.fetch_add(1, Ordering::Relaxed);
                        return outcome;
                    }
                }
            } else {
                replicas.fallbacks.fetch_add(1, Ordering::Relaxed);
            }
        }
        read(this.reading_from_primary()).await
    }

    /// Reads answered by replicas, and by the primary in their place (zero without replicas).
    pub fn replica_reads(&self) -> ReplicaReads {
        self.replicas.as_ref().map(|replicas| replicas.reads()).unwrap_or_default()
    }
}

/// A store whose transactions can be sent to a replica's pool instead of the primary's.
pub trait ReadRouted: Sized {
    fn reading_from(&self, pool: &PgPool) -> Self;
    fn reading_from_primary(&self) -> Self;
}
