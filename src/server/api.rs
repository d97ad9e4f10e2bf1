//! `/api/v1`: the JSON API the advance-request system calls. Handlers authorize (an
//! API key, see `api_auth`), validate and call the data layer; nothing else. Each
//! handler's `#[utoipa::path]` (its doc comment, parameters and answers) is its part of
//! the OpenAPI document that `super::openapi` assembles.

use super::body_limit::{API_BULK_PATH, BULK_BODY_LIMIT};
use super::error::AppError;
use super::openapi::{BadRequest, BulkIsdns, NotFound, TooLarge, Unauthorized, Unavailable, ISDN_IN_PATH};
use super::state::AppState;
use crate::data::api_keys::ApiClient;
use crate::data::bulk::MAX_BULK_ISDNS;
use crate::data::lists::ListRequest;
use crate::data::lookups::SubscriberView;
use crate::domain::figures::MetaStats;
use crate::domain::isdn::Isdn;
use crate::domain::language::Language;
use crate::domain::lists::{BulkLookup, ListParams, RecommendationPage, PARAMETER_NAMES};
use crate::domain::recommendation::Recommendation;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, RawQuery, State};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(super::openapi::serve))
        .route("/api/v1/recommendations", get(list))
        // Its body limit is `body_limit::BULK_BODY_LIMIT`, set for every address in one place.
        .route(API_BULK_PATH, post(bulk))
        .route("/api/v1/recommendations/{isdn}", get(recommendation))
        .route("/api/v1/profiles/{isdn}", get(profile))
        .route("/api/v1/stats", get(stats))
        .route_layer(axum::middleware::from_fn(count_calls))
}

/// Counts each call with a valid key, and its latency, for its organization's lookups
/// (seed 004's `lookups` channel); a request refused before its key was read is not one.
async fn count_calls(mut request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let caller = super::api_auth::ApiCaller::default();
    request.extensions_mut().insert(caller.clone());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    if let Some((organization, counts)) = caller.0.get() {
        counts.api_call(*organization, started.elapsed());
    }
    response
}

fn isdn_from_path(value: &str) -> Result<Isdn, AppError> {
    Isdn::parse(value).map_err(|problem| crate::domain::field_error::FieldError::new("isdn", problem).into())
}

/// The recommendation for one subscriber (seed 001 use case 1)
///
/// ISDNs with `/` or `+` are sent percent-encoded (`%2F`, `%2B`).
#[utoipa::path(
    get,
    path = "/api/v1/recommendations/{isdn}",
    params(("isdn" = inline(Isdn), Path, description = ISDN_IN_PATH)),
    responses(
        (status = 200, description = "The recommendation", body = Recommendation),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
    security(("bearerKey" = [])),
)]
pub(super) async fn recommendation(
    State(state): State<AppState>,
    client: ApiClient,
    Path(isdn): Path<String>,
) -> Result<Json<Recommendation>, AppError> {
    let isdn = isdn_from_path(&isdn)?;
    let found = state.store.for_organization(&client.organization).recommendation(isdn.as_str()).await?;
    found.map(Json).ok_or(AppError::NotFound("subscriber"))
}

/// The 360 profile with monthly ARPU (seed 001 use case 5)
#[utoipa::path(
    get,
    path = "/api/v1/profiles/{isdn}",
    params(("isdn" = inline(Isdn), Path, description = ISDN_IN_PATH)),
    responses(
        (status = 200, description = "The recommendation and the profile", body = SubscriberView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
    security(("bearerKey" = [])),
)]
pub(super) async fn profile(
    State(state): State<AppState>,
    client: ApiClient,
    Path(isdn): Path<String>,
) -> Result<Json<SubscriberView>, AppError> {
    let isdn = isdn_from_path(&isdn)?;
    let found = state.store.for_organization(&client.organization).subscriber_view(isdn.as_str()).await?;
    found.map(Json).ok_or(AppError::NotFound("subscriber"))
}

/// Recommendations of up to 10,000 ISDNs at once (seed 001 use case 6)
///
/// Each ISDN is answered once, in the order asked. The answer is kept for an hour
/// (ut360:bulk:{hash}) and dropped whenever the data is reloaded.
#[utoipa::path(
    post,
    path = "/api/v1/recommendations/bulk",
    request_body(
        content = inline(BulkIsdns),
        description = "The ISDNs, as a JSON array, at most 1 MiB (1,048,576 bytes) in all: 10,000 ISDNs of \
            seed 001's 24 characters take about 270 KB. A longer body is answered 413 before it is read.",
        example = json!(["++/hZFPrCDRre55vsZqqxQ=="]),
    ),
    responses(
        (status = 200, description = "What was found and what was not", body = BulkLookup),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = TooLarge),
        (status = 503, response = Unavailable),
    ),
    security(("bearerKey" = [])),
)]
pub(super) async fn bulk(
    State(state): State<AppState>,
    client: ApiClient,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<BulkLookup>, AppError> {
    let isdns = bulk_isdns(body)?;
    Ok(Json(state.store.for_organization(&client.organization).bulk_recommendations(&isdns).await?))
}

fn bulk_isdns(body: Result<Bytes, BytesRejection>) -> Result<Vec<Isdn>, AppError> {
    let bad = |message: String| AppError::BadRequest { field: "isdns", message };
    // A chunked body the limit stopped reading; one that said its length never got here.
    let body = body.map_err(|rejection| match rejection.status() {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge { limit: BULK_BODY_LIMIT },
        _ => bad(format!("the body could not be read: {rejection}")),
    })?;
    let texts: Vec<String> = serde_json::from_slice(&body)
        .map_err(|e| bad(format!("the body must be a JSON array of ISDN strings: {e}")))?;
    if texts.is_empty() {
        return Err(bad("send at least one ISDN".into()));
    }
    if texts.len() > MAX_BULK_ISDNS {
        return Err(bad(format!("at most {MAX_BULK_ISDNS} ISDNs per request; this one has {}", texts.len())));
    }
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            Isdn::parse(text)
                .map_err(|problem| bad(format!("item {}: {}", index + 1, problem.message(Language::En, "isdns"))))
        })
        .collect()
}

/// Recommendations by priority, a page at a time (seed 001 use cases 2 to 4)
///
/// Highest priority_score first by default (subscribers without one last; ties by ISDN,
/// descending), or ordered by `sort` / `order`. Pages continue from `next` of the
/// previous page, so every page costs the same at any depth.
#[utoipa::path(
    get,
    path = "/api/v1/recommendations",
    params(ListParams),
    responses(
        (status = 200, description = "One page", body = RecommendationPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    ),
    security(("bearerKey" = [])),
)]
pub(super) async fn list(
    State(state): State<AppState>,
    client: ApiClient,
    RawQuery(query): RawQuery,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<RecommendationPage>, AppError> {
    refuse_empty_parameters(query.as_deref())?;
    let Query(params) = params.map_err(|e| AppError::BadRequest { field: "query", message: e.body_text() })?;
    let request = ListRequest::from_params(&params).map_err(AppError::from)?;
    Ok(Json(state.store.for_organization(&client.organization).recommendation_page(&request).await?))
}

/// The API takes a list parameter with a value or not at all, as its document says (the
/// pages' forms send empty ones, meaning "any", through the same `ListParams`).
fn refuse_empty_parameters(query: Option<&str>) -> Result<(), AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
    let empty = pairs.iter().filter(|(_, value)| value.trim().is_empty());
    match empty.filter_map(|(name, _)| PARAMETER_NAMES.iter().copied().find(|known| known == name)).next() {
        Some(field) => Err(AppError::BadRequest {
            field,
            message: format!("{field}: no value; leave the parameter out to take any"),
        }),
        None => Ok(()),
    }
}

/// The dataset's headline figures (seed 001 ut360:meta:stats)
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    responses(
        (status = 200, description = "The figures", body = MetaStats),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    ),
    security(("bearerKey" = [])),
)]
pub(super) async fn stats(State(state): State<AppState>, client: ApiClient) -> Result<Json<MetaStats>, AppError> {
    Ok(Json(state.store.for_organization(&client.organization).meta_stats().await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::field_error::FieldError;
    use crate::domain::lists::SortColumn;

    fn params(pairs: &[(&str, &str)]) -> Result<ListRequest, FieldError> {
        let query: String = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let Query(params) = Query::<ListParams>::try_from_uri(&format!("/?{query}").parse().unwrap()).unwrap();
        ListRequest::from_params(&params)
    }

    #[test]
    fn a_list_parameter_without_a_value_is_refused_by_name() {
        let field = |query: &str| match refuse_empty_parameters(Some(query)) {
            Err(AppError::BadRequest { field, .. }) => Some(field),
            _ => None,
        };
        assert_eq!(field("subscriber_type="), Some("subscriber_type"));
        assert_eq!(field("risk=HIGH&cluster=%20"), Some("cluster"));
        assert_eq!(field("risk=HIGH&limit=10&"), None);
        assert_eq!(field(""), None);
        assert!(refuse_empty_parameters(None).is_ok());
    }

    fn field_of(result: Result<ListRequest, FieldError>) -> &'static str {
        match result {
            Err(error) => error.field,
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn list_parameters_are_checked_one_by_one() {
        let request = params(&[("service", "MBFG"), ("risk", "LOW"), ("cluster", "3"), ("min_value", "70")]).unwrap();
        assert_eq!(request.filter.service.map(|s| s.as_str()), Some("MBFG"));
        assert_eq!((request.filter.cluster, request.filter.min_value, request.limit), (Some(3), Some(70.0), 100));
        assert_eq!(field_of(params(&[("service", "Foo")])), "service");
        assert_eq!(field_of(params(&[("risk", "low")])), "risk");
        assert_eq!(field_of(params(&[("cluster", "x")])), "cluster");
        assert_eq!(field_of(params(&[("min_readiness", "101")])), "min_readiness");
        assert_eq!(field_of(params(&[("limit", "0")])), "limit");
        assert_eq!(field_of(params(&[("limit", "1001")])), "limit");
        assert_eq!(field_of(params(&[("after", "nonsense")])), "after");
        assert_eq!(field_of(params(&[("subscriber_type", "PREPAID")])), "subscriber_type");
        assert_eq!(field_of(params(&[("trend", "Up")])), "trend");
        assert_eq!(field_of(params(&[("sort", "name")])), "sort");
        assert_eq!(field_of(params(&[("order", "up")])), "order");
        let sorted = params(&[("sort", "advance"), ("order", "asc"), ("subscriber_type", "POS")]).unwrap();
        assert_eq!((sorted.sort.column, sorted.sort.descending), (SortColumn::Advance, false));
        assert!(!params(&[("sort", "service")]).unwrap().sort.descending);
        assert!(Query::<ListParams>::try_from_uri(&"/?colour=red".parse().unwrap()).is_err());
    }

    #[test]
    fn bulk_bodies_are_checked() {
        let field_and_message = |body: &str| match bulk_isdns(Ok(Bytes::from(body.to_owned()))) {
            Err(AppError::BadRequest { field, message }) => (field, message),
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(
            bulk_isdns(Ok(Bytes::from_static(br#"["84912345678","++/hZFPrCDRre55vsZqqxQ=="]"#))).unwrap().len(),
            2
        );
        assert!(field_and_message("[]").1.contains("at least one"));
        assert!(field_and_message(r#"{"isdns":[]}"#).1.contains("JSON array"));
        assert!(field_and_message(r#"["84912345678","=1+2"]"#).1.starts_with("item 2:"));
        let too_many = serde_json::to_string(&vec!["84912345678"; MAX_BULK_ISDNS + 1]).unwrap();
        assert!(field_and_message(&too_many).1.contains("at most 10000 ISDNs per request; this one has 10001"));
    }
}
