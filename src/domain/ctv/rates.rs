//! Commission rates per level (0: the closer, 1–4: its upline) with the day each takes
//! effect, a proposed new rate as typed and checked, and what it would change.

use crate::domain::ctv::commissions::{CommissionRate, ReportTotals};
use crate::domain::ctv::network::UPLINE_LEVELS;
use crate::domain::dates::is_date;
use crate::domain::field_error::{FieldError, Problem};
use serde::{Deserialize, Serialize};

/// A rate in `hoa_hong_config` keeps 3 decimals of a percent (`DECIMAL(6,3)`).
pub const RATE_DECIMALS: i32 = 3;

/// The rates page: the rate in force today per level, every rate ever set, and the
/// months that are closed (no rate may take effect in or before them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateTable {
    /// One per level that has a rate in force today, by level.
    pub current: Vec<CommissionRate>,
    /// Every rate, by level, newest first within a level.
    pub history: Vec<CommissionRate>,
    /// The latest closed month (`YYYY-MM`), if any: a new rate takes effect after it.
    pub latest_closed: Option<String>,
    /// The month that takes today's changes (`YYYY-MM`).
    pub open_period: String,
}

/// A new rate as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RateParams {
    #[serde(default)]
    pub level: String,
    /// Percent, `.` or `,` as the decimal mark.
    #[serde(default)]
    pub rate: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub effective_from: String,
}

/// A new rate, checked (whether its day falls in a closed month is the store's to say).
#[derive(Clone, Debug, PartialEq)]
pub struct RateChange {
    pub level: i32,
    pub rate: f64,
    pub effective_from: String,
}

impl RateParams {
    /// The change, or the first bad field named.
    pub fn check(&self) -> Result<RateChange, FieldError> {
        let level = self.level.trim();
        let level = match level.parse::<i32>() {
            Ok(level) if (0..=UPLINE_LEVELS).contains(&level) => level,
            _ => {
                return Err(FieldError::new("level", Problem::NotALevel { text: level.to_owned(), max: UPLINE_LEVELS }))
            }
        };
        let typed = self.rate.trim().trim_end_matches('%').trim().replace(',', ".");
        let rate = match typed.parse::<f64>() {
            Ok(rate) if rate.is_finite() && (0.0..=100.0).contains(&rate) => rate,
            _ => return Err(FieldError::new("rate", Problem::NotAPercentage { text: self.rate.clone() })),
        };
        let scale = 10f64.powi(RATE_DECIMALS);
        if ((rate * scale).round() - rate * scale).abs() > 1e-6 {
            return Err(FieldError::new("rate", Problem::TooManyDecimals { value: typed, max: RATE_DECIMALS as u32 }));
        }
        let effective_from = self.effective_from.trim();
        if !is_date(effective_from) {
            return Err(FieldError::new("effective_from", Problem::NotADate { text: effective_from.to_owned() }));
        }
        Ok(RateChange { level, rate, effective_from: effective_from.to_owned() })
    }
}

/// A month's commissions as the report adds them up, before and after a proposed rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewMonth {
    /// `YYYY-MM`.
    pub period: String,
    pub current: ReportTotals,
    pub proposed: ReportTotals,
}

/// What saving a rate would do, computed without writing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatePreview {
    pub level: i32,
    pub rate: f64,
    pub effective_from: String,
    /// The rate of the level in force on `effective_from` until now.
    pub replaces: Option<f64>,
    /// The open month that takes today's changes first, then every other month the
    /// change would write lines into, oldest first.
    pub months: Vec<PreviewMonth>,
    /// Ledger lines the change would write, and their sum (đồng).
    pub lines: i64,
    pub net_amount: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(level: &str, rate: &str, from: &str) -> RateParams {
        RateParams { level: level.into(), rate: rate.into(), effective_from: from.into() }
    }

    #[test]
    fn a_new_rate_is_checked_field_by_field() {
        assert_eq!(
            params("0", "12,5", "2026-12-01").check().unwrap(),
            RateChange { level: 0, rate: 12.5, effective_from: "2026-12-01".into() }
        );
        assert_eq!(params("4", "0.125 %", "2026-12-31").check().unwrap().rate, 0.125);
        assert_eq!(params("2", "100", "2026-12-31").check().unwrap().rate, 100.0);
        for (bad, field) in [
            (params("5", "10", "2026-12-01"), "level"),
            (params("-1", "10", "2026-12-01"), "level"),
            (params("x", "10", "2026-12-01"), "level"),
            (params("1", "100.5", "2026-12-01"), "rate"),
            (params("1", "-1", "2026-12-01"), "rate"),
            (params("1", "NaN", "2026-12-01"), "rate"),
            (params("1", "", "2026-12-01"), "rate"),
            (params("1", "1.2345", "2026-12-01"), "rate"),
            (params("1", "5", "2026-02-30"), "effective_from"),
            (params("1", "5", "01/12/2026"), "effective_from"),
        ] {
            assert_eq!(bad.check().unwrap_err().field, field, "{bad:?}");
        }
    }
}
