//! Sign-in, sessions and permissions over HTTP: every role against every route and
//! server function the router has, session id rotation, sign-out, expiry, lockout,
//! cross-site requests, and one organization never seeing another's subscribers.

use crate::common;

use common::{
    browser_like_client, create_user, server_fn_url, server_function_paths, sign_in, signed_in_client, spawn_app,
    spawn_app_with, TestDb, TEST_PASSWORD,
};
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use ut360::domain::access::{access_for, Access, Role, PROTECTED, PUBLIC, SERVER_FUNCTIONS};
use ut360::server::generate::generate;

/// Every address the router serves: the Leptos pages (from the route list), the
/// exports and the plain handlers.
fn router_paths() -> Vec<String> {
    let pages = ut360::server::serve::page_routes();
    let mut paths: Vec<String> = pages.iter().map(|route| route.path().to_owned()).collect();
    paths.extend(ut360::server::exports::PATHS.iter().map(|path| path.to_string()));
    paths.extend(ut360::server::serve::HANDLER_PATHS.iter().map(|path| path.to_string()));
    paths.sort();
    paths.dedup();
    paths
}

/// A path with its parameters filled in.
fn concrete(path: &str, isdn: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            s if s.starts_with(':') || s.starts_with('{') => {
                if s.contains("isdn") {
                    common::encoded(isdn)
                } else {
                    "00000000-0000-0000-0000-00000000abcd".to_owned()
                }
            }
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `/a/:b` as `/a/{b}`.
fn braced(path: &str) -> String {
    path.split('/')
        .map(|segment| segment.strip_prefix(':').map_or(segment.to_owned(), |name| format!("{{{name}}}")))
        .collect::<Vec<_>>()
        .join("/")
}

// A runtime: listing the routes renders the app once.
#[tokio::test]
async fn every_route_and_server_function_is_in_the_permission_table() {
    let paths = router_paths();
    assert!(paths.len() >= 20, "the route list is read: {paths:?}");
    for path in &paths {
        let listed = PUBLIC.contains(&path.as_str()) || PROTECTED.iter().any(|(pattern, _)| *pattern == braced(path));
        assert!(listed, "{path} is served but missing from access::PROTECTED / PUBLIC: say which permission it needs");
    }
    let functions = server_function_paths();
    assert!(functions.len() >= 18, "server functions are registered: {functions:?}");
    for path in &functions {
        assert!(
            ut360::domain::access::server_function(path).is_some(),
            "server function {path} is missing from access::SERVER_FUNCTIONS"
        );
    }
    for (name, _) in SERVER_FUNCTIONS {
        assert!(
            functions
                .iter()
                .any(|path| ut360::domain::access::server_function(path).is_some_and(|(found, _)| found == *name)),
            "{name} is listed but not served"
        );
    }
}

#[tokio::test]
async fn each_role_opens_exactly_what_its_permissions_allow() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let records = generate(3, 0.001);
    db.load(&org, &records).await;
    let isdn = records[0].isdn.clone();
    let base = spawn_app(db.store.clone()).await;

    let anonymous = browser_like_client();
    let mut clients = Vec::new();
    for role in Role::ALL {
        clients.push((role, signed_in_client(&base, &db.store, &org, role).await));
    }
    let mut checked = 0;
    for path in router_paths() {
        let Access::Member(permissions) = access_for(&path) else { continue };
        let url = format!("{base}{}", concrete(&path, &isdn));
        let response = anonymous.get(&url).send().await.unwrap();
        if path.contains("/export.") {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "anonymous {path}");
        } else {
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "anonymous {path}");
            let location = response.headers()["location"].to_str().unwrap();
            assert!(location.starts_with("/sign-in?next=%2F"), "{path} → {location}");
        }
        for (role, http) in &clients {
            let response = http.get(&url).send().await.unwrap();
            let status = response.status();
            let location =
                response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
            let body = response.text().await.unwrap();
            if permissions.iter().all(|permission| role.allows(*permission)) {
                assert!(
                    ![StatusCode::FORBIDDEN, StatusCode::UNAUTHORIZED].contains(&status),
                    "{role:?} {path}: {status} {body:.200}"
                );
                assert!(!location.starts_with("/sign-in"), "{role:?} {path} was sent to sign in");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {path}: {body:.200}");
                assert!(body.contains("role"), "the refusal says which role is needed: {body:.300}");
            }
            checked += 1;
        }
    }
    for path in server_function_paths() {
        let (name, permissions) = ut360::domain::access::server_function(&path).unwrap();
        let url = format!("{base}{path}");
        let response = anonymous.post(&url).form(&[("x", "1")]).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "anonymous {name}");
        for (role, http) in &clients {
            let response = http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("")
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            if permissions.iter().all(|permission| role.allows(*permission)) {
                assert!(
                    ![StatusCode::FORBIDDEN, StatusCode::UNAUTHORIZED].contains(&status),
                    "{role:?} {name}: {status} {body:.200}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {name}: {body:.200}");
                let error: serde_json::Value =
                    serde_json::from_str(&body).unwrap_or_else(|_| panic!("{name}: JSON error, got {body:.200}"));
                assert_eq!(error["error"], "forbidden");
            }
            checked += 1;
        }
    }
    assert!(checked >= 4 * 30, "{checked} checks: every role, every route and server function");
    // What the app does not serve is not found, whoever asks (after signing in).
    for (role, http) in &clients {
        assert_eq!(
            http.get(format!("{base}/no-such-page")).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{role:?}"
        );
        assert_eq!(
            http.post(format!("{base}/api/no_such_function")).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{role:?}"
        );
    }
    assert_eq!(anonymous.get(format!("{base}/no-such-page")).send().await.unwrap().status(), StatusCode::SEE_OTHER);

    // The header lists only what the role may open.
    let analyst = &clients.iter().find(|(role, _)| *role == Role::Analyst).unwrap().1;
    let html = analyst.get(&base).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("href=\"/subscribers\""), "an analyst sees Subscribers");
    assert!(
        !html.contains("href=\"/commissions\"") && !html.contains("href=\"/campaigns\""),
        "but not Commissions or Campaigns"
    );
    db.cleanup().await;
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(ut360::server::auth::SESSION_COOKIE))
        .map(str::to_owned)
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn status_with_cookie(base: &str, cookie: &str) -> StatusCode {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    http.get(format!("{base}/subscribers")).header("cookie", cookie).send().await.unwrap().status()
}

#[tokio::test]
async fn sessions_rotate_at_sign_in_end_at_sign_out_and_survive_a_restart() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &org, Role::Analyst).await;

    let http = browser_like_client();
    let first = sign_in(&http, &base, &email, TEST_PASSWORD).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let set_cookie = session_cookie(&first).expect("a session cookie");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "not Secure unless configured: {set_cookie}");
    let first_cookie = cookie_pair(&set_cookie);
    assert_eq!(status_with_cookie(&base, &first_cookie).await, StatusCode::OK);

    // Signing in again (same browser) gets a new id; the old one opens nothing.
    let second = sign_in(&http, &base, &email, TEST_PASSWORD).await;
    let second_cookie = cookie_pair(&session_cookie(&second).expect("a new session cookie"));
    assert_ne!(first_cookie, second_cookie);
    assert_eq!(status_with_cookie(&base, &first_cookie).await, StatusCode::SEE_OTHER);
    assert_eq!(status_with_cookie(&base, &second_cookie).await, StatusCode::OK);

    // Another server on the same database (a restart) knows the session.
    let restarted = spawn_app(db.store.clone()).await;
    assert_eq!(status_with_cookie(&restarted, &second_cookie).await, StatusCode::OK);

    // Sign-out deletes it: the cookie, replayed, is anonymous.
    let out = http.post(format!("{base}/auth/sign-out")).send().await.unwrap();
    assert_eq!(out.headers()["location"], "/sign-in?problem=signed-out");
    assert_eq!(status_with_cookie(&base, &second_cookie).await, StatusCode::SEE_OTHER);

    // A removed member is signed out at their next request; a changed role applies at
    // once: made in plain SQL here, so what tells the server is the trigger's NOTIFY.
    let http = browser_like_client();
    sign_in(&http, &base, &email, TEST_PASSWORD).await;
    let campaigns = format!("{base}/campaigns");
    assert_eq!(http.get(&campaigns).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // The role alone: `save_user` would also set the password again, and a password set
    // in a later second than the sign-in rightly ends the session.
    sqlx::query(
        "UPDATE organization_members SET role = 'marketing' WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(&email)
    .execute(&db.pool)
    .await
    .unwrap();
    assert_eq!(status_once_noticed(&http, &campaigns, StatusCode::OK).await, StatusCode::OK);
    sqlx::query("DELETE FROM organization_members WHERE user_id = (SELECT id FROM users WHERE email = $1)")
        .bind(&email)
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(status_once_noticed(&http, &campaigns, StatusCode::SEE_OTHER).await, StatusCode::SEE_OTHER);
    db.cleanup().await;
}

/// What `url` answers once the server has heard of a change (a NOTIFY reaches it a
/// moment after the change commits), asking every 20 ms for at most a second.
async fn status_once_noticed(http: &reqwest::Client, url: &str, expected: StatusCode) -> StatusCode {
    let asked_since = Instant::now();
    loop {
        let status = http.get(url).send().await.unwrap().status();
        if status == expected || asked_since.elapsed() > Duration::from_secs(1) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_gate_remembers_a_member_until_a_change_is_notified() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let email = create_user(&db.store, &org, Role::Analyst).await;
    let user_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(&email).fetch_one(&db.pool).await.unwrap();
    let signed_in_at = chrono::Utc::now().timestamp() + 1;
    let store = db.store.for_organization_id(org.id);
    let gate_reads = || store.member_signed_in_at(user_id, org.id, signed_in_at);
    let role = |found: Option<(ut360::data::users::Member, bool)>| found.map(|(member, _)| member.role);
    assert_eq!(role(gate_reads().await.unwrap()), Some(Role::Analyst));
    // The first read started the listener; once it listens, a read is remembered.
    let started = Instant::now();
    while !db.store.listening_for_changes() {
        assert!(started.elapsed() < Duration::from_secs(5), "the store listens for changes");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(role(gate_reads().await.unwrap()), Some(Role::Analyst));

    // Changed with the triggers off (as a replica applying rows would): nobody is told,
    // so the gate answers from memory.
    let mut quiet = db.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *quiet).await.unwrap();
    sqlx::query("UPDATE organization_members SET role = 'manager' WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *quiet)
        .await
        .unwrap();
    quiet.commit().await.unwrap();
    assert_eq!(role(gate_reads().await.unwrap()), Some(Role::Analyst), "remembered, not read again");

    // Any change the triggers see empties the memory of every server listening.
    sqlx::query("UPDATE organization_members SET role = 'marketing' WHERE user_id = $1")
        .bind(user_id)
        .execute(&db.pool)
        .await
        .unwrap();
    let changed_at = Instant::now();
    while role(gate_reads().await.unwrap()) != Some(Role::Marketing) {
        assert!(changed_at.elapsed() < Duration::from_secs(1), "the NOTIFY reached the store within a second");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The store's own changes are forgotten before it answers again, without waiting.
    db.store.for_organization(&org).remove_member(&email).await.unwrap();
    assert_eq!(role(gate_reads().await.unwrap()), None);
    db.cleanup().await;
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_expiry() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let policy = ut360::server::auth::SessionPolicy { absolute: Duration::from_secs(1), ..Default::default() };
    let base = spawn_app_with(db.store.clone(), policy).await;
    let email = create_user(&db.store, &org, Role::Analyst).await;
    let http = browser_like_client();
    sign_in(&http, &base, &email, TEST_PASSWORD).await;
    assert_eq!(http.get(format!("{base}/subscribers")).send().await.unwrap().status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(http.get(format!("{base}/subscribers")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    db.cleanup().await;
}

fn problem_of(response: &reqwest::Response) -> String {
    let location = response.headers()["location"].to_str().unwrap();
    location.split("problem=").nth(1).unwrap_or_default().split('&').next().unwrap().to_owned()
}

#[tokio::test]
async fn failed_sign_ins_are_slowed_then_locked_alike_for_known_and_unknown_emails() {
    use ut360::server::auth::sign_in::LOCK_AFTER;
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &org, Role::Manager).await;
    let http = browser_like_client();

    for (who, wrong_email) in [("known", email.as_str()), ("unknown", "nobody@ut360.test")] {
        let mut problems = Vec::new();
        let mut last_elapsed = Duration::ZERO;
        for _ in 0..LOCK_AFTER {
            let started = Instant::now();
            let response = sign_in(&http, &base, wrong_email, "not the password").await;
            last_elapsed = started.elapsed();
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            problems.push(problem_of(&response));
        }
        let expected: Vec<String> =
            (1..=LOCK_AFTER).map(|n| if n < LOCK_AFTER { "refused" } else { "locked" }.to_owned()).collect();
        assert_eq!(problems, expected, "{who} email");
        assert!(last_elapsed >= Duration::from_millis(900), "the {LOCK_AFTER}th failure waited {last_elapsed:?}");
    }
    // Locked: even the right password is refused, and no session is made.
    let response = sign_in(&http, &base, &email.to_uppercase(), TEST_PASSWORD).await;
    assert_eq!(problem_of(&response), "locked");
    assert!(session_cookie(&response).is_none());
    assert_eq!(http.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);

    // Once the lock has passed, the right password works and the count starts again.
    sqlx::query("UPDATE sign_in_failures SET locked_until = NOW() - INTERVAL '1 second'")
        .execute(&db.pool)
        .await
        .unwrap();
    let response = sign_in(&http, &base, &email, TEST_PASSWORD).await;
    assert_eq!(response.headers()["location"], "/");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE email = $1")
        .bind(&email)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    db.cleanup().await;
}

#[tokio::test]
async fn cross_site_requests_change_nothing() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let http = signed_in_client(&base, &db.store, &org, Role::Admin).await;
    let url = format!("{base}/api/campaign_preview");
    let body = serde_json::json!({ "rules": {} });
    let host = base.trim_start_matches("http://");

    let forged = http.post(&url).header("origin", "https://evil.example").json(&body).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let forged = http.post(&url).header("sec-fetch-site", "cross-site").json(&body).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let own = http.post(&url).header("origin", format!("http://{host}")).json(&body).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    let own = http.post(&url).header("sec-fetch-site", "same-origin").json(&body).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    // Nor can another site sign someone in (login CSRF) or out.
    let email = create_user(&db.store, &org, Role::Analyst).await;
    let forged = browser_like_client()
        .post(format!("{base}/auth/sign-in"))
        .header("origin", "https://evil.example")
        .form(&[("email", email.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    db.cleanup().await;
}

struct Tenants {
    ours: ut360::data::Organization,
    theirs: ut360::data::Organization,
    our_records: Vec<ut360::data::records::SubscriberRecord>,
    their_records: Vec<ut360::data::records::SubscriberRecord>,
}

/// Two organizations with subscribers of their own.
async fn two_tenants(db: &TestDb) -> Tenants {
    let ours = db.organization_with_own_prefix().await;
    let theirs = db.organization_with_own_prefix().await;
    let our_records = generate(5, 0.001);
    let their_records = generate(6, 0.0005);
    db.load(&ours, &our_records).await;
    db.load(&theirs, &their_records).await;
    Tenants { ours, theirs, our_records, their_records }
}

#[tokio::test]
async fn a_member_sees_only_their_organizations_subscribers() {
    let db = TestDb::new().await;
    let Tenants { ours, our_records, their_records, .. } = two_tenants(&db).await;
    let their_isdn = their_records.iter().find(|r| our_records.iter().all(|o| o.isdn != r.isdn)).unwrap().isdn.clone();
    let base = spawn_app(db.store.clone()).await;
    let http = signed_in_client(&base, &db.store, &ours, Role::Admin).await;

    let overview = http.get(&base).send().await.unwrap().text().await.unwrap();
    assert!(
        overview.contains(&ut360::domain::format::format_count(
            ut360::domain::language::Language::En,
            our_records.len() as i64
        )),
        "our count"
    );
    let theirs_page = http
        .get(format!("{base}/subscribers/{}", common::encoded(&their_isdn)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(theirs_page.contains("No such subscriber"), "their subscriber is not shown");
    let our_page = http
        .get(format!("{base}/subscribers/{}", common::encoded(&our_records[0].isdn)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!our_page.contains("No such subscriber"), "ours is");

    // An export holds our subscribers, all of them, and none of theirs.
    let csv =
        http.get(format!("{base}/subscribers/export.csv?columns=isdn")).send().await.unwrap().text().await.unwrap();
    let mut exported: Vec<String> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|line| line.trim_matches('"').replace("'", ""))
        .collect();
    exported.sort();
    let mut expected: Vec<String> = our_records.iter().map(|r| r.isdn.clone()).collect();
    expected.sort();
    assert_eq!(exported, expected, "every one of our subscribers is exported");
    assert!(!csv.contains(&their_isdn), "none of theirs");

    // No page or file of ours shows any subscriber of theirs.
    let theirs_only: Vec<&str> = their_records
        .iter()
        .map(|r| r.isdn.as_str())
        .filter(|isdn| our_records.iter().all(|o| o.isdn != *isdn))
        .collect();
    for path in router_paths() {
        if !matches!(access_for(&path), Access::Member(_)) {
            continue;
        }
        let body = http
            .get(format!("{base}{}", concrete(&path, &our_records[1].isdn)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let leaked: Vec<&&str> = theirs_only.iter().filter(|isdn| body.contains(**isdn)).collect();
        assert!(leaked.is_empty(), "{path} shows their subscribers {leaked:?}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn the_app_role_reads_and_writes_only_the_organization_its_connection_sets() {
    let db = TestDb::new().await;
    let Tenants { ours, theirs, their_records, .. } = two_tenants(&db).await;

    // Every table (and partition) with an organization_id has a policy and RLS on.
    let unprotected: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)
           AND (NOT c.relrowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(unprotected, Vec::<String>::new());
    let tenant_tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(tenant_tables.len() >= 25, "{tenant_tables:?}");
    let owned: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)",
    )
    .bind(ut360::data::APP_ROLE)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(owned, 0, "the app role owns nothing");

    let app = sqlx::PgPool::connect(&ut360::data::with_user(db.settings.direct_url(), ut360::data::APP_ROLE, None))
        .await
        .unwrap();
    assert!(tenant_tables.contains(&"organization_recommendations".to_owned()), "views are checked too");
    // Nothing set: nothing seen, in any tenant table or view.
    for table in &tenant_tables {
        let seen: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&app).await.unwrap();
        assert_eq!(seen, 0, "{table} without an organization");
    }
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.organization_id', $1, true)")
        .bind(theirs.id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recommendations").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, their_records.len() as i64, "their rows, all of them");
    let ours_seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recommendations WHERE organization_id = $1")
        .bind(ours.id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(ours_seen, 0, "none of ours, even asked by id");
    // The view the range reads use (migration 15) filters as the policy does, and is read-only.
    let in_view: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organization_recommendations").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(in_view, their_records.len() as i64, "the view holds their rows");
    let ours_in_view: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organization_recommendations WHERE organization_id = $1")
            .bind(ours.id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(ours_in_view, 0, "none of ours through the view");
    sqlx::query("SAVEPOINT through_the_view").execute(&mut *tx).await.unwrap();
    let through_view =
        sqlx::query("UPDATE organization_recommendations SET priority_score = 0").execute(&mut *tx).await;
    assert!(through_view.unwrap_err().to_string().contains("permission denied"), "the view is read-only");
    sqlx::query("ROLLBACK TO SAVEPOINT through_the_view").execute(&mut *tx).await.unwrap();
    let updated = sqlx::query("UPDATE recommendations SET priority_score = 0 WHERE organization_id = $1")
        .bind(ours.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let renamed = sqlx::query("UPDATE organizations SET name = 'taken over' WHERE id = $1")
        .bind(ours.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(renamed.rows_affected(), 0, "only the organization set may be renamed");
    let renamed = sqlx::query("UPDATE organizations SET name = 'theirs, renamed' WHERE id = $1")
        .bind(theirs.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(renamed.rows_affected(), 1);
    let written =
        sqlx::query("INSERT INTO campaigns (organization_id, name, owner, rules) VALUES ($1, 'planted', 'x', '{}')")
            .bind(ours.id)
            .execute(&mut *tx)
            .await;
    assert!(written.unwrap_err().to_string().contains("row-level security"), "cannot write into another organization");
    tx.rollback().await.unwrap();
    app.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn admins_manage_members_and_keys_and_cannot_remove_the_last_admin() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let admin_email = create_user(&db.store, &org, Role::Admin).await;
    let admin = browser_like_client();
    sign_in(&admin, &base, &admin_email, TEST_PASSWORD).await;
    let call = |name: &str, form: Vec<(&'static str, String)>| {
        let request = admin.post(server_fn_url(&base, name)).form(&form);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.text().await.unwrap())
        }
    };

    // A new email is invited: an account whose one-time code must be changed at first
    // sign-in; it accepts, then works with its role.
    let (status, body) =
        call("save_member", vec![("email", " New.Analyst@UT360.test ".into()), ("role", "analyst".into())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let added: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(added["Invited"]["email"], "new.analyst@ut360.test");
    let password = added["Invited"]["one_time_code"].as_str().expect("a one-time code").to_owned();
    let newcomer = browser_like_client();
    let landed = sign_in(&newcomer, &base, "new.analyst@ut360.test", &password).await;
    assert_eq!(landed.headers()["location"], "/organizations?next=%2F");
    // The made-up password must be changed before anything else (more in it::account).
    let forced = newcomer.get(format!("{base}/organizations")).send().await.unwrap();
    assert_eq!(forced.headers()["location"], "/account/password");
    let own = [("current_password", password.as_str()), ("new_password", "the newcomer's own phrase")];
    let changed = newcomer.post(server_fn_url(&base, "change_password")).form(&own).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    crate::invitations::accept_every_invitation(&newcomer, &base).await;
    assert_eq!(newcomer.get(format!("{base}/campaigns")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // A role change: no invitation, and it applies to the open session.
    let (_, body) =
        call("save_member", vec![("email", "new.analyst@ut360.test".into()), ("role", "marketing".into())]).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["RoleChanged"]["role"], "marketing");
    assert_eq!(newcomer.get(format!("{base}/campaigns")).send().await.unwrap().status(), StatusCode::OK);
    let (_, body) = call("get_members", vec![]).await;
    let members: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(members.len(), 2);

    // The only admin cannot demote or remove themselves; bad input names its field.
    let (status, body) = call("save_member", vec![("email", admin_email.clone()), ("role", "analyst".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("no admin left"), "{body}");
    let (status, body) = call("remove_member", vec![("email", admin_email.clone())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("only admin"), "{body}");
    let (status, body) = call("save_member", vec![("email", "not-an-email".into()), ("role", "analyst".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("email"), "{body}");
    let (status, body) = call("save_member", vec![("email", "x@ut360.test".into()), ("role", "owner".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("role"), "{body}");

    // Removed: signed out at the next request.
    let (status, _) = call("remove_member", vec![("email", "new.analyst@ut360.test".into())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(newcomer.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);

    // API keys: created (shown once), used, revoked.
    let (status, body) = call("create_api_key", vec![("name", "advance-system".into())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = serde_json::from_str::<serde_json::Value>(&body).unwrap()["secret"].as_str().unwrap().to_owned();
    let machine = common::client_with_key(&secret);
    assert_eq!(machine.get(format!("{base}/api/v1/stats")).send().await.unwrap().status(), StatusCode::OK);
    let (status, body) = call("create_api_key", vec![("name", "advance-system".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("already has an active key"), "{body}");
    let (status, _) = call("revoke_api_key", vec![("name", "advance-system".into())]).await;
    assert_eq!(status, StatusCode::OK);
    let mut refused = false;
    for _ in 0..50 {
        if machine.get(format!("{base}/api/v1/stats")).send().await.unwrap().status() == StatusCode::UNAUTHORIZED {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "a revoked key is refused");
    // The organization's name, and only its name, can be changed.
    let (status, body) = call("rename_organization", vec![("name", " Viettel Advance ".into())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = call("get_organization_settings", vec![]).await;
    let settings: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (settings["name"].as_str(), settings["slug"].as_str(), settings["redis_prefix"].as_str()),
        (Some("Viettel Advance"), Some("default"), Some("ut360"))
    );
    let (status, body) = call("rename_organization", vec![("name", "x".repeat(256))]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Name: give 1 to 255 characters"), "{body}");
    let (_, body) = call("get_api_keys", vec![]).await;
    let keys: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert!(keys[0]["revoked_at"].is_string() && keys[0]["last_used_at"].is_string(), "{keys:?}");
    db.cleanup().await;
}
