//! Seed 003's transactions: subscribers' top-ups and payments through merchants
//! (`client_code`) and payment modes, read on the `/transactions` dashboard from daily
//! summaries. Shared by the server and the page. Dates travel as `YYYY-MM-DD`.

use crate::domain::dates::is_date;
use crate::domain::field_error::{FieldError, Problem};
use crate::domain::language::Language;
use crate::domain::profile::stored_label;
use crate::domain::query::query_string;
use crate::domain::recommendation::display_and_parse;
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The dashboard's period, as the range buttons name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DashboardRange {
    Today,
    /// The last 7 days, today included.
    Week,
    /// The last 30 days.
    Month,
    /// The last 365 days.
    #[default]
    Year,
    /// `from` to `until`, both included.
    Custom,
}

impl DashboardRange {
    /// The ranges the background job computes ahead (every one but custom).
    pub const STANDARD: [Self; 4] = [Self::Today, Self::Week, Self::Month, Self::Year];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Today => "today",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
            Self::Custom => "custom",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Today, Self::Week, Self::Month, Self::Year, Self::Custom]
            .into_iter()
            .find(|range| range.as_str() == text)
    }

    /// Days the range spans, ending today; `None` for custom.
    pub fn days(self) -> Option<u32> {
        match self {
            Self::Today => Some(1),
            Self::Week => Some(7),
            Self::Month => Some(30),
            Self::Year => Some(365),
            Self::Custom => None,
        }
    }
}

/// Longest custom range, in days: the summaries of more would no longer answer at once.
pub const MAX_CUSTOM_DAYS: i64 = 3 * 366;

/// Merchants in the top list.
pub const TOP_MERCHANTS: i64 = 10;

/// The dashboard's query string as typed: everything optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardParams {
    #[serde(default)]
    pub range: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    /// A merchant's code: its own daily trend (the drill-down).
    #[serde(default)]
    pub merchant: String,
}

/// What the dashboard shows, checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DashboardQuery {
    pub range: DashboardRange,
    /// `YYYY-MM-DD`; both set for custom, filled in from today otherwise.
    pub from: Option<String>,
    pub until: Option<String>,
    pub merchant: Option<String>,
}

impl DashboardParams {
    /// The query, or the field at fault and why.
    pub fn query(&self) -> Result<DashboardQuery, FieldError> {
        let range = match self.range.trim() {
            "" => DashboardRange::default(),
            text => DashboardRange::parse(text).ok_or_else(|| {
                FieldError::new("range", Problem::not_one_of(text, ["today", "week", "month", "year", "custom"]))
            })?,
        };
        let day = |field: &'static str, text: &str| -> Result<Option<String>, FieldError> {
            match text.trim() {
                "" => Ok(None),
                text if is_date(text) => Ok(Some(text.to_owned())),
                text => Err(FieldError::new(field, Problem::NotADate { text: text.to_owned() })),
            }
        };
        let (from, until) = (day("from", &self.from)?, day("until", &self.until)?);
        let (from, until) = match range {
            DashboardRange::Custom => match (from, until) {
                (Some(from), Some(until)) if from > until => {
                    return Err(FieldError::new("until", Problem::Before { value: until, earlier: from }))
                }
                (Some(from), Some(until)) => (Some(from), Some(until)),
                (None, _) => return Err(FieldError::new("from", Problem::Required)),
                (_, None) => return Err(FieldError::new("until", Problem::Required)),
            },
            _ => (None, None),
        };
        let merchant = Some(self.merchant.trim().to_owned()).filter(|code| !code.is_empty());
        if let Some(length) = merchant.as_ref().map(|code| code.chars().count()).filter(|length| *length > 50) {
            return Err(FieldError::new("merchant", Problem::TooLong { length, max: 50 }));
        }
        Ok(DashboardQuery { range, from, until, merchant })
    }
}

impl DashboardQuery {
    /// The query string that shows this dashboard.
    pub fn query_string(&self) -> String {
        let range = self.range.as_str().to_owned();
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let (from, until, merchant) = (text(&self.from), text(&self.until), text(&self.merchant));
        query_string(&[("range", &range), ("from", &from), ("until", &until), ("merchant", &merchant)])
    }

    /// The same period, another merchant's trend (or none).
    pub fn with_merchant(&self, merchant: Option<&str>) -> Self {
        Self { merchant: merchant.map(str::to_owned), ..self.clone() }
    }
}

/// One merchant over the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MerchantFigures {
    pub client_code: String,
    pub client_name: String,
    pub transactions: i64,
    pub successful: i64,
    /// Paid amount of successful transactions, đồng.
    pub success_volume: f64,
}

/// One payment mode over the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentFigures {
    pub payment_mode: String,
    pub transactions: i64,
    pub successful: i64,
}

impl PaymentFigures {
    /// Percent of transactions that succeeded.
    pub fn success_rate(&self) -> f64 {
        if self.transactions == 0 {
            0.0
        } else {
            100.0 * self.successful as f64 / self.transactions as f64
        }
    }
}

/// One day's totals (all merchants, or one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayFigures {
    pub day: String,
    pub transactions: i64,
    pub successful: i64,
    pub volume: f64,
    pub success_volume: f64,
}

/// A merchant's own daily trend over the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MerchantTrend {
    pub client_code: String,
    pub client_name: String,
    pub days: Vec<DayFigures>,
}

/// The `/transactions` dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransactionDashboard {
    pub query: DashboardQuery,
    /// The period shown, both days included.
    pub from: String,
    pub until: String,
    pub top_merchants: Vec<MerchantFigures>,
    pub payment_modes: Vec<PaymentFigures>,
    /// Every day of the period with transactions, oldest first.
    pub trend: Vec<DayFigures>,
    pub merchant: Option<MerchantTrend>,
    /// When the figures were computed (UTC, RFC 3339), for "as of".
    pub computed_at: String,
}

impl TransactionDashboard {
    /// All transactions of the period and the successful ones' volume.
    pub fn totals(&self) -> DayFigures {
        let mut totals =
            DayFigures { day: String::new(), transactions: 0, successful: 0, volume: 0.0, success_volume: 0.0 };
        for day in &self.trend {
            totals.transactions += day.transactions;
            totals.successful += day.successful;
            totals.volume += day.volume;
            totals.success_volume += day.success_volume;
        }
        totals
    }
}

/// One of a subscriber's transactions (Customer360).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecentTransaction {
    /// `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub client_code: String,
    pub client_name: String,
    pub payment_mode: String,
    pub status: String,
    pub paid_amount: f64,
}

/// A transaction's outcome (seed 003 `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    Success,
    Failed,
    Pending,
}

impl TransactionStatus {
    pub const ALL: [TransactionStatus; 3] = [Self::Success, Self::Failed, Self::Pending];

    /// As stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "SUCCESS",
            Self::Failed => "FAILED",
            Self::Pending => "PENDING",
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::Success => td_string!(locale, values.tx_success),
            Self::Failed => td_string!(locale, values.tx_failed),
            Self::Pending => td_string!(locale, values.tx_pending),
        }
    }
}

/// How a top-up was paid (seed 003 `payment_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentMode {
    Momo,
    ZaloPay,
    VnPay,
    BankTransfer,
    AtmCard,
    CreditCard,
    AirtimeBalance,
}

impl PaymentMode {
    pub const ALL: [PaymentMode; 7] = [
        Self::Momo,
        Self::ZaloPay,
        Self::VnPay,
        Self::BankTransfer,
        Self::AtmCard,
        Self::CreditCard,
        Self::AirtimeBalance,
    ];

    /// As stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Momo => "MOMO",
            Self::ZaloPay => "ZALOPAY",
            Self::VnPay => "VNPAY",
            Self::BankTransfer => "BANK_TRANSFER",
            Self::AtmCard => "ATM_CARD",
            Self::CreditCard => "CREDIT_CARD",
            Self::AirtimeBalance => "AIRTIME_BALANCE",
        }
    }

    /// The wallets by their brand names, the rest in the page's words.
    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::Momo => "MoMo",
            Self::ZaloPay => "ZaloPay",
            Self::VnPay => "VNPay",
            Self::BankTransfer => td_string!(locale, values.mode_bank_transfer),
            Self::AtmCard => td_string!(locale, values.mode_atm_card),
            Self::CreditCard => td_string!(locale, values.mode_credit_card),
            Self::AirtimeBalance => td_string!(locale, values.mode_airtime_balance),
        }
    }
}

display_and_parse!(TransactionStatus => "transaction status", PaymentMode => "payment mode");

/// A stored status in the page's words (another as stored).
pub fn status_label(stored: &str, language: Language) -> String {
    stored_label(Some(stored), |status: TransactionStatus| status.label(language))
}

/// A stored payment mode in the page's words (another as stored).
pub fn payment_mode_label(stored: &str, language: Language) -> String {
    stored_label(Some(stored), |mode: PaymentMode| mode.label(language))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_statuses_and_modes_are_shown_in_the_pages_words() {
        assert_eq!(status_label("FAILED", Language::Vi), "Thất bại");
        assert_eq!(status_label("SUCCESS", Language::En), "Succeeded");
        assert_eq!(payment_mode_label("BANK_TRANSFER", Language::Vi), "Chuyển khoản ngân hàng");
        assert_eq!(payment_mode_label("MOMO", Language::En), "MoMo");
        assert_eq!(payment_mode_label("CASH", Language::En), "CASH");
        for mode in PaymentMode::ALL {
            assert_eq!(mode.as_str().parse::<PaymentMode>(), Ok(mode));
        }
    }

    fn params(range: &str, from: &str, until: &str) -> DashboardParams {
        DashboardParams { range: range.into(), from: from.into(), until: until.into(), merchant: String::new() }
    }

    #[test]
    fn the_year_is_the_default_range() {
        let query = params("", "", "").query().unwrap();
        assert_eq!(query.range, DashboardRange::Year);
        assert_eq!((query.from, query.until), (None, None));
    }

    #[test]
    fn a_custom_range_needs_both_days_in_order() {
        assert_eq!(params("custom", "", "2026-01-31").query().unwrap_err().field, "from");
        assert_eq!(params("custom", "2026-01-01", "").query().unwrap_err().field, "until");
        assert_eq!(params("custom", "2026-02-01", "2026-01-31").query().unwrap_err().field, "until");
        assert_eq!(params("custom", "2026-02-30", "2026-03-01").query().unwrap_err().field, "from");
        let query = params("custom", "2026-01-01", "2026-01-31").query().unwrap();
        assert_eq!(query.from.as_deref(), Some("2026-01-01"));
        assert_eq!(query.query_string(), "range=custom&from=2026-01-01&until=2026-01-31");
    }

    #[test]
    fn unknown_ranges_are_named() {
        let refused = params("decade", "", "").query().unwrap_err();
        assert_eq!(refused.field, "range");
        assert_eq!(refused.to_string(), "range: \"decade\": expected one of today, week, month, year, custom");
    }

    #[test]
    fn days_are_checked_as_calendar_days() {
        assert!(is_date("2024-02-29") && !is_date("2026-02-29") && !is_date("2026-13-01") && !is_date("2026-1-01"));
    }
}
