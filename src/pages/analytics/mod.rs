//! The pages of seed 004's analytics layer (issue 24).

mod aggregates;
mod alerts;
mod cohorts;
mod data_sources;
mod funnels;
mod insights;
mod usage;

pub use data_sources::DataSourcesPage;
pub use usage::UsagePage;
pub use alerts::AlertsPage;
pub use insights::InsightsPage;
