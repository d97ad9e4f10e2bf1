//! What a load of transactions adds to seed 003's summaries. The rows' counts and sums
//! per day and merchant, per day and payment mode, and per day are added to the summary
//! rows of those days (and the merchants' months), in the load's own transaction: the
//! summaries stay equal to the rows, late rows included, and a load costs what it adds,
//! however many rows its days already hold. (Recomputing the touched days from the rows,
//! `refresh_transaction_summaries`, read every row of those days again on each load.)

use super::transactions::TransactionRecord;
use crate::data::sql;
use chrono::NaiveDate;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Counts and sums of some rows, amounts in hundredths of a đồng.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Totals {
    transactions: i32,
    successful: i32,
    cents: i64,
    success_cents: i64,
}

impl Totals {
    fn add(&mut self, row: &TransactionRecord<'_>) {
        let success = row.status == "SUCCESS";
        self.transactions += 1;
        self.cents += row.paid_cents;
        if success {
            self.successful += 1;
            self.success_cents += row.paid_cents;
        }
    }
}

/// A batch's figures, keyed as the summaries are. Merchants are also keyed by the name
/// the rows give them, so PostgreSQL takes the greatest name as `MAX(client_name)` does.
#[derive(Debug, Default)]
pub(super) struct SummaryDeltas<'a> {
    merchants: BTreeMap<(NaiveDate, &'a str, &'a str), Totals>,
    payment_modes: BTreeMap<(NaiveDate, &'a str), Totals>,
    days: BTreeMap<NaiveDate, Totals>,
}

impl<'a> SummaryDeltas<'a> {
    pub(super) fn of(rows: &[TransactionRecord<'a>]) -> Self {
        let mut deltas = Self::default();
        for row in rows {
            let day = row.trans_date.date();
            deltas.merchants.entry((day, row.client_code, row.client_name)).or_default().add(row);
            deltas.payment_modes.entry((day, row.payment_mode)).or_default().add(row);
            deltas.days.entry(day).or_default().add(row);
        }
        deltas
    }

    /// Adds the figures to the organization's summaries. Rows are written in key order,
    /// so two loads at once lock shared summary rows in the same order (no deadlock).
    pub(super) async fn add_to_summaries(
        &self,
        conn: &mut PgConnection,
        organization: Uuid,
    ) -> Result<(), sqlx::Error> {
        let (days, keys, totals) =
            columns(self.merchants.iter().map(|((day, code, name), totals)| (*day, (*code, *name), totals)));
        let codes: Vec<&str> = keys.iter().map(|(code, _)| *code).collect();
        let names: Vec<&str> = keys.iter().map(|(_, name)| *name).collect();
        for statement in [ADD_TO_DAILY_MERCHANTS, ADD_TO_MONTHLY_MERCHANTS] {
            sql::query(statement)
                .bind(organization)
                .bind(&days)
                .bind(&codes)
                .bind(&names)
                .bind(&totals.transactions)
                .bind(&totals.successful)
                .bind(&totals.cents)
                .bind(&totals.success_cents)
                .execute(&mut *conn)
                .await?;
        }
        let (days, modes, totals) =
            columns(self.payment_modes.iter().map(|((day, mode), totals)| (*day, *mode, totals)));
        sql::query(ADD_TO_DAILY_PAYMENTS)
            .bind(organization)
            .bind(&days)
            .bind(&modes)
            .bind(&totals.transactions)
            .bind(&totals.successful)
            .execute(&mut *conn)
            .await?;
        let (days, _, totals) = columns(self.days.iter().map(|(day, totals)| (*day, (), totals)));
        sql::query(ADD_TO_DAILY_TREND)
            .bind(organization)
            .bind(&days)
            .bind(&totals.transactions)
            .bind(&totals.successful)
            .bind(&totals.cents)
            .bind(&totals.success_cents)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// The figures as one array per column, for `UNNEST`.
#[derive(Default)]
struct TotalsColumns {
    transactions: Vec<i32>,
    successful: Vec<i32>,
    cents: Vec<i64>,
    success_cents: Vec<i64>,
}

/// Each entry's day, key (merchant, payment mode or none) and figures, as columns.
fn columns<'t, K>(
    entries: impl Iterator<Item = (NaiveDate, K, &'t Totals)>,
) -> (Vec<NaiveDate>, Vec<K>, TotalsColumns) {
    let (mut days, mut keys, mut totals) = (Vec::new(), Vec::new(), TotalsColumns::default());
    for (day, key, figures) in entries {
        days.push(day);
        keys.push(key);
        totals.transactions.push(figures.transactions);
        totals.successful.push(figures.successful);
        totals.cents.push(figures.cents);
        totals.success_cents.push(figures.success_cents);
    }
    (days, keys, totals)
}

/// `$1` organization; `$2`… the batch's merchants by day: code, name, counts, sums in cents.
const ADD_TO_DAILY_MERCHANTS: &str = "
INSERT INTO daily_merchant_summary AS s (organization_id, summary_date, client_code, client_name,
                                         total_transactions, successful_transactions, total_amount, success_amount)
SELECT $1, day, code, MAX(name), SUM(transactions), SUM(successful), SUM(cents) / 100.0, SUM(success_cents) / 100.0
FROM UNNEST($2::date[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::bigint[])
     AS batch(day, code, name, transactions, successful, cents, success_cents)
GROUP BY day, code
ORDER BY day, code
ON CONFLICT (organization_id, summary_date, client_code) DO UPDATE SET
    client_name = GREATEST(s.client_name, EXCLUDED.client_name),
    total_transactions = s.total_transactions + EXCLUDED.total_transactions,
    successful_transactions = s.successful_transactions + EXCLUDED.successful_transactions,
    total_amount = s.total_amount + EXCLUDED.total_amount,
    success_amount = s.success_amount + EXCLUDED.success_amount";

/// The same figures added to the merchants' months.
const ADD_TO_MONTHLY_MERCHANTS: &str = "
INSERT INTO monthly_merchant_summary AS s (organization_id, summary_month, client_code, client_name,
                                           total_transactions, successful_transactions, total_amount, success_amount)
SELECT $1, date_trunc('month', day)::date, code, MAX(name), SUM(transactions), SUM(successful),
       SUM(cents) / 100.0, SUM(success_cents) / 100.0
FROM UNNEST($2::date[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::bigint[])
     AS batch(day, code, name, transactions, successful, cents, success_cents)
GROUP BY 2, code
ORDER BY 2, code
ON CONFLICT (organization_id, summary_month, client_code) DO UPDATE SET
    client_name = GREATEST(s.client_name, EXCLUDED.client_name),
    total_transactions = s.total_transactions + EXCLUDED.total_transactions,
    successful_transactions = s.successful_transactions + EXCLUDED.successful_transactions,
    total_amount = s.total_amount + EXCLUDED.total_amount,
    success_amount = s.success_amount + EXCLUDED.success_amount";

/// The success rate is worked out again from the new counts, as the seed computes it.
const ADD_TO_DAILY_PAYMENTS: &str = "
INSERT INTO daily_payment_summary AS s (organization_id, summary_date, payment_mode,
                                        total_transactions, successful_transactions, success_rate)
SELECT $1, day, mode, transactions, successful, ROUND(100.0 * successful / transactions, 2)
FROM UNNEST($2::date[], $3::text[], $4::int[], $5::int[]) AS batch(day, mode, transactions, successful)
ORDER BY day, mode
ON CONFLICT (organization_id, summary_date, payment_mode) DO UPDATE SET
    total_transactions = s.total_transactions + EXCLUDED.total_transactions,
    successful_transactions = s.successful_transactions + EXCLUDED.successful_transactions,
    success_rate = ROUND(100.0 * (s.successful_transactions + EXCLUDED.successful_transactions)
                         / (s.total_transactions + EXCLUDED.total_transactions), 2)";

const ADD_TO_DAILY_TREND: &str = "
INSERT INTO daily_trend_summary AS s (organization_id, summary_date, total_transactions, successful_transactions,
                                      total_volume, success_volume)
SELECT $1, day, transactions, successful, cents / 100.0, success_cents / 100.0
FROM UNNEST($2::date[], $3::int[], $4::int[], $5::bigint[], $6::bigint[]) AS batch(day, transactions, successful, cents, success_cents)
ORDER BY day
ON CONFLICT (organization_id, summary_date) DO UPDATE SET
    total_transactions = s.total_transactions + EXCLUDED.total_transactions,
    successful_transactions = s.successful_transactions + EXCLUDED.successful_transactions,
    total_volume = s.total_volume + EXCLUDED.total_volume,
    success_volume = s.success_volume + EXCLUDED.success_volume";

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(
        at: &str,
        code: &'a str,
        name: &'a str,
        mode: &'a str,
        status: &'a str,
        cents: i64,
    ) -> TransactionRecord<'a> {
        TransactionRecord {
            trans_date: chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap(),
            client_code: code,
            client_name: name,
            payment_mode: mode,
            status,
            paid_cents: cents,
            isdn: "84900000001",
        }
    }

    #[test]
    fn a_batch_is_summed_by_day_merchant_and_mode_counting_only_successes_as_successful() {
        let rows = [
            row("2026-02-10 08:00", "M1", "One", "MOMO", "SUCCESS", 1_000),
            row("2026-02-10 23:59", "M1", "One", "VNPAY", "FAILED", 500),
            row("2026-02-11 00:00", "M1", "One", "MOMO", "PENDING", 200),
            row("2026-02-11 09:00", "M2", "Two", "MOMO", "SUCCESS", 300),
        ];
        let deltas = SummaryDeltas::of(&rows);
        let tenth = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
        let eleventh = NaiveDate::from_ymd_opt(2026, 2, 11).unwrap();
        assert_eq!(
            deltas.merchants[&(tenth, "M1", "One")],
            Totals { transactions: 2, successful: 1, cents: 1_500, success_cents: 1_000 }
        );
        assert_eq!(deltas.merchants.len(), 3);
        assert_eq!(
            deltas.payment_modes[&(eleventh, "MOMO")],
            Totals { transactions: 2, successful: 1, cents: 500, success_cents: 300 }
        );
        assert_eq!(deltas.days[&eleventh], Totals { transactions: 2, successful: 1, cents: 500, success_cents: 300 });
        let (days, keys, totals) = columns(deltas.days.iter().map(|(day, totals)| (*day, (), totals)));
        assert_eq!((days, keys.len(), totals.transactions), (vec![tenth, eleventh], 2, vec![2, 2]));
    }
}
