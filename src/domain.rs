//! Types shared by the server and the browser: the vocabulary of seed 001.

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

display_and_parse!(
    ServiceType => "service type",
    RiskLevel => "risk level",
    SubscriberType => "subscriber type",
    ArpuTrend => "ARPU trend",
    Priority => "priority",
    SortColumn => "sort column",
);

/// A subscriber number as UT360 stores it (seed 001: an encrypted ISDN in base64,
/// e.g. `++/hZFPrCDRre55vsZqqxQ==`). Checked before any lookup.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Isdn(String);

impl Isdn {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(value: &str) -> Result<Self, String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-');
        if value.is_empty() {
            Err("an ISDN is required".into())
        } else if value.chars().count() > Self::MAX_CHARS {
            Err(format!("an ISDN has at most {} characters", Self::MAX_CHARS))
        } else if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
            Err(format!("{value:?} is not an ISDN: {bad:?} is not allowed (letters, digits and + / = _ - are)"))
        } else {
            Ok(Self(value.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

/// Which subscribers a list holds: every filter given must match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecommendationFilter {
    pub service: Option<ServiceType>,
    pub risk: Option<RiskLevel>,
    pub cluster: Option<i32>,
    pub subscriber_type: Option<SubscriberType>,
    pub trend: Option<ArpuTrend>,
    /// Lowest customer value score, 0 to 100.
    pub min_value: Option<f64>,
    /// Lowest advance readiness score, 0 to 100.
    pub min_readiness: Option<f64>,
}

/// A list's parameters as a URL query carries them, as text ("" when absent) so each
/// bad value gets a message naming its parameter. The API and the list page share
/// the names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListParams {
    pub service: String,
    pub risk: String,
    pub cluster: String,
    pub subscriber_type: String,
    pub trend: String,
    pub min_value: String,
    pub min_readiness: String,
    pub sort: String,
    pub order: String,
    pub after: String,
    pub before: String,
    pub limit: String,
}

/// A bad list parameter: its name and what is wrong.
pub type ParamError = (&'static str, String);

fn parsed<T: FromStr>(field: &'static str, text: &str) -> Result<Option<T>, ParamError>
where
    T::Err: fmt::Display,
{
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<T>().map(Some).map_err(|e| (field, format!("{text:?}: {e}")))
}

impl ListParams {
    pub fn filter(&self) -> Result<RecommendationFilter, ParamError> {
        fn score(field: &'static str, text: &str) -> Result<Option<f64>, ParamError> {
            match parsed::<f64>(field, text)? {
                Some(score) if !(0.0..=100.0).contains(&score) => Err((field, format!("{score} is outside 0 to 100"))),
                other => Ok(other),
            }
        }
        Ok(RecommendationFilter {
            service: parsed("service", &self.service)?,
            risk: parsed("risk", &self.risk)?,
            cluster: parsed("cluster", &self.cluster)?,
            subscriber_type: parsed("subscriber_type", &self.subscriber_type)?,
            trend: parsed("trend", &self.trend)?,
            min_value: score("min_value", &self.min_value)?,
            min_readiness: score("min_readiness", &self.min_readiness)?,
        })
    }

    /// Priority, highest first, unless `sort` / `order` say otherwise.
    pub fn sort(&self) -> Result<ListSort, ParamError> {
        let column = parsed::<SortColumn>("sort", &self.sort)?.unwrap_or(SortColumn::Priority);
        let descending = match self.order.trim() {
            "" => column.descending_by_default(),
            "desc" => true,
            "asc" => false,
            other => return Err(("order", format!("{other:?}: expected asc or desc"))),
        };
        Ok(ListSort { column, descending })
    }

    /// `name=value&…` of the parameters that have a value, percent-encoded.
    pub fn query_string(&self) -> String {
        let pairs = [
            ("service", &self.service),
            ("risk", &self.risk),
            ("cluster", &self.cluster),
            ("subscriber_type", &self.subscriber_type),
            ("trend", &self.trend),
            ("min_value", &self.min_value),
            ("min_readiness", &self.min_readiness),
            ("sort", &self.sort),
            ("order", &self.order),
            ("after", &self.after),
            ("before", &self.before),
            ("limit", &self.limit),
        ];
        query_string(&pairs)
    }
}

/// The columns a list can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortColumn {
    Priority,
    Isdn,
    Service,
    Risk,
    Advance,
    CustomerValue,
    Readiness,
    ArpuAvg,
    Trend,
    Cluster,
}

impl SortColumn {
    pub const ALL: [SortColumn; 10] = [
        Self::Priority,
        Self::Isdn,
        Self::Service,
        Self::Risk,
        Self::Advance,
        Self::CustomerValue,
        Self::Readiness,
        Self::ArpuAvg,
        Self::Trend,
        Self::Cluster,
    ];

    /// The name in `sort=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Priority => "priority",
            Self::Isdn => "isdn",
            Self::Service => "service",
            Self::Risk => "risk",
            Self::Advance => "advance",
            Self::CustomerValue => "value",
            Self::Readiness => "readiness",
            Self::ArpuAvg => "arpu",
            Self::Trend => "trend",
            Self::Cluster => "cluster",
        }
    }

    /// Figures read best largest first; names A to Z.
    pub fn descending_by_default(self) -> bool {
        !matches!(self, Self::Isdn | Self::Service | Self::Risk | Self::Trend)
    }
}

/// A list's order: the column, then ISDN in the same direction to break ties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for ListSort {
    fn default() -> Self {
        Self { column: SortColumn::Priority, descending: true }
    }
}

/// How many subscribers a list holds: exact, or at least this many when counting
/// further would cost more than the page itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchCount {
    Exact(i64),
    AtLeast(i64),
}

/// Kept as they are in a path segment; everything else is percent-encoded.
const PATH_SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'=');

/// `isdn` as one URL path segment: `++/hZ…==` → `%2B%2B%2FhZ…==`.
pub fn isdn_path_segment(isdn: &str) -> String {
    percent_encoding::utf8_percent_encode(isdn, PATH_SEGMENT).to_string()
}

/// `name=value&…` of the pairs that have a value, percent-encoded.
pub fn query_string(pairs: &[(&str, &String)]) -> String {
    pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", isdn_path_segment(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path?query`, or `path` alone when the query is empty.
pub fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// One bar of a dashboard: the subscribers of one service, service and risk, or
/// cluster, with their sums and averages (from `recommendation_stats`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupFigures {
    /// The service (`MBFG`), service and risk (`MBFG|LOW`), cluster (`3`) or service
    /// and cluster (`MBFG|3`).
    pub key: String,
    pub subscribers: i64,
    pub total_advance: f64,
    /// Sum of revenue per advance.
    pub total_revenue: f64,
    pub avg_value_score: Option<f64>,
    pub avg_readiness_score: Option<f64>,
    pub avg_arpu: Option<f64>,
}

/// The risk, service and cluster dashboards' figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboards {
    pub by_service: Vec<GroupFigures>,
    pub by_service_and_risk: Vec<GroupFigures>,
    pub by_cluster: Vec<GroupFigures>,
    /// Each cluster's service mix.
    pub by_service_and_cluster: Vec<GroupFigures>,
}

/// A recommendation in a list, with the score the list is ordered by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListedRecommendation {
    #[serde(flatten)]
    pub recommendation: Recommendation,
    pub priority_score: Option<f64>,
}

/// One page of a list, in the list's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecommendationPage {
    pub items: Vec<ListedRecommendation>,
    /// Where the next page starts (`after=`); `None` on the last page.
    pub next: Option<String>,
    /// Where the page before ends (`before=`); `None` on the first page.
    pub previous: Option<String>,
}

/// What a bulk lookup found, in the order asked, each ISDN once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkLookup {
    pub found: Vec<Recommendation>,
    pub not_found: Vec<String>,
}

/// Subscribers with one service and one risk level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceRiskCount {
    pub service_type: String,
    pub bad_debt_risk: String,
    pub subscribers: i64,
}

/// A labelled count, e.g. subscribers of one service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelledCount {
    pub label: String,
    pub subscribers: i64,
}

/// The overview page's figures: seed 001's `ut360:meta:stats` plus the service × risk split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverviewStats {
    pub total_subscribers: i64,
    pub by_service: Vec<LabelledCount>,
    pub by_risk: Vec<LabelledCount>,
    pub by_service_and_risk: Vec<ServiceRiskCount>,
    pub avg_advance_amount: f64,
    pub total_revenue_potential: f64,
    /// RFC 3339 time the statistics were computed; `None` before any data is loaded.
    pub last_updated: Option<String>,
}

impl OverviewStats {
    pub fn is_empty(&self) -> bool {
        self.total_subscribers == 0
    }

    pub fn subscribers_of_service(&self, service: ServiceType) -> i64 {
        count_labelled(&self.by_service, service.as_str())
    }

    pub fn subscribers_at_risk(&self, risk: RiskLevel) -> i64 {
        count_labelled(&self.by_risk, risk.as_str())
    }

    pub fn subscribers_of_service_at_risk(&self, service: ServiceType, risk: RiskLevel) -> i64 {
        self.by_service_and_risk
            .iter()
            .find(|c| c.service_type == service.as_str() && c.bad_debt_risk == risk.as_str())
            .map_or(0, |c| c.subscribers)
    }

    /// Risk levels with at least one subscriber, in their natural order.
    pub fn present_risks(&self) -> Vec<RiskLevel> {
        RiskLevel::ALL.into_iter().filter(|risk| self.subscribers_at_risk(*risk) > 0).collect()
    }
}

/// Seed 001's `ut360:meta:stats`: the dataset's headline figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetaStats {
    pub total_subscribers: i64,
    pub total_easycredit: i64,
    pub total_mbfg: i64,
    pub total_ungsanluong: i64,
    pub total_low_risk: i64,
    pub total_medium_risk: i64,
    /// Đồng, rounded.
    pub avg_advance_amount: i64,
    pub total_revenue_potential: i64,
    /// `YYYY-MM-DDTHH:MM:SS`, empty before any load.
    pub last_updated: String,
    pub data_version: String,
}

impl MetaStats {
    /// Seed 001's version stamp.
    pub const DATA_VERSION: &'static str = "v1.0";

    pub fn from_overview(stats: &OverviewStats) -> Self {
        Self {
            total_subscribers: stats.total_subscribers,
            total_easycredit: stats.subscribers_of_service(ServiceType::EasyCredit),
            total_mbfg: stats.subscribers_of_service(ServiceType::Mbfg),
            total_ungsanluong: stats.subscribers_of_service(ServiceType::Ungsanluong),
            total_low_risk: stats.subscribers_at_risk(RiskLevel::Low),
            total_medium_risk: stats.subscribers_at_risk(RiskLevel::Medium),
            avg_advance_amount: stats.avg_advance_amount.round() as i64,
            total_revenue_potential: stats.total_revenue_potential.round() as i64,
            last_updated: stats.last_updated.clone().unwrap_or_default(),
            data_version: Self::DATA_VERSION.to_owned(),
        }
    }

    /// The hash's fields, exactly the seed's ten.
    pub fn to_hash_fields(&self) -> [(&'static str, String); 10] {
        [
            ("total_subscribers", self.total_subscribers.to_string()),
            ("total_easycredit", self.total_easycredit.to_string()),
            ("total_mbfg", self.total_mbfg.to_string()),
            ("total_ungsanluong", self.total_ungsanluong.to_string()),
            ("total_low_risk", self.total_low_risk.to_string()),
            ("total_medium_risk", self.total_medium_risk.to_string()),
            ("avg_advance_amount", self.avg_advance_amount.to_string()),
            ("total_revenue_potential", self.total_revenue_potential.to_string()),
            ("last_updated", self.last_updated.clone()),
            ("data_version", self.data_version.clone()),
        ]
    }

    /// Reads the hash back; `None` if a field is missing or not a number.
    pub fn from_hash_fields(fields: &std::collections::HashMap<String, String>) -> Option<Self> {
        let number = |name: &str| fields.get(name)?.parse::<i64>().ok();
        Some(Self {
            total_subscribers: number("total_subscribers")?,
            total_easycredit: number("total_easycredit")?,
            total_mbfg: number("total_mbfg")?,
            total_ungsanluong: number("total_ungsanluong")?,
            total_low_risk: number("total_low_risk")?,
            total_medium_risk: number("total_medium_risk")?,
            avg_advance_amount: number("avg_advance_amount")?,
            total_revenue_potential: number("total_revenue_potential")?,
            last_updated: fields.get("last_updated")?.clone(),
            data_version: fields.get("data_version")?.clone(),
        })
    }
}

fn count_labelled(counts: &[LabelledCount], label: &str) -> i64 {
    counts.iter().find(|c| c.label == label).map_or(0, |c| c.subscribers)
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
    fn isdns_are_checked() {
        assert_eq!(Isdn::parse("++/hZFPrCDRre55vsZqqxQ==").unwrap().as_str(), "++/hZFPrCDRre55vsZqqxQ==");
        assert_eq!(Isdn::parse("84912345678").unwrap().as_str(), "84912345678");
        assert!(Isdn::parse("").is_err());
        assert!(Isdn::parse("abc def").unwrap_err().contains("' ' is not allowed"));
        assert!(Isdn::parse(&"a".repeat(256)).is_err());
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
