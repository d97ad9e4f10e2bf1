//! Issue 24: insights and performance alerts computed from the organization's own data.
//! A planted anomaly is one insight and one alert (a normal day none); the opportunity
//! lists exactly the LOW-risk, high-value subscribers no recent campaign holds; rules
//! open and close alerts without duplicates; reading and acknowledging change only
//! their columns, in the member's organization only; only managers and admins edit rules.

use crate::common::{create_user, server_fn_url, signed_in_client, spawn_app, TestDb};
use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;
use sqlx::PgPool;
use ut360::data::{Organization, APP_ROLE};
use ut360::domain::access::Role;
use ut360::domain::analytics::insights::{InsightKind, FEED_LISTED, INSIGHTS_PAGE_SIZE};
use ut360::domain::campaign::CampaignRules;
use ut360::server::generate::generate;
use uuid::Uuid;

async fn post(
    http: &reqwest::Client,
    base: &str,
    name: &str,
    form: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let response = http.post(server_fn_url(base, name)).form(form).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// 30 days of transactions' summaries up to `last` (included): merchants M1 and M2 and
/// the payment mode CARD with a little noise; on `spike` M1's volume is 5 times usual.
async fn plant_transactions(pool: &PgPool, organization: Uuid, last: NaiveDate, spike: Option<NaiveDate>) {
    for back in 0..30 {
        let day = last - Duration::days(back);
        let noise = (back % 7) as f64 * 10_000.0;
        sqlx::query(
            "INSERT INTO daily_trend_summary (organization_id, summary_date, total_transactions, successful_transactions,
                                              total_volume, success_volume)
             VALUES ($1, $2, 400, 380, 4000000, 3800000)",
        )
        .bind(organization)
        .bind(day)
        .execute(pool)
        .await
        .unwrap();
        for code in ["M1", "M2"] {
            let volume = if code == "M1" && Some(day) == spike { 5_000_000.0 } else { 1_000_000.0 + noise };
            sqlx::query(
                "INSERT INTO daily_merchant_summary (organization_id, summary_date, client_code, client_name,
                                                     total_transactions, successful_transactions, total_amount, success_amount)
                 VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $7::numeric * 0.95)",
            )
            .bind(organization)
            .bind(day)
            .bind(code)
            .bind(format!("Đại lý {code}"))
            .bind(200 + (back % 5) as i32)
            .bind(190 + (back % 3) as i32)
            .bind(volume)
            .execute(pool)
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO daily_payment_summary (organization_id, summary_date, payment_mode, total_transactions,
                                                successful_transactions, success_rate)
             VALUES ($1, $2, 'CARD', $3, $4, 95)",
        )
        .bind(organization)
        .bind(day)
        .bind(400 + (back % 4) as i32)
        .bind(380 + (back % 3) as i32)
        .execute(pool)
        .await
        .unwrap();
    }
}

async fn count(pool: &PgPool, sql: &str, organization: Uuid) -> i64 {
    sqlx::query_scalar(sql).bind(organization).fetch_one(pool).await.unwrap()
}

async fn user_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(pool).await.unwrap()
}

/// A row as JSON without the given columns, to see that nothing else changed.
async fn row_without(pool: &PgPool, table: &str, id: Uuid, columns: &[&str]) -> serde_json::Value {
    let mut row: serde_json::Value = sqlx::query_scalar(&format!("SELECT to_jsonb(t) FROM {table} t WHERE id = $1"))
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    for column in columns {
        row.as_object_mut().unwrap().remove(*column);
    }
    row
}

#[tokio::test]
async fn a_planted_anomaly_is_one_insight_and_one_alert_and_a_normal_day_none() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let today = chrono::Local::now().date_naive();
    let spike = today - Duration::days(1);
    plant_transactions(&db.pool, org.id, spike, Some(spike)).await;
    // As the web app's role: the functions run as the owner and are granted to it.
    let store = db.store.as_database_role(APP_ROLE).for_organization(&org);

    // The day before the spike: its own 28 days are ordinary.
    store.generate_ai_insights(spike - Duration::days(1)).await.unwrap();
    let anomalies = "SELECT COUNT(*) FROM ai_insights WHERE organization_id = $1 AND insight_type = 'anomaly'";
    let alerts = "SELECT COUNT(*) FROM performance_alerts WHERE organization_id = $1";
    assert_eq!(count(&db.pool, anomalies, org.id).await, 0, "a normal day is no anomaly");
    assert_eq!(count(&db.pool, alerts, org.id).await, 0);

    store.generate_ai_insights(spike).await.unwrap();
    let found: Vec<(Uuid, String, String, serde_json::Value, String)> = sqlx::query_as(
        "SELECT id, severity, title, data_points, description_en FROM ai_insights
         WHERE organization_id = $1 AND insight_type = 'anomaly'",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let (insight, severity, title, points, english) = found[0].clone();
    assert!(matches!(severity.as_str(), "high" | "critical"), "{severity}");
    assert!(title.contains("Đại lý M1") && title.contains("bất thường"), "{title}");
    assert!(english.contains("above the average"), "{english}");
    assert_eq!(points["code"], "M1");
    assert_eq!(points["metric"], "volume");
    assert!(points["z_score"].as_f64().unwrap() >= 3.0, "{points}");
    assert_eq!(points["day"], spike.to_string());
    let alert_rows: Vec<(String, String, Option<Uuid>, bool)> = sqlx::query_as(
        "SELECT alert_type, metric, insight_id, is_active FROM performance_alerts WHERE organization_id = $1",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(alert_rows, vec![("anomaly_detected".to_owned(), "volume.merchant.M1".to_owned(), Some(insight), true)]);

    // Read, then regenerated and evaluated again: the same insight, still read, one alert.
    assert!(store.mark_insight_read(insight).await.unwrap());
    store.generate_ai_insights(spike).await.unwrap();
    store.evaluate_performance_alerts().await.unwrap();
    let again: Vec<(Uuid, bool)> =
        sqlx::query_as("SELECT id, is_read FROM ai_insights WHERE organization_id = $1 AND insight_type = 'anomaly'")
            .bind(org.id)
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(again, vec![(insight, true)]);
    assert_eq!(count(&db.pool, alerts, org.id).await, 1);

    // Another organization's id is refused, not served.
    let other = db.organization_with_own_prefix().await;
    let refused = sqlx::query("SELECT generate_ai_insights($1, $2)")
        .bind(other.id)
        .bind(spike)
        .persistent(false)
        .execute(&mut *store.begin().await.unwrap())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("not the one this transaction acts for"), "{refused}");
    db.cleanup().await;
}

/// The LOW-risk subscribers with a value of 70 or more that no campaign exported in the
/// last 30 days holds, by priority as a campaign orders them, as the owner sees them.
async fn expected_opportunity(pool: &PgPool, organization: Uuid) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT r.isdn FROM recommendations r
         WHERE r.organization_id = $1 AND r.bad_debt_risk = 'LOW' AND r.customer_value_score >= 70
           AND NOT EXISTS (
               SELECT 1 FROM campaign_export_members m JOIN event_tracking e ON e.metadata->>'campaign_id' = m.campaign_id::text
               WHERE m.organization_id = $1 AND m.isdn = r.isdn AND e.organization_id = $1 AND e.event_name = 'export'
                 AND e.timestamp >= NOW() - INTERVAL '30 days')
         ORDER BY COALESCE(r.priority_score, -1) DESC, r.isdn DESC",
    )
    .bind(organization)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// A campaign exported `days_ago`, holding `isdns`.
async fn exported_campaign(pool: &PgPool, organization: &Organization, name: &str, days_ago: i32, isdns: &[String]) {
    let campaign: Uuid = sqlx::query_scalar(
        "INSERT INTO campaigns (organization_id, name, owner, rules) VALUES ($1, $2, 'marketing', '{}') RETURNING id",
    )
    .bind(organization.id)
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap();
    let export: Uuid = sqlx::query_scalar(
        "INSERT INTO event_tracking (organization_id, session_id, event_name, event_category, timestamp, metadata)
         VALUES ($1, 'test', 'export', 'campaign', NOW() - make_interval(days => $2), jsonb_build_object('campaign_id', $3::text))
         RETURNING id",
    )
    .bind(organization.id)
    .bind(days_ago)
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO campaign_export_members (organization_id, campaign_id, export_id, isdn) SELECT $1, $2, $3, unnest($4::text[])",
    )
    .bind(organization.id)
    .bind(campaign)
    .bind(export)
    .bind(isdns)
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn the_opportunity_lists_exactly_the_low_risk_high_value_subscribers_no_recent_campaign_holds() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    db.load(&org, &generate(11, 0.002)).await;
    let candidates: Vec<String> = sqlx::query_scalar(
        "SELECT isdn FROM recommendations WHERE organization_id = $1 AND bad_debt_risk = 'LOW' AND customer_value_score >= 70
         ORDER BY isdn",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(candidates.len() >= 12, "the sample holds LOW-risk high-value subscribers: {}", candidates.len());
    // Exported 5 days ago: left out. Exported 45 days ago: reachable again.
    exported_campaign(&db.pool, &org, "Recent", 5, &candidates[..5]).await;
    exported_campaign(&db.pool, &org, "Old", 45, &candidates[5..10]).await;

    let store = db.store.for_organization(&org);
    let today = chrono::Local::now().date_naive();
    store.generate_ai_insights(today).await.unwrap();
    let expected = expected_opportunity(&db.pool, org.id).await;
    assert_eq!(expected.len(), candidates.len() - 5);

    let points: serde_json::Value = sqlx::query_scalar(
        "SELECT data_points FROM ai_insights WHERE organization_id = $1 AND insight_type = 'opportunity'",
    )
    .bind(org.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(points["count"].as_i64(), Some(expected.len() as i64));
    let listed: Vec<String> =
        points["listed"].as_array().unwrap().iter().map(|row| row["isdn"].as_str().unwrap().to_owned()).collect();
    let shown = expected.len().min(100);
    assert_eq!(listed, expected[..shown].to_vec());
    for recent in &candidates[..5] {
        assert!(!listed.contains(recent), "{recent} was exported 5 days ago");
    }

    // The rule reaches exactly them, as the campaign builder counts it.
    let rules: CampaignRules = serde_json::from_value(points["rule"].clone()).unwrap();
    rules.validate().unwrap();
    let preview = store.campaign_preview(&rules).await.unwrap();
    assert_eq!(preview.count, expected.len() as i64);

    // The feed carries the first `FEED_LISTED` of them, in the same order; the rule all.
    let feed = store.insight_feed(Some(InsightKind::Opportunity), 1, INSIGHTS_PAGE_SIZE).await.unwrap();
    let previewed: Vec<String> = feed.insights[0].listed.iter().map(|s| s.isdn.clone()).collect();
    assert_eq!(previewed, expected[..expected.len().min(FEED_LISTED)].to_vec());
    assert!(feed.insights[0].data_points.iter().all(|(name, _)| name != "listed"));

    // Regenerated: one opportunity still.
    store.generate_ai_insights(today).await.unwrap();
    let opportunities = "SELECT COUNT(*) FROM ai_insights WHERE organization_id = $1 AND insight_type = 'opportunity'";
    assert_eq!(count(&db.pool, opportunities, org.id).await, 1);
    db.cleanup().await;
}

async fn set_daily(pool: &PgPool, organization: Uuid, metric: &str, day: NaiveDate, value: f64) {
    sqlx::query(
        "INSERT INTO daily_aggregates (organization_id, channel, metric, value, date) VALUES ($1, 'transactions', $2, $3::numeric, $4)
         ON CONFLICT (organization_id, channel, metric, date) DO UPDATE SET value = EXCLUDED.value",
    )
    .bind(organization)
    .bind(metric)
    .bind(value)
    .bind(day)
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn rules_open_and_close_alerts_without_duplicates() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let manager = signed_in_client(&base, &db.store, &org, Role::Manager).await;
    let rule = [
        ("id", ""),
        ("channel", "transactions"),
        ("metric", "success_rate"),
        ("period", "day"),
        ("threshold_type", "below"),
        ("threshold_value", "90"),
    ];
    let (status, body) = post(&manager, &base, "save_alert_rule", &rule).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rule_id: Uuid = sqlx::query_scalar("SELECT id FROM performance_alert_rules WHERE organization_id = $1")
        .bind(org.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let store = db.store.as_database_role(APP_ROLE).for_organization(&org);
    let open = "SELECT COUNT(*) FROM performance_alerts WHERE organization_id = $1 AND is_active";
    let all = "SELECT COUNT(*) FROM performance_alerts WHERE organization_id = $1";
    let day = chrono::Local::now().date_naive() - Duration::days(10);

    // No data yet: nothing to compare.
    store.evaluate_performance_alerts().await.unwrap();
    assert_eq!(count(&db.pool, all, org.id).await, 0);

    set_daily(&db.pool, org.id, "success_rate", day, 85.0).await;
    let evaluated = store.evaluate_performance_alerts().await.unwrap();
    assert_eq!((evaluated.opened, evaluated.closed), (1, 0));
    let again = store.evaluate_performance_alerts().await.unwrap();
    assert_eq!((again.opened, again.closed), (0, 0), "no duplicate while it is open");
    let (current, threshold, kind, message, rule_of): (f64, f64, String, String, Option<Uuid>) = sqlx::query_as(
        "SELECT current_value::float8, threshold_value::float8, threshold_type, message, rule_id FROM performance_alerts
         WHERE organization_id = $1",
    )
    .bind(org.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((current, threshold, kind.as_str(), rule_of), (85.0, 90.0, "below", Some(rule_id)));
    assert!(message.contains("dưới ngưỡng"), "{message}");

    // Acknowledged and still breached (a lower value): still one alert, its value refreshed.
    let (status, body) =
        post(&manager, &base, "acknowledge_alert", &[("id", &alert_id(&db.pool, org.id).await.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    set_daily(&db.pool, org.id, "success_rate", day + Duration::days(1), 80.0).await;
    store.evaluate_performance_alerts().await.unwrap();
    assert_eq!(count(&db.pool, all, org.id).await, 1);
    let refreshed: f64 =
        sqlx::query_scalar("SELECT current_value::float8 FROM performance_alerts WHERE organization_id = $1")
            .bind(org.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(refreshed, 80.0);

    // Recovered: closed. Breached again: a new alert.
    set_daily(&db.pool, org.id, "success_rate", day + Duration::days(2), 95.0).await;
    let recovered = store.evaluate_performance_alerts().await.unwrap();
    assert_eq!((recovered.opened, recovered.closed), (0, 1));
    assert_eq!(count(&db.pool, open, org.id).await, 0);
    set_daily(&db.pool, org.id, "success_rate", day + Duration::days(3), 70.0).await;
    store.evaluate_performance_alerts().await.unwrap();
    assert_eq!((count(&db.pool, open, org.id).await, count(&db.pool, all, org.id).await), (1, 2));

    // Disabled: closed; enabled: open again; deleted: closed, its alerts kept as history.
    let rule_text = rule_id.to_string();
    let (status, body) =
        post(&manager, &base, "set_alert_rule_enabled", &[("id", &rule_text), ("enabled", "false")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    store.evaluate_performance_alerts().await.unwrap();
    assert_eq!(count(&db.pool, open, org.id).await, 0);
    post(&manager, &base, "set_alert_rule_enabled", &[("id", &rule_text), ("enabled", "true")]).await;
    store.evaluate_performance_alerts().await.unwrap();
    assert_eq!(count(&db.pool, open, org.id).await, 1);
    let (status, body) = post(&manager, &base, "delete_alert_rule", &[("id", &rule_text)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    store.evaluate_performance_alerts().await.unwrap();
    assert_eq!((count(&db.pool, open, org.id).await, count(&db.pool, all, org.id).await), (0, 3));

    // A percentage change reads the latest value against the one before, either way.
    let change = [
        ("id", ""),
        ("channel", "transactions"),
        ("metric", "count"),
        ("period", "day"),
        ("threshold_type", "percentage_change"),
        ("threshold_value", "50"),
    ];
    assert_eq!(post(&manager, &base, "save_alert_rule", &change).await.0, StatusCode::OK);
    set_daily(&db.pool, org.id, "count", day, 1000.0).await;
    set_daily(&db.pool, org.id, "count", day + Duration::days(1), 400.0).await;
    store.evaluate_performance_alerts().await.unwrap();
    let change_value: f64 = sqlx::query_scalar(
        "SELECT current_value::float8 FROM performance_alerts WHERE organization_id = $1 AND is_active AND metric = 'count'",
    )
    .bind(org.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(change_value, -60.0);
    set_daily(&db.pool, org.id, "count", day + Duration::days(2), 450.0).await;
    store.evaluate_performance_alerts().await.unwrap();
    assert_eq!(count(&db.pool, open, org.id).await, 0);

    // Changing the threshold of a rule: the next evaluation reads it.
    let change_id: String =
        sqlx::query_scalar("SELECT id::text FROM performance_alert_rules WHERE organization_id = $1")
            .bind(org.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let lower = [
        ("id", change_id.as_str()),
        ("channel", "transactions"),
        ("metric", "count"),
        ("period", "day"),
        ("threshold_type", "percentage_change"),
        ("threshold_value", "10"),
    ];
    assert_eq!(post(&manager, &base, "save_alert_rule", &lower).await.0, StatusCode::OK);
    store.evaluate_performance_alerts().await.unwrap();
    assert_eq!(count(&db.pool, open, org.id).await, 1, "450 against 400 is 12.5 %");
    db.cleanup().await;
}

async fn alert_id(pool: &PgPool, organization: Uuid) -> Uuid {
    sqlx::query_scalar(
        "SELECT id FROM performance_alerts WHERE organization_id = $1 AND is_active ORDER BY created_at LIMIT 1",
    )
    .bind(organization)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// An insight and an open alert of `organization`, written as the owner.
async fn plant_insight_and_alert(pool: &PgPool, organization: Uuid, title: &str) -> (Uuid, Uuid) {
    let insight: Uuid = sqlx::query_scalar(
        "INSERT INTO ai_insights (organization_id, insight_type, insight_key, title, description, title_en, description_en,
                                  severity, confidence_score, data_points, recommendations, expires_at)
         VALUES ($1, 'trend', 'test:' || $2, $2, 'Mô tả', 'Title ' || $2, 'Description', 'high', 0.9,
                 '{\"service\": \"MBFG\", \"cluster\": 2}', '[{\"vi\": \"Làm gì đó\", \"en\": \"Do something\"}]',
                 NOW() + INTERVAL '3 days')
         RETURNING id",
    )
    .bind(organization)
    .bind(title)
    .fetch_one(pool)
    .await
    .unwrap();
    let alert: Uuid = sqlx::query_scalar(
        "INSERT INTO performance_alerts (organization_id, alert_type, channel, metric, current_value, threshold_value,
                                         threshold_type, message)
         VALUES ($1, 'threshold_breach', 'web', 'sign_ins', 3, 10, 'below', $2) RETURNING id",
    )
    .bind(organization)
    .bind(title)
    .fetch_one(pool)
    .await
    .unwrap();
    (insight, alert)
}

#[tokio::test]
async fn reading_and_acknowledging_change_only_their_columns_in_the_members_organization() {
    let db = TestDb::new().await;
    let ours = db.default_organization().await;
    let theirs = db.organization_with_own_prefix().await;
    let (our_insight, our_alert) = plant_insight_and_alert(&db.pool, ours.id, "Của chúng tôi").await;
    let (their_insight, their_alert) = plant_insight_and_alert(&db.pool, theirs.id, "Của họ").await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &ours, Role::Analyst).await;
    let analyst = crate::common::browser_like_client();
    crate::common::sign_in(&analyst, &base, &email, crate::common::TEST_PASSWORD).await;

    // The feed and the pages show ours only.
    let (status, feed) = post(&analyst, &base, "get_insights", &[("kind", ""), ("page", "")]).await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    let titles: Vec<&str> = feed["insights"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Của chúng tôi"]);
    assert_eq!(feed["insights"][0]["link"]["href"], "/subscribers?service=MBFG&cluster=2&trend=Gi%E1%BA%A3m");
    // The link's kind, and the English label the feed carried before it had a kind.
    assert_eq!(feed["insights"][0]["link"]["kind"], "declining_segment");
    assert_eq!(feed["insights"][0]["link"]["label"], "Subscribers of the segment with declining ARPU");
    let page = analyst.get(format!("{base}/insights")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Của chúng tôi") && !html.contains("Của họ"), "the page shows our insight only");
    let page = analyst.get(format!("{base}/alerts")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Của chúng tôi") && !html.contains("Của họ"));
    assert!(html.contains("rules-read-only"), "an analyst reads the rules only");

    let insight_columns = ["is_read", "updated_at"];
    let before = row_without(&db.pool, "ai_insights", our_insight, &insight_columns).await;
    let (status, body) = post(&analyst, &base, "mark_insight_read", &[("id", &our_insight.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(row_without(&db.pool, "ai_insights", our_insight, &insight_columns).await, before);
    let read: bool = sqlx::query_scalar("SELECT is_read FROM ai_insights WHERE id = $1")
        .bind(our_insight)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(read);

    let alert_columns = ["is_acknowledged", "acknowledged_by", "acknowledged_at", "updated_at"];
    let before = row_without(&db.pool, "performance_alerts", our_alert, &alert_columns).await;
    let (status, body) = post(&analyst, &base, "acknowledge_alert", &[("id", &our_alert.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(row_without(&db.pool, "performance_alerts", our_alert, &alert_columns).await, before);
    let (acknowledged, by, at): (bool, Option<Uuid>, Option<chrono::DateTime<chrono::Utc>>) = sqlx::query_as(
        "SELECT is_acknowledged, acknowledged_by, acknowledged_at FROM performance_alerts WHERE id = $1",
    )
    .bind(our_alert)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(acknowledged && at.is_some());
    assert_eq!(by, Some(user_id(&db.pool, &email).await));
    let html = analyst.get(format!("{base}/alerts")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("Acknowledged by {email}")), "who acknowledged is shown");

    // Theirs: refused as unknown, and unchanged.
    let their_insight_before = row_without(&db.pool, "ai_insights", their_insight, &[]).await;
    let their_alert_before = row_without(&db.pool, "performance_alerts", their_alert, &[]).await;
    let (status, body) = post(&analyst, &base, "mark_insight_read", &[("id", &their_insight.to_string())]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")), "{body}");
    let (status, body) = post(&analyst, &base, "acknowledge_alert", &[("id", &their_alert.to_string())]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")), "{body}");
    assert_eq!(row_without(&db.pool, "ai_insights", their_insight, &[]).await, their_insight_before);
    assert_eq!(row_without(&db.pool, "performance_alerts", their_alert, &[]).await, their_alert_before);

    // The app's role itself may change nothing else, nor write insights or alerts.
    let app = db.store.as_database_role(APP_ROLE).for_organization(&ours);
    let mut tx = app.begin().await.unwrap();
    let refused = sqlx::query("UPDATE ai_insights SET title = 'changed' WHERE id = $1")
        .bind(our_insight)
        .persistent(false)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("permission denied"), "{refused}");
    drop(tx);
    let mut tx = app.begin().await.unwrap();
    let refused = sqlx::query("UPDATE performance_alerts SET is_active = FALSE WHERE id = $1")
        .bind(our_alert)
        .persistent(false)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("permission denied"), "{refused}");
    drop(tx);

    // A member of an organization with none sees none.
    let empty = db.organization_with_own_prefix().await;
    let stranger = signed_in_client(&base, &db.store, &empty, Role::Admin).await;
    let (status, feed) = post(&stranger, &base, "get_insights", &[("kind", ""), ("page", "")]).await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    assert_eq!((feed["total"].as_i64(), feed["insights"].as_array().map(Vec::len)), (Some(0), Some(0)));
    let (status, overview) = post(&stranger, &base, "get_alerts", &[]).await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    assert_eq!(overview["active"], serde_json::json!([]));
    assert_eq!(overview["may_edit_rules"], true);
    db.cleanup().await;
}

#[tokio::test]
async fn only_managers_and_admins_edit_rules() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let rule = [
        ("id", ""),
        ("channel", "lookups"),
        ("metric", "latency_p99_ms"),
        ("period", "hour"),
        ("threshold_type", "above"),
        ("threshold_value", "5"),
    ];
    let rules = "SELECT COUNT(*) FROM performance_alert_rules WHERE organization_id = $1";
    for role in [Role::Analyst, Role::Marketing] {
        let http = signed_in_client(&base, &db.store, &org, role).await;
        let (status, body) = post(&http, &base, "save_alert_rule", &rule).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}: {body}");
        let (status, _) = post(&http, &base, "delete_alert_rule", &[("id", &Uuid::new_v4().to_string())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, overview) = post(&http, &base, "get_alerts", &[]).await;
        assert_eq!((status, overview["may_edit_rules"].as_bool()), (StatusCode::OK, Some(false)));
    }
    assert_eq!(count(&db.pool, rules, org.id).await, 0);
    for role in [Role::Manager, Role::Admin] {
        let http = signed_in_client(&base, &db.store, &org, role).await;
        let (status, body) = post(&http, &base, "save_alert_rule", &rule).await;
        assert_eq!(status, StatusCode::OK, "{role:?}: {body}");
    }
    assert_eq!(count(&db.pool, rules, org.id).await, 2);
    // Another organization's rule is out of reach of this organization's manager.
    let other = db.organization_with_own_prefix().await;
    let theirs: Uuid = sqlx::query_scalar(
        "INSERT INTO performance_alert_rules (organization_id, channel, metric, threshold_type, threshold_value)
         VALUES ($1, 'web', 'sign_ins', 'below', 1) RETURNING id",
    )
    .bind(other.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let manager = signed_in_client(&base, &db.store, &org, Role::Manager).await;
    let (status, body) = post(&manager, &base, "delete_alert_rule", &[("id", &theirs.to_string())]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")), "{body}");
    assert_eq!(count(&db.pool, rules, other.id).await, 1);
    db.cleanup().await;
}

#[tokio::test]
async fn a_segment_whose_share_of_declining_arpu_rose_is_a_trend() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    // 40 subscribers in each of two segments, 3 months of ARPU; in the latest month half
    // of EasyCredit / cluster 1 fall by half, MBFG / cluster 2 stays flat.
    sqlx::query(
        "INSERT INTO recommendations (organization_id, isdn, subscriber_type, service_type, advance_amount, revenue_per_advance,
                                      bad_debt_risk, cluster_group, customer_value_score, priority_score, recommendation_date)
         SELECT $1, 'T' || i, 'PRE', CASE WHEN i <= 40 THEN 'EasyCredit' ELSE 'MBFG' END, 10000, 1000, 'MEDIUM',
                CASE WHEN i <= 40 THEN 1 ELSE 2 END, 50, 25, CURRENT_DATE
         FROM generate_series(1, 80) i",
    )
    .bind(org.id)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO subscriber_monthly_arpu (organization_id, isdn, data_month, arpu_total)
         SELECT $1, 'T' || i, m, CASE WHEN m = '202611' AND i <= 20 THEN 50 ELSE 100 END
         FROM generate_series(1, 80) i, unnest(ARRAY['202609', '202610', '202611']) m",
    )
    .bind(org.id)
    .execute(&db.pool)
    .await
    .unwrap();
    let store = db.store.as_database_role(APP_ROLE).for_organization(&org);
    let today = chrono::Local::now().date_naive();
    store.generate_ai_insights(today).await.unwrap();
    store.generate_ai_insights(today).await.unwrap();
    let trends: Vec<(String, String, serde_json::Value)> = sqlx::query_as(
        "SELECT insight_key, severity, data_points FROM ai_insights WHERE organization_id = $1 AND insight_type = 'trend'",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(trends.len(), 1, "{trends:?}");
    let (key, severity, points) = &trends[0];
    assert_eq!(key, "trend:202611:EasyCredit:1");
    assert_eq!(severity, "critical", "a rise of 50 points");
    assert_eq!((points["subscribers"].as_i64(), points["declining"].as_i64()), (Some(40), Some(20)));
    assert_eq!((points["share_pct"].as_f64(), points["share_before_pct"].as_f64()), (Some(50.0), Some(0.0)));
    assert_eq!(points["previous_month"], "202610");
    db.cleanup().await;
}

#[tokio::test]
async fn a_tiny_merchants_bad_day_raises_no_anomaly_and_a_large_ones_still_does() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let day = chrono::Local::now().date_naive() - Duration::days(1);
    // The day and its 28 days before: the organization has transactions every day.
    sqlx::query(
        "INSERT INTO daily_trend_summary (organization_id, summary_date, total_transactions, successful_transactions,
                                          total_volume, success_volume)
         SELECT $1, $2::date - back, 400, 380, 4000000, 3800000 FROM generate_series(0, 28) back",
    )
    .bind(org.id)
    .bind(day)
    .execute(&db.pool)
    .await
    .unwrap();
    // Each merchant's flat history and its day (back = 0). Before the minimum, T1 and T2
    // were "critical" (z = -20 and -50) and M20 "high" (z = -5).
    sqlx::query(
        "INSERT INTO daily_merchant_summary (organization_id, summary_date, client_code, client_name,
                                             total_transactions, successful_transactions, total_amount, success_amount)
         SELECT $1, $2::date - back, code, 'Đại lý ' || code, n, ok, amount, amount
         FROM generate_series(0, 28) back
         CROSS JOIN LATERAL (VALUES
             -- 2 a day (56 in the window), then none.
             ('T1', 2, 2, 400000.0, back > 0),
             -- 2 a day, then one of the 2 fails: 50 %.
             ('T2', 2, CASE WHEN back = 0 THEN 1 ELSE 2 END, 400000.0, TRUE),
             -- 20 a day (560), always through, then one of the 20 fails: 95 %, one
             -- transaction's weight, no anomaly.
             ('M20', 20, CASE WHEN back = 0 THEN 19 ELSE 20 END, 4000000.0, TRUE),
             -- About 200 a day, then none: still an anomaly.
             ('BIG', 200 + back % 5, 190 + back % 3, 1000000.0 + (back % 7) * 10000, back > 0)
         ) v(code, n, ok, amount, present)
         WHERE present",
    )
    .bind(org.id)
    .bind(day)
    .execute(&db.pool)
    .await
    .unwrap();
    let store = db.store.as_database_role(APP_ROLE).for_organization(&org);
    store.generate_ai_insights(day).await.unwrap();
    store.evaluate_performance_alerts().await.unwrap();

    let anomalies: Vec<(String, String, serde_json::Value)> = sqlx::query_as(
        "SELECT insight_key, severity, data_points FROM ai_insights
         WHERE organization_id = $1 AND insight_type = 'anomaly' ORDER BY insight_key",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let keys: Vec<&str> = anomalies.iter().map(|(key, _, _)| key.as_str()).collect();
    assert_eq!(keys, [format!("anomaly:{day}:merchant:volume:BIG")], "{anomalies:?}");
    let (_, severity, points) = &anomalies[0];
    assert_eq!(severity, "critical");
    assert_eq!(points["value"].as_f64(), Some(0.0));
    assert_eq!(points["min_history_transactions"].as_i64(), Some(280));
    let history: i64 = (1..=28).map(|back| 200 + back % 5).sum();
    assert_eq!(points["history_transactions"].as_i64(), Some(history));

    let alerts: Vec<(String, String, bool)> =
        sqlx::query_as("SELECT alert_type, metric, is_active FROM performance_alerts WHERE organization_id = $1")
            .bind(org.id)
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(alerts, vec![("anomaly_detected".to_owned(), "volume.merchant.BIG".to_owned(), true)]);
    db.cleanup().await;
}

#[tokio::test]
async fn the_feed_pages_most_severe_unread_newest_first_and_expired_insights_are_forgotten() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let other = db.organization_with_own_prefix().await;
    // 25 current insights of every severity, some read, a minute apart; 3 expired; and
    // another organization's.
    for (organization, n, expires) in [(org.id, 25, "1 day"), (org.id, 3, "-1 minute"), (other.id, 2, "1 day")] {
        sqlx::query(
            "INSERT INTO ai_insights (organization_id, insight_type, insight_key, title, description, severity, is_read,
                                      data_points, created_at, expires_at)
             SELECT $1, 'recommendation', format('test:%s:%s', $3, i), 'T' || i, 'D', (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4],
                    i % 3 = 0, '{}', NOW() - make_interval(mins => i), NOW() + $3::interval
             FROM generate_series(1, $2) i",
        )
        .bind(organization)
        .bind(n)
        .bind(expires)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let store = db.store.as_database_role(APP_ROLE).for_organization(&org);
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT title FROM ai_insights WHERE organization_id = $1 AND expires_at > NOW()
         ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
                  is_read, created_at DESC",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(expected.len(), 25);
    let first = store.insight_feed(None, 1, INSIGHTS_PAGE_SIZE).await.unwrap();
    let second = store.insight_feed(None, 2, INSIGHTS_PAGE_SIZE).await.unwrap();
    assert_eq!((first.total, first.has_more, second.has_more), (25, true, false));
    assert_eq!(first.unread, (1..=25).filter(|i| i % 3 != 0).count() as i64);
    let shown: Vec<String> = first.insights.iter().chain(&second.insights).map(|i| i.title.clone()).collect();
    assert_eq!(shown, expected, "most severe, then unread, then newest, across pages");

    // The next generation deletes the expired ones (nothing shows them), no one else's.
    store.generate_ai_insights(chrono::Local::now().date_naive()).await.unwrap();
    let left = |organization: Uuid| {
        let pool = db.pool.clone();
        async move { count(&pool, "SELECT COUNT(*) FROM ai_insights WHERE organization_id = $1", organization).await }
    };
    assert_eq!(left(org.id).await, 25);
    assert_eq!(left(other.id).await, 2);
    db.cleanup().await;
}
