//! "Sync now" on the data sources page (issue 24): the sources that can run for one
//! organization on demand, the Redis cache sync and the transaction maintenance, run
//! as the scheduled ones do and are recorded in `sync_logs` the same way. Each holds a
//! heavy-work slot of the organization's while it runs, on a task of its own: leaving
//! the page does not stop a run half-way.

use super::error::AppError;
use super::state::AppState;
use crate::data::sync_logs::{SourceType, SyncOutcome, SyncRun};
use crate::data::users::Member;
use crate::data::OrganizationStore;
use crate::domain::analytics::data_sources::{on_demand, source_type_label, SyncNowDone};
use crate::domain::language::Language;
use crate::i18n::{td_string, Locale};

/// Starts a run of `source_type` for the member's organization; the answer says it
/// started (or why it cannot, in `language`). The run records its end in `sync_logs`.
pub async fn start(
    state: &AppState,
    member: &Member,
    source_type: &str,
    language: Language,
) -> Result<SyncNowDone, AppError> {
    let locale = Locale::from(language);
    let source_type = source_type.trim();
    on_demand(source_type)
        .map_err(|why| AppError::BadRequest { field: "source_type", message: format!("source_type: {why}") })?;
    let source = match source_type {
        "redis_cache" => SourceType::RedisCache,
        "transaction_maintenance" => SourceType::TransactionMaintenance,
        other => {
            return Err(AppError::BadRequest {
                field: "source_type",
                message: tf!(locale, errors.cannot_run_here, value = format!("{other:?}")),
            })
        }
    };
    let slot = state.heavy_work.start(member.organization.id, language)?;
    let store = state.store.for_organization(&member.organization);
    let trigger = serde_json::json!({ "trigger": "on_demand", "by": member.email });
    let handle = match source {
        SourceType::RedisCache => {
            // One refresh of an organization at a time, as `ut360 sync-cache` and imports.
            let lock = store
                .try_lock_refresh()
                .await?
                .ok_or_else(|| AppError::Busy(td_string!(locale, errors.refresh_running).to_owned()))?;
            let config = serde_json::json!({ "redis_prefix": member.organization.redis_prefix });
            let run = store.start_sync(source, config).await?;
            tokio::spawn(async move {
                let outcome = sync_cache(&store, trigger).await;
                finish(&store, run, outcome).await;
                if let Err(error) = lock.release().await {
                    tracing::warn!(%error, "the refresh lock could not be released; it goes with its connection");
                }
                drop(slot);
            })
        }
        _ => {
            let run = store.start_sync(source, serde_json::json!({})).await?;
            let base = state.store.clone();
            tokio::spawn(async move {
                let today = chrono::Local::now().date_naive();
                let done = super::jobs::maintain_transactions(&base, store.organization(), today).await;
                let outcome = match done {
                    Ok(()) => SyncOutcome { metadata: trigger, ..SyncOutcome::default() },
                    Err(error) => {
                        SyncOutcome { error: Some(error.to_string()), metadata: trigger, ..SyncOutcome::default() }
                    }
                };
                finish(&store, run, outcome).await;
                drop(slot);
            })
        }
    };
    // Runs on; the task's end is in sync_logs.
    drop(handle);
    Ok(SyncNowDone {
        source_type: source_type.to_owned(),
        message: format!(
            "{} started. Its run shows in the history below when it ends; reload the page to see it.",
            source_type_label(source_type)
        ),
    })
}

async fn sync_cache(store: &OrganizationStore, mut metadata: serde_json::Value) -> SyncOutcome {
    match store.sync_cache(|_| {}).await {
        Ok(summary) => {
            metadata["summary"] = serde_json::json!(summary);
            SyncOutcome {
                processed: summary.recommendations,
                updated: summary.recommendations + summary.profiles,
                metadata,
                ..SyncOutcome::default()
            }
        }
        Err(error) => SyncOutcome { error: Some(error.to_string()), metadata, ..SyncOutcome::default() },
    }
}

async fn finish(store: &OrganizationStore, run: SyncRun, outcome: SyncOutcome) {
    if let Some(error) = &outcome.error {
        tracing::warn!(organization = store.organization().slug, %error, "an on-demand run failed");
    }
    if let Err(error) = store.finish_sync(run, &outcome).await {
        tracing::warn!(organization = store.organization().slug, %error, "an on-demand run could not be recorded");
    }
}
