//! The pages of seed 004's analytics layer (issue 24).

mod aggregates;
mod alerts;
mod cohorts;
mod data_sources;
mod funnels;
mod insights;
mod usage;

pub use alerts::AlertsPage;
pub use cohorts::{get_cohort_analysis, CohortsPage};
pub use data_sources::DataSourcesPage;
pub use funnels::{get_funnel_analysis, FunnelsPage};
pub use insights::InsightsPage;
pub use usage::UsagePage;
