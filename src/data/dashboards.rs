//! The dashboards' figures (seed 001 query patterns 7 and 8, and clusters), read from
//! the precomputed `recommendation_stats`: a few dozen rows, never a scan of the
//! recommendations.

use crate::data::OrganizationStore;
use crate::domain::figures::{Dashboards, GroupFigures};

impl OrganizationStore {
    pub async fn dashboards(&self) -> Result<Dashboards, sqlx::Error> {
        let rows = self.latest_stats(&["service", "service_risk", "cluster", "service_cluster"]).await?;
        let mut dashboards = Dashboards::default();
        for row in rows {
            let figures = GroupFigures {
                key: row.dimension_value,
                subscribers: row.total_count,
                total_advance: row.total_advance_amount,
                total_revenue: row.total_revenue_potential,
                avg_value_score: row.avg_customer_value_score,
                avg_readiness_score: row.avg_advance_readiness_score,
                avg_arpu: row.avg_arpu_6m,
            };
            match row.dimension_type.as_str() {
                "service" => dashboards.by_service.push(figures),
                "service_risk" => dashboards.by_service_and_risk.push(figures),
                "service_cluster" => dashboards.by_service_and_cluster.push(figures),
                _ => dashboards.by_cluster.push(figures),
            }
        }
        // Clusters in numeric order ("10" after "9"); subscribers without one last.
        dashboards.by_cluster.sort_by_key(|figures| figures.key.parse::<i64>().unwrap_or(i64::MAX));
        Ok(dashboards)
    }
}
