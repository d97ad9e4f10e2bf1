//! Seed 003's four layers for the transactions: `transaction_detail` partitioned by
//! month, the daily summaries (each load adds its rows' figures to the days it touches,
//! in its own transaction), a Redis cache of finished dashboards (15 minutes, dropped when a
//! load changes the summaries), and what the background job computes ahead.

use super::copy_binary::{copy_binary, BinaryCopyBuffer};
use super::transaction_summaries::SummaryDeltas;
use super::{Organization, Store};
use crate::data::{sql, OrganizationStore};
use crate::domain::field_error::{FieldError, Problem};
use crate::domain::transactions::{
    DashboardQuery, DashboardRange, DayFigures, MerchantFigures, MerchantTrend, PaymentFigures, RecentTransaction,
    TransactionDashboard, MAX_CUSTOM_DAYS, TOP_MERCHANTS,
};
use chrono::{NaiveDate, NaiveDateTime};
use redis::AsyncCommands;
use std::collections::BTreeSet;

/// How long a computed dashboard is served from Redis.
pub const DASHBOARD_TTL_SECONDS: u64 = 15 * 60;

/// Months ahead of the current one that always have a partition.
pub const PARTITION_MONTHS_AHEAD: u32 = 3;

const TRANSACTION_COLUMNS: &str =
    "organization_id, trans_date, client_code, client_name, payment_mode, status, paid_amount, isdn";

/// One transaction to store.
#[derive(Clone, Debug, PartialEq)]
pub struct TransactionRecord<'a> {
    pub trans_date: NaiveDateTime,
    pub client_code: &'a str,
    pub client_name: &'a str,
    pub payment_mode: &'a str,
    /// `SUCCESS`, `FAILED` or `PENDING`.
    pub status: &'a str,
    /// Hundredths of a đồng.
    pub paid_cents: i64,
    pub isdn: &'a str,
}

/// What a load stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadedTransactions {
    pub rows: u64,
    /// Days whose summaries were recomputed.
    pub days: usize,
    /// Partitions the load had to create.
    pub partitions_created: i32,
}

/// Where a dashboard came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DashboardSource {
    Cache,
    Summaries,
}

/// A dashboard query with its period resolved to days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardRequest {
    pub query: DashboardQuery,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl DashboardRequest {
    /// `today` ends the standard ranges; a custom range longer than `MAX_CUSTOM_DAYS`
    /// is refused with the field named.
    pub fn resolve(query: &DashboardQuery, today: NaiveDate) -> Result<Self, FieldError> {
        let day = |field: &'static str, text: &Option<String>| {
            text.as_deref()
                .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
                .ok_or(FieldError::new(field, Problem::Required))
        };
        let (from, until) = match query.range.days() {
            Some(days) => (today - chrono::Days::new(u64::from(days) - 1), today),
            None => {
                let (from, until) = (day("from", &query.from)?, day("until", &query.until)?);
                if (until - from).num_days() >= MAX_CUSTOM_DAYS {
                    return Err(FieldError::new("until", Problem::RangeTooLong { max_days: MAX_CUSTOM_DAYS }));
                }
                (from, until)
            }
        };
        Ok(Self { query: query.clone(), from, until })
    }

    /// A standard range ending `today`.
    pub fn standard(range: DashboardRange, today: NaiveDate) -> Self {
        let query = DashboardQuery { range, from: None, until: None, merchant: None };
        Self::resolve(&query, today).expect("standard ranges resolve")
    }
}

/// The rows day by day, and within a day in the order of the per-subscriber index
/// `(isdn, trans_date DESC)`: COPY then adds a day's index entries in one
/// pass over the index rather than at random places, which is what a load spends most
/// of its time on once the index outgrows PostgreSQL's buffers. Days stay apart so the
/// heap keeps them in time order for the BRIN index on `trans_date`. (Rust compares
/// ISDNs bytewise, as the column's C collation does.)
fn in_subscriber_index_order<'r, 'a>(rows: &'r [TransactionRecord<'a>]) -> Vec<&'r TransactionRecord<'a>> {
    let mut ordered: Vec<&TransactionRecord<'_>> = rows.iter().collect();
    ordered.sort_unstable_by(|a, b| {
        (a.trans_date.date(), a.isdn).cmp(&(b.trans_date.date(), b.isdn)).then(b.trans_date.cmp(&a.trans_date))
    });
    ordered
}

impl Store {
    /// Creates the monthly partitions from `first`'s month to `last`'s that are missing.
    pub async fn ensure_transaction_partitions(&self, first: NaiveDate, last: NaiveDate) -> Result<i32, sqlx::Error> {
        let mut tx = self.begin().await?;
        let created = sql::query_scalar("SELECT ensure_transaction_partitions($1, $2)")
            .bind(first)
            .bind(last)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The partitions of `transaction_detail`, by name.
    pub async fn transaction_partitions(&self) -> Result<Vec<String>, sqlx::Error> {
        sql::query_scalar(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'transaction_detail'::regclass ORDER BY 1",
        )
        .fetch_all(&mut *self.begin().await?)
        .await
    }

    /// Refreshes the planner's statistics and the visibility map after a large load.
    pub async fn vacuum_transactions(&self) -> Result<(), sqlx::Error> {
        // VACUUM cannot run in a transaction: one simple query (nothing prepared), which
        // PgBouncer's transaction pooling runs as a transaction of its own.
        sqlx::raw_sql("VACUUM (ANALYZE) transaction_detail, daily_merchant_summary, daily_payment_summary, daily_trend_summary, monthly_merchant_summary")
            .execute(&self.pg)
            .await?;
        Ok(())
    }

    async fn cache_dashboard(&self, key: &str, dashboard: &TransactionDashboard) {
        let json = serde_json::to_string(dashboard).expect("plain data serializes");
        let stored: Result<(), _> = self.redis.clone().set_ex(key, json, DASHBOARD_TTL_SECONDS).await;
        if let Err(error) = stored {
            tracing::warn!(%error, key, "the dashboard could not be cached");
        }
    }
}

impl OrganizationStore {
    /// Stores the transactions and adds them to the summaries of the days they fall on
    /// (`transaction_summaries`), all or nothing; creates the partitions of months that have none. The cached
    /// dashboards of the organization are dropped once the rows are in.
    pub async fn load_transactions(&self, rows: &[TransactionRecord<'_>]) -> Result<LoadedTransactions, sqlx::Error> {
        let organization = &self.organization;
        let days: BTreeSet<NaiveDate> = rows.iter().map(|row| row.trans_date.date()).collect();
        let (Some(first), Some(last)) = (days.first().copied(), days.last().copied()) else {
            return Ok(LoadedTransactions::default());
        };
        let fields = TRANSACTION_COLUMNS.split(',').count() as i16;
        let mut stream = BinaryCopyBuffer::with_capacity(rows.len() * 150);
        for row in in_subscriber_index_order(rows) {
            stream.row(fields).uuid(organization.id).timestamp(row.trans_date);
            stream.text(row.client_code).text(row.client_name).text(row.payment_mode).text(row.status);
            stream.cents(row.paid_cents).text(row.isdn);
        }
        let stream = stream.finish();
        let mut tx = self.begin().await?;
        let partitions_created: i32 = sql::query_scalar("SELECT ensure_transaction_partitions($1, $2)")
            .bind(first)
            .bind(last)
            .fetch_one(&mut *tx)
            .await?;
        let stored = copy_binary(&mut tx, "transaction_detail", TRANSACTION_COLUMNS, &stream).await?;
        SummaryDeltas::of(rows).add_to_summaries(&mut tx, organization.id).await?;
        // What the batch brought in, for the `imports` channel of the aggregates.
        super::analytics::aggregates::record_transaction_load(&mut tx, organization.id, stored, first, last).await?;
        tx.commit().await?;
        self.forget_transaction_dashboards().await;
        Ok(LoadedTransactions { rows: stored, days: days.len(), partitions_created })
    }

    /// Recomputes the organization's summaries of `days` from the rows: a repair, and the
    /// figure loads are compared with (they add to the summaries instead).
    pub async fn refresh_transaction_summaries(&self, days: &[NaiveDate]) -> Result<(), sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        sql::query("SELECT refresh_transaction_summaries($1, $2)")
            .bind(organization.id)
            .bind(days)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// PostgreSQL's plan for counting the rows between two days (both included): shows
    /// which partitions a range reads.
    pub async fn explain_transactions_between(&self, from: NaiveDate, until: NaiveDate) -> Result<String, sqlx::Error> {
        let organization = &self.organization;
        let lines: Vec<String> = sql::query_scalar(&format!(
            "EXPLAIN SELECT COUNT(*) FROM transaction_detail
             WHERE organization_id = '{}' AND trans_date >= '{from}' AND trans_date < '{}'",
            organization.id,
            until + chrono::Days::new(1)
        ))
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(lines.join("\n"))
    }

    /// Deletes the organization's transactions and summaries (before a fresh demo load).
    pub async fn delete_transactions(&self) -> Result<(), sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        for table in [
            "transaction_detail",
            "daily_merchant_summary",
            "daily_payment_summary",
            "daily_trend_summary",
            "monthly_merchant_summary",
        ] {
            sql::query(&format!("DELETE FROM {table} WHERE organization_id = $1"))
                .bind(organization.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.forget_transaction_dashboards().await;
        Ok(())
    }

    pub async fn count_transactions(&self) -> Result<i64, sqlx::Error> {
        let organization = &self.organization;
        sql::query_scalar("SELECT COUNT(*) FROM transaction_detail WHERE organization_id = $1")
            .bind(organization.id)
            .fetch_one(&mut *self.begin().await?)
            .await
    }

    /// The dashboard from the cache when it holds it, else from the summaries (then cached).
    pub async fn transaction_dashboard(
        &self,
        request: &DashboardRequest,
    ) -> Result<(TransactionDashboard, DashboardSource), sqlx::Error> {
        let key = self.dashboard_key(request).await;
        if let Some(key) = &key {
            let cached: Result<Option<String>, _> = self.redis.clone().get(key).await;
            match cached {
                Ok(Some(json)) => match serde_json::from_str(&json) {
                    Ok(dashboard) => return Ok((dashboard, DashboardSource::Cache)),
                    Err(error) => tracing::warn!(%error, key, "unreadable cached dashboard; recomputing"),
                },
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "Redis did not answer; the dashboard comes from the summaries"),
            }
        }
        let dashboard = self.transaction_dashboard_from_summaries(request).await?;
        if let Some(key) = key {
            self.cache_dashboard(&key, &dashboard).await;
        }
        Ok((dashboard, DashboardSource::Summaries))
    }

    /// Computes the standard ranges (today, 7, 30 and 365 days) into the cache, as the
    /// background job does every 15 minutes so no user waits for them.
    pub async fn precompute_transaction_dashboards(&self, today: NaiveDate) -> Result<(), sqlx::Error> {
        for range in DashboardRange::STANDARD {
            let request = DashboardRequest::standard(range, today);
            let dashboard = self.transaction_dashboard_from_summaries(&request).await?;
            if let Some(key) = self.dashboard_key(&request).await {
                self.cache_dashboard(&key, &dashboard).await;
            }
        }
        Ok(())
    }

    /// The dashboard computed from the daily summaries (a few rows a day, whatever the
    /// number of transactions).
    pub async fn transaction_dashboard_from_summaries(
        &self,
        request: &DashboardRequest,
    ) -> Result<TransactionDashboard, sqlx::Error> {
        self.dashboard_with(request, &SUMMARY_SQL).await
    }

    /// The same figures computed from the raw rows: the benchmark's baseline and the
    /// tests' reference.
    pub async fn transaction_dashboard_from_rows(
        &self,
        request: &DashboardRequest,
    ) -> Result<TransactionDashboard, sqlx::Error> {
        self.dashboard_with(request, &RAW_SQL).await
    }

    async fn dashboard_with(
        &self,
        request: &DashboardRequest,
        sql: &DashboardSql,
    ) -> Result<TransactionDashboard, sqlx::Error> {
        let organization = &self.organization;
        let (query, from, until) = (&request.query, request.from, request.until);
        // The three figures at once, each in a transaction of its own.
        let (mut merchants_tx, mut modes_tx, mut trend_tx) =
            tokio::try_join!(self.begin(), self.begin(), self.begin())?;
        let merchants = sql::query_as::<(String, String, i64, i64, f64)>(sql.top_merchants)
            .bind(organization.id)
            .bind(from)
            .bind(until)
            .bind(TOP_MERCHANTS)
            .fetch_all(&mut *merchants_tx);
        let modes = sql::query_as::<(String, i64, i64)>(sql.payment_modes)
            .bind(organization.id)
            .bind(from)
            .bind(until)
            .fetch_all(&mut *modes_tx);
        let trend = sql::query_as::<(NaiveDate, i64, i64, f64, f64)>(sql.trend)
            .bind(organization.id)
            .bind(from)
            .bind(until)
            .bind(None::<String>)
            .fetch_all(&mut *trend_tx);
        let merchant_trend = async {
            match &query.merchant {
                None => Ok(None),
                Some(code) => {
                    let mut tx = self.begin().await?;
                    let name: Option<Option<String>> = sql::query_scalar(sql.merchant_name)
                        .bind(organization.id)
                        .bind(code)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let days = sql::query_as::<(NaiveDate, i64, i64, f64, f64)>(sql.trend)
                        .bind(organization.id)
                        .bind(from)
                        .bind(until)
                        .bind(code)
                        .fetch_all(&mut *tx)
                        .await?;
                    Ok::<_, sqlx::Error>(name.map(|name| MerchantTrend {
                        client_code: code.clone(),
                        client_name: name.unwrap_or_default(),
                        days: days.into_iter().map(day_figures).collect(),
                    }))
                }
            }
        };
        let (merchants, modes, trend, merchant) = tokio::try_join!(merchants, modes, trend, merchant_trend)?;
        Ok(TransactionDashboard {
            query: query.clone(),
            from: from.to_string(),
            until: until.to_string(),
            top_merchants: merchants
                .into_iter()
                .map(|(client_code, client_name, transactions, successful, success_volume)| MerchantFigures {
                    client_code,
                    client_name,
                    transactions,
                    successful,
                    success_volume,
                })
                .collect(),
            payment_modes: modes
                .into_iter()
                .map(|(payment_mode, transactions, successful)| PaymentFigures {
                    payment_mode,
                    transactions,
                    successful,
                })
                .collect(),
            trend: trend.into_iter().map(day_figures).collect(),
            merchant,
            computed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    }

    /// A subscriber's latest transactions, newest first.
    pub async fn recent_transactions(&self, isdn: &str, limit: i64) -> Result<Vec<RecentTransaction>, sqlx::Error> {
        let organization = &self.organization;
        type Row = (NaiveDateTime, Option<String>, Option<String>, Option<String>, Option<String>, Option<f64>);
        let rows: Vec<Row> = sql::query_as(
            "SELECT trans_date, client_code, client_name, payment_mode, status, paid_amount::float8
             FROM transaction_detail WHERE organization_id = $1 AND isdn = $2
             ORDER BY trans_date DESC LIMIT $3",
        )
        .bind(organization.id)
        .bind(isdn)
        .bind(limit)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, client_code, client_name, payment_mode, status, paid_amount)| RecentTransaction {
                at: at.format("%Y-%m-%d %H:%M").to_string(),
                client_code: client_code.unwrap_or_default(),
                client_name: client_name.unwrap_or_default(),
                payment_mode: payment_mode.unwrap_or_default(),
                status: status.unwrap_or_default(),
                paid_amount: paid_amount.unwrap_or_default(),
            })
            .collect())
    }

    /// `{prefix}:transactions:dashboard:{generation}:{range}:{from}:{until}:{merchant}`.
    /// The generation changes with every load, so a load drops every cached dashboard
    /// at once; `None` when Redis does not answer (the dashboard is then not cached).
    async fn dashboard_key(&self, request: &DashboardRequest) -> Option<String> {
        let organization = &self.organization;
        let DashboardRequest { query, from, until } = request;
        let generation: Result<Option<u64>, _> = self.redis.clone().get(generation_key(organization)).await;
        let generation = generation.map_err(|error| tracing::warn!(%error, "Redis did not answer")).ok()?.unwrap_or(0);
        let merchant = query.merchant.as_deref().unwrap_or_default();
        Some(organization.redis_key(&format!(
            "transactions:dashboard:{generation}:{}:{from}:{until}:{merchant}",
            query.range.as_str()
        )))
    }

    /// Moves the organization to a new cache generation: the cached dashboards are no
    /// longer read and expire on their own.
    async fn forget_transaction_dashboards(&self) {
        let organization = &self.organization;
        let bumped: Result<u64, _> = self.redis.clone().incr(generation_key(organization), 1).await;
        if let Err(error) = bumped {
            tracing::warn!(%error, "Redis did not answer; cached transaction dashboards expire within 15 minutes");
        }
    }
}

fn generation_key(organization: &Organization) -> String {
    organization.redis_key("transactions:generation")
}

fn day_figures((day, transactions, successful, volume, success_volume): (NaiveDate, i64, i64, f64, f64)) -> DayFigures {
    DayFigures { day: day.to_string(), transactions, successful, volume, success_volume }
}

/// The dashboard's four statements. Binds: `$1` organization, `$2` first day, `$3`
/// last day (both included); top merchants `$4` how many; trend `$4` a merchant or NULL.
struct DashboardSql {
    top_merchants: &'static str,
    payment_modes: &'static str,
    trend: &'static str,
    merchant_name: &'static str,
}

const SUMMARY_SQL: DashboardSql = DashboardSql {
    // Whole months from the monthly rows, the range's partial months day by day (two
    // ranges of the daily key, so only those days are read).
    top_merchants: "WITH bounds AS MATERIALIZED (
                        SELECT CASE WHEN $2::date = date_trunc('month', $2::date)::date THEN $2::date
                                    ELSE (date_trunc('month', $2::date) + INTERVAL '1 month')::date END AS whole_from,
                               date_trunc('month', $3::date + 1)::date AS whole_until
                    ),
                    parts AS (
                        SELECT m.client_code, m.client_name, m.total_transactions, m.successful_transactions, m.success_amount
                        FROM monthly_merchant_summary m
                        WHERE m.organization_id = $1
                          AND m.summary_month >= (SELECT whole_from FROM bounds) AND m.summary_month < (SELECT whole_until FROM bounds)
                        UNION ALL
                        SELECT d.client_code, d.client_name, d.total_transactions, d.successful_transactions, d.success_amount
                        FROM daily_merchant_summary d
                        WHERE d.organization_id = $1
                          AND ((d.summary_date BETWEEN $2 AND $3 AND d.summary_date < (SELECT whole_from FROM bounds))
                            OR (d.summary_date BETWEEN $2 AND $3 AND d.summary_date >= (SELECT whole_until FROM bounds)))
                    )
                    SELECT client_code, COALESCE(MAX(client_name), ''), SUM(total_transactions)::int8, SUM(successful_transactions)::int8,
                           SUM(success_amount)::float8 AS volume
                    FROM parts
                    GROUP BY client_code ORDER BY volume DESC, client_code LIMIT $4",
    payment_modes: "SELECT payment_mode, SUM(total_transactions)::int8, SUM(successful_transactions)::int8
                    FROM daily_payment_summary
                    WHERE organization_id = $1 AND summary_date BETWEEN $2 AND $3
                    GROUP BY payment_mode ORDER BY payment_mode",
    trend: "SELECT summary_date, total_transactions::int8, successful_transactions::int8, total_volume::float8, success_volume::float8
            FROM daily_trend_summary
            WHERE organization_id = $1 AND summary_date BETWEEN $2 AND $3 AND $4::text IS NULL
            UNION ALL
            SELECT summary_date, total_transactions::int8, successful_transactions::int8, total_amount::float8, success_amount::float8
            FROM daily_merchant_summary
            WHERE organization_id = $1 AND client_code = $4 AND summary_date BETWEEN $2 AND $3
            ORDER BY 1",
    merchant_name: "SELECT MAX(client_name) FROM daily_merchant_summary WHERE organization_id = $1 AND client_code = $2 HAVING COUNT(*) > 0",
};

const RAW_SQL: DashboardSql = DashboardSql {
    top_merchants: "SELECT COALESCE(client_code, ''), COALESCE(MAX(client_name), ''), COUNT(*), COUNT(*) FILTER (WHERE status = 'SUCCESS'),
                           COALESCE(SUM(paid_amount) FILTER (WHERE status = 'SUCCESS'), 0)::float8 AS volume
                    FROM transaction_detail
                    WHERE organization_id = $1 AND trans_date >= $2 AND trans_date < $3 + 1
                    GROUP BY 1 ORDER BY volume DESC, 1 LIMIT $4",
    payment_modes: "SELECT COALESCE(payment_mode, ''), COUNT(*), COUNT(*) FILTER (WHERE status = 'SUCCESS')
                    FROM transaction_detail
                    WHERE organization_id = $1 AND trans_date >= $2 AND trans_date < $3 + 1
                    GROUP BY 1 ORDER BY 1",
    trend: "SELECT trans_date::date, COUNT(*), COUNT(*) FILTER (WHERE status = 'SUCCESS'), COALESCE(SUM(paid_amount), 0)::float8,
                   COALESCE(SUM(paid_amount) FILTER (WHERE status = 'SUCCESS'), 0)::float8
            FROM transaction_detail
            WHERE organization_id = $1 AND trans_date >= $2 AND trans_date < $3 + 1
              AND ($4::text IS NULL OR COALESCE(client_code, '') = $4)
            GROUP BY 1 ORDER BY 1",
    merchant_name: "SELECT MAX(client_name) FROM transaction_detail WHERE organization_id = $1 AND COALESCE(client_code, '') = $2 HAVING COUNT(*) > 0",
};
