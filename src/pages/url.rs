//! Links between pages: a subscriber's address, a path with its query.

use crate::domain::query::encode_component;

/// A subscriber's Customer360 address: `++/hZ…==` → `/subscribers/%2B%2B%2FhZ…==`.
pub fn subscriber_href(isdn: &str) -> String {
    format!("/subscribers/{}", encode_component(isdn))
}

/// `path?query`, or `path` alone when the query is empty.
pub fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isdns_keep_their_slashes_and_pluses() {
        assert_eq!(subscriber_href("++/hZFPrCDRre55vsZqqxQ=="), "/subscribers/%2B%2B%2FhZFPrCDRre55vsZqqxQ==");
        assert_eq!(subscriber_href("a b?#"), "/subscribers/a%20b%3F%23");
    }
}
