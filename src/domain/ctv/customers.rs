//! Customers the collaborators bring in: their status, the filters of the list, the
//! entry form and seed 000's duplicate rule.

use crate::domain::dates::is_date;
use crate::domain::field_error::{FieldError, Problem};
use crate::domain::language::Language;
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

    /// The status as the UI shows it: Vietnamese with its diacritics (the stored
    /// words have none), or English. What is stored, sent and exported stays
    /// [`as_str`](Self::as_str).
    pub fn label(self, language: Language) -> &'static str {
        match (language, self) {
            (Language::Vi, Self::New) => "Mới",
            (Language::Vi, Self::Contacted) => "Đã liên hệ",
            (Language::Vi, Self::Booked) => "Đã hẹn",
            (Language::Vi, Self::Deposited) => "Đã cọc",
            (Language::Vi, Self::Served) => "Đã đến làm",
            (Language::Vi, Self::NoShow) => "Không đến",
            (Language::Vi, Self::Cancelled) => "Hủy",
            (Language::En, Self::New) => "New",
            (Language::En, Self::Contacted) => "Contacted",
            (Language::En, Self::Booked) => "Booked",
            (Language::En, Self::Deposited) => "Deposit paid",
            (Language::En, Self::Served) => "Served",
            (Language::En, Self::NoShow) => "No-show",
            (Language::En, Self::Cancelled) => "Cancelled",
        }
    }

    /// Whether a customer in this status earns commission.
    pub fn earns_commission(self) -> bool {
        self == Self::Served
    }

    /// The statuses a customer in this one may be moved to ([`STATUS_TRANSITIONS`]).
    pub fn next_statuses(self) -> &'static [CustomerStatus] {
        STATUS_TRANSITIONS.iter().find(|(from, _)| *from == self).map_or(&[], |(_, to)| to)
    }
}

/// The life of an order, as seed 000's statuses tell it: contacted, booked, a deposit,
/// served or not shown, and cancellation from anywhere before the end. A served customer
/// can still be cancelled (a refund): its commissions are then reversed. A cancelled
/// order stays cancelled; the customer comes back as a new order (the duplicate rule
/// lets a cancelled one through). A no-show may book again.
pub const STATUS_TRANSITIONS: [(CustomerStatus, &[CustomerStatus]); 7] = {
    use CustomerStatus::*;
    [
        (New, &[Contacted, Booked, Deposited, Served, Cancelled]),
        (Contacted, &[Booked, Deposited, Served, Cancelled]),
        (Booked, &[Deposited, Served, NoShow, Cancelled]),
        (Deposited, &[Served, NoShow, Cancelled]),
        (Served, &[Cancelled]),
        (NoShow, &[Booked, Cancelled]),
        (Cancelled, &[]),
    ]
};

/// A status change the transition table allows; only [`StatusChange::check`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    from: CustomerStatus,
    to: CustomerStatus,
}

impl StatusChange {
    /// `from` → `to` if the table allows it; otherwise a refusal naming `status` that
    /// says where the customer may go.
    pub fn check(from: CustomerStatus, to: CustomerStatus) -> Result<Self, FieldError> {
        if from.next_statuses().contains(&to) {
            return Ok(Self { from, to });
        }
        let allowed = from.next_statuses().iter().map(|s| s.as_str().to_owned()).collect();
        Err(FieldError::new("status", Problem::StatusChange { from: from.to_string(), to: to.to_string(), allowed }))
    }

    /// The status the customer leaves.
    pub fn leaving(self) -> CustomerStatus {
        self.from
    }

    /// The status the customer enters.
    pub fn entering(self) -> CustomerStatus {
        self.to
    }
}

/// A status change made, and what it did to the commission ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChanged {
    pub customer: Customer,
    pub from: CustomerStatus,
    /// The ledger lines the change wrote, summed per month and kind.
    pub commission_moves: Vec<CommissionMove>,
}

impl StatusChanged {
    /// The sum of the lines written, in đồng (negative when commission was taken back).
    pub fn net_amount(&self) -> f64 {
        self.commission_moves.iter().map(|m| m.amount).sum()
    }
}

/// Lines of one kind written into one month by a status change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommissionMove {
    /// `YYYY-MM`: the month of service, or the open month when that one is closed.
    pub period: String,
    pub kind: crate::domain::ctv::commissions::CommissionKind,
    pub lines: i64,
    /// In đồng.
    pub amount: f64,
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
    /// Any of these statuses; all when empty.
    pub statuses: Vec<CustomerStatus>,
    /// Order entry dates, both ends included, `YYYY-MM-DD`.
    pub ordered_from: Option<String>,
    pub ordered_until: Option<String>,
    /// Appointment dates (`ngay_hen_lam`), both ends included, `YYYY-MM-DD`; a customer
    /// without an appointment is outside any range.
    pub appointment_from: Option<String>,
    pub appointment_until: Option<String>,
    pub closer: Option<String>,
    /// Words that each start a word of the name, accents and case aside.
    pub name_words: Vec<String>,
    pub sort: CustomerSort,
    /// 1 is the first page.
    pub page: u32,
}

/// Customers a page of the list shows.
pub const CUSTOMER_PAGE_ROWS: usize = 200;

/// How far a list may be paged; narrower filters reach the rest.
pub const MAX_CUSTOMER_PAGE: u32 = 500;

/// The columns the customer list can be ordered by; ties by id, in the same direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CustomerSortColumn {
    /// Entered last first: the id.
    #[default]
    Entered,
    Name,
    Ordered,
    Appointment,
    Status,
    Amount,
}

impl CustomerSortColumn {
    pub const ALL: [Self; 6] =
        [Self::Entered, Self::Name, Self::Ordered, Self::Appointment, Self::Status, Self::Amount];

    /// The name in `sort=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Entered => "id",
            Self::Name => "name",
            Self::Ordered => "ordered",
            Self::Appointment => "appointment",
            Self::Status => "status",
            Self::Amount => "amount",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|column| column.as_str() == text)
    }

    /// Dates, amounts and the newest read best latest or largest first; names A to Z.
    pub fn descending_by_default(self) -> bool {
        !matches!(self, Self::Name | Self::Status)
    }
}

/// A list's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSort {
    pub column: CustomerSortColumn,
    pub descending: bool,
}

impl Default for CustomerSort {
    fn default() -> Self {
        Self { column: CustomerSortColumn::Entered, descending: true }
    }
}

/// The customers page's URL parameters, as typed; [`CustomerParams::filter`] checks them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerParams {
    /// A phone number to look up.
    #[serde(default)]
    pub phone: String,
    /// A name, or part of one.
    #[serde(default)]
    pub q: String,
    /// Statuses, comma-separated (a form's repeated `status=` are joined so).
    #[serde(default)]
    pub status: String,
    /// Order entry dates, `YYYY-MM-DD`, both ends included.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    /// Appointment dates, `YYYY-MM-DD`, both ends included.
    #[serde(default)]
    pub appointment_from: String,
    #[serde(default)]
    pub appointment_until: String,
    /// A closer's code.
    #[serde(default)]
    pub closer: String,
    #[serde(default)]
    pub sort: String,
    /// `asc` or `desc`; the column's natural order when empty.
    #[serde(default)]
    pub order: String,
    /// 1 when empty.
    #[serde(default)]
    pub page: String,
}

impl CustomerParams {
    /// The list's filter, checked; the first bad parameter named.
    pub fn filter(&self) -> Result<CustomerFilter, FieldError> {
        let date = |field: &'static str, text: &str| match text.trim() {
            "" => Ok(None),
            text if is_date(text) => Ok(Some(text.to_owned())),
            text => Err(FieldError::new(field, Problem::NotADate { text: text.to_owned() })),
        };
        let range = |(from_field, from): (&'static str, &str), (until_field, until): (&'static str, &str)| {
            let (from, until) = (date(from_field, from)?, date(until_field, until)?);
            if let (Some(from), Some(until)) = (&from, &until) {
                if from > until {
                    let (value, earlier) = (until.clone(), from.clone());
                    return Err(FieldError::new(until_field, Problem::Before { value, earlier }));
                }
            }
            Ok((from, until))
        };
        let mut statuses = Vec::new();
        for text in self.status.split(',').map(str::trim).filter(|text| !text.is_empty()) {
            let status = CustomerStatus::parse(text).ok_or_else(|| {
                FieldError::new("status", Problem::not_one_of(text, CustomerStatus::ALL.iter().map(|s| s.as_str())))
            })?;
            if !statuses.contains(&status) {
                statuses.push(status);
            }
        }
        let (ordered_from, ordered_until) = range(("from", &self.from), ("until", &self.until))?;
        let (appointment_from, appointment_until) =
            range(("appointment_from", &self.appointment_from), ("appointment_until", &self.appointment_until))?;
        let name_words: Vec<String> = self.q.split_whitespace().map(str::to_owned).collect();
        if name_words.len() > 8 || self.q.chars().count() > 100 {
            return Err(FieldError::new("q", Problem::SearchTooLong { words: 8, characters: 100 }));
        }
        let column = match self.sort.trim() {
            "" => CustomerSortColumn::default(),
            text => CustomerSortColumn::parse(text).ok_or_else(|| {
                FieldError::new("sort", Problem::not_one_of(text, CustomerSortColumn::ALL.iter().map(|c| c.as_str())))
            })?,
        };
        let descending = match self.order.trim() {
            "" => column.descending_by_default(),
            "desc" => true,
            "asc" => false,
            other => return Err(FieldError::new("order", Problem::not_one_of(other, ["asc", "desc"]))),
        };
        let page = match self.page.trim() {
            "" => 1,
            text => match text.parse::<u32>() {
                Ok(page @ 1..=MAX_CUSTOMER_PAGE) => page,
                _ => {
                    return Err(FieldError::new(
                        "page",
                        Problem::NotAPage { text: text.to_owned(), max: Some(MAX_CUSTOMER_PAGE) },
                    ))
                }
            },
        };
        let closer = Some(self.closer.trim().to_owned()).filter(|code| !code.is_empty());
        Ok(CustomerFilter {
            statuses,
            ordered_from,
            ordered_until,
            appointment_from,
            appointment_until,
            closer,
            name_words,
            sort: CustomerSort { column, descending },
            page,
        })
    }

    /// The statuses asked for, as the status filter's options are checked.
    pub fn statuses(&self) -> Vec<&str> {
        self.status.split(',').map(str::trim).filter(|text| !text.is_empty()).collect()
    }

    pub fn query_string(&self) -> String {
        query_string(&[
            ("phone", &self.phone),
            ("q", &self.q),
            ("status", &self.status),
            ("from", &self.from),
            ("until", &self.until),
            ("appointment_from", &self.appointment_from),
            ("appointment_until", &self.appointment_until),
            ("closer", &self.closer),
            ("sort", &self.sort),
            ("order", &self.order),
            ("page", &self.page),
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
    /// The page shown (1 is the first) and whether another follows.
    pub page: u32,
    pub has_next: bool,
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
            return Err(FieldError::new("name", Problem::Required));
        }
        let phone = self.phone.trim();
        if !(9..=11).contains(&phone.len()) || !phone.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new("phone", Problem::NotAPhone { text: phone.to_owned() }));
        }
        if !self.amount.is_finite() || self.amount < 0.0 || self.amount >= 1e12 {
            return Err(FieldError::new("amount", Problem::NotAnAmount { text: self.amount.to_string() }));
        }
        for (field, date) in [("ordered_on", &self.ordered_on), ("appointment_on", &self.appointment_on)] {
            if let Some(date) = date {
                if !is_date(date) {
                    return Err(FieldError::new(field, Problem::NotADate { text: date.clone() }));
                }
            }
        }
        if let Some(closer) = &self.closer {
            if closer.trim().is_empty() || closer.len() > 50 {
                return Err(FieldError::new("closer", Problem::NotACollaboratorCode { text: closer.clone() }));
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
    fn the_transition_table_covers_every_status_and_refusals_say_what_is_allowed() {
        for status in CustomerStatus::ALL {
            assert_eq!(STATUS_TRANSITIONS.iter().filter(|(from, _)| *from == status).count(), 1, "{status}");
            assert!(!status.next_statuses().contains(&status), "{status} to itself is no change");
        }
        // Only a served customer earns, and every way out of served is a cancellation.
        assert_eq!(CustomerStatus::Served.next_statuses(), [CustomerStatus::Cancelled]);
        assert!(CustomerStatus::Cancelled.next_statuses().is_empty());
        let change = StatusChange::check(CustomerStatus::Deposited, CustomerStatus::Served).unwrap();
        assert_eq!((change.leaving(), change.entering()), (CustomerStatus::Deposited, CustomerStatus::Served));
        let refused = StatusChange::check(CustomerStatus::Served, CustomerStatus::Deposited).unwrap_err();
        assert_eq!(refused.field, "status");
        assert_eq!(
            refused.message(crate::domain::language::Language::En),
            "a customer 'Da den lam' cannot become 'Da coc' (allowed: Huy)"
        );
        let refused = StatusChange::check(CustomerStatus::Cancelled, CustomerStatus::New).unwrap_err();
        assert!(
            refused.message(crate::domain::language::Language::En).ends_with("(allowed: none: it is final)"),
            "{refused}"
        );
    }

    #[test]
    fn list_parameters_read_several_statuses_both_date_ranges_and_the_order() {
        let params = CustomerParams {
            q: "  nguyen   van an ".into(),
            status: "Da coc, Da den lam,Da coc".into(),
            appointment_from: "2026-11-01".into(),
            appointment_until: "2026-11-30".into(),
            sort: "appointment".into(),
            page: "3".into(),
            ..Default::default()
        };
        let filter = params.filter().unwrap();
        assert_eq!(filter.statuses, [CustomerStatus::Deposited, CustomerStatus::Served]);
        assert_eq!(filter.name_words, ["nguyen", "van", "an"]);
        assert_eq!(
            (filter.appointment_from.as_deref(), filter.appointment_until.as_deref()),
            (Some("2026-11-01"), Some("2026-11-30"))
        );
        assert_eq!(filter.sort, CustomerSort { column: CustomerSortColumn::Appointment, descending: true });
        assert_eq!(filter.page, 3);
        assert_eq!(
            params.query_string(),
            "q=%20%20nguyen%20%20%20van%20an%20&status=Da%20coc%2C%20Da%20den%20lam%2CDa%20coc\
             &appointment_from=2026-11-01&appointment_until=2026-11-30&sort=appointment&page=3"
        );
        let name = CustomerParams { sort: "name".into(), order: "desc".into(), ..Default::default() }.filter().unwrap();
        assert_eq!(name.sort, CustomerSort { column: CustomerSortColumn::Name, descending: true });
        assert_eq!(CustomerParams::default().filter().unwrap().sort, CustomerSort::default());
        for (bad, field) in [
            (CustomerParams { order: "up".into(), ..Default::default() }, "order"),
            (CustomerParams { page: "501".into(), ..Default::default() }, "page"),
            (CustomerParams { until: "2026-01-01".into(), from: "2026-02-01".into(), ..Default::default() }, "until"),
            (CustomerParams { q: "a b c d e f g h i".into(), ..Default::default() }, "q"),
        ] {
            assert_eq!(bad.filter().unwrap_err().field, field);
        }
    }

    #[test]
    fn duplicate_reasons_say_why() {
        let reason = DuplicateReason::UpcomingAppointment { on: "2027-01-10".into(), days_ahead: 42 };
        assert_eq!(reason.to_string(), "appointment on 2027-01-10, in 42 days");
        let json = serde_json::to_value(DuplicateReason::Status { status: CustomerStatus::Deposited }).unwrap();
        assert_eq!(json, serde_json::json!({ "reason": "status", "status": "Da coc" }));
    }

    #[test]
    fn statuses_show_with_diacritics_or_in_english_and_are_stored_without() {
        let vietnamese: Vec<&str> = CustomerStatus::ALL.iter().map(|s| s.label(Language::Vi)).collect();
        assert_eq!(vietnamese, ["Mới", "Đã liên hệ", "Đã hẹn", "Đã cọc", "Đã đến làm", "Không đến", "Hủy"]);
        assert_eq!(CustomerStatus::Served.label(Language::En), "Served");
        // Every label differs, in each language; the stored word is untouched.
        for language in Language::ALL {
            let mut labels: Vec<&str> = CustomerStatus::ALL.iter().map(|s| s.label(language)).collect();
            labels.dedup();
            assert_eq!(labels.len(), CustomerStatus::ALL.len());
        }
        assert_eq!(serde_json::to_string(&CustomerStatus::Served).unwrap(), "\"Da den lam\"");
    }
}
