//! Every integration test in one binary: each module an area of UT360, each test on a
//! fresh database of its own and its own Redis key prefix (see `common`). One binary links
//! the app once instead of once per area.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used)]
// Tests speak SQL of their own (the app's statements go through `data::sql`).
#![allow(clippy::disallowed_methods)]

mod account;
mod analytics_aggregates;
mod analytics_cohorts;
mod analytics_drop_folder;
mod analytics_insights;
mod analytics_usage;
mod api;
mod auth;
mod cache_sync;
mod campaigns;
mod cli;
mod commission_periods;
mod commissions;
mod common;
mod ctv_customers;
mod data_sources;
mod demo_data;
mod fairness;
mod http;
mod import;
mod invitations;
mod language;
mod lookups;
mod meta_stats;
mod network_overview;
mod organizations;
mod redis_cluster;
mod replica;
mod security;
mod security_events;
mod seed_sql;
mod server_functions;
mod shared_pool;
mod sign_in_limits;
mod tenancy_leaks;
mod transactions;
