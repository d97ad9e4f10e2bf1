//! The pages of seed 004's analytics layer (issue 24).

mod aggregates;
mod alerts;
mod cohorts;
mod data_sources;
mod funnels;
mod insights;
mod usage;

pub use alerts::{acknowledge_alert, delete_alert_rule, get_alerts, save_alert_rule, set_alert_rule_enabled, AlertsPage};
pub use insights::{get_insights, mark_insight_read, InsightsPage};
