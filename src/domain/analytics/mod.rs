//! Seed 004's analytics layer (issue 24): the shared types of its aggregates, insights,
//! alerts, usage of the app, cohorts, funnels and data sources.

pub mod aggregates;
pub mod alerts;
pub mod cohorts;
pub mod data_sources;
pub mod funnels;
pub mod insights;
pub mod usage;
