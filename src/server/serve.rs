//! The HTTP server: Leptos pages and server functions, health probes, graceful shutdown.

use super::cli::{self, ServeArgs, Settings};
use super::state::AppState;
use crate::app::{shell, App};
use crate::data::{Organization, Store};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use leptos::config::{Env, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::LazyLock;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub async fn serve(settings: &Settings, args: &ServeArgs) -> Result<(), String> {
    let store = Store::connect(&settings.app_store()).await.map_err(|e| e.to_string())?;
    // Refuses to start on a database `ut360 migrate` has not prepared.
    cli::organization(&store, Organization::DEFAULT_SLUG).await?;
    // Scheduled jobs (transaction maintenance, analytics, the drop folder), each slot run
    // by one server of however many run; every organization, each round reading the
    // list afresh.
    let scheduler = super::scheduler::start(store.clone(), args.scheduler()).await?;
    let state = AppState::new(leptos_options(args), store.clone(), args.session_policy())
        .with_security(args.http_security())
        .with_sign_in_limits(args.sign_in.limits())
        .with_heavy_work(super::heavy_work::HeavyWork::new(args.heavy_work_per_organization));
    let expired_sessions = tokio::spawn(tower_sessions::session_store::ExpiredDeletion::continuously_delete_expired(
        state.sessions.clone(),
        std::time::Duration::from_secs(600),
    ));

    // Without TCP_NODELAY a response written in several pieces (a streamed page) waits
    // for the client's delayed acknowledgement: 40 ms on Linux.
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?
        .tap_io(|connection| {
            if let Err(error) = connection.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
            }
        });
    tracing::info!("UT360 listening on http://{}", args.bind);
    // The peer's address on every request: a trusted proxy's `X-Forwarded-Proto` is told
    // from anyone's, and sign-in attempts are limited per address.
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server stopped: {e}"))?;
    scheduler.shutdown().await;
    expired_sessions.abort();
    store.close().await;
    tracing::info!("UT360 stopped");
    Ok(())
}

fn leptos_options(args: &ServeArgs) -> LeptosOptions {
    let env = match std::env::var("LEPTOS_ENV").as_deref() {
        Ok("DEV") | Ok("dev") => Env::DEV,
        _ => Env::PROD,
    };
    LeptosOptions::builder()
        .output_name(env!("CARGO_PKG_NAME"))
        .site_root(args.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(args.bind)
        .env(env)
        .build()
}

const HEALTHZ: &str = "/healthz";
const READYZ: &str = "/readyz";
const METRICS: &str = "/metrics";
const SEARCH: &str = "/search";
/// The addresses the router serves besides the pages, exports, sign-in and `/api/v1`
/// (the permission tests walk them).
pub const HANDLER_PATHS: [&str; 4] = [HEALTHZ, READYZ, METRICS, SEARCH];

/// Smaller answers go as they are: a lookup's JSON of a few hundred bytes would save
/// little, and gzip sets up a compressor of its own (hundreds of KB) for each answer.
const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// The pages' routes, generated once for the process. Generating them renders the app
/// with the loading of every resource suppressed in the whole process (leptos_server's
/// `SuppressResourceLoad`, leptos-rs/leptos#4773): a page that another router of the same
/// process began to render meanwhile would wait for its data forever.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let leptos_options = state.leptos_options.clone();
    // Members' page views and actions, written by a task of their own (ends with the router).
    let page_views = super::page_views::PageViews::start(state.store.clone());
    // What people open: behind the session and the permission gate.
    let signed_in = Router::new()
        .route(SEARCH, get(super::search::search))
        .merge(super::exports::routes())
        .merge(super::auth::sign_in::routes(&state))
        .merge(super::auth::organizations::routes())
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Behind the gate: it knows the member.
        .layer(axum::middleware::from_fn_with_state(page_views, super::page_views::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), super::auth::gate::gate))
        .layer(state.session_policy.layer(state.sessions.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.security.clone(),
            super::security::secure_cookies_over_https,
        ));
    // Machine clients (an API key each) and probes have no session. Outside the session
    // layer a cookie sent along costs nothing: inside it, any request with one reads the
    // session from PostgreSQL, even when nothing asks for it.
    let app = Router::new()
        .route(HEALTHZ, get(healthz))
        .route(READYZ, get(readyz))
        .route(METRICS, get(super::metrics::metrics))
        .merge(super::api::routes())
        .merge(signed_in)
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), super::metrics::track))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE_BYTES))))
        .layer(axum::middleware::from_fn(super::body_limit::limit_body))
        .layer(axum::middleware::from_fn_with_state(state.security.clone(), super::client_address::find_client));
    super::security::with_security_headers(app, &state.security).layer(TraceLayer::new_for_http()).with_state(state)
}

/// The process is alive.
async fn healthz() -> &'static str {
    "ok"
}

/// Both stores answer: safe to send traffic.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let readiness = state.store.readiness().await;
    let status = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(readiness))
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
