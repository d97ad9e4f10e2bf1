//! The commission rates page: rates per level with their history, and a new rate from a
//! day on, previewed (what it would change, nothing written) and saved (the rate, and
//! the customers served from that day on recalculated, in one transaction). A rate never
//! takes effect in or before a closed month: those months' figures are final.

use super::commissions::{lock_commissions, preview_in, recalculate_in, PreviewedLines};
use crate::data::{sql, OrganizationStore, Tx};
use crate::domain::ctv::commissions::{CommissionRate, CommissionReportRow, RecalculationSummary, ReportTotals};
use crate::domain::ctv::rates::{PreviewMonth, RateChange, RatePreview, RateTable};
use chrono::NaiveDate;
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// The first month on or after `$2`'s (the database's today when NULL) that is not
/// closed: where the engine puts today's changes to closed months.
pub(super) const OPEN_PERIOD_SQL: &str = "SELECT MIN(month)::date
     FROM generate_series(date_trunc('month', COALESCE($2::date, CURRENT_DATE)),
                          date_trunc('month', COALESCE($2::date, CURRENT_DATE)) + INTERVAL '50 years', INTERVAL '1 month') month
     WHERE NOT EXISTS (SELECT 1 FROM commission_periods p WHERE p.organization_id = $1 AND p.period = month::date)";

/// Why a rate was not taken: its day falls in or before this closed month (`YYYY-MM`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedMonth(pub String);

impl OrganizationStore {
    /// The rates in force on `today` (the database's date when `None`), every rate, the
    /// latest closed month and the open one.
    pub async fn rate_table(&self, today: Option<NaiveDate>) -> Result<RateTable, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let rows: Vec<(i16, f64, String, bool)> = sql::query_as(
            "SELECT level, rate::float8, to_char(effective_from, 'YYYY-MM-DD'),
                    effective_from = MAX(effective_from) FILTER (WHERE effective_from <= COALESCE($2::date, CURRENT_DATE))
                                     OVER (PARTITION BY level)
             FROM hoa_hong_config WHERE organization_id = $1 ORDER BY level, effective_from DESC",
        )
        .bind(organization.id)
        .bind(today)
        .fetch_all(&mut *tx)
        .await?;
        let latest_closed = latest_closed_in(&mut tx, organization.id).await?;
        let open_period: NaiveDate =
            sql::query_scalar(OPEN_PERIOD_SQL).bind(organization.id).bind(today).fetch_one(&mut *tx).await?;
        let mut table = RateTable {
            current: Vec::new(),
            history: Vec::new(),
            latest_closed,
            open_period: open_period.format("%Y-%m").to_string(),
        };
        for (level, rate, effective_from, in_force) in rows {
            let rate = CommissionRate { level: level.into(), rate, effective_from };
            if in_force {
                table.current.push(rate.clone());
            }
            table.history.push(rate);
        }
        Ok(table)
    }

    /// `change`'s first day and a transaction holding the organization's commission turn
    /// (a preview takes the same turn as a save, so it reads a ledger no recalculation is
    /// changing), or the closed month the change would reach into.
    async fn open_rate_change(&self, change: &RateChange) -> Result<Result<(Tx, NaiveDate), ClosedMonth>, sqlx::Error> {
        let from = parse_day(&change.effective_from)?;
        let mut tx = self.begin().await?;
        lock_commissions(&mut tx, &self.organization).await?;
        if let Some(closed) = closed_on_or_after(&mut tx, self.organization.id, from).await? {
            return Ok(Err(closed));
        }
        Ok(Ok((tx, from)))
    }

    /// What saving `change` would do to the open month and to every month it would write
    /// into, against today's figures; nothing is written. `today`: the database's date when `None`.
    pub async fn preview_commission_rate(
        &self,
        change: &RateChange,
        today: Option<NaiveDate>,
    ) -> Result<Result<RatePreview, ClosedMonth>, sqlx::Error> {
        let organization = &self.organization;
        let (mut tx, from) = match self.open_rate_change(change).await? {
            Ok(opened) => opened,
            Err(closed) => return Ok(Err(closed)),
        };
        let customers = customers_served_from(&mut tx, organization.id, from).await?;
        let lines = preview_in(&mut tx, organization, &customers, today, (change.level, change.rate, from)).await?;
        let open_period: NaiveDate =
            sql::query_scalar(OPEN_PERIOD_SQL).bind(organization.id).bind(today).fetch_one(&mut *tx).await?;
        let replaces: Option<f64> = sql::query_scalar(
            "SELECT rate::float8 FROM hoa_hong_config WHERE organization_id = $1 AND level = $2 AND effective_from <= $3
             ORDER BY effective_from DESC LIMIT 1",
        )
        .bind(organization.id)
        .bind(change.level as i16)
        .bind(from)
        .fetch_optional(&mut *tx)
        .await?;
        let open = open_period.format("%Y-%m").to_string();
        let mut periods: Vec<String> = lines.iter().map(|line| line.0.clone()).collect();
        periods.push(open.clone());
        periods.sort();
        periods.dedup();
        let current = month_rows(&mut tx, organization.id, &periods).await?;
        let mut months = Vec::new();
        for period in periods {
            let rows = current.get(&period).cloned().unwrap_or_default();
            let added: Vec<&PreviewedLines> = lines.iter().filter(|line| line.0 == period).collect();
            months.push(PreviewMonth {
                current: ReportTotals::of(&rows),
                proposed: ReportTotals::of(&with_lines(rows, &added)),
                period,
            });
        }
        // The open month first: the one the manager asked about.
        months.sort_by_key(|month| month.period != open);
        Ok(Ok(RatePreview {
            level: change.level,
            rate: change.rate,
            effective_from: change.effective_from.clone(),
            replaces,
            months,
            lines: lines.iter().map(|line| line.4).sum(),
            net_amount: cents(lines.iter().map(|line| line.5).sum()),
        }))
    }

    /// Saves `change` and recalculates the customers served from its day on, in one
    /// transaction: the ledger then holds what the preview showed. `today`: the database's
    /// date when `None`.
    pub async fn add_commission_rate(
        &self,
        change: &RateChange,
        today: Option<NaiveDate>,
    ) -> Result<Result<RecalculationSummary, ClosedMonth>, sqlx::Error> {
        let organization = &self.organization;
        let (mut tx, from) = match self.open_rate_change(change).await? {
            Ok(opened) => opened,
            Err(closed) => return Ok(Err(closed)),
        };
        sql::query(
            "INSERT INTO hoa_hong_config (organization_id, level, rate, effective_from)
             VALUES ($1, $2, ROUND($3::float8::numeric, 3), $4)
             ON CONFLICT (organization_id, level, effective_from) DO UPDATE SET rate = EXCLUDED.rate",
        )
        .bind(organization.id)
        .bind(change.level as i16)
        .bind(change.rate)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        let customers = customers_served_from(&mut tx, organization.id, from).await?;
        let summary = recalculate_in(&mut tx, organization, Some(&customers), today).await?;
        tx.commit().await?;
        Ok(Ok(summary))
    }
}

/// `YYYY-MM` as its first day.
pub(super) fn first_day(period: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()
}

fn parse_day(text: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|error| sqlx::Error::Decode(Box::new(error)))
}

/// Rounded to the cent, as the ledger keeps amounts (and so as the report reads them).
fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// The latest closed month, `YYYY-MM`.
pub(super) async fn latest_closed_in(
    conn: &mut PgConnection,
    organization: uuid::Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sql::query_scalar("SELECT to_char(MAX(period), 'YYYY-MM') FROM commission_periods WHERE organization_id = $1")
        .bind(organization)
        .fetch_one(&mut *conn)
        .await
}

/// The latest closed month if it is `day`'s month or later: a rate from `day` would change it.
async fn closed_on_or_after(
    conn: &mut PgConnection,
    organization: uuid::Uuid,
    day: NaiveDate,
) -> Result<Option<ClosedMonth>, sqlx::Error> {
    let latest: Option<String> = sql::query_scalar(
        "SELECT to_char(MAX(period), 'YYYY-MM') FROM commission_periods
         WHERE organization_id = $1 AND period >= date_trunc('month', $2::date)::date",
    )
    .bind(organization)
    .bind(day)
    .fetch_one(&mut *conn)
    .await?;
    Ok(latest.map(ClosedMonth))
}

/// The customers whose day of service is `day` or later: the only ones a rate from `day` can change.
async fn customers_served_from(
    conn: &mut PgConnection,
    organization: uuid::Uuid,
    day: NaiveDate,
) -> Result<Vec<i64>, sqlx::Error> {
    sql::query_scalar(
        "SELECT id FROM khach_hang
         WHERE organization_id = $1 AND (ngay_hen_lam >= $2 OR (ngay_hen_lam IS NULL AND ngay_nhap_don >= $2))",
    )
    .bind(organization)
    .bind(day)
    .fetch_all(&mut *conn)
    .await
}

/// The report rows (figures only) of each of `periods` (`YYYY-MM`), from the sums the ledger's triggers keep.
async fn month_rows(
    conn: &mut PgConnection,
    organization: uuid::Uuid,
    periods: &[String],
) -> Result<BTreeMap<String, Vec<CommissionReportRow>>, sqlx::Error> {
    type Row = (String, String, f64, f64, f64, f64, f64, f64, f64, i64);
    let rows: Vec<Row> = sql::query_as(
        "SELECT to_char(period, 'YYYY-MM'), ma_ctv, direct::float8, level_1::float8, level_2::float8, level_3::float8,
                level_4::float8, adjustments::float8, total::float8, lines
         FROM commission_summaries
         WHERE organization_id = $1 AND period = ANY($2)
         ORDER BY period, total DESC, ma_ctv",
    )
    .bind(organization)
    .bind(periods.iter().filter_map(|period| first_day(period)).collect::<Vec<NaiveDate>>())
    .fetch_all(&mut *conn)
    .await?;
    let mut months: BTreeMap<String, Vec<CommissionReportRow>> = BTreeMap::new();
    for (period, ma_ctv, direct, l1, l2, l3, l4, adjustments, total, lines) in rows {
        months.entry(period).or_default().push(CommissionReportRow {
            ma_ctv,
            name: String::new(),
            direct,
            overrides: [l1, l2, l3, l4],
            adjustments,
            total,
            lines,
        });
    }
    Ok(months)
}

/// `rows` with the previewed lines added as the ledger's triggers would add them, in
/// the report's order (highest total first, then by code).
fn with_lines(mut rows: Vec<CommissionReportRow>, lines: &[&PreviewedLines]) -> Vec<CommissionReportRow> {
    let mut at: std::collections::HashMap<String, usize> =
        rows.iter().enumerate().map(|(index, row)| (row.ma_ctv.clone(), index)).collect();
    for (_, ma_ctv, level, kind, count, amount) in lines {
        let index = match at.get(ma_ctv) {
            Some(index) => *index,
            None => {
                at.insert(ma_ctv.clone(), rows.len());
                rows.push(CommissionReportRow {
                    ma_ctv: ma_ctv.clone(),
                    name: String::new(),
                    direct: 0.0,
                    overrides: [0.0; 4],
                    adjustments: 0.0,
                    total: 0.0,
                    lines: 0,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[index];
        match (kind.as_str(), *level) {
            ("earning", 0) => row.direct = cents(row.direct + amount),
            ("earning", level @ 1..=4) => {
                let slot = &mut row.overrides[usize::from(level.unsigned_abs()) - 1];
                *slot = cents(*slot + amount);
            }
            _ => row.adjustments = cents(row.adjustments + amount),
        }
        row.total = cents(row.total + amount);
        row.lines += count;
    }
    rows.sort_by(|a, b| b.total.total_cmp(&a.total).then_with(|| a.ma_ctv.cmp(&b.ma_ctv)));
    rows
}
