//! Issue 24: seed 004's aggregates on UT360's own data equal the rows they come from,
//! the cleanups keep exactly their retention, no organization reaches another's, and
//! the scheduler runs each slot once and retries what fails.

use crate::common::{api_client, encoded, spawn_app, TestDb};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use ut360::data::transactions::TransactionRecord;
use ut360::data::{Organization, Store, APP_ROLE};
use ut360::domain::analytics::aggregates::Channel;
use ut360::server::jobs::Schedule;
use ut360::server::scheduler::{
    hourly_round, run_cluster_job, run_once_per_slot, ClusterJob, OrganizationHooks, Retry, SchedulerSettings,
    SlotOutcome,
};

/// The database's today (the aggregation's `CURRENT_DATE`).
async fn database_today(pool: &PgPool) -> NaiveDate {
    sqlx::query_scalar("SELECT CURRENT_DATE").fetch_one(pool).await.unwrap()
}

const MERCHANTS: [(&str, &str); 3] = [("M01", "Cửa hàng Một"), ("M02", "Cửa hàng Hai"), ("M03", "Cửa hàng Ba")];
const MODES: [&str; 3] = ["MOMO", "VNPAY", "BANK"];
const STATUSES: [&str; 4] = ["SUCCESS", "SUCCESS", "FAILED", "PENDING"];

/// Transactions spread over the hours of `days`, every merchant, mode and status.
async fn load_transactions(db: &TestDb, organization: &Organization, days: &[NaiveDate]) -> u64 {
    let mut at = Vec::new();
    for (d, day) in days.iter().enumerate() {
        for n in 0..240u32 {
            let time = NaiveTime::from_hms_opt((n * 7 + d as u32) % 24, (n * 13) % 60, n % 60).unwrap();
            at.push((NaiveDateTime::new(*day, time), n as usize + d));
        }
    }
    let records: Vec<TransactionRecord<'_>> = at
        .iter()
        .map(|(when, n)| TransactionRecord {
            trans_date: *when,
            client_code: MERCHANTS[n % 3].0,
            client_name: MERCHANTS[n % 3].1,
            payment_mode: MODES[(n / 3) % 3],
            status: STATUSES[n % 4],
            paid_cents: 100_000 + (*n as i64 * 137) % 5_000_000,
            isdn: "84900000001",
        })
        .collect();
    db.store.for_organization(organization).load_transactions(&records).await.unwrap().rows
}

/// `(metric, period) → value` of an aggregate table's rows of one channel.
async fn aggregates(
    pool: &PgPool,
    table: &str,
    organization: &Organization,
    channel: &str,
) -> BTreeMap<(String, String), String> {
    let period = if table == "hourly_aggregates" { "timestamp::text" } else { "date::text" };
    let rows: Vec<(String, String, String)> = sqlx::query_as(&format!(
        "SELECT metric::text, {period}, value::text FROM {table} WHERE organization_id = $1 AND channel = $2"
    ))
    .bind(organization.id)
    .bind(channel)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter().map(|(metric, at, value)| ((metric, at), value)).collect()
}

/// What the rows say, `(metric, period) → value` (2 decimals), for the segments named.
async fn expected_transactions(
    pool: &PgPool,
    organization: &Organization,
    hourly: bool,
    since: NaiveDate,
) -> BTreeMap<(String, String), String> {
    let period = if hourly { "date_trunc('hour', trans_date)::timestamptz::text" } else { "trans_date::date::text" };
    let mut expected = BTreeMap::new();
    for (suffix, key) in [
        ("''", "organization_id"),
        ("'.payment_mode.' || payment_mode", "payment_mode"),
        ("'.merchant.' || client_code", "client_code"),
    ] {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(&format!(
            "SELECT {suffix}, {period}, COUNT(*)::numeric(15,2)::text,
                    COALESCE(SUM(paid_amount) FILTER (WHERE status = 'SUCCESS'), 0)::numeric(15,2)::text,
                    ROUND(100.0 * COUNT(*) FILTER (WHERE status = 'SUCCESS') / COUNT(*), 2)::numeric(15,2)::text
             FROM transaction_detail WHERE organization_id = $1 AND trans_date >= $2
             GROUP BY {key}, 2"
        ))
        .bind(organization.id)
        .bind(since)
        .fetch_all(pool)
        .await
        .unwrap();
        for (suffix, at, count, volume, rate) in rows {
            expected.insert((format!("count{suffix}"), at.clone()), count);
            expected.insert((format!("volume{suffix}"), at.clone()), volume);
            expected.insert((format!("success_rate{suffix}"), at), rate);
        }
    }
    expected
}

#[tokio::test]
async fn aggregates_equal_the_rows_they_come_from_for_every_metric_and_segment() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let today = database_today(&db.pool).await;
    let yesterday = today.pred_opt().unwrap();
    let loaded = load_transactions(&db, &organization, &[today - chrono::Days::new(3), yesterday, today]).await;
    assert_eq!(loaded, 720);
    // Each load left its summary for the imports channel.
    let summarized: i64 = sqlx::query_scalar(
        "SELECT SUM((raw_data->'metrics'->>'transactions_loaded')::bigint)::int8 FROM raw_data_backup
         WHERE organization_id = $1 AND source = 'transactions'",
    )
    .bind(organization.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(summarized, 720);

    // The other channels' sources, this hour.
    let org = organization.id;
    for statement in [
        "INSERT INTO event_tracking (organization_id, session_id, event_name, event_category, event_value, timestamp, metadata)
         VALUES ($1, 's1', 'export', 'campaign', 120, NOW(), '{\"status\": \"complete\"}'),
                ($1, 's1', 'export', 'subscriber_list', 30, NOW(), '{\"status\": \"complete\"}'),
                ($1, 's1', 'export', 'campaign', 7, NOW(), '{\"status\": \"interrupted\"}'),
                ($1, 's1', 'page_view', 'web', NULL, NOW(), '{}'),
                ($1, 's2', 'page_view', 'web', NULL, NOW(), '{}'),
                ($1, 's2', 'page_view', 'web', NULL, NOW() - INTERVAL '2 days', '{}')",
        "INSERT INTO realtime_sessions (organization_id, session_id, page_url, started_at, last_activity)
         VALUES ($1, 's1', '/', NOW(), NOW()), ($1, 's2', '/', NOW(), NOW())",
        "INSERT INTO security_events (organization_id, kind, email) VALUES ($1, 'sign_in_succeeded', 'a@x'),
                ($1, 'sign_in_succeeded', 'b@x'), ($1, 'sign_in_failed', 'c@x')",
        "INSERT INTO raw_data_backup (organization_id, source, raw_data, fetched_at) VALUES
           ($1, 'lookups', '{\"metrics\": {\"api_calls\": 100, \"cache_hits\": 90, \"cache_misses\": 10},
                             \"latency_ms_buckets\": {\"0.5\": 50, \"1\": 49, \"5\": 1}}', NOW()),
           ($1, 'lookups', '{\"metrics\": {\"api_calls\": 100, \"cache_hits\": 50, \"cache_misses\": 50},
                             \"latency_ms_buckets\": {\"0.5\": 90, \"2\": 8, \"25\": 2}}', NOW()),
           ($1, 'imports', '{\"metrics\": {\"rows_imported\": 1000, \"rows_rejected\": 0}}', NOW()),
           ($1, 'imports', '{\"metrics\": {\"rows_imported\": 0, \"rows_rejected\": 40}}', NOW())",
    ] {
        sqlx::query(statement).bind(org).execute(&db.pool).await.unwrap();
    }

    // As the server runs it: the app's role, acting for the organization.
    let app = db.store.as_database_role(APP_ROLE).for_organization(&organization);
    app.aggregate_hourly_data().await.unwrap();
    app.aggregate_daily_data().await.unwrap();
    // A second run changes nothing.
    app.aggregate_hourly_data().await.unwrap();

    let hourly = aggregates(&db.pool, "hourly_aggregates", &organization, "transactions").await;
    let expected_hourly = expected_transactions(&db.pool, &organization, true, today).await;
    assert_eq!(hourly, expected_hourly);
    assert!(hourly.len() > 24 * 9, "hours of totals, modes and merchants: {}", hourly.len());
    let daily = aggregates(&db.pool, "daily_aggregates", &organization, "transactions").await;
    let expected_daily = expected_transactions(&db.pool, &organization, false, yesterday).await;
    assert_eq!(daily, expected_daily);
    assert!(daily.contains_key(&("success_rate.payment_mode.VNPAY".to_owned(), yesterday.to_string())));

    // The day's rate is its own numerator over its denominator, not the hours' average.
    let (numerator, denominator): (String, String) = sqlx::query_as(
        "SELECT metadata->>'numerator', metadata->>'denominator' FROM daily_aggregates
         WHERE organization_id = $1 AND channel = 'transactions' AND metric = 'success_rate' AND date = $2",
    )
    .bind(org)
    .bind(today)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((numerator.as_str(), denominator.as_str()), ("120", "240"));

    let hour_of = |figures: &BTreeMap<(String, String), String>, metric: &str| -> Vec<String> {
        figures.iter().filter(|((m, _), _)| m == metric).map(|(_, value)| value.clone()).collect()
    };
    let campaigns = aggregates(&db.pool, "hourly_aggregates", &organization, "campaigns").await;
    assert_eq!(hour_of(&campaigns, "exports"), ["2.00"]);
    assert_eq!(hour_of(&campaigns, "members_exported"), ["150.00"]);
    let web = aggregates(&db.pool, "hourly_aggregates", &organization, "web").await;
    assert_eq!(hour_of(&web, "page_views"), ["2.00"]);
    assert_eq!(hour_of(&web, "sessions"), ["2.00"]);
    assert_eq!(hour_of(&web, "sign_ins"), ["2.00"]);
    let lookups = aggregates(&db.pool, "hourly_aggregates", &organization, "lookups").await;
    assert_eq!(hour_of(&lookups, "api_calls"), ["200.00"]);
    assert_eq!(hour_of(&lookups, "cache_hit_rate"), ["70.00"], "140 hits of 200, not the average of 90 % and 50 %");
    assert_eq!(hour_of(&lookups, "latency_p99_ms"), ["5.00"], "the 198th of 200 calls took at most 5 ms");
    let imports = aggregates(&db.pool, "hourly_aggregates", &organization, "imports").await;
    assert_eq!(hour_of(&imports, "rows_imported"), ["1000.00"]);
    assert_eq!(hour_of(&imports, "rows_rejected"), ["40.00"]);
    let loaded_today: i64 =
        hour_of(&imports, "transactions_loaded").iter().map(|v| v.parse::<f64>().unwrap() as i64).sum();
    assert_eq!(loaded_today, 720, "loaded today, whatever days the rows are of");
    let daily_web = aggregates(&db.pool, "daily_aggregates", &organization, "web").await;
    assert_eq!(daily_web.get(&("page_views".to_owned(), today.to_string())).map(String::as_str), Some("2.00"));

    // The read side the pages and insights use.
    let points = app.hourly_aggregates(Channel::Lookups, &["api_calls"]).await.unwrap();
    assert_eq!(points.iter().map(|p| p.value).sum::<f64>(), 200.0);

    // The backfill: every day of the rows, from the summaries.
    let written = app.backfill_daily_aggregates(5).await.unwrap();
    assert!(written > 0);
    let history = aggregates(&db.pool, "daily_aggregates", &organization, "transactions").await;
    let expected_history = expected_transactions(&db.pool, &organization, false, today - chrono::Days::new(4)).await;
    assert_eq!(history, expected_history);
    assert!(history.contains_key(&("count".to_owned(), (today - chrono::Days::new(3)).to_string())));
    db.cleanup().await;
}

#[tokio::test]
async fn the_apis_calls_are_counted_per_organization_and_reach_the_hourly_lookups() {
    let db = TestDb::new().await;
    let ours = db.default_organization().await;
    let theirs = db.organization_with_own_prefix().await;
    db.load(&ours, &ut360::server::generate::generate(3, 0.0005)).await;
    let http = api_client(&db.store, &ours).await;
    let their_http = api_client(&db.store, &theirs).await;
    let base = spawn_app(db.store.clone()).await;
    let isdn = encoded(ut360::server::generate::SEED_EXAMPLE_ISDN);
    for _ in 0..3 {
        let response = http.get(format!("{base}/api/v1/recommendations/{isdn}")).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let response = their_http.get(format!("{base}/api/v1/stats")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    // Refused before its key is read: nobody's call.
    let refused = reqwest::get(format!("{base}/api/v1/stats")).await.unwrap();
    assert_eq!(refused.status(), 401);

    assert_eq!(db.store.persist_lookup_counts(Duration::from_secs(60)).await, 2);
    let calls = |organization: &Organization| {
        let (pool, id) = (db.pool.clone(), organization.id);
        async move {
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT SUM((raw_data->'metrics'->>'api_calls')::bigint)::int8 FROM raw_data_backup
                 WHERE organization_id = $1 AND source = 'lookups'",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(calls(&ours).await, Some(3));
    assert_eq!(calls(&theirs).await, Some(1));
    // Written once: the next window starts at zero.
    assert_eq!(db.store.persist_lookup_counts(Duration::from_secs(60)).await, 0);

    db.store.for_organization(&ours).aggregate_hourly_data().await.unwrap();
    let lookups = db.store.for_organization(&ours).hourly_aggregates(Channel::Lookups, &[]).await.unwrap();
    let value = |metric: &str| lookups.iter().find(|p| p.metric == metric).map(|p| p.value);
    assert_eq!(value("api_calls"), Some(3.0));
    assert!(value("latency_p99_ms").is_some_and(|ms| ms > 0.0), "{lookups:?}");
    assert!(value("cache_hit_rate").is_some_and(|rate| (0.0..=100.0).contains(&rate)), "{lookups:?}");
    db.cleanup().await;
}

#[tokio::test]
async fn each_cleanup_keeps_exactly_its_retention() {
    let db = TestDb::new().await;
    let org = db.default_organization().await.id;
    // Just inside and just outside each limit: hourly today only, daily 365 days, raw
    // data 30 days. (Idle live sessions are the nightly hook's: analytics_usage.)
    for statement in [
        "INSERT INTO hourly_aggregates (organization_id, channel, metric, value, timestamp) VALUES
           ($1, 'web', 'kept', 1, CURRENT_DATE::timestamptz), ($1, 'web', 'gone', 1, CURRENT_DATE::timestamptz - INTERVAL '1 microsecond')",
        "INSERT INTO daily_aggregates (organization_id, channel, metric, value, date) VALUES
           ($1, 'web', 'kept', 1, CURRENT_DATE - 365), ($1, 'web', 'gone', 1, CURRENT_DATE - 366)",
        "INSERT INTO raw_data_backup (organization_id, source, raw_data, fetched_at) VALUES
           ($1, 'kept', '{}', CURRENT_DATE - INTERVAL '30 days'), ($1, 'gone', '{}', CURRENT_DATE - INTERVAL '30 days' - INTERVAL '1 second')",
    ] {
        sqlx::query(statement).bind(org).execute(&db.pool).await.unwrap();
    }
    let app = db.store.as_database_role(APP_ROLE);
    app.cleanup_analytics().await.unwrap();
    for (table, column) in
        [("hourly_aggregates", "metric"), ("daily_aggregates", "metric"), ("raw_data_backup", "source")]
    {
        let left: Vec<String> = sqlx::query_scalar(&format!("SELECT {column}::text FROM {table} ORDER BY 1"))
            .fetch_all(&db.pool)
            .await
            .unwrap();
        assert_eq!(left, ["kept"], "{table}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn no_organization_reads_or_computes_anothers_aggregates() {
    let db = TestDb::new().await;
    let ours = db.default_organization().await;
    let theirs = db.organization_with_own_prefix().await;
    let today = database_today(&db.pool).await;
    load_transactions(&db, &theirs, &[today]).await;
    let app = db.store.as_database_role(APP_ROLE);
    app.for_organization(&theirs).aggregate_hourly_data().await.unwrap();
    app.for_organization(&theirs).aggregate_daily_data().await.unwrap();
    assert!(!app.for_organization(&theirs).hourly_aggregates(Channel::Transactions, &[]).await.unwrap().is_empty());

    // Acting for ours: none of theirs, through the data layer or plain SQL.
    let acting_for_ours = app.for_organization(&ours);
    assert!(acting_for_ours.hourly_aggregates(Channel::Transactions, &[]).await.unwrap().is_empty());
    assert!(acting_for_ours.daily_aggregates(Channel::Transactions, &[], today, today).await.unwrap().is_empty());
    let ours_store = app.for_organization_id(ours.id);
    for statement in [
        "SELECT COUNT(*) FROM hourly_aggregates",
        "SELECT COUNT(*) FROM daily_aggregates",
        "SELECT COUNT(*) FROM raw_data_backup",
    ] {
        let mut tx = ours_store.begin().await.unwrap();
        let seen: i64 = sqlx::query_scalar(statement).persistent(false).fetch_one(&mut *tx).await.unwrap();
        assert_eq!(seen, 0, "{statement}");
    }
    // Nor compute, backfill or write them.
    for statement in [
        "SELECT aggregate_hourly_data($1)",
        "SELECT aggregate_daily_data($1)",
        "SELECT backfill_daily_aggregates($1, 30)",
        "INSERT INTO hourly_aggregates (organization_id, channel, metric, value, timestamp) VALUES ($1, 'web', 'x', 1, NOW())",
        "DELETE FROM daily_aggregates WHERE organization_id = $1",
    ] {
        let mut tx = ours_store.begin().await.unwrap();
        let refused = sqlx::query(statement).bind(theirs.id).persistent(false).execute(&mut *tx).await;
        let error = refused.expect_err(statement);
        let code = error.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{statement}: {error}");
    }
    // Theirs are all still there.
    let theirs_left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM daily_aggregates WHERE organization_id = $1")
        .bind(theirs.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(theirs_left > 0);
    db.cleanup().await;
}

/// The scheduler's settings with a hook after the hourly aggregation that counts its runs.
fn counting_settings(runs: Arc<AtomicUsize>) -> SchedulerSettings {
    let hooks = OrganizationHooks::default().after_hourly("count", move |_organization, _today| {
        let runs = runs.clone();
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(200)).await;
            Ok::<(), String>(())
        }
    });
    SchedulerSettings {
        hooks,
        drop_folder: None,
        schedule: Schedule::NOW,
        retry: Retry { attempts: 3, first_wait: Duration::from_millis(10) },
    }
}

#[tokio::test]
async fn two_servers_run_each_slot_of_a_job_once() {
    let db = TestDb::new().await;
    // Two processes: stores of their own, as the app's role.
    let first = Store::connect(&db.settings).await.unwrap().as_database_role(APP_ROLE);
    let second = Store::connect(&db.settings).await.unwrap().as_database_role(APP_ROLE);
    let slot = chrono::Utc::now();
    let runs = Arc::new(AtomicUsize::new(0));
    let work = || {
        let runs = runs.clone();
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(200)).await;
            Ok::<(), String>(())
        }
    };
    let (a, b) = tokio::join!(
        run_once_per_slot(&first, "test_job", slot, "first", work),
        run_once_per_slot(&second, "test_job", slot, "second", work)
    );
    let mut outcomes = vec![a.unwrap(), b.unwrap()];
    outcomes.sort_by_key(|outcome| matches!(outcome, SlotOutcome::TakenElsewhere));
    assert_eq!(outcomes, [SlotOutcome::Ran(Ok(())), SlotOutcome::TakenElsewhere]);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let status: String = sqlx::query_scalar("SELECT status::text FROM scheduled_job_runs WHERE job = 'test_job'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(status, "completed");
    // The next slot is run again.
    let later = slot + chrono::Duration::hours(1);
    assert_eq!(run_once_per_slot(&second, "test_job", later, "second", work).await.unwrap(), SlotOutcome::Ran(Ok(())));
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    // The hourly job itself, fired in both at once: the hook ran once per organization.
    db.organization_with_own_prefix().await;
    let hook_runs = Arc::new(AtomicUsize::new(0));
    let settings = counting_settings(hook_runs.clone());
    let now = chrono::Local::now();
    tokio::join!(
        run_cluster_job(&first, &settings, "first", ClusterJob::HourlyAggregation, now),
        run_cluster_job(&second, &settings, "second", ClusterJob::HourlyAggregation, now)
    );
    assert_eq!(hook_runs.load(Ordering::SeqCst), 2, "two organizations, one run each");
    let claims: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM scheduled_job_runs WHERE job = 'hourly_aggregation' AND status = 'completed'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(claims, 1);
    // The app's role reaches the claims only through the functions.
    let mut tx = first.begin().await.unwrap();
    let denied = sqlx::query("SELECT * FROM scheduled_job_runs").persistent(false).execute(&mut *tx).await;
    assert!(denied.is_err());
    drop(tx);
    first.close().await;
    second.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_failing_step_is_retried_and_each_failure_recorded_in_the_organizations_sync_logs() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let app = db.store.as_database_role(APP_ROLE);
    let today = database_today(&db.pool).await;
    load_transactions(&db, &organization, &[today]).await;
    let retry = Retry { attempts: 3, first_wait: Duration::from_millis(10) };

    // Fails twice, then succeeds.
    let tries = Arc::new(AtomicUsize::new(0));
    let counted = tries.clone();
    let hooks = OrganizationHooks::default().after_hourly("flaky", move |_organization, _today| {
        let tries = counted.clone();
        async move {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Err("not yet".to_owned()),
                _ => Ok(()),
            }
        }
    });
    let report = hourly_round(&app, Schedule::NOW, retry, &hooks, today).await.unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(tries.load(Ordering::SeqCst), 3);
    let failures = |source: &'static str| {
        let (pool, id) = (db.pool.clone(), organization.id);
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT l.error_message FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
                 WHERE d.organization_id = $1 AND d.source_type = $2 AND l.status = 'failed' ORDER BY l.started_at",
            )
            .bind(id)
            .bind(source)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let logged = failures("hourly_aggregation").await;
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged[0].contains("flaky: not yet (attempt 1 of 3"), "{logged:?}");
    assert!(logged[1].contains("attempt 2 of 3"), "{logged:?}");
    // The aggregation before it was done once and stands.
    let hourly: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hourly_aggregates WHERE organization_id = $1")
        .bind(organization.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(hourly > 0);

    // A step that always fails: every attempt recorded, the organization reported failed,
    // and the hook after it still runs.
    let after = Arc::new(AtomicUsize::new(0));
    let after_counted = after.clone();
    let hooks = OrganizationHooks::default()
        .nightly("broken", |_organization, _today| async { Err::<(), _>("always".to_owned()) })
        .nightly("next", move |_organization, _today| {
            let after = after_counted.clone();
            async move {
                after.fetch_add(1, Ordering::SeqCst);
                Ok::<(), String>(())
            }
        });
    let report = ut360::server::scheduler::nightly_round(&app, Schedule::NOW, retry, &hooks, today).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(report.failed[0].1.contains("broken: always (attempt 3 of 3)"), "{report:?}");
    assert_eq!(after.load(Ordering::SeqCst), 1);
    let logged = failures("nightly_analytics").await;
    assert_eq!(logged.len(), 3, "two retried attempts and the run's outcome: {logged:?}");
    // The daily aggregation before the hooks was done.
    let daily: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM daily_aggregates WHERE organization_id = $1")
        .bind(organization.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(daily > 0);
    db.cleanup().await;
}
