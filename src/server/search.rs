//! The header's search box: `/search?isdn=…` opens that subscriber's Customer360.

use crate::pages::url::subscriber_href;
use axum::extract::Query;
use axum::response::Redirect;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    isdn: String,
}

/// Redirects to `/subscribers/{isdn}`, the ISDN percent-encoded so `/` and `+` stay
/// part of it; the page explains a malformed or unknown ISDN.
pub async fn search(Query(params): Query<SearchParams>) -> Redirect {
    let isdn = params.isdn.trim();
    if isdn.is_empty() {
        return Redirect::to("/");
    }
    Redirect::to(&subscriber_href(isdn))
}
