//! The header's search box: `/search?isdn=…` opens that subscriber's Customer360.

use axum::extract::Query;
use axum::response::Redirect;
use crate::domain::isdn_path_segment;
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
    Redirect::to(&format!("/subscribers/{}", isdn_path_segment(isdn)))
}

#[cfg(test)]
mod tests {
    use crate::domain::isdn_path_segment;

    #[test]
    fn isdns_keep_their_slashes_and_pluses() {
        assert_eq!(isdn_path_segment("++/hZFPrCDRre55vsZqqxQ=="), "%2B%2B%2FhZFPrCDRre55vsZqqxQ==");
        assert_eq!(isdn_path_segment("a b?#"), "a%20b%3F%23");
    }
}
