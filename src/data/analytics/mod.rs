//! Seed 004's analytics tables (issue 24): what the scheduler writes and the pages read.

pub mod aggregates;
pub mod alerts;
pub mod cohorts;
pub mod data_sources;
pub mod funnels;
pub mod insights;
pub mod usage;
