//! The commission engine and its reports.
//!
//! A served customer ('Da den lam') pays its closer (level 0) and up to 4 uplines the
//! rates of `hoa_hong_config` in force on its day of service (the appointment, else the
//! order date), on its amount. The ledger (`commissions`) only grows: a recalculation
//! compares what each collaborator is owed per customer and level with the sum of the
//! lines already written, and writes only the difference, so running it again writes
//! nothing. What is no longer owed is taken back by a reversal line; a change for a
//! closed month lands in the first open month as an adjustment. Recalculations of an
//! organization take turns (a transaction-level advisory lock), so two at once give the
//! same ledger as one after the other.

use super::rates::first_day;
use crate::data::{first_load, sql, Organization, OrganizationStore};
use crate::domain::ctv::commissions::{
    select_report_rows, CommissionKind, CommissionPeriod, CommissionRate, CommissionReport, CommissionReportRow,
    CommissionStatement, RecalculationSummary, ReportColumn, ReportQuery, ReportTotals, StatementLine,
    REPORT_PAGE_ROWS,
};
use crate::domain::ctv::network::UPLINE_LEVELS;
use chrono::NaiveDate;
use sqlx::PgConnection;

/// A full recalculation that writes more lines than this refreshes the planner's statistics.
const ANALYZE_AFTER_LINES: i64 = 10_000;

/// The table a recalculation writes into.
const LEDGER: [&str; 1] = ["commissions"];

/// Which customers a recalculation covers: `$3` (an id array) limits it.
const ONE_SCOPE: (&str, &str) = ("AND k.id = ANY($3)", "AND khach_hang_id = ANY($3)");
const ALL_SCOPE: (&str, &str) = ("", "");

/// The recalculation, set-based. `$1` organization, `$2` today (the first open month on
/// or after its month takes changes to closed months), `$4` the upline depth;
/// `{customers}` and `{ledger}` narrow it to some customers.
const RECALCULATE_SQL: &str = "
WITH RECURSIVE
customers AS MATERIALIZED (
    SELECT k.id, k.nguoi_chot, k.so_tien, k.trang_thai,
           COALESCE(k.ngay_hen_lam, k.ngay_nhap_don) AS served_on
    FROM khach_hang k
    WHERE k.organization_id = $1 {customers}
),
-- Every closer's chain: itself at level 0, then its introducers up to level 4.
chain AS (
    SELECT c.ma_ctv AS closer, c.ma_ctv, c.nguoi_gioi_thieu, 0 AS level
    FROM ctv c
    WHERE c.organization_id = $1 AND c.ma_ctv IN (SELECT nguoi_chot FROM customers WHERE trang_thai = 'Da den lam')
    UNION ALL
    SELECT h.closer, c.ma_ctv, c.nguoi_gioi_thieu, h.level + 1
    FROM ctv c
    INNER JOIN chain h ON c.ma_ctv = h.nguoi_gioi_thieu
    WHERE c.organization_id = $1 AND h.level < $4
),
rates AS (
    SELECT level, rate, effective_from,
           LEAD(effective_from) OVER (PARTITION BY level ORDER BY effective_from) AS effective_until
    FROM {rate_rows} r
),
owed AS (
    SELECT k.id AS khach_hang_id, h.ma_ctv, h.level::smallint AS level, k.so_tien AS base_amount, r.rate,
           ROUND(k.so_tien * r.rate / 100, 2) AS amount, k.served_on
    FROM customers k
    JOIN chain h ON h.closer = k.nguoi_chot
    JOIN rates r ON r.level = h.level AND r.effective_from <= k.served_on
                AND (r.effective_until IS NULL OR k.served_on < r.effective_until)
    WHERE k.trang_thai = 'Da den lam' AND ROUND(k.so_tien * r.rate / 100, 2) <> 0
),
paid AS (
    SELECT khach_hang_id, ma_ctv, level, SUM(amount) AS amount, MAX(base_amount) AS base_amount, MAX(rate) AS rate
    FROM commissions
    -- A manager's prior-period adjustment belongs to no customer: not the rules' to undo.
    WHERE organization_id = $1 AND khach_hang_id IS NOT NULL {ledger}
    GROUP BY khach_hang_id, ma_ctv, level
),
differences AS (
    SELECT COALESCE(o.khach_hang_id, p.khach_hang_id) AS khach_hang_id,
           COALESCE(o.ma_ctv, p.ma_ctv) AS ma_ctv,
           COALESCE(o.level, p.level) AS level,
           COALESCE(o.base_amount, p.base_amount) AS base_amount,
           COALESCE(o.rate, p.rate) AS rate,
           COALESCE(o.amount, 0) - COALESCE(p.amount, 0) AS amount,
           -- Looked up only for what is no longer owed: few rows.
           COALESCE(o.served_on, (SELECT COALESCE(x.ngay_hen_lam, x.ngay_nhap_don) FROM khach_hang x WHERE x.id = p.khach_hang_id))
               AS served_on,
           o.khach_hang_id IS NULL AS no_longer_owed,
           COALESCE(p.amount, 0) = 0 AS unpaid
    FROM owed o
    FULL JOIN paid p ON p.khach_hang_id = o.khach_hang_id AND p.ma_ctv = o.ma_ctv AND p.level = o.level
    WHERE COALESCE(o.amount, 0) <> COALESCE(p.amount, 0)
),
open_period AS (
    SELECT MIN(month)::date AS period
    FROM generate_series(date_trunc('month', COALESCE($2::date, CURRENT_DATE)),
                           date_trunc('month', COALESCE($2::date, CURRENT_DATE)) + INTERVAL '50 years', INTERVAL '1 month') month
    WHERE NOT EXISTS (SELECT 1 FROM commission_periods p WHERE p.organization_id = $1 AND p.period = month::date)
),
new_lines AS (
    SELECT d.khach_hang_id, d.ma_ctv, d.level, d.base_amount, d.rate, d.amount,
           CASE WHEN closed.period IS NULL THEN date_trunc('month', d.served_on)::date ELSE open_period.period END
               AS period,
           CASE WHEN d.no_longer_owed THEN 'reversal'
                WHEN closed.period IS NOT NULL OR NOT d.unpaid THEN 'adjustment'
                ELSE 'earning' END AS kind
    FROM differences d
    CROSS JOIN open_period
    LEFT JOIN commission_periods closed
           ON closed.organization_id = $1 AND closed.period = date_trunc('month', d.served_on)::date
)
{finish}";

/// The rates a recalculation pays: the organization's own.
const SAVED_RATES: &str = "(SELECT level, rate, effective_from FROM hoa_hong_config WHERE organization_id = $1)";

/// The rates with a proposed one (`$5` level, `$6` percent, `$7` from) in place of any
/// set for the same level and day, as saving it would store it (3 decimals).
const PROPOSED_RATES: &str = "(SELECT level, rate, effective_from FROM hoa_hong_config
      WHERE organization_id = $1 AND NOT (level = $5 AND effective_from = $7)
      UNION ALL SELECT $5::smallint, ROUND($6::float8::numeric, 3), $7::date)";

/// A recalculation writes its lines.
const WRITE_LINES: &str = "
, written AS (
    INSERT INTO commissions (organization_id, khach_hang_id, ma_ctv, level, base_amount, rate, amount, period, kind)
    SELECT $1, khach_hang_id, ma_ctv, level, base_amount, rate, amount, period, kind FROM new_lines
    RETURNING kind, amount
)
SELECT kind, COUNT(*) AS lines, SUM(amount)::float8 AS amount FROM written GROUP BY kind";

/// A preview only reads the lines it would write, summed as the report sums them.
const READ_LINES: &str = "
SELECT to_char(period, 'YYYY-MM') AS period, ma_ctv, level, kind, COUNT(*) AS lines, SUM(amount)::float8 AS amount
FROM new_lines GROUP BY period, ma_ctv, level, kind";

/// The recalculation for some customers (or all), paying some rates, writing or reading its lines.
fn recalculation_sql(customer_scope: &str, ledger_scope: &str, rate_rows: &str, finish: &str) -> String {
    RECALCULATE_SQL
        .replace("{customers}", customer_scope)
        .replace("{ledger}", ledger_scope)
        .replace("{rate_rows}", rate_rows)
        .replace("{finish}", finish)
}

/// Takes the organization's commission lock for the caller's transaction: recalculations,
/// closes and reopens, rate changes and adjustments of one organization take turns.
pub(super) async fn lock_commissions(conn: &mut PgConnection, organization: &Organization) -> Result<(), sqlx::Error> {
    sql::query("SELECT pg_advisory_xact_lock(hashtext('ut360:commissions:' || $1::text))")
        .bind(organization.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One group of the lines a proposed rate would write: (month `YYYY-MM`, collaborator,
/// level, kind, lines, sum).
pub(super) type PreviewedLines = (String, String, i16, String, i64, f64);

/// The lines a recalculation of `customers` would write if the proposed rate were saved,
/// read inside the caller's transaction (which it does not write to).
pub(super) async fn preview_in(
    conn: &mut PgConnection,
    organization: &Organization,
    customers: &[i64],
    today: Option<NaiveDate>,
    (level, rate, effective_from): (i32, f64, NaiveDate),
) -> Result<Vec<PreviewedLines>, sqlx::Error> {
    let (customer_scope, ledger_scope) = ONE_SCOPE;
    let sql = recalculation_sql(customer_scope, ledger_scope, PROPOSED_RATES, READ_LINES);
    sql::query_as(&sql)
        .bind(organization.id)
        .bind(today)
        .bind(customers)
        .bind(UPLINE_LEVELS)
        .bind(level as i16)
        .bind(rate)
        .bind(effective_from)
        .fetch_all(&mut *conn)
        .await
}

/// Brings the ledger of `customers` (all when `None`) in line with what is owed, inside
/// the caller's transaction. `today`: the database's date when `None`.
pub(super) async fn recalculate_in(
    conn: &mut PgConnection,
    organization: &Organization,
    customers: Option<&[i64]>,
    today: Option<NaiveDate>,
) -> Result<RecalculationSummary, sqlx::Error> {
    lock_commissions(conn, organization).await?;
    // The ledger has no foreign key to organizations (checking each of a million lines
    // cost a quarter of a full recalculation): the same key-share lock it took per line,
    // taken once here, keeps the organization from being deleted until the lines are in.
    sql::query("SELECT 1 FROM organizations WHERE id = $1 FOR KEY SHARE")
        .bind(organization.id)
        .fetch_one(&mut *conn)
        .await?;
    let (customer_scope, ledger_scope) = if customers.is_some() { ONE_SCOPE } else { ALL_SCOPE };
    let sql = recalculation_sql(customer_scope, ledger_scope, SAVED_RATES, WRITE_LINES);
    let written: Vec<(String, i64, f64)> = sql::query_as(&sql)
        .bind(organization.id)
        .bind(today)
        .bind(customers.unwrap_or_default())
        .bind(UPLINE_LEVELS)
        .fetch_all(&mut *conn)
        .await?;
    let mut summary = RecalculationSummary::default();
    for (kind, lines, amount) in written {
        match CommissionKind::parse(&kind) {
            Some(CommissionKind::Earning) => summary.earnings += lines,
            Some(CommissionKind::Reversal) => summary.reversals += lines,
            Some(CommissionKind::Adjustment) | None => summary.adjustments += lines,
        }
        summary.net_amount += amount;
    }
    Ok(summary)
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    ma_ctv: String,
    ho_ten: String,
    direct: f64,
    level_1: f64,
    level_2: f64,
    level_3: f64,
    level_4: f64,
    adjustments: f64,
    total: f64,
    lines: i64,
}

impl ReportRow {
    fn into_row(self) -> CommissionReportRow {
        CommissionReportRow {
            ma_ctv: self.ma_ctv,
            name: self.ho_ten,
            direct: self.direct,
            overrides: [self.level_1, self.level_2, self.level_3, self.level_4],
            adjustments: self.adjustments,
            total: self.total,
            lines: self.lines,
        }
    }
}

/// The column sums of a report month's rows that a filter keeps.
#[derive(sqlx::FromRow)]
struct ReportSums {
    collaborators: i64,
    direct: f64,
    level_1: f64,
    level_2: f64,
    level_3: f64,
    level_4: f64,
    adjustments: f64,
    total: f64,
    lines: i64,
}

/// A report month's summaries: `$1` organization, `$2` a day of the month; `$3` (the
/// lower-case text a code or name must contain) is bound but only the next one reads it.
const REPORT_MONTH: &str = "FROM commission_summaries s
     WHERE s.organization_id = $1 AND s.period = date_trunc('month', $2::date)::date AND $3::text IS NOT NULL";

/// The same with the collaborators' names (`c`), keeping the rows whose code or name
/// contains `$3` ('' keeps every row).
const REPORT_MONTH_BY_NAME: &str = "FROM commission_summaries s
     JOIN ctv c ON c.organization_id = s.organization_id AND c.ma_ctv = s.ma_ctv
     WHERE s.organization_id = $1 AND s.period = date_trunc('month', $2::date)::date
       AND ($3 = '' OR strpos(lower(s.ma_ctv), $3) > 0 OR strpos(lower(c.ho_ten), $3) > 0)";

/// `ORDER BY` for the report, the order of `select_report_rows`: codes and names by
/// their bytes (Rust's `str` order), ties by code.
fn report_order(sort: ReportColumn, descending: bool) -> String {
    let direction = if descending { "DESC" } else { "ASC" };
    let column = match sort {
        ReportColumn::Code => r#"s.ma_ctv COLLATE "C""#,
        ReportColumn::Name => r#"c.ho_ten COLLATE "C""#,
        ReportColumn::Direct => "s.direct",
        ReportColumn::Level(1) => "s.level_1",
        ReportColumn::Level(2) => "s.level_2",
        ReportColumn::Level(3) => "s.level_3",
        ReportColumn::Level(_) => "s.level_4",
        ReportColumn::Adjustments => "s.adjustments",
        ReportColumn::Total => "s.total",
        ReportColumn::Lines => "s.lines",
    };
    format!(r#"{column} {direction}, s.ma_ctv COLLATE "C""#)
}

#[derive(sqlx::FromRow)]
struct StatementRow {
    id: i64,
    khach_hang_id: Option<i64>,
    ten_khach: String,
    sdt: String,
    served_on: Option<String>,
    level: i16,
    base_amount: f64,
    rate: f64,
    amount: f64,
    kind: String,
    created_at: String,
    adjusts_period: Option<String>,
    reason: Option<String>,
    entered_by: Option<String>,
}

/// The commission report a manager asked for.
#[derive(Debug)]
pub struct SelectedReport {
    /// Every month with commissions, newest first.
    pub periods: Vec<CommissionPeriod>,
    /// The month shown; `None` when no month has commissions.
    pub period: Option<CommissionPeriod>,
    /// Filtered and sorted as asked.
    pub rows: Vec<CommissionReportRow>,
}

impl OrganizationStore {
    /// Every month with commissions, newest first: one index probe per month (a loose
    /// index scan of the summaries' primary key) rather than reading all their rows.
    pub async fn commission_periods(&self) -> Result<Vec<CommissionPeriod>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<(String, bool)> = sql::query_as(
            "WITH RECURSIVE months AS (
                 SELECT MAX(period) AS period FROM commission_summaries WHERE organization_id = $1
                 UNION ALL
                 SELECT (SELECT MAX(s.period) FROM commission_summaries s WHERE s.organization_id = $1 AND s.period < m.period)
                 FROM months m WHERE m.period IS NOT NULL
             )
             SELECT to_char(m.period, 'YYYY-MM'),
                    EXISTS (SELECT 1 FROM commission_periods p WHERE p.organization_id = $1 AND p.period = m.period)
             FROM months m WHERE m.period IS NOT NULL ORDER BY m.period DESC",
        )
        .bind(organization.id)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows.into_iter().map(|(period, closed)| CommissionPeriod { period, closed }).collect())
    }

    /// The report of the query's month (the latest with commissions when it names none),
    /// filtered and sorted as the query says.
    pub async fn select_commission_report(&self, query: &ReportQuery) -> Result<SelectedReport, sqlx::Error> {
        let (periods, period) = self.report_period(query).await?;
        let rows = match period.as_ref().and_then(|p| first_day(&p.period)) {
            Some(day) => select_report_rows(self.commission_report(day).await?, query),
            None => Vec::new(),
        };
        Ok(SelectedReport { periods, period, rows })
    }

    /// Every month with commissions, and the query's month among them (the latest when
    /// it names none; a month without commissions is open and empty).
    async fn report_period(
        &self,
        query: &ReportQuery,
    ) -> Result<(Vec<CommissionPeriod>, Option<CommissionPeriod>), sqlx::Error> {
        let periods = self.commission_periods().await?;
        let period = match &query.period {
            Some(asked) => Some(
                periods
                    .iter()
                    .find(|known| &known.period == asked)
                    .cloned()
                    .unwrap_or(CommissionPeriod { period: asked.clone(), closed: false }),
            ),
            None => periods.first().cloned(),
        };
        Ok((periods, period))
    }

    /// One page of the query's month (the latest with commissions when it names none):
    /// PostgreSQL filters, sorts and pages the month's rows and sums the columns over
    /// every row the filter keeps, so a page reads 100 rows, not the month's thousands.
    /// Its order is `select_report_rows`' (the export's).
    pub async fn commission_report_page(&self, query: &ReportQuery) -> Result<CommissionReport, sqlx::Error> {
        let (periods, period) = self.report_period(query).await?;
        let Some(day) = period.as_ref().and_then(|p| first_day(&p.period)) else {
            return Ok(CommissionReport {
                period,
                periods,
                rows: Vec::new(),
                totals: ReportTotals::default(),
                page: 1,
                pages: 1,
            });
        };
        let text = query.text.to_lowercase();
        // Names are read only where a filter or the order needs them; the 100 rows shown
        // get theirs last. Every summary has its collaborator: the ledger's lines are
        // written for collaborators and removed with them.
        let needs_names = !text.is_empty() || query.sort == ReportColumn::Name;
        let month = if needs_names { REPORT_MONTH_BY_NAME } else { REPORT_MONTH };
        let mut tx = self.begin().await?;
        let sums: ReportSums = sql::query_as(&format!(
            "SELECT COUNT(*) AS collaborators, COALESCE(SUM(s.direct), 0)::float8 AS direct,
                 COALESCE(SUM(s.level_1), 0)::float8 AS level_1, COALESCE(SUM(s.level_2), 0)::float8 AS level_2,
                 COALESCE(SUM(s.level_3), 0)::float8 AS level_3, COALESCE(SUM(s.level_4), 0)::float8 AS level_4,
                 COALESCE(SUM(s.adjustments), 0)::float8 AS adjustments, COALESCE(SUM(s.total), 0)::float8 AS total,
                 COALESCE(SUM(s.lines), 0)::int8 AS lines
             {month}"
        ))
        .bind(self.organization.id)
        .bind(day)
        .bind(&text)
        .fetch_one(&mut *tx)
        .await?;
        let collaborators = usize::try_from(sums.collaborators).unwrap_or(0);
        let pages = collaborators.div_ceil(REPORT_PAGE_ROWS).max(1);
        let page = query.page.min(pages);
        let order = report_order(query.sort, query.descending);
        // The page's keys first (sorting only what the order needs), then their figures
        // as numbers and their names.
        let rows: Vec<ReportRow> = sql::query_as(&format!(
            "WITH page AS (
                 SELECT s.ma_ctv {month} ORDER BY {order} LIMIT $4 OFFSET $5
             )
             SELECT s.ma_ctv, c.ho_ten, s.direct::float8 AS direct, s.level_1::float8 AS level_1,
                 s.level_2::float8 AS level_2, s.level_3::float8 AS level_3, s.level_4::float8 AS level_4,
                 s.adjustments::float8 AS adjustments, s.total::float8 AS total, s.lines
             FROM page
             JOIN commission_summaries s ON s.organization_id = $1 AND s.period = date_trunc('month', $2::date)::date
                                        AND s.ma_ctv = page.ma_ctv
             JOIN ctv c ON c.organization_id = $1 AND c.ma_ctv = page.ma_ctv
             ORDER BY {order}"
        ))
        .bind(self.organization.id)
        .bind(day)
        .bind(&text)
        .bind(REPORT_PAGE_ROWS as i64)
        .bind(((page - 1) * REPORT_PAGE_ROWS) as i64)
        .fetch_all(&mut *tx)
        .await?;
        let totals = ReportTotals {
            collaborators,
            direct: sums.direct,
            overrides: [sums.level_1, sums.level_2, sums.level_3, sums.level_4],
            adjustments: sums.adjustments,
            total: sums.total,
            lines: sums.lines,
        };
        Ok(CommissionReport {
            period,
            periods,
            rows: rows.into_iter().map(ReportRow::into_row).collect(),
            totals,
            page,
            pages,
        })
    }

    /// Recalculates every customer of the organization in one transaction. `today`
    /// decides the open month that takes changes to closed ones (the database's date when `None`).
    pub async fn recalculate_commissions(&self, today: Option<NaiveDate>) -> Result<RecalculationSummary, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        // Hashing a million owed and paid lines in memory rather than in batches on disk.
        sql::query("SET LOCAL work_mem = '256MB'").execute(&mut *tx).await?;
        // The organization's lock before the ledger's, as every other writer of the ledger takes them.
        lock_commissions(&mut tx, organization).await?;
        // A new database's first payout (the demo's) writes its lines before the ledger's indexes.
        let restores = first_load::set_aside_if_first_load(&mut tx, &LEDGER).await?;
        let summary = recalculate_in(&mut tx, organization, None, today).await?;
        first_load::restore_constraints(&mut tx, &restores).await?;
        tx.commit().await?;
        if summary.lines() > ANALYZE_AFTER_LINES {
            // Reports and statements plan from these statistics; a first payout changes them entirely.
            let mut tx = self.begin().await?;
            sql::query("ANALYZE commissions, commission_summaries").execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(summary)
    }

    /// Recalculates some customers, in one transaction.
    pub async fn recalculate_customer_commissions(
        &self,
        customers: &[i64],
        today: Option<NaiveDate>,
    ) -> Result<RecalculationSummary, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let summary = recalculate_in(&mut tx, organization, Some(customers), today).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The organization's rates, by level, oldest first.
    pub async fn commission_rates(&self) -> Result<Vec<CommissionRate>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<(i16, f64, String)> = sql::query_as(
            "SELECT level, rate::float8, to_char(effective_from, 'YYYY-MM-DD') FROM hoa_hong_config
             WHERE organization_id = $1 ORDER BY level, effective_from",
        )
        .bind(organization.id)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(level, rate, effective_from)| CommissionRate { level: level.into(), rate, effective_from })
            .collect())
    }

    /// Sets a level's rate (percent) from a date on, replacing one set for the same date.
    /// Commissions already written change only when they are recalculated.
    pub async fn set_commission_rate(
        &self,
        level: i32,
        rate: f64,
        effective_from: NaiveDate,
    ) -> Result<(), sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        sql::query(
            "INSERT INTO hoa_hong_config (organization_id, level, rate, effective_from) VALUES ($1, $2, $3::numeric, $4)
             ON CONFLICT (organization_id, level, effective_from) DO UPDATE SET rate = EXCLUDED.rate",
        )
        .bind(organization.id)
        .bind(level as i16)
        .bind(rate)
        .bind(effective_from)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Closes the month holding `day`: its lines are final from now on. Closing a closed month does nothing.
    pub async fn close_commission_period(&self, day: NaiveDate) -> Result<(), sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        // Not while a recalculation is writing into the month.
        sql::query("SELECT pg_advisory_xact_lock(hashtext('ut360:commissions:' || $1::text))")
            .bind(organization.id)
            .execute(&mut *tx)
            .await?;
        sql::query(
            "INSERT INTO commission_periods (organization_id, period) VALUES ($1, date_trunc('month', $2::date)::date)
             ON CONFLICT DO NOTHING",
        )
        .bind(organization.id)
        .bind(day)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The closed months, `YYYY-MM`, newest first.
    pub async fn closed_commission_periods(&self) -> Result<Vec<String>, sqlx::Error> {
        let organization = &self.organization;
        sql::query_scalar(
            "SELECT to_char(period, 'YYYY-MM') FROM commission_periods WHERE organization_id = $1 ORDER BY period DESC",
        )
        .bind(organization.id)
        .fetch_all(&mut *self.begin().await?)
        .await
    }

    /// Per collaborator paid in the month holding `day`: direct commission, overrides by
    /// level, reversals and adjustments, total; highest total first.
    pub async fn commission_report(&self, day: NaiveDate) -> Result<Vec<CommissionReportRow>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<ReportRow> = sql::query_as(
            // The per-month sums the ledger's triggers keep (migration 20261129000009):
            // one row per collaborator instead of the month's 100,000-odd lines.
            "SELECT s.ma_ctv, c.ho_ten, s.direct::float8 AS direct, s.level_1::float8 AS level_1,
                 s.level_2::float8 AS level_2, s.level_3::float8 AS level_3, s.level_4::float8 AS level_4,
                 s.adjustments::float8 AS adjustments, s.total::float8 AS total, s.lines
             FROM commission_summaries s
             JOIN ctv c ON c.organization_id = s.organization_id AND c.ma_ctv = s.ma_ctv
             WHERE s.organization_id = $1 AND s.period = date_trunc('month', $2::date)::date
             ORDER BY s.total DESC, s.ma_ctv",
        )
        .bind(organization.id)
        .bind(day)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows.into_iter().map(ReportRow::into_row).collect())
    }

    /// A collaborator's statement for a month (`YYYY-MM`); `None` if there is no such collaborator.
    pub async fn commission_statement_of(
        &self,
        ma_ctv: &str,
        period: &str,
    ) -> Result<Option<CommissionStatement>, sqlx::Error> {
        let Some(day) = first_day(period) else { return Ok(None) };
        let Some(collaborator) = self.collaborator(ma_ctv).await? else { return Ok(None) };
        let lines = self.commission_statement(ma_ctv, day).await?;
        Ok(Some(CommissionStatement { collaborator, period: period.to_owned(), lines }))
    }

    /// A collaborator's ledger lines paid in the month holding `day`, in the order written.
    pub async fn commission_statement(&self, ma_ctv: &str, day: NaiveDate) -> Result<Vec<StatementLine>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<StatementRow> = sql::query_as(
            // A manager's adjustment has no customer: its reason stands in for one.
            r#"SELECT l.id, l.khach_hang_id, COALESCE(k.ten_khach, '') AS ten_khach, COALESCE(k.sdt, '') AS sdt,
                   to_char(COALESCE(k.ngay_hen_lam, k.ngay_nhap_don), 'YYYY-MM-DD') AS served_on,
                   l.level, l.base_amount::float8 AS base_amount, l.rate::float8 AS rate, l.amount::float8 AS amount, l.kind,
                   to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
                   to_char(l.adjusts_period, 'YYYY-MM') AS adjusts_period, l.reason, l.entered_by
               FROM commissions l
               LEFT JOIN khach_hang k ON k.id = l.khach_hang_id
               WHERE l.organization_id = $1 AND l.period = date_trunc('month', $2::date)::date AND l.ma_ctv = $3
               ORDER BY l.created_at, l.id"#,
        )
        .bind(organization.id)
        .bind(day)
        .bind(ma_ctv)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| StatementLine {
                id: row.id,
                customer_id: row.khach_hang_id,
                customer_name: row.ten_khach,
                customer_phone: row.sdt,
                served_on: row.served_on,
                level: row.level.into(),
                base_amount: row.base_amount,
                rate: row.rate,
                amount: row.amount,
                kind: CommissionKind::parse(&row.kind).unwrap_or(CommissionKind::Adjustment),
                created_at: row.created_at,
                adjusts_period: row.adjusts_period,
                reason: row.reason,
                entered_by: row.entered_by,
            })
            .collect())
    }
}
