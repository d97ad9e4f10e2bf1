//! `funnel_analysis`: recomputed by `compute_funnel_analysis` (migration 40, run as the
//! table's owner) from the campaigns' exports, and read by the funnels page.

use super::cohorts::computed_at_text;
use crate::data::{sql, OrganizationStore};
use crate::domain::analytics::funnels::{FunnelCampaign, FunnelQuery, FunnelReport, FunnelStep};
use crate::domain::campaign::CampaignId;
use chrono::{DateTime, NaiveDate, Utc};

impl OrganizationStore {
    /// Replaces the organization's funnels; returns the rows written.
    pub async fn recompute_funnels(&self) -> Result<i32, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let written =
            sql::query_scalar("SELECT compute_funnel_analysis($1)").bind(organization.id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// The campaigns with funnels, and the chosen one's (else the most recently
    /// exported one's) steps summed over the days of the range.
    pub async fn funnel_report(&self, query: &FunnelQuery) -> Result<FunnelReport, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        // A deleted campaign's funnel stays until the next computation, under its id.
        let campaigns: Vec<(String, String, NaiveDate)> = sql::query_as(
            "SELECT f.funnel_name, COALESCE(MIN(c.name), f.funnel_name), MAX(f.date)
             FROM funnel_analysis f
             LEFT JOIN campaigns c ON c.organization_id = f.organization_id AND c.id::text = f.funnel_name
             WHERE f.organization_id = $1
             GROUP BY f.funnel_name
             ORDER BY 3 DESC, 2",
        )
        .bind(organization.id)
        .fetch_all(&mut *tx)
        .await?;
        let campaigns: Vec<FunnelCampaign> = campaigns
            .into_iter()
            .filter_map(|(id, name, last_export)| {
                Some(FunnelCampaign { id: id.parse().ok()?, name, last_export: last_export.to_string() })
            })
            .collect();
        let computed_at: Option<DateTime<Utc>> =
            sql::query_scalar("SELECT MAX(created_at) FROM funnel_analysis WHERE organization_id = $1")
                .bind(organization.id)
                .fetch_one(&mut *tx)
                .await?;
        let campaign: Option<CampaignId> = query.campaign.or_else(|| campaigns.first().map(|campaign| campaign.id));
        let mut steps = Vec::new();
        let mut export_days = 0;
        if let Some(campaign) = campaign {
            let rows: Vec<(i32, String, i64, i64, i64)> = sql::query_as(
                "SELECT step_order, MIN(step_name), SUM(visitors)::int8, SUM(conversions)::int8, COUNT(DISTINCT date)
                 FROM funnel_analysis
                 WHERE organization_id = $1 AND funnel_name = $2
                   AND ($3::date IS NULL OR date >= $3) AND ($4::date IS NULL OR date <= $4)
                 GROUP BY step_order
                 ORDER BY step_order",
            )
            .bind(organization.id)
            .bind(campaign.to_string())
            .bind(query.from)
            .bind(query.until)
            .fetch_all(&mut *tx)
            .await?;
            for (order, name, visitors, conversions, days) in rows {
                export_days = export_days.max(days);
                steps.push(FunnelStep { order, name, visitors, conversions });
            }
        }
        let day = |day: Option<NaiveDate>| day.map(|day| day.to_string()).unwrap_or_default();
        Ok(FunnelReport {
            campaigns,
            campaign,
            from: day(query.from),
            until: day(query.until),
            steps,
            export_days,
            computed_at: computed_at.map(computed_at_text),
        })
    }
}
