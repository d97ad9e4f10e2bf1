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

    #[test]
    fn duplicate_reasons_say_why() {
        let reason = DuplicateReason::UpcomingAppointment { on: "2027-01-10".into(), days_ahead: 42 };
        assert_eq!(reason.to_string(), "appointment on 2027-01-10, in 42 days");
        let json = serde_json::to_value(DuplicateReason::Status { status: CustomerStatus::Deposited }).unwrap();
        assert_eq!(json, serde_json::json!({ "reason": "status", "status": "Da coc" }));
    }
}
