//! What seed 001 keeps in Redis for one subscriber, built from PostgreSQL: the
//! `rec` hash (14 fields), the `profile` hash (8 JSON sections and `updated_at`)
//! and the subscriber's place in the service, risk and cluster indexes.

use super::recommendation_rows::{RecFields, REC_FIELDS_SQL};
use crate::data::{sql, OrganizationStore};
use crate::domain::profile::{
    ArpuStats, Basic, Insights, KpiScores, MonthArpu, Profile, RevenueBreakdown, RiskAssessment, TopupBehavior,
};
use futures_util::TryStreamExt;
use sqlx::types::Json;
use std::collections::HashMap;

/// One subscriber's cache content.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheEntry {
    pub isdn: String,
    /// The `rec` hash: seed 001, section 2.2 A, in the seed's order.
    pub recommendation: Vec<(&'static str, String)>,
    /// The `profile` hash, or `None` when the subscriber has no 360 profile row.
    pub profile: Option<Profile>,
    pub service_type: String,
    pub bad_debt_risk: String,
    pub cluster_group: Option<i32>,
    /// Seed 001's index score: customer value × advance readiness / 10,000.
    pub index_score: f64,
}

#[derive(sqlx::FromRow)]
struct SubscriberRow {
    #[sqlx(flatten)]
    rec: RecFields,
    index_score: Option<f64>,
    has_profile: bool,
    p_subscriber_type: Option<String>,
    p_service_type: Option<String>,
    p_advance_amount: Option<f64>,
    p_revenue_per_advance: Option<f64>,
    p_arpu_avg_6m: Option<f64>,
    p_arpu_std_6m: Option<f64>,
    p_arpu_min_6m: Option<f64>,
    p_arpu_max_6m: Option<f64>,
    p_arpu_growth_rate: Option<f64>,
    p_arpu_trend: Option<String>,
    p_arpu_first_month: Option<f64>,
    p_arpu_last_month: Option<f64>,
    p_revenue_call_pct: Option<f64>,
    p_revenue_sms_pct: Option<f64>,
    p_revenue_data_pct: Option<f64>,
    p_user_type: Option<String>,
    p_topup_frequency: Option<f64>,
    p_topup_avg_amount: Option<f64>,
    p_topup_advance_ratio: Option<f64>,
    p_topup_frequency_class: Option<String>,
    p_topup_min_amount: Option<f64>,
    p_topup_max_amount: Option<f64>,
    p_cluster_group: Option<i32>,
    p_cluster_label: Option<String>,
    p_bad_debt_risk: Option<String>,
    p_risk_score: Option<f64>,
    p_risk_factors: Option<Json<Vec<String>>>,
    p_customer_value_score: Option<f64>,
    p_advance_readiness_score: Option<f64>,
    p_revenue_potential: Option<f64>,
    p_classification_reason: Option<String>,
    p_strengths: Option<Json<Vec<String>>>,
    p_recommendations_text: Option<Json<Vec<String>>>,
    p_updated_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct MonthRow {
    isdn: String,
    data_month: String,
    arpu_call: Option<f64>,
    arpu_sms: Option<f64>,
    arpu_data: Option<f64>,
    arpu_total: Option<f64>,
}

/// A subscriber's `rec` fields, profile and index score; `{filter}` narrows the rows.
const SUBSCRIBER_QUERY: &str = r#"
SELECT {rec_fields},
       (r.customer_value_score * r.advance_readiness_score / 10000)::float8 AS index_score,
       p.id IS NOT NULL AS has_profile,
       p.subscriber_type AS p_subscriber_type, p.service_type AS p_service_type,
       p.advance_amount::float8 AS p_advance_amount, p.revenue_per_advance::float8 AS p_revenue_per_advance,
       p.arpu_avg_6m::float8 AS p_arpu_avg_6m, p.arpu_std_6m::float8 AS p_arpu_std_6m,
       p.arpu_min_6m::float8 AS p_arpu_min_6m, p.arpu_max_6m::float8 AS p_arpu_max_6m,
       p.arpu_growth_rate::float8 AS p_arpu_growth_rate, p.arpu_trend AS p_arpu_trend,
       p.arpu_first_month::float8 AS p_arpu_first_month, p.arpu_last_month::float8 AS p_arpu_last_month,
       p.revenue_call_pct::float8 AS p_revenue_call_pct, p.revenue_sms_pct::float8 AS p_revenue_sms_pct,
       p.revenue_data_pct::float8 AS p_revenue_data_pct, p.user_type AS p_user_type,
       p.topup_frequency::float8 AS p_topup_frequency, p.topup_avg_amount::float8 AS p_topup_avg_amount,
       p.topup_advance_ratio::float8 AS p_topup_advance_ratio, p.topup_frequency_class AS p_topup_frequency_class,
       p.topup_min_amount::float8 AS p_topup_min_amount, p.topup_max_amount::float8 AS p_topup_max_amount,
       p.cluster_group AS p_cluster_group, p.cluster_label AS p_cluster_label,
       p.bad_debt_risk AS p_bad_debt_risk, p.risk_score::float8 AS p_risk_score, p.risk_factors AS p_risk_factors,
       p.customer_value_score::float8 AS p_customer_value_score,
       p.advance_readiness_score::float8 AS p_advance_readiness_score,
       p.revenue_potential::float8 AS p_revenue_potential,
       p.classification_reason AS p_classification_reason, p.strengths AS p_strengths,
       p.recommendations_text AS p_recommendations_text,
       to_char(p.updated_at, 'YYYY-MM-DD"T"HH24:MI:SS') AS p_updated_at
FROM recommendations r
LEFT JOIN subscriber_360_profiles p ON p.organization_id = r.organization_id AND p.isdn = r.isdn
WHERE r.organization_id = $1 {filter}
"#;

fn subscriber_query(filter: &str) -> String {
    SUBSCRIBER_QUERY.replace("{rec_fields}", REC_FIELDS_SQL).replace("{filter}", filter)
}

const MONTH_QUERY: &str = "SELECT isdn, data_month, arpu_call::float8 AS arpu_call, arpu_sms::float8 AS arpu_sms,
        arpu_data::float8 AS arpu_data, arpu_total::float8 AS arpu_total
    FROM subscriber_monthly_arpu WHERE organization_id = $1 {filter}";

impl OrganizationStore {
    /// Every subscriber's cache content, handed to `each` in batches of `batch_size`.
    ///
    /// The monthly rows are read first into memory (about 100 bytes a row), so each
    /// table is scanned once instead of looked up per subscriber.
    pub async fn each_cache_entry_batch<F, Fut, E>(&self, batch_size: usize, mut each: F) -> Result<(), E>
    where
        F: FnMut(Vec<CacheEntry>) -> Fut,
        Fut: std::future::Future<Output = Result<(), E>>,
        E: From<sqlx::Error>,
    {
        let organization = &self.organization;
        let started = std::time::Instant::now();
        let mut months = self.months_by_isdn(None).await?;
        tracing::debug!(elapsed = ?started.elapsed(), isdns = months.len(), "monthly ARPU read");
        let query = subscriber_query("");
        // One read transaction for the whole walk (the cursor lives in it).
        let mut tx = self.begin().await?;
        let mut rows = sql::query_as::<SubscriberRow>(&query).bind(organization.id).fetch(&mut *tx);
        let mut batch = Vec::with_capacity(batch_size);
        while let Some(row) = rows.try_next().await? {
            let monthly = months.remove(&row.rec.isdn).unwrap_or_default();
            batch.push(CacheEntry::new(row, monthly));
            if batch.len() == batch_size {
                each(std::mem::replace(&mut batch, Vec::with_capacity(batch_size))).await?;
            }
        }
        if !batch.is_empty() {
            each(batch).await?;
        }
        Ok(())
    }

    /// One subscriber's cache content, read from PostgreSQL.
    pub async fn cache_entry(&self, isdn: &str) -> Result<Option<CacheEntry>, sqlx::Error> {
        let organization = &self.organization;
        let query = subscriber_query("AND r.isdn = $2");
        let row: Option<SubscriberRow> =
            sql::query_as(&query).bind(organization.id).bind(isdn).fetch_optional(&mut *self.begin().await?).await?;
        let Some(row) = row else { return Ok(None) };
        let monthly = self.months_by_isdn(Some(isdn)).await?.remove(isdn).unwrap_or_default();
        Ok(Some(CacheEntry::new(row, monthly)))
    }

    /// Monthly ARPU per ISDN, oldest month first.
    async fn months_by_isdn(&self, isdn: Option<&str>) -> Result<HashMap<String, Vec<MonthArpu>>, sqlx::Error> {
        let organization = &self.organization;
        let query = MONTH_QUERY.replace("{filter}", if isdn.is_some() { "AND isdn = $2" } else { "" });
        let mut query = sql::query_as::<MonthRow>(&query).bind(organization.id);
        if let Some(isdn) = isdn {
            query = query.bind(isdn);
        }
        let mut tx = self.begin().await?;
        let mut rows = query.fetch(&mut *tx);
        let mut months: HashMap<String, Vec<MonthArpu>> = HashMap::new();
        while let Some(row) = rows.try_next().await? {
            months.entry(row.isdn).or_default().push(MonthArpu {
                month: row.data_month,
                arpu_call: row.arpu_call,
                arpu_sms: row.arpu_sms,
                arpu_data: row.arpu_data,
                arpu_total: row.arpu_total,
            });
        }
        for list in months.values_mut() {
            list.sort_by(|a, b| a.month.cmp(&b.month));
        }
        Ok(months)
    }
}

impl CacheEntry {
    fn new(row: SubscriberRow, monthly_arpu: Vec<MonthArpu>) -> Self {
        let texts = |list: Option<Json<Vec<String>>>| list.map(|Json(items)| items).unwrap_or_default();
        let profile = row.has_profile.then(|| Profile {
            basic: Basic {
                isdn: row.rec.isdn.clone(),
                subscriber_type: row.p_subscriber_type.unwrap_or_default(),
                service: row.p_service_type,
                advance: row.p_advance_amount,
                revenue: row.p_revenue_per_advance,
                cluster: row.p_cluster_group,
                cluster_label: row.p_cluster_label,
            },
            arpu_stats: ArpuStats {
                avg: row.p_arpu_avg_6m,
                std: row.p_arpu_std_6m,
                min: row.p_arpu_min_6m,
                max: row.p_arpu_max_6m,
                growth_rate: row.p_arpu_growth_rate,
                trend: row.p_arpu_trend,
                first_month: row.p_arpu_first_month,
                last_month: row.p_arpu_last_month,
            },
            revenue_breakdown: RevenueBreakdown {
                call_pct: row.p_revenue_call_pct,
                sms_pct: row.p_revenue_sms_pct,
                data_pct: row.p_revenue_data_pct,
                user_type: row.p_user_type,
            },
            topup_behavior: TopupBehavior {
                frequency: row.p_topup_frequency,
                avg_amount: row.p_topup_avg_amount,
                ratio: row.p_topup_advance_ratio,
                frequency_class: row.p_topup_frequency_class,
                min_amount: row.p_topup_min_amount,
                max_amount: row.p_topup_max_amount,
            },
            risk_assessment: RiskAssessment {
                level: row.p_bad_debt_risk,
                score: row.p_risk_score,
                factors: texts(row.p_risk_factors),
            },
            kpi_scores: KpiScores {
                customer_value: row.p_customer_value_score,
                advance_readiness: row.p_advance_readiness_score,
                revenue_potential: row.p_revenue_potential,
            },
            monthly_arpu,
            insights: Insights {
                classification_reason: row.p_classification_reason,
                strengths: texts(row.p_strengths),
                recommendations: texts(row.p_recommendations_text),
            },
            updated_at: row.p_updated_at.unwrap_or_default(),
        });
        let (isdn, service_type, bad_debt_risk, cluster_group) =
            (row.rec.isdn.clone(), row.rec.service_type.clone(), row.rec.bad_debt_risk.clone(), row.rec.cluster_group);
        let recommendation = row.rec.into_hash_fields();
        Self {
            isdn,
            recommendation,
            profile,
            service_type,
            bad_debt_risk,
            cluster_group,
            index_score: row.index_score.unwrap_or(0.0),
        }
    }
}
