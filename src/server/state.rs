use super::metrics::Metrics;
use crate::data::{Organization, Store};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

/// What every request handler and server function can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    /// Until sign-in exists every page acts for the default organization; API
    /// requests act for their key's.
    pub organization: Organization,
    pub metrics: std::sync::Arc<Metrics>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, store: Store, organization: Organization) -> Self {
        Self { leptos_options, store, organization, metrics: Default::default() }
    }
}
