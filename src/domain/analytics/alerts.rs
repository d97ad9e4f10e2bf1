//! Performance alerts (seed 004's `performance_alerts`) and the rules that open them:
//! a channel's metric of the hourly or daily aggregates against a threshold. Rules are
//! checked here (each refusal names its field); the database evaluates them
//! (`evaluate_performance_alerts`, migration 20261206000050).

use crate::domain::field_error::{FieldError, NumberKind, Problem};
use serde::{Deserialize, Serialize};

pub const ALERTS_PATH: &str = "/alerts";
/// Closed alerts the history shows.
pub const ALERT_HISTORY_SIZE: i64 = 50;
/// Rules one organization may have.
pub const MAX_ALERT_RULES: i64 = 200;

/// The channels of the aggregates and their metrics (the helpers' shared contract).
/// A `prefix.` entry stands for a family of per-segment metrics, e.g.
/// `volume.merchant.<client_code>`.
pub const CHANNEL_METRICS: &[(&str, &[&str])] = &[
    (
        "transactions",
        &[
            "volume",
            "count",
            "success_rate",
            "volume.payment_mode.",
            "count.payment_mode.",
            "success_rate.payment_mode.",
            "volume.merchant.",
            "count.merchant.",
            "success_rate.merchant.",
        ],
    ),
    ("lookups", &["api_calls", "cache_hit_rate", "latency_p99_ms"]),
    ("campaigns", &["exports", "members_exported"]),
    ("web", &["page_views", "sessions", "sign_ins"]),
    ("imports", &["rows_imported", "rows_rejected", "transactions_loaded"]),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdType {
    Above,
    Below,
    /// The latest value against the one before, in percent, either direction.
    PercentageChange,
}

impl ThresholdType {
    pub const ALL: [ThresholdType; 3] = [ThresholdType::Above, ThresholdType::Below, ThresholdType::PercentageChange];

    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdType::Above => "above",
            ThresholdType::Below => "below",
            ThresholdType::PercentageChange => "percentage_change",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ThresholdType::Above => "above",
            ThresholdType::Below => "below",
            ThresholdType::PercentageChange => "changes by at least (%)",
        }
    }

    pub fn parse(text: &str) -> Option<ThresholdType> {
        ThresholdType::ALL.into_iter().find(|kind| kind.as_str() == text.trim())
    }
}

/// Which aggregates a rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertPeriod {
    Hour,
    Day,
}

impl AlertPeriod {
    pub const ALL: [AlertPeriod; 2] = [AlertPeriod::Day, AlertPeriod::Hour];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertPeriod::Hour => "hour",
            AlertPeriod::Day => "day",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertPeriod::Hour => "latest hour",
            AlertPeriod::Day => "latest day",
        }
    }

    pub fn parse(text: &str) -> Option<AlertPeriod> {
        AlertPeriod::ALL.into_iter().find(|period| period.as_str() == text.trim())
    }
}

/// A rule as a manager wrote it, checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRuleDraft {
    pub channel: String,
    pub metric: String,
    pub period: AlertPeriod,
    pub threshold_type: ThresholdType,
    pub threshold_value: f64,
}

/// Whether `metric` is one of `channel`'s (a segment's code after a family's prefix:
/// letters, digits and `_-.:` only, up to the column's 100 characters).
pub fn is_known_metric(channel: &str, metric: &str) -> bool {
    let Some((_, metrics)) = CHANNEL_METRICS.iter().find(|(name, _)| *name == channel) else { return false };
    metrics.iter().any(|known| match known.strip_suffix('.') {
        Some(_) => metric.strip_prefix(known).is_some_and(|code| {
            !code.is_empty()
                && metric.len() <= 100
                && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        }),
        None => metric == *known,
    })
}

impl AlertRuleDraft {
    /// The form's fields as typed; the first one at fault is named.
    pub fn parse(
        channel: &str,
        metric: &str,
        period: &str,
        threshold_type: &str,
        threshold_value: &str,
    ) -> Result<AlertRuleDraft, FieldError> {
        let channel = channel.trim();
        if !CHANNEL_METRICS.iter().any(|(name, _)| *name == channel) {
            let names = CHANNEL_METRICS.iter().map(|(name, _)| *name);
            return Err(FieldError::new("channel", Problem::not_one_of(channel, names)));
        }
        let metric = metric.trim();
        if !is_known_metric(channel, metric) {
            let (text, channel) = (metric.to_owned(), channel.to_owned());
            return Err(FieldError::new("metric", Problem::NotAMetric { text, channel }));
        }
        let period = AlertPeriod::parse(period)
            .ok_or_else(|| FieldError::new("period", Problem::not_one_of(period.trim(), ["hour", "day"])))?;
        let threshold_type = ThresholdType::parse(threshold_type).ok_or_else(|| {
            let allowed = ["above", "below", "percentage_change"];
            FieldError::new("threshold_type", Problem::not_one_of(threshold_type.trim(), allowed))
        })?;
        let threshold_value = match threshold_value.trim().replace(',', ".").parse::<f64>() {
            Ok(value) if value.is_finite() && value.abs() < 1e13 => (value * 100.0).round() / 100.0,
            _ => {
                let text = threshold_value.trim().to_owned();
                return Err(FieldError::new("threshold_value", Problem::NotANumber { text, kind: NumberKind::Any }));
            }
        };
        if threshold_type == ThresholdType::PercentageChange && threshold_value <= 0.0 {
            return Err(FieldError::new("threshold_value", Problem::PercentageChangeNotPositive));
        }
        Ok(AlertRuleDraft {
            channel: channel.to_owned(),
            metric: metric.to_owned(),
            period,
            threshold_type,
            threshold_value,
        })
    }
}

/// A rule as the page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRuleListing {
    pub id: String,
    pub channel: String,
    pub metric: String,
    pub period: AlertPeriod,
    pub threshold_type: ThresholdType,
    pub threshold_value: f64,
    pub enabled: bool,
    pub created_by: Option<String>,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub updated_at: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertType {
    ThresholdBreach,
    AnomalyDetected,
    GoalAtRisk,
}

impl AlertType {
    pub fn parse(text: &str) -> Option<AlertType> {
        match text {
            "threshold_breach" => Some(AlertType::ThresholdBreach),
            "anomaly_detected" => Some(AlertType::AnomalyDetected),
            "goal_at_risk" => Some(AlertType::GoalAtRisk),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlertType::ThresholdBreach => "threshold_breach",
            AlertType::AnomalyDetected => "anomaly_detected",
            AlertType::GoalAtRisk => "goal_at_risk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertType::ThresholdBreach => "Threshold breached",
            AlertType::AnomalyDetected => "Anomaly",
            AlertType::GoalAtRisk => "Goal at risk",
        }
    }
}

/// One alert as the page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertListing {
    pub id: String,
    pub alert_type: AlertType,
    pub channel: String,
    pub metric: String,
    pub current_value: f64,
    pub threshold_value: f64,
    pub threshold_type: String,
    /// Vietnamese.
    pub message: String,
    pub is_active: bool,
    pub is_acknowledged: bool,
    /// The member's email.
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<String>,
    pub created_at: String,
    /// When the value it reports was measured.
    pub measured_at: Option<String>,
}

/// What `/alerts` shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertsOverview {
    pub active: Vec<AlertListing>,
    /// Closed alerts, newest first, up to `ALERT_HISTORY_SIZE`.
    pub history: Vec<AlertListing>,
    pub rules: Vec<AlertRuleListing>,
    /// Whether the viewer may create, change and delete rules.
    pub may_edit_rules: bool,
}

/// What an evaluation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsEvaluated {
    pub opened: i32,
    pub closed: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_name_the_field_at_fault() {
        let field =
            |c: &str, m: &str, p: &str, t: &str, v: &str| AlertRuleDraft::parse(c, m, p, t, v).unwrap_err().field;
        assert_eq!(field("tv", "volume", "day", "above", "1"), "channel");
        assert_eq!(field("transactions", "api_calls", "day", "above", "1"), "metric");
        assert_eq!(field("transactions", "volume.merchant.", "day", "above", "1"), "metric");
        assert_eq!(field("transactions", "volume.merchant.a b", "day", "above", "1"), "metric");
        assert_eq!(field("transactions", "volume", "week", "above", "1"), "period");
        assert_eq!(field("transactions", "volume", "day", "over", "1"), "threshold_type");
        assert_eq!(field("transactions", "volume", "day", "above", "many"), "threshold_value");
        assert_eq!(field("transactions", "volume", "day", "above", "NaN"), "threshold_value");
        assert_eq!(field("transactions", "volume", "day", "percentage_change", "0"), "threshold_value");
    }

    #[test]
    fn good_rules_are_read() {
        let rule =
            AlertRuleDraft::parse(" transactions ", "success_rate.merchant.M_01", "hour", "below", "92,5").unwrap();
        assert_eq!(rule.metric, "success_rate.merchant.M_01");
        assert_eq!(rule.period, AlertPeriod::Hour);
        assert_eq!(rule.threshold_type, ThresholdType::Below);
        assert_eq!(rule.threshold_value, 92.5);
        assert!(is_known_metric("lookups", "latency_p99_ms"));
        assert!(!is_known_metric("lookups", "latency"));
    }
}
