use super::auth::SessionPolicy;
use super::metrics::Metrics;
use super::security::HttpSecurity;
use crate::data::Store;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tower_sessions_sqlx_store::PostgresStore;

/// What every request handler and server function can reach. Pages act for the
/// signed-in member's organization (the gate puts the member on the request); API
/// requests for their key's.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub sessions: PostgresStore,
    pub session_policy: SessionPolicy,
    pub metrics: std::sync::Arc<Metrics>,
    pub security: std::sync::Arc<HttpSecurity>,
    /// Per-address sign-in limit and the bound on password checks at once.
    pub sign_in_guard: std::sync::Arc<super::auth::limits::SignInGuard>,
    /// Each organization's slots for exports and bulk lookups.
    pub heavy_work: std::sync::Arc<super::heavy_work::HeavyWork>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, store: Store, session_policy: SessionPolicy) -> Self {
        let sessions = store.session_store();
        Self {
            leptos_options,
            store,
            sessions,
            session_policy,
            metrics: Default::default(),
            security: Default::default(),
            sign_in_guard: Default::default(),
            heavy_work: Default::default(),
        }
    }

    /// HSTS, trusted proxies and the metrics token (all off by default).
    pub fn with_security(self, security: HttpSecurity) -> Self {
        Self { security: std::sync::Arc::new(security), ..self }
    }

    /// The same, with heavy-work slots of its own (`serve`'s settings, or a test's).
    pub fn with_heavy_work(self, heavy_work: std::sync::Arc<super::heavy_work::HeavyWork>) -> Self {
        Self { heavy_work, ..self }
    }

    /// The same, with sign-in limits of its own (`serve`'s settings, or a test's).
    pub fn with_sign_in_limits(self, limits: super::auth::limits::SignInLimits) -> Self {
        Self { sign_in_guard: std::sync::Arc::new(super::auth::limits::SignInGuard::new(limits)), ..self }
    }
}
