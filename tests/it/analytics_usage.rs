//! Issue 24: the app's own traffic. A signed-in page view through the real router is one
//! `event_tracking` row and moves the session's one `realtime_sessions` row (device,
//! browser and system read from the user agent, the session id only as a hash); files,
//! the API and reading calls record no event; actions do. The usage page shows an
//! organization its own members only, to admins only. Recording never waits: a full
//! channel drops. Idle sessions are marked, then deleted.

use crate::common::{create_user, scalar_i64, server_fn_url, spawn_app, TestDb, TEST_PASSWORD};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use ut360::data::analytics::usage::VisitKind;
use ut360::data::Organization;
use ut360::domain::access::Role;
use ut360::server::page_views::{session_hash, PageViews, Seen};
use uuid::Uuid;

const CHROME_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// A browser with `user_agent`, signed in as a new member of `organization` with `role`;
/// returns it, the member's email and the session cookie's value (the raw session id).
async fn browser(
    base: &str,
    db: &TestDb,
    organization: &Organization,
    role: Role,
    user_agent: &str,
) -> (reqwest::Client, String, String) {
    let email = create_user(&db.store, organization, role).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::USER_AGENT, user_agent.parse().unwrap());
    // The test reads the page's English words (the default is Vietnamese).
    headers.insert(reqwest::header::ACCEPT_LANGUAGE, "en".parse().unwrap());
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let response = http
        .post(format!("{base}/auth/sign-in"))
        .form(&[("email", email.as_str()), ("password", TEST_PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
    let session_id = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|cookie| cookie.to_str().ok())
        .find_map(|cookie| cookie.strip_prefix("ut360_session="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .expect("the session cookie");
    (http, email, session_id)
}

async fn page_views(pool: &PgPool) -> i64 {
    scalar_i64(pool, "SELECT COUNT(*) FROM event_tracking WHERE event_name = 'page_view'").await
}

/// Waits for the background writer to have written `count` page views in all.
async fn wait_for_page_views(pool: &PgPool, count: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while page_views(pool).await < count {
        assert!(Instant::now() < deadline, "{count} page views were not written in 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn open(http: &reqwest::Client, base: &str, path: &str) -> StatusCode {
    http.get(format!("{base}{path}")).send().await.unwrap().status()
}

async fn user_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(pool).await.unwrap()
}

type SessionRow = (String, String, String, Option<String>, Option<String>, Option<String>, Option<String>, bool);

async fn sessions(pool: &PgPool) -> Vec<SessionRow> {
    sqlx::query_as(
        "SELECT session_id, user_id, page_url, device_type, browser, os, host(ip_address), is_active
         FROM realtime_sessions ORDER BY started_at",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_view_is_one_event_and_moves_its_sessions_one_row() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let (chrome, chrome_email, chrome_session) = browser(&base, &db, &org, Role::Admin, CHROME_WINDOWS).await;
    assert_eq!(page_views(&db.pool).await, 0, "signing in is no page view");

    assert_eq!(open(&chrome, &base, "/admin/members").await, StatusCode::OK);
    wait_for_page_views(&db.pool, 1).await;
    let (session, event_user, page, category): (String, String, String, String) = sqlx::query_as(
        "SELECT session_id, metadata->>'user_id', page_url, event_category FROM event_tracking WHERE event_name = 'page_view'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let member = user_id(&db.pool, &chrome_email).await;
    assert_eq!(
        (event_user.as_str(), page.as_str(), category.as_str()),
        (member.to_string().as_str(), "/admin/members", "web")
    );
    assert_eq!(session, session_hash(&chrome_session), "the session's hash");
    assert!(!session.contains(&chrome_session), "never the session id itself");

    let rows = sessions(&db.pool).await;
    assert_eq!(rows.len(), 1);
    let expected = (
        session.clone(),
        member.to_string(),
        "/admin/members".to_owned(),
        Some("desktop".to_owned()),
        Some("Chrome".to_owned()),
        Some("Windows 10".to_owned()),
        Some("127.0.0.1".to_owned()),
        true,
    );
    assert_eq!(rows[0], expected);
    let (started, first_activity): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT started_at, last_activity FROM realtime_sessions").fetch_one(&db.pool).await.unwrap();

    // The same session again: a second event, the same session row on its new page.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(open(&chrome, &base, "/admin/api-keys").await, StatusCode::OK);
    wait_for_page_views(&db.pool, 2).await;
    let rows = sessions(&db.pool).await;
    assert_eq!(rows.len(), 1, "one row per session");
    assert_eq!(rows[0].2, "/admin/api-keys");
    let (started_again, last_activity, duration): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, i32) =
        sqlx::query_as("SELECT started_at, last_activity, duration_seconds FROM realtime_sessions")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(started_again, started);
    assert!(last_activity > first_activity, "{last_activity} after {first_activity}");
    // Whole seconds, rounded by PostgreSQL.
    assert!((i64::from(duration) - (last_activity - started).num_seconds()).abs() <= 1, "{duration}");

    // Another member on an iPhone: a session of its own, read as a phone.
    let (iphone, iphone_email, _) = browser(&base, &db, &org, Role::Analyst, SAFARI_IPHONE).await;
    assert_eq!(open(&iphone, &base, "/").await, StatusCode::OK);
    wait_for_page_views(&db.pool, 3).await;
    let phone: (String, Option<String>, Option<String>, Option<String>) =
        sqlx::query_as("SELECT page_url, device_type, browser, os FROM realtime_sessions WHERE user_id = $1")
            .bind(user_id(&db.pool, &iphone_email).await.to_string())
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(phone, ("/".to_owned(), Some("mobile".to_owned()), Some("Safari".to_owned()), Some("iOS".to_owned())));
    assert_eq!(sessions(&db.pool).await.len(), 2);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_the_api_and_reading_calls_record_no_event_and_actions_do() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let (http, _, _) = browser(&base, &db, &org, Role::Admin, CHROME_WINDOWS).await;

    assert_eq!(open(&http, &base, "/favicon.svg").await, StatusCode::OK);
    open(&http, &base, "/pkg/ut360.css").await;
    open(&http, &base, "/api/v1/recommendations/84912345678").await;
    assert_eq!(open(&http, &base, "/no-such-page").await, StatusCode::NOT_FOUND);
    let read = http.post(server_fn_url(&base, "get_members")).form(&[("x", "")]).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let renamed = http
        .post(server_fn_url(&base, "rename_organization"))
        .header(reqwest::header::REFERER, format!("{base}/admin/organization"))
        .form(&[("name", "Renamed for the test")])
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    // A refused action is not one.
    let refused = http.post(server_fn_url(&base, "rename_organization")).form(&[("name", "")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    // The writer takes views in order: once this one is written, so is everything before.
    assert_eq!(open(&http, &base, "/admin/members").await, StatusCode::OK);
    wait_for_page_views(&db.pool, 1).await;

    let events: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT event_name, event_action, page_url FROM event_tracking ORDER BY timestamp")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        events,
        vec![
            ("action".to_owned(), Some("rename_organization".to_owned()), Some("/admin/organization".to_owned())),
            ("page_view".to_owned(), None, Some("/admin/members".to_owned())),
        ]
    );
    assert_eq!(sessions(&db.pool).await.len(), 1);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_usage_page_shows_an_organization_its_own_members_to_admins_only() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let other = db.organization_with_own_prefix().await;
    let base = spawn_app(db.store.clone()).await;
    let (admin, admin_email, _) = browser(&base, &db, &org, Role::Admin, CHROME_WINDOWS).await;
    let (analyst, analyst_email, _) = browser(&base, &db, &org, Role::Analyst, SAFARI_IPHONE).await;
    for path in ["/", "/subscribers", "/subscribers/84912345678"] {
        open(&analyst, &base, path).await;
    }
    open(&admin, &base, "/admin/members").await;
    wait_for_page_views(&db.pool, 4).await;

    let report: serde_json::Value =
        admin.post(server_fn_url(&base, "get_usage")).form(&[("page", "")]).send().await.unwrap().json().await.unwrap();
    let emails: Vec<&str> = report["active"].as_array().unwrap().iter().filter_map(|s| s["email"].as_str()).collect();
    assert!(emails.contains(&analyst_email.as_str()) && emails.contains(&admin_email.as_str()), "{report}");
    assert_eq!(report["active_total"], 2);
    // Per page, by route: a subscriber's page counts as the subscriber page.
    let pages: Vec<(String, i64, i64)> = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["page"].as_str().unwrap().to_owned(), p["page_views"].as_i64().unwrap(), p["sessions"].as_i64().unwrap())
        })
        .collect();
    assert!(pages.contains(&("/subscribers/{isdn}".to_owned(), 1, 1)), "{pages:?}");
    assert_eq!(pages.iter().map(|p| p.1).sum::<i64>(), page_views(&db.pool).await);
    let days = report["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let today = chrono::Utc::now().date_naive().to_string();
    let last = days.last().unwrap();
    assert_eq!(
        (last["day"].as_str().unwrap(), last["page_views"].as_i64().unwrap(), last["sessions"].as_i64().unwrap()),
        (today.as_str(), 4, 2)
    );
    // The page itself, server-rendered.
    let page = admin.get(format!("{base}/admin/usage")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Who is using UT360 now") && html.contains(&analyst_email), "the page lists the analyst");

    // Another organization's admin sees none of it.
    let (outsider, outsider_email, _) = browser(&base, &db, &other, Role::Admin, CHROME_WINDOWS).await;
    let theirs: serde_json::Value = outsider
        .post(server_fn_url(&base, "get_usage"))
        .form(&[("page", "")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["pages_total"], 0, "{theirs}");
    assert!(theirs["pages"].as_array().unwrap().is_empty());
    assert!(theirs["days"].as_array().unwrap().iter().all(|d| d["page_views"] == 0));
    let their_emails: Vec<&str> =
        theirs["active"].as_array().unwrap().iter().filter_map(|s| s["email"].as_str()).collect();
    assert!(their_emails.iter().all(|email| *email == outsider_email), "{theirs}");

    // Members who do not administer are refused, page and server function.
    assert_eq!(open(&analyst, &base, "/admin/usage").await, StatusCode::FORBIDDEN);
    let refused = analyst.post(server_fn_url(&base, "get_usage")).form(&[("page", "")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (manager, _, _) = browser(&base, &db, &org, Role::Manager, CHROME_WINDOWS).await;
    let refused = manager.post(server_fn_url(&base, "get_usage")).form(&[("page", "")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    db.cleanup().await;
}

fn seen(organization: &Organization, user: Uuid, session: &str, minutes_ago: i64) -> Seen {
    Seen {
        organization_id: organization.id,
        user_id: user,
        session_id: session.to_owned(),
        kind: VisitKind::PageView,
        page_url: Some("/".to_owned()),
        referrer: None,
        user_agent: Some(CHROME_WINDOWS.to_owned()),
        ip: Some("192.0.2.1".to_owned()),
        at: chrono::Utc::now() - chrono::Duration::minutes(minutes_ago),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_channel_drops_views_rather_than_wait() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let email = create_user(&db.store, &org, Role::Analyst).await;
    let user = user_id(&db.pool, &email).await;
    let (views, receiver) = PageViews::channel(2);
    let started = Instant::now();
    let kept: Vec<bool> = (0..5).map(|n| views.record(seen(&org, user, &format!("session-{n}"), 0))).collect();
    assert!(started.elapsed() < Duration::from_millis(100), "recording never waits: {:?}", started.elapsed());
    assert_eq!(kept, vec![true, true, false, false, false]);
    assert_eq!(views.dropped(), 3);

    // The writer writes what the channel held, and stops once no one can send.
    let writer =
        tokio::spawn(ut360::server::page_views::write(db.store.as_database_role(ut360::data::APP_ROLE), receiver));
    drop(views);
    tokio::time::timeout(Duration::from_secs(10), writer).await.expect("the writer stops").unwrap();
    assert_eq!(page_views(&db.pool).await, 2);
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM realtime_sessions").await, 2);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_read_as_inactive_and_the_cleanup_marks_then_deletes_them() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let email = create_user(&db.store, &org, Role::Analyst).await;
    let user = user_id(&db.pool, &email).await;
    let app_store = db.store.as_database_role(ut360::data::APP_ROLE);
    // Just inside and just outside the day a session is kept.
    let kept_minutes = ut360::domain::analytics::usage::SESSION_KEPT_HOURS * 60;
    let visits: Vec<_> = [("now", 1), ("idle", 10), ("day", kept_minutes - 1), ("gone", kept_minutes + 1)]
        .into_iter()
        .map(|(session, minutes_ago)| ut360::server::page_views::visit(seen(&org, user, session, minutes_ago)))
        .collect();
    app_store.for_organization_id(org.id).record_visits(org.id, &visits).await.unwrap();
    let organization = app_store.for_organization(&org);

    // Read before any cleanup: only the session of a minute ago is active now.
    let report = organization.usage_report(1).await.unwrap();
    assert_eq!(report.active_total, 1);
    assert_eq!(report.active.len(), 1);
    assert_eq!(report.active[0].email.as_deref(), Some(email.as_str()));

    // The nightly hook is the one path that ends sessions (the cluster-wide cleanup of
    // seed 004's tables leaves them alone).
    db.store.as_database_role(ut360::data::APP_ROLE).cleanup_analytics().await.unwrap();
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM realtime_sessions").await, 4);
    ut360::server::page_views::clean_up_sessions(organization.clone()).await.unwrap();
    let left: Vec<(String, bool)> =
        sqlx::query_as("SELECT session_id, is_active FROM realtime_sessions ORDER BY last_activity DESC")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(left, vec![(session_hash("now"), true), (session_hash("idle"), false), (session_hash("day"), false)]);
    // The page views stay: they are the usage per day.
    assert_eq!(page_views(&db.pool).await, 4);
    db.cleanup().await;
}
