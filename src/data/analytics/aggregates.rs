//! Seed 004's aggregates (issue 24): the functions that compute them (migration 20),
//! the summaries they read from `raw_data_backup` (each import, each transaction load,
//! each minute of the API's lookups), the scheduler's slot claims and the nightly
//! cleanups.
//!
//! The API's counters are kept per organization in memory (a few atomics per request)
//! and written once a minute by each `serve` process as one `raw_data_backup` row per
//! organization that was asked something; `aggregate_hourly_data` adds them up.

use crate::data::{sql, OrganizationStore, Store};
use crate::domain::analytics::aggregates::{source, AggregatePoint, Channel};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use uuid::Uuid;

/// Upper bounds of the latency buckets, in milliseconds (those of `/metrics`); slower
/// calls are counted under the window's slowest call.
pub const LATENCY_BOUNDS_MS: [f64; 18] =
    [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0];

/// One organization's counters since the last write.
#[derive(Default)]
struct OrganizationLookups {
    api_calls: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    /// One per bound of `LATENCY_BOUNDS_MS`, then the calls slower than the last.
    latency: [AtomicU64; LATENCY_BOUNDS_MS.len() + 1],
    slowest_micros: AtomicU64,
}

/// The API's lookups per organization, since the last [`LookupCounts::take`].
#[derive(Default)]
pub struct LookupCounts {
    organizations: RwLock<HashMap<Uuid, Arc<OrganizationLookups>>>,
}

/// What one organization's lookups were over one window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LookupWindow {
    pub api_calls: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub latency: [u64; LATENCY_BOUNDS_MS.len() + 1],
    pub slowest_ms: f64,
}

impl LookupCounts {
    fn of(&self, organization: Uuid) -> Arc<OrganizationLookups> {
        if let Some(counts) = self.organizations.read().ok().and_then(|map| map.get(&organization).cloned()) {
            return counts;
        }
        match self.organizations.write() {
            Ok(mut map) => map.entry(organization).or_default().clone(),
            // A panic while holding the lock lost nothing but counts: start afresh.
            Err(poisoned) => poisoned.into_inner().entry(organization).or_default().clone(),
        }
    }

    /// An API call of `organization` answered in `elapsed`.
    pub fn api_call(&self, organization: Uuid, elapsed: Duration) {
        let counts = self.of(organization);
        counts.api_calls.fetch_add(1, Ordering::Relaxed);
        let ms = elapsed.as_secs_f64() * 1000.0;
        let bucket = LATENCY_BOUNDS_MS.iter().position(|bound| ms <= *bound).unwrap_or(LATENCY_BOUNDS_MS.len());
        counts.latency[bucket].fetch_add(1, Ordering::Relaxed);
        counts.slowest_micros.fetch_max(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// A cached read of `organization`: found in Redis or not.
    pub fn cache_read(&self, organization: Uuid, hit: bool) {
        let counts = self.of(organization);
        let counter = if hit { &counts.cache_hits } else { &counts.cache_misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The windows since the last call (organizations with something to tell), counters
    /// back to zero.
    pub fn take(&self) -> Vec<(Uuid, LookupWindow)> {
        let organizations: Vec<(Uuid, Arc<OrganizationLookups>)> = match self.organizations.read() {
            Ok(map) => map.iter().map(|(id, counts)| (*id, counts.clone())).collect(),
            Err(poisoned) => poisoned.into_inner().iter().map(|(id, counts)| (*id, counts.clone())).collect(),
        };
        organizations
            .into_iter()
            .filter_map(|(id, counts)| {
                let take = |counter: &AtomicU64| counter.swap(0, Ordering::Relaxed);
                let mut window = LookupWindow {
                    api_calls: take(&counts.api_calls),
                    cache_hits: take(&counts.cache_hits),
                    cache_misses: take(&counts.cache_misses),
                    slowest_ms: take(&counts.slowest_micros) as f64 / 1000.0,
                    ..LookupWindow::default()
                };
                for (taken, counter) in window.latency.iter_mut().zip(&counts.latency) {
                    *taken = take(counter);
                }
                (!window.is_empty()).then_some((id, window))
            })
            .collect()
    }
}

impl LookupWindow {
    pub fn is_empty(&self) -> bool {
        self.api_calls == 0 && self.cache_hits == 0 && self.cache_misses == 0
    }

    /// The `raw_data_backup.raw_data` of the window: the counts under `metrics` (summed by
    /// the hour), the latency histogram as {"<bound in ms>": calls}, slower calls under
    /// the window's slowest.
    pub fn raw_data(&self, window: Duration) -> serde_json::Value {
        let mut buckets = serde_json::Map::new();
        for (index, calls) in self.latency.iter().enumerate().filter(|(_, calls)| **calls > 0) {
            let bound = LATENCY_BOUNDS_MS.get(index).copied().unwrap_or(self.slowest_ms);
            let key = format!("{bound}");
            let before = buckets.get(&key).and_then(serde_json::Value::as_u64).unwrap_or(0);
            buckets.insert(key, serde_json::json!(before + calls));
        }
        serde_json::json!({
            "metrics": {
                "api_calls": self.api_calls,
                "cache_hits": self.cache_hits,
                "cache_misses": self.cache_misses,
            },
            "latency_ms_buckets": buckets,
            "latency_ms_max": self.slowest_ms,
            "window_seconds": window.as_secs(),
        })
    }
}

/// A load's summary row, in the load's own transaction (`load_transactions`): it is
/// there exactly when the rows are.
pub(crate) async fn record_transaction_load(
    conn: &mut PgConnection,
    organization: Uuid,
    rows: u64,
    first_day: NaiveDate,
    last_day: NaiveDate,
) -> Result<(), sqlx::Error> {
    let raw = serde_json::json!({
        "metrics": { "transactions_loaded": rows },
        "first_day": first_day.to_string(),
        "last_day": last_day.to_string(),
    });
    sql::query(
        "INSERT INTO raw_data_backup (organization_id, source, raw_data, fetched_at) VALUES ($1, $2, $3, clock_timestamp())",
    )
    .bind(organization)
    .bind(source::TRANSACTIONS)
    .bind(raw)
    .execute(conn)
    .await?;
    Ok(())
}

/// What the nightly cleanup removed. (Idle live sessions are each organization's nightly
/// hook, `page_views::clean_up_sessions`.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CleanupReport {
    pub job_runs: i32,
}

impl Store {
    pub fn lookup_counts(&self) -> &Arc<LookupCounts> {
        &self.lookup_counts
    }

    /// Writes the lookups counted since the last call, one `raw_data_backup` row per
    /// organization. Returns the rows written; an organization whose row cannot be
    /// written loses that window (logged), the others are written.
    pub async fn persist_lookup_counts(&self, window: Duration) -> usize {
        let mut written = 0;
        for (organization, counts) in self.lookup_counts.take() {
            let store = self.for_organization_id(organization);
            match store.insert_raw_data(organization, source::LOOKUPS, counts.raw_data(window)).await {
                Ok(()) => written += 1,
                Err(error) => {
                    tracing::warn!(%organization, %error, "a minute of the API's counters could not be written")
                }
            }
        }
        written
    }

    async fn insert_raw_data(
        &self,
        organization: Uuid,
        source: &str,
        raw_data: serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        sql::query(
            "INSERT INTO raw_data_backup (organization_id, source, raw_data, fetched_at) VALUES ($1, $2, $3, clock_timestamp())",
        )
        .bind(organization)
        .bind(source)
        .bind(raw_data)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Seed 004 §7.1's three cleanups (every organization's rows), then the scheduler's
    /// claims older than 30 days.
    pub async fn cleanup_analytics(&self) -> Result<CleanupReport, sqlx::Error> {
        let mut tx = self.begin().await?;
        for cleanup in [
            "SELECT cleanup_old_hourly_aggregates()",
            "SELECT cleanup_old_daily_aggregates()",
            "SELECT cleanup_old_raw_data_backup()",
        ] {
            sql::query(cleanup).execute(&mut *tx).await?;
        }
        let job_runs = sql::query_scalar("SELECT cleanup_old_scheduled_job_runs()").fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(CleanupReport { job_runs })
    }

    /// The aggregates' yearly partitions from `first_year` to `last_year` that are missing.
    pub async fn ensure_analytics_partitions(&self, first_year: i32, last_year: i32) -> Result<i32, sqlx::Error> {
        let mut tx = self.begin().await?;
        let created = sql::query_scalar("SELECT ensure_analytics_partitions($1, $2)")
            .bind(first_year)
            .bind(last_year)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Whether this caller (`holder`) is the first to claim `slot` of `job`: the one that runs it.
    pub async fn claim_scheduled_slot(
        &self,
        job: &str,
        slot: DateTime<Utc>,
        holder: &str,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
        let claimed = sql::query_scalar("SELECT claim_scheduled_slot($1, $2, $3)")
            .bind(job)
            .bind(slot)
            .bind(holder)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// The holder's run of the slot ended; `failure` says why it failed.
    pub async fn finish_scheduled_slot(
        &self,
        job: &str,
        slot: DateTime<Utc>,
        holder: &str,
        failure: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        sql::query("SELECT finish_scheduled_slot($1, $2, $3, $4)")
            .bind(job)
            .bind(slot)
            .bind(holder)
            .bind(failure)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}

impl OrganizationStore {
    /// Seed 004's `aggregate_hourly_data`: today's hours of every channel.
    pub async fn aggregate_hourly_data(&self) -> Result<(), sqlx::Error> {
        self.call_aggregation("SELECT aggregate_hourly_data($1)").await
    }

    /// Seed 004's `aggregate_daily_data`: yesterday and today of every channel.
    pub async fn aggregate_daily_data(&self) -> Result<(), sqlx::Error> {
        self.call_aggregation("SELECT aggregate_daily_data($1)").await
    }

    async fn call_aggregation(&self, statement: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        sql::query(statement).bind(self.organization.id).execute(&mut *tx).await?;
        tx.commit().await
    }

    /// The daily aggregates of the last `days` days, today included (at most
    /// `MAX_BACKFILL_DAYS`): the history charts and insights read after a first load.
    /// Returns the rows written or changed.
    pub async fn backfill_daily_aggregates(&self, days: u32) -> Result<i32, sqlx::Error> {
        let mut tx = self.begin().await?;
        let written = sql::query_scalar("SELECT backfill_daily_aggregates($1, $2)")
            .bind(self.organization.id)
            .bind(i32::try_from(days).unwrap_or(i32::MAX))
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(written)
    }

    /// A summary of something that brought data in (`raw_data` = {"metrics": {…}, …}),
    /// fetched now.
    pub async fn record_raw_data(&self, source: &str, raw_data: serde_json::Value) -> Result<(), sqlx::Error> {
        self.insert_raw_data(self.organization.id, source, raw_data).await
    }

    /// The organization's hourly aggregates of `channel` (every metric, or those named),
    /// oldest first.
    pub async fn hourly_aggregates(
        &self,
        channel: Channel,
        metrics: &[&str],
    ) -> Result<Vec<AggregatePoint>, sqlx::Error> {
        let rows: Vec<(String, String, DateTime<Utc>, f64)> = sql::query_as(
            "SELECT channel::text, metric::text, timestamp, value::float8 FROM hourly_aggregates
             WHERE organization_id = $1 AND channel = $2 AND (cardinality($3::text[]) = 0 OR metric = ANY($3))
             ORDER BY timestamp, metric",
        )
        .bind(self.organization.id)
        .bind(channel.as_str())
        .bind(metrics)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(channel, metric, at, value)| AggregatePoint { channel, metric, period: at.to_rfc3339(), value })
            .collect())
    }

    /// The organization's daily aggregates of `channel` from `from` to `until` (both
    /// included; every metric, or those named), oldest first.
    pub async fn daily_aggregates(
        &self,
        channel: Channel,
        metrics: &[&str],
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<AggregatePoint>, sqlx::Error> {
        let rows: Vec<(String, String, NaiveDate, f64)> = sql::query_as(
            "SELECT channel::text, metric::text, date, value::float8 FROM daily_aggregates
             WHERE organization_id = $1 AND channel = $2 AND (cardinality($3::text[]) = 0 OR metric = ANY($3))
               AND date BETWEEN $4 AND $5
             ORDER BY date, metric",
        )
        .bind(self.organization.id)
        .bind(channel.as_str())
        .bind(metrics)
        .bind(from)
        .bind(until)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(channel, metric, day, value)| AggregatePoint { channel, metric, period: day.to_string(), value })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_each_organization_apart_and_starts_again_at_zero() {
        let counts = LookupCounts::default();
        let (ours, theirs) = (Uuid::from_u128(1), Uuid::from_u128(2));
        counts.api_call(ours, Duration::from_micros(400));
        counts.api_call(ours, Duration::from_micros(400));
        counts.api_call(ours, Duration::from_secs(7));
        counts.cache_read(ours, true);
        counts.cache_read(theirs, false);
        let mut windows = counts.take();
        windows.sort_by_key(|(id, _)| *id);
        assert_eq!(windows.len(), 2);
        let (_, window) = &windows[0];
        assert_eq!((window.api_calls, window.cache_hits, window.cache_misses), (3, 1, 0));
        assert_eq!(window.latency[4], 2, "0.4 ms falls under the 0.5 ms bound");
        assert_eq!(window.latency[LATENCY_BOUNDS_MS.len()], 1);
        let raw = window.raw_data(Duration::from_secs(60));
        assert_eq!(raw["metrics"]["api_calls"], 3);
        assert_eq!(raw["latency_ms_buckets"]["0.5"], 2);
        assert_eq!(raw["latency_ms_buckets"]["7000"], 1, "slower than every bound: under the slowest call");
        assert_eq!(windows[1].1.cache_misses, 1);
        assert!(counts.take().is_empty(), "taken counts start again at zero");
    }
}
