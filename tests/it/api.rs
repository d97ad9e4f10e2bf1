//! `/api/v1` as the advance-request system sees it: API keys, lookups, bulk lookups,
//! lists by priority, JSON errors, the OpenAPI description and /metrics.

use crate::common;

use common::{api_client, client_with_key, encoded, free_port, spawn_app, PrivateRedis, TestDb};
use redis::AsyncCommands;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;
use ut360::data::Store;
use ut360::domain::lists::{ListParams, MatchCount};
use ut360::server::generate::generate;

const DOCUMENTED_PATHS: [&str; 6] = [
    "/api/v1/profiles/{isdn}",
    "/api/v1/recommendations",
    "/api/v1/recommendations/bulk",
    "/api/v1/recommendations/{isdn}",
    "/api/v1/stats",
    "/api/v1/openapi.json",
];

async fn error_of(response: reqwest::Response) -> (u16, Value) {
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_api_answers_json_with_clear_errors() {
    let redis = PrivateRedis::start(free_port());
    let db = TestDb::new().await;
    let store = redis.connect(&db.settings).await;
    let org = db.default_organization().await;
    let records = generate(34, 0.002);
    db.load(&org, &records).await;
    let http = api_client(&store, &org).await;
    let base = spawn_app(store).await;

    // Seed 001's example ISDN holds a '/', sent as %2F.
    let isdn = &records[0].isdn;
    assert_eq!(isdn, "++/hZFPrCDRre55vsZqqxQ==");
    let url = format!("{base}/api/v1/recommendations/{}", encoded(isdn));
    let response = http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["isdn"], isdn.as_str());
    for field in ["service_type", "advance_amount", "bad_debt_risk", "priority", "recommendation_date"] {
        assert!(!body[field].is_null(), "{field} in {body}");
    }

    let profile: Value =
        http.get(url.replace("/recommendations/", "/profiles/")).send().await.unwrap().json().await.unwrap();
    assert_eq!(profile["recommendation"]["isdn"], isdn.as_str());
    assert_eq!(profile["profile"]["monthly_arpu"].as_array().map(Vec::len), Some(7));

    let (status, body) =
        error_of(http.get(format!("{base}/api/v1/recommendations/AAAAAAAAAAAAAAAAAAAAAA==")).send().await.unwrap())
            .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));

    let (status, body) =
        error_of(http.get(format!("{base}/api/v1/recommendations/not%20an%20isdn")).send().await.unwrap()).await;
    assert_eq!((status, body["error"].as_str(), body["field"].as_str()), (400, Some("bad_request"), Some("isdn")));
    assert!(body["message"].as_str().unwrap().contains("is not an ISDN"));

    // The description covers every /api/v1 route the router has, and no other.
    let served = reqwest::get(format!("{base}/api/v1/openapi.json")).await.unwrap();
    assert_eq!(served.headers()[reqwest::header::CONTENT_TYPE], "application/json");
    let openapi: Value = served.json().await.unwrap();
    assert_eq!(openapi, serde_json::from_str::<Value>(ut360::server::openapi::document()).unwrap());
    let mut documented: Vec<&str> = openapi["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    documented.push("/api/v1/openapi.json");
    documented.sort();
    let mut expected = DOCUMENTED_PATHS.to_vec();
    expected.sort();
    assert_eq!(documented, expected);

    // Nothing synced yet: the figures come from PostgreSQL.
    let stats: Value = http.get(format!("{base}/api/v1/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["total_subscribers"], records.len());
    assert_eq!(stats["data_version"], "v1.0");

    let metrics = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    for expected in [
        r#"ut360_http_request_duration_seconds_count{method="GET",route="/api/v1/recommendations/{isdn}",status="200"} 1"#,
        r#"ut360_http_request_duration_seconds_count{method="GET",route="/api/v1/recommendations/{isdn}",status="404"} 1"#,
        r#"ut360_cache_events_total{event="database_read"}"#,
        r#"ut360_db_pool_connections{state="in_use"}"#,
    ] {
        assert!(metrics.contains(expected), "{expected} missing from:\n{metrics}");
    }

    // Machine clients have no session: a cookie sent along is not even read. Pages do
    // read it, and answer a stale one by clearing it.
    let stale = "ut360_session=not-a-session";
    let lookup = http.get(&url).header(reqwest::header::COOKIE, stale).send().await.unwrap();
    assert_eq!(lookup.status(), 200);
    assert!(lookup.headers().get(reqwest::header::SET_COOKIE).is_none(), "{:?}", lookup.headers());
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = browser.get(format!("{base}/")).header(reqwest::header::COOKIE, stale).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert!(
        page.headers()
            .get(reqwest::header::SET_COOKIE)
            .is_some_and(|cookie| cookie.to_str().unwrap().starts_with("ut360_session=")),
        "{:?}",
        page.headers()
    );
    db.cleanup().await;
}

#[tokio::test]
async fn keys_are_required_checked_revoked_and_scoped_to_their_organization() {
    let db = TestDb::new().await;
    let ours = db.organization_with_own_prefix().await;
    let theirs = db.organization_with_own_prefix().await;
    let records = generate(35, 0.001);
    let (our_records, their_records) = records.split_at(records.len() / 2);
    db.load(&ours, our_records).await;
    db.load(&theirs, their_records).await;
    let key = db.store.for_organization(&ours).create_api_key("advance-system").await.unwrap();
    let their_http = api_client(&db.store, &theirs).await;
    let base = spawn_app(db.store.clone()).await;
    let our_isdn = encoded(&our_records[0].isdn);
    let their_isdn = encoded(&their_records[0].isdn);

    // Every key-guarded route refuses a request without a key, with a JSON 401.
    let anonymous = reqwest::Client::new();
    for path in DOCUMENTED_PATHS.iter().filter(|path| **path != "/api/v1/openapi.json") {
        let url = format!("{base}{}", path.replace("{isdn}", &our_isdn));
        let request =
            if path.ends_with("/bulk") { anonymous.post(&url).json(&json!(["a"])) } else { anonymous.get(&url) };
        let response = request.send().await.unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{path}");
        let (status, body) = error_of(response).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("unauthorized")), "{path}: {body}");
        assert!(body["message"].as_str().unwrap().contains("Authorization: Bearer"), "{body}");
    }

    let url = |isdn: &str| format!("{base}/api/v1/recommendations/{isdn}");
    let (status, body) =
        error_of(client_with_key("ut360_not-a-real-key").get(url(&our_isdn)).send().await.unwrap()).await;
    assert_eq!((status, body["message"].as_str()), (401, Some("this API key is unknown or was revoked")));
    let basic = anonymous.get(url(&our_isdn)).header("Authorization", "Basic dXNlcjpwYXNz").send().await.unwrap();
    assert_eq!(basic.status(), 401);

    let http = client_with_key(&key.secret);
    assert_eq!(http.get(url(&our_isdn)).send().await.unwrap().status(), 200);
    let last_used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT last_used_at FROM api_keys WHERE id = $1")
            .bind(key.info.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(last_used.is_some(), "the key's last use is recorded");

    // Another organization's key reads that organization only: ours do not exist for it.
    assert_eq!(their_http.get(url(&our_isdn)).send().await.unwrap().status(), 404);
    assert_eq!(their_http.get(url(&their_isdn)).send().await.unwrap().status(), 200);
    assert_eq!(http.get(url(&their_isdn)).send().await.unwrap().status(), 404);
    let their_stats: Value = their_http.get(format!("{base}/api/v1/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(their_stats["total_subscribers"], their_records.len());

    // Revoked from another process (as `ut360 api-key revoke` does): refused at once,
    // although the server had the key in memory.
    let cli_store = Store::connect(&db.settings).await.unwrap();
    assert!(cli_store.for_organization(&ours).revoke_api_key("advance-system").await.unwrap());
    assert!(
        !cli_store.for_organization(&ours).revoke_api_key("advance-system").await.unwrap(),
        "nothing left to revoke"
    );
    let mut refused = false;
    for _ in 0..30 {
        if http.get(url(&our_isdn)).send().await.unwrap().status() == 401 {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "a revoked key is refused within 1.5 s");
    // The name is free again; the old key stays refused.
    let renewed = cli_store.for_organization(&ours).create_api_key("advance-system").await.unwrap();
    assert_eq!(client_with_key(&renewed.secret).get(url(&our_isdn)).send().await.unwrap().status(), 200);
    assert_eq!(http.get(url(&our_isdn)).send().await.unwrap().status(), 401);
    let taken = cli_store.for_organization(&ours).create_api_key("advance-system").await.unwrap_err();
    assert!(taken.to_string().contains("already has an active key named"), "{taken}");
    cli_store.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn bulk_lookups_answer_found_and_not_found_in_order_and_are_cached_for_an_hour() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let records = generate(36, 0.002);
    db.load(&org, &records).await;
    let http = api_client(&db.store, &org).await;
    let base = spawn_app(db.store.clone()).await;
    let bulk = format!("{base}/api/v1/recommendations/bulk");
    let mut redis = redis::Client::open(common::redis_url()).unwrap().get_multiplexed_async_connection().await.unwrap();

    let asked = json!([records[5].isdn, "AAAAAAAAAAAAAAAAAAAAAA==", records[2].isdn, records[5].isdn, records[9].isdn]);
    let check = |answer: &Value| {
        let found: Vec<&str> =
            answer["found"].as_array().unwrap().iter().map(|rec| rec["isdn"].as_str().unwrap()).collect();
        assert_eq!(found, [records[5].isdn.as_str(), records[2].isdn.as_str(), records[9].isdn.as_str()]);
        assert_eq!(answer["not_found"], json!(["AAAAAAAAAAAAAAAAAAAAAA=="]));
        assert_eq!(answer["found"][1]["service_type"], records[2].service_type.as_str());
    };
    // Nothing in Redis yet: PostgreSQL answers, and the answer is kept for an hour.
    let from_postgres: Value = http.post(&bulk).json(&asked).send().await.unwrap().json().await.unwrap();
    check(&from_postgres);
    // Kept after answering, so it may take a moment.
    let mut kept: Vec<String> = Vec::new();
    for _ in 0..50 {
        kept = redis.keys(org.redis_key("bulk:*")).await.unwrap();
        if !kept.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(kept.len(), 1);
    let ttl: i64 = redis.ttl(&kept[0]).await.unwrap();
    assert!((3590..=3600).contains(&ttl), "ttl {ttl}");
    let reads_before = db.store.cache_counts().database_reads;
    let again: Value = http.post(&bulk).json(&asked).send().await.unwrap().json().await.unwrap();
    assert_eq!(again, from_postgres);
    assert_eq!(db.store.cache_counts().database_reads, reads_before, "the kept answer is used");

    // A sync drops kept answers; the rec hashes then answer without PostgreSQL.
    db.store.for_organization(&org).sync_cache(|_| {}).await.unwrap();
    assert!(redis.keys::<_, Vec<String>>(org.redis_key("bulk:*")).await.unwrap().is_empty());
    let many: Vec<&str> = records.iter().map(|r| r.isdn.as_str()).collect();
    let answer: Value = http.post(&bulk).json(&many).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["found"].as_array().unwrap().len(), records.len());
    assert_eq!(db.store.cache_counts().database_reads, reads_before, "every rec came from Redis");

    let rejected = |body: String| {
        let http = http.clone();
        let bulk = bulk.clone();
        async move {
            error_of(http.post(&bulk).header("content-type", "application/json").body(body).send().await.unwrap()).await
        }
    };
    let too_many = serde_json::to_string(&vec!["AAAA"; 10_001]).unwrap();
    for (body, says) in [
        ("[]".to_owned(), "at least one"),
        ("{\"isdns\": []}".to_owned(), "JSON array of ISDN strings"),
        (format!("[{:?}, \"bad isdn\"]", records[0].isdn), "item 2:"),
        (too_many, "this one has 10001"),
    ] {
        let (status, error) = rejected(body).await;
        assert_eq!((status, error["field"].as_str()), (400, Some("isdns")), "{error}");
        assert!(error["message"].as_str().unwrap().contains(says), "{error}");
    }
    let exactly_the_limit: Vec<String> = (0..10_000).map(|n| format!("X{n:07}")).collect();
    let answer: Value = http.post(&bulk).json(&exactly_the_limit).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["not_found"].as_array().unwrap().len(), 10_000);
    db.cleanup().await;
}

#[tokio::test]
async fn lists_page_through_every_match_by_priority() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let records = generate(37, 0.003);
    db.load(&org, &records).await;
    // A subscriber without a priority score comes last.
    let unscored = &records[3].isdn;
    sqlx::query("UPDATE recommendations SET priority_score = NULL WHERE isdn = $1")
        .bind(unscored)
        .execute(&db.pool)
        .await
        .unwrap();
    let http = api_client(&db.store, &org).await;
    let base = spawn_app(db.store.clone()).await;

    let walk = |query: String| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let mut items: Vec<Value> = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let cursor = after.as_deref().map(|after| format!("&after={after}")).unwrap_or_default();
                let page: Value = http
                    .get(format!("{base}/api/v1/recommendations?{query}{cursor}"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                items.extend(page["items"].as_array().unwrap().iter().cloned());
                match page["next"].as_str() {
                    Some(next) => after = Some(next.to_owned()),
                    None => return items,
                }
            }
        }
    };
    let sorted_by_priority = |items: &[Value]| {
        let scores: Vec<f64> = items.iter().map(|item| item["priority_score"].as_f64().unwrap_or(-1.0)).collect();
        scores.windows(2).all(|pair| pair[0] >= pair[1])
    };

    let everyone = walk("limit=37".into()).await;
    assert_eq!(everyone.len(), records.len());
    let distinct: HashSet<&str> = everyone.iter().map(|item| item["isdn"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), records.len(), "no subscriber twice across pages");
    assert!(sorted_by_priority(&everyone));
    assert_eq!(everyone.last().unwrap()["isdn"], unscored.as_str());

    for (query, sql_filter) in [
        ("service=EasyCredit&limit=25", "service_type = 'EasyCredit'"),
        ("risk=MEDIUM&limit=10", "bad_debt_risk = 'MEDIUM'"),
        ("cluster=2&min_value=40&limit=7", "cluster_group = 2 AND customer_value_score >= 40"),
        (
            "service=MBFG&risk=LOW&min_readiness=50",
            "service_type = 'MBFG' AND bad_debt_risk = 'LOW' AND advance_readiness_score >= 50",
        ),
    ] {
        let listed = walk(query.into()).await;
        let expected: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT isdn FROM recommendations WHERE organization_id = $1 AND {sql_filter}"
        ))
        .bind(org.id)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        assert!(!expected.is_empty(), "{query} matches someone");
        let listed_isdns: HashSet<&str> = listed.iter().map(|item| item["isdn"].as_str().unwrap()).collect();
        assert_eq!(listed_isdns, expected.iter().map(String::as_str).collect(), "{query}");
        assert_eq!(listed.len(), expected.len(), "{query}: no duplicates");
        assert!(sorted_by_priority(&listed), "{query}");
    }

    let first: Value = http.get(format!("{base}/api/v1/recommendations")).send().await.unwrap().json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 100, "100 a page unless asked");
    for (query, field) in [
        ("service=Foo", "service"),
        ("risk=low", "risk"),
        ("cluster=two", "cluster"),
        ("min_value=-1", "min_value"),
        ("min_readiness=abc", "min_readiness"),
        ("limit=5000", "limit"),
        ("after=garbage", "after"),
        ("servce=MBFG", "query"),
    ] {
        let (status, error) =
            error_of(http.get(format!("{base}/api/v1/recommendations?{query}")).send().await.unwrap()).await;
        assert_eq!((status, error["field"].as_str()), (400, Some(field)), "{query}: {error}");
    }
    db.cleanup().await;
}

/// Every page of `/api/v1/recommendations?{query}{start}`, following `next` (or,
/// `backwards`, `previous`).
async fn walk_pages(http: &reqwest::Client, base: &str, query: &str, start: String, backwards: bool) -> Vec<Value> {
    let (field, link) = if backwards { ("previous", "before") } else { ("next", "after") };
    let mut pages = Vec::new();
    let mut cursor = start;
    loop {
        let page: Value = http
            .get(format!("{base}/api/v1/recommendations?{query}{cursor}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let step = page[field].as_str().map(|value| format!("&{link}={value}"));
        pages.push(page);
        match step {
            Some(step) => cursor = step,
            None => return pages,
        }
    }
}

fn isdns(pages: &[Value]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|page| page["items"].as_array().unwrap())
        .map(|item| item["isdn"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_sort_by_any_column_filter_by_type_and_trend_and_page_back() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let records = generate(61, 0.003);
    db.load(&org, &records).await;
    let http = api_client(&db.store, &org).await;
    let base = spawn_app(db.store.clone()).await;
    let sql_isdns = |condition: String| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!(
                "SELECT isdn FROM recommendations WHERE organization_id = $1 {condition}"
            ))
            .bind(org.id)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };

    let sorts = [
        ("sort=advance&order=asc", "", "advance_amount ASC, isdn ASC"),
        ("sort=value", "", "COALESCE(customer_value_score, -1) DESC, isdn DESC"),
        ("sort=service", "", "service_type ASC, isdn ASC"),
        ("sort=trend&order=desc", "", "COALESCE(arpu_trend, '') DESC, isdn DESC"),
        ("sort=isdn", "", "isdn ASC"),
        ("sort=cluster&order=asc", "", "COALESCE(cluster_group, -1) ASC, isdn ASC"),
        ("sort=arpu&subscriber_type=PRE", "AND subscriber_type = 'PRE'", "COALESCE(arpu_avg_6m, -1) DESC, isdn DESC"),
        ("trend=Gi%E1%BA%A3m", "AND arpu_trend = 'Giảm'", "COALESCE(priority_score, -1) DESC, isdn DESC"),
    ];
    for (query, condition, order_by) in sorts {
        let expected = sql_isdns(format!("{condition} ORDER BY {order_by}")).await;
        let query = format!("{query}&limit=9");
        let forward = walk_pages(&http, &base, &query, String::new(), false).await;
        assert!(forward.len() > 2, "{query}: several pages");
        assert_eq!(isdns(&forward), expected, "{query}: in SQL's order, each once");
        assert!(forward[0]["previous"].is_null(), "{query}: nothing before the first page");

        // Back from the last page: the same pages, in reverse.
        let last = forward.last().unwrap();
        let previous = last["previous"].as_str().expect("the last page has a previous one");
        let mut backward = walk_pages(&http, &base, &query, format!("&before={previous}"), true).await;
        backward.reverse();
        backward.push(last.clone());
        assert_eq!(backward.len(), forward.len(), "{query}");
        for (back, forth) in backward.iter().zip(&forward) {
            assert_eq!(isdns(std::slice::from_ref(back)), isdns(std::slice::from_ref(forth)), "{query}: page by page");
        }
    }

    // Counts of lists filtered by values come from the statistics, and equal SQL's.
    let params = |service: &str, cluster: &str, subscriber_type: &str, trend: &str| ListParams {
        service: service.into(),
        cluster: cluster.into(),
        subscriber_type: subscriber_type.into(),
        trend: trend.into(),
        ..Default::default()
    };
    for (params, condition) in [
        (params("MBFG", "2", "", ""), "AND service_type = 'MBFG' AND cluster_group = 2"),
        (params("", "", "", "Ổn định"), "AND arpu_trend = 'Ổn định'"),
        (params("", "", "POS", ""), "AND subscriber_type = 'POS'"),
        (
            params("MBFG", "", "PRE", "Giảm"),
            "AND service_type = 'MBFG' AND subscriber_type = 'PRE' AND arpu_trend = 'Giảm'",
        ),
    ] {
        let count = db.store.for_organization(&org).recommendation_count(&params.filter().unwrap()).await.unwrap();
        let expected = sql_isdns(condition.into()).await.len() as i64;
        assert!(expected > 0, "{condition} matches someone");
        assert_eq!(count, MatchCount::Exact(expected), "{condition}");
    }

    let by_value = walk_pages(&http, &base, "sort=value&limit=9", String::new(), false).await;
    let value_cursor = by_value[0]["next"].as_str().unwrap();
    for (query, field) in [
        (format!("after={value_cursor}"), "after"),
        (format!("sort=value&after={value_cursor}&before={value_cursor}"), "before"),
        ("sort=colour".into(), "sort"),
        ("order=up".into(), "order"),
        ("subscriber_type=PREPAID".into(), "subscriber_type"),
        ("trend=Up".into(), "trend"),
    ] {
        let (status, error) =
            error_of(http.get(format!("{base}/api/v1/recommendations?{query}")).send().await.unwrap()).await;
        assert_eq!((status, error["field"].as_str()), (400, Some(field)), "{query}: {error}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn a_list_exports_as_csv_in_its_order_with_formulas_neutralized() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let records = generate(62, 0.01);
    db.load(&org, &records).await;
    let planted = &records[5].isdn;
    sqlx::query("UPDATE recommendations SET arpu_trend = '=1+cmd', bad_debt_risk = 'LOW' WHERE isdn = $1")
        .bind(planted)
        .execute(&db.pool)
        .await
        .unwrap();
    let base = spawn_app(db.store.clone()).await;
    let http = common::signed_in_client(&base, &db.store, &org, ut360::domain::access::Role::Admin).await;

    let response =
        http.get(format!("{base}/subscribers/export.csv?risk=LOW&sort=advance&order=asc")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"subscribers-"), "{disposition}");
    assert!(disposition.contains(".csv\"; filename*=UTF-8''subscribers"), "{disposition}");
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with("\u{feff}".as_bytes()), "a BOM for Excel");

    let mut reader = csv::Reader::from_reader(&body[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[0], "isdn");
    assert_eq!(header.len(), 14);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT isdn FROM recommendations WHERE organization_id = $1 AND bad_debt_risk = 'LOW' ORDER BY advance_amount, isdn",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(expected.len() > 1_000, "more than one batch: {}", expected.len());
    // An ISDN starting with + or - is written with a leading ' (and read back without it).
    let exported: Vec<String> = rows.iter().map(|row| row[0].trim_start_matches('\'').to_owned()).collect();
    assert_eq!(exported, expected);
    for row in &rows {
        for cell in row.iter() {
            let formula = cell.starts_with(['=', '+', '@', '\t', '\r'])
                || (cell.starts_with('-') && cell.parse::<f64>().is_err());
            assert!(!formula, "no cell starts a formula: {cell:?}");
        }
    }
    let planted_row = rows.iter().find(|row| row[0].trim_start_matches('\'') == planted.as_str()).unwrap();
    assert_eq!(&planted_row[9], "'=1+cmd");

    let bad = http.get(format!("{base}/subscribers/export.csv?sort=colour")).send().await.unwrap();
    let (status, error) = error_of(bad).await;
    assert_eq!((status, error["field"].as_str()), (400, Some("sort")));
    db.cleanup().await;
}
