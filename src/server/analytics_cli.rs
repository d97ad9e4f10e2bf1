//! `ut360 analytics`: seed 004's aggregation now (`aggregate`), with a history of past
//! days for charts and insights after a first load, or every scheduled analytics job
//! once (`run`), as `serve` would run them, for the demo's first load.

use super::cli::{self, Settings};
use super::jobs::{RoundReport, Schedule};
use super::scheduler::{hourly_round, nightly_round, OrganizationHooks, Retry};
use crate::data::{Organization, Store};
use crate::domain::analytics::aggregates::MAX_BACKFILL_DAYS;
use crate::domain::format::format_count;
use crate::domain::language::Language;
use clap::{Args, Subcommand};
use std::time::Instant;

#[derive(Args, Clone, Debug)]
pub struct AnalyticsArgs {
    #[command(subcommand)]
    pub command: AnalyticsCommand,
}

#[derive(Subcommand, Clone, Debug)]
pub enum AnalyticsCommand {
    /// Today's hourly aggregates and yesterday's and today's daily ones (seed 004's
    /// `aggregate_hourly_data` and `aggregate_daily_data`); with `--backfill-days N`, the
    /// daily aggregates of the last N days too (today included).
    Aggregate {
        /// Organization (slug); the default organization when neither this nor
        /// `--all-organizations` is given.
        #[arg(long, conflicts_with = "all_organizations")]
        org: Option<String>,
        /// Every organization.
        #[arg(long)]
        all_organizations: bool,
        /// Days of daily history to compute, 1 to 366.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_BACKFILL_DAYS as i64))]
        backfill_days: Option<u32>,
    },
    /// Every organization: the daily history (`--backfill-days`), then the nightly job
    /// (partitions, daily aggregation and its hooks, cleanups), then the hourly one
    /// (hourly aggregation and its hooks), once, now. What `serve` runs on its schedule.
    Run {
        /// Days of daily history to compute first, 0 to 366.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=MAX_BACKFILL_DAYS as i64))]
        backfill_days: u32,
    },
}

pub async fn run(settings: &Settings, args: &AnalyticsArgs) -> Result<(), String> {
    let store = cli::connect(settings).await?;
    let today = chrono::Local::now().date_naive();
    match &args.command {
        AnalyticsCommand::Aggregate { org, all_organizations, backfill_days } => {
            let organizations = if *all_organizations {
                store.organizations().await.map_err(|e| e.to_string())?
            } else {
                vec![cli::organization(&store, org.as_deref().unwrap_or(Organization::DEFAULT_SLUG)).await?]
            };
            for organization in &organizations {
                aggregate(&store, organization, *backfill_days).await?;
            }
            Ok(())
        }
        AnalyticsCommand::Run { backfill_days } => {
            let hooks = OrganizationHooks::standard();
            if *backfill_days > 0 {
                for organization in store.organizations().await.map_err(|e| e.to_string())? {
                    backfill(&store, &organization, *backfill_days).await?;
                }
            }
            let nightly = nightly_round(&store, Schedule::NOW, Retry::NOW, &hooks, today).await;
            let nightly = report("nightly", nightly);
            let hourly = report("hourly", hourly_round(&store, Schedule::NOW, Retry::NOW, &hooks, today).await);
            nightly.and(hourly)
        }
    }
}

async fn aggregate(store: &Store, organization: &Organization, backfill_days: Option<u32>) -> Result<(), String> {
    if let Some(days) = backfill_days {
        backfill(store, organization, days).await?;
    }
    let started = Instant::now();
    let store = store.for_organization(organization);
    let fail = |e: sqlx::Error| format!("{}: aggregation failed: {e}", organization.slug);
    store.aggregate_hourly_data().await.map_err(fail)?;
    let hourly = started.elapsed();
    store.aggregate_daily_data().await.map_err(fail)?;
    println!(
        "{}: today's hours aggregated in {:.0} ms, yesterday and today in {:.0} ms",
        organization.slug,
        hourly.as_secs_f64() * 1000.0,
        (started.elapsed() - hourly).as_secs_f64() * 1000.0
    );
    Ok(())
}

async fn backfill(store: &Store, organization: &Organization, days: u32) -> Result<(), String> {
    let started = Instant::now();
    let written = store
        .for_organization(organization)
        .backfill_daily_aggregates(days)
        .await
        .map_err(|e| format!("{}: the backfill failed: {e}", organization.slug))?;
    println!(
        "{}: {} daily aggregates over the last {days} days in {:.1} s",
        organization.slug,
        format_count(Language::En, i64::from(written)),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn report(job: &str, outcome: Result<RoundReport, sqlx::Error>) -> Result<(), String> {
    let report = outcome.map_err(|e| format!("the {job} job could not read the organizations: {e}"))?;
    println!("{job}: {} organizations served", report.served.len());
    for (slug, error) in &report.failed {
        println!("  {slug}: failed: {error}");
    }
    match report.failed.len() {
        0 => Ok(()),
        failed => Err(format!("the {job} job failed for {failed} (each organization's failures are in its sync_logs)")),
    }
}
