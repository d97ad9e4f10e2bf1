//! Commission months: open, closed (by whom, when) or reopened (by whom, when, why), and
//! the adjustments that correct a closed month from the open one.

use crate::domain::dates::is_month;
use crate::domain::field_error::{FieldError, Problem};
use serde::{Deserialize, Serialize};

/// The longest reason kept for a reopen or an adjustment.
pub const REASON_MAX: usize = 500;

/// Who did something to a month, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodAct {
    /// An email; `None` when a command did it (the demo generator).
    pub by: Option<String>,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub at: String,
}

impl PeriodAct {
    pub fn who(&self) -> &str {
        self.by.as_deref().unwrap_or("a command")
    }
}

/// A month's state, as the report lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodState {
    /// `YYYY-MM`.
    pub period: String,
    /// Set while the month is closed.
    pub closed: Option<PeriodAct>,
    /// The latest reopening and its reason, if the month was ever reopened.
    pub reopened: Option<(PeriodAct, String)>,
    /// Whether the month has ended (only an ended month can be closed).
    pub ended: bool,
    /// The month that takes today's changes and adjustments.
    pub is_open_period: bool,
}

/// The months for the report, and what the viewer may do to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodListing {
    /// Newest first.
    pub months: Vec<PeriodState>,
    /// Close a month and record adjustments (managers and admins).
    pub may_close: bool,
    /// Reopen a closed month (admins).
    pub may_reopen: bool,
}

/// A manager's correction to a closed month, as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AdjustmentParams {
    /// The closed month corrected, `YYYY-MM`.
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub ma_ctv: String,
    /// Đồng, negative to take back; `.` or `,` as the decimal mark.
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reason: String,
}

/// An adjustment, checked (whether the month is closed and the collaborator exists is the store's to say).
#[derive(Clone, Debug, PartialEq)]
pub struct Adjustment {
    pub period: String,
    pub ma_ctv: String,
    pub amount: f64,
    pub reason: String,
}

/// The largest adjustment, in đồng (the ledger's `DECIMAL(14,2)` holds up to 10^12).
pub const ADJUSTMENT_MAX: f64 = 1e11;

/// A month typed in a form, checked.
pub fn check_period(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if is_month(text) {
        Ok(text.to_owned())
    } else {
        Err(FieldError::new("period", Problem::NotAMonth { text: text.to_owned() }))
    }
}

/// A reason typed in a form, checked: said, and not longer than [`REASON_MAX`].
pub fn check_reason(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    match text.chars().count() {
        0 => Err(FieldError::new("reason", Problem::Required)),
        length if length > REASON_MAX => Err(FieldError::new("reason", Problem::TooLong { length, max: REASON_MAX })),
        _ => Ok(text.to_owned()),
    }
}

impl AdjustmentParams {
    pub fn check(&self) -> Result<Adjustment, FieldError> {
        let period = check_period(&self.period)?;
        let ma_ctv = self.ma_ctv.trim();
        if ma_ctv.is_empty() || ma_ctv.len() > 50 {
            return Err(FieldError::new("ma_ctv", Problem::NotACollaboratorCode { text: ma_ctv.to_owned() }));
        }
        let typed = self.amount.trim().replace([' ', '_'], "").replace(',', ".");
        let amount = match typed.parse::<f64>() {
            Ok(amount) if amount.is_finite() && amount != 0.0 && amount.abs() <= ADJUSTMENT_MAX => amount,
            _ => return Err(FieldError::new("amount", Problem::NotAnAdjustment { text: self.amount.clone() })),
        };
        if ((amount * 100.0).round() - amount * 100.0).abs() > 1e-6 {
            return Err(FieldError::new("amount", Problem::TooManyDecimals { value: typed, max: 2 }));
        }
        let reason = check_reason(&self.reason)?;
        Ok(Adjustment { period, ma_ctv: ma_ctv.to_owned(), amount, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustments_and_reasons_are_checked_field_by_field() {
        let good = AdjustmentParams {
            period: "2026-10".into(),
            ma_ctv: " CTV001 ".into(),
            amount: "-50000,5".into(),
            reason: " Khách trả lại ".into(),
        };
        assert_eq!(
            good.check().unwrap(),
            Adjustment {
                period: "2026-10".into(),
                ma_ctv: "CTV001".into(),
                amount: -50_000.5,
                reason: "Khách trả lại".into()
            }
        );
        for (bad, field) in [
            (AdjustmentParams { period: "2026-13".into(), ..good.clone() }, "period"),
            (AdjustmentParams { ma_ctv: "  ".into(), ..good.clone() }, "ma_ctv"),
            (AdjustmentParams { amount: "0".into(), ..good.clone() }, "amount"),
            (AdjustmentParams { amount: "1.001".into(), ..good.clone() }, "amount"),
            (AdjustmentParams { amount: "lots".into(), ..good.clone() }, "amount"),
            (AdjustmentParams { amount: "1e12".into(), ..good.clone() }, "amount"),
            (AdjustmentParams { reason: " ".into(), ..good.clone() }, "reason"),
            (AdjustmentParams { reason: "x".repeat(REASON_MAX + 1), ..good.clone() }, "reason"),
        ] {
            assert_eq!(bad.check().unwrap_err().field, field, "{bad:?}");
        }
    }
}
