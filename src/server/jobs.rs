//! Background work of the server: seed 003's fourth layer. Every 15 minutes (the
//! `transaction_maintenance` job of `scheduler`) the transactions get their partitions
//! for the coming months and every organization's standard dashboards are computed into
//! the cache, so no user waits for them.
//!
//! Each round reads the list of organizations afresh (one created since is served in
//! the next round), starts each organization at its own point of the round, works on a
//! few at once, and records one organization's failure in its own `sync_logs` without
//! stopping the others.

use crate::data::sync_logs::SourceType;
use crate::data::transactions::PARTITION_MONTHS_AHEAD;
use crate::data::{Organization, OrganizationStore, Store};
use crate::domain::security_event::SECURITY_EVENTS_KEPT_DAYS;
use chrono::{Months, NaiveDate};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How a round spreads its organizations over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Each organization starts at its own point of this window after the round's start.
    pub spread: Duration,
    /// Organizations being worked on at once, at most.
    pub at_once: usize,
    /// One organization's work still running after this long is stopped and recorded
    /// as failed, so a stuck one holds no place of the few that run at once.
    pub time_limit: Duration,
}

impl Schedule {
    /// The server's: starts spread over the first 12 of the 15 minutes (1,000
    /// organizations arrive less than one a second, and the round ends before the
    /// next), four at a time so the job never takes more than a quarter of the pool.
    pub const SERVER: Schedule =
        Schedule { spread: Duration::from_secs(12 * 60), at_once: 4, time_limit: Duration::from_secs(5 * 60) };
    /// Every organization now, four at a time: the command line and tests.
    pub const NOW: Schedule = Schedule { spread: Duration::ZERO, at_once: 4, time_limit: Duration::from_secs(5 * 60) };

    /// When in the round the organization starts: a point of the window drawn from its
    /// id, the same every round, so its runs stay a round apart while the
    /// organizations' starts are spread evenly however many there are.
    pub fn offset(&self, organization_id: Uuid) -> Duration {
        let window = self.spread.as_millis() as u64;
        if window == 0 {
            return Duration::ZERO;
        }
        // splitmix64's finalizer: ids made in sequence (the default organization's is 1)
        // land apart too.
        let (high, low) = organization_id.as_u64_pair();
        let mut mixed = high ^ low.rotate_left(32);
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        mixed ^= mixed >> 31;
        Duration::from_millis(mixed % window)
    }
}

/// How a round went: organizations served, and those that failed with their error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub served: Vec<String>,
    pub failed: Vec<(String, String)>,
}

/// Runs `work` for every organization, each at its point of `schedule`, `at_once` at a
/// time. An error, a panic or overrunning the time limit of one organization is logged,
/// recorded in its `sync_logs` under `source`, and leaves the others running.
/// Fails only when the list of organizations cannot be read.
pub async fn serve_every_organization<W, F>(
    store: &Store,
    schedule: Schedule,
    source: SourceType,
    work: W,
) -> Result<RoundReport, sqlx::Error>
where
    W: Fn(OrganizationStore) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    let organizations = store.organizations().await?;
    let round_start = tokio::time::Instant::now();
    let work = Arc::new(work);
    let places = Arc::new(tokio::sync::Semaphore::new(schedule.at_once.max(1)));
    let mut runs = tokio::task::JoinSet::new();
    for organization in organizations {
        let store = store.for_organization(&organization);
        let (work, places) = (work.clone(), places.clone());
        let starts_at = round_start + schedule.offset(organization.id);
        runs.spawn(async move {
            tokio::time::sleep_until(starts_at).await;
            let outcome = match places.acquire_owned().await {
                Ok(_place) => run_one(&store, source, schedule.time_limit, work(store.clone())).await,
                Err(closed) => Err(closed.to_string()),
            };
            (store.organization().clone(), outcome)
        });
    }
    let mut report = RoundReport::default();
    while let Some(finished) = runs.join_next().await {
        // A run's own panics stay in its task (`run_one`); this one only waits and records.
        let (organization, outcome) = match finished {
            Ok(finished) => finished,
            Err(error) => {
                tracing::error!(%error, "an organization's scheduled run was lost");
                continue;
            }
        };
        match outcome {
            Ok(()) => report.served.push(organization.slug),
            Err(error) => report.failed.push((organization.slug, error)),
        }
    }
    report.served.sort();
    report.failed.sort();
    Ok(report)
}

/// One organization's run, on a task of its own (a panic stays in it), stopped at
/// `time_limit`, then recorded as a run of `source`.
async fn run_one(
    store: &OrganizationStore,
    source: SourceType,
    time_limit: Duration,
    work: impl Future<Output = Result<(), String>> + Send + 'static,
) -> Result<(), String> {
    let organization: &Organization = store.organization();
    let started_at = chrono::Utc::now();
    let mut task = tokio::spawn(work);
    let outcome = match tokio::time::timeout(time_limit, &mut task).await {
        Ok(Ok(done)) => done,
        Ok(Err(failed)) => Err(format!("the run stopped: {failed}")),
        Err(_) => {
            task.abort();
            Err(format!("still running after {time_limit:?}; stopped"))
        }
    };
    if let Err(error) = &outcome {
        tracing::warn!(organization = organization.slug, %error, "scheduled work failed for this organization; the others go on");
    }
    let recorded = store.record_scheduled_run(source, started_at, outcome.as_ref().err().map(String::as_str));
    if let Err(error) = recorded.await {
        tracing::warn!(organization = organization.slug, %error, "the run could not be recorded in sync_logs");
    }
    outcome
}

/// Partitions up to `PARTITION_MONTHS_AHEAD` months ahead, then the organization's
/// standard dashboards into the cache (`ut360 transactions maintain` for one).
pub async fn maintain_transactions(
    store: &Store,
    organization: &Organization,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    store.ensure_transaction_partitions(today, today + Months::new(PARTITION_MONTHS_AHEAD)).await?;
    store.for_organization(organization).precompute_transaction_dashboards(today).await
}

/// One round of the 15-minute job: the partitions, then every organization's security
/// events older than `SECURITY_EVENTS_KEPT_DAYS` pruned and its dashboards computed.
pub async fn transaction_maintenance_round(
    store: &Store,
    schedule: Schedule,
    today: NaiveDate,
) -> Result<RoundReport, sqlx::Error> {
    // A month's partition holds every organization's rows: made once a round, before
    // anyone's work. Failing here stops nobody: a load makes its own months' partitions.
    match store.ensure_transaction_partitions(today, today + Months::new(PARTITION_MONTHS_AHEAD)).await {
        Ok(0) => {}
        Ok(created) => tracing::info!(created, "transaction partitions made for the coming months"),
        Err(error) => tracing::warn!(%error, "transaction partitions could not be made; loads make their own"),
    }
    serve_every_organization(store, schedule, SourceType::TransactionMaintenance, move |organization| async move {
        // Retention: under row-level security each organization forgets its own.
        let pruned = organization.prune_security_events(SECURITY_EVENTS_KEPT_DAYS).await.map_err(|e| e.to_string())?;
        if pruned > 0 {
            tracing::info!(organization = organization.organization().slug, pruned, "old security events forgotten");
        }
        organization.precompute_transaction_dashboards(today).await.map_err(|e| e.to_string())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousand_organizations_start_spread_over_the_window() {
        let schedule = Schedule::SERVER;
        let mut per_minute = [0usize; 12];
        for _ in 0..1_000 {
            let offset = schedule.offset(Uuid::new_v4());
            assert!(offset < schedule.spread);
            per_minute[(offset.as_secs() / 60) as usize] += 1;
        }
        // 83 a minute on average; no minute takes a crowd.
        assert!(per_minute.iter().all(|&n| (40..=130).contains(&n)), "{per_minute:?}");
        // Ids made in sequence land apart too, and each id keeps its place.
        let sequential: Vec<Duration> = (1..=4u128).map(|n| schedule.offset(Uuid::from_u128(n))).collect();
        assert!(sequential.windows(2).all(|pair| pair[0].abs_diff(pair[1]) > Duration::from_secs(5)), "{sequential:?}");
        assert_eq!(schedule.offset(Uuid::from_u128(1)), sequential[0]);
        assert_eq!(Schedule::NOW.offset(Uuid::from_u128(1)), Duration::ZERO);
    }
}
