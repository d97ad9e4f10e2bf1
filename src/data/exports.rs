//! Exports of a subscriber list or a campaign: the rows, read in batches through a
//! channel so a million-row file never sits in memory, and the record of each export
//! in seed 004's `event_tracking` (with a campaign's members, for suppression).

use super::campaigns::{push_rules, CAMPAIGN_ORDER};
use super::copy::CopyBuffer;
use super::lists::{push_filter, push_order};
use super::recommendation_rows::{RecFields, RecommendationRange, REC_FIELDS_SQL, REC_FIELD_NAMES};
use super::Organization;
use crate::data::{sql, OrganizationStore, Store};
use crate::domain::campaign::{CampaignId, CampaignRules, ExportEvent};
use crate::domain::lists::{ListSort, RecommendationFilter};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

/// Rows sent at a time.
const EXPORT_BATCH: usize = 1_000;

/// Some rows of an export, each its chosen columns' values as text ("" when missing).
pub type ExportBatch = Vec<Vec<String>>;

/// What an export holds. One is made per export, so the campaign's rules stay inline.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum ExportSelection {
    /// A subscriber list, in its order.
    List { filter: RecommendationFilter, sort: ListSort },
    /// A saved campaign: its rules, by priority, up to its limit.
    Campaign { id: CampaignId, name: String, rules: CampaignRules },
}

/// Who asked for an export and what it is, for the record.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    pub selection: ExportSelection,
    /// Names from `campaign::EXPORT_COLUMNS`, in the file's order.
    pub columns: Vec<&'static str>,
    /// `csv` or `xlsx`.
    pub format: &'static str,
    pub file_name: String,
    pub page_url: String,
    /// The signed-in member's email; the client's agent goes in `client`.
    pub user: String,
    pub session_id: String,
    pub client: String,
}

impl OrganizationStore {
    /// The export's rows in its order, in batches. The export is recorded when its
    /// last row is read (a campaign's members with it, in one transaction); a
    /// download stopped early is recorded as `interrupted`, with no members.
    pub fn export_rows(&self, request: ExportRequest) -> tokio::sync::mpsc::Receiver<Result<ExportBatch, sqlx::Error>> {
        let organization = &self.organization;
        let (sender, receiver) = tokio::sync::mpsc::channel(4);
        let (store, organization) = (self.store.clone(), organization.clone());
        tokio::spawn(async move {
            if let Err(error) = stream_and_record(&store, &organization, &request, &sender).await {
                tracing::error!(%error, file = request.file_name, "export failed");
                let _ = sender.send(Err(error)).await;
            }
        });
        receiver
    }

    /// Recorded exports, newest first: one campaign's, or every export when `None`.
    pub async fn export_history(
        &self,
        campaign: Option<CampaignId>,
        limit: i64,
    ) -> Result<Vec<ExportEvent>, sqlx::Error> {
        let organization = &self.organization;
        type Row = (Uuid, String, Option<String>, Option<f64>, serde_json::Value);
        let rows: Vec<Row> = sql::query_as(
            r#"SELECT id, to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), event_action,
                      event_value::float8, metadata
               FROM event_tracking
               WHERE organization_id = $1 AND event_name = 'export'
                 AND ($2::text IS NULL OR metadata->>'campaign_id' = $2)
               ORDER BY timestamp DESC LIMIT $3"#,
        )
        .bind(organization.id)
        .bind(campaign.map(|id| id.to_string()))
        .bind(limit)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, at, format, rows, metadata)| {
                let text = |key: &str| metadata.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                let columns = metadata.get("columns").and_then(|c| c.as_array()).map_or_else(Vec::new, |columns| {
                    columns.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect()
                });
                ExportEvent {
                    id: id.to_string(),
                    at,
                    format: format.unwrap_or_default(),
                    rows: rows.unwrap_or_default() as i64,
                    status: text("status"),
                    columns,
                    file_name: text("file_name"),
                    user: text("user"),
                }
            })
            .collect())
    }
}

async fn stream_and_record(
    store: &Store,
    organization: &Organization,
    request: &ExportRequest,
    sender: &tokio::sync::mpsc::Sender<Result<ExportBatch, sqlx::Error>>,
) -> Result<(), sqlx::Error> {
    use futures_util::TryStreamExt;
    let mut query = QueryBuilder::<Postgres>::new(format!("SELECT {REC_FIELDS_SQL} FROM recommendations r"));
    let campaign = match &request.selection {
        ExportSelection::List { filter, sort } => {
            push_filter(&mut query, organization, filter);
            push_order(&mut query, sort.column, sort.descending);
            None
        }
        ExportSelection::Campaign { id, rules, .. } => {
            push_rules(&mut query, organization, rules);
            query.push(CAMPAIGN_ORDER);
            if let Some(limit) = rules.limit {
                query.push(" LIMIT ").push_bind(i64::from(limit));
            }
            Some(*id)
        }
    };
    let positions: Vec<usize> =
        request.columns.iter().filter_map(|column| REC_FIELD_NAMES.iter().position(|name| name == column)).collect();
    let isdn_position = REC_FIELD_NAMES.iter().position(|name| *name == "isdn").unwrap_or(0);

    // The record and the members are written as rows are read, and kept only if the file
    // ends. Members go through COPY on the record's own connection, so PostgreSQL stores
    // them while the next rows are read and written out; into a temporary table, since
    // COPY cannot write to a table under row-level security, then in one INSERT.
    let mut record = store.begin().await?;
    let export_id = insert_event(&mut record, organization, request, "complete").await?;
    let mut members = match campaign {
        Some(campaign) => {
            // The campaign stays until the members are in (migration 16: no per-row keys).
            sql::query("SELECT 1 FROM campaigns WHERE organization_id = $1 AND id = $2 FOR KEY SHARE")
                .bind(organization.id)
                .bind(campaign.uuid())
                .fetch_one(&mut *record)
                .await?;
            if let ExportSelection::Campaign { rules, .. } = &request.selection {
                record_funnel_counts(&mut record, organization, export_id, rules).await?;
            }
            sql::query(MEMBERS_STAGING).execute(&mut *record).await?;
            Some(record.copy_in_raw(MEMBERS_COPY).await?)
        }
        None => None,
    };
    let member_prefix =
        campaign.map(|campaign| format!("{}\t{campaign}\t{export_id}\t", organization.id)).unwrap_or_default();
    // The rows are read in a transaction of their own, beside the record's, on a
    // caught-up replica when there is one (the record is written on the primary).
    let mut reading = store.begin_streaming_read().await?;
    let mut rows = query.build_query_as::<RecFields>().persistent(sql::named()).fetch(&mut *reading);
    let mut batch = Vec::with_capacity(EXPORT_BATCH);
    let mut member_lines = CopyBuffer::default();
    let mut sent: i64 = 0;
    let mut finished = false;
    while !finished {
        match rows.try_next().await? {
            Some(row) => {
                let values: Vec<String> = row.into_hash_fields().into_iter().map(|(_, value)| value).collect();
                if members.is_some() {
                    member_lines.raw(&member_prefix).text(&values[isdn_position]).end_row();
                }
                batch.push(positions.iter().map(|&i| values[i].clone()).collect());
                if batch.len() < EXPORT_BATCH {
                    continue;
                }
            }
            None => finished = true,
        }
        if let Some(copy) = members.as_mut().filter(|_| !member_lines.as_str().is_empty()) {
            copy.send(member_lines.as_str().as_bytes()).await?;
            member_lines = CopyBuffer::default();
        }
        let rows_in_batch = batch.len() as i64;
        if finished {
            let copied = match members.take() {
                Some(copy) => Some(copy.finish().await?),
                None => None,
            };
            // Ends the COPY's hold on the record's connection.
            drop(members);
            if copied.is_some() {
                sql::query(MEMBERS_KEEP).execute(&mut *record).await?;
            }
            // Recorded before the last rows leave, so the history has it once the file is whole.
            sql::query("UPDATE event_tracking SET event_value = $2 WHERE id = $1")
                .bind(export_id)
                .bind(sent + rows_in_batch)
                .execute(&mut *record)
                .await?;
            record.commit().await?;
            if !batch.is_empty() {
                let _ = sender.send(Ok(std::mem::take(&mut batch))).await;
            }
            return Ok(());
        }
        if sender.send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(EXPORT_BATCH)))).await.is_err() {
            drop(rows);
            if let Some(copy) = members.take() {
                copy.abort("the download was stopped").await.ok();
            }
            drop(members);
            record.rollback().await?;
            let mut interrupted = store.begin().await?;
            let id = insert_event(&mut interrupted, organization, request, "interrupted").await?;
            sql::query("UPDATE event_tracking SET event_value = $2 WHERE id = $1")
                .bind(id)
                .bind(sent)
                .execute(&mut *interrupted)
                .await?;
            interrupted.commit().await?;
            return Ok(());
        }
        sent += rows_in_batch;
    }
    Ok(())
}

const MEMBERS_STAGING: &str =
    "CREATE TEMP TABLE export_members_staging (organization_id UUID, campaign_id UUID, export_id UUID, isdn TEXT) ON COMMIT DROP";
const MEMBERS_COPY: &str = "COPY export_members_staging (organization_id, campaign_id, export_id, isdn) FROM STDIN";
const MEMBERS_KEEP: &str = "INSERT INTO campaign_export_members (organization_id, campaign_id, export_id, isdn)
     SELECT organization_id, campaign_id, export_id, isdn FROM export_members_staging";

/// The first two steps of the campaign's funnel (`compute_funnel_analysis`, migration
/// 40), in the export's metadata: `matched`, who the rules select leaving out no one,
/// and `after_suppression`, who is left once the excluded campaigns' members and the
/// suppression lists are (before the limit; the export's `event_value` is after it).
async fn record_funnel_counts(
    transaction: &mut sqlx::Transaction<'_, Postgres>,
    organization: &Organization,
    export_id: Uuid,
    rules: &CampaignRules,
) -> Result<(), sqlx::Error> {
    let after_suppression = RecommendationRange::from(rules);
    let matched =
        RecommendationRange { exclude_campaigns: Vec::new(), exclude_lists: Vec::new(), ..after_suppression.clone() };
    let mut query = QueryBuilder::<Postgres>::new(
        "UPDATE event_tracking SET metadata = metadata || jsonb_build_object('matched', ",
    );
    matched.push_count(&mut query, organization, None);
    query.push(", 'after_suppression', ");
    after_suppression.push_count(&mut query, organization, None);
    query.push(") WHERE id = ").push_bind(export_id);
    query.build().persistent(sql::named()).execute(&mut **transaction).await?;
    Ok(())
}

/// Seed 004's `event_tracking` row of one export.
async fn insert_event(
    transaction: &mut sqlx::Transaction<'_, Postgres>,
    organization: &Organization,
    request: &ExportRequest,
    status: &str,
) -> Result<Uuid, sqlx::Error> {
    let (category, label, campaign_id, rules) = match &request.selection {
        ExportSelection::List { filter, sort } => (
            "subscriber_list",
            "Subscriber list".to_owned(),
            None,
            serde_json::json!({ "filter": filter, "sort": sort }),
        ),
        ExportSelection::Campaign { id, name, rules } => {
            ("campaign", name.chars().take(100).collect(), Some(id.to_string()), serde_json::json!(rules))
        }
    };
    let metadata = serde_json::json!({
        "campaign_id": campaign_id,
        "rules": rules,
        "columns": request.columns,
        "file_name": request.file_name,
        "status": status,
        "user": request.user,
        "client": request.client,
    });
    sql::query_scalar(
        "INSERT INTO event_tracking (organization_id, session_id, event_name, event_category, event_action, event_label,
                                     event_value, page_url, timestamp, metadata)
         VALUES ($1, $2, 'export', $3, $4, $5, 0, $6, NOW(), $7) RETURNING id",
    )
    .bind(organization.id)
    .bind(&request.session_id)
    .bind(category)
    .bind(request.format)
    .bind(label)
    .bind(&request.page_url)
    .bind(metadata)
    .fetch_one(&mut **transaction)
    .await
}
