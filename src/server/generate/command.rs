//! `ut360 generate`: synthesize the demo data and load it, with progress bars.

use super::{generate, DemoSize};
use crate::data::subscribers::LoadedTable;
use crate::server::cli::{self, GenerateArgs, Settings};
use crate::format::format_count;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

pub async fn run(settings: &Settings, args: &GenerateArgs) -> Result<(), String> {
    let store = cli::connect(settings).await?;
    let organization = cli::organization(&store, &args.org).await?;
    let existing = store.count_subscribers(&organization).await.map_err(|e| e.to_string())?;
    if args.if_empty && existing > 0 {
        println!("{} already has {} subscribers; nothing generated.", organization.slug, format_count(existing));
        return Ok(());
    }

    let started = Instant::now();
    let size = DemoSize::at_scale(args.scale);
    let bars = MultiProgress::new();
    let synthesis = bars.add(ProgressBar::new_spinner().with_message(format!(
        "synthesizing {} subscribers (seed {})",
        format_count(size.subscribers() as i64),
        args.seed
    )));
    synthesis.enable_steady_tick(Duration::from_millis(120));
    let (seed, scale) = (args.seed, args.scale);
    let records = tokio::task::spawn_blocking(move || generate(seed, scale)).await.map_err(|e| e.to_string())?;
    synthesis.finish_with_message(format!("synthesized {} subscribers", format_count(records.len() as i64)));

    let style = ProgressStyle::with_template("{msg:<26} [{bar:30}] {human_pos:>9}/{human_len:9} {per_sec:>12} {eta}")
        .expect("valid template")
        .progress_chars("=> ");
    let table_bar = |name: &str, rows: usize| {
        bars.add(ProgressBar::new(rows as u64).with_style(style.clone()).with_message(name.to_owned()))
    };
    let recommendations = table_bar("recommendations", records.len());
    let profiles = table_bar("subscriber_360_profiles", records.len());
    let monthly = table_bar("subscriber_monthly_arpu", size.monthly_rows());

    store
        .replace_subscribers(&organization, &records, |table, rows| match table {
            LoadedTable::Recommendations => recommendations.inc(rows),
            LoadedTable::Profiles => profiles.inc(rows),
            LoadedTable::MonthlyArpu => monthly.inc(rows),
        })
        .await
        .map_err(|e| format!("loading the demo data failed, nothing was changed: {e}"))?;
    for bar in [&recommendations, &profiles, &monthly] {
        bar.finish();
    }

    let overview = store.overview(&organization).await.map_err(|e| e.to_string())?;
    if let Err(e) = store.publish_meta_stats(&organization, &overview).await {
        tracing::warn!("could not publish {}: {e}", organization.redis_key("meta:stats"));
    }
    println!(
        "Loaded {} subscribers and {} monthly ARPU rows into {:?} in {:.1} s.",
        format_count(records.len() as i64),
        format_count(size.monthly_rows() as i64),
        organization.slug,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
