//! The dashboards' figures (seed 001 query patterns 7 and 8, and clusters), read from
//! the precomputed `recommendation_stats`: a few dozen rows, never a scan of the
//! recommendations.

use super::{Organization, Store};
use crate::domain::{Dashboards, GroupFigures};

#[derive(sqlx::FromRow)]
struct StatsRow {
    dimension_type: String,
    dimension_value: String,
    subscribers: i64,
    total_advance: f64,
    total_revenue: f64,
    avg_value_score: Option<f64>,
    avg_readiness_score: Option<f64>,
}

impl Store {
    pub async fn dashboards(&self, organization: &Organization) -> Result<Dashboards, sqlx::Error> {
        let rows: Vec<StatsRow> = sqlx::query_as(
            "SELECT dimension_type, dimension_value, COALESCE(total_count, 0)::int8 AS subscribers,
                 COALESCE(total_advance_amount, 0)::float8 AS total_advance,
                 COALESCE(total_revenue_potential, 0)::float8 AS total_revenue,
                 avg_customer_value_score::float8 AS avg_value_score,
                 avg_advance_readiness_score::float8 AS avg_readiness_score
             FROM recommendation_stats
             WHERE organization_id = $1
               AND stats_date = (SELECT MAX(stats_date) FROM recommendation_stats WHERE organization_id = $1)
               AND dimension_type IN ('service', 'service_risk', 'cluster')
             ORDER BY dimension_type, dimension_value",
        )
        .bind(organization.id)
        .fetch_all(&self.pg)
        .await?;
        let mut dashboards = Dashboards::default();
        for row in rows {
            let figures = GroupFigures {
                key: row.dimension_value,
                subscribers: row.subscribers,
                total_advance: row.total_advance,
                total_revenue: row.total_revenue,
                avg_value_score: row.avg_value_score,
                avg_readiness_score: row.avg_readiness_score,
            };
            match row.dimension_type.as_str() {
                "service" => dashboards.by_service.push(figures),
                "service_risk" => dashboards.by_service_and_risk.push(figures),
                _ => dashboards.by_cluster.push(figures),
            }
        }
        // Clusters in numeric order ("10" after "9"); subscribers without one last.
        dashboards.by_cluster.sort_by_key(|figures| figures.key.parse::<i64>().unwrap_or(i64::MAX));
        Ok(dashboards)
    }
}
