//! The collaborator (CTV) network of seed 000: collaborators bring in customers, each
//! was introduced by another, and commissions flow up 4 levels of the referral chain.
//! Shared by the server and the pages. Dates travel as `YYYY-MM-DD`, periods as `YYYY-MM`.

use serde::{Deserialize, Serialize};

/// How far above the closer commissions reach (levels 1 to 4); the closer is level 0.
pub const UPLINE_LEVELS: i32 = 4;

/// Where a customer stands, spelled as seed 000 stores it in `khach_hang.trang_thai`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CustomerStatus {
    /// Order entered, nobody called yet.
    #[serde(rename = "Moi")]
    New,
    #[serde(rename = "Da lien he")]
    Contacted,
    /// An appointment is booked.
    #[serde(rename = "Da hen")]
    Booked,
    /// Paid a deposit.
    #[serde(rename = "Da coc")]
    Deposited,
    /// Came and had the service: the only status that earns commission.
    #[serde(rename = "Da den lam")]
    Served,
    #[serde(rename = "Khong den")]
    NoShow,
    #[serde(rename = "Huy")]
    Cancelled,
}

impl CustomerStatus {
    pub const ALL: [Self; 7] =
        [Self::New, Self::Contacted, Self::Booked, Self::Deposited, Self::Served, Self::NoShow, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "Moi",
            Self::Contacted => "Da lien he",
            Self::Booked => "Da hen",
            Self::Deposited => "Da coc",
            Self::Served => "Da den lam",
            Self::NoShow => "Khong den",
            Self::Cancelled => "Huy",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether a customer in this status earns commission.
    pub fn earns_commission(self) -> bool {
        self == Self::Served
    }
}

impl std::fmt::Display for CustomerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// Collaborators a search returns at most.
pub const COLLABORATOR_SEARCH_LIMIT: i64 = 50;

/// A collaborator as lists and the tree show them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Collaborator {
    pub ma_ctv: String,
    /// The introducer's code; `None` at the top of a tree.
    pub introducer: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    pub rank: String,
    pub joined_on: String,
    /// `active` or `inactive`.
    pub status: String,
}

/// One step up the referral chain: level 1 introduced the collaborator, level 2 them, …
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UplineMember {
    pub level: i32,
    pub collaborator: Collaborator,
}

/// One collaborator in a downline, `level` steps below the one asked about (0: itself).
/// Team figures count the member and those below it, down to the tree's 4th level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DownlineMember {
    pub level: i32,
    pub collaborator: Collaborator,
    /// Collaborators directly introduced, within the tree.
    pub children: i64,
    /// The member itself and everyone below it in the tree.
    pub team_size: i64,
    /// The amounts of customers the member closed who were served ('Da den lam'), in đồng.
    pub own_revenue: f64,
    /// `own_revenue` summed over the team.
    pub team_revenue: f64,
}

/// A collaborator's 4-level downline, depth first (each member before its children),
/// with the tree's totals on the first (level 0) member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Downline {
    pub members: Vec<DownlineMember>,
}

/// A customer as the lookup and the filters show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub ordered_on: String,
    pub appointment_on: Option<String>,
    pub status: CustomerStatus,
    /// The closer's code.
    pub closer: Option<String>,
    pub service: Option<String>,
    /// In đồng.
    pub amount: f64,
}

/// Which customers a list shows: every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerFilter {
    pub statuses: Vec<CustomerStatus>,
    /// Order entry dates, both ends included, `YYYY-MM-DD`.
    pub ordered_from: Option<String>,
    pub ordered_until: Option<String>,
    pub closer: Option<String>,
    /// Keyset pagination: customers with a smaller id than this (newest first).
    pub before_id: Option<i64>,
}

/// Customers a page of the list shows.
pub const CUSTOMER_PAGE_ROWS: usize = 200;

/// The customers page's URL parameters, as typed; [`CustomerParams::filter`] checks them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerParams {
    /// A phone number to look up.
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub status: String,
    /// Order entry dates, `YYYY-MM-DD`, both ends included.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    /// A closer's code.
    #[serde(default)]
    pub closer: String,
    /// The list continues below this customer id.
    #[serde(default)]
    pub before: String,
}

impl CustomerParams {
    /// The list's filter, checked; the first bad parameter named.
    pub fn filter(&self) -> Result<CustomerFilter, (&'static str, String)> {
        let date = |field: &'static str, text: &str| match text.trim() {
            "" => Ok(None),
            text if is_date(text) => Ok(Some(text.to_owned())),
            text => Err((field, format!("{text:?} is not a date (YYYY-MM-DD)"))),
        };
        let statuses = match self.status.trim() {
            "" => Vec::new(),
            text => vec![CustomerStatus::parse(text).ok_or_else(|| {
                let known: Vec<&str> = CustomerStatus::ALL.iter().map(|s| s.as_str()).collect();
                ("status", format!("{text:?}: expected one of {}", known.join(", ")))
            })?],
        };
        let (ordered_from, ordered_until) = (date("from", &self.from)?, date("until", &self.until)?);
        if let (Some(from), Some(until)) = (&ordered_from, &ordered_until) {
            if from > until {
                return Err(("until", format!("{until} is before {from}")));
            }
        }
        let before_id = match self.before.trim() {
            "" => None,
            text => Some(text.parse::<i64>().map_err(|_| ("before", format!("{text:?} is not a customer id")))?),
        };
        let closer = Some(self.closer.trim().to_owned()).filter(|code| !code.is_empty());
        Ok(CustomerFilter { statuses, ordered_from, ordered_until, closer, before_id })
    }

    pub fn query_string(&self) -> String {
        crate::domain::query_string(&[
            ("phone", &self.phone),
            ("status", &self.status),
            ("from", &self.from),
            ("until", &self.until),
            ("closer", &self.closer),
            ("before", &self.before),
        ])
    }
}

/// A phone number looked up: every customer with it, and those that make it a duplicate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhoneCheck {
    pub phone: String,
    pub customers: Vec<Customer>,
    pub duplicates: Vec<DuplicateMatch>,
}

/// What the customers page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerListing {
    pub phone: Option<PhoneCheck>,
    pub customers: Vec<Customer>,
    /// The id the next page continues below; `None` on the last page.
    pub next_before: Option<i64>,
}

/// A customer to enter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewCustomer {
    pub name: String,
    pub phone: String,
    /// `YYYY-MM-DD`; today when empty.
    pub ordered_on: Option<String>,
    pub appointment_on: Option<String>,
    pub status: CustomerStatus,
    pub closer: Option<String>,
    pub service: Option<String>,
    pub amount: f64,
}

impl NewCustomer {
    /// Every field within its range; the first one that is not, named.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.name.trim().is_empty() {
            return Err(("name", "enter the customer's name".into()));
        }
        let phone = self.phone.trim();
        if !(9..=11).contains(&phone.len()) || !phone.bytes().all(|b| b.is_ascii_digit()) {
            return Err(("phone", format!("{phone:?} is not a phone number (9 to 11 digits)")));
        }
        if !self.amount.is_finite() || self.amount < 0.0 || self.amount >= 1e12 {
            return Err(("amount", format!("{} is not an amount in đồng (0 or more)", self.amount)));
        }
        for (field, date) in [("ordered_on", &self.ordered_on), ("appointment_on", &self.appointment_on)] {
            if let Some(date) = date {
                if !is_date(date) {
                    return Err((field, format!("{date:?} is not a date (YYYY-MM-DD)")));
                }
            }
        }
        if let Some(closer) = &self.closer {
            if closer.trim().is_empty() || closer.len() > 50 {
                return Err(("closer", format!("{closer:?} is not a collaborator code")));
            }
        }
        Ok(())
    }
}

/// Whether `text` is a calendar date written `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    let Some(_) = period_of(text) else { return false };
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1900 && (1..=days_in_month).contains(&day)
}

/// Whether `text` is a calendar month written `YYYY-MM`.
pub fn is_month(text: &str) -> bool {
    is_date(&format!("{text}-01"))
}

/// Why seed 000's rule holds a phone number as taken.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The customer was served or paid a deposit ('Da den lam', 'Da coc').
    Status { status: CustomerStatus },
    /// An appointment from today to within the next 180 days.
    UpcomingAppointment { on: String, days_ahead: i32 },
    /// An order entered within the last 60 days.
    RecentOrder { on: String, days_ago: i32 },
}

impl std::fmt::Display for DuplicateReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Status { status } => write!(f, "status is '{status}'"),
            Self::UpcomingAppointment { on, days_ahead } => write!(f, "appointment on {on}, in {days_ahead} days"),
            Self::RecentOrder { on, days_ago } => write!(f, "order entered on {on}, {days_ago} days ago"),
        }
    }
}

/// An existing customer with the same phone number, and every reason it blocks a new entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicateMatch {
    pub customer: Customer,
    pub reasons: Vec<DuplicateReason>,
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
        match column {
            ReportColumn::Direct => self.direct,
            ReportColumn::Level(level) => self.overrides[usize::from(level - 1)],
            ReportColumn::Adjustments => self.adjustments,
            ReportColumn::Total => self.total,
            ReportColumn::Lines => self.lines as f64,
            ReportColumn::Code | ReportColumn::Name => 0.0,
        }
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
    pub fn query(&self) -> Result<ReportQuery, (&'static str, String)> {
        let period = self.period.trim();
        let period = match period {
            "" => None,
            text if is_month(text) => Some(text.to_owned()),
            text => return Err(("period", format!("{text:?} is not a month (YYYY-MM)"))),
        };
        let sort = match self.sort.trim() {
            "" => ReportColumn::Total,
            text => ReportColumn::parse(text).ok_or_else(|| {
                let known: Vec<&str> = ReportColumn::ALL.iter().map(|c| c.as_str()).collect();
                ("sort", format!("{text:?}: expected one of {}", known.join(", ")))
            })?,
        };
        let descending = match self.order.trim() {
            "" => sort.descending_by_default(),
            "desc" => true,
            "asc" => false,
            other => return Err(("order", format!("{other:?}: expected asc or desc"))),
        };
        let page = match self.page.trim() {
            "" => 1,
            text => match text.parse::<usize>() {
                Ok(page) if page >= 1 => page,
                _ => return Err(("page", format!("{text:?} is not a page number (1 or more)"))),
            },
        };
        Ok(ReportQuery { period, text: self.q.trim().to_owned(), sort, descending, page })
    }

    /// `name=value&…` of the parameters that have a value.
    pub fn query_string(&self) -> String {
        crate::domain::query_string(&[
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
        .filter(|row| text.is_empty() || row.ma_ctv.to_lowercase().contains(&text) || row.name.to_lowercase().contains(&text))
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

/// A collaborator with its place in the network: who is above it and its 4-level team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub collaborator: Collaborator,
    /// Level 1 (its introducer) first.
    pub upline: Vec<UplineMember>,
    pub downline: Downline,
}

/// The outcome of entering a customer, as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CustomerEntryResult {
    Created(Customer),
    /// Seed 000's rule holds the phone as taken, by these customers, for these reasons.
    Duplicate(Vec<DuplicateMatch>),
}

/// One ledger line of a collaborator's statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatementLine {
    pub id: i64,
    pub customer_id: i64,
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
}

/// `YYYY-MM` of a `YYYY-MM-DD` date, or `None` if it is not one.
pub fn period_of(date: &str) -> Option<&str> {
    let bytes = date.as_bytes();
    let is_date = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    is_date.then(|| &date[..7])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_keep_the_seed_spelling() {
        for status in CustomerStatus::ALL {
            assert_eq!(CustomerStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), serde_json::json!(status.as_str()));
        }
        assert_eq!(CustomerStatus::Served.as_str(), "Da den lam");
        assert_eq!(CustomerStatus::Deposited.as_str(), "Da coc");
        assert!(CustomerStatus::Served.earns_commission() && !CustomerStatus::Deposited.earns_commission());
        assert_eq!(CustomerStatus::parse("da den lam"), None);
    }

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

    #[test]
    fn new_customers_are_checked_and_named() {
        let good = NewCustomer {
            name: "Nguyễn Thị Lan".into(),
            phone: "0912345678".into(),
            ordered_on: Some("2026-11-29".into()),
            appointment_on: None,
            status: CustomerStatus::New,
            closer: Some("CTV001".into()),
            service: None,
            amount: 1_500_000.0,
        };
        assert_eq!(good.validate(), Ok(()));
        assert_eq!(NewCustomer { phone: "09-123".into(), ..good.clone() }.validate().unwrap_err().0, "phone");
        assert_eq!(NewCustomer { amount: -1.0, ..good.clone() }.validate().unwrap_err().0, "amount");
        assert_eq!(NewCustomer { appointment_on: Some("2026-02-30".into()), ..good }.validate().unwrap_err().0, "appointment_on");
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
        let query = ReportParams { period: "2026-10".into(), sort: "name".into(), page: "3".into(), ..Default::default() }
            .query()
            .unwrap();
        assert_eq!((query.period.as_deref(), query.sort, query.descending, query.page), (Some("2026-10"), ReportColumn::Name, false, 3));
        for (params, field) in [
            (ReportParams { period: "2026-13".into(), ..Default::default() }, "period"),
            (ReportParams { sort: "colour".into(), ..Default::default() }, "sort"),
            (ReportParams { order: "up".into(), ..Default::default() }, "order"),
            (ReportParams { page: "0".into(), ..Default::default() }, "page"),
        ] {
            assert_eq!(params.query().unwrap_err().0, field);
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
            let query = ReportParams { sort: sort.into(), order: order.into(), q: q.into(), ..Default::default() }.query().unwrap();
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
        assert_eq!(ReportColumn::Level(2).cell(&rows[0]), "2.00");
        assert_eq!(ReportColumn::Name.cell(&rows[0]), "Trần Văn Bình");
    }

    #[test]
    fn duplicate_reasons_say_why() {
        let reason = DuplicateReason::UpcomingAppointment { on: "2027-01-10".into(), days_ahead: 42 };
        assert_eq!(reason.to_string(), "appointment on 2027-01-10, in 42 days");
        let json = serde_json::to_value(DuplicateReason::Status { status: CustomerStatus::Deposited }).unwrap();
        assert_eq!(json, serde_json::json!({ "reason": "status", "status": "Da coc" }));
    }
}
