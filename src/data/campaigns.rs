//! Campaigns: rules over `recommendations` (count, top rows), saved campaigns, and
//! uploaded suppression lists.

use super::recommendation_rows::{RecFields, RecommendationRange, REC_FIELDS_SQL};
use super::Organization;
use crate::data::{sql, OrganizationStore};
use crate::domain::campaign::{CampaignId, CampaignPreview, CampaignRules, CampaignSummary, SuppressionList};
use crate::domain::isdn::Isdn;
use crate::domain::lists::{ListedRecommendation, SortColumn};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

/// Rows the rule builder previews.
pub const PREVIEW_ROWS: i64 = 100;

/// The outcome of saving a campaign or a suppression list by name.
#[derive(Debug)]
pub enum Saved<T> {
    Saved(T),
    /// Another one of the organization's already has this name.
    NameTaken,
    /// The campaign to update is not the organization's (or no longer exists).
    NotFound,
}

/// `WHERE` for the organization and every rule given, suppressions included (exports,
/// which read the table; a preview reads `RecommendationRange`).
/// Ids are checked by `CampaignRules::validate` before they get here.
pub(super) fn push_rules(query: &mut QueryBuilder<'_, Postgres>, organization: &Organization, rules: &CampaignRules) {
    query.push(" WHERE r.organization_id = ").push_bind(organization.id);
    let texts = |values: Vec<&str>| values.into_iter().map(str::to_owned).collect::<Vec<String>>();
    if !rules.services.is_empty() {
        query
            .push(" AND r.service_type = ANY(")
            .push_bind(texts(rules.services.iter().map(|s| s.as_str()).collect()))
            .push(")");
    }
    if !rules.risks.is_empty() {
        query
            .push(" AND r.bad_debt_risk = ANY(")
            .push_bind(texts(rules.risks.iter().map(|r| r.as_str()).collect()))
            .push(")");
    }
    if !rules.clusters.is_empty() {
        query.push(" AND r.cluster_group = ANY(").push_bind(rules.clusters.clone()).push(")");
    }
    if !rules.subscriber_types.is_empty() {
        let types = texts(rules.subscriber_types.iter().map(|t| t.as_str()).collect());
        query.push(" AND r.subscriber_type = ANY(").push_bind(types).push(")");
    }
    if !rules.trends.is_empty() {
        query
            .push(" AND r.arpu_trend = ANY(")
            .push_bind(texts(rules.trends.iter().map(|t| t.as_str()).collect()))
            .push(")");
    }
    // Scores as the list indexes key them (a missing score is -1; minimums are 0-100, so
    // the rows are the same): a count then reads a range of one index, not every row.
    let minimums = [
        ("COALESCE(r.customer_value_score, -1) >= ", rules.min_value),
        ("COALESCE(r.advance_readiness_score, -1) >= ", rules.min_readiness),
        ("r.advance_amount >= ", rules.min_advance),
    ];
    for (condition, value) in minimums {
        if let Some(value) = value {
            query.push(" AND ").push(condition).push_bind(value).push("::numeric");
        }
    }
    if let Some(max_advance) = rules.max_advance {
        query.push(" AND r.advance_amount <= ").push_bind(max_advance).push("::numeric");
    }
    if !rules.exclude_campaigns.is_empty() {
        query
            .push(" AND NOT EXISTS (SELECT 1 FROM campaign_export_members m WHERE m.organization_id = r.organization_id AND m.campaign_id = ANY(")
            .push_bind(rules.exclude_campaigns.iter().map(|id| id.uuid()).collect::<Vec<Uuid>>())
            .push(") AND m.isdn = r.isdn)");
    }
    if !rules.exclude_lists.is_empty() {
        query
            .push(" AND NOT EXISTS (SELECT 1 FROM suppression_list_members s WHERE s.organization_id = r.organization_id AND s.list_id = ANY(")
            .push_bind(rules.exclude_lists.iter().map(|id| id.uuid()).collect::<Vec<Uuid>>())
            .push(") AND s.isdn = r.isdn)");
    }
}

impl From<&CampaignRules> for RecommendationRange {
    fn from(rules: &CampaignRules) -> Self {
        let texts = |values: Vec<&str>| values.into_iter().map(str::to_owned).collect::<Vec<String>>();
        Self {
            services: texts(rules.services.iter().map(|s| s.as_str()).collect()),
            risks: texts(rules.risks.iter().map(|r| r.as_str()).collect()),
            clusters: rules.clusters.clone(),
            subscriber_types: texts(rules.subscriber_types.iter().map(|t| t.as_str()).collect()),
            trends: texts(rules.trends.iter().map(|t| t.as_str()).collect()),
            min_value: rules.min_value,
            min_readiness: rules.min_readiness,
            min_advance: rules.min_advance,
            max_advance: rules.max_advance,
            exclude_campaigns: rules.exclude_campaigns.iter().map(|id| id.uuid()).collect(),
            exclude_lists: rules.exclude_lists.iter().map(|id| id.uuid()).collect(),
        }
    }
}

/// A campaign's order: priority, highest first (a missing score last), then ISDN.
pub(super) const CAMPAIGN_ORDER: &str = " ORDER BY COALESCE(r.priority_score, -1) DESC, r.isdn DESC";

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: Uuid,
    name: String,
    owner: String,
    rules: sqlx::types::Json<CampaignRules>,
    updated_at: String,
    exports: i64,
}

impl From<CampaignRow> for CampaignSummary {
    fn from(row: CampaignRow) -> Self {
        Self {
            id: row.id.into(),
            name: row.name,
            owner: row.owner,
            rules: row.rules.0,
            updated_at: row.updated_at,
            exports: row.exports,
        }
    }
}

const CAMPAIGN_COLUMNS: &str = r#"c.id, c.name, c.owner, c.rules,
    to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at,
    (SELECT COUNT(*) FROM event_tracking e WHERE e.organization_id = c.organization_id AND e.event_name = 'export'
       AND e.metadata->>'campaign_id' = c.id::text) AS exports"#;

impl OrganizationStore {
    /// How many match the rules (before and after the limit) and the first rows.
    pub async fn campaign_preview(&self, rules: &CampaignRules) -> Result<CampaignPreview, sqlx::Error> {
        let organization = &self.organization;
        let range = RecommendationRange::from(rules);
        let mut count = QueryBuilder::<Postgres>::new("SELECT ");
        range.push_count(&mut count, organization, None);
        let shown = rules.limit.map_or(PREVIEW_ROWS, |limit| PREVIEW_ROWS.min(i64::from(limit)));
        let mut top = QueryBuilder::<Postgres>::new(format!("SELECT {REC_FIELDS_SQL} FROM "));
        range.push_rows(&mut top, organization, SortColumn::Priority, true, None, shown);
        top.push(CAMPAIGN_ORDER);
        // Both at once, each in a transaction of its own.
        let (mut count_tx, mut top_tx) = self.begin_two().await?;
        let (matching, rows) = tokio::try_join!(
            count.build_query_scalar::<i64>().persistent(sql::named()).fetch_one(&mut *count_tx),
            top.build_query_as::<RecFields>().persistent(sql::named()).fetch_all(&mut *top_tx),
        )?;
        let top = rows
            .into_iter()
            .filter_map(|row| {
                let priority_score = row.priority_score;
                Some(ListedRecommendation { recommendation: row.into_recommendation()?, priority_score })
            })
            .collect();
        let count = rules.limit.map_or(matching, |limit| matching.min(i64::from(limit)));
        Ok(CampaignPreview { count, matching, top })
    }

    /// Creates the campaign (`id` None) or replaces its name, owner and rules.
    pub async fn save_campaign(
        &self,
        id: Option<CampaignId>,
        name: &str,
        owner: &str,
        rules: &CampaignRules,
    ) -> Result<Saved<CampaignSummary>, sqlx::Error> {
        let organization = &self.organization;
        let rules = sqlx::types::Json(rules);
        let mut tx = self.begin().await?;
        let saved =
            match id {
                None => sql::query_scalar::<Uuid>(
                    "INSERT INTO campaigns (organization_id, name, owner, rules) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(organization.id)
                .bind(name.trim())
                .bind(owner.trim())
                .bind(rules)
                .fetch_optional(&mut *tx)
                .await,
                Some(id) => {
                    sql::query_scalar::<Uuid>(
                        "UPDATE campaigns SET name = $3, owner = $4, rules = $5, updated_at = NOW()
                     WHERE organization_id = $1 AND id = $2 RETURNING id",
                    )
                    .bind(organization.id)
                    .bind(id.uuid())
                    .bind(name.trim())
                    .bind(owner.trim())
                    .bind(rules)
                    .fetch_optional(&mut *tx)
                    .await
                }
            };
        match saved {
            Ok(Some(id)) => {
                tx.commit().await?;
                Ok(self.campaign(id.into()).await?.map_or(Saved::NotFound, Saved::Saved))
            }
            Ok(None) => Ok(Saved::NotFound),
            Err(error) if is_unique_violation(&error) => Ok(Saved::NameTaken),
            Err(error) => Err(error),
        }
    }

    pub async fn campaign(&self, id: CampaignId) -> Result<Option<CampaignSummary>, sqlx::Error> {
        let organization = &self.organization;
        let row: Option<CampaignRow> = sql::query_as(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns c WHERE c.organization_id = $1 AND c.id = $2"
        ))
        .bind(organization.id)
        .bind(id.uuid())
        .fetch_optional(&mut *self.begin().await?)
        .await?;
        Ok(row.map(Into::into))
    }

    /// The organization's campaigns, most recently changed first.
    pub async fn campaigns(&self) -> Result<Vec<CampaignSummary>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<CampaignRow> = sql::query_as(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns c WHERE c.organization_id = $1 ORDER BY c.updated_at DESC, c.name"
        ))
        .bind(organization.id)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Stores an uploaded list of ISDNs to leave out of campaigns, all or nothing.
    pub async fn create_suppression_list(
        &self,
        name: &str,
        isdns: &[Isdn],
    ) -> Result<Saved<SuppressionList>, sqlx::Error> {
        let organization = &self.organization;
        let mut transaction = self.begin().await?;
        let created = sql::query_scalar::<Uuid>(
            "INSERT INTO suppression_lists (organization_id, name, isdn_count) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(organization.id)
        .bind(name.trim())
        .bind(isdns.len() as i32)
        .fetch_one(&mut *transaction)
        .await;
        let id = match created {
            Ok(id) => id,
            Err(error) if is_unique_violation(&error) => return Ok(Saved::NameTaken),
            Err(error) => return Err(error),
        };
        let texts: Vec<&str> = isdns.iter().map(Isdn::as_str).collect();
        sql::query(
            "INSERT INTO suppression_list_members (organization_id, list_id, isdn)
             SELECT $1, $2, isdn FROM UNNEST($3::text[]) AS isdn ON CONFLICT DO NOTHING",
        )
        .bind(organization.id)
        .bind(id)
        .bind(&texts)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        let lists = self.suppression_lists().await?;
        Ok(lists.into_iter().find(|list| list.id.uuid() == id).map_or(Saved::NotFound, Saved::Saved))
    }

    /// The organization's suppression lists, newest first.
    pub async fn suppression_lists(&self) -> Result<Vec<SuppressionList>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<(Uuid, String, i32, String)> = sql::query_as(
            r#"SELECT id, name, isdn_count, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
               FROM suppression_lists WHERE organization_id = $1 ORDER BY created_at DESC, name"#,
        )
        .bind(organization.id)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, isdn_count, created_at)| SuppressionList {
                id: id.into(),
                name,
                isdn_count: isdn_count.into(),
                created_at,
            })
            .collect())
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| e.is_unique_violation())
}
