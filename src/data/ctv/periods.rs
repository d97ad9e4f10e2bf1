//! Commission months: their states for the report, closing (who, when), reopening (an
//! admin, with a reason), a month's recalculation (refused once it is closed) and a
//! manager's prior-period adjustments. A row of `commission_periods` is a closed month,
//! as the engine reads it; `commission_period_events` keeps every close and reopen.

use super::commissions::{lock_commissions, recalculate_in};
use super::rates::OPEN_PERIOD_SQL;
use crate::data::{sql, OrganizationStore};
use crate::domain::ctv::commissions::RecalculationSummary;
use crate::domain::ctv::periods::{Adjustment, PeriodAct, PeriodState};
use chrono::NaiveDate;

/// `closed_at` and the like as the page shows them.
const WHEN: &str = r#"'YYYY-MM-DD HH24:MI "UTC"'"#;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseOutcome {
    Closed,
    AlreadyClosed(PeriodAct),
    /// The month has not ended yet (today is in it, or before it).
    NotEnded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReopenOutcome {
    Reopened,
    NotClosed,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AdjustmentOutcome {
    /// The line's id and the month (`YYYY-MM`) it was recorded in.
    Recorded {
        id: i64,
        period: String,
    },
    /// Only a closed month takes adjustments: an open one is recalculated.
    NotClosed,
    UnknownCollaborator,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PeriodRecalculation {
    Done(RecalculationSummary),
    /// Its lines are final: reopen it, or record an adjustment.
    Closed,
}

#[derive(sqlx::FromRow)]
struct StateRow {
    period: String,
    closed: bool,
    closed_by: Option<String>,
    closed_at: Option<String>,
    reopened_by: Option<String>,
    reopened_at: Option<String>,
    reason: Option<String>,
    ended: bool,
    is_open_period: bool,
}

impl OrganizationStore {
    /// Every month with commissions, closed or ever reopened, and the open month, newest
    /// first, each with its state. `today`: the database's date when `None`.
    pub async fn commission_period_states(&self, today: Option<NaiveDate>) -> Result<Vec<PeriodState>, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let open: NaiveDate =
            sql::query_scalar(OPEN_PERIOD_SQL).bind(organization.id).bind(today).fetch_one(&mut *tx).await?;
        let rows: Vec<StateRow> = sql::query_as(&format!(
            // The months with commissions by a loose index scan of the sums' key (one
            // probe a month), as the report's month list reads them.
            "WITH RECURSIVE paid AS (
                 SELECT MAX(period) AS period FROM commission_summaries WHERE organization_id = $1
                 UNION ALL
                 SELECT (SELECT MAX(s.period) FROM commission_summaries s WHERE s.organization_id = $1 AND s.period < m.period)
                 FROM paid m WHERE m.period IS NOT NULL
             ),
             months AS (
                 SELECT period FROM paid WHERE period IS NOT NULL
                 UNION SELECT period FROM commission_periods WHERE organization_id = $1
                 UNION SELECT period FROM commission_period_events WHERE organization_id = $1
                 UNION SELECT $3::date
             )
             SELECT to_char(m.period, 'YYYY-MM') AS period, p.period IS NOT NULL AS closed, p.closed_by,
                    to_char(p.closed_at AT TIME ZONE 'UTC', {WHEN}) AS closed_at,
                    r.actor AS reopened_by, to_char(r.created_at AT TIME ZONE 'UTC', {WHEN}) AS reopened_at, r.reason,
                    m.period < date_trunc('month', COALESCE($2::date, CURRENT_DATE)) AS ended,
                    m.period = $3::date AS is_open_period
             FROM months m
             LEFT JOIN commission_periods p ON p.organization_id = $1 AND p.period = m.period
             LEFT JOIN LATERAL (
                 SELECT e.actor, e.created_at, e.reason FROM commission_period_events e
                 WHERE e.organization_id = $1 AND e.period = m.period AND e.action = 'reopened'
                 ORDER BY e.id DESC LIMIT 1
             ) r ON true
             ORDER BY m.period DESC"
        ))
        .bind(organization.id)
        .bind(today)
        .bind(open)
        .fetch_all(&mut *tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| PeriodState {
                period: row.period,
                closed: row.closed.then(|| PeriodAct { by: row.closed_by, at: row.closed_at.unwrap_or_default() }),
                reopened: row
                    .reopened_at
                    .map(|at| (PeriodAct { by: row.reopened_by, at }, row.reason.unwrap_or_default())),
                ended: row.ended,
                is_open_period: row.is_open_period,
            })
            .collect())
    }

    /// Closes `period` (its first day) for `by` (an email): its lines are final from
    /// now on. Only a month that has ended closes. `today`: the database's date when `None`.
    pub async fn close_period(
        &self,
        period: NaiveDate,
        by: &str,
        today: Option<NaiveDate>,
    ) -> Result<CloseOutcome, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        // Not while a recalculation or an adjustment is writing into the month.
        lock_commissions(&mut tx, organization).await?;
        let ended: bool = sql::query_scalar("SELECT $1::date < date_trunc('month', COALESCE($2::date, CURRENT_DATE))")
            .bind(period)
            .bind(today)
            .fetch_one(&mut *tx)
            .await?;
        if !ended {
            return Ok(CloseOutcome::NotEnded);
        }
        let closed: Option<(Option<String>, String)> = sql::query_as(&format!(
            "SELECT closed_by, to_char(closed_at AT TIME ZONE 'UTC', {WHEN}) FROM commission_periods
             WHERE organization_id = $1 AND period = $2"
        ))
        .bind(organization.id)
        .bind(period)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((by, at)) = closed {
            return Ok(CloseOutcome::AlreadyClosed(PeriodAct { by, at }));
        }
        sql::query("INSERT INTO commission_periods (organization_id, period, closed_by) VALUES ($1, $2, $3)")
            .bind(organization.id)
            .bind(period)
            .bind(by)
            .execute(&mut *tx)
            .await?;
        sql::query(
            "INSERT INTO commission_period_events (organization_id, period, action, actor) VALUES ($1, $2, 'closed', $3)",
        )
        .bind(organization.id)
        .bind(period)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(CloseOutcome::Closed)
    }

    /// Reopens a closed `period` for `by`, with the reason kept in its history.
    pub async fn reopen_period(&self, period: NaiveDate, by: &str, reason: &str) -> Result<ReopenOutcome, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        lock_commissions(&mut tx, organization).await?;
        let reopened = sql::query("DELETE FROM commission_periods WHERE organization_id = $1 AND period = $2")
            .bind(organization.id)
            .bind(period)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if reopened == 0 {
            return Ok(ReopenOutcome::NotClosed);
        }
        sql::query(
            "INSERT INTO commission_period_events (organization_id, period, action, actor, reason)
             VALUES ($1, $2, 'reopened', $3, $4)",
        )
        .bind(organization.id)
        .bind(period)
        .bind(by)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ReopenOutcome::Reopened)
    }

    /// Recalculates the customers served in `period` (its first day), unless it is closed.
    pub async fn recalculate_period(
        &self,
        period: NaiveDate,
        today: Option<NaiveDate>,
    ) -> Result<PeriodRecalculation, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        // Taken before the check, so the month cannot close between it and the lines.
        lock_commissions(&mut tx, organization).await?;
        let closed: bool = sql::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM commission_periods WHERE organization_id = $1 AND period = $2)",
        )
        .bind(organization.id)
        .bind(period)
        .fetch_one(&mut *tx)
        .await?;
        if closed {
            return Ok(PeriodRecalculation::Closed);
        }
        let customers: Vec<i64> = sql::query_scalar(
            "SELECT id FROM khach_hang
             WHERE organization_id = $1 AND COALESCE(ngay_hen_lam, ngay_nhap_don) >= $2
               AND COALESCE(ngay_hen_lam, ngay_nhap_don) < ($2::date + INTERVAL '1 month')",
        )
        .bind(organization.id)
        .bind(period)
        .fetch_all(&mut *tx)
        .await?;
        let summary = recalculate_in(&mut tx, organization, Some(&customers), today).await?;
        tx.commit().await?;
        Ok(PeriodRecalculation::Done(summary))
    }

    /// Records `adjustment` (a correction to a closed month) as a line of the open month,
    /// with its reason and `by`. `today`: the database's date when `None`.
    pub async fn record_adjustment(
        &self,
        adjustment: &Adjustment,
        by: &str,
        today: Option<NaiveDate>,
    ) -> Result<AdjustmentOutcome, sqlx::Error> {
        let organization = &self.organization;
        let Some(corrected) = super::rates::first_day(&adjustment.period) else {
            return Ok(AdjustmentOutcome::NotClosed);
        };
        let mut tx = self.begin().await?;
        // The open month cannot close while the line goes into it.
        lock_commissions(&mut tx, organization).await?;
        let closed: bool = sql::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM commission_periods WHERE organization_id = $1 AND period = $2)",
        )
        .bind(organization.id)
        .bind(corrected)
        .fetch_one(&mut *tx)
        .await?;
        if !closed {
            return Ok(AdjustmentOutcome::NotClosed);
        }
        let known: bool =
            sql::query_scalar("SELECT EXISTS (SELECT 1 FROM ctv WHERE organization_id = $1 AND ma_ctv = $2)")
                .bind(organization.id)
                .bind(&adjustment.ma_ctv)
                .fetch_one(&mut *tx)
                .await?;
        if !known {
            return Ok(AdjustmentOutcome::UnknownCollaborator);
        }
        let open: NaiveDate =
            sql::query_scalar(OPEN_PERIOD_SQL).bind(organization.id).bind(today).fetch_one(&mut *tx).await?;
        // No customer, no base, no rate: the reason says what it is for.
        let id: i64 = sql::query_scalar(
            "INSERT INTO commissions (organization_id, khach_hang_id, ma_ctv, level, base_amount, rate, amount, period, kind,
                                      adjusts_period, reason, entered_by)
             VALUES ($1, NULL, $2, 0, 0, 0, ROUND($3::float8::numeric, 2), $4, 'adjustment', $5, $6, $7)
             RETURNING id",
        )
        .bind(organization.id)
        .bind(&adjustment.ma_ctv)
        .bind(adjustment.amount)
        .bind(open)
        .bind(corrected)
        .bind(&adjustment.reason)
        .bind(by)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(AdjustmentOutcome::Recorded { id, period: open.format("%Y-%m").to_string() })
    }
}
