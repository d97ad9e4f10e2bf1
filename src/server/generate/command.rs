//! `ut360 generate`: synthesize the demo data and load it (then sync Redis), or
//! write it as the three data files an import reads.

use super::{generate, network, transactions, DemoSize};
use crate::data::dataset::Dataset;
use crate::data::subscribers::ReplaceProgress;
use crate::data::tables::SubscriberTable;
use crate::data::{Organization, Store};
use crate::domain::format::format_count;
use crate::domain::language::Language;
use crate::pipeline::export::write_dataset;
use crate::pipeline::files::display_name;
use crate::pipeline::DataFiles;
use crate::server::cli::{self, GenerateArgs, Settings};
use crate::server::progress::{rows_bar, spinner};
use crate::server::sync_cache;
use crate::server::transactions_cli::{load_demo_transactions, LOADS_IN_FLIGHT};
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
    let store = store.for_organization(&organization);
    let existing = store.count_subscribers().await.map_err(|e| e.to_string())?;
    if args.if_empty && existing > 0 {
        println!(
            "{} already has {} subscribers; nothing generated.",
            organization.slug,
            format_count(Language::En, existing)
        );
        // Databases generated before the collaborator network existed get one.
        if store.count_collaborators().await.map_err(|e| e.to_string())? == 0 {
            load_network(&store, &organization, args).await?;
        }
        if store.count_transactions().await.map_err(|e| e.to_string())? == 0 {
            load_transactions(&store, &organization, args).await?;
        }
        demo_users(&store, &organization).await?;
        // Redis keeps nothing across restarts here; refill it from the data that is there.
        if !args.no_sync && !store.cache_is_filled().await.map_err(|e| e.to_string())? {
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
        .for_organization(&organization)
        .replace_dataset(&dataset, |step| match step {
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
        format_count(Language::En, dataset.recommendations.len() as i64),
        format_count(Language::En, dataset.monthly_arpu.len() as i64),
        organization.slug,
        started.elapsed().as_secs_f64()
    );

    let networked = match load_network(&store, &organization, args).await {
        Ok(()) => load_transactions(&store, &organization, args).await,
        Err(error) => Err(error),
    };
    let synced = if args.no_sync { Ok(()) } else { sync_cache::sync_locked(&store, &organization).await };
    let _ = lock.release().await;
    networked.and(synced)?;
    demo_users(&store, &organization).await
}

/// One account per role, unless the organization has members already.
async fn demo_users(store: &Store, organization: &Organization) -> Result<(), String> {
    let members = store.for_organization(organization).members().await.map_err(|e| e.to_string())?;
    if members.is_empty() {
        crate::server::users_cli::create_demo_users(store, organization).await
    } else {
        println!(
            "{:?} has {} accounts (`ut360 user list`; `ut360 user create` sets a password).",
            organization.slug,
            members.len()
        );
        Ok(())
    }
}

/// Seed 000's collaborator network over the 24 months up to today: loaded, paid by a
/// full commission recalculation, and every month before the previous one closed.
async fn load_network(store: &Store, organization: &Organization, args: &GenerateArgs) -> Result<(), String> {
    let store = store.for_organization(organization);
    let today = chrono::Local::now().date_naive();
    let (collaborators, customers) = network::network_size(args.scale);
    let synthesis = spinner(
        &MultiProgress::new(),
        format!(
            "synthesizing {} collaborators and {} customers",
            format_count(Language::En, collaborators as i64),
            format_count(Language::En, customers as i64)
        ),
    );
    let started = Instant::now();
    let (seed, scale) = (args.seed, args.scale);
    let generated = tokio::task::spawn_blocking(move || network::generate_network(seed, scale, today))
        .await
        .map_err(|e| e.to_string())?;
    synthesis.set_message("loading collaborators and customers into PostgreSQL");
    store
        .for_organization(organization)
        .replace_ctv_network(&generated)
        .await
        .map_err(|e| format!("loading the collaborator network failed, nothing was changed: {e}"))?;
    let loaded = started.elapsed();
    synthesis.set_message("calculating commissions");
    let summary = store.recalculate_commissions(Some(today)).await.map_err(|e| e.to_string())?;
    let recalculated = started.elapsed() - loaded;
    let last_closed = network::first_month(today).max(today - chrono::Months::new(2));
    let mut month = network::first_month(today);
    while month <= last_closed {
        store.close_commission_period(month).await.map_err(|e| e.to_string())?;
        month = month + chrono::Months::new(1);
    }
    synthesis.finish_and_clear();
    println!(
        "Loaded {} collaborators and {} customers in {:.1} s; {} commission lines in {:.1} s.",
        format_count(Language::En, collaborators as i64),
        format_count(Language::En, customers as i64),
        loaded.as_secs_f64(),
        format_count(Language::En, summary.lines()),
        recalculated.as_secs_f64()
    );
    Ok(())
}

/// Seed 003's transactions of the subscribers over the last year, in place of any the
/// organization had.
async fn load_transactions(store: &Store, organization: &Organization, args: &GenerateArgs) -> Result<(), String> {
    store.for_organization(organization).delete_transactions().await.map_err(|e| e.to_string())?;
    let rows = (transactions::DEMO_ROWS as f64 * args.scale).round() as u64;
    let today = chrono::Local::now().date_naive();
    load_demo_transactions(store, organization, args.seed, rows, transactions::DEMO_DAYS, today, LOADS_IN_FLIGHT)
        .await
        .map(|_| ())
}

/// The demo records as table rows, on a blocking thread with a spinner.
async fn synthesize(bars: &MultiProgress, args: &GenerateArgs) -> Result<Dataset, String> {
    let size = DemoSize::at_scale(args.scale);
    let synthesis = spinner(
        bars,
        format!(
            "synthesizing {} subscribers (seed {})",
            format_count(Language::En, size.subscribers() as i64),
            args.seed
        ),
    );
    let (seed, scale) = (args.seed, args.scale);
    let dataset = tokio::task::spawn_blocking(move || Dataset::from_records(&generate(seed, scale)))
        .await
        .map_err(|e| e.to_string())?;
    synthesis.finish_with_message(format!(
        "synthesized {} subscribers",
        format_count(Language::En, dataset.recommendations.len() as i64)
    ));
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
