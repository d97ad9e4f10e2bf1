//! The data sources page (issue 24): an organization's `data_sources` rows and each
//! one's runs from `sync_logs`. Runs themselves are recorded by `crate::data::sync_logs`.

use crate::data::{sql, OrganizationStore};
use crate::domain::analytics::data_sources::{
    on_demand, source_type_label, DataSourceListing, SyncHistoryPage, SyncLogListing, ON_DEMAND_SOURCES,
    SYNC_HISTORY_PAGE_SIZE,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct SourceRow {
    id: Uuid,
    source_type: String,
    source_name: String,
    is_active: Option<bool>,
    last_sync_at: Option<DateTime<Utc>>,
    sync_status: Option<String>,
    sync_frequency_minutes: Option<i32>,
    last_error: Option<String>,
}

impl SourceRow {
    fn listing(self) -> DataSourceListing {
        DataSourceListing {
            id: Some(self.id.to_string()),
            on_demand: on_demand(&self.source_type),
            source_type: self.source_type,
            name: self.source_name,
            is_active: self.is_active.unwrap_or(true),
            last_sync_at: self.last_sync_at.map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string()),
            status: self.sync_status.unwrap_or_else(|| "idle".to_owned()),
            frequency_minutes: self.sync_frequency_minutes,
            last_error: self.last_error,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RunRow {
    source_name: String,
    sync_type: String,
    status: String,
    records_processed: Option<i32>,
    records_created: Option<i32>,
    records_updated: Option<i32>,
    records_failed: Option<i32>,
    started_at: DateTime<Utc>,
    duration_seconds: Option<i32>,
    error_message: Option<String>,
}

const SOURCE_COLUMNS: &str = "id, source_type, source_name, is_active, last_sync_at, sync_status, \
                              sync_frequency_minutes, last_error";

impl OrganizationStore {
    /// Every source of the organization by type and name, then the on-demand kinds
    /// that never ran (so they can be run a first time).
    pub async fn data_sources(&self) -> Result<Vec<DataSourceListing>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<SourceRow> = sql::query_as(&format!(
            "SELECT {SOURCE_COLUMNS} FROM data_sources WHERE organization_id = $1 ORDER BY source_type, source_name"
        ))
        .bind(organization.id)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        let mut sources: Vec<DataSourceListing> = rows.into_iter().map(SourceRow::listing).collect();
        for source_type in ON_DEMAND_SOURCES {
            if !sources.iter().any(|source| source.source_type == *source_type) {
                sources.push(DataSourceListing {
                    id: None,
                    source_type: (*source_type).to_owned(),
                    name: source_type_label(source_type),
                    is_active: true,
                    last_sync_at: None,
                    status: "idle".to_owned(),
                    frequency_minutes: None,
                    last_error: None,
                    on_demand: Ok(()),
                });
            }
        }
        Ok(sources)
    }

    /// One source of the organization, if it is one.
    pub async fn data_source(&self, id: Uuid) -> Result<Option<DataSourceListing>, sqlx::Error> {
        let organization = &self.organization;
        let row: Option<SourceRow> =
            sql::query_as(&format!("SELECT {SOURCE_COLUMNS} FROM data_sources WHERE organization_id = $1 AND id = $2"))
                .bind(organization.id)
                .bind(id)
                .fetch_optional(&mut *self.begin().await?)
                .await?;
        Ok(row.map(SourceRow::listing))
    }

    /// Page `page` (from 1) of the runs of `source` (`None`: of every source), newest first.
    pub async fn sync_history(&self, source: Option<Uuid>, page: i64) -> Result<Vec<SyncLogListing>, sqlx::Error> {
        let organization = &self.organization;
        // One more than a page, to tell whether another follows.
        let rows: Vec<RunRow> = sql::query_as(
            "SELECT d.source_name, l.sync_type, l.status, l.records_processed, l.records_created,
                    l.records_updated, l.records_failed, l.started_at, l.duration_seconds, l.error_message
             FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
             WHERE l.organization_id = $1 AND ($2::uuid IS NULL OR l.data_source_id = $2)
             ORDER BY l.started_at DESC, l.id
             LIMIT $3 OFFSET $4",
        )
        .bind(organization.id)
        .bind(source)
        .bind(SYNC_HISTORY_PAGE_SIZE + 1)
        .bind((page - 1) * SYNC_HISTORY_PAGE_SIZE)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        let count = |n: Option<i32>| i64::from(n.unwrap_or(0));
        Ok(rows
            .into_iter()
            .map(|row| SyncLogListing {
                source_name: row.source_name,
                sync_type: row.sync_type,
                status: row.status,
                processed: count(row.records_processed),
                created: count(row.records_created),
                updated: count(row.records_updated),
                failed: count(row.records_failed),
                started_at: row.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                duration_seconds: row.duration_seconds.map(i64::from),
                error: row.error_message,
            })
            .collect())
    }
}

/// A page of runs from what `sync_history` read (one more than a page means more follow).
pub fn history_page(source_name: Option<String>, mut runs: Vec<SyncLogListing>, page: i64) -> SyncHistoryPage {
    let has_more = runs.len() as i64 > SYNC_HISTORY_PAGE_SIZE;
    runs.truncate(SYNC_HISTORY_PAGE_SIZE as usize);
    SyncHistoryPage { source_name, runs, page, has_more }
}
