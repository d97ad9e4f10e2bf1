//! `/api/v1`: the JSON API the advance-request system calls. Handlers authorize,
//! validate and call the data layer; nothing else.

use super::error::AppError;
use super::state::AppState;
use crate::data::lookups::SubscriberView;
use crate::domain::{Isdn, MetaStats, Recommendation};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/recommendations/{isdn}", get(recommendation))
        .route("/api/v1/profiles/{isdn}", get(profile))
        .route("/api/v1/stats", get(stats))
}

/// The API's description, kept beside the handlers it describes.
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI)
}

fn isdn_from_path(value: &str) -> Result<Isdn, AppError> {
    Isdn::parse(value).map_err(|message| AppError::BadRequest { field: "isdn", message })
}

/// Seed 001 use case 1: the recommendation for one subscriber. ISDNs with `/` are
/// sent percent-encoded (`%2F`).
async fn recommendation(State(state): State<AppState>, Path(isdn): Path<String>) -> Result<Json<Recommendation>, AppError> {
    let isdn = isdn_from_path(&isdn)?;
    let found = state.store.recommendation(&state.organization, isdn.as_str()).await?;
    found.map(Json).ok_or(AppError::NotFound("subscriber"))
}

/// Seed 001 use case 5: the 360 profile with its monthly ARPU.
async fn profile(State(state): State<AppState>, Path(isdn): Path<String>) -> Result<Json<SubscriberView>, AppError> {
    let isdn = isdn_from_path(&isdn)?;
    let found = state.store.subscriber_view(&state.organization, isdn.as_str()).await?;
    found.map(Json).ok_or(AppError::NotFound("subscriber"))
}

/// Seed 001's `meta:stats` figures.
async fn stats(State(state): State<AppState>) -> Result<Json<MetaStats>, AppError> {
    Ok(Json(state.store.meta_stats(&state.organization).await?))
}
