//! The app over HTTP on a real port: probes, the server-rendered overview, 404s,
//! and readiness when Redis goes away.

use crate::common;

use common::{free_port, spawn_app, PrivateRedis, TestDb};
use ut360::domain::format::format_count;
use ut360::domain::language::Language;
use ut360::server::generate::{generate, DemoSize};

#[tokio::test]
async fn probes_and_the_server_rendered_overview() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let http = common::signed_in_client(&base, &db.store, &org, ut360::domain::access::Role::Admin).await;

    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"postgres": true, "redis": true}));

    let empty = http.get(&base).send().await.unwrap().text().await.unwrap();
    assert!(empty.contains("No subscribers yet"), "an empty database shows the empty state");

    let scale = 0.01;
    db.load(&org, &generate(2, scale)).await;
    let size = DemoSize::at_scale(scale);
    let page = http.get(&base).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!(">{}<", format_count(Language::En, size.subscribers() as i64))),
        "total subscribers shown"
    );
    for (service, count) in &size.per_service {
        assert!(html.contains(&format!("data-service=\"{service}\"")), "{service} row in the fallback table");
        assert!(html.contains(&format!(">{}<", format_count(Language::En, *count as i64))), "{service} count shown");
    }
    assert!(html.contains("id=\"service-risk-chart\""), "the chart container is rendered");
    assert!(html.contains("/echarts.min.js"), "ECharts is served locally");

    let missing = http.get(format!("{base}/no-such-page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page not found"));

    db.cleanup().await;
}

#[tokio::test]
async fn readiness_reports_redis_going_away() {
    let db = TestDb::new().await;
    let mut redis = PrivateRedis::start(free_port());
    let store = redis.connect(&db.settings).await;
    let base = spawn_app(store).await;
    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);

    redis.stop();
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"postgres": true, "redis": false}));
    assert_eq!(http.get(format!("{base}/healthz")).send().await.unwrap().status(), 200, "still alive");

    db.cleanup().await;
}

/// Every test of this binary builds a router of its own while others render pages. A
/// router once generated its route list each time, and generating one suppresses the
/// loading of every resource in the process while it runs (leptos-rs/leptos#4773): a
/// page whose data began to load meanwhile waited forever, and a test timed out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_routers_are_built() {
    let app = common::TestApp::signed_in_as(ut360::domain::access::Role::Admin).await;
    let org = app.db.default_organization().await;
    app.db.load(&org, &generate(5, 0.001)).await;
    let (base, http) = (&app.base, &app.http);

    let pages_done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let builder = tokio::spawn({
        let (store, pages_done) = (app.db.store.clone(), pages_done.clone());
        async move {
            let mut built = 0;
            while !pages_done.load(std::sync::atomic::Ordering::Relaxed) {
                spawn_app(store.clone()).await;
                built += 1;
            }
            built
        }
    });
    for round in 0..20 {
        for page in ["/commissions", "/"] {
            let response = tokio::time::timeout(std::time::Duration::from_secs(10), async {
                let response = http.get(format!("{base}{page}")).send().await.unwrap();
                (response.status(), response.text().await.unwrap())
            })
            .await;
            let Ok((status, body)) = response else { panic!("{page} (round {round}) did not answer within 10 s") };
            assert_eq!(status, 200, "{page}: {body:.300}");
        }
    }
    pages_done.store(true, std::sync::atomic::Ordering::Relaxed);
    let built = builder.await.unwrap();
    assert!(built > 0, "routers were built while the pages rendered");

    app.cleanup().await;
}
