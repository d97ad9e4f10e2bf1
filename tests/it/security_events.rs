//! Security events (issue 29): each kind recorded once, from the client's address (a
//! trusted proxy's `X-Forwarded-For`, or the socket's), shown to the organization's
//! admins only, a page at a time, pruned after 180 days.

use crate::common::{
    browser_like_client, client_with_key, create_user, server_fn_url, sign_in, spawn_app, spawn_app_configured, TestDb,
    TEST_PASSWORD,
};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::time::Duration;
use ut360::domain::access::Role;
use ut360::domain::security_event::SECURITY_EVENTS_PAGE_SIZE;
use ut360::server::security::HttpSecurity;
use uuid::Uuid;

/// What a client behind the trusted proxy says it is.
const FORWARDED_CLIENT: &str = "198.51.100.7";

/// Events by kind, each as `(email, ip)`.
type EventsByKind = BTreeMap<String, Vec<(Option<String>, Option<String>)>>;

/// The organization's events, read as the owner.
async fn events_of(pool: &PgPool, organization: Uuid) -> EventsByKind {
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT kind::text, email, host(ip) FROM security_events WHERE organization_id = $1 ORDER BY occurred_at, id",
    )
    .bind(organization)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut by_kind: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for (kind, email, ip) in rows {
        by_kind.entry(kind).or_default().push((email, ip));
    }
    by_kind
}

async fn count_events(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM security_events").fetch_one(pool).await.unwrap()
}

/// A client that sends `X-Forwarded-For: forwarded` (and a user agent) on every request.
fn forwarding_client(forwarded: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", forwarded.parse().unwrap());
    headers.insert(reqwest::header::USER_AGENT, "ut360-tests/1".parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn post_form(http: &reqwest::Client, base: &str, name: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let response = http.post(server_fn_url(base, name)).form(form).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned()
}

/// Every kind, once each, behind a trusted proxy: the address is the forwarded client's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_is_recorded_once_with_the_forwarded_client_address() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let proxied = HttpSecurity { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Default::default() };
    let base = spawn_app_configured(db.store.clone(), Default::default(), proxied, Default::default()).await;
    let admin = create_user(&db.store, &org, Role::Admin).await;
    let member = create_user(&db.store, &org, Role::Analyst).await;
    let locked = create_user(&db.store, &org, Role::Analyst).await;
    // A client that lies about itself first; the proxy appended what it saw.
    let http = forwarding_client(&format!("6.6.6.6, {FORWARDED_CLIENT}"));

    // Five wrong passwords: five failures, the fifth locks.
    for _ in 0..5 {
        let response = sign_in(&http, &base, &locked, "not the password").await;
        assert!(location(&response).contains("problem="), "{}", location(&response));
    }
    // While locked, attempts are refused before they count: no more events.
    assert!(location(&sign_in(&http, &base, &locked, "not the password").await).contains("problem=locked"));
    // An email without an account belongs to no organization: logged, not recorded.
    sign_in(&http, &base, "nobody@ut360.test", "not the password").await;

    assert_eq!(location(&sign_in(&http, &base, &admin, TEST_PASSWORD).await), "/");
    let invitee = format!("invitee-{}@ut360.test", &Uuid::new_v4().simple().to_string()[..8]);
    let (status, text) =
        post_form(&http, &base, "save_member", &[("email", invitee.as_str()), ("role", "marketing")]).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, text) =
        post_form(&http, &base, "save_member", &[("email", member.as_str()), ("role", "manager")]).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let removed = create_user(&db.store, &org, Role::Analyst).await;
    let (status, text) = post_form(&http, &base, "remove_member", &[("email", removed.as_str())]).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, text) = post_form(&http, &base, "create_api_key", &[("name", "advance-system")]).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let secret = serde_json::from_str::<serde_json::Value>(&text).unwrap()["secret"].as_str().unwrap().to_owned();

    // The member (now a manager) changes their password.
    let member_http = forwarding_client(FORWARDED_CLIENT);
    assert_eq!(location(&sign_in(&member_http, &base, &member, TEST_PASSWORD).await), "/");
    let new_password = "another long password, changed";
    let form = [("current_password", TEST_PASSWORD), ("new_password", new_password)];
    let (status, text) = post_form(&member_http, &base, "change_password", &form).await;
    assert_eq!(status, StatusCode::OK, "{text}");

    // The key from two addresses, several times each: one event per address.
    for forwarded in [FORWARDED_CLIENT, FORWARDED_CLIENT, "198.51.100.8", FORWARDED_CLIENT, "198.51.100.8"] {
        let api = client_with_key(&secret);
        let response = api.get(format!("{base}/api/v1/stats")).header("x-forwarded-for", forwarded).send().await;
        assert_eq!(response.unwrap().status(), StatusCode::OK);
    }
    let (status, text) = post_form(&http, &base, "revoke_api_key", &[("name", "advance-system")]).await;
    assert_eq!(status, StatusCode::OK, "{text}");

    // The new addresses are written off the request's path: wait for them.
    let mut events = events_of(&db.pool, org.id).await;
    for _ in 0..50 {
        if events.get("api_key_new_address").map_or(0, Vec::len) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        events = events_of(&db.pool, org.id).await;
    }
    // Written off the requests' path, the two new addresses may land in either order.
    if let Some(addresses) = events.get_mut("api_key_new_address") {
        addresses.sort();
    }
    let at = |email: &str| (Some(email.to_owned()), Some(FORWARDED_CLIENT.to_owned()));
    let anonymous = |ip: &str| (None, Some(ip.to_owned()));
    let expected: EventsByKind = [
        ("sign_in_failed", vec![at(&locked); 5]),
        ("locked_out", vec![at(&locked)]),
        ("sign_in_succeeded", vec![at(&admin), at(&member)]),
        ("member_invited", vec![at(&invitee)]),
        ("role_changed", vec![at(&member)]),
        ("member_removed", vec![at(&removed)]),
        ("api_key_created", vec![anonymous(FORWARDED_CLIENT)]),
        ("password_changed", vec![at(&member)]),
        ("api_key_new_address", vec![anonymous(FORWARDED_CLIENT), anonymous("198.51.100.8")]),
        ("api_key_revoked", vec![anonymous(FORWARDED_CLIENT)]),
    ]
    .into_iter()
    .map(|(kind, rows)| (kind.to_owned(), rows))
    .collect();
    assert_eq!(events, expected);
    // Every kind of the enum is covered here.
    assert_eq!(events.len(), ut360::domain::security_event::SecurityEventKind::ALL.len());

    // Who did it, what changed, and the client's user agent.
    let (detail, agent): (serde_json::Value, Option<String>) = sqlx::query_as(
        "SELECT detail, user_agent FROM security_events WHERE organization_id = $1 AND kind = 'role_changed'",
    )
    .bind(org.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(detail, serde_json::json!({ "by": admin, "role": "manager" }));
    assert_eq!(agent.as_deref(), Some("ut360-tests/1"));
    db.cleanup().await;
}

/// Without a trusted proxy the forwarded header is the client's own say: ignored.
#[tokio::test]
async fn without_a_trusted_proxy_the_socket_address_is_recorded() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &org, Role::Analyst).await;
    let http = forwarding_client(FORWARDED_CLIENT);
    sign_in(&http, &base, &email, "not the password").await;
    assert_eq!(location(&sign_in(&http, &base, &email, TEST_PASSWORD).await), "/");
    let events = events_of(&db.pool, org.id).await;
    let socket = (Some(email.clone()), Some("127.0.0.1".to_owned()));
    assert_eq!(events.get("sign_in_failed"), Some(&vec![socket.clone()]));
    assert_eq!(events.get("sign_in_succeeded"), Some(&vec![socket]));
    db.cleanup().await;
}

/// A sign-in belongs to every organization the account is a member of; each admin
/// sees their own organization's events and nothing of another's.
#[tokio::test]
async fn admins_see_their_organizations_events_only_and_others_are_refused() {
    let db = TestDb::new().await;
    let ours = db.default_organization().await;
    let theirs = db.organization_with_own_prefix().await;
    let base = spawn_app(db.store.clone()).await;
    let our_admin = create_user(&db.store, &ours, Role::Admin).await;
    let their_admin = create_user(&db.store, &theirs, Role::Admin).await;
    // In both organizations: its sign-in shows in both.
    let both = create_user(&db.store, &ours, Role::Analyst).await;
    ut360::server::users_cli::create(&db.store, &theirs, &both, Role::Analyst, TEST_PASSWORD).await.unwrap();
    let only_ours = create_user(&db.store, &ours, Role::Manager).await;
    for email in [&both, &only_ours] {
        sign_in(&browser_like_client(), &base, email, "not the password").await;
    }

    let events_seen_by = |email: String| {
        let base = base.clone();
        async move {
            let http = browser_like_client();
            sign_in(&http, &base, &email, TEST_PASSWORD).await;
            let (status, text) = post_form(&http, &base, "get_security_events", &[("kind", ""), ("before", "")]).await;
            (status, text, http)
        }
    };
    let (status, text, our_http) = events_seen_by(our_admin.clone()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let page: serde_json::Value = serde_json::from_str(&text).unwrap();
    let emails: Vec<&str> = page["events"].as_array().unwrap().iter().filter_map(|e| e["email"].as_str()).collect();
    assert!(emails.contains(&both.as_str()) && emails.contains(&only_ours.as_str()), "{text}");
    assert!(!emails.contains(&their_admin.as_str()), "{text}");

    let (status, text, _) = events_seen_by(their_admin.clone()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let page: serde_json::Value = serde_json::from_str(&text).unwrap();
    let emails: Vec<&str> = page["events"].as_array().unwrap().iter().filter_map(|e| e["email"].as_str()).collect();
    assert!(emails.contains(&both.as_str()), "the shared account's failure is theirs too: {text}");
    assert!(!emails.contains(&only_ours.as_str()) && !emails.contains(&our_admin.as_str()), "{text}");

    // Not an admin: refused, the page and the function.
    let (status, text, manager_http) = events_seen_by(only_ours.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    let page = manager_http.get(format!("{base}/admin/security-events")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);

    // Reading the page writes nothing.
    let before = count_events(&db.pool).await;
    for path in ["/admin/security-events", "/admin/security-events?kind=sign_in_failed"] {
        let page = our_http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Security events"), "{html}");
    }
    assert_eq!(count_events(&db.pool).await, before);
    db.cleanup().await;
}

/// Newest first, a page at a time, all kinds or one; an unknown kind or cursor is a 400
/// naming it; the maintenance round forgets events older than 180 days.
#[tokio::test]
async fn pages_filter_and_retention() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let admin = create_user(&db.store, &org, Role::Admin).await;
    // 130 events a minute apart, the same second twice so the id breaks the tie.
    sqlx::query(
        "INSERT INTO security_events (organization_id, occurred_at, kind, email)
         SELECT $1, NOW() - (n / 2) * INTERVAL '1 minute',
                (CASE WHEN n % 3 = 0 THEN 'locked_out' ELSE 'sign_in_failed' END)::security_event_kind,
                'user' || n || '@ut360.test'
         FROM generate_series(1, 130) n",
    )
    .bind(org.id)
    .execute(&db.pool)
    .await
    .unwrap();
    let http = browser_like_client();
    sign_in(&http, &base, &admin, TEST_PASSWORD).await;

    let walk = |kind: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let mut seen = Vec::new();
            let mut before = String::new();
            loop {
                let (status, text) =
                    post_form(&http, &base, "get_security_events", &[("kind", kind), ("before", before.as_str())])
                        .await;
                assert_eq!(status, StatusCode::OK, "{text}");
                let page: serde_json::Value = serde_json::from_str(&text).unwrap();
                let events = page["events"].as_array().unwrap();
                assert!(events.len() as i64 <= SECURITY_EVENTS_PAGE_SIZE);
                seen.extend(events.iter().map(|e| e["email"].as_str().unwrap_or_default().to_owned()));
                match page["older"].as_str() {
                    Some(older) => before = older.to_owned(),
                    None => return seen,
                }
            }
        }
    };
    let in_order = |kind: Option<&str>| {
        let pool = db.pool.clone();
        let kind = kind.map(str::to_owned);
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT COALESCE(email, '') FROM security_events WHERE organization_id = $1
                   AND ($2::text IS NULL OR kind::text = $2) ORDER BY occurred_at DESC, id DESC",
            )
            .bind(org.id)
            .bind(kind)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let all = walk("").await;
    assert_eq!(all, in_order(None).await);
    assert!(all.len() > 130, "the admin's sign-in too: {}", all.len());
    assert_eq!(walk("locked_out").await, in_order(Some("locked_out")).await);
    assert_eq!(walk("api_key_revoked").await, Vec::<String>::new());

    for (form, field) in
        [([("kind", "everything"), ("before", "")], "kind"), ([("kind", ""), ("before", "12_x")], "before")]
    {
        let (status, text) = post_form(&http, &base, "get_security_events", &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap()["field"], field, "{text}");
    }

    // Retention: the 15-minute round forgets what is older than 180 days.
    sqlx::query(
        "INSERT INTO security_events (organization_id, occurred_at, kind, email)
         VALUES ($1, NOW() - INTERVAL '181 days', 'sign_in_failed', 'old@ut360.test'),
                ($1, NOW() - INTERVAL '179 days', 'sign_in_failed', 'kept@ut360.test')",
    )
    .bind(org.id)
    .execute(&db.pool)
    .await
    .unwrap();
    let total = count_events(&db.pool).await;
    let today = chrono::Local::now().date_naive();
    let schedule = ut360::server::jobs::Schedule::NOW;
    let app_store = db.store.as_database_role(ut360::data::APP_ROLE);
    ut360::server::jobs::transaction_maintenance_round(&app_store, schedule, today).await.unwrap();
    assert_eq!(count_events(&db.pool).await, total - 1);
    let old: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM security_events WHERE email = 'old@ut360.test'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(old, 0);
    db.cleanup().await;
}

/// `ut360 user create` for an existing account is a password reset: it is recorded for
/// each of the account's organizations and ends the sessions signed in before it.
#[tokio::test]
async fn a_password_reset_from_the_command_line_is_recorded_and_ends_sessions() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &org, Role::Analyst).await;
    assert_eq!(events_of(&db.pool, org.id).await.get("password_changed"), None, "creating an account is no reset");
    let http = browser_like_client();
    assert_eq!(location(&sign_in(&http, &base, &email, TEST_PASSWORD).await), "/");
    assert_eq!(http.get(format!("{base}/dashboards")).send().await.unwrap().status(), StatusCode::OK);

    // Sessions are compared to the change by the second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let new_password = "a quite different passphrase";
    ut360::server::users_cli::create(&db.store, &org, &email, Role::Analyst, new_password).await.unwrap();

    let resets: Vec<(Option<String>, serde_json::Value)> = sqlx::query_as(
        "SELECT email, detail FROM security_events WHERE organization_id = $1 AND kind = 'password_changed'",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(resets.len(), 1, "{resets:?}");
    assert_eq!(resets[0].0.as_deref(), Some(email.as_str()));
    assert!(resets[0].1["by"].as_str().is_some_and(|by| by.contains("command line")), "{resets:?}");
    let after = http.get(format!("{base}/dashboards")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session from before the reset ended");
    assert!(location(&after).starts_with("/sign-in"), "{}", location(&after));
    assert_eq!(location(&sign_in(&browser_like_client(), &base, &email, new_password).await), "/");
    db.cleanup().await;
}
