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
