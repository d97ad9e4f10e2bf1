//! `cohort_analysis`: recomputed by `compute_cohort_analysis` (migration 40, run as the
//! table's owner) and read by the cohorts page. The nightly entry point recomputes the
//! cohorts and the campaign funnels of one organization together.

use crate::data::{sql, OrganizationStore};
use crate::domain::analytics::cohorts::{Cohort, CohortCell, CohortReport, COHORT_MONTHS, FIRST_TOP_UP};
use chrono::{DateTime, Utc};

/// What one recomputation wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecomputedAnalytics {
    /// `cohort_analysis` rows: one per cohort and month since.
    pub cohort_cells: i32,
    /// `funnel_analysis` rows: four per campaign and day of export.
    pub funnel_steps: i32,
}

/// How the pages show when the figures were computed.
pub(super) fn computed_at_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl OrganizationStore {
    /// The nightly job's entry point: replaces the organization's cohorts (the last
    /// `COHORT_MONTHS` months) and campaign funnels, in one transaction, so the pages
    /// show either the old figures or the new ones.
    pub async fn recompute_cohorts_and_funnels(&self) -> Result<RecomputedAnalytics, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let cohort_cells: i32 = sql::query_scalar("SELECT compute_cohort_analysis($1, $2)")
            .bind(organization.id)
            .bind(COHORT_MONTHS)
            .fetch_one(&mut *tx)
            .await?;
        let funnel_steps: i32 =
            sql::query_scalar("SELECT compute_funnel_analysis($1)").bind(organization.id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(RecomputedAnalytics { cohort_cells, funnel_steps })
    }

    /// Replaces the organization's cohorts of the last `months` months; returns the rows written.
    pub async fn recompute_cohorts(&self, months: i32) -> Result<i32, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let written = sql::query_scalar("SELECT compute_cohort_analysis($1, $2)")
            .bind(organization.id)
            .bind(months)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(written)
    }

    /// The organization's cohorts, oldest first, each with its months in order.
    pub async fn cohort_report(&self) -> Result<CohortReport, sqlx::Error> {
        let organization = &self.organization;
        type Row = (String, i32, i32, i32, f64, f64, Option<DateTime<Utc>>);
        let rows: Vec<Row> = sql::query_as(
            "SELECT to_char(cohort_date, 'YYYY-MM'), period_number, cohort_size, active_users,
                    retention_rate::float8, COALESCE(revenue, 0)::float8, created_at
             FROM cohort_analysis
             WHERE organization_id = $1 AND cohort_type = $2 AND period_type = 'month'
             ORDER BY cohort_date, period_number",
        )
        .bind(organization.id)
        .bind(FIRST_TOP_UP)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        let mut report = CohortReport::default();
        let mut computed_at: Option<DateTime<Utc>> = None;
        for (month, period, size, active_users, retention_rate, revenue, created_at) in rows {
            computed_at = computed_at.max(created_at);
            if report.cohorts.last().is_none_or(|cohort| cohort.month != month) {
                report.cohorts.push(Cohort { month, size: size.into(), cells: Vec::new() });
            }
            if let Some(cohort) = report.cohorts.last_mut() {
                cohort.cells.push(CohortCell { period, active_users: active_users.into(), retention_rate, revenue });
            }
        }
        report.computed_at = computed_at.map(computed_at_text);
        Ok(report)
    }
}
