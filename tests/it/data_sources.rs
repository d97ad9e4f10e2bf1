//! Issue 24: the data sources page. An admin sees every source of their organization
//! with its runs, runs the on-demand ones now (recorded in `sync_logs` as scheduled
//! runs are), and nothing of another organization's; other roles are refused.

use crate::common::{server_fn_url, signed_in_client, spawn_app, TestDb};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use ut360::data::sync_logs::{SourceType, SyncOutcome};
use ut360::domain::access::Role;
use uuid::Uuid;

async fn call(http: &reqwest::Client, base: &str, name: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http.post(server_fn_url(base, name)).form(form).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The organization's finished runs of `source_type`: status, error, trigger.
async fn finished_runs(
    pool: &PgPool,
    organization: Uuid,
    source_type: &str,
) -> Vec<(String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT l.status, l.error_message, l.metadata->>'trigger'
         FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
         WHERE l.organization_id = $1 AND d.source_type = $2 AND l.status <> 'started' ORDER BY l.started_at",
    )
    .bind(organization)
    .bind(source_type)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn wait_for_run(
    pool: &PgPool,
    organization: Uuid,
    source_type: &str,
) -> (String, Option<String>, Option<String>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(run) = finished_runs(pool, organization, source_type).await.pop() {
            return run;
        }
        assert!(Instant::now() < deadline, "the {source_type} run did not end in 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_runs_the_source_and_records_it_like_a_scheduled_run() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let base = spawn_app(db.store.clone()).await;
    let admin = signed_in_client(&base, &db.store, &org, Role::Admin).await;

    // Before any run, the on-demand sources are listed, never run, and can run.
    let (status, sources) = call(&admin, &base, "get_data_sources", &[]).await;
    assert_eq!(status, StatusCode::OK, "{sources}");
    let types: Vec<&str> = sources.as_array().unwrap().iter().map(|s| s["source_type"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["redis_cache", "transaction_maintenance"]);
    assert!(sources.as_array().unwrap().iter().all(|s| s["id"].is_null() && s["on_demand"].get("Ok").is_some()));

    for source_type in ["transaction_maintenance", "redis_cache"] {
        let (status, done) = call(&admin, &base, "sync_data_source", &[("source_type", source_type)]).await;
        assert_eq!(status, StatusCode::OK, "{source_type}: {done}");
        let (status, error, trigger) = wait_for_run(&db.pool, org.id, source_type).await;
        assert_eq!(
            (status.as_str(), error, trigger.as_deref()),
            ("completed", None, Some("on_demand")),
            "{source_type}"
        );
    }
    let statuses: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT source_type, sync_status FROM data_sources WHERE organization_id = $1 ORDER BY source_type",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        statuses,
        vec![
            ("redis_cache".to_owned(), Some("success".to_owned())),
            ("transaction_maintenance".to_owned(), Some("success".to_owned()))
        ]
    );

    // The page lists both runs, newest first; one source's history holds its own only.
    let (status, history) = call(&admin, &base, "get_sync_history", &[("source", ""), ("page", "")]).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let names: Vec<&str> =
        history["runs"].as_array().unwrap().iter().map(|r| r["source_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec![SourceType::RedisCache.source_name(), SourceType::TransactionMaintenance.source_name()]);
    let (_, sources) = call(&admin, &base, "get_data_sources", &[]).await;
    let maintenance =
        sources.as_array().unwrap().iter().find(|s| s["source_type"] == "transaction_maintenance").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let (_, history) = call(&admin, &base, "get_sync_history", &[("source", &maintenance), ("page", "")]).await;
    assert_eq!(history["source_name"], SourceType::TransactionMaintenance.source_name());
    assert_eq!(history["runs"].as_array().unwrap().len(), 1);
    assert_eq!(history["has_more"], false);

    // What cannot run now says so, as a refused value.
    let (status, refused) = call(&admin, &base, "sync_data_source", &[("source_type", "file_import")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refused["field"], "source_type");
    let (status, _) = call(&admin, &base, "sync_data_source", &[("source_type", "daily_aggregates")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Another refresh of the organization is running: busy, said in the member's language.
    let lock = db.store.for_organization(&org).try_lock_refresh().await.unwrap().expect("no refresh runs");
    let (status, busy) = call(&admin, &base, "sync_data_source", &[("source_type", "redis_cache")]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(busy.to_string().contains("an import or cache sync of this organization is running"), "{busy}");
    let (status, _) = call(&admin, &base, "set_language", &[("language", "vi")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, busy) = call(&admin, &base, "sync_data_source", &[("source_type", "redis_cache")]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(busy.to_string().contains("đồng bộ bộ nhớ đệm của tổ chức này đang chạy"), "{busy}");
    lock.release().await.unwrap();
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_source_type_is_listed_with_its_history_pages_and_only_to_its_own_admins() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let other = db.organization_with_own_prefix().await;
    let base = spawn_app(db.store.clone()).await;
    // Runs of a kind this page has never heard of, as the scheduler records them: 25,
    // the last one failed.
    let store = db.store.for_organization(&org);
    for n in 0..25 {
        let run = store.start_sync(SourceType::FileImport, serde_json::json!({ "n": n })).await.unwrap();
        let error = (n == 24).then(|| "the file was cut short".to_owned());
        db.store.finish_sync(run, &SyncOutcome { processed: n, error, ..SyncOutcome::default() }).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO data_sources (organization_id, source_type, source_name, connection_config, sync_frequency_minutes)
         VALUES ($1, 'daily_aggregates', 'Daily aggregates', '{}', 1440)",
    )
    .bind(org.id)
    .execute(&db.pool)
    .await
    .unwrap();

    let admin = signed_in_client(&base, &db.store, &org, Role::Admin).await;
    let (status, sources) = call(&admin, &base, "get_data_sources", &[]).await;
    assert_eq!(status, StatusCode::OK, "{sources}");
    let listed: Vec<(&str, &str, bool)> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["source_type"].as_str().unwrap(), s["status"].as_str().unwrap(), s["on_demand"].get("Err").is_some())
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("daily_aggregates", "idle", true),
            ("file_import", "failed", true),
            ("redis_cache", "idle", false),
            ("transaction_maintenance", "idle", false),
        ]
    );
    let import = &sources.as_array().unwrap()[1];
    assert_eq!(import["last_error"], "the file was cut short");
    let import_id = import["id"].as_str().unwrap().to_owned();

    // 25 runs: 20, then 5, newest first.
    let (_, first) = call(&admin, &base, "get_sync_history", &[("source", &import_id), ("page", "1")]).await;
    let runs = first["runs"].as_array().unwrap();
    assert_eq!((runs.len(), first["has_more"].as_bool()), (20, Some(true)));
    assert_eq!((runs[0]["status"].as_str(), runs[0]["processed"].as_i64()), (Some("failed"), Some(24)));
    let (_, second) = call(&admin, &base, "get_sync_history", &[("source", &import_id), ("page", "2")]).await;
    assert_eq!((second["runs"].as_array().unwrap().len(), second["has_more"].as_bool()), (5, Some(false)));
    assert_eq!(second["runs"][4]["processed"], 0);
    let (status, _) = call(&admin, &base, "get_sync_history", &[("source", &import_id), ("page", "-1")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Another organization's admin: none of these sources, and this one's id is unknown.
    let outsider = signed_in_client(&base, &db.store, &other, Role::Admin).await;
    let (_, theirs) = call(&outsider, &base, "get_data_sources", &[]).await;
    assert!(theirs.as_array().unwrap().iter().all(|s| s["id"].is_null()), "{theirs}");
    let (status, unknown) = call(&outsider, &base, "get_sync_history", &[("source", &import_id), ("page", "")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(unknown.to_string().contains("data source not found"), "{unknown}");
    let (_, all) = call(&outsider, &base, "get_sync_history", &[("source", ""), ("page", "")]).await;
    assert!(all["runs"].as_array().unwrap().is_empty(), "{all}");

    // Those who do not administer are refused, the page and every server function.
    let manager = signed_in_client(&base, &db.store, &org, Role::Manager).await;
    let page = manager.get(format!("{base}/admin/data-sources")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    for (name, form) in [
        ("get_data_sources", vec![]),
        ("get_sync_history", vec![("source", ""), ("page", "")]),
        ("sync_data_source", vec![("source_type", "transaction_maintenance")]),
    ] {
        let (status, body) = call(&manager, &base, name, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
    }
    let runs = crate::common::scalar_i64(&db.pool, "SELECT COUNT(*) FROM sync_logs").await;
    assert_eq!(runs, 25, "a refused sync runs nothing");

    // The page, server-rendered for the admin.
    let html = admin.get(format!("{base}/admin/data-sources")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Daily aggregates") && html.contains("Sync now") && html.contains("the file was cut short"));
    db.cleanup().await;
}
