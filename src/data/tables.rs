//! The columns of seed 001's three subscriber tables that data files carry, with
//! the type and range each accepts. Imports validate against these, exports write
//! them, and the loader copies them in this order.

use chrono::NaiveDate;
use std::borrow::Cow;

/// What a column accepts, mirroring its SQL type and CHECK constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// `VARCHAR(n)`, or `TEXT` when `max_chars` is `None`.
    Text {
        max_chars: Option<usize>,
    },
    /// A `VARCHAR` restricted to the listed spellings.
    OneOf(&'static [&'static str]),
    /// `DECIMAL(precision, scale)`.
    Decimal {
        precision: u32,
        scale: u32,
    },
    /// `DECIMAL(5, 2)` between 0 and 100.
    Percent,
    Integer,
    /// `DATE`, written `YYYY-MM-DD`.
    Date,
    /// `VARCHAR(6)` holding a month as `YYYYMM`.
    Month,
    /// `JSONB` holding an array of strings.
    TextList,
    /// `VARCHAR(255)` holding a subscriber number under the one rule of `Isdn`.
    Isdn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnType,
    /// `NOT NULL` in the table.
    pub required: bool,
}

/// One of the three tables a dataset fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubscriberTable {
    Recommendations,
    Profiles,
    MonthlyArpu,
}

impl SubscriberTable {
    pub const ALL: [SubscriberTable; 3] = [Self::Recommendations, Self::Profiles, Self::MonthlyArpu];

    pub fn table_name(self) -> &'static str {
        match self {
            Self::Recommendations => "recommendations",
            Self::Profiles => "subscriber_360_profiles",
            Self::MonthlyArpu => "subscriber_monthly_arpu",
        }
    }

    /// The columns data files carry, in load order. Ids, `organization_id`,
    /// `recommendation_id` and timestamps are the database's own.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Recommendations => RECOMMENDATION_COLUMNS,
            Self::Profiles => PROFILE_COLUMNS,
            Self::MonthlyArpu => MONTHLY_ARPU_COLUMNS,
        }
    }

    /// The columns that identify a row within an organization.
    pub fn key_columns(self) -> &'static [&'static str] {
        match self {
            Self::Recommendations | Self::Profiles => &["isdn"],
            Self::MonthlyArpu => &["isdn", "data_month"],
        }
    }

    pub fn column_list(self) -> String {
        self.columns().iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
    }
}

const fn required(name: &'static str, kind: ColumnType) -> Column {
    Column { name, kind, required: true }
}

const fn optional(name: &'static str, kind: ColumnType) -> Column {
    Column { name, kind, required: false }
}

const ISDN: ColumnType = ColumnType::Isdn;
const SUBSCRIBER_TYPES: ColumnType = ColumnType::OneOf(&["PRE", "POS"]);
const SERVICE_TYPES: ColumnType = ColumnType::OneOf(&["EasyCredit", "MBFG", "ungsanluong"]);
const RISK_LEVELS: ColumnType = ColumnType::OneOf(&["LOW", "MEDIUM", "HIGH"]);
const AMOUNT: ColumnType = ColumnType::Decimal { precision: 12, scale: 2 };
const ARPU: ColumnType = ColumnType::Decimal { precision: 10, scale: 2 };
const FREQUENCY: ColumnType = ColumnType::Decimal { precision: 5, scale: 2 };
const RATIO: ColumnType = ColumnType::Decimal { precision: 10, scale: 4 };
const fn text(max_chars: usize) -> ColumnType {
    ColumnType::Text { max_chars: Some(max_chars) }
}

const RECOMMENDATION_COLUMNS: &[Column] = &[
    required("isdn", ISDN),
    required("subscriber_type", SUBSCRIBER_TYPES),
    required("service_type", SERVICE_TYPES),
    required("advance_amount", AMOUNT),
    required("revenue_per_advance", AMOUNT),
    optional("cluster_group", ColumnType::Integer),
    required("bad_debt_risk", RISK_LEVELS),
    optional("arpu_avg_6m", ARPU),
    optional("arpu_std_6m", ARPU),
    optional("arpu_min_6m", ARPU),
    optional("arpu_max_6m", ARPU),
    optional("arpu_growth_rate", ARPU),
    optional("arpu_trend", text(20)),
    optional("revenue_call_pct", ColumnType::Percent),
    optional("revenue_sms_pct", ColumnType::Percent),
    optional("revenue_data_pct", ColumnType::Percent),
    optional("user_type", text(50)),
    optional("topup_frequency", FREQUENCY),
    optional("topup_avg_amount", ARPU),
    optional("topup_advance_ratio", RATIO),
    optional("topup_frequency_class", text(20)),
    optional("customer_value_score", ColumnType::Percent),
    optional("advance_readiness_score", ColumnType::Percent),
    optional("priority_score", ARPU),
    required("recommendation_date", ColumnType::Date),
];

const PROFILE_COLUMNS: &[Column] = &[
    required("isdn", ISDN),
    required("subscriber_type", SUBSCRIBER_TYPES),
    optional("service_type", SERVICE_TYPES),
    optional("advance_amount", AMOUNT),
    optional("revenue_per_advance", AMOUNT),
    optional("arpu_avg_6m", ARPU),
    optional("arpu_std_6m", ARPU),
    optional("arpu_min_6m", ARPU),
    optional("arpu_max_6m", ARPU),
    optional("arpu_first_month", ARPU),
    optional("arpu_last_month", ARPU),
    optional("arpu_growth_rate", ARPU),
    optional("arpu_trend", text(20)),
    optional("revenue_call_pct", ColumnType::Percent),
    optional("revenue_sms_pct", ColumnType::Percent),
    optional("revenue_data_pct", ColumnType::Percent),
    optional("user_type", text(50)),
    optional("topup_frequency", FREQUENCY),
    optional("topup_avg_amount", ARPU),
    optional("topup_min_amount", ARPU),
    optional("topup_max_amount", ARPU),
    optional("topup_advance_ratio", RATIO),
    optional("topup_frequency_class", text(20)),
    optional("bad_debt_risk", RISK_LEVELS),
    optional("risk_score", ColumnType::Percent),
    optional("risk_factors", ColumnType::TextList),
    optional("customer_value_score", ColumnType::Percent),
    optional("advance_readiness_score", ColumnType::Percent),
    optional("revenue_potential", AMOUNT),
    optional("cluster_group", ColumnType::Integer),
    optional("cluster_label", text(100)),
    optional("classification_reason", ColumnType::Text { max_chars: None }),
    optional("strengths", ColumnType::TextList),
    optional("recommendations_text", ColumnType::TextList),
    required("profile_date", ColumnType::Date),
];

const MONTHLY_ARPU_COLUMNS: &[Column] = &[
    required("isdn", ISDN),
    required("data_month", ColumnType::Month),
    optional("arpu_call", ARPU),
    optional("arpu_sms", ARPU),
    optional("arpu_data", ARPU),
    optional("arpu_total", ARPU),
];

impl Column {
    /// The value in the canonical text the loader writes (`None` for a missing value),
    /// or why it is not acceptable. Blank text counts as missing.
    pub fn normalize<'a>(&self, raw: &'a str) -> Result<Option<Cow<'a, str>>, String> {
        let value = raw.trim();
        if value.is_empty() {
            return if self.required { Err("a value is required".into()) } else { Ok(None) };
        }
        self.kind.normalize(value).map(Some)
    }
}

impl ColumnType {
    fn normalize<'a>(&self, value: &'a str) -> Result<Cow<'a, str>, String> {
        match *self {
            Self::Text { max_chars } => match max_chars {
                Some(max) if value.chars().count() > max => Err(format!("is longer than {max} characters")),
                _ => Ok(Cow::Borrowed(value)),
            },
            // A problem lists the value already.
            Self::Isdn => crate::domain::isdn::Isdn::parse(value).map(|_| Cow::Borrowed(value)).map_err(|problem| {
                let message = problem.message(crate::domain::language::Language::En, "isdn");
                message.strip_prefix(&format!("{value:?} ")).map_or(message.clone(), str::to_owned)
            }),
            Self::OneOf(allowed) => match allowed.iter().find(|a| **a == value) {
                Some(_) => Ok(Cow::Borrowed(value)),
                None => Err(format!("must be one of {}", allowed.join(", "))),
            },
            Self::Decimal { precision, scale } => {
                let number = parse_number(value)?;
                let limit = 10f64.powi((precision - scale) as i32);
                let rounded = format!("{number:.*}", scale as usize);
                if rounded.trim_start_matches('-').parse::<f64>().map_or(true, |n| n >= limit) {
                    Err(format!("is out of range (DECIMAL({precision},{scale}) holds less than {limit})"))
                } else {
                    Ok(Cow::Owned(rounded))
                }
            }
            Self::Percent => {
                let number = parse_number(value)?;
                if (0.0..=100.0).contains(&number) {
                    Ok(Cow::Owned(format!("{number:.2}")))
                } else {
                    Err("must be a percentage from 0 to 100".into())
                }
            }
            Self::Integer => {
                let number = parse_number(value)?;
                if number.fract() != 0.0 || number.abs() > i32::MAX as f64 {
                    Err("must be a whole number".into())
                } else {
                    Ok(Cow::Owned(format!("{}", number as i64)))
                }
            }
            Self::Date => {
                // Parquet writers may add a midnight time to dates.
                let day = value.split_once(['T', ' ']).map_or(value, |(day, _)| day);
                NaiveDate::parse_from_str(day, "%Y-%m-%d")
                    .map(|date| Cow::Owned(date.to_string()))
                    .map_err(|_| "must be a date written YYYY-MM-DD".into())
            }
            Self::Month => {
                let valid = value.len() == 6
                    && value.bytes().all(|b| b.is_ascii_digit())
                    && matches!(value[4..].parse::<u32>(), Ok(1..=12));
                if valid {
                    Ok(Cow::Borrowed(value))
                } else {
                    Err("must be a month written YYYYMM".into())
                }
            }
            Self::TextList => match serde_json::from_str::<Vec<String>>(value) {
                Ok(items) => Ok(Cow::Owned(serde_json::to_string(&items).expect("strings serialize"))),
                Err(_) => Err("must be a JSON array of texts, e.g. [\"a\", \"b\"]".into()),
            },
        }
    }
}

fn parse_number(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(number) if number.is_finite() => Ok(number),
        _ => Err("is not a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::recommendation::{RiskLevel, ServiceType, SubscriberType};

    fn column(table: SubscriberTable, name: &str) -> Column {
        *table.columns().iter().find(|c| c.name == name).unwrap()
    }

    #[test]
    fn enums_follow_the_domain() {
        let spellings = |kind: ColumnType| match kind {
            ColumnType::OneOf(list) => list.to_vec(),
            _ => unreachable!(),
        };
        let services: Vec<_> = ServiceType::ALL.iter().map(|s| s.as_str()).collect();
        let risks: Vec<_> = RiskLevel::ALL.iter().map(|r| r.as_str()).collect();
        let types: Vec<_> = SubscriberType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(spellings(SERVICE_TYPES), services);
        assert_eq!(spellings(RISK_LEVELS), risks);
        assert_eq!(spellings(SUBSCRIBER_TYPES), types);
    }

    #[test]
    fn values_are_checked_and_made_canonical() {
        let advance = column(SubscriberTable::Recommendations, "advance_amount");
        assert_eq!(advance.normalize(" 25000 ").unwrap().as_deref(), Some("25000.00"));
        assert_eq!(advance.normalize("").unwrap_err(), "a value is required");
        assert_eq!(advance.normalize("abc").unwrap_err(), "is not a number");
        assert!(advance.normalize("10000000000").unwrap_err().contains("out of range"));

        let share = column(SubscriberTable::Recommendations, "revenue_call_pct");
        assert_eq!(share.normalize("").unwrap(), None);
        assert_eq!(share.normalize("100").unwrap().as_deref(), Some("100.00"));
        assert!(share.normalize("100.5").unwrap_err().contains("percentage"));

        let risk = column(SubscriberTable::Recommendations, "bad_debt_risk");
        assert_eq!(risk.normalize("low").unwrap_err(), "must be one of LOW, MEDIUM, HIGH");

        let month = column(SubscriberTable::MonthlyArpu, "data_month");
        assert_eq!(month.normalize("202509").unwrap().as_deref(), Some("202509"));
        for bad in ["202513", "2025-09", "20259", "abcdef"] {
            assert!(month.normalize(bad).is_err(), "{bad}");
        }

        let date = column(SubscriberTable::Recommendations, "recommendation_date");
        assert_eq!(date.normalize("2025-10-22T00:00:00").unwrap().as_deref(), Some("2025-10-22"));
        assert!(date.normalize("22/10/2025").is_err());

        let cluster = column(SubscriberTable::Recommendations, "cluster_group");
        assert_eq!(cluster.normalize("2.0").unwrap().as_deref(), Some("2"));
        assert!(cluster.normalize("2.5").is_err());

        let factors = column(SubscriberTable::Profiles, "risk_factors");
        assert_eq!(factors.normalize("[ \"a\" ]").unwrap().as_deref(), Some("[\"a\"]"));
        assert!(factors.normalize("a, b").is_err());
    }

    #[test]
    fn docs_describe_every_column() {
        let docs = include_str!("../../docs/data-files.md");
        for table in SubscriberTable::ALL {
            for column in table.columns() {
                assert!(docs.contains(column.name), "docs/data-files.md does not mention {}", column.name);
            }
        }
    }
}
