//! Seed 003's transactions: partitions made on demand, summaries that always equal
//! the raw rows, the dashboard from the summaries equal to the one from the rows, and
//! its cache dropped by a load.

use crate::common;

use chrono::{NaiveDate, NaiveDateTime};
use common::{scalar_i64, TestDb};
use sqlx::PgPool;
use ut360::data::transactions::{DashboardRequest, DashboardSource, TransactionRecord};
use ut360::data::Organization;
use ut360::domain::transactions::{DashboardQuery, DashboardRange};
use ut360::server::generate::transactions::TransactionSynth;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

/// Loads `rows` synthesized rows over `days` days ending `last`, a batch every `batch_days` days
/// (each batch also carries the late rows the synthesizer dates before it).
async fn load_synthetic(
    db: &TestDb,
    org: &Organization,
    seed: u64,
    rows: u64,
    days: u32,
    last: NaiveDate,
    batch_days: usize,
) -> u64 {
    let mut synth = TransactionSynth::new(seed, rows, days, last, Vec::new());
    let all_days: Vec<NaiveDate> = synth.days().collect();
    let mut loaded = 0;
    for chunk in all_days.chunks(batch_days) {
        let batch: Vec<_> = chunk.iter().flat_map(|day| synth.rows_of(*day)).collect();
        loaded += db.store.for_organization(org).load_transactions(&synth.records(&batch)).await.unwrap().rows;
    }
    loaded
}

/// Rows of `left` not in `right`, both queries over the organization `$1`.
async fn difference(pool: &PgPool, org: &Organization, left: &str, right: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM (({left}) EXCEPT ALL ({right})) d");
    sqlx::query_scalar(&sql).bind(org.id).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

const MERCHANTS_FROM_ROWS: &str = "SELECT trans_date::date, COALESCE(client_code, ''), COUNT(*)::int, COUNT(*) FILTER (WHERE status = 'SUCCESS')::int,
        SUM(COALESCE(paid_amount, 0)), COALESCE(SUM(paid_amount) FILTER (WHERE status = 'SUCCESS'), 0)
    FROM transaction_detail WHERE organization_id = $1 GROUP BY 1, 2";
const MERCHANTS_SUMMARY: &str =
    "SELECT summary_date, client_code, total_transactions, successful_transactions, total_amount, success_amount
    FROM daily_merchant_summary WHERE organization_id = $1";
const MODES_FROM_ROWS: &str = "SELECT trans_date::date, COALESCE(payment_mode, ''), COUNT(*)::int, COUNT(*) FILTER (WHERE status = 'SUCCESS')::int,
        ROUND(100.0 * COUNT(*) FILTER (WHERE status = 'SUCCESS') / COUNT(*), 2)
    FROM transaction_detail WHERE organization_id = $1 GROUP BY 1, 2";
const MODES_SUMMARY: &str =
    "SELECT summary_date, payment_mode, total_transactions, successful_transactions, success_rate
    FROM daily_payment_summary WHERE organization_id = $1";
const TREND_FROM_ROWS: &str = "SELECT trans_date::date, COUNT(*)::int, COUNT(*) FILTER (WHERE status = 'SUCCESS')::int,
        SUM(COALESCE(paid_amount, 0)), COALESCE(SUM(paid_amount) FILTER (WHERE status = 'SUCCESS'), 0)
    FROM transaction_detail WHERE organization_id = $1 GROUP BY 1";
const TREND_SUMMARY: &str =
    "SELECT summary_date, total_transactions, successful_transactions, total_volume, success_volume
    FROM daily_trend_summary WHERE organization_id = $1";

const MONTHS_FROM_DAYS: &str =
    "SELECT date_trunc('month', summary_date)::date, client_code, SUM(total_transactions)::int,
        SUM(successful_transactions)::int, SUM(total_amount), SUM(success_amount)
    FROM daily_merchant_summary WHERE organization_id = $1 GROUP BY 1, 2";
const MONTHS_SUMMARY: &str =
    "SELECT summary_month, client_code, total_transactions, successful_transactions, total_amount, success_amount
    FROM monthly_merchant_summary WHERE organization_id = $1";

async fn assert_summaries_equal_rows(db: &TestDb, org: &Organization) {
    let pairs = [
        (MERCHANTS_FROM_ROWS, MERCHANTS_SUMMARY),
        (MODES_FROM_ROWS, MODES_SUMMARY),
        (TREND_FROM_ROWS, TREND_SUMMARY),
        (MONTHS_FROM_DAYS, MONTHS_SUMMARY),
    ];
    for (rows, summary) in pairs {
        assert_eq!(difference(&db.pool, org, rows, summary).await, 0, "rows missing from the summary: {summary}");
        assert_eq!(difference(&db.pool, org, summary, rows).await, 0, "summary rows the rows do not give: {summary}");
    }
}

#[tokio::test]
async fn summaries_equal_the_raw_rows_after_loads_with_late_rows_and_every_status() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let loaded = load_synthetic(&db, &org, 3, 20_000, 60, day("2026-03-31"), 7).await;
    assert!(loaded > 15_000, "{loaded} rows");
    let statuses = scalar_i64(&db.pool, "SELECT COUNT(DISTINCT status) FROM transaction_detail").await;
    assert_eq!(statuses, 3, "SUCCESS, FAILED and PENDING rows");
    assert_summaries_equal_rows(&db, &org).await;

    // Late rows for days already summarized, one of them a new merchant, one with no amount.
    let late = [
        TransactionRecord {
            trans_date: at("2026-02-10 23:59"),
            client_code: "MC00001",
            client_name: "Đại lý Hà Nội 1",
            payment_mode: "MOMO",
            status: "SUCCESS",
            paid_cents: 5_000_000,
            isdn: "84900000001",
        },
        TransactionRecord {
            trans_date: at("2026-02-11 00:00"),
            client_code: "LATE01",
            client_name: "Late merchant",
            payment_mode: "VNPAY",
            status: "PENDING",
            paid_cents: 1_000_000,
            isdn: "84900000002",
        },
        TransactionRecord {
            trans_date: at("2026-03-01 08:00"),
            client_code: "LATE01",
            client_name: "Late merchant",
            payment_mode: "VNPAY",
            status: "FAILED",
            paid_cents: 0,
            isdn: "84900000003",
        },
    ];
    let before = scalar_i64(
        &db.pool,
        "SELECT total_transactions::int8 FROM daily_trend_summary WHERE summary_date = '2026-02-10'",
    )
    .await;
    let outcome = db.store.for_organization(&org).load_transactions(&late).await.unwrap();
    assert_eq!((outcome.rows, outcome.days), (3, 3));
    let after = scalar_i64(
        &db.pool,
        "SELECT total_transactions::int8 FROM daily_trend_summary WHERE summary_date = '2026-02-10'",
    )
    .await;
    assert_eq!(after, before + 1);
    assert_summaries_equal_rows(&db, &org).await;

    // Two loads of the same days at once: both are added, neither is lost or counted twice.
    let mut synth = TransactionSynth::new(5, 4_000, 10, day("2026-03-31"), Vec::new());
    let days: Vec<NaiveDate> = synth.days().collect();
    let rows: Vec<_> = days.iter().flat_map(|day| synth.rows_of(*day)).collect();
    let records = synth.records(&rows);
    let (first, second) = records.split_at(records.len() / 2);
    let rows_before = scalar_i64(&db.pool, "SELECT COUNT(*) FROM transaction_detail").await;
    let store = db.store.for_organization(&org);
    let (a, b) = tokio::join!(store.load_transactions(first), store.load_transactions(second));
    assert_eq!(a.unwrap().rows + b.unwrap().rows, records.len() as u64);
    assert_eq!(
        scalar_i64(&db.pool, "SELECT COUNT(*) FROM transaction_detail").await,
        rows_before + records.len() as i64
    );
    assert_summaries_equal_rows(&db, &org).await;

    // Another organization's rows change nothing of this one's.
    let other = db.organization_with_own_prefix().await;
    load_synthetic(&db, &other, 4, 2_000, 10, day("2026-03-31"), 10).await;
    assert_summaries_equal_rows(&db, &org).await;
    assert_summaries_equal_rows(&db, &other).await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_row_for_a_month_without_a_partition_is_stored() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let partition_exists = |name: &'static str| {
        let pool = db.pool.clone();
        async move { scalar_i64(&pool, &format!("SELECT COUNT(*) FROM pg_class WHERE relname = '{name}'")).await == 1 }
    };
    assert!(!partition_exists("transaction_detail_2031_05").await);
    let far = [TransactionRecord {
        trans_date: at("2031-05-17 10:30"),
        client_code: "MC00009",
        client_name: "Siêu thị Huế 9",
        payment_mode: "ZALOPAY",
        status: "SUCCESS",
        paid_cents: 10_000_000,
        isdn: "84912345678",
    }];
    let outcome = db.store.for_organization(&org).load_transactions(&far).await.unwrap();
    assert_eq!((outcome.rows, outcome.partitions_created), (1, 1));
    assert!(partition_exists("transaction_detail_2031_05").await);
    let stored =
        scalar_i64(&db.pool, "SELECT COUNT(*) FROM transaction_detail_2031_05 WHERE client_code = 'MC00009'").await;
    assert_eq!(stored, 1);
    let summarized =
        scalar_i64(&db.pool, "SELECT success_volume::int8 FROM daily_trend_summary WHERE summary_date = '2031-05-17'")
            .await;
    assert_eq!(summarized, 100_000);
    // The maintenance job makes the coming months ahead; asking again creates nothing.
    let created = db.store.ensure_transaction_partitions(day("2031-05-01"), day("2031-07-31")).await.unwrap();
    assert_eq!(created, 2);
    assert_eq!(db.store.ensure_transaction_partitions(day("2031-05-01"), day("2031-07-31")).await.unwrap(), 0);

    // Loads at once into months that have no partition: each month is made once, every row stored.
    let in_new_months: Vec<Vec<TransactionRecord<'_>>> = (0..4)
        .map(|load| {
            (0..3)
                .map(|month| TransactionRecord {
                    trans_date: at(&format!("2032-0{}-1{load} 08:00", month + 1)),
                    ..far[0].clone()
                })
                .collect()
        })
        .collect();
    let store = db.store.for_organization(&org);
    let load = |rows| store.load_transactions(rows);
    let (a, b, c, d) = tokio::join!(
        load(&in_new_months[0]),
        load(&in_new_months[1]),
        load(&in_new_months[2]),
        load(&in_new_months[3])
    );
    let outcomes: Vec<_> =
        [a, b, c, d].into_iter().map(|outcome| outcome.expect("every load at once is stored")).collect();
    assert_eq!(outcomes.iter().map(|o| o.rows).sum::<u64>(), 12);
    assert_eq!(outcomes.iter().map(|o| o.partitions_created).sum::<i32>(), 3);
    assert_eq!(
        scalar_i64(&db.pool, "SELECT COUNT(*) FROM transaction_detail WHERE trans_date >= '2032-01-01'").await,
        12
    );
    db.cleanup().await;
}

#[tokio::test]
async fn the_dashboard_from_the_summaries_equals_the_one_from_the_rows() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let store = db.store.for_organization(&org);
    let today = day("2026-11-29");
    load_synthetic(&db, &org, 11, 30_000, 365, today, 30).await;
    let custom = DashboardQuery {
        range: DashboardRange::Custom,
        from: Some("2026-02-27".into()),
        until: Some("2026-03-02".into()),
        merchant: Some("MC00002".into()),
    };
    let mut requests: Vec<DashboardRequest> =
        DashboardRange::STANDARD.into_iter().map(|range| DashboardRequest::standard(range, today)).collect();
    requests.push(DashboardRequest::resolve(&custom, today).unwrap());
    // Whole months (February, March) between partial ones.
    let months = DashboardQuery {
        range: DashboardRange::Custom,
        from: Some("2026-01-15".into()),
        until: Some("2026-04-10".into()),
        merchant: None,
    };
    requests.push(DashboardRequest::resolve(&months, today).unwrap());
    for request in &requests {
        let summaries = store.transaction_dashboard_from_summaries(request).await.unwrap();
        let rows = store.transaction_dashboard_from_rows(request).await.unwrap();
        assert_eq!(summaries.top_merchants, rows.top_merchants, "{:?}", request.query);
        assert_eq!(summaries.payment_modes, rows.payment_modes, "{:?}", request.query);
        assert_eq!(summaries.trend, rows.trend, "{:?}", request.query);
        assert_eq!(summaries.merchant, rows.merchant, "{:?}", request.query);
    }
    let year = store.transaction_dashboard_from_summaries(&requests[3]).await.unwrap();
    assert_eq!(year.top_merchants.len(), 10);
    assert_eq!(year.top_merchants[0].client_code, "MC00001", "the largest merchant leads");
    let all = scalar_i64(&db.pool, "SELECT COUNT(*) FROM transaction_detail WHERE trans_date >= '2025-11-30'").await;
    assert_eq!(year.totals().transactions, all);
    let drill = store.transaction_dashboard_from_summaries(&requests[4]).await.unwrap();
    let merchant = drill.merchant.expect("the merchant's trend");
    assert_eq!(merchant.days.len(), 4);
    db.cleanup().await;
}

#[tokio::test]
async fn a_load_drops_the_cached_dashboards() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let store = db.store.for_organization(&org);
    let today = day("2026-11-29");
    load_synthetic(&db, &org, 5, 3_000, 30, today, 30).await;
    let week = DashboardRequest::standard(DashboardRange::Week, today);
    let (first, source) = store.transaction_dashboard(&week).await.unwrap();
    assert_eq!(source, DashboardSource::Summaries);
    let (again, source) = store.transaction_dashboard(&week).await.unwrap();
    assert_eq!((source, &again), (DashboardSource::Cache, &first));

    let one_more = [TransactionRecord {
        trans_date: at("2026-11-28 12:00"),
        client_code: "MC00001",
        client_name: "Đại lý Hà Nội 1",
        payment_mode: "MOMO",
        status: "SUCCESS",
        paid_cents: 20_000_000,
        isdn: "84900000001",
    }];
    store.load_transactions(&one_more).await.unwrap();
    let (after, source) = store.transaction_dashboard(&week).await.unwrap();
    assert_eq!(source, DashboardSource::Summaries);
    assert_eq!(after.totals().transactions, first.totals().transactions + 1);

    // The background job's work fills the cache for the standard ranges.
    ut360::server::jobs::maintain_transactions(&db.store, &org, today).await.unwrap();
    for range in DashboardRange::STANDARD {
        let (_, source) = store.transaction_dashboard(&DashboardRequest::standard(range, today)).await.unwrap();
        assert_eq!(source, DashboardSource::Cache, "{range:?}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn the_page_shows_the_figures_and_names_a_bad_field() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let today = chrono::Local::now().date_naive();
    load_synthetic(&db, &org, 9, 2_000, 20, today, 20).await;
    let base = common::spawn_app(db.store.clone()).await;
    let client = common::signed_in_client(&base, &db.store, &org, ut360::domain::access::Role::Admin).await;
    let page = client.get(format!("{base}/transactions?range=month")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let all = scalar_i64(&db.pool, "SELECT COUNT(*) FROM transaction_detail").await;
    assert!(
        html.contains(&format!(
            "{} transactions",
            ut360::domain::format::format_count(ut360::domain::language::Language::En, all)
        )),
        "the month's count is shown"
    );
    assert!(html.contains("MC00001"), "the top merchant is listed");

    let bad = client.get(format!("{base}/transactions?range=decade")).send().await.unwrap().text().await.unwrap();
    assert!(bad.contains("Time range:") && bad.contains("decade"), "the error names the field");
    let too_long = client
        .get(format!("{base}/transactions?range=custom&from=2020-01-01&until=2026-01-01"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(too_long.contains("Last day: a custom range spans at most"), "a range too long is refused, naming `until`");
    db.cleanup().await;
}

#[tokio::test]
async fn a_load_stores_every_field_as_given() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let moment = NaiveDateTime::parse_from_str("2026-03-04 05:06:07.891234", "%Y-%m-%d %H:%M:%S%.f").unwrap();
    let cents = [0, 5, 1_234_567_891, -123_456, 5_000_000, 100_010_000, 99];
    let names = ["Đại lý Hà Nội 1", "tab\there", "back\\slash", "new\nline", "", "MOMO", "x"];
    let records: Vec<TransactionRecord<'_>> = cents
        .iter()
        .zip(names)
        .enumerate()
        .map(|(index, (&paid_cents, name))| TransactionRecord {
            trans_date: moment + chrono::Duration::minutes(index as i64),
            client_code: "MC00001",
            client_name: name,
            payment_mode: "VNPAY",
            status: if paid_cents < 0 { "FAILED" } else { "SUCCESS" },
            paid_cents,
            isdn: "84900000001",
        })
        .collect();
    db.store.for_organization(&org).load_transactions(&records).await.unwrap();
    let stored: Vec<(NaiveDateTime, String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT trans_date, client_code, client_name, payment_mode, status, paid_amount::text, isdn
         FROM transaction_detail WHERE organization_id = $1 ORDER BY trans_date",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let expected: Vec<_> = records
        .iter()
        .map(|r| {
            let sign = if r.paid_cents < 0 { "-" } else { "" };
            let amount = format!("{sign}{}.{:02}", r.paid_cents.abs() / 100, r.paid_cents.abs() % 100);
            (
                r.trans_date,
                r.client_code.to_owned(),
                r.client_name.to_owned(),
                r.payment_mode.to_owned(),
                r.status.to_owned(),
                amount,
                r.isdn.to_owned(),
            )
        })
        .collect();
    assert_eq!(stored, expected);
    db.cleanup().await;
}
