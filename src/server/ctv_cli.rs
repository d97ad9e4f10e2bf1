//! `ut360 ctv`: the commission engine from the command line (recalculate, a month's
//! report as CSV) and the hidden `ctv bench` that scripts/bench_ctv.sh runs for issue 7's
//! budgets, timing the data layer itself (no HTTP in between).

use crate::data::{Organization, OrganizationStore};
use crate::domain::format::format_count;
use crate::domain::language::Language;
use crate::server::cli::{self, Settings};
use crate::server::progress::spinner;
use crate::server::timing::{median_ms, ms, quantile_ms};
use chrono::{Datelike, NaiveDate};
use clap::{Args, Subcommand};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::time::Instant;

#[derive(Args, Clone, Debug)]
pub struct CtvArgs {
    /// Organization (slug).
    #[arg(long, default_value = Organization::DEFAULT_SLUG, global = true)]
    pub org: String,
    #[command(subcommand)]
    pub command: CtvCommand,
}

#[derive(Subcommand, Clone, Debug)]
pub enum CtvCommand {
    /// Bring the commission ledger in line with the customers (idempotent: a second run writes nothing).
    Recalculate {
        /// The day whose month takes changes to closed months (default: today).
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
    },
    /// A month's commission report for all collaborators, as CSV on standard output.
    Report {
        /// The month, YYYY-MM (default: this month).
        #[arg(long, value_parser = parse_month)]
        month: Option<NaiveDate>,
    },
    /// Timings for BENCHMARKS.md (scripts/bench_ctv.sh).
    #[command(hide = true)]
    Bench(BenchArgs),
}

#[derive(Args, Clone, Debug)]
pub struct BenchArgs {
    /// Full recalculations from an empty ledger (each followed by one that finds nothing to do).
    #[arg(long, default_value_t = 0)]
    pub recalculations: usize,
    /// Runs of each period report.
    #[arg(long, default_value_t = 20)]
    pub reports: usize,
    /// Random collaborators whose upline and downline are read.
    #[arg(long, default_value_t = 200)]
    pub trees: usize,
}

fn parse_day(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| format!("{value:?} is not a date (YYYY-MM-DD)"))
}

fn parse_month(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d")
        .map_err(|_| format!("{value:?} is not a month (YYYY-MM)"))
}

pub async fn run(settings: &Settings, args: &CtvArgs) -> Result<(), String> {
    let store = cli::connect(settings).await?;
    let store = store.for_organization(&cli::organization(&store, &args.org).await?);
    match &args.command {
        CtvCommand::Recalculate { today } => recalculate(&store, *today).await,
        CtvCommand::Report { month } => report(&store, *month).await,
        CtvCommand::Bench(bench_args) => bench(&store, bench_args).await,
    }
}

async fn recalculate(store: &OrganizationStore, today: Option<NaiveDate>) -> Result<(), String> {
    let progress =
        spinner(&MultiProgress::new(), format!("recalculating the commissions of {:?}", store.organization().slug));
    let started = Instant::now();
    let summary = store.recalculate_commissions(today).await.map_err(|e| e.to_string());
    progress.finish_and_clear();
    let summary = summary?;
    println!(
        "{} earnings, {} reversals, {} adjustments (net {:.2} đồng) in {:.1} s.",
        format_count(Language::En, summary.earnings),
        format_count(Language::En, summary.reversals),
        format_count(Language::En, summary.adjustments),
        summary.net_amount,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn report(store: &OrganizationStore, month: Option<NaiveDate>) -> Result<(), String> {
    let month = month.unwrap_or_else(|| chrono::Local::now().date_naive().with_day(1).expect("day 1 exists"));
    let started = Instant::now();
    let rows = store.commission_report(month).await.map_err(|e| e.to_string())?;
    let took = started.elapsed();
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    let header =
        ["ma_ctv", "name", "direct", "level_1", "level_2", "level_3", "level_4", "adjustments", "total", "lines"];
    out.write_record(header).map_err(|e| e.to_string())?;
    for row in &rows {
        let [l1, l2, l3, l4] = row.overrides;
        let amounts = [row.direct, l1, l2, l3, l4, row.adjustments, row.total].map(|a| format!("{a:.2}"));
        let mut record = vec![row.ma_ctv.clone(), row.name.clone()];
        record.extend(amounts);
        record.push(row.lines.to_string());
        out.write_record(&record).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    eprintln!(
        "{} collaborators paid in {} ({:.1} ms)",
        format_count(Language::En, rows.len() as i64),
        month.format("%Y-%m"),
        ms(took)
    );
    Ok(())
}

fn bar(total: usize, message: &str) -> ProgressBar {
    ProgressBar::new(total as u64)
        .with_style(
            ProgressStyle::with_template("{msg:<34} [{bar:30}] {pos:>4}/{len:4} {elapsed}")
                .expect("valid template")
                .progress_chars("=> "),
        )
        .with_message(message.to_owned())
}

/// Prints one line per figure: `name: median X ms ...`; the script puts the budgets beside them.
async fn bench(store: &OrganizationStore, args: &BenchArgs) -> Result<(), String> {
    let today = chrono::Local::now().date_naive();
    let fail = |e: sqlx::Error| e.to_string();

    if args.recalculations > 0 {
        let closed = store.closed_commission_periods().await.map_err(fail)?;
        let (mut full, mut again) = (Vec::new(), Vec::new());
        let mut lines = 0;
        for run in 1..=args.recalculations {
            let progress = spinner(&MultiProgress::new(), format!("run {run}: emptying the ledger"));
            store.empty_commission_ledger().await.map_err(fail)?;
            progress.set_message(format!("run {run}: full recalculation"));
            let started = Instant::now();
            let summary = store.recalculate_commissions(Some(today)).await.map_err(fail)?;
            full.push(started.elapsed());
            lines = summary.lines();
            // The months the load had closed, closed again, as the generator leaves them.
            progress.set_message(format!("run {run}: closing {} months", closed.len()));
            for month in &closed {
                let day = parse_month(month)?;
                store.close_commission_period(day).await.map_err(fail)?;
            }
            progress.set_message(format!("run {run}: recalculation with nothing to do"));
            let started = Instant::now();
            let nothing = store.recalculate_commissions(Some(today)).await.map_err(fail)?;
            again.push(started.elapsed());
            progress.finish_and_clear();
            if nothing.lines() != 0 {
                return Err(format!("a second recalculation wrote {} lines", nothing.lines()));
            }
            println!(
                "  run {run}: full recalculation {:.1} s ({} lines), no-change recalculation {:.1} s",
                full[run - 1].as_secs_f64(),
                format_count(Language::En, lines),
                again[run - 1].as_secs_f64()
            );
        }
        println!(
            "full recalculation from an empty ledger: median {:.1} s over {} runs ({} lines)",
            median_ms(&full) / 1000.0,
            full.len(),
            format_count(Language::En, lines)
        );
        println!("no-change recalculation: median {:.1} s over {} runs", median_ms(&again) / 1000.0, again.len());
    }

    if args.reports > 0 {
        let closed = store.closed_commission_periods().await.map_err(fail)?;
        let this_month = today.with_day(1).expect("day 1 exists");
        let mut months = Vec::new();
        if let Some(latest) = closed.first() {
            months.push((parse_month(latest)?, "latest closed"));
        }
        months.push((this_month, "current"));
        for (month, label) in months {
            // One run first, so every measured run finds the pages in memory alike.
            let rows = store.commission_report(month).await.map_err(fail)?;
            let progress = bar(args.reports, &format!("report {} ({label})", month.format("%Y-%m")));
            let mut samples = Vec::with_capacity(args.reports);
            for _ in 0..args.reports {
                let started = Instant::now();
                store.commission_report(month).await.map_err(fail)?;
                samples.push(started.elapsed());
                progress.inc(1);
            }
            progress.finish_and_clear();
            println!(
                "report {} ({label}, {} collaborators): median {:.1} ms, slowest {:.1} ms over {} runs",
                month.format("%Y-%m"),
                format_count(Language::En, rows.len() as i64),
                median_ms(&samples),
                quantile_ms(&samples, 1.0),
                samples.len()
            );
        }
    }

    if args.trees > 0 {
        let mut codes = store.collaborator_codes().await.map_err(fail)?;
        if codes.is_empty() {
            return Err(format!("{:?} has no collaborators; run `ut360 generate` first", store.organization().slug));
        }
        // The first codes are the oldest collaborators, at the top of the largest trees:
        // the worst case, beside the random sample below (mostly small teams).
        let oldest: Vec<String> = codes.iter().take(10).cloned().collect();
        trees(store, &oldest, "the 10 oldest").await?;

        // The same collaborators every run, so figures compare across changes.
        codes.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(7));
        let warm_up = 20.min(codes.len());
        for code in codes.iter().rev().take(warm_up) {
            store.upline(code).await.map_err(fail)?;
            store.downline(code).await.map_err(fail)?;
        }
        trees(store, &codes[..args.trees.min(codes.len())], "random").await?;
    }
    Ok(())
}

/// Reads each collaborator's upline and downline, 5 times over for fewer than 100.
async fn trees(store: &OrganizationStore, codes: &[String], label: &str) -> Result<(), String> {
    let fail = |e: sqlx::Error| e.to_string();
    {
        // Fewer than 100 collaborators are read 5 times each, so the median is not one read.
        let rounds = if codes.len() < 100 { 5 } else { 1 };
        let chosen: Vec<&String> = (0..rounds).flat_map(|_| codes.iter()).collect();
        let progress = bar(chosen.len(), "upline + downline");
        let (mut samples, mut members, mut largest) = (Vec::with_capacity(chosen.len()), 0usize, 0usize);
        for code in &chosen {
            let started = Instant::now();
            let upline = store.upline(code).await.map_err(fail)?;
            let downline = store.downline(code).await.map_err(fail)?;
            samples.push(started.elapsed());
            members += upline.len() + downline.members.len();
            largest = largest.max(downline.members.len());
            progress.inc(1);
        }
        progress.finish_and_clear();
        println!(
            "upline + 4-level downline of {} {label} collaborators: median {:.2} ms, p99 {:.2} ms, slowest {:.2} ms \
             over {} reads ({:.0} members on average, largest downline {})",
            codes.len(),
            median_ms(&samples),
            quantile_ms(&samples, 0.99),
            quantile_ms(&samples, 1.0),
            samples.len(),
            members as f64 / samples.len() as f64,
            format_count(Language::En, largest as i64)
        );
    }
    Ok(())
}
