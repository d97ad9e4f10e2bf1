//! The vocabulary of seed 001: the advance products, risk levels, subscriber types,
//! ARPU trends and priorities, and the recommendation the advance-request system reads.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The advance products a subscriber can be recommended (seed 001 `service_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ServiceType {
    EasyCredit,
    #[serde(rename = "MBFG")]
    Mbfg,
    #[serde(rename = "ungsanluong")]
    Ungsanluong,
}

impl ServiceType {
    pub const ALL: [ServiceType; 3] = [Self::EasyCredit, Self::Mbfg, Self::Ungsanluong];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EasyCredit => "EasyCredit",
            Self::Mbfg => "MBFG",
            Self::Ungsanluong => "ungsanluong",
        }
    }
}

/// Bad-debt risk (seed 001 `bad_debt_risk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 3] = [Self::Low, Self::Medium, Self::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
        }
    }
}

/// Prepaid or postpaid (seed 001 `subscriber_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SubscriberType {
    Pre,
    Pos,
}

impl SubscriberType {
    pub const ALL: [SubscriberType; 2] = [Self::Pre, Self::Pos];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pre => "PRE",
            Self::Pos => "POS",
        }
    }
}

/// Direction of a subscriber's ARPU over the observed months (seed 001 `arpu_trend`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ArpuTrend {
    #[serde(rename = "Tăng trưởng")]
    Growing,
    #[serde(rename = "Ổn định")]
    Stable,
    #[serde(rename = "Giảm")]
    Declining,
}

impl ArpuTrend {
    pub const ALL: [ArpuTrend; 3] = [Self::Growing, Self::Stable, Self::Declining];

    /// Growth beyond ±10 % between the first and last month counts as a trend.
    pub const THRESHOLD_PCT: f64 = 10.0;

    pub fn from_growth_rate(growth_rate_pct: f64) -> Self {
        if growth_rate_pct > Self::THRESHOLD_PCT {
            Self::Growing
        } else if growth_rate_pct < -Self::THRESHOLD_PCT {
            Self::Declining
        } else {
            Self::Stable
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Growing => "Tăng trưởng",
            Self::Stable => "Ổn định",
            Self::Declining => "Giảm",
        }
    }
}

/// Seed 001's `priority` label (HIGH/MEDIUM/LOW) of a recommendation, from its
/// `priority_score` (customer value × advance readiness / 100, so 0 to 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Self::High, Self::Medium, Self::Low];

    /// Lowest `priority_score` of a HIGH and of a MEDIUM priority.
    pub const HIGH_FROM: f64 = 50.0;
    pub const MEDIUM_FROM: f64 = 25.0;

    pub fn from_score(priority_score: f64) -> Self {
        if priority_score >= Self::HIGH_FROM {
            Self::High
        } else if priority_score >= Self::MEDIUM_FROM {
            Self::Medium
        } else {
            Self::Low
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "HIGH",
            Self::Medium => "MEDIUM",
            Self::Low => "LOW",
        }
    }
}

macro_rules! display_and_parse {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|candidate| candidate.as_str() == value)
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        format!("unknown {} {value:?}; expected one of {}", $what, allowed.join(", "))
                    })
            }
        }
    )*};
}

/// Seed spellings in and out: `Display` writes `as_str()`, `FromStr` reads it back and
/// names what was expected.
pub(crate) use display_and_parse;

display_and_parse!(
    ServiceType => "service type",
    RiskLevel => "risk level",
    SubscriberType => "subscriber type",
    ArpuTrend => "ARPU trend",
    Priority => "priority",
);

/// Seed 001's recommendation for one subscriber: the 14 fields of `ut360:rec:{ISDN}`,
/// typed. This is what the advance-request system gets back.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub isdn: String,
    pub subscriber_type: String,
    pub service_type: String,
    pub advance_amount: Option<f64>,
    pub revenue_per_advance: Option<f64>,
    pub cluster_group: Option<i32>,
    pub bad_debt_risk: String,
    pub arpu_avg_6m: Option<f64>,
    pub arpu_growth_rate: Option<f64>,
    pub arpu_trend: Option<String>,
    pub customer_value_score: Option<f64>,
    pub advance_readiness_score: Option<f64>,
    /// `YYYY-MM-DD`.
    pub recommendation_date: String,
    /// HIGH, MEDIUM or LOW.
    pub priority: String,
}

impl Recommendation {
    /// From the hash's fields (all text, "" for a missing value); `None` without an ISDN.
    pub fn from_fields<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Self> {
        let number = |value: &str| value.parse::<f64>().ok();
        let optional_text = |value: &str| Some(value.to_owned()).filter(|value| !value.is_empty());
        let mut recommendation = Self::default();
        // A bulk lookup reads 10,000 of these: one pass, no map.
        for (name, value) in fields {
            match name {
                "isdn" => recommendation.isdn = value.to_owned(),
                "subscriber_type" => recommendation.subscriber_type = value.to_owned(),
                "service_type" => recommendation.service_type = value.to_owned(),
                "advance_amount" => recommendation.advance_amount = number(value),
                "revenue_per_advance" => recommendation.revenue_per_advance = number(value),
                "cluster_group" => recommendation.cluster_group = value.parse().ok(),
                "bad_debt_risk" => recommendation.bad_debt_risk = value.to_owned(),
                "arpu_avg_6m" => recommendation.arpu_avg_6m = number(value),
                "arpu_growth_rate" => recommendation.arpu_growth_rate = number(value),
                "arpu_trend" => recommendation.arpu_trend = optional_text(value),
                "customer_value_score" => recommendation.customer_value_score = number(value),
                "advance_readiness_score" => recommendation.advance_readiness_score = number(value),
                "recommendation_date" => recommendation.recommendation_date = value.to_owned(),
                "priority" => recommendation.priority = value.to_owned(),
                _ => {}
            }
        }
        (!recommendation.isdn.is_empty()).then_some(recommendation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_seed_spelling() {
        for service in ServiceType::ALL {
            assert_eq!(service.as_str().parse::<ServiceType>(), Ok(service));
        }
        assert_eq!("MBFG".parse::<ServiceType>(), Ok(ServiceType::Mbfg));
        assert_eq!("Giảm".parse::<ArpuTrend>(), Ok(ArpuTrend::Declining));
        let error = "mbfg".parse::<ServiceType>().unwrap_err();
        assert!(error.contains("EasyCredit, MBFG, ungsanluong"), "{error}");
    }

    #[test]
    fn trend_follows_growth_rate_threshold() {
        assert_eq!(ArpuTrend::from_growth_rate(10.01), ArpuTrend::Growing);
        assert_eq!(ArpuTrend::from_growth_rate(10.0), ArpuTrend::Stable);
        assert_eq!(ArpuTrend::from_growth_rate(-10.0), ArpuTrend::Stable);
        assert_eq!(ArpuTrend::from_growth_rate(-56.7), ArpuTrend::Declining);
    }

    #[test]
    fn priority_label_follows_the_score() {
        assert_eq!(Priority::from_score(63.0), Priority::High);
        assert_eq!(Priority::from_score(50.0), Priority::High);
        assert_eq!(Priority::from_score(49.99), Priority::Medium);
        assert_eq!(Priority::from_score(25.0), Priority::Medium);
        assert_eq!(Priority::from_score(0.0), Priority::Low);
    }

    #[test]
    fn serde_uses_seed_spelling() {
        assert_eq!(serde_json::to_string(&ServiceType::Ungsanluong).unwrap(), "\"ungsanluong\"");
        assert_eq!(serde_json::to_string(&RiskLevel::Medium).unwrap(), "\"MEDIUM\"");
        assert_eq!(serde_json::to_string(&ArpuTrend::Growing).unwrap(), "\"Tăng trưởng\"");
    }
}
