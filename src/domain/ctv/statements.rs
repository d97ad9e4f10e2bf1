//! A collaborator's statement of a month, for the collaborator to receive: the page
//! `/commissions/statement?ctv=…&period=…` (printable) and its workbook
//! `/commissions/statement/export.xlsx?…`. Its lines are the ledger's (see
//! [`CommissionStatement`]); its totals are summed here from those lines.

use crate::domain::ctv::commissions::{CommissionKind, CommissionStatement, StatementLine};
use crate::domain::dates::is_month;
use crate::domain::field_error::{FieldError, Problem};
use crate::domain::language::Language;
use crate::domain::query::query_string;
use serde::{Deserialize, Serialize};

/// The statement's URL parameters, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatementParams {
    /// The collaborator's code.
    #[serde(default)]
    pub ctv: String,
    /// `YYYY-MM`.
    #[serde(default)]
    pub period: String,
}

/// The statement asked for, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementQuery {
    pub ma_ctv: String,
    pub period: String,
}

/// The longest collaborator code (`ctv.ma_ctv VARCHAR(50)`).
const CODE_MAX: usize = 50;

impl StatementParams {
    /// The parameters checked; the first bad one named.
    pub fn check(&self) -> Result<StatementQuery, FieldError> {
        let ma_ctv = self.ctv.trim();
        if ma_ctv.is_empty() {
            return Err(FieldError::new("ctv", Problem::Required));
        }
        let length = ma_ctv.chars().count();
        if length > CODE_MAX {
            return Err(FieldError::new("ctv", Problem::TooLong { length, max: CODE_MAX }));
        }
        let period = self.period.trim();
        if !is_month(period) {
            return Err(FieldError::new("period", Problem::NotAMonth { text: period.to_owned() }));
        }
        Ok(StatementQuery { ma_ctv: ma_ctv.to_owned(), period: period.to_owned() })
    }

    /// `ctv=…&period=…`.
    pub fn query_string(&self) -> String {
        query_string(&[("ctv", &self.ctv), ("period", &self.period)])
    }

    /// The printable page.
    pub fn page_href(&self) -> String {
        format!("{STATEMENT_PATH}?{}", self.query_string())
    }

    /// The workbook download.
    pub fn xlsx_href(&self) -> String {
        format!("{STATEMENT_XLSX_PATH}?{}", self.query_string())
    }
}

pub const STATEMENT_PATH: &str = "/commissions/statement";
pub const STATEMENT_XLSX_PATH: &str = "/commissions/statement/export.xlsx";

/// What a statement's lines add up to, in đồng.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatementTotals {
    /// Earnings by level: `[0]` its own customers, `[1..=4]` overrides from its team.
    pub earnings: [f64; 5],
    /// Taken back for customers who no longer earn.
    pub reversals: f64,
    /// The engine's corrections and managers' prior-period adjustments.
    pub adjustments: f64,
    /// Of those, the prior-period adjustments (they carry a reason).
    pub prior_period_adjustments: f64,
    pub total: f64,
    pub lines: usize,
}

impl StatementTotals {
    pub fn of(lines: &[StatementLine]) -> Self {
        let mut totals = Self { lines: lines.len(), ..Self::default() };
        for line in lines {
            match line.kind {
                CommissionKind::Earning => {
                    let level = usize::try_from(line.level).unwrap_or(0).min(4);
                    totals.earnings[level] += line.amount;
                }
                CommissionKind::Reversal => totals.reversals += line.amount,
                CommissionKind::Adjustment => totals.adjustments += line.amount,
            }
            if line.adjusts_period.is_some() {
                totals.prior_period_adjustments += line.amount;
            }
            totals.total += line.amount;
        }
        totals
    }
}

/// A statement as the page and the workbook show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollaboratorStatement {
    /// The organization that pays.
    pub organization: String,
    pub statement: CommissionStatement,
    /// Whether the month is closed (its lines final).
    pub closed: bool,
    pub totals: StatementTotals,
}

/// What a line is, in words: its kind, and for a prior-period adjustment the month it
/// corrects and why.
pub fn line_description(language: Language, line: &StatementLine) -> String {
    match (language, &line.adjusts_period, &line.reason) {
        (Language::En, Some(corrects), Some(reason)) => format!("Adjustment to {corrects}: {reason}"),
        (Language::Vi, Some(corrects), Some(reason)) => format!("Điều chỉnh cho {corrects}: {reason}"),
        _ => match (language, line.kind) {
            (Language::En, CommissionKind::Earning) if line.level == 0 => "Own customer".to_owned(),
            (Language::En, CommissionKind::Earning) => format!("Override, level {}", line.level),
            (Language::En, CommissionKind::Reversal) => "Reversal".to_owned(),
            (Language::En, CommissionKind::Adjustment) => "Adjustment".to_owned(),
            (Language::Vi, CommissionKind::Earning) if line.level == 0 => "Khách hàng của chính mình".to_owned(),
            (Language::Vi, CommissionKind::Earning) => format!("Hoa hồng tuyến trên, cấp {}", line.level),
            (Language::Vi, CommissionKind::Reversal) => "Thu hồi".to_owned(),
            (Language::Vi, CommissionKind::Adjustment) => "Điều chỉnh".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(level: i32, kind: CommissionKind, amount: f64, adjusts: Option<&str>) -> StatementLine {
        StatementLine {
            id: 1,
            customer_id: adjusts.is_none().then_some(7),
            customer_name: String::new(),
            customer_phone: String::new(),
            served_on: None,
            level,
            base_amount: 0.0,
            rate: 0.0,
            amount,
            kind,
            created_at: String::new(),
            adjusts_period: adjusts.map(str::to_owned),
            reason: adjusts.map(|_| "Sai số tiền".to_owned()),
            entered_by: None,
        }
    }

    #[test]
    fn parameters_are_checked_and_named() {
        let query = StatementParams { ctv: " CTV001 ".into(), period: "2026-11".into() }.check().unwrap();
        assert_eq!((query.ma_ctv.as_str(), query.period.as_str()), ("CTV001", "2026-11"));
        for (params, field) in [
            (StatementParams { ctv: "".into(), period: "2026-11".into() }, "ctv"),
            (StatementParams { ctv: "x".repeat(51), period: "2026-11".into() }, "ctv"),
            (StatementParams { ctv: "CTV001".into(), period: "2026-13".into() }, "period"),
            (StatementParams { ctv: "CTV001".into(), period: "".into() }, "period"),
        ] {
            assert_eq!(params.check().unwrap_err().field, field, "{params:?}");
        }
        let params = StatementParams { ctv: "CTV 1".into(), period: "2026-11".into() };
        assert_eq!(params.xlsx_href(), "/commissions/statement/export.xlsx?ctv=CTV%201&period=2026-11");
    }

    #[test]
    fn totals_split_earnings_by_level_reversals_and_adjustments() {
        let lines = [
            line(0, CommissionKind::Earning, 100.0, None),
            line(2, CommissionKind::Earning, 30.0, None),
            line(0, CommissionKind::Reversal, -40.0, None),
            line(1, CommissionKind::Adjustment, 5.0, None),
            line(0, CommissionKind::Adjustment, -15.0, Some("2026-10")),
        ];
        let totals = StatementTotals::of(&lines);
        assert_eq!(totals.earnings, [100.0, 0.0, 30.0, 0.0, 0.0]);
        assert_eq!((totals.reversals, totals.adjustments, totals.prior_period_adjustments), (-40.0, -10.0, -15.0));
        assert_eq!((totals.total, totals.lines), (80.0, 5));
        assert_eq!(line_description(Language::En, &lines[4]), "Adjustment to 2026-10: Sai số tiền");
        assert_eq!(line_description(Language::En, &lines[1]), "Override, level 2");
        assert_eq!(line_description(Language::Vi, &lines[1]), "Hoa hồng tuyến trên, cấp 2");
    }
}
