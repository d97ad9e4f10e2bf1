//! Seed 004's data sources as the admins' page shows them: every source of the
//! organization with its last run, and each source's runs (`sync_logs`), newest first.
//! Some sources can be run from the page ("Sync now"); the others say why not.

use serde::{Deserialize, Serialize};

pub const DATA_SOURCES_PATH: &str = "/admin/data-sources";
/// Runs on one page of a source's history.
pub const SYNC_HISTORY_PAGE_SIZE: i64 = 20;

/// `source_type`s an admin can run now: the Redis cache sync and the transaction
/// maintenance (both run for one organization in a few seconds to minutes).
pub const ON_DEMAND_SOURCES: &[&str] = &["redis_cache", "transaction_maintenance"];

/// Whether a source of `source_type` can run from the page: `Err` says why not.
pub fn on_demand(source_type: &str) -> Result<(), String> {
    if ON_DEMAND_SOURCES.contains(&source_type) {
        return Ok(());
    }
    Err(match source_type {
        "file_import" => {
            "Runs when data files are imported on the server (ut360 import); there is nothing to fetch from here."
                .to_owned()
        }
        _ => "Runs on the scheduler's timetable only; it cannot be started from this page.".to_owned(),
    })
}

/// A person's name for a `source_type`: the known ones by name, any other from its
/// words (`daily_aggregates` → "Daily aggregates"), so new kinds show without a change here.
pub fn source_type_label(source_type: &str) -> String {
    match source_type {
        "file_import" => "File import".to_owned(),
        "redis_cache" => "Redis cache sync".to_owned(),
        "transaction_maintenance" => "Transaction maintenance".to_owned(),
        other => {
            let words = other.replace(['_', '-'], " ");
            let mut letters = words.trim().chars();
            match letters.next() {
                Some(first) => first.to_uppercase().chain(letters).collect(),
                None => "Unnamed source".to_owned(),
            }
        }
    }
}

/// One `data_sources` row; `id` is `None` for an on-demand source that never ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSourceListing {
    pub id: Option<String>,
    pub source_type: String,
    pub name: String,
    pub is_active: bool,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub last_sync_at: Option<String>,
    /// `idle`, `running`, `success`, `failed`.
    pub status: String,
    pub frequency_minutes: Option<i32>,
    pub last_error: Option<String>,
    /// `Err` says why it cannot run from the page.
    pub on_demand: Result<(), String>,
}

/// One run of a source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncLogListing {
    pub source_name: String,
    pub sync_type: String,
    /// `started`, `completed`, `failed`.
    pub status: String,
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub failed: i64,
    /// `YYYY-MM-DD HH:MM:SS UTC`.
    pub started_at: String,
    pub duration_seconds: Option<i64>,
    pub error: Option<String>,
}

/// One page of a source's runs (or every source's), newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncHistoryPage {
    /// The source's name, `None` for every source's runs.
    pub source_name: Option<String>,
    pub runs: Vec<SyncLogListing>,
    /// From 1.
    pub page: i64,
    pub has_more: bool,
}

/// What "Sync now" did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncNowDone {
    pub source_type: String,
    /// A sentence for the page: what started and where its end shows.
    pub message: String,
}

/// The page's address showing `source`'s runs (`None`: every source's) at `page`.
pub fn data_sources_href(source: Option<&str>, page: i64) -> String {
    let mut query = Vec::new();
    if let Some(source) = source {
        query.push(format!("source={source}"));
    }
    if page > 1 {
        query.push(format!("page={page}"));
    }
    if query.is_empty() {
        DATA_SOURCES_PATH.to_owned()
    } else {
        format!("{DATA_SOURCES_PATH}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_source_type_has_a_name_and_says_whether_it_runs_now() {
        assert_eq!(source_type_label("redis_cache"), "Redis cache sync");
        assert_eq!(source_type_label("hourly_aggregates"), "Hourly aggregates");
        assert_eq!(source_type_label(""), "Unnamed source");
        assert!(on_demand("transaction_maintenance").is_ok());
        assert!(on_demand("file_import").unwrap_err().contains("import"));
        assert!(on_demand("daily_aggregates").unwrap_err().contains("scheduler"));
    }

    #[test]
    fn addresses_carry_the_source_and_page() {
        assert_eq!(data_sources_href(None, 1), DATA_SOURCES_PATH);
        assert_eq!(data_sources_href(Some("abc"), 2), "/admin/data-sources?source=abc&page=2");
        assert_eq!(data_sources_href(None, 3), "/admin/data-sources?page=3");
    }
}
