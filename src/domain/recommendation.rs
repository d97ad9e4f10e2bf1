//! The vocabulary of seed 001: the advance products, risk levels, subscriber types,
//! ARPU trends and priorities, and the recommendation the advance-request system reads.

use crate::domain::isdn::Isdn;
use crate::domain::language::Language;
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The advance products a subscriber can be recommended (seed 001 `service_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

    /// The level as the pages show it; stored, sent and exported as [`as_str`](Self::as_str).
    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::Low => td_string!(locale, values.low),
            Self::Medium => td_string!(locale, values.medium),
            Self::High => td_string!(locale, values.high),
        }
    }
}

/// Prepaid or postpaid (seed 001 `subscriber_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

    /// Prepaid or postpaid in the page's words; stored as [`as_str`](Self::as_str).
    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::Pre => td_string!(locale, values.prepaid),
            Self::Pos => td_string!(locale, values.postpaid),
        }
    }
}

/// Direction of a subscriber's ARPU over the observed months (seed 001 `arpu_trend`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

    /// The trend as the UI shows it; what is stored, sent and exported stays
    /// [`as_str`](Self::as_str) (the seed's Vietnamese words).
    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::Growing => td_string!(locale, values.growing),
            Self::Stable => td_string!(locale, values.stable),
            Self::Declining => td_string!(locale, values.declining),
        }
    }
}

/// Seed 001's `priority` label (HIGH/MEDIUM/LOW) of a recommendation, from its
/// `priority_score` (customer value × advance readiness / 100, so 0 to 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

    /// The priority as the pages show it; stored, sent and exported as [`as_str`](Self::as_str).
    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::High => td_string!(locale, values.high),
            Self::Medium => td_string!(locale, values.medium),
            Self::Low => td_string!(locale, values.low),
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

        impl $crate::domain::recommendation::Spelled for $ty {
            const WHAT: &'static str = $what;

            fn spellings() -> Vec<String> {
                Self::ALL.iter().map(|v| v.as_str().to_owned()).collect()
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

/// A seed value's kind in (English) words and its spellings, for a refusal to name what
/// it takes.
pub trait Spelled: FromStr {
    const WHAT: &'static str;
    fn spellings() -> Vec<String>;
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
/// typed. This is what the advance-request system gets back; each field is written in
/// JSON as the seed spells it in the hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Recommendation {
    pub isdn: Isdn,
    pub subscriber_type: SubscriberType,
    pub service_type: ServiceType,
    pub advance_amount: Option<f64>,
    pub revenue_per_advance: Option<f64>,
    pub cluster_group: Option<i32>,
    pub bad_debt_risk: RiskLevel,
    pub arpu_avg_6m: Option<f64>,
    pub arpu_growth_rate: Option<f64>,
    pub arpu_trend: Option<ArpuTrend>,
    pub customer_value_score: Option<f64>,
    pub advance_readiness_score: Option<f64>,
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "ssr", schema(format = Date))]
    pub recommendation_date: String,
    /// From `priority_score`; `""` in the hash and in JSON when there is no score.
    #[serde(with = "empty_when_none")]
    #[cfg_attr(feature = "ssr", schema(schema_with = priority_label_schema, required = true))]
    pub priority: Option<Priority>,
}

impl Recommendation {
    /// From the hash's fields (all text, "" for a missing value); `None` without an ISDN
    /// or with a value the seed's vocabulary does not have.
    pub fn from_fields<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Self> {
        let number = |value: &str| value.parse::<f64>().ok();
        let (mut isdn, mut subscriber_type, mut service_type, mut bad_debt_risk) = (None, None, None, None);
        let mut recommendation = Self {
            isdn: Isdn::from_store(String::new()),
            subscriber_type: SubscriberType::Pre,
            service_type: ServiceType::EasyCredit,
            advance_amount: None,
            revenue_per_advance: None,
            cluster_group: None,
            bad_debt_risk: RiskLevel::Low,
            arpu_avg_6m: None,
            arpu_growth_rate: None,
            arpu_trend: None,
            customer_value_score: None,
            advance_readiness_score: None,
            recommendation_date: String::new(),
            priority: None,
        };
        // A bulk lookup reads 10,000 of these: one pass, no map.
        for (name, value) in fields {
            match name {
                "isdn" => isdn = Some(value).filter(|value| !value.is_empty()),
                "subscriber_type" => subscriber_type = value.parse().ok(),
                "service_type" => service_type = value.parse().ok(),
                "advance_amount" => recommendation.advance_amount = number(value),
                "revenue_per_advance" => recommendation.revenue_per_advance = number(value),
                "cluster_group" => recommendation.cluster_group = value.parse().ok(),
                "bad_debt_risk" => bad_debt_risk = value.parse().ok(),
                "arpu_avg_6m" => recommendation.arpu_avg_6m = number(value),
                "arpu_growth_rate" => recommendation.arpu_growth_rate = number(value),
                "arpu_trend" => recommendation.arpu_trend = value.parse().ok(),
                "customer_value_score" => recommendation.customer_value_score = number(value),
                "advance_readiness_score" => recommendation.advance_readiness_score = number(value),
                "recommendation_date" => recommendation.recommendation_date = value.to_owned(),
                "priority" => recommendation.priority = value.parse().ok(),
                _ => {}
            }
        }
        recommendation.isdn = Isdn::from_store(isdn?.to_owned());
        recommendation.subscriber_type = subscriber_type?;
        recommendation.service_type = service_type?;
        recommendation.bad_debt_risk = bad_debt_risk?;
        Some(recommendation)
    }
}

impl Recommendation {
    /// The priority as the hash and the pages write it: `HIGH`, `MEDIUM`, `LOW`, or `""`.
    pub fn priority_label(&self) -> &'static str {
        self.priority.map_or("", Priority::as_str)
    }
}

/// `priority` in the OpenAPI document: what `empty_when_none` writes, a label or `""`.
#[cfg(feature = "ssr")]
fn priority_label_schema() -> utoipa::openapi::Object {
    let labels = Priority::ALL.iter().map(|priority| priority.as_str()).chain([""]);
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(labels))
        .description(Some("HIGH, MEDIUM or LOW from `priority_score`; `\"\"` when there is no score"))
        .build()
}

/// `Option<Priority>` as the hash writes it: the label, or `""` without one.
mod empty_when_none {
    use super::Priority;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(priority: &Option<Priority>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(priority.map_or("", Priority::as_str))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Priority>, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(serde::de::Error::custom)
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
        assert_eq!(ArpuTrend::Declining.label(Language::Vi), "Giảm");
        assert_eq!(ArpuTrend::Declining.label(Language::En), "Declining");
        assert_eq!(RiskLevel::Medium.label(Language::Vi), "Trung bình");
        assert_eq!(RiskLevel::Medium.label(Language::En), "Medium");
        assert_eq!(SubscriberType::Pos.label(Language::Vi), "Trả sau");
        assert_eq!(Priority::High.label(Language::En), "High");
    }

    /// The recommendation as it was before its fields were typed: the API's JSON must
    /// stay byte for byte what this wrote.
    #[derive(Serialize)]
    struct UntypedRecommendation<'a> {
        isdn: &'a str,
        subscriber_type: &'a str,
        service_type: &'a str,
        advance_amount: Option<f64>,
        revenue_per_advance: Option<f64>,
        cluster_group: Option<i32>,
        bad_debt_risk: &'a str,
        arpu_avg_6m: Option<f64>,
        arpu_growth_rate: Option<f64>,
        arpu_trend: Option<&'a str>,
        customer_value_score: Option<f64>,
        advance_readiness_score: Option<f64>,
        recommendation_date: &'a str,
        priority: &'a str,
    }

    const SEED_HASH: [(&str, &str); 14] = [
        ("isdn", "++/hZFPrCDRre55vsZqqxQ=="),
        ("subscriber_type", "PRE"),
        ("service_type", "EasyCredit"),
        ("advance_amount", "25000"),
        ("revenue_per_advance", "2757.5"),
        ("cluster_group", "3"),
        ("bad_debt_risk", "LOW"),
        ("arpu_avg_6m", "27575.5"),
        ("arpu_growth_rate", "-12.3"),
        ("arpu_trend", "Giảm"),
        ("customer_value_score", "70"),
        ("advance_readiness_score", "80.5"),
        ("recommendation_date", "2026-11-01"),
        ("priority", "HIGH"),
    ];

    fn untyped(priority: &str, arpu_trend: Option<&'static str>) -> String {
        serde_json::to_string(&UntypedRecommendation {
            isdn: "++/hZFPrCDRre55vsZqqxQ==",
            subscriber_type: "PRE",
            service_type: "EasyCredit",
            advance_amount: Some(25000.0),
            revenue_per_advance: Some(2757.5),
            cluster_group: Some(3),
            bad_debt_risk: "LOW",
            arpu_avg_6m: Some(27575.5),
            arpu_growth_rate: Some(-12.3),
            arpu_trend,
            customer_value_score: Some(70.0),
            advance_readiness_score: Some(80.5),
            recommendation_date: "2026-11-01",
            priority,
        })
        .unwrap()
    }

    #[test]
    fn typed_fields_keep_the_json_byte_for_byte() {
        let typed = Recommendation::from_fields(SEED_HASH).unwrap();
        assert_eq!(serde_json::to_string(&typed).unwrap(), untyped("HIGH", Some("Giảm")));
        let unscored = SEED_HASH.map(|(name, value)| match name {
            "priority" | "arpu_trend" => (name, ""),
            _ => (name, value),
        });
        let typed = Recommendation::from_fields(unscored).unwrap();
        assert_eq!(serde_json::to_string(&typed).unwrap(), untyped("", None));
        let read_back: Recommendation = serde_json::from_str(&untyped("", None)).unwrap();
        assert_eq!(read_back, typed);
    }

    #[test]
    fn a_hash_outside_the_seed_vocabulary_is_no_recommendation() {
        for (field, bad) in [("isdn", ""), ("service_type", "Loan"), ("bad_debt_risk", "low"), ("subscriber_type", "X")]
        {
            let fields = SEED_HASH.map(|(name, value)| if name == field { (name, bad) } else { (name, value) });
            assert_eq!(Recommendation::from_fields(fields), None, "{field} = {bad:?}");
        }
    }
}
