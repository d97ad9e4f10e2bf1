use super::auth::SessionPolicy;
use super::metrics::Metrics;
use super::security::HttpSecurity;
use crate::data::Store;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use tower_sessions_sqlx_store::PostgresStore;

/// What every request handler and server function can reach. Pages act for the
/// signed-in member's organization (the gate puts the member on the request); API
/// requests for their key's.
///
/// One allocation shared by every request: the router, each middleware and each
/// handler take their own copy of the state, and copying the fields themselves (the
/// Leptos options' strings, the store's clients) was a tenth of a lookup's CPU time.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

#[derive(Clone)]
pub struct SharedState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub sessions: PostgresStore,
    pub session_policy: SessionPolicy,
    pub metrics: Arc<Metrics>,
    pub security: Arc<HttpSecurity>,
    /// Per-address sign-in limit and the bound on password checks at once.
    pub sign_in_guard: Arc<super::auth::limits::SignInGuard>,
    /// Each organization's slots for exports and bulk lookups.
    pub heavy_work: Arc<super::heavy_work::HeavyWork>,
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// Leptos's routes ask for their options by value.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, store: Store, session_policy: SessionPolicy) -> Self {
        let sessions = store.session_store();
        Self(Arc::new(SharedState {
            leptos_options,
            store,
            sessions,
            session_policy,
            metrics: Default::default(),
            security: Default::default(),
            sign_in_guard: Default::default(),
            heavy_work: Default::default(),
        }))
    }

    /// The fields to change while the state is being set up (before any request holds it).
    fn with(self, change: impl FnOnce(&mut SharedState)) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.0);
        change(&mut shared);
        Self(Arc::new(shared))
    }

    /// HSTS, trusted proxies and the metrics token (all off by default).
    pub fn with_security(self, security: HttpSecurity) -> Self {
        self.with(|shared| shared.security = Arc::new(security))
    }

    /// The same, with heavy-work slots of its own (`serve`'s settings, or a test's).
    pub fn with_heavy_work(self, heavy_work: Arc<super::heavy_work::HeavyWork>) -> Self {
        self.with(|shared| shared.heavy_work = heavy_work)
    }

    /// The same, with sign-in limits of its own (`serve`'s settings, or a test's).
    pub fn with_sign_in_limits(self, limits: super::auth::limits::SignInLimits) -> Self {
        self.with(|shared| shared.sign_in_guard = Arc::new(super::auth::limits::SignInGuard::new(limits)))
    }
}
