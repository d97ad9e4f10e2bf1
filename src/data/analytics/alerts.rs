//! Performance alerts and their rules. The database opens and closes alerts
//! (`evaluate_performance_alerts`, as the tables' owner); the app reads them, records
//! acknowledgements, and keeps the rules (row-level security).

use crate::data::{sql, OrganizationStore};
use crate::domain::analytics::alerts::{
    AlertListing, AlertPeriod, AlertRuleDraft, AlertRuleListing, AlertType, AlertsEvaluated, AlertsOverview,
    ThresholdType, ALERT_HISTORY_SIZE, MAX_ALERT_RULES,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: Uuid,
    alert_type: String,
    channel: String,
    metric: String,
    current_value: f64,
    threshold_value: f64,
    threshold_type: String,
    message: String,
    is_active: bool,
    is_acknowledged: bool,
    acknowledged_by: Option<String>,
    acknowledged_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    measured_at: Option<DateTime<Utc>>,
}

impl AlertRow {
    fn into_listing(self) -> Option<AlertListing> {
        Some(AlertListing {
            id: self.id.to_string(),
            alert_type: AlertType::parse(&self.alert_type)?,
            channel: self.channel,
            metric: self.metric,
            current_value: self.current_value,
            threshold_value: self.threshold_value,
            threshold_type: self.threshold_type,
            message: self.message,
            is_active: self.is_active,
            is_acknowledged: self.is_acknowledged,
            acknowledged_by: self.acknowledged_by,
            acknowledged_at: self.acknowledged_at.map(when),
            created_at: when(self.created_at),
            measured_at: self.measured_at.map(when),
        })
    }
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: Uuid,
    channel: String,
    metric: String,
    period: String,
    threshold_type: String,
    threshold_value: f64,
    enabled: bool,
    created_by: Option<String>,
    updated_at: DateTime<Utc>,
}

const ALERT_COLUMNS: &str = "a.id, a.alert_type, a.channel, a.metric, a.current_value::float8 AS current_value,
    a.threshold_value::float8 AS threshold_value, a.threshold_type, a.message, COALESCE(a.is_active, FALSE) AS is_active,
    COALESCE(a.is_acknowledged, FALSE) AS is_acknowledged, u.email AS acknowledged_by, a.acknowledged_at,
    COALESCE(a.created_at, NOW()) AS created_at, a.measured_at";

/// What saving a rule did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSaved {
    Saved,
    /// No rule of the organization has that id.
    NotFound,
    /// The organization has `MAX_ALERT_RULES` already.
    TooMany,
}

impl OrganizationStore {
    /// The scheduler's entry point after each aggregation (after `generate_ai_insights`):
    /// every enabled rule against the latest aggregate of its metric, one open alert
    /// per breached rule, alerts of recovered (disabled, deleted) rules closed, and the
    /// alerts of severe anomalies.
    pub async fn evaluate_performance_alerts(&self) -> Result<AlertsEvaluated, sqlx::Error> {
        let mut tx = self.begin().await?;
        let (opened, closed): (i32, i32) = sql::query_as("SELECT opened, closed FROM evaluate_performance_alerts($1)")
            .bind(self.organization.id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(AlertsEvaluated { opened, closed })
    }

    /// Open alerts (newest first), the latest closed ones, and the rules.
    pub async fn alerts_overview(&self, may_edit_rules: bool) -> Result<AlertsOverview, sqlx::Error> {
        let mut tx = self.begin().await?;
        let active: Vec<AlertRow> = sql::query_as(&format!(
            "SELECT {ALERT_COLUMNS} FROM performance_alerts a LEFT JOIN users u ON u.id = a.acknowledged_by
             WHERE a.organization_id = $1 AND a.is_active ORDER BY a.created_at DESC, a.id"
        ))
        .bind(self.organization.id)
        .fetch_all(&mut *tx)
        .await?;
        let history: Vec<AlertRow> = sql::query_as(&format!(
            "SELECT {ALERT_COLUMNS} FROM performance_alerts a LEFT JOIN users u ON u.id = a.acknowledged_by
             WHERE a.organization_id = $1 AND NOT COALESCE(a.is_active, FALSE)
             ORDER BY a.created_at DESC, a.id LIMIT $2"
        ))
        .bind(self.organization.id)
        .bind(ALERT_HISTORY_SIZE)
        .fetch_all(&mut *tx)
        .await?;
        let rules: Vec<RuleRow> = sql::query_as(
            "SELECT r.id, r.channel, r.metric, r.period, r.threshold_type, r.threshold_value::float8 AS threshold_value,
                    r.enabled, u.email AS created_by, r.updated_at
             FROM performance_alert_rules r LEFT JOIN users u ON u.id = r.created_by
             WHERE r.organization_id = $1 ORDER BY r.channel, r.metric, r.created_at, r.id",
        )
        .bind(self.organization.id)
        .fetch_all(&mut *tx)
        .await?;
        Ok(AlertsOverview {
            active: active.into_iter().filter_map(AlertRow::into_listing).collect(),
            history: history.into_iter().filter_map(AlertRow::into_listing).collect(),
            rules: rules
                .into_iter()
                .filter_map(|row| {
                    Some(AlertRuleListing {
                        id: row.id.to_string(),
                        channel: row.channel,
                        metric: row.metric,
                        period: AlertPeriod::parse(&row.period)?,
                        threshold_type: ThresholdType::parse(&row.threshold_type)?,
                        threshold_value: row.threshold_value,
                        enabled: row.enabled,
                        created_by: row.created_by,
                        updated_at: when(row.updated_at),
                    })
                })
                .collect(),
            may_edit_rules,
        })
    }

    /// Records that `user_id` acknowledged one of the organization's unacknowledged
    /// alerts; false when there is none with `id`. Only the acknowledgement changes.
    pub async fn acknowledge_alert(&self, id: Uuid, user_id: Uuid) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
        let acknowledged = sql::query(
            "UPDATE performance_alerts
             SET is_acknowledged = TRUE, acknowledged_by = $3, acknowledged_at = NOW(), updated_at = NOW()
             WHERE organization_id = $1 AND id = $2 AND NOT COALESCE(is_acknowledged, FALSE)",
        )
        .bind(self.organization.id)
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(acknowledged == 1)
    }

    /// Creates a rule (`id` none) or changes one, keeping whether it is enabled.
    pub async fn save_alert_rule(
        &self,
        id: Option<Uuid>,
        draft: &AlertRuleDraft,
        created_by: Uuid,
    ) -> Result<RuleSaved, sqlx::Error> {
        let mut tx = self.begin().await?;
        let saved = match id {
            Some(id) => sql::query(
                "UPDATE performance_alert_rules
                 SET channel = $3, metric = $4, period = $5, threshold_type = $6, threshold_value = $7, updated_at = NOW()
                 WHERE organization_id = $1 AND id = $2",
            )
            .bind(self.organization.id)
            .bind(id)
            .bind(&draft.channel)
            .bind(&draft.metric)
            .bind(draft.period.as_str())
            .bind(draft.threshold_type.as_str())
            .bind(draft.threshold_value)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            None => {
                // One rule added at a time per organization, so the limit holds.
                sql::query("SELECT pg_advisory_xact_lock(hashtext('ut360:alert_rules'), hashtext($1::text))")
                    .bind(self.organization.id)
                    .execute(&mut *tx)
                    .await?;
                let rules: i64 =
                    sql::query_scalar("SELECT COUNT(*) FROM performance_alert_rules WHERE organization_id = $1")
                        .bind(self.organization.id)
                        .fetch_one(&mut *tx)
                        .await?;
                if rules >= MAX_ALERT_RULES {
                    return Ok(RuleSaved::TooMany);
                }
                sql::query(
                    "INSERT INTO performance_alert_rules
                         (organization_id, channel, metric, period, threshold_type, threshold_value, created_by)
                     VALUES ($1, $2, $3, $4, $5, $6::numeric, $7)",
                )
                .bind(self.organization.id)
                .bind(&draft.channel)
                .bind(&draft.metric)
                .bind(draft.period.as_str())
                .bind(draft.threshold_type.as_str())
                .bind(draft.threshold_value)
                .bind(created_by)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            }
        };
        tx.commit().await?;
        Ok(if saved == 1 { RuleSaved::Saved } else { RuleSaved::NotFound })
    }

    /// Turns a rule on or off; false when the organization has no rule with `id`.
    pub async fn set_alert_rule_enabled(&self, id: Uuid, enabled: bool) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
        let changed = sql::query(
            "UPDATE performance_alert_rules SET enabled = $3, updated_at = NOW() WHERE organization_id = $1 AND id = $2",
        )
        .bind(self.organization.id)
        .bind(id)
        .bind(enabled)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Deletes a rule; its alerts stay as history (the next evaluation closes open ones).
    pub async fn delete_alert_rule(&self, id: Uuid) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
        let deleted = sql::query("DELETE FROM performance_alert_rules WHERE organization_id = $1 AND id = $2")
            .bind(self.organization.id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted == 1)
    }
}
