//! Marketing campaigns (seed 002 use case 3, seed 001 use case 6): the rules that pick
//! who gets an advance offer, and what an export of them holds. Shared by the
//! server and the rule builder in the browser.

use crate::domain::field_error::{FieldError, Problem};
use crate::domain::recommendation::{ArpuTrend, RiskLevel, ServiceType, SubscriberType};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Ids of what marketing saves: UUIDs, checked where they come in (a URL, a form) and
/// written in JSON and URLs as the UUID's text.
macro_rules! saved_id {
    ($name:ident, $what:literal) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                Uuid::parse_str(text.trim()).map(Self).map_err(|_| format!("{text:?} is not {}", $what))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

saved_id!(CampaignId, "a campaign id");
saved_id!(SuppressionListId, "a suppression list id");

/// Who a campaign selects. Each list allows any of its values (empty: any value);
/// every rule given must hold. Ordered by priority, highest first, up to `limit`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CampaignRules {
    pub risks: Vec<RiskLevel>,
    pub services: Vec<ServiceType>,
    pub clusters: Vec<i32>,
    pub subscriber_types: Vec<SubscriberType>,
    pub trends: Vec<ArpuTrend>,
    /// Lowest customer value score, 0 to 100.
    pub min_value: Option<f64>,
    /// Lowest advance readiness score, 0 to 100.
    pub min_readiness: Option<f64>,
    /// Advance amount range in đồng, both ends included.
    pub min_advance: Option<f64>,
    pub max_advance: Option<f64>,
    /// Top N by priority; `None` for everyone who matches.
    pub limit: Option<u32>,
    /// Leave out whoever a completed export of these campaigns (ids) held.
    pub exclude_campaigns: Vec<CampaignId>,
    /// Leave out the members of these uploaded suppression lists.
    pub exclude_lists: Vec<SuppressionListId>,
}

impl CampaignRules {
    /// The most a campaign can hold, in line with the 1,000,000-row export.
    pub const MAX_LIMIT: u32 = 1_000_000;

    /// Seed 002's campaign query: LOW risk, customer value ≥ 70, readiness ≥ 80, the
    /// top 10,000 by priority.
    pub fn seed_template() -> Self {
        Self {
            risks: vec![RiskLevel::Low],
            min_value: Some(70.0),
            min_readiness: Some(80.0),
            limit: Some(10_000),
            ..Self::default()
        }
    }

    /// Every rule within its range; the first one that is not, named.
    pub fn validate(&self) -> Result<(), FieldError> {
        for (field, score) in [("min_value", self.min_value), ("min_readiness", self.min_readiness)] {
            if let Some(score) = score {
                if !(0.0..=100.0).contains(&score) {
                    return Err(FieldError::new(field, Problem::out_of_range(score, 0, 100)));
                }
            }
        }
        for (field, amount) in [("min_advance", self.min_advance), ("max_advance", self.max_advance)] {
            if let Some(amount) = amount {
                if !amount.is_finite() || amount < 0.0 {
                    return Err(FieldError::new(field, Problem::NotAnAmount { text: amount.to_string() }));
                }
            }
        }
        if let (Some(min), Some(max)) = (self.min_advance, self.max_advance) {
            if min > max {
                return Err(FieldError::new(
                    "max_advance",
                    Problem::EndsBeforeStart { end: max.to_string(), start: min.to_string() },
                ));
            }
        }
        if let Some(cluster) = self.clusters.iter().find(|c| **c < 0) {
            return Err(FieldError::new("clusters", Problem::NotACluster { value: cluster.to_string() }));
        }
        if let Some(limit) = self.limit {
            if !(1..=Self::MAX_LIMIT).contains(&limit) {
                return Err(FieldError::new("limit", Problem::out_of_range(limit, 1, Self::MAX_LIMIT)));
            }
        }
        Ok(())
    }
}

/// A saved campaign, as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: CampaignId,
    pub name: String,
    pub owner: String,
    pub rules: CampaignRules,
    /// RFC 3339.
    pub updated_at: String,
    pub exports: i64,
}

/// An uploaded list of ISDNs to leave out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuppressionList {
    pub id: SuppressionListId,
    pub name: String,
    pub isdn_count: i64,
    /// RFC 3339.
    pub created_at: String,
}

/// One recorded export: who, when, what and how many rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportEvent {
    pub id: String,
    /// RFC 3339.
    pub at: String,
    /// `csv` or `xlsx`.
    pub format: String,
    pub rows: i64,
    /// `complete`, or `interrupted` when the download stopped before its end.
    pub status: String,
    pub columns: Vec<String>,
    pub file_name: String,
    pub user: String,
}

/// What the rule builder shows while rules change: how many match, the first rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignPreview {
    /// After suppression and the limit.
    pub count: i64,
    /// Before the limit, so users see what it cuts.
    pub matching: i64,
    pub top: Vec<crate::domain::lists::ListedRecommendation>,
}

/// The columns an export can hold: seed 001's `rec` fields, in its order, with the
/// names people read.
pub const EXPORT_COLUMNS: [(&str, &str); 14] = [
    ("isdn", "ISDN"),
    ("subscriber_type", "PRE/POS"),
    ("service_type", "Service"),
    ("advance_amount", "Advance (₫)"),
    ("revenue_per_advance", "Revenue per advance (₫)"),
    ("cluster_group", "Cluster"),
    ("bad_debt_risk", "Risk"),
    ("arpu_avg_6m", "ARPU, 6-month average (₫)"),
    ("arpu_growth_rate", "ARPU growth (%)"),
    ("arpu_trend", "ARPU trend"),
    ("customer_value_score", "Customer value"),
    ("advance_readiness_score", "Advance readiness"),
    ("recommendation_date", "Recommendation date"),
    ("priority", "Priority"),
];

/// The columns of `columns=isdn,service_type,…` in the order given; every column when
/// empty. An unknown or repeated name is refused, named.
pub fn parse_export_columns(text: &str) -> Result<Vec<&'static str>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(EXPORT_COLUMNS.iter().map(|(name, _)| *name).collect());
    }
    let mut chosen = Vec::new();
    for name in text.split(',').map(str::trim).filter(|name| !name.is_empty()) {
        let Some((known, _)) = EXPORT_COLUMNS.iter().find(|(known, _)| *known == name) else {
            let names: Vec<&str> = EXPORT_COLUMNS.iter().map(|(name, _)| *name).collect();
            return Err(format!("unknown column {name:?}; expected some of {}", names.join(", ")));
        };
        if chosen.contains(known) {
            return Err(format!("column {name:?} is given twice"));
        }
        chosen.push(*known);
    }
    if chosen.is_empty() {
        return Err("choose at least one column".into());
    }
    Ok(chosen)
}

/// `name` made safe for a file name: letters and digits (Vietnamese ones too) kept,
/// anything else a single `-`.
pub fn file_name_part(name: &str) -> String {
    let mut part = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            part.extend(c.to_lowercase());
        } else if !part.ends_with('-') && !part.is_empty() {
            part.push('-');
        }
    }
    let part = part.trim_end_matches('-');
    if part.is_empty() {
        "campaign".to_owned()
    } else {
        part.chars().take(60).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_checked_and_named() {
        assert_eq!(CampaignRules::seed_template().validate(), Ok(()));
        let bad = |rules: CampaignRules| rules.validate().unwrap_err().field;
        assert_eq!(bad(CampaignRules { min_value: Some(101.0), ..Default::default() }), "min_value");
        assert_eq!(bad(CampaignRules { min_readiness: Some(-1.0), ..Default::default() }), "min_readiness");
        assert_eq!(
            bad(CampaignRules { min_advance: Some(50_000.0), max_advance: Some(10_000.0), ..Default::default() }),
            "max_advance"
        );
        assert_eq!(bad(CampaignRules { limit: Some(0), ..Default::default() }), "limit");
        assert_eq!(bad(CampaignRules { clusters: vec![-2], ..Default::default() }), "clusters");
    }

    #[test]
    fn saved_ids_are_uuids_in_json_and_urls() {
        let id: CampaignId = "6f1c1d3e-8f7a-4c2b-9d7e-0a1b2c3d4e5f".parse().unwrap();
        assert_eq!(id.to_string(), "6f1c1d3e-8f7a-4c2b-9d7e-0a1b2c3d4e5f");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""6f1c1d3e-8f7a-4c2b-9d7e-0a1b2c3d4e5f""#);
        assert!("1; DROP".parse::<CampaignId>().unwrap_err().contains("not a campaign id"));
        let rules = r#"{"exclude_campaigns": ["1; DROP"]}"#;
        assert!(serde_json::from_str::<CampaignRules>(rules).is_err(), "a rule naming no campaign is refused");
    }

    #[test]
    fn rules_travel_as_json_in_seed_spelling() {
        let json = serde_json::to_value(CampaignRules::seed_template()).unwrap();
        assert_eq!(json["risks"], serde_json::json!(["LOW"]));
        assert_eq!(json["limit"], 10_000);
        let unknown = serde_json::from_str::<CampaignRules>(r#"{"colour":"red"}"#).unwrap_err();
        assert!(unknown.to_string().contains("colour"), "{unknown}");
    }

    #[test]
    fn export_columns_keep_their_order_and_refuse_strangers() {
        assert_eq!(parse_export_columns("").unwrap().len(), 14);
        assert_eq!(parse_export_columns("priority, isdn").unwrap(), vec!["priority", "isdn"]);
        assert!(parse_export_columns("isdn,colour").unwrap_err().contains("\"colour\""));
        assert!(parse_export_columns("isdn,isdn").unwrap_err().contains("twice"));
        assert!(parse_export_columns(" , ").unwrap_err().contains("at least one"));
    }

    #[test]
    fn file_names_keep_words() {
        assert_eq!(file_name_part("Tết 2027: LOW risk / top 10k"), "tết-2027-low-risk-top-10k");
        assert_eq!(file_name_part("  ../../  "), "campaign");
    }

    mod properties {
        use super::super::CampaignRules;
        use crate::domain::recommendation::{ArpuTrend, RiskLevel, ServiceType, SubscriberType};
        use proptest::prelude::*;

        /// The rules' names, as the rule builder and the JSON carry them.
        const NAMES: [&str; 12] = [
            "risks",
            "services",
            "clusters",
            "subscriber_types",
            "trends",
            "min_value",
            "min_readiness",
            "min_advance",
            "max_advance",
            "limit",
            "exclude_campaigns",
            "exclude_lists",
        ];

        fn number() -> impl Strategy<Value = Option<f64>> {
            proptest::option::of(prop_oneof![any::<f64>(), -10.0..110.0f64, Just(f64::NAN), Just(f64::INFINITY)])
        }

        /// Ids are typed: any UUID is one (text that is none is refused when read, below).
        fn ids<T: From<uuid::Uuid> + std::fmt::Debug>() -> impl Strategy<Value = Vec<T>> {
            proptest::collection::vec(any::<u128>().prop_map(|n| T::from(uuid::Uuid::from_u128(n))), 0..3)
        }

        fn rules() -> impl Strategy<Value = CampaignRules> {
            let one_of = |n: usize| proptest::collection::vec(0..n, 0..4);
            (
                (one_of(3), one_of(3), proptest::collection::vec(any::<i32>(), 0..4), one_of(2), one_of(3)),
                (number(), number(), number(), number()),
                (proptest::option::of(prop_oneof![any::<u32>(), 0..2_000_000u32]), ids(), ids()),
            )
                .prop_map(
                    |((risks, services, clusters, types, trends), (v, r, lo, hi), (limit, campaigns, lists))| {
                        CampaignRules {
                            risks: risks
                                .into_iter()
                                .map(|i| [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High][i])
                                .collect(),
                            services: services
                                .into_iter()
                                .map(|i| [ServiceType::EasyCredit, ServiceType::Mbfg, ServiceType::Ungsanluong][i])
                                .collect(),
                            clusters,
                            subscriber_types: types
                                .into_iter()
                                .map(|i| [SubscriberType::Pre, SubscriberType::Pos][i])
                                .collect(),
                            trends: trends
                                .into_iter()
                                .map(|i| [ArpuTrend::Growing, ArpuTrend::Stable, ArpuTrend::Declining][i])
                                .collect(),
                            min_value: v,
                            min_readiness: r,
                            min_advance: lo,
                            max_advance: hi,
                            limit,
                            exclude_campaigns: campaigns,
                            exclude_lists: lists,
                        }
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// No panic; a refusal names one of the rules; accepted rules are in range.
            #[test]
            fn any_rules_are_accepted_or_refused_by_name(rules in rules()) {
                match rules.validate() {
                    Err(error) => prop_assert!(NAMES.contains(&error.field) && !error.message(crate::domain::language::Language::En).is_empty(), "{:?}", error),
                    Ok(()) => {
                        for score in [rules.min_value, rules.min_readiness].into_iter().flatten() {
                            prop_assert!((0.0..=100.0).contains(&score));
                        }
                        if let (Some(lo), Some(hi)) = (rules.min_advance, rules.max_advance) {
                            prop_assert!(lo <= hi);
                        }
                    }
                }
            }

            /// Rules as JSON from anyone: no panic, whatever the text.
            #[test]
            fn any_json_is_read_or_refused(text in prop_oneof![any::<String>(), "\\{\"[a-z_]{1,16}\": ?(-?[0-9.e]{1,8}|\\[[0-9, \"A-Z]{0,12}\\]|\"[A-Za-z]{0,8}\")\\}"]) {
                if let Ok(rules) = serde_json::from_str::<CampaignRules>(&text) {
                    let _ = rules.validate();
                }
            }
        }
    }
}
