//! Seed 004's `data_sources` and `sync_logs`: every import and cache sync is recorded
//! as a run of its source, with its counts, duration and error.

use super::Store;
use crate::data::{sql, OrganizationStore};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a run moves data from (the `source_type` of its `data_sources` row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceType {
    /// Seed 002's three files, imported into PostgreSQL.
    FileImport,
    /// PostgreSQL synced into the Redis keys of seed 001.
    RedisCache,
    /// The server's 15-minute transaction job (partitions ahead, dashboards cached).
    TransactionMaintenance,
    /// The hourly aggregation (seed 004's `aggregate_hourly_data`) and the steps after it.
    HourlyAggregation,
    /// The nightly work: daily aggregation and the steps after it.
    NightlyAnalytics,
    /// Seed 002's daily files, imported from the drop folder by the scheduler.
    DropFolderImport,
}

impl SourceType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FileImport => "file_import",
            Self::RedisCache => "redis_cache",
            Self::TransactionMaintenance => "transaction_maintenance",
            Self::HourlyAggregation => "hourly_aggregation",
            Self::NightlyAnalytics => "nightly_analytics",
            Self::DropFolderImport => "drop_folder_import",
        }
    }

    pub fn source_name(self) -> &'static str {
        match self {
            Self::FileImport => "Subscriber data files",
            Self::RedisCache => "Redis hot cache",
            Self::TransactionMaintenance => "Transaction maintenance",
            Self::HourlyAggregation => "Hourly analytics aggregation",
            Self::NightlyAnalytics => "Nightly analytics",
            Self::DropFolderImport => "Drop folder daily files",
        }
    }
}

/// A run that has started and not yet been finished.
#[derive(Debug)]
pub struct SyncRun {
    pub id: Uuid,
    data_source_id: Uuid,
}

/// How a run ended.
#[derive(Clone, Debug, Default)]
pub struct SyncOutcome {
    pub processed: u64,
    pub created: u64,
    pub updated: u64,
    pub failed: u64,
    /// `None` when the run succeeded.
    pub error: Option<String>,
    pub metadata: serde_json::Value,
}

/// One row of `sync_logs`, as reports show it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SyncLogEntry {
    pub source_type: String,
    pub sync_type: String,
    pub status: String,
    pub records_processed: i32,
    pub records_created: i32,
    pub records_updated: i32,
    pub records_failed: i32,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i32>,
    pub error_message: Option<String>,
    pub metadata: serde_json::Value,
}

impl Store {
    pub async fn finish_sync(&self, run: SyncRun, outcome: &SyncOutcome) -> Result<(), sqlx::Error> {
        let count = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
        let succeeded = outcome.error.is_none();
        let mut tx = self.begin().await?;
        sql::query(
            "UPDATE sync_logs SET status = $2, records_processed = $3, records_created = $4,
                 records_updated = $5, records_failed = $6, completed_at = clock_timestamp(),
                 duration_seconds = ROUND(EXTRACT(EPOCH FROM clock_timestamp() - started_at))::int,
                 error_message = $7, metadata = $8
             WHERE id = $1",
        )
        .bind(run.id)
        .bind(if succeeded { "completed" } else { "failed" })
        .bind(count(outcome.processed))
        .bind(count(outcome.created))
        .bind(count(outcome.updated))
        .bind(count(outcome.failed))
        .bind(&outcome.error)
        .bind(&outcome.metadata)
        .execute(&mut *tx)
        .await?;
        sql::query(
            "UPDATE data_sources SET sync_status = $2, last_sync_at = NOW(), last_error = $3, updated_at = NOW()
             WHERE id = $1",
        )
        .bind(run.data_source_id)
        .bind(if succeeded { "success" } else { "failed" })
        .bind(&outcome.error)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}

impl OrganizationStore {
    /// Records that a full run of `source` has started; `config` says what it reads.
    pub async fn start_sync(&self, source: SourceType, config: serde_json::Value) -> Result<SyncRun, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let data_source_id: Uuid = sql::query_scalar(
            "INSERT INTO data_sources (organization_id, source_type, source_name, connection_config, sync_status)
             VALUES ($1, $2, $3, $4, 'running')
             ON CONFLICT (organization_id, source_type, source_name) DO UPDATE
                 SET connection_config = EXCLUDED.connection_config, sync_status = 'running', updated_at = NOW()
             RETURNING id",
        )
        .bind(organization.id)
        .bind(source.as_str())
        .bind(source.source_name())
        .bind(config)
        .fetch_one(&mut *tx)
        .await?;
        let id = sql::query_scalar(
            "INSERT INTO sync_logs (organization_id, data_source_id, sync_type, status, started_at)
             VALUES ($1, $2, 'full', 'started', clock_timestamp()) RETURNING id",
        )
        .bind(organization.id)
        .bind(data_source_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(SyncRun { id, data_source_id })
    }

    /// When the organization's latest run of `source` started, if it ever ran.
    pub async fn last_run_started(&self, source: SourceType) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        let organization = &self.organization;
        sql::query_scalar(
            "SELECT MAX(l.started_at) FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
             WHERE d.organization_id = $1 AND d.source_type = $2",
        )
        .bind(organization.id)
        .bind(source.as_str())
        .fetch_one(&mut *self.begin().await?)
        .await
    }

    /// The organization's latest runs, newest first.
    pub async fn recent_syncs(&self, limit: i64) -> Result<Vec<SyncLogEntry>, sqlx::Error> {
        let organization = &self.organization;
        sql::query_as(
            "SELECT d.source_type, l.sync_type, l.status, l.records_processed, l.records_created,
                    l.records_updated, l.records_failed, l.started_at, l.completed_at,
                    l.duration_seconds, l.error_message, l.metadata
             FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
             WHERE d.organization_id = $1
             ORDER BY l.started_at DESC LIMIT $2",
        )
        .bind(organization.id)
        .bind(limit)
        .fetch_all(&mut *self.begin().await?)
        .await
    }
}
