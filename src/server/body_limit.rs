//! How large a request body each address takes. A body over its address's limit is
//! answered 413 with the limit in the message, before any of it is read when it states
//! its length (`Content-Length`), and without reading past the limit when it is sent in
//! chunks: a flood of large bodies cannot grow the server's memory.

use super::error::AppError;
use crate::domain::access::server_function;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::BoxError;
use tower::{Layer, ServiceExt};
use tower_http::limit::RequestBodyLimitLayer;

/// The bulk lookup and list uploads: up to 10,000 ISDNs. Seed-format ISDNs are 24
/// characters (`++/hZFPrCDRre55vsZqqxQ==`); 10,000 of them take about 330 KB one a line
/// and form-encoded as the pages send them, 270 KB as the API's JSON array, and 750 KB
/// if every character needed an escape. A list pasted as CSV rows carries a little more.
pub const BULK_BODY_LIMIT: usize = 1024 * 1024;

/// Sign-in, every other form and server function, and requests that send no body: a
/// few fields (a campaign's rules are the largest, well under 2 KB).
pub const FORM_BODY_LIMIT: usize = 8 * 1024;

/// Server functions that take a list of ISDNs.
const BULK_SERVER_FUNCTIONS: [&str; 2] = ["lookup_isdn_list", "create_suppression_list"];

/// The API's bulk lookup.
pub const API_BULK_PATH: &str = "/api/v1/recommendations/bulk";

/// The largest body `path` takes.
pub fn body_limit(path: &str) -> usize {
    let bulk_function = server_function(path).is_some_and(|(name, _)| BULK_SERVER_FUNCTIONS.contains(&name));
    if bulk_function || path == API_BULK_PATH {
        BULK_BODY_LIMIT
    } else {
        FORM_BODY_LIMIT
    }
}

/// In front of every address: tower-http's limit with the address's size, and its bare
/// 413 (or an extractor's, when a chunked body ran over) worded as the app's errors are.
pub async fn limit_body(request: Request, next: Next) -> Response {
    let limit = body_limit(request.uri().path());
    let limited = RequestBodyLimitLayer::new(limit).layer(next.map_request(into_axum_body));
    let response = match limited.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::TooLarge { limit }.into_response();
    }
    response
}

/// The limited body, as the rest of the app takes bodies.
fn into_axum_body<B>(request: axum::http::Request<B>) -> Request
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    request.map(Body::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_isdns_get_the_bulk_limit_and_everything_else_a_form_s() {
        assert_eq!(body_limit("/api/lookup_isdn_list"), BULK_BODY_LIMIT);
        assert_eq!(body_limit("/api/create_suppression_list"), BULK_BODY_LIMIT);
        assert_eq!(body_limit(API_BULK_PATH), BULK_BODY_LIMIT);
        assert_eq!(body_limit("/auth/sign-in"), FORM_BODY_LIMIT);
        assert_eq!(body_limit("/api/save_campaign"), FORM_BODY_LIMIT);
        assert_eq!(body_limit("/api/v1/recommendations"), FORM_BODY_LIMIT);
        assert_eq!(body_limit("/api/lookup_isdn_list_more"), FORM_BODY_LIMIT);
    }
}
