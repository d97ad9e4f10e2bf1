//! Cohorts and campaign funnels (issue 24, seed 004 §5): what `compute_cohort_analysis`
//! and `compute_funnel_analysis` write equals SQL over the rows, a recomputation
//! replaces its rows, the app's role only reads them (its own organization's), and the
//! pages show them to who may open them.

use crate::common::{self, create_user, sign_in, spawn_app, TestDb, TEST_PASSWORD};
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashSet};
use ut360::data::transactions::TransactionRecord;
use ut360::data::{Organization, OrganizationStore, APP_ROLE};
use ut360::domain::access::Role;
use ut360::domain::analytics::cohorts::{CohortCell, COHORT_MONTHS};
use ut360::domain::analytics::funnels::FunnelQuery;
use ut360::domain::campaign::{CampaignRules, CampaignSummary};
use ut360::domain::isdn::Isdn;
use ut360::domain::recommendation::RiskLevel;
use ut360::server::generate::generate;
use uuid::Uuid;

/// A cell as the table holds it: (cohort month, period, size, active, retention, revenue).
type CellRow = (NaiveDate, i32, i32, i32, f64, f64);

/// A funnel step as the table holds it: (funnel, step, order, date, visitors, conversions,
/// conversion rate, drop-off rate).
type StepRow = (String, String, i32, NaiveDate, i32, i32, f64, f64);

async fn cohort_rows(pool: &PgPool, organization: Uuid) -> Vec<CellRow> {
    sqlx::query_as(
        "SELECT cohort_date, period_number, cohort_size, active_users, retention_rate::float8, revenue::float8
         FROM cohort_analysis WHERE organization_id = $1 AND cohort_type = 'first_top_up' AND period_type = 'month'
         ORDER BY cohort_date, period_number",
    )
    .bind(organization)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The database's current month (its `CURRENT_DATE` decides the months covered).
async fn this_month(pool: &PgPool) -> NaiveDate {
    sqlx::query_scalar("SELECT date_trunc('month', CURRENT_DATE)::date").fetch_one(pool).await.unwrap()
}

/// The store the web app and the scheduler's calls go through: the app's role.
fn as_app(db: &TestDb, organization: &Organization) -> OrganizationStore {
    db.store.as_database_role(APP_ROLE).for_organization(organization)
}

fn top_up<'a>(isdn: &'a str, at: NaiveDateTime, status: &'a str, dong: i64) -> TransactionRecord<'a> {
    TransactionRecord {
        trans_date: at,
        client_code: "M1",
        client_name: "Merchant one",
        payment_mode: "CARD",
        status,
        paid_cents: dong * 100,
        isdn,
    }
}

fn day_in(month: NaiveDate, day: u32) -> NaiveDateTime {
    month.with_day(day).unwrap().and_hms_opt(10, 30, 0).unwrap()
}

/// Three months of known first top-ups: the cohorts are counted by hand.
#[tokio::test]
async fn cohorts_equal_a_hand_count_of_three_months() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let m2 = this_month(&db.pool).await;
    let m1 = m2 - Months::new(1);
    let m0 = m2 - Months::new(2);
    let long_ago = m2 - Months::new(14);
    let rows = vec![
        // A: every month. B: m0, a failure in m1, m2. C: a failure in m0, first success in m1.
        top_up("84900000001", day_in(m0, 3), "SUCCESS", 100),
        top_up("84900000001", day_in(m1, 4), "SUCCESS", 50),
        top_up("84900000001", day_in(m2, 1), "SUCCESS", 20),
        top_up("84900000002", day_in(m0, 28), "SUCCESS", 200),
        top_up("84900000002", day_in(m1, 2), "FAILED", 999),
        top_up("84900000002", day_in(m2, 1), "SUCCESS", 30),
        top_up("84900000003", day_in(m0, 15), "FAILED", 999),
        top_up("84900000003", day_in(m1, 15), "SUCCESS", 70),
        // D: twice in m1. E: first in m2. F: only before the covered months. G: pending only.
        top_up("84900000004", day_in(m1, 1), "SUCCESS", 10),
        top_up("84900000004", day_in(m1, 20), "SUCCESS", 15),
        top_up("84900000005", day_in(m2, 1), "SUCCESS", 5),
        top_up("84900000006", day_in(long_ago, 9), "SUCCESS", 400),
        top_up("84900000007", day_in(m1, 9), "PENDING", 60),
    ];
    db.store.for_organization(&org).load_transactions(&rows).await.unwrap();
    // Another organization's top-ups stay its own.
    let other = db.organization_with_own_prefix().await;
    db.store.for_organization(&other).load_transactions(&rows[..3]).await.unwrap();

    let written = as_app(&db, &org).recompute_cohorts(COHORT_MONTHS).await.unwrap();
    let expected: Vec<CellRow> = vec![
        (m0, 0, 2, 2, 1.0, 300.0),
        (m0, 1, 2, 1, 0.5, 50.0),
        (m0, 2, 2, 2, 1.0, 50.0),
        (m1, 0, 2, 2, 1.0, 95.0),
        (m1, 1, 2, 0, 0.0, 0.0),
        (m2, 0, 1, 1, 1.0, 5.0),
    ];
    assert_eq!(cohort_rows(&db.pool, org.id).await, expected);
    assert_eq!(written, 6);
    assert!(cohort_rows(&db.pool, other.id).await.is_empty(), "computed for one organization only");

    // The page's figures are the table's.
    let report = as_app(&db, &org).cohort_report().await.unwrap();
    let month = |month: NaiveDate| month.format("%Y-%m").to_string();
    assert_eq!(
        report.cohorts.iter().map(|c| (c.month.clone(), c.size)).collect::<Vec<_>>(),
        vec![(month(m0), 2), (month(m1), 2), (month(m2), 1)]
    );
    assert_eq!(
        report.cohorts[0].cells[1],
        CohortCell { period: 1, active_users: 1, retention_rate: 0.5, revenue: 50.0 }
    );
    assert!(report.computed_at.is_some());

    // Recomputing replaces: a new top-up of C in m2 changes one cell, adds none.
    db.store
        .for_organization(&org)
        .load_transactions(&[top_up("84900000003", day_in(m2, 1), "SUCCESS", 7)])
        .await
        .unwrap();
    as_app(&db, &org).recompute_cohorts(COHORT_MONTHS).await.unwrap();
    as_app(&db, &org).recompute_cohorts(COHORT_MONTHS).await.unwrap();
    let again = cohort_rows(&db.pool, org.id).await;
    assert_eq!(again.len(), 6);
    assert_eq!(again[4], (m1, 1, 2, 1, 0.5, 7.0));
    // Two months cover only m1 and m2: m0's subscribers then first top up in m1.
    as_app(&db, &org).recompute_cohorts(2).await.unwrap();
    assert_eq!(
        cohort_rows(&db.pool, org.id).await,
        vec![(m1, 0, 3, 3, 1.0, 145.0), (m1, 1, 3, 2, 0.6667, 27.0), (m2, 0, 2, 2, 1.0, 35.0)]
    );
    db.cleanup().await;
}

/// Random top-ups over 14 months against an independent query: first months from MIN,
/// activity by COUNT(DISTINCT) per month since.
#[tokio::test]
async fn cohorts_equal_an_independent_query_on_generated_rows() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let other = db.organization_with_own_prefix().await;
    sqlx::query(
        "SELECT ensure_transaction_partitions((date_trunc('month', CURRENT_DATE) - INTERVAL '14 months')::date, CURRENT_DATE)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    for (organization, rows) in [(org.id, 30_000), (other.id, 5_000)] {
        sqlx::query(
            "INSERT INTO transaction_detail (organization_id, trans_date, client_code, status, paid_amount, isdn)
             SELECT $1, date_trunc('month', CURRENT_DATE) - INTERVAL '14 months'
                        + ((hashint4(g) & 2147483647) % (425 * 24)) * INTERVAL '1 hour',
                    'M' || g % 7, CASE WHEN g % 5 = 0 THEN 'FAILED' ELSE 'SUCCESS' END,
                    1000 + (g % 13) * 250.5, '8491' || lpad(((hashint4(g + 7) & 2147483647) % 3000)::text, 6, '0')
             FROM generate_series(1, $2) g",
        )
        .bind(organization)
        .bind(rows)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let months = 12;
    let written = as_app(&db, &org).recompute_cohorts(months).await.unwrap();

    let independent: Vec<CellRow> = sqlx::query_as(
        "WITH window_rows AS (
             SELECT isdn, date_trunc('month', trans_date)::date AS month, paid_amount
             FROM transaction_detail
             WHERE organization_id = $1 AND status = 'SUCCESS'
               AND trans_date >= date_trunc('month', CURRENT_DATE) - make_interval(months => $2 - 1)),
         firsts AS (SELECT isdn, MIN(month) AS cohort FROM window_rows GROUP BY isdn),
         sizes AS (SELECT cohort, COUNT(*)::int AS size FROM firsts GROUP BY cohort)
         SELECT f.cohort,
                (EXTRACT(YEAR FROM age(w.month, f.cohort)) * 12 + EXTRACT(MONTH FROM age(w.month, f.cohort)))::int,
                s.size, COUNT(DISTINCT w.isdn)::int,
                ROUND(COUNT(DISTINCT w.isdn)::numeric / s.size, 4)::float8, SUM(w.paid_amount)::float8
         FROM window_rows w JOIN firsts f USING (isdn) JOIN sizes s USING (cohort)
         GROUP BY f.cohort, 2, s.size
         ORDER BY 1, 2",
    )
    .bind(org.id)
    .bind(months)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let computed = cohort_rows(&db.pool, org.id).await;
    let active: Vec<CellRow> = computed.iter().filter(|row| row.3 > 0).cloned().collect();
    assert_eq!(active, independent);
    assert!(independent.len() > 40, "{}", independent.len());
    assert!(computed.iter().filter(|row| row.3 == 0).all(|row| row.4 == 0.0 && row.5 == 0.0));
    // Every month from a cohort's own to the current one has its row.
    let this_month = this_month(&db.pool).await;
    let cohorts: BTreeMap<NaiveDate, usize> = computed.iter().fold(BTreeMap::new(), |mut cells, row| {
        *cells.entry(row.0).or_default() += 1;
        cells
    });
    for (cohort, cells) in &cohorts {
        let since = (this_month.year() - cohort.year()) * 12 + this_month.month() as i32 - cohort.month() as i32;
        assert_eq!(*cells as i32, since + 1, "{cohort}");
    }
    assert_eq!(written as usize, computed.len());
    assert!(cohort_rows(&db.pool, other.id).await.is_empty());

    // The covered months' partitions only: older ones are not read.
    let plan: Vec<String> = sqlx::query_scalar(&format!(
        "EXPLAIN SELECT t.isdn FROM transaction_detail t WHERE t.organization_id = '{}' AND t.status = 'SUCCESS'
           AND t.trans_date >= '{}'::date AND t.trans_date < '{}'::date",
        org.id,
        this_month - Months::new(11),
        this_month + Months::new(1)
    ))
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let partitions: HashSet<String> = plan
        .iter()
        .flat_map(|line| line.split_whitespace())
        .filter(|word| word.starts_with("transaction_detail_2"))
        .map(|word| word.chars().take("transaction_detail_YYYY_MM".len()).collect())
        .collect();
    assert_eq!(partitions.len(), 12, "{plan:#?}");
    db.cleanup().await;
}

/// The app's role reads its organization's rows only, writes none, and cannot compute
/// another organization's.
#[tokio::test]
async fn the_app_role_reads_its_own_rows_and_computes_only_for_its_organization() {
    let db = TestDb::new().await;
    let ours = db.organization_with_own_prefix().await;
    let theirs = db.organization_with_own_prefix().await;
    let month = this_month(&db.pool).await;
    let rows = [top_up("84900000001", day_in(month, 1), "SUCCESS", 100)];
    for organization in [&ours, &theirs] {
        db.store.for_organization(organization).load_transactions(&rows).await.unwrap();
        as_app(&db, organization).recompute_cohorts_and_funnels().await.unwrap();
    }
    assert_eq!(cohort_rows(&db.pool, theirs.id).await.len(), 1);

    let app = db.store.as_database_role(APP_ROLE).for_organization(&ours);
    let seen: Vec<Uuid> = sqlx::query_scalar("SELECT organization_id FROM cohort_analysis")
        .persistent(false)
        .fetch_all(&mut *app.begin().await.unwrap())
        .await
        .unwrap();
    assert_eq!(seen, vec![ours.id], "a member of one organization sees its cohorts only");
    for refused in [
        format!("SELECT compute_cohort_analysis('{}', 12)", theirs.id),
        format!("SELECT compute_funnel_analysis('{}')", theirs.id),
    ] {
        let error =
            sqlx::query(&refused).persistent(false).execute(&mut *app.begin().await.unwrap()).await.unwrap_err();
        let code = error.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{refused}: {error}");
        assert!(error.to_string().contains("is not the organization"), "{error}");
    }
    for write in [
        format!(
            "INSERT INTO cohort_analysis (organization_id, cohort_date, cohort_type, period_number, period_type,
                                          cohort_size, active_users, retention_rate) VALUES ('{}', CURRENT_DATE, 'x', 0, 'month', 1, 1, 1)",
            ours.id
        ),
        format!(
            "INSERT INTO funnel_analysis (organization_id, funnel_name, step_name, step_order, date, visitors,
                                          conversions, conversion_rate, drop_off_rate) VALUES ('{}', 'x', 'x', 1, CURRENT_DATE, 1, 1, 1, 0)",
            ours.id
        ),
        "DELETE FROM cohort_analysis".to_owned(),
        "UPDATE funnel_analysis SET visitors = 0".to_owned(),
    ] {
        let error = sqlx::query(&write).persistent(false).execute(&mut *app.begin().await.unwrap()).await.unwrap_err();
        assert!(error.to_string().contains("permission denied"), "{write}: {error}");
    }
    // Without an organization, nothing can be computed.
    let none = db.store.as_database_role(APP_ROLE);
    let mut unscoped = none.begin().await.unwrap();
    let error = sqlx::query("SELECT compute_cohort_analysis($1, 12)")
        .bind(ours.id)
        .persistent(false)
        .execute(&mut *unscoped)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("is not the organization"), "{error}");
    drop(unscoped);
    assert_eq!(cohort_rows(&db.pool, theirs.id).await.len(), 1, "their rows are untouched");

    // Months out of range are refused by name.
    let error = as_app(&db, &ours).recompute_cohorts(0).await.unwrap_err();
    assert!(error.to_string().contains("months must be 1 to 120"), "{error}");

    // Pages: a manager (Transactions) sees the cohorts; marketing (Campaigns) the funnels only.
    let base = spawn_app(db.store.clone()).await;
    let client = |role: Role| {
        let (db_store, base, org) = (db.store.clone(), base.clone(), ours.clone());
        async move {
            let email = create_user(&db_store, &org, role).await;
            let http = common::browser_like_client();
            sign_in(&http, &base, &email, TEST_PASSWORD).await;
            http
        }
    };
    let manager = client(Role::Manager).await;
    let page = manager.get(format!("{base}/analytics/cohorts")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-testid=\"cohort-table\"") && html.contains("100.0%"), "{html:.2000}");
    let funnels = manager.get(format!("{base}/analytics/funnels")).send().await.unwrap().text().await.unwrap();
    assert!(funnels.contains("No campaign funnels yet"), "{funnels:.2000}");
    let marketing = client(Role::Marketing).await;
    assert_eq!(
        marketing.get(format!("{base}/analytics/cohorts")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(marketing.get(format!("{base}/analytics/funnels")).send().await.unwrap().status(), StatusCode::OK);
    let analyst = client(Role::Analyst).await;
    assert_eq!(analyst.get(format!("{base}/analytics/funnels")).send().await.unwrap().status(), StatusCode::FORBIDDEN);

    // Before any computation: the empty state says so.
    let fresh = db.organization_with_own_prefix().await;
    let email = create_user(&db.store, &fresh, Role::Admin).await;
    let http = common::browser_like_client();
    sign_in(&http, &base, &email, TEST_PASSWORD).await;
    let html = http.get(format!("{base}/analytics/cohorts")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No cohorts yet") && html.contains("not been computed yet"), "{html:.2000}");
    db.cleanup().await;
}

async fn post_json(http: &reqwest::Client, url: String, body: serde_json::Value) -> serde_json::Value {
    let response = http.post(url).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// A campaign with a suppression list and a limit, exported; top-ups inside and
/// outside the 30 days after the export: the four steps equal SQL over the rows.
#[tokio::test]
async fn funnels_equal_sql_over_the_exports_and_top_ups() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    db.load(&org, &generate(73, 0.01)).await;
    let base = spawn_app(db.store.clone()).await;
    let http = common::signed_in_client(&base, &db.store, &org, Role::Admin).await;

    let condition = "bad_debt_risk = 'LOW' AND customer_value_score >= 50";
    let matched: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT isdn FROM recommendations WHERE organization_id = $1 AND {condition}
         ORDER BY COALESCE(priority_score, -1) DESC, isdn DESC"
    ))
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(matched.len() > 200, "{}", matched.len());
    let suppressed: Vec<Isdn> = matched.iter().step_by(5).map(|isdn| Isdn::parse(isdn).unwrap()).collect();
    let list = match db.store.for_organization(&org).create_suppression_list("Opt-outs", &suppressed).await.unwrap() {
        ut360::data::campaigns::Saved::Saved(list) => list,
        other => panic!("{other:?}"),
    };
    let suppressed: HashSet<&str> = suppressed.iter().map(Isdn::as_str).collect();
    let kept: Vec<&String> = matched.iter().filter(|isdn| !suppressed.contains(isdn.as_str())).collect();
    let limit = 100;
    let rules = CampaignRules {
        risks: vec![RiskLevel::Low],
        min_value: Some(50.0),
        exclude_lists: vec![list.id],
        limit: Some(limit),
        ..Default::default()
    };
    let campaign: CampaignSummary = serde_json::from_value(
        post_json(
            &http,
            format!("{base}/api/save_campaign"),
            serde_json::json!({ "id": null, "name": "Win-back", "owner": "Lan", "rules": rules }),
        )
        .await,
    )
    .unwrap();
    let export = http.get(format!("{base}/campaigns/{}/export.csv?columns=isdn", campaign.id)).send().await.unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    export.bytes().await.unwrap();

    // The export recorded the first two steps' counts.
    let (metadata, exported_at, export_day): (serde_json::Value, NaiveDateTime, NaiveDate) = sqlx::query_as(
        "SELECT metadata, timestamp::timestamp, timestamp::date FROM event_tracking
         WHERE organization_id = $1 AND event_name = 'export'",
    )
    .bind(org.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(metadata["matched"].as_i64(), Some(matched.len() as i64));
    assert_eq!(metadata["after_suppression"].as_i64(), Some(kept.len() as i64));
    let members: Vec<String> =
        sqlx::query_scalar("SELECT isdn FROM campaign_export_members WHERE organization_id = $1 ORDER BY isdn")
            .bind(org.id)
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(members.len(), limit as usize);

    // Top-ups around the export: two members convert (one of them twice); one too late,
    // one failed, one just before the export; a suppressed subscriber's top-up is no member's.
    let outsider = *suppressed.iter().next().unwrap();
    let transactions = vec![
        top_up(&members[0], exported_at + Duration::days(5), "SUCCESS", 10),
        top_up(&members[1], exported_at + Duration::days(29), "SUCCESS", 10),
        top_up(&members[1], exported_at + Duration::days(2), "SUCCESS", 10),
        top_up(&members[2], exported_at + Duration::days(31), "SUCCESS", 10),
        top_up(&members[3], exported_at + Duration::days(3), "FAILED", 10),
        top_up(&members[4], exported_at - Duration::hours(1), "SUCCESS", 10),
        top_up(outsider, exported_at + Duration::days(1), "SUCCESS", 10),
    ];
    db.store.for_organization(&org).load_transactions(&transactions).await.unwrap();
    // An export recorded before the counts were (no `matched`): left out of the funnels.
    sqlx::query(
        "INSERT INTO event_tracking (organization_id, session_id, event_name, event_category, event_value, timestamp, metadata)
         VALUES ($1, 's', 'export', 'campaign', 5, NOW() - INTERVAL '3 days', jsonb_build_object('campaign_id', $2::text, 'status', 'complete'))",
    )
    .bind(org.id)
    .bind(campaign.id.to_string())
    .execute(&db.pool)
    .await
    .unwrap();

    let written = as_app(&db, &org).recompute_funnels().await.unwrap();
    assert_eq!(written, 4);
    let converted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM campaign_export_members m JOIN event_tracking e ON e.id = m.export_id
         WHERE m.organization_id = $1 AND EXISTS (
             SELECT 1 FROM transaction_detail t WHERE t.organization_id = m.organization_id AND t.isdn = m.isdn
               AND t.status = 'SUCCESS' AND t.trans_date > e.timestamp::timestamp
               AND t.trans_date <= e.timestamp::timestamp + INTERVAL '30 days')",
    )
    .bind(org.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(converted, 2);
    let (m, k, e) = (matched.len() as i32, kept.len() as i32, limit as i32);
    let rate = |conversions: i32, visitors: i32| (f64::from(conversions) / f64::from(visitors) * 1e4).round() / 1e4;
    let expected: Vec<StepRow> = [
        (1, "Matched the rules", m, m),
        (2, "Left after suppression", m, k),
        (3, "Exported", k, e),
        (4, "Topped up within 30 days", e, 2),
    ]
    .into_iter()
    .map(|(order, name, visitors, conversions)| {
        let conversion = rate(conversions, visitors);
        let drop_off = rate(visitors - conversions, visitors);
        (campaign.id.to_string(), name.to_owned(), order, export_day, visitors, conversions, conversion, drop_off)
    })
    .collect();
    let funnel_rows = || async {
        sqlx::query_as::<_, StepRow>(
            "SELECT funnel_name, step_name, step_order, date, visitors, conversions, conversion_rate::float8,
                    drop_off_rate::float8
             FROM funnel_analysis WHERE organization_id = $1 ORDER BY step_order",
        )
        .bind(org.id)
        .fetch_all(&db.pool)
        .await
        .unwrap()
    };
    assert_eq!(funnel_rows().await, expected);

    // Recomputing replaces rather than adds.
    as_app(&db, &org).recompute_cohorts_and_funnels().await.unwrap();
    assert_eq!(funnel_rows().await, expected);

    // The page's server function sums the range's days; another range has none.
    let answer = http
        .post(common::server_fn_url(&base, "get_funnel_analysis"))
        .form(&[("params[campaign]", campaign.id.to_string().as_str()), ("params[from]", ""), ("params[until]", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let report: serde_json::Value = answer.json().await.unwrap();
    let steps: Vec<(i64, i64)> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| (step["visitors"].as_i64().unwrap(), step["conversions"].as_i64().unwrap()))
        .collect();
    assert_eq!(steps, vec![(m.into(), m.into()), (m.into(), k.into()), (k.into(), e.into()), (e.into(), 2)]);
    assert_eq!(report["campaigns"][0]["name"], "Win-back");
    let earlier = FunnelQuery {
        campaign: Some(campaign.id),
        from: Some(export_day - Duration::days(10)),
        until: Some(export_day - Duration::days(1)),
    };
    assert!(as_app(&db, &org).funnel_report(&earlier).await.unwrap().steps.is_empty());
    let page = http.get(format!("{base}/analytics/funnels")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Topped up within 30 days") && page.contains("data-testid=\"funnel-table\""), "{page:.2000}");

    // Another organization's member sees no funnel.
    let other = db.organization_with_own_prefix().await;
    let query = FunnelQuery { campaign: Some(campaign.id), ..Default::default() };
    let theirs = as_app(&db, &other).funnel_report(&query).await.unwrap();
    assert!(theirs.campaigns.is_empty() && theirs.steps.is_empty());
    db.cleanup().await;
}
