//! The server's scheduled jobs (issue 24), on tokio-cron-scheduler, started by `serve`:
//!
//! | job | when (server's local time) | what |
//! | --- | --- | --- |
//! | `transaction_maintenance` | every 15 minutes | partitions ahead, dashboards cached (`jobs`) |
//! | `hourly_aggregation` | 5 past each hour | `aggregate_hourly_data`, then the hooks after it |
//! | `nightly_analytics` | 00:15 | partitions a year ahead, `aggregate_daily_data` and the nightly hooks, then the cleanups |
//! | `drop_folder_import` | 02:00, with `UT360_DROP_FOLDER` | seed 002's three files of each organization, when new |
//! | lookups | every minute, in every process | the API's counters into `raw_data_backup` |
//!
//! However many `serve` processes run, each slot of a job (its quarter hour, hour or
//! night) runs once: the first process to insert (job, slot) into `scheduled_job_runs`
//! runs it, the others skip it. Each organization is served by `jobs::serve_every_organization`
//! (a failure is recorded in that organization's `sync_logs`, the others go on); a
//! failed step is tried again after a wait that doubles, each failed attempt recorded.
//! Every job also runs its current slot when the process starts, unless another
//! process has: a server started at 10:40 does not wait for 11:05 to aggregate.

use super::import::import_locked;
use super::jobs::{serve_every_organization, transaction_maintenance_round, RoundReport, Schedule};
use super::sync_cache::sync_locked;
use crate::data::sync_logs::SourceType;
use crate::data::{OrganizationStore, Store};
use crate::pipeline::DataFiles;
use chrono::{DateTime, Datelike, Local, NaiveDate, TimeZone, Utc};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_cron_scheduler::{Job, JobScheduler};

/// What a step of an organization's run gives back.
pub type StepFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// One organization's step of a job, given the organization and the day it runs for.
pub type OrganizationStep = Arc<dyn Fn(OrganizationStore, NaiveDate) -> StepFuture + Send + Sync>;

/// A step with the name its failures are recorded under.
#[derive(Clone)]
pub struct NamedStep {
    pub name: &'static str,
    pub run: OrganizationStep,
}

impl NamedStep {
    pub fn new<F, Fut>(name: &'static str, run: F) -> Self
    where
        F: Fn(OrganizationStore, NaiveDate) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let run: OrganizationStep = Arc::new(move |organization: OrganizationStore, today: NaiveDate| -> StepFuture {
            Box::pin(run(organization, today))
        });
        Self { name, run }
    }
}

/// Per-organization steps that run after the aggregations, in the order registered.
/// A hook runs only when the aggregation before it succeeded for that organization;
/// one hook failing (after its retries) leaves the next ones to run.
#[derive(Clone, Default)]
pub struct OrganizationHooks {
    pub after_hourly: Vec<NamedStep>,
    pub nightly: Vec<NamedStep>,
}

impl OrganizationHooks {
    /// A step after each hourly aggregation (insights, alerts…).
    pub fn after_hourly<F, Fut>(mut self, name: &'static str, run: F) -> Self
    where
        F: Fn(OrganizationStore, NaiveDate) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.after_hourly.push(NamedStep::new(name, run));
        self
    }

    /// A step after each night's daily aggregation (cohorts, funnels…).
    pub fn nightly<F, Fut>(mut self, name: &'static str, run: F) -> Self
    where
        F: Fn(OrganizationStore, NaiveDate) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.nightly.push(NamedStep::new(name, run));
        self
    }

    /// The hooks `serve` and `ut360 analytics run` use, every per-organization step of the
    /// analytics layer: after each hourly aggregation the insights of the last complete
    /// day, then the alerts (which read the new aggregates and the high anomalies); each
    /// night the cohorts and campaign funnels, and the live sessions' activity marks.
    pub fn standard() -> Self {
        Self::default()
            .after_hourly("insights", |organization, today| async move {
                let last_complete_day = today.pred_opt().unwrap_or(today);
                organization.generate_ai_insights(last_complete_day).await.map(drop).map_err(|e| e.to_string())
            })
            .after_hourly("alerts", |organization, _today| async move {
                organization.evaluate_performance_alerts().await.map(drop).map_err(|e| e.to_string())
            })
            .nightly("cohorts and funnels", |organization, _today| async move {
                organization.recompute_cohorts_and_funnels().await.map(drop).map_err(|e| e.to_string())
            })
            .nightly("live sessions", |organization, _today| super::page_views::clean_up_sessions(organization))
    }
}

/// How often a failing step is tried, and the first wait between tries (doubled after each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    pub attempts: u32,
    pub first_wait: Duration,
}

impl Retry {
    /// The server's: three tries, 30 s then 60 s apart (a restarting database or Redis).
    pub const SERVER: Retry = Retry { attempts: 3, first_wait: Duration::from_secs(30) };
    /// The command line's: two tries, 2 s apart.
    pub const NOW: Retry = Retry { attempts: 2, first_wait: Duration::from_secs(2) };

    fn wait_before(&self, attempt: u32) -> Duration {
        self.first_wait.saturating_mul(1 << (attempt.saturating_sub(2)).min(16))
    }
}

/// Runs `run` until it succeeds, at most `retry.attempts` times. Each failed attempt
/// but the last is recorded in the organization's `sync_logs` under `source` at once;
/// the last failure is the step's outcome (the round records it).
pub async fn with_retries<F, Fut>(
    organization: &OrganizationStore,
    source: SourceType,
    retry: Retry,
    name: &str,
    run: F,
) -> Result<(), String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let attempts = retry.attempts.max(1);
    let mut attempt = 1;
    loop {
        let started_at = Utc::now();
        match run().await {
            Ok(()) => return Ok(()),
            Err(error) if attempt >= attempts => {
                return Err(format!("{name}: {error} (attempt {attempt} of {attempts})"));
            }
            Err(error) => {
                let wait = retry.wait_before(attempt + 1);
                let message = format!("{name}: {error} (attempt {attempt} of {attempts}; trying again in {wait:?})");
                tracing::warn!(organization = organization.organization().slug, %message, "a scheduled step failed");
                if let Err(e) = organization.record_scheduled_run(source, started_at, Some(&message)).await {
                    tracing::warn!(%e, "the failed attempt could not be recorded in sync_logs");
                }
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        }
    }
}

/// `first`, then each hook if it succeeded, every step with its retries.
pub async fn run_steps(
    organization: OrganizationStore,
    source: SourceType,
    retry: Retry,
    today: NaiveDate,
    first: &NamedStep,
    hooks: &[NamedStep],
) -> Result<(), String> {
    let attempt = |step: &NamedStep| {
        let (run, organization) = (step.run.clone(), organization.clone());
        move || run(organization.clone(), today)
    };
    with_retries(&organization, source, retry, first.name, attempt(first)).await?;
    let mut failed = Vec::new();
    for hook in hooks {
        if let Err(error) = with_retries(&organization, source, retry, hook.name, attempt(hook)).await {
            failed.push(error);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

fn hourly_aggregation() -> NamedStep {
    NamedStep::new("aggregate_hourly_data", |organization: OrganizationStore, _today| async move {
        organization.aggregate_hourly_data().await.map_err(|e| e.to_string())
    })
}

fn daily_aggregation() -> NamedStep {
    NamedStep::new("aggregate_daily_data", |organization: OrganizationStore, _today| async move {
        organization.aggregate_daily_data().await.map_err(|e| e.to_string())
    })
}

/// Every organization's hourly aggregation, then the hooks after it.
pub async fn hourly_round(
    store: &Store,
    schedule: Schedule,
    retry: Retry,
    hooks: &OrganizationHooks,
    today: NaiveDate,
) -> Result<RoundReport, sqlx::Error> {
    let (first, after) = (hourly_aggregation(), Arc::new(hooks.after_hourly.clone()));
    serve_every_organization(store, schedule, SourceType::HourlyAggregation, move |organization| {
        let (first, after) = (first.clone(), after.clone());
        async move { run_steps(organization, SourceType::HourlyAggregation, retry, today, &first, &after).await }
    })
    .await
}

/// The night's work: the aggregates' partitions a year ahead, every organization's
/// daily aggregation (yesterday and today) and nightly hooks (among them the idle live
/// sessions' cleanup, after the daily aggregation has read them), then seed 004's
/// cleanups. A failure of the steps for all organizations at once is reported under the
/// slug `*`.
pub async fn nightly_round(
    store: &Store,
    schedule: Schedule,
    retry: Retry,
    hooks: &OrganizationHooks,
    today: NaiveDate,
) -> Result<RoundReport, sqlx::Error> {
    let mut cluster_failures = Vec::new();
    let year = today.year();
    if let Err(error) = retry_cluster_step(retry, "ensure_analytics_partitions", || async {
        store.ensure_analytics_partitions(year, year + 1).await.map(|_| ())
    })
    .await
    {
        cluster_failures.push(("*".to_owned(), error));
    }
    let (first, nightly) = (daily_aggregation(), Arc::new(hooks.nightly.clone()));
    let mut report = serve_every_organization(store, schedule, SourceType::NightlyAnalytics, move |organization| {
        let (first, nightly) = (first.clone(), nightly.clone());
        async move { run_steps(organization, SourceType::NightlyAnalytics, retry, today, &first, &nightly).await }
    })
    .await?;
    match retry_cluster_step(retry, "cleanup", || store.cleanup_analytics()).await {
        Ok(()) => {}
        Err(error) => cluster_failures.push(("*".to_owned(), error)),
    }
    report.failed.extend(cluster_failures);
    Ok(report)
}

/// A step for all organizations at once (no organization's `sync_logs` to record it
/// in): retried, failures logged; the slot's row keeps the last error.
async fn retry_cluster_step<F, Fut, T>(retry: Retry, name: &str, run: F) -> Result<(), String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let attempts = retry.attempts.max(1);
    for attempt in 1..=attempts {
        match run().await {
            Ok(_) => return Ok(()),
            Err(error) if attempt < attempts => {
                tracing::warn!(%error, attempt, attempts, "{name} failed; trying again");
                tokio::time::sleep(retry.wait_before(attempt + 1)).await;
            }
            Err(error) => return Err(format!("{name}: {error} (attempt {attempt} of {attempts})")),
        }
    }
    Ok(())
}

/// Seed 002's daily refresh: for each organization, the three files in
/// `<folder>/<slug>/` under their standard names, imported (then Redis synced) when one
/// of them changed since the organization's last import. An organization without
/// files there is left alone.
pub async fn drop_folder_round(store: &Store, schedule: Schedule, folder: PathBuf) -> Result<RoundReport, sqlx::Error> {
    let folder = Arc::new(folder);
    serve_every_organization(store, schedule, SourceType::DropFolderImport, move |organization| {
        let folder = folder.clone();
        async move { import_dropped_files(organization, &folder).await }
    })
    .await
}

async fn import_dropped_files(organization: OrganizationStore, folder: &Path) -> Result<(), String> {
    let files = DataFiles::in_dir(&folder.join(&organization.organization().slug));
    let Some(changed) = newest_change(&files) else {
        return Ok(());
    };
    let last_import = organization.last_run_started(SourceType::FileImport).await.map_err(|e| e.to_string())?;
    if last_import.is_some_and(|last| changed <= last) {
        return Ok(());
    }
    let lock = organization
        .try_lock_refresh()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("another import or cache sync of this organization is running; the files wait for the next night")?;
    let mut outcome = import_locked(&organization, organization.organization(), files).await;
    if outcome.is_ok() {
        outcome = sync_locked(&organization, organization.organization()).await;
    }
    let _ = lock.release().await;
    outcome
}

/// When the last of the three files was written; `None` unless all three are there.
fn newest_change(files: &DataFiles) -> Option<DateTime<Utc>> {
    [&files.recommendations, &files.profiles, &files.monthly_arpu]
        .into_iter()
        .map(|path| std::fs::metadata(path).and_then(|meta| meta.modified()).ok().map(DateTime::<Utc>::from))
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()
}

/// The jobs that run once per slot however many servers run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterJob {
    TransactionMaintenance,
    HourlyAggregation,
    NightlyAnalytics,
    DropFolderImport,
}

impl ClusterJob {
    pub const ALL: [ClusterJob; 4] =
        [Self::TransactionMaintenance, Self::HourlyAggregation, Self::NightlyAnalytics, Self::DropFolderImport];

    pub fn name(self) -> &'static str {
        match self {
            Self::TransactionMaintenance => "transaction_maintenance",
            Self::HourlyAggregation => "hourly_aggregation",
            Self::NightlyAnalytics => "nightly_analytics",
            Self::DropFolderImport => "drop_folder_import",
        }
    }

    /// When it runs, in the server's local time (seconds, minutes, hours, day, month, weekday).
    pub fn cron(self) -> &'static str {
        match self {
            Self::TransactionMaintenance => "0 */15 * * * *",
            Self::HourlyAggregation => "0 5 * * * *",
            Self::NightlyAnalytics => "0 15 0 * * *",
            Self::DropFolderImport => "0 0 2 * * *",
        }
    }

    /// The slot a run at `now` belongs to: its quarter hour, hour or day (local). A
    /// process whose clock is up to a minute early still names the same slot.
    pub fn slot(self, now: DateTime<Local>) -> DateTime<Utc> {
        let now = now + chrono::Duration::seconds(60);
        let floor = |seconds: i64| {
            let at = now.timestamp().div_euclid(seconds) * seconds;
            DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_else(Utc::now)
        };
        match self {
            Self::TransactionMaintenance => floor(15 * 60),
            Self::HourlyAggregation => floor(60 * 60),
            Self::NightlyAnalytics | Self::DropFolderImport => {
                let midnight = now.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default();
                Local.from_local_datetime(&midnight).earliest().map_or_else(|| floor(24 * 60 * 60), |at| at.to_utc())
            }
        }
    }
}

/// Whether this process ran the slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotOutcome {
    /// This process claimed the slot and ran it, with the run's outcome.
    Ran(Result<(), String>),
    /// Another process (or an earlier run of this one) has the slot.
    TakenElsewhere,
}

/// Claims `slot` of `job` for `holder` and, if it is the first, runs `work` and records
/// how it ended.
pub async fn run_once_per_slot<Fut>(
    store: &Store,
    job: &str,
    slot: DateTime<Utc>,
    holder: &str,
    work: impl FnOnce() -> Fut,
) -> Result<SlotOutcome, sqlx::Error>
where
    Fut: Future<Output = Result<(), String>>,
{
    if !store.claim_scheduled_slot(job, slot, holder).await? {
        return Ok(SlotOutcome::TakenElsewhere);
    }
    let outcome = work().await;
    store.finish_scheduled_slot(job, slot, holder, outcome.as_ref().err().map(String::as_str)).await?;
    Ok(SlotOutcome::Ran(outcome))
}

/// What the scheduler runs with.
#[derive(Clone)]
pub struct SchedulerSettings {
    pub hooks: OrganizationHooks,
    /// `UT360_DROP_FOLDER`: without it the drop folder job is not scheduled.
    pub drop_folder: Option<PathBuf>,
    pub schedule: Schedule,
    pub retry: Retry,
}

/// The running scheduler of one `serve` process.
pub struct Scheduler {
    jobs: JobScheduler,
    store: Store,
    catch_up: tokio::task::JoinHandle<()>,
}

/// How often each process writes its API counters.
pub const LOOKUP_WINDOW: Duration = Duration::from_secs(60);

/// Starts every job (see the module's table) and the catch-up of the current slots.
pub async fn start(store: Store, settings: SchedulerSettings) -> Result<Scheduler, String> {
    let holder = format!("{}:{}:{}", host_name(), std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let settings = Arc::new(settings);
    let fail = |e: tokio_cron_scheduler::JobSchedulerError| format!("the scheduler could not start: {e}");
    let jobs = JobScheduler::new().await.map_err(fail)?;
    let scheduled: Vec<ClusterJob> = ClusterJob::ALL
        .into_iter()
        .filter(|job| *job != ClusterJob::DropFolderImport || settings.drop_folder.is_some())
        .collect();
    for job in scheduled.iter().copied() {
        let (store, settings, holder) = (store.clone(), settings.clone(), holder.clone());
        let cron = Job::new_async_tz(job.cron(), Local, move |_id, _scheduler| {
            let (store, settings, holder) = (store.clone(), settings.clone(), holder.clone());
            Box::pin(async move { run_cluster_job(&store, &settings, &holder, job, Local::now()).await })
        })
        .map_err(fail)?;
        jobs.add(cron).await.map_err(fail)?;
    }
    let lookups_store = store.clone();
    let lookups = Job::new_repeated_async(LOOKUP_WINDOW, move |_id, _scheduler| {
        let store = lookups_store.clone();
        Box::pin(async move {
            store.persist_lookup_counts(LOOKUP_WINDOW).await;
        })
    })
    .map_err(fail)?;
    jobs.add(lookups).await.map_err(fail)?;
    jobs.start().await.map_err(fail)?;

    let catch_up = {
        let (store, settings) = (store.clone(), settings.clone());
        tokio::spawn(async move {
            for job in scheduled {
                run_cluster_job(&store, &settings, &holder, job, Local::now()).await;
            }
        })
    };
    tracing::info!(jobs = ?ClusterJob::ALL.map(ClusterJob::name), drop_folder = ?settings.drop_folder, "scheduler started");
    Ok(Scheduler { jobs, store, catch_up })
}

impl Scheduler {
    /// Stops the jobs and writes the API counters not yet written.
    pub async fn shutdown(mut self) {
        self.catch_up.abort();
        if let Err(error) = self.jobs.shutdown().await {
            tracing::warn!(%error, "the scheduler did not stop cleanly");
        }
        self.store.persist_lookup_counts(LOOKUP_WINDOW).await;
    }
}

/// One slot of `job`, if this process is the first to claim it.
pub async fn run_cluster_job(
    store: &Store,
    settings: &SchedulerSettings,
    holder: &str,
    job: ClusterJob,
    now: DateTime<Local>,
) {
    let (slot, today) = (job.slot(now), now.date_naive());
    let work = || async {
        let report = match job {
            ClusterJob::TransactionMaintenance => transaction_maintenance_round(store, settings.schedule, today).await,
            ClusterJob::HourlyAggregation => {
                hourly_round(store, settings.schedule, settings.retry, &settings.hooks, today).await
            }
            ClusterJob::NightlyAnalytics => {
                nightly_round(store, settings.schedule, settings.retry, &settings.hooks, today).await
            }
            ClusterJob::DropFolderImport => match &settings.drop_folder {
                Some(folder) => drop_folder_round(store, settings.schedule, folder.clone()).await,
                None => Ok(RoundReport::default()),
            },
        };
        match report {
            Ok(report) if report.failed.is_empty() => Ok(()),
            Ok(report) => {
                Err(report.failed.iter().map(|(slug, error)| format!("{slug}: {error}")).collect::<Vec<_>>().join("; "))
            }
            Err(error) => Err(format!("the organizations could not be read: {error}")),
        }
    };
    match run_once_per_slot(store, job.name(), slot, holder, work).await {
        Ok(SlotOutcome::Ran(Ok(()))) => tracing::info!(job = job.name(), %slot, "scheduled job done"),
        Ok(SlotOutcome::Ran(Err(error))) => {
            tracing::warn!(job = job.name(), %slot, %error, "scheduled job done with failures (each is in its organization's sync_logs)")
        }
        Ok(SlotOutcome::TakenElsewhere) => tracing::debug!(job = job.name(), %slot, "another server runs this slot"),
        Err(error) => {
            tracing::warn!(job = job.name(), %slot, %error, "the slot could not be claimed; the next one will be")
        }
    }
}

fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "ut360".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_the_quarter_hour_hour_or_night_a_run_belongs_to_even_a_minute_early() {
        let at = |h, m, s| Local.with_ymd_and_hms(2026, 12, 5, h, m, s).earliest().unwrap();
        let hour = ClusterJob::HourlyAggregation;
        assert_eq!(hour.slot(at(10, 5, 0)), hour.slot(at(10, 4, 30)));
        assert_eq!(hour.slot(at(10, 5, 0)), at(10, 0, 0).to_utc());
        assert_ne!(hour.slot(at(10, 5, 0)), hour.slot(at(11, 5, 0)));
        let quarter = ClusterJob::TransactionMaintenance;
        assert_eq!(quarter.slot(at(10, 14, 59)), at(10, 15, 0).to_utc());
        assert_eq!(quarter.slot(at(10, 15, 1)), at(10, 15, 0).to_utc());
        assert_eq!(quarter.slot(at(10, 28, 0)), at(10, 15, 0).to_utc());
        let night = ClusterJob::NightlyAnalytics;
        assert_eq!(night.slot(at(0, 15, 0)), at(0, 0, 0).to_utc());
        assert_eq!(night.slot(at(13, 0, 0)), at(0, 0, 0).to_utc());
        for job in ClusterJob::ALL {
            assert!(Job::new_async_tz(job.cron(), Local, |_, _| Box::pin(async {})).is_ok(), "{}", job.cron());
        }
    }

    #[test]
    fn waits_double_after_each_failed_attempt() {
        let retry = Retry { attempts: 4, first_wait: Duration::from_secs(30) };
        assert_eq!(retry.wait_before(2), Duration::from_secs(30));
        assert_eq!(retry.wait_before(3), Duration::from_secs(60));
        assert_eq!(retry.wait_before(4), Duration::from_secs(120));
    }
}
