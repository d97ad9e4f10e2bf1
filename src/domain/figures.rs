//! The overview's and the dashboards' figures.

use crate::domain::recommendation::{RiskLevel, ServiceType};
use serde::{Deserialize, Serialize};

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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// `YYYY-MM-DDTHH:MM:SS`; empty before any load.
    pub last_updated: String,
    #[cfg_attr(feature = "ssr", schema(example = "v1.0"))]
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
