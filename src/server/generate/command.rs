//! `ut360 generate`: synthesize the demo data and load it (then sync Redis), or
//! write it as the three data files an import reads.

use super::{generate, DemoSize};
use crate::data::dataset::Dataset;
use crate::data::subscribers::ReplaceProgress;
use crate::data::tables::SubscriberTable;
use crate::format::format_count;
use crate::pipeline::export::write_dataset;
use crate::pipeline::files::display_name;
use crate::pipeline::DataFiles;
use crate::server::cli::{self, GenerateArgs, Settings};
use crate::server::progress::{rows_bar, spinner};
use crate::server::sync_cache;
use indicatif::{MultiProgress, ProgressBar};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

pub async fn run(settings: &Settings, args: &GenerateArgs) -> Result<(), String> {
    if let Some(dir) = &args.export {
        return export(args, dir).await;
    }
    let store = cli::connect(settings).await?;
    let organization = cli::organization(&store, &args.org).await?;
    let existing = store.count_subscribers(&organization).await.map_err(|e| e.to_string())?;
    if args.if_empty && existing > 0 {
        println!("{} already has {} subscribers; nothing generated.", organization.slug, format_count(existing));
        // Redis keeps nothing across restarts here; refill it from the data that is there.
        if !args.no_sync && !store.cache_is_filled(&organization).await.map_err(|e| e.to_string())? {
            let lock = cli::lock_refresh(&store, &organization).await?;
            let synced = sync_cache::sync_locked(&store, &organization).await;
            let _ = lock.release().await;
            return synced;
        }
        return Ok(());
    }
    let lock = cli::lock_refresh(&store, &organization).await?;

    let started = Instant::now();
    let bars = MultiProgress::new();
    let dataset = synthesize(&bars, args).await?;
    let bar = rows_bar(&bars, "loading into PostgreSQL", Some(dataset.total_rows()));
    let mut swapping: Option<ProgressBar> = None;
    let loaded = store
        .replace_dataset(&organization, &dataset, |step| match step {
            ReplaceProgress::Staged(_, rows) => bar.inc(rows),
            ReplaceProgress::Swapping => {
                bar.finish();
                swapping = Some(spinner(&bars, "swapping in, recomputing statistics"));
            }
        })
        .await;
    if let Some(spinner) = swapping {
        spinner.finish_and_clear();
    }
    if let Err(e) = loaded {
        let _ = lock.release().await;
        return Err(format!("loading the demo data failed, nothing was changed: {e}"));
    }
    println!(
        "Loaded {} subscribers and {} monthly ARPU rows into {:?} in {:.1} s.",
        format_count(dataset.recommendations.len() as i64),
        format_count(dataset.monthly_arpu.len() as i64),
        organization.slug,
        started.elapsed().as_secs_f64()
    );

    let synced = if args.no_sync { Ok(()) } else { sync_cache::sync_locked(&store, &organization).await };
    let _ = lock.release().await;
    synced
}

/// The demo records as table rows, on a blocking thread with a spinner.
async fn synthesize(bars: &MultiProgress, args: &GenerateArgs) -> Result<Dataset, String> {
    let size = DemoSize::at_scale(args.scale);
    let synthesis = spinner(
        bars,
        format!("synthesizing {} subscribers (seed {})", format_count(size.subscribers() as i64), args.seed),
    );
    let (seed, scale) = (args.seed, args.scale);
    let dataset = tokio::task::spawn_blocking(move || Dataset::from_records(&generate(seed, scale)))
        .await
        .map_err(|e| e.to_string())?;
    synthesis.finish_with_message(format!("synthesized {} subscribers", format_count(dataset.recommendations.len() as i64)));
    Ok(dataset)
}

async fn export(args: &GenerateArgs, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let started = Instant::now();
    let bars = MultiProgress::new();
    let dataset = synthesize(&bars, args).await?;
    let files = DataFiles::in_dir(dir);
    let file_bars: HashMap<SubscriberTable, ProgressBar> = SubscriberTable::ALL
        .into_iter()
        .map(|table| {
            let bar = rows_bar(&bars, &display_name(files.path(table)), Some(dataset.table(table).len()));
            (table, bar)
        })
        .collect();
    let written_files = files.clone();
    let progress_bars = file_bars.clone();
    tokio::task::spawn_blocking(move || {
        write_dataset(&dataset, &written_files, |table, rows| progress_bars[&table].inc(rows))
    })
    .await
    .map_err(|e| e.to_string())??;
    file_bars.values().for_each(ProgressBar::finish);
    println!(
        "Wrote {}, {} and {} to {} in {:.1} s. Load them with `ut360 import {}`.",
        DataFiles::standard_name(SubscriberTable::Recommendations),
        DataFiles::standard_name(SubscriberTable::Profiles),
        DataFiles::standard_name(SubscriberTable::MonthlyArpu),
        dir.display(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
