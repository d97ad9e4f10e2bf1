//! The app over HTTP on a real port: probes, the server-rendered overview, 404s,
//! and readiness when Redis goes away.
#![cfg(feature = "ssr")]

mod common;

use common::TestDb;
use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use ut360::data::{Organization, Store, StoreSettings};
use ut360::format::format_count;
use ut360::server::generate::{generate, DemoSize};
use ut360::server::serve::router;
use ut360::server::state::AppState;

async fn spawn_app(store: Store, organization: Organization) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let leptos_options = LeptosOptions::builder().output_name("ut360").site_addr(address).build();
    let app = router(AppState { leptos_options, store, organization });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

#[tokio::test]
async fn probes_and_the_server_rendered_overview() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone(), org.clone()).await;
    let http = reqwest::Client::new();

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
    assert!(html.contains(&format!(">{}<", format_count(size.subscribers() as i64))), "total subscribers shown");
    for (service, count) in &size.per_service {
        assert!(html.contains(&format!("data-service=\"{service}\"")), "{service} row in the fallback table");
        assert!(html.contains(&format!(">{}<", format_count(*count as i64))), "{service} count shown");
    }
    assert!(html.contains("id=\"service-risk-chart\""), "the chart container is rendered");
    assert!(html.contains("/echarts.min.js"), "ECharts is served locally");

    let missing = http.get(format!("{base}/no-such-page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page not found"));

    db.cleanup().await;
}

struct PrivateRedis(Child);

impl PrivateRedis {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/lib.sh installs it)");
        Self(child)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn readiness_reports_redis_going_away() {
    let db = TestDb::new().await;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut redis = PrivateRedis::start(port);
    let settings = StoreSettings { redis_url: format!("redis://127.0.0.1:{port}"), ..db.settings.clone() };
    let mut store = None;
    for _ in 0..50 {
        if let Ok(connected) = Store::connect(&settings).await {
            store = Some(connected);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let base = spawn_app(store.expect("private Redis came up"), db.default_organization().await).await;
    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);

    redis.0.kill().unwrap();
    redis.0.wait().unwrap();
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"postgres": true, "redis": false}));
    assert_eq!(http.get(format!("{base}/healthz")).send().await.unwrap().status(), 200, "still alive");

    db.cleanup().await;
}
