//! `ut360 sync-cache`: rebuild an organization's Redis keys from PostgreSQL, and
//! record the run in `sync_logs`.

use super::cli::{self, Settings};
use super::progress::{rows_bar, spinner};
use crate::data::cache_sync::CacheSyncProgress;
use crate::data::sync_logs::{SourceType, SyncOutcome};
use crate::data::{Organization, Store};
use crate::domain::format::format_count;
use crate::domain::language::Language;
use clap::Args;
use indicatif::MultiProgress;
use std::time::Instant;

/// Profile hashes hold JSON sections of up to about 1 KB (monthly ARPU); Redis keeps
/// them in compact listpacks only when values of that size are allowed.
const LISTPACK_VALUE_FOR_PROFILES: u64 = 1024;

#[derive(Args, Clone, Debug)]
pub struct SyncCacheArgs {
    /// Organization (slug) whose keys are rebuilt.
    #[arg(long, default_value = Organization::DEFAULT_SLUG)]
    pub org: String,
}

pub async fn run(settings: &Settings, args: &SyncCacheArgs) -> Result<(), String> {
    let store = cli::connect(settings).await?;
    let organization = cli::organization(&store, &args.org).await?;
    let lock = cli::lock_refresh(&store, &organization).await?;
    let outcome = sync_locked(&store, &organization).await;
    let _ = lock.release().await;
    outcome
}

/// Syncs Redis while the caller holds the organization's refresh lock.
pub async fn sync_locked(store: &Store, organization: &Organization) -> Result<(), String> {
    let started = Instant::now();
    let config = serde_json::json!({ "redis_prefix": organization.redis_prefix });
    let run = store
        .for_organization(organization)
        .start_sync(SourceType::RedisCache, config)
        .await
        .map_err(|e| e.to_string())?;

    let bars = MultiProgress::new();
    let mut bar = None;
    let mut cleaning = None;
    let synced = store
        .for_organization(organization)
        .sync_cache(|step| match step {
            CacheSyncProgress::Started { subscribers } => {
                bar = Some(rows_bar(&bars, &format!("redis {}:*", organization.redis_prefix), Some(subscribers)))
            }
            CacheSyncProgress::Written(rows) => bar.iter().for_each(|b| b.inc(rows)),
            CacheSyncProgress::Cleaning => {
                bar.iter().for_each(|b| b.finish());
                cleaning = Some(spinner(&bars, "swapping indexes in, removing stale keys"));
            }
        })
        .await;
    if let Some(spinner) = cleaning {
        spinner.finish_and_clear();
    }

    match synced {
        Ok(summary) => {
            let memory = store.redis_used_memory().await.ok();
            let outcome = SyncOutcome {
                processed: summary.recommendations,
                updated: summary.recommendations + summary.profiles,
                metadata: serde_json::json!({ "summary": summary, "redis_used_memory": memory }),
                ..SyncOutcome::default()
            };
            store.finish_sync(run, &outcome).await.map_err(|e| e.to_string())?;
            println!(
                "Synced {} subscribers ({} rec and {} profile hashes, {} indexes) to Redis under {}:* in {:.1} s; \
                 removed {} stale keys.{}",
                format_count(Language::En, summary.recommendations as i64),
                format_count(Language::En, summary.recommendations as i64),
                format_count(Language::En, summary.profiles as i64),
                summary.indexes,
                organization.redis_prefix,
                started.elapsed().as_secs_f64(),
                format_count(Language::En, summary.removed_keys as i64),
                memory.map(|bytes| format!(" Redis used_memory: {:.0} MB.", bytes as f64 / 1e6)).unwrap_or_default(),
            );
            if store.redis_listpack_value().await.is_some_and(|value| value < LISTPACK_VALUE_FOR_PROFILES) {
                println!(
                    "Hint: with hash-max-listpack-value {LISTPACK_VALUE_FOR_PROFILES} (redis.conf) profiles take about 20 % \
                     less Redis memory; see README.md."
                );
            }
            Ok(())
        }
        Err(error) => {
            let message = error.to_string();
            let outcome = SyncOutcome { error: Some(message.clone()), ..SyncOutcome::default() };
            if let Err(e) = store.finish_sync(run, &outcome).await {
                tracing::warn!("could not record the failed sync: {e}");
            }
            Err(format!("syncing Redis failed: {message}"))
        }
    }
}
