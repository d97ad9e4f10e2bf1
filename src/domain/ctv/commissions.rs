//! Commissions: ledger lines, rates, the monthly report and its parameters.

use crate::domain::ctv::network::Collaborator;
use crate::domain::dates::is_month;
use crate::domain::field_error::{FieldError, Problem};
use crate::domain::query::query_string;
use serde::{Deserialize, Serialize};

/// What a commission ledger line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommissionKind {
    /// Paid for a customer served in the line's own (open) period.
    Earning,
    /// Takes back what was paid when the customer no longer earns (status changed back, cancelled).
    Reversal,
    /// A change to what was paid (rate, amount, chain), or anything for a closed period,
    /// which lands in the open period instead.
    Adjustment,
}

impl CommissionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Earning => "earning",
            Self::Reversal => "reversal",
            Self::Adjustment => "adjustment",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Earning, Self::Reversal, Self::Adjustment].into_iter().find(|kind| kind.as_str() == text)
    }
}

/// The rate of one level from a date on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommissionRate {
    pub level: i32,
    /// Percent of the customer's amount.
    pub rate: f64,
    pub effective_from: String,
}

/// What one recalculation added to the ledger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecalculationSummary {
    pub earnings: i64,
    pub reversals: i64,
    pub adjustments: i64,
    /// The sum of the lines added, in đồng.
    pub net_amount: f64,
}

impl RecalculationSummary {
    pub fn lines(&self) -> i64 {
        self.earnings + self.reversals + self.adjustments
    }
}

/// One collaborator's commissions in a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommissionReportRow {
    pub ma_ctv: String,
    pub name: String,
    /// Level 0 earnings: customers the collaborator closed.
    pub direct: f64,
    /// Earnings from the downline, levels 1 to 4 (`overrides[0]` is level 1).
    pub overrides: [f64; 4],
    /// Reversals and adjustments.
    pub adjustments: f64,
    pub total: f64,
    pub lines: i64,
}

impl CommissionReportRow {
    /// The figure a report column shows, as a number to sort by.
    fn figure(&self, column: ReportColumn) -> f64 {
        figure_of(column, self.direct, self.overrides, self.adjustments, self.total, self.lines)
    }
}

/// A figure column's value among a row's or the totals' figures; 0 for the code and the name.
fn figure_of(column: ReportColumn, direct: f64, overrides: [f64; 4], adjustments: f64, total: f64, lines: i64) -> f64 {
    match column {
        ReportColumn::Direct => direct,
        ReportColumn::Level(level) => overrides[usize::from(level - 1)],
        ReportColumn::Adjustments => adjustments,
        ReportColumn::Total => total,
        ReportColumn::Lines => lines as f64,
        ReportColumn::Code | ReportColumn::Name => 0.0,
    }
}

/// A column of the commission report, which it can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportColumn {
    Code,
    Name,
    Direct,
    /// Overrides from the downline's level 1 to 4.
    Level(u8),
    Adjustments,
    Total,
    Lines,
}

impl ReportColumn {
    pub const ALL: [Self; 10] = [
        Self::Code,
        Self::Name,
        Self::Direct,
        Self::Level(1),
        Self::Level(2),
        Self::Level(3),
        Self::Level(4),
        Self::Adjustments,
        Self::Total,
        Self::Lines,
    ];

    /// Its name in URLs and export headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "ma_ctv",
            Self::Name => "name",
            Self::Direct => "direct",
            Self::Level(1) => "level_1",
            Self::Level(2) => "level_2",
            Self::Level(3) => "level_3",
            Self::Level(_) => "level_4",
            Self::Adjustments => "adjustments",
            Self::Total => "total",
            Self::Lines => "lines",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Code => "Code",
            Self::Name => "Name",
            Self::Direct => "Direct",
            Self::Level(1) => "Level 1",
            Self::Level(2) => "Level 2",
            Self::Level(3) => "Level 3",
            Self::Level(_) => "Level 4",
            Self::Adjustments => "Adjustments",
            Self::Total => "Total",
            Self::Lines => "Lines",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|column| column.as_str() == text)
    }

    /// Figures read largest first; codes and names A to Z.
    pub fn descending_by_default(self) -> bool {
        !matches!(self, Self::Code | Self::Name)
    }

    pub fn is_figure(self) -> bool {
        !matches!(self, Self::Code | Self::Name)
    }

    /// The cell of `row` in this column, as an export writes it.
    pub fn cell(self, row: &CommissionReportRow) -> String {
        match self {
            Self::Code => row.ma_ctv.clone(),
            Self::Name => row.name.clone(),
            Self::Lines => row.lines.to_string(),
            figure => format!("{:.2}", row.figure(figure)),
        }
    }
}

/// The commission report's URL parameters, as typed; [`ReportParams::query`] checks them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportParams {
    /// `YYYY-MM`; the latest month with commissions when empty.
    #[serde(default)]
    pub period: String,
    /// Part of a collaborator's code or name.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    /// `asc` or `desc`; the column's usual order when empty.
    #[serde(default)]
    pub order: String,
    /// 1-based.
    #[serde(default)]
    pub page: String,
    /// The collaborator whose statement is open.
    #[serde(default)]
    pub ctv: String,
}

/// What the report shows, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportQuery {
    pub period: Option<String>,
    pub text: String,
    pub sort: ReportColumn,
    pub descending: bool,
    pub page: usize,
}

/// Rows per page of the commission report.
pub const REPORT_PAGE_ROWS: usize = 100;

impl ReportParams {
    /// The parameters checked; the first bad one named.
    pub fn query(&self) -> Result<ReportQuery, FieldError> {
        let period = self.period.trim();
        let period = match period {
            "" => None,
            text if is_month(text) => Some(text.to_owned()),
            text => return Err(FieldError::new("period", Problem::NotAMonth { text: text.to_owned() })),
        };
        let sort = match self.sort.trim() {
            "" => ReportColumn::Total,
            text => ReportColumn::parse(text).ok_or_else(|| {
                FieldError::new("sort", Problem::not_one_of(text, ReportColumn::ALL.iter().map(|c| c.as_str())))
            })?,
        };
        let descending = match self.order.trim() {
            "" => sort.descending_by_default(),
            "desc" => true,
            "asc" => false,
            other => return Err(FieldError::new("order", Problem::not_one_of(other, ["asc", "desc"]))),
        };
        let page = match self.page.trim() {
            "" => 1,
            text => match text.parse::<usize>() {
                Ok(page) if page >= 1 => page,
                _ => return Err(FieldError::new("page", Problem::NotAPage { text: text.to_owned(), max: None })),
            },
        };
        Ok(ReportQuery { period, text: self.q.trim().to_owned(), sort, descending, page })
    }

    /// `name=value&…` of the parameters that have a value.
    pub fn query_string(&self) -> String {
        query_string(&[
            ("period", &self.period),
            ("q", &self.q),
            ("sort", &self.sort),
            ("order", &self.order),
            ("page", &self.page),
            ("ctv", &self.ctv),
        ])
    }
}

/// The rows whose code or name holds `query.text` (any case), in the query's order
/// (ties by code).
pub fn select_report_rows(rows: Vec<CommissionReportRow>, query: &ReportQuery) -> Vec<CommissionReportRow> {
    let text = query.text.to_lowercase();
    let mut rows: Vec<CommissionReportRow> = rows
        .into_iter()
        .filter(|row| {
            text.is_empty() || row.ma_ctv.to_lowercase().contains(&text) || row.name.to_lowercase().contains(&text)
        })
        .collect();
    rows.sort_by(|a, b| {
        let order = match query.sort {
            ReportColumn::Code => a.ma_ctv.cmp(&b.ma_ctv),
            ReportColumn::Name => a.name.cmp(&b.name),
            figure => a.figure(figure).total_cmp(&b.figure(figure)),
        };
        let order = if query.descending { order.reverse() } else { order };
        order.then_with(|| a.ma_ctv.cmp(&b.ma_ctv))
    });
    rows
}

/// The sums of a report's columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportTotals {
    pub collaborators: usize,
    pub direct: f64,
    pub overrides: [f64; 4],
    pub adjustments: f64,
    pub total: f64,
    pub lines: i64,
}

impl ReportTotals {
    pub fn of(rows: &[CommissionReportRow]) -> Self {
        let mut totals = Self { collaborators: rows.len(), ..Self::default() };
        for row in rows {
            totals.direct += row.direct;
            for (sum, amount) in totals.overrides.iter_mut().zip(row.overrides) {
                *sum += amount;
            }
            totals.adjustments += row.adjustments;
            totals.total += row.total;
            totals.lines += row.lines;
        }
        totals
    }

    /// The total of a figure column (the line count for `Lines`).
    pub fn figure(&self, column: ReportColumn) -> f64 {
        figure_of(column, self.direct, self.overrides, self.adjustments, self.total, self.lines)
    }
}

/// A month with commissions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommissionPeriod {
    /// `YYYY-MM`.
    pub period: String,
    pub closed: bool,
}

/// One page of the commission report of a month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommissionReport {
    /// `None` when no month has commissions yet.
    pub period: Option<CommissionPeriod>,
    /// Every month with commissions, newest first.
    pub periods: Vec<CommissionPeriod>,
    pub rows: Vec<CommissionReportRow>,
    /// Over every row the filter keeps, not only this page's.
    pub totals: ReportTotals,
    pub page: usize,
    pub pages: usize,
}

/// A collaborator's statement for a month: its ledger lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommissionStatement {
    pub collaborator: Collaborator,
    pub period: String,
    pub lines: Vec<StatementLine>,
}

/// One ledger line of a collaborator's statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatementLine {
    pub id: i64,
    /// `None` for a manager's prior-period adjustment, which belongs to no customer.
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub customer_phone: String,
    /// The day of service the line was computed for.
    pub served_on: Option<String>,
    pub level: i32,
    pub base_amount: f64,
    /// Percent.
    pub rate: f64,
    pub amount: f64,
    pub kind: CommissionKind,
    /// RFC 3339.
    pub created_at: String,
    /// A prior-period adjustment: the closed month (`YYYY-MM`) it corrects, why, and who entered it.
    pub adjusts_period: Option<String>,
    pub reason: Option<String>,
    pub entered_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dates::{is_date, period_of};

    #[test]
    fn kinds_and_periods_read_back() {
        for kind in [CommissionKind::Earning, CommissionKind::Reversal, CommissionKind::Adjustment] {
            assert_eq!(CommissionKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(period_of("2026-11-29"), Some("2026-11"));
        assert_eq!(period_of("2026-1-29"), None);
        assert!(is_date("2028-02-29") && !is_date("2027-02-29") && !is_date("2026-13-01"));
        assert!(is_month("2026-11") && !is_month("2026-13") && !is_month("2026-1"));
    }

    fn report_row(ma_ctv: &str, name: &str, direct: f64, total: f64) -> CommissionReportRow {
        CommissionReportRow {
            ma_ctv: ma_ctv.into(),
            name: name.into(),
            direct,
            overrides: [1.0, 2.0, 0.0, 0.5],
            adjustments: total - direct - 3.5,
            total,
            lines: 3,
        }
    }

    #[test]
    fn report_parameters_are_checked_and_named() {
        let query = ReportParams::default().query().unwrap();
        assert_eq!((query.period, query.sort, query.descending, query.page), (None, ReportColumn::Total, true, 1));
        let query =
            ReportParams { period: "2026-10".into(), sort: "name".into(), page: "3".into(), ..Default::default() }
                .query()
                .unwrap();
        assert_eq!(
            (query.period.as_deref(), query.sort, query.descending, query.page),
            (Some("2026-10"), ReportColumn::Name, false, 3)
        );
        for (params, field) in [
            (ReportParams { period: "2026-13".into(), ..Default::default() }, "period"),
            (ReportParams { sort: "colour".into(), ..Default::default() }, "sort"),
            (ReportParams { order: "up".into(), ..Default::default() }, "order"),
            (ReportParams { page: "0".into(), ..Default::default() }, "page"),
        ] {
            assert_eq!(params.query().unwrap_err().field, field);
        }
        for column in ReportColumn::ALL {
            assert_eq!(ReportColumn::parse(column.as_str()), Some(column));
        }
    }

    #[test]
    fn report_rows_are_filtered_sorted_and_summed() {
        let rows = vec![
            report_row("CTV002", "Trần Văn Bình", 100.0, 150.0),
            report_row("CTV001", "Nguyễn Thị Lan", 300.0, 320.0),
            report_row("CTV003", "Lê Lan Anh", 50.0, 150.0),
        ];
        let by = |sort: &str, order: &str, q: &str| {
            let query = ReportParams { sort: sort.into(), order: order.into(), q: q.into(), ..Default::default() }
                .query()
                .unwrap();
            select_report_rows(rows.clone(), &query).into_iter().map(|row| row.ma_ctv).collect::<Vec<_>>()
        };
        // Ties (150) by code.
        assert_eq!(by("", "", ""), ["CTV001", "CTV002", "CTV003"]);
        assert_eq!(by("total", "asc", ""), ["CTV002", "CTV003", "CTV001"]);
        assert_eq!(by("direct", "asc", ""), ["CTV003", "CTV002", "CTV001"]);
        assert_eq!(by("name", "", ""), ["CTV003", "CTV001", "CTV002"]);
        assert_eq!(by("", "", "lan"), ["CTV001", "CTV003"]);
        assert_eq!(by("", "", "ctv002"), ["CTV002"]);
        let totals = ReportTotals::of(&rows);
        assert_eq!((totals.collaborators, totals.direct, totals.total, totals.lines), (3, 450.0, 620.0, 9));
        assert_eq!(totals.overrides, [3.0, 6.0, 0.0, 1.5]);
        assert_eq!(
            ReportColumn::ALL.map(|column| totals.figure(column)),
            [0.0, 0.0, 450.0, 3.0, 6.0, 0.0, 1.5, 159.5, 620.0, 9.0]
        );
        assert_eq!(ReportColumn::Level(2).cell(&rows[0]), "2.00");
        assert_eq!(ReportColumn::Name.cell(&rows[0]), "Trần Văn Bình");
    }
}
