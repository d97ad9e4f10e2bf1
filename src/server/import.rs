//! `ut360 import`: load seed 002's three files into PostgreSQL, all or nothing,
//! record the run in `sync_logs`, then sync Redis.

use super::cli::{self, Settings};
use super::progress::{rows_bar, spinner};
use super::sync_cache;
use crate::data::subscribers::{ReplaceProgress, ReplaceSummary, TableChange};
use crate::data::sync_logs::{SourceType, SyncOutcome};
use crate::data::tables::SubscriberTable;
use crate::data::{Organization, Store};
use crate::domain::format::format_count;
use crate::domain::language::Language;
use crate::pipeline::problems::counted;
use crate::pipeline::read::row_count_hint;
use crate::pipeline::validate::{read_dataset, ReadProgress};
use crate::pipeline::DataFiles;
use clap::Args;
use indicatif::{MultiProgress, ProgressBar};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Clone, Debug)]
pub struct ImportArgs {
    /// Folder holding recommendations_final_filtered.csv, subscriber_360_profile.parquet
    /// and subscriber_monthly_summary.parquet.
    pub dir: Option<PathBuf>,
    /// The recommendations file, if not in DIR under its standard name.
    #[arg(long)]
    pub recommendations: Option<PathBuf>,
    /// The 360 profiles file, if not in DIR under its standard name.
    #[arg(long)]
    pub profiles: Option<PathBuf>,
    /// The monthly ARPU file, if not in DIR under its standard name.
    #[arg(long)]
    pub monthly: Option<PathBuf>,
    /// Organization (slug) whose data the files replace.
    #[arg(long, default_value = Organization::DEFAULT_SLUG)]
    pub org: String,
    /// Leave Redis as it is (by default it is synced after a successful import).
    #[arg(long)]
    pub no_sync: bool,
}

impl ImportArgs {
    fn files(&self) -> Result<DataFiles, String> {
        let pick = |given: &Option<PathBuf>, table| match (given, &self.dir) {
            (Some(path), _) => Ok(path.clone()),
            (None, Some(dir)) => Ok(dir.join(DataFiles::standard_name(table))),
            (None, None) => Err(format!(
                "name a folder, or the {} file with its flag (see `ut360 import --help`)",
                DataFiles::standard_name(table)
            )),
        };
        Ok(DataFiles {
            recommendations: pick(&self.recommendations, SubscriberTable::Recommendations)?,
            profiles: pick(&self.profiles, SubscriberTable::Profiles)?,
            monthly_arpu: pick(&self.monthly, SubscriberTable::MonthlyArpu)?,
        })
    }
}

pub async fn run(settings: &Settings, args: &ImportArgs) -> Result<(), String> {
    let files = args.files()?;
    let store = cli::connect(settings).await?;
    let organization = cli::organization(&store, &args.org).await?;
    let lock = cli::lock_refresh(&store, &organization).await?;
    let mut outcome = import_locked(&store, &organization, files).await;
    if outcome.is_ok() && !args.no_sync {
        outcome = sync_cache::sync_locked(&store, &organization).await;
    }
    let _ = lock.release().await;
    outcome
}

/// Imports while the caller holds the organization's refresh lock.
pub async fn import_locked(store: &Store, organization: &Organization, files: DataFiles) -> Result<(), String> {
    let started = Instant::now();
    let config = serde_json::json!({
        "recommendations": files.recommendations,
        "profiles": files.profiles,
        "monthly_arpu": files.monthly_arpu,
    });
    let run = store
        .for_organization(organization)
        .start_sync(SourceType::FileImport, config)
        .await
        .map_err(|e| e.to_string())?;

    let paths = files.clone();
    let bars = MultiProgress::new();
    let read_bars: HashMap<SubscriberTable, ProgressBar> = SubscriberTable::ALL
        .into_iter()
        .map(|table| {
            let name = crate::pipeline::files::display_name(files.path(table));
            (table, rows_bar(&bars, &name, row_count_hint(files.path(table))))
        })
        .collect();
    let progress_bars = read_bars.clone();
    let read = tokio::task::spawn_blocking(move || {
        read_dataset(&files, |step| match step {
            ReadProgress::Rows(table, rows) => progress_bars[&table].inc(rows),
            ReadProgress::Done(table) => progress_bars[&table].finish(),
        })
    })
    .await
    .map_err(|e| e.to_string())?;
    let rows_read: u64 = read_bars.values().map(|bar| bar.position()).sum();

    let read = match read {
        Ok(read) => read,
        Err(problems) => {
            let outcome = SyncOutcome {
                processed: rows_read,
                failed: problems.failed_rows(),
                error: Some(problems.summary()),
                metadata: serde_json::json!({ "problems": problems.total() }),
                ..SyncOutcome::default()
            };
            record(store, run, &outcome).await;
            // All or nothing: every row read of a refused import was turned away.
            let per_file: Vec<(SubscriberTable, u64, u64)> =
                SubscriberTable::ALL.into_iter().map(|table| (table, 0, read_bars[&table].position())).collect();
            record_files(store, organization, &paths, &per_file).await;
            eprintln!("The files have problems:\n{}", problems.report());
            return Err(format!(
                "import refused: {} in {}; nothing was changed",
                counted(problems.total(), "problem"),
                counted(problems.failed_rows(), "row")
            ));
        }
    };
    for (table, file) in &read.files {
        if !file.ignored_columns.is_empty() {
            tracing::warn!("{}: ignored extra columns {}", table.table_name(), file.ignored_columns.join(", "));
        }
    }

    let mut staging = None;
    let mut swapping = None;
    let replaced = store
        .for_organization(organization)
        .replace_dataset(&read.dataset, |step| match step {
            ReplaceProgress::Staged(_, rows) => staging
                .get_or_insert_with(|| rows_bar(&bars, "staging in PostgreSQL", Some(read.dataset.total_rows())))
                .inc(rows),
            ReplaceProgress::Swapping => {
                staging.iter().for_each(|bar| bar.finish());
                swapping = Some(spinner(&bars, "swapping in, recomputing statistics"));
            }
        })
        .await;
    if let Some(spinner) = swapping {
        spinner.finish_and_clear();
    }

    match replaced {
        Ok(summary) => {
            let total = summary.total();
            let outcome = SyncOutcome {
                processed: read.dataset.total_rows(),
                created: total.created,
                updated: total.updated,
                failed: 0,
                error: None,
                metadata: serde_json::json!({ "changes": summary }),
            };
            record(store, run, &outcome).await;
            let per_file: Vec<(SubscriberTable, u64, u64)> =
                SubscriberTable::ALL.into_iter().map(|table| (table, read.dataset.table(table).len(), 0)).collect();
            record_files(store, organization, &paths, &per_file).await;
            print_summary(organization, &summary, started);
            Ok(())
        }
        Err(error) => {
            let outcome = SyncOutcome {
                processed: read.dataset.total_rows(),
                error: Some(error.to_string()),
                ..SyncOutcome::default()
            };
            record(store, run, &outcome).await;
            Err(format!("loading into PostgreSQL failed, nothing was changed: {error}"))
        }
    }
}

async fn record(store: &Store, run: crate::data::sync_logs::SyncRun, outcome: &SyncOutcome) {
    if let Err(e) = store.finish_sync(run, outcome).await {
        tracing::warn!("could not record the import in sync_logs: {e}");
    }
}

/// One `raw_data_backup` row per file (source `imports`): rows imported and rejected,
/// read by the hourly aggregation's `imports` channel.
async fn record_files(
    store: &Store,
    organization: &Organization,
    files: &DataFiles,
    per_file: &[(SubscriberTable, u64, u64)],
) {
    let store = store.for_organization(organization);
    for (table, imported, rejected) in per_file {
        let raw = serde_json::json!({
            "metrics": { "rows_imported": imported, "rows_rejected": rejected },
            "table": table.table_name(),
            "file": files.path(*table),
        });
        if let Err(e) = store.record_raw_data(crate::domain::analytics::aggregates::source::IMPORTS, raw).await {
            tracing::warn!("could not record the import's summary of {}: {e}", table.table_name());
        }
    }
}

fn print_summary(organization: &Organization, summary: &ReplaceSummary, started: Instant) {
    let line = |name: &str, change: &TableChange| {
        format!(
            "  {name:<26} {:>11} {:>11} {:>11} {:>11} {:>11}",
            format_count(Language::En, (change.created + change.updated + change.unchanged) as i64),
            format_count(Language::En, change.created as i64),
            format_count(Language::En, change.updated as i64),
            format_count(Language::En, change.unchanged as i64),
            format_count(Language::En, change.removed as i64)
        )
    };
    println!("Imported into {:?} in {:.1} s (0 rows failed):", organization.slug, started.elapsed().as_secs_f64());
    println!(
        "  {:<26} {:>11} {:>11} {:>11} {:>11} {:>11}",
        "", "processed", "created", "updated", "unchanged", "removed"
    );
    println!("{}", line("recommendations", &summary.recommendations));
    println!("{}", line("subscriber_360_profiles", &summary.profiles));
    println!("{}", line("subscriber_monthly_arpu", &summary.monthly_arpu));
}
