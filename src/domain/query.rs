//! The URL query form of the pages' parameters (list, report, dashboard), which the
//! pages link to and the server reads back.

/// Kept as they are in a URL component; everything else is percent-encoded.
const URL_COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'=');

/// `text` as one URL component (a path segment or a query value): `++/hZ…==` →
/// `%2B%2B%2FhZ…==`.
pub fn encode_component(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, URL_COMPONENT).to_string()
}

/// `name=value&…` of the pairs that have a value, percent-encoded.
pub fn query_string(pairs: &[(&str, &String)]) -> String {
    pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}
