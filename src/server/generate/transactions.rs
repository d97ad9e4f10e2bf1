//! Seed 003's transactions, synthesized: top-ups and payments of the subscribers
//! through merchants (a few large, many small: Zipf-like shares) and payment modes
//! (each with its own success rate), with the day's rhythm (quiet nights, evening peak),
//! the week's (busier weekends) and a year's slow growth. About 1 row in 200 arrives
//! late: it is loaded with a later day's rows, dated up to 3 days before.
//! The same seed, row count and days give the same rows.

use crate::data::transactions::TransactionRecord;
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// `ut360 generate`'s default: seed 003's current size.
pub const DEMO_ROWS: u64 = 511_000;
/// Days of transactions, ending today.
pub const DEMO_DAYS: u32 = 365;
pub const MERCHANTS: usize = 300;

/// Kept apart from the other demo data's random streams.
const STREAM: u64 = 0x7A_003;

/// Mode, share of transactions (weight), success rate, pending rate (the rest fail).
const PAYMENT_MODES: [(&str, u32, f64, f64); 7] = [
    ("MOMO", 30, 0.965, 0.010),
    ("ZALOPAY", 18, 0.955, 0.010),
    ("VNPAY", 15, 0.940, 0.015),
    ("BANK_TRANSFER", 14, 0.910, 0.030),
    ("ATM_CARD", 10, 0.880, 0.020),
    ("CREDIT_CARD", 6, 0.850, 0.020),
    ("AIRTIME_BALANCE", 7, 0.985, 0.005),
];

/// Top-up denominations in đồng and how often they are chosen.
const AMOUNTS: [(i64, u32); 8] =
    [(10_000, 14), (20_000, 20), (30_000, 8), (50_000, 26), (100_000, 20), (200_000, 8), (300_000, 2), (500_000, 2)];

/// Relative activity per hour of the day.
const HOURS: [u32; 24] = [2, 1, 1, 1, 1, 2, 5, 9, 12, 11, 10, 10, 12, 10, 9, 9, 10, 11, 13, 15, 16, 14, 9, 5];

const MERCHANT_KINDS: [&str; 6] = ["Đại lý", "Cửa hàng", "Siêu thị", "Điểm bán", "Ví điện tử", "Ngân hàng"];
const MERCHANT_PLACES: [&str; 10] =
    ["Hà Nội", "Sài Gòn", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Nha Trang", "Huế", "Vinh", "Quy Nhơn", "Biên Hòa"];

/// One synthesized transaction, by index into the generator's merchants and subscribers.
#[derive(Clone, Copy, Debug)]
pub struct SyntheticRow {
    pub at: NaiveDateTime,
    merchant: u32,
    mode: u8,
    status: u8,
    pub paid_cents: i64,
    subscriber: u32,
}

/// A day's rows are the base times 1.2 on weekends and 0.85 rising to 1.18 over the
/// period; this is their mean, so the rows add up to about the count asked.
const MEAN_DAY_FACTOR: f64 = (1.0 + 0.2 * 2.0 / 7.0) * (0.85 + 0.33 / 2.0);

const STATUSES: [&str; 3] = ["SUCCESS", "FAILED", "PENDING"];

/// The merchants' and subscribers' names that rows refer to by index; shared, so a
/// batch can be loaded on another task while the next one is drawn.
#[derive(Clone)]
pub struct SyntheticNames {
    merchants: Arc<Vec<(String, String)>>,
    isdns: Arc<Vec<String>>,
}

impl SyntheticNames {
    /// The rows as records to load, borrowing the names.
    pub fn records<'a>(&'a self, rows: &[SyntheticRow]) -> Vec<TransactionRecord<'a>> {
        rows.iter()
            .map(|row| {
                let (code, name) = &self.merchants[row.merchant as usize];
                TransactionRecord {
                    trans_date: row.at,
                    client_code: code,
                    client_name: name,
                    payment_mode: PAYMENT_MODES[row.mode as usize].0,
                    status: STATUSES[row.status as usize],
                    paid_cents: row.paid_cents,
                    isdn: &self.isdns[row.subscriber as usize],
                }
            })
            .collect()
    }
}

/// Draws the rows day by day, oldest first.
pub struct TransactionSynth {
    rng: ChaCha8Rng,
    names: SyntheticNames,
    merchant_cdf: Vec<f64>,
    mode_cdf: Vec<f64>,
    amount_cdf: Vec<f64>,
    hour_cdf: Vec<f64>,
    first_day: NaiveDate,
    days: u32,
    /// Rows per day before the day's own factors.
    base_per_day: f64,
}

fn cdf(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let weights: Vec<f64> = weights.into_iter().collect();
    let total: f64 = weights.iter().sum();
    let mut running = 0.0;
    weights
        .iter()
        .map(|w| {
            running += w / total;
            running
        })
        .collect()
}

fn pick(cdf: &[f64], draw: f64) -> usize {
    cdf.partition_point(|&edge| edge < draw).min(cdf.len() - 1)
}

impl TransactionSynth {
    /// `rows` spread over the `days` days ending `last_day`, for the subscribers `isdns`
    /// (synthetic numbers when there are none).
    pub fn new(seed: u64, rows: u64, days: u32, last_day: NaiveDate, isdns: Vec<String>) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
        let merchants: Vec<(String, String)> = (0..MERCHANTS)
            .map(|i| {
                let kind = MERCHANT_KINDS[i % MERCHANT_KINDS.len()];
                let place = MERCHANT_PLACES[(i / MERCHANT_KINDS.len()) % MERCHANT_PLACES.len()];
                (format!("MC{:05}", i + 1), format!("{kind} {place} {}", i + 1))
            })
            .collect();
        // Zipf-like: the first merchants take most of the volume.
        let merchant_cdf = cdf((0..MERCHANTS).map(|rank| 1.0 / ((rank + 1) as f64).powf(1.1)));
        let isdns = if isdns.is_empty() {
            (0..50_000u32).map(|_| format!("849{:08}", rng.gen_range(0..100_000_000u32))).collect()
        } else {
            isdns
        };
        let days = days.max(1);
        let first_day = last_day - Days::new(u64::from(days) - 1);
        Self {
            rng,
            names: SyntheticNames { merchants: Arc::new(merchants), isdns: Arc::new(isdns) },
            merchant_cdf,
            mode_cdf: cdf(PAYMENT_MODES.iter().map(|m| f64::from(m.1))),
            amount_cdf: cdf(AMOUNTS.iter().map(|a| f64::from(a.1))),
            hour_cdf: cdf(HOURS.iter().map(|&h| f64::from(h))),
            first_day,
            days,
            base_per_day: rows as f64 / f64::from(days) / MEAN_DAY_FACTOR,
        }
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let first = self.first_day;
        (0..self.days).map(move |offset| first + Days::new(u64::from(offset)))
    }

    /// The rows loaded with `day`'s: its own, in time order, and a few late ones of earlier days.
    pub fn rows_of(&mut self, day: NaiveDate) -> Vec<SyntheticRow> {
        let progress = (day - self.first_day).num_days() as f64 / f64::from(self.days);
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let expected = self.base_per_day * (if weekend { 1.2 } else { 1.0 }) * (0.85 + 0.33 * progress);
        let count = (expected + self.rng.gen_range(-0.5..0.5)).round().max(0.0) as usize;
        let mut rows: Vec<SyntheticRow> = (0..count).map(|_| self.row_on(day)).collect();
        rows.sort_by_key(|row| row.at);
        for row in rows.iter_mut() {
            if day > self.first_day && self.rng.gen_bool(0.005) {
                let back = self.rng.gen_range(1..=3).min((day - self.first_day).num_days() as u64);
                row.at -= chrono::Duration::days(back as i64);
            }
        }
        rows
    }

    fn row_on(&mut self, day: NaiveDate) -> SyntheticRow {
        let hour = pick(&self.hour_cdf, self.rng.gen()) as u32;
        let second = self.rng.gen_range(0..3600);
        let at = NaiveDateTime::new(day, NaiveTime::from_hms_opt(hour, second / 60, second % 60).expect("valid time"));
        let mode = pick(&self.mode_cdf, self.rng.gen());
        let (_, _, success, pending) = PAYMENT_MODES[mode];
        let draw: f64 = self.rng.gen();
        let status = if draw < success {
            0
        } else if draw < success + pending {
            2
        } else {
            1
        };
        let amount = AMOUNTS[pick(&self.amount_cdf, self.rng.gen())].0;
        SyntheticRow {
            at,
            merchant: pick(&self.merchant_cdf, self.rng.gen()) as u32,
            mode: mode as u8,
            status,
            paid_cents: amount * 100,
            subscriber: self.rng.gen_range(0..self.names.isdns.len()) as u32,
        }
    }

    /// The rows as records to load, borrowing the generator's names.
    pub fn records<'a>(&'a self, rows: &[SyntheticRow]) -> Vec<TransactionRecord<'a>> {
        self.names.records(rows)
    }

    pub fn names(&self) -> SyntheticNames {
        self.names.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_rows_and_about_the_count_asked() {
        let last = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let draw = |seed| {
            let mut synth = TransactionSynth::new(seed, 36_500, 365, last, Vec::new());
            let days: Vec<NaiveDate> = synth.days().collect();
            days.into_iter()
                .flat_map(|day| synth.rows_of(day))
                .map(|row| (row.at, row.merchant, row.paid_cents))
                .collect::<Vec<_>>()
        };
        let rows = draw(7);
        assert_eq!(rows, draw(7));
        assert_ne!(rows, draw(8));
        assert!((33_000..40_000).contains(&rows.len()), "{} rows", rows.len());
        let late = rows.windows(2).filter(|pair| pair[1].0 < pair[0].0 - chrono::Duration::hours(12)).count();
        assert!(late > 50, "some rows arrive late: {late}");
    }

    #[test]
    fn a_few_merchants_take_most_transactions() {
        let last = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut synth = TransactionSynth::new(1, 20_000, 30, last, Vec::new());
        let days: Vec<NaiveDate> = synth.days().collect();
        let rows: Vec<SyntheticRow> = days.into_iter().flat_map(|day| synth.rows_of(day)).collect();
        let top_ten = rows.iter().filter(|row| row.merchant < 10).count();
        assert!(top_ten * 2 > rows.len(), "the top 10 of {MERCHANTS} merchants: {top_ten} of {}", rows.len());
        let failed = rows.iter().filter(|row| row.status == 1).count();
        assert!(failed > 0 && failed * 10 < rows.len());
    }
}
