//! Writing whole subscriber datasets: `recommendations`, `subscriber_360_profiles`
//! and `subscriber_monthly_arpu`, loaded with COPY in one transaction.

use super::copy::CopyBuffer;
use super::records::SubscriberRecord;
use super::{Organization, Store};
use sqlx::{PgConnection, Postgres, Transaction};

/// COPY data is sent to Postgres in chunks of about this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

const RECOMMENDATION_COLUMNS: &str = "id, organization_id, isdn, subscriber_type, service_type, \
    advance_amount, revenue_per_advance, cluster_group, bad_debt_risk, arpu_avg_6m, arpu_std_6m, \
    arpu_min_6m, arpu_max_6m, arpu_growth_rate, arpu_trend, revenue_call_pct, revenue_sms_pct, \
    revenue_data_pct, user_type, topup_frequency, topup_avg_amount, topup_advance_ratio, \
    topup_frequency_class, customer_value_score, advance_readiness_score, priority_score, \
    recommendation_date";

const PROFILE_COLUMNS: &str = "organization_id, isdn, recommendation_id, subscriber_type, service_type, \
    advance_amount, revenue_per_advance, arpu_avg_6m, arpu_std_6m, arpu_min_6m, arpu_max_6m, \
    arpu_first_month, arpu_last_month, arpu_growth_rate, arpu_trend, revenue_call_pct, revenue_sms_pct, \
    revenue_data_pct, user_type, topup_frequency, topup_avg_amount, topup_min_amount, topup_max_amount, \
    topup_advance_ratio, topup_frequency_class, bad_debt_risk, risk_score, risk_factors, \
    customer_value_score, advance_readiness_score, revenue_potential, cluster_group, cluster_label, \
    classification_reason, strengths, recommendations_text, profile_date";

const MONTHLY_COLUMNS: &str = "organization_id, isdn, data_month, arpu_call, arpu_sms, arpu_data, arpu_total";

/// Which table a batch of loaded rows went to, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadedTable {
    Recommendations,
    Profiles,
    MonthlyArpu,
}

impl Store {
    /// Replaces the organization's subscribers with `records`, all or nothing, then
    /// recomputes `recommendation_stats` and refreshes the planner statistics.
    /// `progress` hears how many rows of which table have just been written.
    pub async fn replace_subscribers(
        &self,
        organization: &Organization,
        records: &[SubscriberRecord],
        mut progress: impl FnMut(LoadedTable, u64),
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pg.begin().await?;
        // Readers keep seeing the old data until commit; other writers wait.
        sqlx::query("LOCK TABLE recommendations, subscriber_360_profiles, subscriber_monthly_arpu IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        for table in ["subscriber_monthly_arpu", "subscriber_360_profiles", "recommendations"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE organization_id = $1"))
                .bind(organization.id)
                .execute(&mut *tx)
                .await?;
        }

        let first_id = reserve_recommendation_ids(&mut tx, records.len()).await?;
        let org = organization.id.to_string();

        copy_rows(&mut tx, "recommendations", RECOMMENDATION_COLUMNS, records, |row, i, r| {
            row.int(first_id + i as i64).text(&org).text(&r.isdn).text(r.subscriber_type.as_str());
            row.text(r.service_type.as_str()).decimal(r.advance_amount).decimal(r.revenue_per_advance);
            row.int(r.cluster_group.into()).text(r.bad_debt_risk.as_str());
            row.decimal(r.arpu.avg).decimal(r.arpu.std).decimal(r.arpu.min).decimal(r.arpu.max);
            row.decimal(r.arpu.growth_rate).text(r.arpu.trend.as_str());
            row.cents(r.revenue.call_bp).cents(r.revenue.sms_bp).cents(r.revenue.data_bp).text(r.revenue.user_type());
            row.decimal(r.topup.frequency).decimal(r.topup.avg_amount).decimal4(r.topup.advance_ratio);
            row.text(r.topup.frequency_class()).decimal(r.customer_value_score).decimal(r.advance_readiness_score);
            row.decimal(r.priority_score()).text(&r.recommendation_date.to_string());
            row.end_row();
            1
        }, |rows| progress(LoadedTable::Recommendations, rows))
        .await?;

        copy_rows(&mut tx, "subscriber_360_profiles", PROFILE_COLUMNS, records, |row, i, r| {
            row.text(&org).text(&r.isdn).int(first_id + i as i64).text(r.subscriber_type.as_str());
            row.text(r.service_type.as_str()).decimal(r.advance_amount).decimal(r.revenue_per_advance);
            row.decimal(r.arpu.avg).decimal(r.arpu.std).decimal(r.arpu.min).decimal(r.arpu.max);
            row.decimal(r.arpu.first_month).decimal(r.arpu.last_month).decimal(r.arpu.growth_rate);
            row.text(r.arpu.trend.as_str());
            row.cents(r.revenue.call_bp).cents(r.revenue.sms_bp).cents(r.revenue.data_bp).text(r.revenue.user_type());
            row.decimal(r.topup.frequency).decimal(r.topup.avg_amount).decimal(r.topup.min_amount);
            row.decimal(r.topup.max_amount).decimal4(r.topup.advance_ratio).text(r.topup.frequency_class());
            row.text(r.bad_debt_risk.as_str()).decimal(r.risk_score).json(&r.risk_factors);
            row.decimal(r.customer_value_score).decimal(r.advance_readiness_score).decimal(r.revenue_potential);
            row.int(r.cluster_group.into()).text(&r.cluster_label).text(&r.classification_reason);
            row.json(&r.strengths).json(&r.recommendations_text).text(&r.recommendation_date.to_string());
            row.end_row();
            1
        }, |rows| progress(LoadedTable::Profiles, rows))
        .await?;

        copy_rows(&mut tx, "subscriber_monthly_arpu", MONTHLY_COLUMNS, records, |row, _, r| {
            for month in &r.monthly {
                row.text(&org).text(&r.isdn).text(&month.data_month);
                row.cents(month.arpu_call).cents(month.arpu_sms).cents(month.arpu_data).cents(month.arpu_total());
                row.end_row();
            }
            r.monthly.len() as u64
        }, |rows| progress(LoadedTable::MonthlyArpu, rows))
        .await?;

        refresh_recommendation_stats(&mut tx, organization).await?;
        tx.commit().await?;

        sqlx::query("ANALYZE recommendations, subscriber_360_profiles, subscriber_monthly_arpu, recommendation_stats")
            .execute(&self.pg)
            .await?;
        Ok(())
    }

    pub async fn count_subscribers(&self, organization: &Organization) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM recommendations WHERE organization_id = $1")
            .bind(organization.id)
            .fetch_one(&self.pg)
            .await
    }
}

/// Takes `count` consecutive ids from the `recommendations` sequence, so profiles can
/// reference their recommendation without a round trip per row.
async fn reserve_recommendation_ids(tx: &mut Transaction<'_, Postgres>, count: usize) -> Result<i64, sqlx::Error> {
    let first: i64 = sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('recommendations', 'id'))")
        .fetch_one(&mut **tx)
        .await?;
    if count > 1 {
        sqlx::query("SELECT setval(pg_get_serial_sequence('recommendations', 'id'), $1)")
            .bind(first + count as i64 - 1)
            .execute(&mut **tx)
            .await?;
    }
    Ok(first)
}

/// COPYs one table's rows. `write_row` writes (and ends) the rows of one record and
/// says how many it wrote.
async fn copy_rows(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    records: &[SubscriberRecord],
    mut write_row: impl FnMut(&mut CopyBuffer, usize, &SubscriberRecord) -> u64,
    mut progress: impl FnMut(u64),
) -> Result<u64, sqlx::Error> {
    let mut copy = conn.copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN")).await?;
    let mut buffer = CopyBuffer::default();
    let mut pending_rows = 0;
    for (i, record) in records.iter().enumerate() {
        pending_rows += write_row(&mut buffer, i, record);
        if buffer.len() >= CHUNK_BYTES {
            copy.send(buffer.take().into_bytes()).await?;
            progress(std::mem::take(&mut pending_rows));
        }
    }
    if buffer.len() > 0 {
        copy.send(buffer.take().into_bytes()).await?;
    }
    progress(pending_rows);
    copy.finish().await
}

/// Recomputes today's `recommendation_stats` rows of the organization from `recommendations`.
///
/// Dimensions: `all`, `service`, `risk`, `cluster`, `subscriber_type`, and `service_risk`
/// (`EasyCredit|LOW`). `total_revenue_potential` sums `revenue_per_advance`.
pub(super) async fn refresh_recommendation_stats(
    conn: &mut PgConnection,
    organization: &Organization,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM recommendation_stats WHERE organization_id = $1 AND stats_date = CURRENT_DATE")
        .bind(organization.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO recommendation_stats (organization_id, dimension_type, dimension_value, total_count,
             total_advance_amount, total_revenue_potential, avg_customer_value_score,
             avg_advance_readiness_score, stats_date)
         SELECT $1, d.dimension_type, d.dimension_value, COUNT(*), SUM(r.advance_amount),
             SUM(r.revenue_per_advance), ROUND(AVG(r.customer_value_score), 2),
             ROUND(AVG(r.advance_readiness_score), 2), CURRENT_DATE
         FROM recommendations r
         CROSS JOIN LATERAL (VALUES
             ('all', 'all'),
             ('service', r.service_type),
             ('risk', r.bad_debt_risk),
             ('cluster', COALESCE(r.cluster_group::text, 'none')),
             ('subscriber_type', r.subscriber_type),
             ('service_risk', r.service_type || '|' || r.bad_debt_risk)
         ) AS d(dimension_type, dimension_value)
         WHERE r.organization_id = $1
         GROUP BY d.dimension_type, d.dimension_value",
    )
    .bind(organization.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
