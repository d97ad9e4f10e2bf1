//! The overview figures, read from the precomputed `recommendation_stats`.

use crate::data::{sql, OrganizationStore};
use crate::domain::figures::{LabelledCount, MetaStats, OverviewStats, ServiceRiskCount};
use crate::domain::recommendation::{RiskLevel, ServiceType};

/// One row of the organization's latest `recommendation_stats`.
#[derive(sqlx::FromRow)]
pub(super) struct StatsRow {
    pub dimension_type: String,
    pub dimension_value: String,
    pub total_count: i64,
    pub total_advance_amount: f64,
    pub total_revenue_potential: f64,
    pub avg_customer_value_score: Option<f64>,
    pub avg_advance_readiness_score: Option<f64>,
    pub avg_arpu_6m: Option<f64>,
    pub computed_at: String,
}

impl OrganizationStore {
    /// The organization's latest statistics of the given dimensions (`all`,
    /// `service`, `risk`, `cluster`, `subscriber_type`, `arpu_trend`, `service_risk`,
    /// `service_cluster`), ordered.
    pub(super) async fn latest_stats(&self, dimensions: &[&str]) -> Result<Vec<StatsRow>, sqlx::Error> {
        let organization = &self.organization;
        sql::query_as(
            "SELECT dimension_type, dimension_value, COALESCE(total_count, 0)::int8 AS total_count,
                 COALESCE(total_advance_amount, 0)::float8 AS total_advance_amount,
                 COALESCE(total_revenue_potential, 0)::float8 AS total_revenue_potential,
                 avg_customer_value_score::float8 AS avg_customer_value_score,
                 avg_advance_readiness_score::float8 AS avg_advance_readiness_score,
                 avg_arpu_6m::float8 AS avg_arpu_6m,
                 to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS computed_at
             FROM recommendation_stats
             WHERE organization_id = $1
               AND stats_date = (SELECT MAX(stats_date) FROM recommendation_stats WHERE organization_id = $1)
               AND dimension_type = ANY($2)
             ORDER BY dimension_type, dimension_value",
        )
        .bind(organization.id)
        .bind(dimensions)
        .fetch_all(&mut *self.begin().await?)
        .await
    }

    /// The organization's latest statistics; all zero when nothing is loaded yet.
    pub async fn overview(&self) -> Result<OverviewStats, sqlx::Error> {
        let rows = self.latest_stats(&["all", "service", "risk", "service_risk"]).await?;
        Ok(overview_from_rows(&rows))
    }

    /// Writes seed 001's `{prefix}:meta:stats` hash with exactly the seed's fields.
    pub async fn publish_meta_stats(&self, stats: &OverviewStats) -> redis::RedisResult<()> {
        let organization = &self.organization;
        let fields = MetaStats::from_overview(stats).to_hash_fields();
        let key = organization.redis_key("meta:stats");
        redis::pipe().atomic().del(&key).hset_multiple(&key, &fields).query_async::<()>(&mut self.redis.clone()).await
    }
}

fn overview_from_rows(rows: &[StatsRow]) -> OverviewStats {
    let counts_of = |dimension: &str, order: &[&str]| {
        let mut counts: Vec<LabelledCount> = rows
            .iter()
            .filter(|row| row.dimension_type == dimension)
            .map(|row| LabelledCount { label: row.dimension_value.clone(), subscribers: row.total_count })
            .collect();
        counts.sort_by_key(|c| order.iter().position(|o| *o == c.label).unwrap_or(order.len()));
        counts
    };
    let services: Vec<&str> = ServiceType::ALL.iter().map(|s| s.as_str()).collect();
    let risks: Vec<&str> = RiskLevel::ALL.iter().map(|r| r.as_str()).collect();

    let mut by_service_and_risk: Vec<ServiceRiskCount> = rows
        .iter()
        .filter(|row| row.dimension_type == "service_risk")
        .filter_map(|row| {
            let (service, risk) = row.dimension_value.split_once('|')?;
            Some(ServiceRiskCount {
                service_type: service.into(),
                bad_debt_risk: risk.into(),
                subscribers: row.total_count,
            })
        })
        .collect();
    let rank = |list: &[&str], value: &str| list.iter().position(|v| *v == value).unwrap_or(list.len());
    by_service_and_risk.sort_by_key(|c| (rank(&services, &c.service_type), rank(&risks, &c.bad_debt_risk)));

    let all = rows.iter().find(|row| row.dimension_type == "all");
    let total_subscribers = all.map_or(0, |row| row.total_count);
    OverviewStats {
        total_subscribers,
        by_service: counts_of("service", &services),
        by_risk: counts_of("risk", &risks),
        by_service_and_risk,
        avg_advance_amount: all
            .filter(|row| row.total_count > 0)
            .map_or(0.0, |row| row.total_advance_amount / row.total_count as f64),
        total_revenue_potential: all.map_or(0.0, |row| row.total_revenue_potential),
        last_updated: all.map(|row| row.computed_at.clone()),
    }
}
