//! The server side: command line, configuration, HTTP serving and demo data.

pub mod api;
mod api_auth;
pub mod api_keys;
pub mod auth;
pub mod body_limit;
pub mod cli;
pub mod client_address;
mod ctv_cli;
pub mod error;
pub mod exports;
pub mod generate;
pub mod heavy_work;
pub mod import;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod organizations_cli;
mod progress;
pub mod search;
pub mod security;
pub mod serve;
pub mod state;
pub mod sync_cache;
mod telemetry;
mod timing;
pub mod transactions_cli;
pub mod users_cli;
