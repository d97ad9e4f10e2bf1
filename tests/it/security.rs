//! Issue 29's HTTP defences, each tried as an attacker would: oversized bodies, open
//! redirects after sign-in, missing security headers, cross-site downloads, session
//! cookies over HTTPS and the metrics token.

use crate::common::*;
use base64::Engine;
use reqwest::StatusCode;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ut360::domain::access::Role;
use ut360::server::auth::SessionPolicy;
use ut360::server::body_limit::{API_BULK_PATH, BULK_BODY_LIMIT, FORM_BODY_LIMIT};
use ut360::server::security::HttpSecurity;

/// A response read off the wire.
struct RawAnswer {
    status: u16,
    head: String,
    body: String,
}

/// How a raw request sends its body.
enum RawBody {
    /// Says `Content-Length: n` and sends none of it: the answer must not wait for it.
    ClaimedLength(usize),
    /// Sends `n` bytes in 16 KB chunks, without a length.
    Chunked(usize),
}

/// A POST written by hand, so a body can claim a length it never sends, or stream on
/// without one. Write errors are ignored: the server may answer and close mid-body.
async fn raw_post(base: &str, path: &str, headers: &[(&str, &str)], body: RawBody) -> RawAnswer {
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match body {
        RawBody::ClaimedLength(length) => head.push_str(&format!("Content-Length: {length}\r\n\r\n")),
        RawBody::Chunked(_) => head.push_str("Transfer-Encoding: chunked\r\n\r\n"),
    }
    stream.write_all(head.as_bytes()).await.unwrap();
    if let RawBody::Chunked(total) = body {
        let mut left = total;
        while left > 0 {
            let chunk = vec![b'a'; left.min(16 * 1024)];
            let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if stream.write_all(&frame).await.is_err() {
                break;
            }
            left -= chunk.len();
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "{path}: no answer within 10 s (the server waits for the body)");
    let text = String::from_utf8_lossy(&received).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{path}: no answer: {text:?}"));
    let status = head.split(' ').nth(1).and_then(|status| status.parse().ok()).unwrap();
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.into() };
    RawAnswer { status, head: head.to_owned(), body }
}

fn dechunk(mut body: &str) -> String {
    let mut text = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        text.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    text
}

/// Signs a new member in without a cookie store; returns their `Cookie` header value.
async fn session_cookie(base: &str, db: &TestDb, role: Role) -> String {
    let email = create_user(&db.store, &db.default_organization().await, role).await;
    let response = sign_in(&reqwest_without_cookies(), base, &email, TEST_PASSWORD).await;
    set_cookie(&response, ut360::server::auth::SESSION_COOKIE).unwrap().split(';').next().unwrap().to_owned()
}

fn reqwest_without_cookies() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// `n` ISDNs in the seeds' format: 16 random bytes in base64 (`++/hZFPrCDRre55vsZqqxQ==`).
fn seed_format_isdns(n: usize) -> Vec<String> {
    (0..n).map(|_| base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().as_bytes())).collect()
}

fn assert_too_large(answer: &RawAnswer, limit: usize, what: &str) {
    assert_eq!(answer.status, 413, "{what}: {} {}", answer.head, answer.body);
    let body: serde_json::Value =
        serde_json::from_str(&answer.body).unwrap_or_else(|_| panic!("{what}: {}", answer.body));
    assert_eq!(body["error"], "too_large", "{what}: {body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&format!("at most {} KB", limit / 1024)), "{what}: {message}");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413_before_they_are_read() {
    let app = TestApp::signed_in_as(Role::Marketing).await;
    let cookie = session_cookie(&app.base, &app.db, Role::Marketing).await;
    let organization = app.db.default_organization().await;
    let key = app.db.store.for_organization(&organization).create_api_key("limits").await.unwrap().secret;
    let bearer = format!("Bearer {key}");
    let lookup = server_fn_url("", "lookup_isdn_list");
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let cases = [
        ("a server function", lookup.as_str(), vec![form, ("Cookie", cookie.as_str())], BULK_BODY_LIMIT),
        ("sign-in", "/auth/sign-in", vec![form], FORM_BODY_LIMIT),
        (
            "the API's bulk lookup",
            API_BULK_PATH,
            vec![("Content-Type", "application/json"), ("Authorization", bearer.as_str())],
            BULK_BODY_LIMIT,
        ),
    ];
    for (what, path, headers, limit) in &cases {
        // 400 MB announced, none sent: answered at once.
        let answer = raw_post(&app.base, path, headers, RawBody::ClaimedLength(400_000_000)).await;
        assert_too_large(&answer, *limit, what);
        // No length given: reading stops at the limit.
        let answer = raw_post(&app.base, path, headers, RawBody::Chunked(limit + 64 * 1024)).await;
        assert_too_large(&answer, *limit, &format!("{what}, chunked"));
    }
    // Just under the limit is read as usual (and refused for what it says, not its size).
    let answer = raw_post(&app.base, "/auth/sign-in", &[form], RawBody::Chunked(FORM_BODY_LIMIT - 1024)).await;
    assert_ne!(answer.status, 413, "{}", answer.head);
    app.cleanup().await;
}

#[tokio::test]
async fn a_bulk_lookup_of_10000_isdns_fits_the_limit() {
    let app = TestApp::signed_in_as(Role::Marketing).await;
    let isdns = seed_format_isdns(10_000);
    let text = isdns.join("\n");
    let form_bytes = serde_urlencoded::to_string([("text", &text)]).unwrap().len();
    let json_bytes = serde_json::to_string(&isdns).unwrap().len();
    println!("10,000 seed-format ISDNs: {form_bytes} bytes form-encoded, {json_bytes} bytes as JSON");
    assert!(form_bytes < BULK_BODY_LIMIT / 2 && json_bytes < BULK_BODY_LIMIT / 2, "room to spare");

    let answer = app.post_server_fn("lookup_isdn_list", &[("text", &text)]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body["not_found"].as_array().map(Vec::len), Some(10_000), "{}", &answer.text[..200]);

    let organization = app.db.default_organization().await;
    let api = api_client(&app.db.store, &organization).await;
    let response = api.post(format!("{}{API_BULK_PATH}", app.base)).json(&isdns).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    app.cleanup().await;
}

#[tokio::test]
async fn sign_in_returns_only_to_plain_local_paths() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &organization, Role::Analyst).await;
    let http = reqwest_without_cookies();
    for next in [
        "/\t/evil.example",
        "/\r\n/evil.example",
        "/\rSet-Cookie: planted=1",
        "//evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "/%09/evil.example",
        "https://evil.example/",
        "/subscribers\n",
    ] {
        let form = [("email", email.as_str()), ("password", TEST_PASSWORD), ("next", next)];
        let response = http.post(format!("{base}/auth/sign-in")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
        // Refused sign-ins carry it back to the form encoded, never raw.
        let form = [("email", email.as_str()), ("password", "wrong password"), ("next", next)];
        let response = http.post(format!("{base}/auth/sign-in")).form(&form).send().await.unwrap();
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/sign-in?problem=") && location.ends_with("&next=%2F"), "{next:?}: {location}");
    }
    // A local path with a query still comes back as it was.
    let form =
        [("email", email.as_str()), ("password", TEST_PASSWORD), ("next", "/subscribers?service=EasyCredit&sort=arpu")];
    let response = http.post(format!("{base}/auth/sign-in")).form(&form).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/subscribers?service=EasyCredit&sort=arpu");
    db.cleanup().await;
}

/// The headers every response carries; `what` names the response in failures.
fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let header = |name: &str| {
        response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("{what}: no {name}"))
    };
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin", "{what}");
    let policy = header("content-security-policy");
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"), "{what}: {policy}");
    let scripts = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap();
    let unsafe_sources = ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:"];
    assert!(!scripts.split(' ').any(|source| unsafe_sources.contains(&source)), "{what}: {scripts}");
}

/// The nonce a page's policy names.
fn policy_nonce(response: &reqwest::Response) -> String {
    let policy = response.headers()["content-security-policy"].to_str().unwrap();
    let start = policy.find("'nonce-").unwrap_or_else(|| panic!("no nonce in {policy}")) + "'nonce-".len();
    policy[start..].split('\'').next().unwrap().to_owned()
}

/// Every `nonce="…"` attribute in `html`.
fn nonce_attributes(html: &str) -> Vec<String> {
    html.split("nonce=\"").skip(1).map(|rest| rest.split('"').next().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_their_nonce() {
    let app = TestApp::signed_in_as(Role::Analyst).await;
    let base = &app.base;

    // A signed-in page: its scripts carry the nonce its policy names, new per response.
    let mut nonces = Vec::new();
    for path in ["/", "/subscribers"] {
        let response = app.http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_security_headers(&response, path);
        let nonce = policy_nonce(&response);
        let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
        let html = response.text().await.unwrap();
        let in_page = nonce_attributes(&html);
        assert!(!in_page.is_empty(), "{path}: no script carries a nonce");
        assert!(in_page.iter().all(|n| *n == nonce), "{path}: page nonces {in_page:?}, policy's {nonce}");
        assert!(html.contains(&format!("src=\"/echarts.min.js\" nonce=\"{nonce}\"")), "{path}: ECharts' tag");
        assert!(html.contains(&format!("src=\"/chart-format.js\" nonce=\"{nonce}\"")), "{path}: the charts' formats");
        // No inline script goes without it (it would not run). leptos_i18n leaves an empty
        // `<script></script>` where it would embed lazily loaded translations: nothing runs.
        let scripts = html.matches("<script").count() - html.matches("<script></script>").count();
        assert_eq!(scripts, in_page.len(), "{path}: a script without the nonce");
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce is never reused");

    let anonymous = reqwest_without_cookies();
    let organization = app.db.default_organization().await;
    let api = api_client(&app.db.store, &organization).await;
    let overview = server_fn_url(base, "get_overview");
    let responses = [
        ("the sign-in page", anonymous.get(format!("{base}/sign-in")).send().await.unwrap()),
        ("a server function", app.http.post(&overview).send().await.unwrap()),
        ("a server function, signed out", anonymous.post(&overview).send().await.unwrap()),
        ("/api/v1 with a key", api.get(format!("{base}/api/v1/stats")).send().await.unwrap()),
        ("/api/v1 without a key", anonymous.get(format!("{base}/api/v1/stats")).send().await.unwrap()),
        ("a page not found", app.http.get(format!("{base}/nowhere")).send().await.unwrap()),
        ("a server function not found", app.http.post(format!("{base}/api/nothing")).send().await.unwrap()),
        ("a page not allowed", app.http.get(format!("{base}/commissions")).send().await.unwrap()),
        ("a redirect to sign-in", anonymous.get(format!("{base}/dashboards")).send().await.unwrap()),
        ("a static file", anonymous.get(format!("{base}/favicon.svg")).send().await.unwrap()),
        ("a probe", anonymous.get(format!("{base}/healthz")).send().await.unwrap()),
        ("metrics", anonymous.get(format!("{base}/metrics")).send().await.unwrap()),
        (
            "an oversized body",
            anonymous.post(format!("{base}/auth/sign-in")).body(vec![b'a'; FORM_BODY_LIMIT + 1]).send().await.unwrap(),
        ),
    ];
    for (what, response) in &responses {
        assert_security_headers(response, what);
        assert!(response.headers().get("strict-transport-security").is_none(), "{what}: HSTS only when configured");
    }
    let statuses: Vec<(&str, u16)> = responses.iter().map(|(what, r)| (*what, r.status().as_u16())).collect();
    assert_eq!(
        statuses.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [200, 200, 401, 200, 401, 404, 404, 403, 303, 200, 200, 200, 413],
        "{statuses:?}"
    );
    app.cleanup().await;

    let db = TestDb::new().await;
    let hsts = HttpSecurity { hsts: true, ..Default::default() };
    let base = spawn_app_configured(db.store.clone(), SessionPolicy::default(), hsts, Default::default()).await;
    for path in ["/healthz", "/sign-in", "/nowhere"] {
        let response = reqwest_without_cookies().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000", "{path}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn downloads_started_by_another_site_are_refused_and_not_recorded() {
    let app = TestApp::signed_in_as(Role::Admin).await;
    let base = &app.base;
    let host = base.trim_start_matches("http://");
    let exports = |pool: sqlx::PgPool| async move {
        scalar_i64(&pool, "SELECT count(*) FROM event_tracking WHERE event_name = 'export'").await
    };
    let campaign = uuid::Uuid::new_v4().to_string();
    for pattern in ut360::server::exports::PATHS {
        let url = format!("{base}{}", pattern.replace("{id}", &campaign));
        for (name, value) in
            [("sec-fetch-site", "cross-site"), ("sec-fetch-site", "same-site"), ("origin", "https://evil.example")]
        {
            let response = app.http.get(&url).header(name, value).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{pattern} with {name}: {value}");
            let body: serde_json::Value = response.json().await.unwrap();
            assert!(body["message"].as_str().unwrap().contains("this site"), "{body}");
        }
    }
    assert_eq!(exports(app.db.pool.clone()).await, 0, "a refused download records nothing");

    // From our own page, typed in, or by a client that is not a browser: served.
    let own_origin = format!("http://{host}");
    for (name, value) in
        [("sec-fetch-site", "same-origin"), ("sec-fetch-site", "none"), ("origin", own_origin.as_str()), ("x-none", "")]
    {
        for path in ["/subscribers/export.csv", "/subscribers/export.xlsx"] {
            let response = app.http.get(format!("{base}{path}")).header(name, value).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path} with {name}: {value}");
            let _ = response.bytes().await.unwrap();
        }
        // Past the gate: the empty database has no commission month to report.
        let response = app.http.get(format!("{base}/commissions/export.csv")).header(name, value).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "commissions with {name}: {value}");
    }
    assert!(exports(app.db.pool.clone()).await >= 8, "served downloads are recorded");
    app.cleanup().await;
}

#[tokio::test]
async fn the_session_cookie_is_secure_over_https() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let email = create_user(&db.store, &organization, Role::Analyst).await;
    let sign_in_with = |base: String, forwarded: Option<&'static str>| {
        let email = email.clone();
        async move {
            let mut request = reqwest_without_cookies().post(format!("{base}/auth/sign-in")).form(&[
                ("email", email.as_str()),
                ("password", TEST_PASSWORD),
                ("next", "/"),
            ]);
            if let Some(proto) = forwarded {
                request = request.header("x-forwarded-proto", proto);
            }
            request.send().await.unwrap()
        }
    };
    let session = ut360::server::auth::SESSION_COOKIE;
    let is_secure = |cookie: &str| cookie.split(';').any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"));

    // Plain HTTP, and a header from a client that is no trusted proxy: not Secure.
    let plain = spawn_app(db.store.clone()).await;
    for forwarded in [None, Some("https")] {
        let cookie = set_cookie(&sign_in_with(plain.clone(), forwarded).await, session).unwrap();
        assert!(!is_secure(&cookie), "{forwarded:?}: {cookie}");
    }

    // Behind a trusted proxy (this test's address): Secure when it says HTTPS.
    let proxied = HttpSecurity { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Default::default() };
    let behind_proxy =
        spawn_app_configured(db.store.clone(), SessionPolicy::default(), proxied, Default::default()).await;
    let cookie = set_cookie(&sign_in_with(behind_proxy.clone(), Some("https")).await, session).unwrap();
    assert!(is_secure(&cookie) && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let cookie = set_cookie(&sign_in_with(behind_proxy.clone(), Some("http")).await, session).unwrap();
    assert!(!is_secure(&cookie), "{cookie}");
    // Signing out over HTTPS expires it with the same attributes.
    let session_pair = set_cookie(&sign_in_with(behind_proxy.clone(), Some("https")).await, session).unwrap();
    let signed_out = reqwest_without_cookies()
        .post(format!("{behind_proxy}/auth/sign-out"))
        .header("x-forwarded-proto", "https")
        .header("cookie", session_pair.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    if let Some(cookie) = set_cookie(&signed_out, session) {
        assert!(is_secure(&cookie), "{cookie}");
    }

    // Configured HTTPS: Secure always, under the `__Host-` name.
    let secure = SessionPolicy { secure_cookies: true, ..Default::default() };
    let configured = spawn_app_with(db.store.clone(), secure).await;
    let response = sign_in_with(configured, None).await;
    let cookie = set_cookie(&response, ut360::server::auth::SECURE_SESSION_COOKIE).unwrap();
    assert!(is_secure(&cookie) && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    db.cleanup().await;
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_set() {
    let db = TestDb::new().await;
    let http = reqwest_without_cookies();
    let open = spawn_app(db.store.clone()).await;
    assert_eq!(http.get(format!("{open}/metrics")).send().await.unwrap().status(), StatusCode::OK);

    let guarded = HttpSecurity { metrics_token: Some("scrape-me".into()), ..Default::default() };
    let base = spawn_app_configured(db.store.clone(), SessionPolicy::default(), guarded, Default::default()).await;
    let metrics = format!("{base}/metrics");
    let refused = http.get(&metrics).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    for wrong in ["Bearer scrape-m", "Bearer scrape-me-too", "Basic scrape-me", "scrape-me"] {
        let response = http.get(&metrics).header("authorization", wrong).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{wrong}");
    }
    let response = http.get(&metrics).header("authorization", "Bearer scrape-me").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("ut360_http_request_duration_seconds"));
    db.cleanup().await;
}
