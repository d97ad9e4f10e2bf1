//! `ut360 transactions`: synthesize and load transactions (`generate`), the maintenance
//! job's work once (`maintain`), and the hidden `bench` that scripts/bench_transactions.sh
//! runs for issue 8's budgets, timing the data layer itself (no HTTP in between).

use crate::data::transactions::{DashboardRequest, LoadedTransactions};
use crate::data::{Organization, Store};
use crate::domain::format::format_count;
use crate::domain::language::Language;
use crate::domain::transactions::DashboardRange;
use crate::server::cli::{self, Settings};
use crate::server::generate::transactions::{TransactionSynth, DEMO_DAYS};
use crate::server::jobs::{maintain_transactions, transaction_maintenance_round, Schedule};
use crate::server::progress::{rows_bar, spinner};
use crate::server::timing::{median_ms, ms};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use indicatif::MultiProgress;
use std::time::Instant;
use tokio::task::JoinSet;

#[derive(Args, Clone, Debug)]
pub struct TransactionsArgs {
    /// Organization (slug).
    #[arg(long, default_value = Organization::DEFAULT_SLUG, global = true)]
    pub org: String,
    #[command(subcommand)]
    pub command: TransactionsCommand,
}

#[derive(Subcommand, Clone, Debug)]
pub enum TransactionsCommand {
    /// Synthesize transactions over the last `--days` days and add them (with COPY),
    /// their figures added to the summaries of every day they touch.
    Generate {
        #[arg(long, default_value_t = 511_000)]
        rows: u64,
        #[arg(long, default_value_t = DEMO_DAYS)]
        days: u32,
        /// Random seed: the same seed gives the same rows.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Delete the organization's transactions first.
        #[arg(long)]
        replace: bool,
        /// Batches loaded at once, each in its own transaction and PostgreSQL backend.
        #[arg(long, default_value_t = LOADS_IN_FLIGHT as u16, value_parser = clap::value_parser!(u16).range(1..=16))]
        loads_at_once: u16,
    },
    /// What the server's background job does every 15 minutes, once: partitions for the
    /// coming months, the standard dashboards computed into the cache.
    Maintain {
        /// Every organization (a round of the job, without its spread) instead of `--org`'s.
        #[arg(long)]
        all_organizations: bool,
    },
    /// Timings for BENCHMARKS.md (scripts/bench_transactions.sh).
    #[command(hide = true)]
    Bench {
        /// Runs of each dashboard.
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
}

pub async fn run(settings: &Settings, args: &TransactionsArgs) -> Result<(), String> {
    let store = cli::connect(settings).await?;
    let organization = cli::organization(&store, &args.org).await?;
    let today = chrono::Local::now().date_naive();
    match &args.command {
        TransactionsCommand::Generate { rows, days, seed, replace, loads_at_once } => {
            if *replace {
                store.for_organization(&organization).delete_transactions().await.map_err(|e| e.to_string())?;
            }
            load_demo_transactions(&store, &organization, *seed, *rows, *days, today, usize::from(*loads_at_once))
                .await
                .map(|_| ())
        }
        TransactionsCommand::Maintain { all_organizations: false } => {
            maintain_transactions(&store, &organization, today).await.map_err(|e| e.to_string())
        }
        TransactionsCommand::Maintain { all_organizations: true } => {
            let report =
                transaction_maintenance_round(&store, Schedule::NOW, today).await.map_err(|e| e.to_string())?;
            println!("{} organizations served", report.served.len());
            for (slug, error) in &report.failed {
                println!("  {slug}: failed: {error}");
            }
            match report.failed.len() {
                0 => Ok(()),
                failed => Err(format!("{failed} organizations failed (each is in its sync_logs)")),
            }
        }
        TransactionsCommand::Bench { runs } => bench(&store, &organization, *runs, today).await,
    }
}

/// Rows loaded at a time: one transaction each, their figures added to the summaries in it.
const LOAD_BATCH_ROWS: usize = 200_000;
/// Days at most in one batch: at a low daily volume (a million rows a year) batches of
/// 200,000 rows would be five, and the last would load alone while nothing is drawn.
const LOAD_BATCH_DAYS: usize = 20;

/// Batches being loaded while the next is drawn, unless told otherwise. Each is its own
/// transaction, so two PostgreSQL backends take rows at once (one backend's COPY uses one
/// core); the summaries' upserts go in key order, so two loads of one month wait for each
/// other, never deadlock.
pub const LOADS_IN_FLIGHT: usize = 2;

/// Synthesizes `rows` transactions of the subscribers over the `days` days ending
/// `today` and loads them in batches, `loads_at_once` at a time, with a progress bar;
/// prints the load rate.
pub async fn load_demo_transactions(
    store: &Store,
    organization: &Organization,
    seed: u64,
    rows: u64,
    days: u32,
    today: NaiveDate,
    loads_at_once: usize,
) -> Result<LoadedTransactions, String> {
    let store = store.for_organization(organization);
    let isdns = store.subscriber_isdns().await.map_err(|e| e.to_string())?;
    let mut synth = TransactionSynth::new(seed, rows, days, today, isdns);
    let bar = rows_bar(&MultiProgress::new(), "loading transactions", Some(rows));
    let started = Instant::now();
    let mut total = LoadedTransactions::default();
    let all_days: Vec<NaiveDate> = synth.days().collect();
    // Made before the loads, in a transaction of its own: creating a partition locks the
    // whole table, so made inside a load it would wait for the loads in flight to commit.
    if let (Some(first), Some(last)) = (all_days.first(), all_days.last()) {
        total.partitions_created =
            store.ensure_transaction_partitions(*first, *last).await.map_err(|e| e.to_string())?;
    }
    let mut loads = JoinSet::new();
    let mut add =
        |loaded: Result<Result<LoadedTransactions, sqlx::Error>, tokio::task::JoinError>| -> Result<(), String> {
            let loaded = loaded.map_err(|e| e.to_string())?.map_err(|e| format!("loading transactions failed: {e}"))?;
            bar.inc(loaded.rows);
            total.rows += loaded.rows;
            total.days += loaded.days;
            total.partitions_created += loaded.partitions_created;
            Ok(())
        };
    let mut batch = Vec::with_capacity(LOAD_BATCH_ROWS + 10_000);
    let mut days_in_batch = 0;
    for (index, day) in all_days.iter().enumerate() {
        batch.extend(synth.rows_of(*day));
        days_in_batch += 1;
        if batch.len() < LOAD_BATCH_ROWS && days_in_batch < LOAD_BATCH_DAYS && index + 1 < all_days.len() {
            continue;
        }
        days_in_batch = 0;
        if loads.len() >= loads_at_once {
            add(loads.join_next().await.expect("a load in flight"))?;
        }
        let (store, names) = (store.clone(), synth.names());
        let rows = std::mem::replace(&mut batch, Vec::with_capacity(LOAD_BATCH_ROWS + 10_000));
        loads.spawn(async move { store.load_transactions(&names.records(&rows)).await });
    }
    while let Some(loaded) = loads.join_next().await {
        add(loaded)?;
    }
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    let statistics = spinner(&MultiProgress::new(), "updating the planner's statistics");
    // A small load (a small organization among many) leaves the shared tables to autovacuum.
    let vacuumed = if total.rows >= crate::data::VACUUM_AFTER_ROWS {
        store.vacuum_transactions().await.map_err(|e| e.to_string())
    } else {
        Ok(())
    };
    statistics.finish_and_clear();
    vacuumed?;
    println!(
        "Loaded {} transactions over {days} days in {:.1} s: {:.0} rows/s drawn, copied into PostgreSQL and added to the summaries \
         ({} day-loads, {loads_at_once} batches at a time), {} partitions created.",
        format_count(Language::En, total.rows as i64),
        elapsed.as_secs_f64(),
        total.rows as f64 / elapsed.as_secs_f64().max(1e-9),
        format_count(Language::En, total.days as i64),
        total.partitions_created
    );
    Ok(total)
}

/// Prints one line per figure; the script puts the budgets beside them.
async fn bench(store: &Store, organization: &Organization, runs: usize, today: NaiveDate) -> Result<(), String> {
    let store = store.for_organization(organization);
    let fail = |e: sqlx::Error| e.to_string();
    let rows = store.count_transactions().await.map_err(fail)?;
    println!("transactions: {}", format_count(Language::En, rows));
    let year = DashboardRequest::standard(DashboardRange::Year, today);

    // One run of each first, so every measured run finds the pages in memory alike.
    let from_summaries = store.transaction_dashboard_from_summaries(&year).await.map_err(fail)?;
    let from_rows = store.transaction_dashboard_from_rows(&year).await.map_err(fail)?;
    if from_summaries.top_merchants != from_rows.top_merchants || from_summaries.trend.len() != from_rows.trend.len() {
        return Err("the summaries and the rows disagree on the year's dashboard".to_owned());
    }
    let mut summary_samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        store.transaction_dashboard_from_summaries(&year).await.map_err(fail)?;
        summary_samples.push(started.elapsed());
    }
    let raw_runs = runs.min(5);
    let mut raw_samples = Vec::with_capacity(raw_runs);
    for _ in 0..raw_runs {
        let started = Instant::now();
        store.transaction_dashboard_from_rows(&year).await.map_err(fail)?;
        raw_samples.push(started.elapsed());
    }
    let (summaries, raw) = (median_ms(&summary_samples), median_ms(&raw_samples));
    println!("year dashboard from the summaries (uncached): median {summaries:.1} ms over {runs} runs");
    println!(
        "year dashboard from the raw rows: median {raw:.1} ms over {raw_runs} runs ({:.0}x the summaries)",
        raw / summaries
    );

    let mut cached_samples = Vec::with_capacity(runs);
    store.transaction_dashboard(&year).await.map_err(fail)?;
    for _ in 0..runs {
        let started = Instant::now();
        store.transaction_dashboard(&year).await.map_err(fail)?;
        cached_samples.push(started.elapsed());
    }
    println!("year dashboard from the cache: median {:.2} ms over {runs} runs", median_ms(&cached_samples));

    let month_start = today - chrono::Days::new(40);
    let plan = store.explain_transactions_between(month_start, today).await.map_err(fail)?;
    let partitions = store.transaction_partitions().await.map_err(fail)?;
    let scanned: Vec<&String> = partitions.iter().filter(|name| plan.contains(name.as_str())).collect();
    println!(
        "partition pruning: a {} to {today} query reads {} of {} partitions ({})",
        month_start,
        scanned.len(),
        partitions.len(),
        scanned.iter().map(|name| name.as_str()).collect::<Vec<_>>().join(", ")
    );

    // One more day of rows (a day's share of the table), dated yesterday: a late load.
    let per_day = (rows / 365).max(1) as u64;
    let yesterday = today - chrono::Days::new(1);
    let isdns = store.subscriber_isdns().await.map_err(fail)?;
    let mut synth = TransactionSynth::new(rows as u64, per_day, 1, yesterday, isdns);
    let day_rows = synth.rows_of(yesterday);
    let started = Instant::now();
    let loaded = store.load_transactions(&synth.records(&day_rows)).await.map_err(fail)?;
    let load = started.elapsed();
    let started = Instant::now();
    store.refresh_transaction_summaries(&[yesterday]).await.map_err(fail)?;
    let refresh = started.elapsed();
    println!(
        "loading one day of rows ({}) with its figures added to the summaries: {:.0} ms; recomputing that day's summaries from the rows alone: {:.0} ms",
        format_count(Language::En, loaded.rows as i64),
        ms(load),
        ms(refresh)
    );
    Ok(())
}
