//! Seed 001's `rec` fields read from PostgreSQL, worded exactly as the Redis hash
//! holds them, so a reply never depends on which store answered.

use super::Organization;
use crate::domain::lists::SortColumn;
use crate::domain::recommendation::{Priority, Recommendation};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

/// The select list behind [`RecFields`], over `recommendations r`. Numbers are their
/// shortest text (`25000`, `2757.5`) and missing values "".
pub(super) const REC_FIELDS_SQL: &str = r#"r.isdn, r.subscriber_type, r.service_type,
       trim_scale(r.advance_amount)::text AS advance_amount,
       trim_scale(r.revenue_per_advance)::text AS revenue_per_advance,
       r.cluster_group, r.bad_debt_risk,
       COALESCE(trim_scale(r.arpu_avg_6m)::text, '') AS arpu_avg_6m,
       COALESCE(trim_scale(r.arpu_growth_rate)::text, '') AS arpu_growth_rate,
       COALESCE(r.arpu_trend, '') AS arpu_trend,
       COALESCE(trim_scale(r.customer_value_score)::text, '') AS customer_value_score,
       COALESCE(trim_scale(r.advance_readiness_score)::text, '') AS advance_readiness_score,
       to_char(r.recommendation_date, 'YYYY-MM-DD') AS recommendation_date,
       r.priority_score::float8 AS priority_score"#;

/// The conditions of a range of the organization's recommendations, given to the
/// functions of migration 18 (`organization_recommendation_rows` and `_count`). They
/// run as the tables' owner, so every condition can be an index condition (under
/// row-level security PostgreSQL keeps score ranges and page positions out of an index
/// scan), and take no SQL from the caller, so no condition of a caller sees another
/// organization's rows. Exports read the table: they walk the order's index whole,
/// where the policy costs nothing.
#[derive(Clone, Debug, Default)]
pub(super) struct RecommendationRange {
    pub services: Vec<String>,
    pub risks: Vec<String>,
    pub clusters: Vec<i32>,
    pub subscriber_types: Vec<String>,
    pub trends: Vec<String>,
    pub min_value: Option<f64>,
    pub min_readiness: Option<f64>,
    pub min_advance: Option<f64>,
    pub max_advance: Option<f64>,
    pub exclude_campaigns: Vec<Uuid>,
    pub exclude_lists: Vec<Uuid>,
}

impl RecommendationRange {
    /// `organization_recommendation_rows(...) r`: up to `limit` rows in `sort`'s order
    /// (then ISDN, the same way), after `after` (the sort value as text, and the ISDN).
    pub fn push_rows<'a>(
        &self,
        query: &mut QueryBuilder<'a, Postgres>,
        organization: &Organization,
        sort: SortColumn,
        descending: bool,
        after: Option<(String, String)>,
        limit: i64,
    ) {
        query.push("organization_recommendation_rows(");
        self.push_arguments(query, organization);
        let (after_value, after_isdn) = after.unzip();
        query
            .push(", ")
            .push_bind(sort.to_string())
            .push(", ")
            .push_bind(descending)
            .push(", ")
            .push_bind(after_value)
            .push(", ")
            .push_bind(after_isdn)
            .push(", ")
            .push_bind(limit)
            .push(") r");
    }

    /// `organization_recommendation_count(...)`: how many are in the range, up to `cap`.
    /// Without a cap the count is exact and adds up migration 130's cells (counts of
    /// each combination of the filter columns, scores in bands of ten points), so it
    /// costs about the same for everyone as for a few; with one it stops at the cap.
    pub fn push_count<'a>(
        &self,
        query: &mut QueryBuilder<'a, Postgres>,
        organization: &Organization,
        cap: Option<i64>,
    ) {
        query.push("organization_recommendation_count(");
        self.push_arguments(query, organization);
        query.push(", ").push_bind(cap).push("::int8)");
    }

    fn push_arguments<'a>(&self, query: &mut QueryBuilder<'a, Postgres>, organization: &Organization) {
        query
            .push_bind(organization.id)
            .push(", ")
            .push_bind(self.services.clone())
            .push("::text[], ")
            .push_bind(self.risks.clone())
            .push("::text[], ")
            .push_bind(self.clusters.clone())
            .push("::int4[], ")
            .push_bind(self.subscriber_types.clone())
            .push("::text[], ")
            .push_bind(self.trends.clone())
            .push("::text[]");
        for value in [self.min_value, self.min_readiness, self.min_advance, self.max_advance] {
            query.push(", ").push_bind(value).push("::numeric");
        }
        query
            .push(", ")
            .push_bind(self.exclude_campaigns.clone())
            .push("::uuid[], ")
            .push_bind(self.exclude_lists.clone())
            .push("::uuid[]");
    }
}

/// The names of the `rec` hash's fields, in seed 001's order.
pub(super) const REC_FIELD_NAMES: [&str; 14] = [
    "isdn",
    "subscriber_type",
    "service_type",
    "advance_amount",
    "revenue_per_advance",
    "cluster_group",
    "bad_debt_risk",
    "arpu_avg_6m",
    "arpu_growth_rate",
    "arpu_trend",
    "customer_value_score",
    "advance_readiness_score",
    "recommendation_date",
    "priority",
];

#[derive(Clone, Debug, sqlx::FromRow)]
pub(super) struct RecFields {
    pub isdn: String,
    pub subscriber_type: String,
    pub service_type: String,
    pub advance_amount: String,
    pub revenue_per_advance: String,
    pub cluster_group: Option<i32>,
    pub bad_debt_risk: String,
    pub arpu_avg_6m: String,
    pub arpu_growth_rate: String,
    pub arpu_trend: String,
    pub customer_value_score: String,
    pub advance_readiness_score: String,
    pub recommendation_date: String,
    pub priority_score: Option<f64>,
}

impl RecFields {
    /// The `rec` hash: seed 001, section 2.2 A, in the seed's order.
    pub fn into_hash_fields(self) -> Vec<(&'static str, String)> {
        let priority = self.priority_score.map(|score| Priority::from_score(score).as_str()).unwrap_or("");
        let values = [
            self.isdn,
            self.subscriber_type,
            self.service_type,
            self.advance_amount,
            self.revenue_per_advance,
            self.cluster_group.map(|c| c.to_string()).unwrap_or_default(),
            self.bad_debt_risk,
            self.arpu_avg_6m,
            self.arpu_growth_rate,
            self.arpu_trend,
            self.customer_value_score,
            self.advance_readiness_score,
            self.recommendation_date,
            priority.to_owned(),
        ];
        REC_FIELD_NAMES.into_iter().zip(values).collect()
    }

    pub fn into_recommendation(self) -> Option<Recommendation> {
        recommendation_from_hash_fields(&self.into_hash_fields())
    }
}

/// From an `HMGET` of [`REC_FIELD_NAMES`], in that order; `None` for an absent key.
pub(super) fn recommendation_from_values(values: &[Option<String>]) -> Option<Recommendation> {
    let fields = REC_FIELD_NAMES.iter().zip(values).filter_map(|(name, value)| Some((*name, value.as_deref()?)));
    Recommendation::from_fields(fields)
}

pub(super) fn recommendation_from_hash_fields(fields: &[(&'static str, String)]) -> Option<Recommendation> {
    Recommendation::from_fields(fields.iter().map(|(name, value)| (*name, value.as_str())))
}
