//! `/metrics` in Prometheus's text format: request latency per route, the cache's
//! counters and the Postgres pool.

use super::error::AppError;
use super::state::AppState;
use crate::data::Store;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};
use std::sync::Arc;
use std::time::Instant;

/// Latency buckets in seconds, fine below a millisecond where lookups live.
const LATENCY_BUCKETS: [f64; 18] = [
    0.00005, 0.0001, 0.0002, 0.0003, 0.0005, 0.00075, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0,
];

pub struct Metrics {
    registry: Registry,
    request_seconds: HistogramVec,
    cache_events: IntCounterVec,
    pool_connections: IntGaugeVec,
}

impl Default for Metrics {
    fn default() -> Self {
        let registry = Registry::new_custom(Some("ut360".into()), None).expect("a valid prefix");
        let request_seconds = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to answer a request, by route")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )
        .expect("valid histogram");
        let cache_events = IntCounterVec::new(
            Opts::new("cache_events_total", "Cached reads: hit, miss, fill, fallback, database_read"),
            &["event"],
        )
        .expect("valid counter");
        let pool_connections =
            IntGaugeVec::new(Opts::new("db_pool_connections", "PostgreSQL pool connections"), &["state"])
                .expect("valid gauge");
        for collector in [
            Box::new(request_seconds.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(cache_events.clone()),
            Box::new(pool_connections.clone()),
        ] {
            registry.register(collector).expect("each metric registered once");
        }
        Self { registry, request_seconds, cache_events, pool_connections }
    }
}

impl Metrics {
    /// The text exposition, with the store's counters and pool read now.
    pub fn render(&self, store: &Store) -> String {
        let counts = store.cache_counts();
        for (event, total) in [
            ("hit", counts.hits),
            ("miss", counts.misses),
            ("fill", counts.fills),
            ("fallback", counts.fallbacks),
            ("database_read", counts.database_reads),
        ] {
            let counter = self.cache_events.with_label_values(&[event]);
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        let pool = store.pool_usage();
        self.pool_connections.with_label_values(&["open"]).set(pool.open.into());
        self.pool_connections.with_label_values(&["idle"]).set(pool.idle.into());
        self.pool_connections.with_label_values(&["in_use"]).set(pool.open.saturating_sub(pool.idle).into());

        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text).expect("text encoding");
        String::from_utf8(text).expect("the text format is UTF-8")
    }
}

/// Times every request under the route it matched.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    // A shared string: no copy of the route per request.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", |path| path.as_str());
    metrics
        .request_seconds
        .with_label_values(&[method.as_str(), route, response.status().as_str()])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// With `UT360_METRICS_TOKEN` set, only a scraper that sends it reads the figures (they
/// show traffic per route and the pool's load).
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.security.metrics_token {
        if !super::security::bears_token(&headers, token) {
            return AppError::Unauthorized("/metrics needs `Authorization: Bearer <UT360_METRICS_TOKEN>`")
                .into_response();
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render(&state.store)).into_response()
}
