//! What every response tells the browser to enforce (content security policy, no
//! framing, no type sniffing, a short referrer, HSTS when configured), whether a request
//! reached us over HTTPS, and the `/metrics` token.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

/// `serve`'s settings for HTTPS and what only operators may read.
#[derive(Clone, Debug, Default)]
pub struct HttpSecurity {
    /// Send `Strict-Transport-Security`: only when the site is served over HTTPS alone.
    pub hsts: bool,
    /// Reverse proxies whose `X-Forwarded-Proto` is believed (their own address, as this
    /// server sees the connection).
    pub trusted_proxies: Vec<IpAddr>,
    /// When set, `/metrics` answers only `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
}

/// Everything but scripts, for every response. Styles allow `'unsafe-inline'` because
/// ECharts writes its tooltips as HTML with `style` attributes (a nonce cannot cover an
/// attribute); scripts never do.
macro_rules! base_policy {
    () => {
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    };
}

/// Responses that are not pages (server functions, the API, files, the gate's own
/// pages): scripts only from this site.
const DEFAULT_POLICY: &str = concat!(base_policy!(), "; script-src 'self'");

/// A page's policy: this site's scripts (the app's module, ECharts), the inline scripts
/// that carry this response's nonce (hydration and the resources' data), and compiling
/// the app's WebAssembly.
pub fn page_policy(nonce: &str) -> String {
    format!("{}; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'", base_policy!())
}

/// While a page renders: its policy names the nonce Leptos put on this response's
/// scripts (a new one per response).
pub fn send_page_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else { return };
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else { return };
    if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
}

const HSTS: &str = "max-age=31536000";

/// The headers on every response, errors, 404s and static files included; a page's own
/// policy (with its nonce) is kept.
pub fn with_security_headers<S>(router: Router<S>, security: &HttpSecurity) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let hsts = security.hsts.then(|| HeaderValue::from_static(HSTS));
    router.layer(
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DEFAULT_POLICY),
            ))
            .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ))
            .layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, move |_: &Response| {
                hsts.clone()
            })),
    )
}

/// Whether the browser reached us over HTTPS, as a trusted proxy in front says
/// (`X-Forwarded-Proto`, its last value: the nearest proxy's). Anyone else's header is
/// ignored: a client could write it.
pub fn forwarded_over_https(request: &Request, trusted_proxies: &[IpAddr]) -> bool {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_canonical());
    if !peer.is_some_and(|peer| trusted_proxies.contains(&peer)) {
        return false;
    }
    request
        .headers()
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .next_back()
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// Around the session layer: over HTTPS (per a trusted proxy) the session cookie is
/// marked Secure even when `UT360_SECURE_COOKIES` is off, so a browser never sends it
/// over plain HTTP afterwards.
pub async fn secure_cookies_over_https(
    State(security): State<Arc<HttpSecurity>>,
    request: Request,
    next: Next,
) -> Response {
    let over_https = forwarded_over_https(&request, &security.trusted_proxies);
    let mut response = next.run(request).await;
    if over_https {
        mark_session_cookie_secure(response.headers_mut());
    }
    response
}

fn mark_session_cookie_secure(headers: &mut HeaderMap) {
    use tower_sessions::cookie::Cookie;
    let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for value in cookies {
        let secured = value
            .to_str()
            .ok()
            .and_then(|text| Cookie::parse(text.to_owned()).ok())
            .filter(|cookie| cookie.name() == super::auth::SESSION_COOKIE)
            .and_then(|mut cookie| {
                cookie.set_secure(true);
                HeaderValue::from_str(&cookie.to_string()).ok()
            });
        headers.append(header::SET_COOKIE, secured.unwrap_or(value));
    }
}

/// Whether `headers` carry `Authorization: Bearer <token>`. Digests are compared, so
/// the time taken says nothing of how much of the token was right.
pub fn bears_token(headers: &HeaderMap, token: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    Sha256::digest(given.trim().as_bytes()) == Sha256::digest(token.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(peer: &str, protos: &[&str]) -> Request {
        let mut request = Request::new(Body::empty());
        request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        for proto in protos {
            request.headers_mut().append("x-forwarded-proto", HeaderValue::from_str(proto).unwrap());
        }
        request
    }

    #[test]
    fn only_a_trusted_proxy_says_the_request_came_over_https() {
        let trusted = ["127.0.0.1".parse().unwrap()];
        assert!(forwarded_over_https(&request("127.0.0.1:5000", &["https"]), &trusted));
        assert!(forwarded_over_https(&request("[::ffff:127.0.0.1]:5000", &["HTTPS"]), &trusted));
        assert!(forwarded_over_https(&request("127.0.0.1:5000", &["http, https"]), &trusted));
        assert!(!forwarded_over_https(&request("127.0.0.1:5000", &["http"]), &trusted));
        assert!(!forwarded_over_https(&request("127.0.0.1:5000", &[]), &trusted));
        assert!(!forwarded_over_https(&request("10.0.0.9:5000", &["https"]), &trusted));
        assert!(!forwarded_over_https(&request("127.0.0.1:5000", &["https"]), &[]));
        assert!(!forwarded_over_https(&Request::new(Body::empty()), &trusted));
    }

    #[test]
    fn the_session_cookie_alone_is_marked_secure() {
        let mut headers = HeaderMap::new();
        headers
            .append(header::SET_COOKIE, HeaderValue::from_static("ut360_session=abc; HttpOnly; SameSite=Lax; Path=/"));
        headers.append(header::SET_COOKIE, HeaderValue::from_static("other=1"));
        mark_session_cookie_secure(&mut headers);
        let cookies: Vec<&str> = headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        assert!(cookies[0].starts_with("ut360_session=abc") && cookies[0].contains("Secure"), "{cookies:?}");
        assert!(cookies[0].contains("HttpOnly") && cookies[0].contains("SameSite=Lax"), "{cookies:?}");
        assert_eq!(cookies[1], "other=1");
    }

    #[test]
    fn the_metrics_token_must_match_exactly() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            headers
        };
        assert!(bears_token(&with("Bearer s3cret"), "s3cret"));
        assert!(!bears_token(&with("Bearer s3cre"), "s3cret"));
        assert!(!bears_token(&with("Basic s3cret"), "s3cret"));
        assert!(!bears_token(&HeaderMap::new(), "s3cret"));
    }

    #[test]
    fn a_page_policy_allows_its_nonce_and_never_inline_scripts() {
        let policy = page_policy("abc");
        let scripts = policy.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert_eq!(scripts.trim(), "script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'");
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!DEFAULT_POLICY.contains("script-src 'self' 'unsafe-inline'"));
    }
}
