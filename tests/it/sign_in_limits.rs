//! Sign-in under a flood: the per-address limit and the bound on password checks,
//! over HTTP.

use crate::common::{browser_like_client, create_user, sign_in, spawn_app_limited, TestDb, TEST_PASSWORD};
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use ut360::domain::access::Role;
use ut360::server::auth::limits::SignInLimits;

fn problem_of(response: &reqwest::Response) -> String {
    let location = response.headers()["location"].to_str().unwrap();
    location.split("problem=").nth(1).unwrap_or_default().split('&').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_address_over_its_limit_is_refused_before_any_password_check() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let limits = SignInLimits { per_ip_burst: 3, per_ip_per_minute: 1, ..Default::default() };
    let base = spawn_app_limited(db.store.clone(), Default::default(), limits).await;
    let email = create_user(&db.store, &org, Role::Analyst).await;
    let http = browser_like_client();

    // Three attempts (three other emails, so no per-email lock is involved) are checked…
    for n in 0..3 {
        let response = sign_in(&http, &base, &format!("guess-{n}@ut360.test"), "not the password").await;
        assert_eq!(problem_of(&response), "refused");
    }
    // …the fourth is refused at once, even with the right password, and makes no session.
    let started = Instant::now();
    let response = sign_in(&http, &base, &email, TEST_PASSWORD).await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(problem_of(&response), "too-many");
    assert!(elapsed < Duration::from_millis(500), "refused in {elapsed:?}, without a password check");
    assert_eq!(http.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    // The page says why.
    let page = http.get(format!("{base}/sign-in?problem=too-many")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Too many sign-in attempts"), "{page}");
    // Nothing was recorded against the email: the attempt never reached the form.
    let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE email = $1")
        .bind(&email)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(failures, 0);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attempts_that_cannot_get_a_password_check_in_time_are_asked_to_retry() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let limits = SignInLimits { concurrent_checks: 1, check_wait: Duration::from_millis(1), ..Default::default() };
    let base = spawn_app_limited(db.store.clone(), Default::default(), limits).await;
    let email = create_user(&db.store, &org, Role::Analyst).await;

    let attempts: Vec<_> = (0..8)
        .map(|n| {
            let (base, email) = (base.clone(), email.clone());
            tokio::spawn(async move {
                let http = browser_like_client();
                // Each its own email: the per-email slowdown plays no part.
                let email = if n == 0 { email } else { format!("guess-{n}@ut360.test") };
                problem_of(&sign_in(&http, &base, &email, "not the password").await)
            })
        })
        .collect();
    let mut problems = Vec::new();
    for attempt in attempts {
        problems.push(attempt.await.unwrap());
    }
    assert!(problems.iter().any(|p| p == "busy"), "{problems:?}");
    assert!(problems.iter().all(|p| p == "busy" || p == "refused"), "{problems:?}");
    let page =
        browser_like_client().get(format!("{base}/sign-in?problem=busy")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sign-in is busy"), "{page}");
    db.cleanup().await;
}

/// Behind a trusted proxy each forwarded client has its own allowance; without one, a
/// forwarded header changes nothing (a client could write it to get a fresh one).
#[tokio::test]
async fn the_limit_counts_the_forwarded_client_only_behind_a_trusted_proxy() {
    use crate::common::spawn_app_configured;
    use ut360::server::security::HttpSecurity;
    let db = TestDb::new().await;
    let limits = SignInLimits { per_ip_burst: 3, per_ip_per_minute: 1, ..Default::default() };
    // Another email each time, so no per-email lock or slowdown is involved.
    let attempt = |base: String, forwarded: &'static str| async move {
        let email = format!("guess-{}@ut360.test", uuid::Uuid::new_v4().simple());
        let response = browser_like_client()
            .post(format!("{base}/auth/sign-in"))
            .header("x-forwarded-for", forwarded)
            .form(&[("email", email.as_str()), ("password", "not the password")])
            .send()
            .await
            .unwrap();
        problem_of(&response)
    };

    let proxied = HttpSecurity { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Default::default() };
    let behind_proxy = spawn_app_configured(db.store.clone(), Default::default(), proxied, limits).await;
    for _ in 0..3 {
        assert_eq!(attempt(behind_proxy.clone(), "6.6.6.6, 198.51.100.1").await, "refused");
    }
    // The forged left-hand entry changes nothing: the proxy's is the one counted.
    assert_eq!(attempt(behind_proxy.clone(), "7.7.7.7, 198.51.100.1").await, "too-many");
    assert_eq!(attempt(behind_proxy.clone(), "198.51.100.2").await, "refused", "another client");

    let direct = spawn_app_limited(db.store.clone(), Default::default(), limits).await;
    for n in 0..3 {
        let forwarded = ["198.51.100.1", "198.51.100.2", "198.51.100.3"][n];
        assert_eq!(attempt(direct.clone(), forwarded).await, "refused");
    }
    assert_eq!(attempt(direct.clone(), "198.51.100.4").await, "too-many", "the socket's address is counted");
    db.cleanup().await;
}
