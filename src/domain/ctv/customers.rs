//! Customers the collaborators bring in: their status, the filters of the list, the
//! entry form and seed 000's duplicate rule.

use crate::domain::dates::is_date;
use crate::domain::field_error::FieldError;
use crate::domain::query::query_string;
use serde::{Deserialize, Serialize};

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
    pub fn filter(&self) -> Result<CustomerFilter, FieldError> {
        let date = |field: &'static str, text: &str| match text.trim() {
            "" => Ok(None),
            text if is_date(text) => Ok(Some(text.to_owned())),
            text => Err(FieldError::new(field, format!("{text:?} is not a date (YYYY-MM-DD)"))),
        };
        let statuses = match self.status.trim() {
            "" => Vec::new(),
            text => vec![CustomerStatus::parse(text).ok_or_else(|| {
                let known: Vec<&str> = CustomerStatus::ALL.iter().map(|s| s.as_str()).collect();
                FieldError::new("status", format!("{text:?}: expected one of {}", known.join(", ")))
            })?],
        };
        let (ordered_from, ordered_until) = (date("from", &self.from)?, date("until", &self.until)?);
        if let (Some(from), Some(until)) = (&ordered_from, &ordered_until) {
            if from > until {
                return Err(FieldError::new("until", format!("{until} is before {from}")));
            }
        }
        let before_id = match self.before.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>().map_err(|_| FieldError::new("before", format!("{text:?} is not a customer id")))?,
            ),
        };
        let closer = Some(self.closer.trim().to_owned()).filter(|code| !code.is_empty());
        Ok(CustomerFilter { statuses, ordered_from, ordered_until, closer, before_id })
    }

    pub fn query_string(&self) -> String {
        query_string(&[
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
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.name.trim().is_empty() {
            return Err(FieldError::new("name", "enter the customer's name"));
        }
        let phone = self.phone.trim();
        if !(9..=11).contains(&phone.len()) || !phone.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new("phone", format!("{phone:?} is not a phone number (9 to 11 digits)")));
        }
        if !self.amount.is_finite() || self.amount < 0.0 || self.amount >= 1e12 {
            return Err(FieldError::new("amount", format!("{} is not an amount in đồng (0 or more)", self.amount)));
        }
        for (field, date) in [("ordered_on", &self.ordered_on), ("appointment_on", &self.appointment_on)] {
            if let Some(date) = date {
                if !is_date(date) {
                    return Err(FieldError::new(field, format!("{date:?} is not a date (YYYY-MM-DD)")));
                }
            }
        }
        if let Some(closer) = &self.closer {
            if closer.trim().is_empty() || closer.len() > 50 {
                return Err(FieldError::new("closer", format!("{closer:?} is not a collaborator code")));
            }
        }
        Ok(())
    }
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

/// The outcome of entering a customer, as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CustomerEntryResult {
    Created(Customer),
    /// Seed 000's rule holds the phone as taken, by these customers, for these reasons.
    Duplicate(Vec<DuplicateMatch>),
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
        assert_eq!(NewCustomer { phone: "09-123".into(), ..good.clone() }.validate().unwrap_err().field, "phone");
        assert_eq!(NewCustomer { amount: -1.0, ..good.clone() }.validate().unwrap_err().field, "amount");
        assert_eq!(
            NewCustomer { appointment_on: Some("2026-02-30".into()), ..good }.validate().unwrap_err().field,
            "appointment_on"
        );
    }

    #[test]
    fn duplicate_reasons_say_why() {
        let reason = DuplicateReason::UpcomingAppointment { on: "2027-01-10".into(), days_ahead: 42 };
        assert_eq!(reason.to_string(), "appointment on 2027-01-10, in 42 days");
        let json = serde_json::to_value(DuplicateReason::Status { status: CustomerStatus::Deposited }).unwrap();
        assert_eq!(json, serde_json::json!({ "reason": "status", "status": "Da coc" }));
    }
}
