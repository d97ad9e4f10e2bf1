//! The seeds' own SQL, copied verbatim, runs against generated data and returns
//! the shape the seeds document (DESIGN.md contract 1).

use crate::common;

use common::TestDb;
use sqlx::postgres::PgRow;
use sqlx::{Column, PgPool, Row};
use ut360::server::generate::{generate, DemoSize, MONTHS};

fn column_names(row: &PgRow) -> Vec<String> {
    row.columns().iter().map(|c| c.name().to_owned()).collect()
}

fn isdns(rows: &[PgRow]) -> Vec<String> {
    rows.iter().map(|r| r.get::<String, _>("isdn")).collect()
}

async fn count(pool: &PgPool, sql: &str, isdns: &[String]) -> i64 {
    sqlx::query_scalar(sql).bind(isdns).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn seed_queries_run_unchanged() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let scale = 0.05;
    db.load(&org, &generate(11, scale)).await;
    let pool = &db.pool;
    let size = DemoSize::at_scale(scale);

    // Seed 001, pattern 2: one recommendation by ISDN.
    let rows = sqlx::query("SELECT * FROM recommendations WHERE isdn = '++/hZFPrCDRre55vsZqqxQ==';")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let columns = column_names(&rows[0]);
    for column in [
        "isdn",
        "subscriber_type",
        "service_type",
        "advance_amount",
        "revenue_per_advance",
        "cluster_group",
        "bad_debt_risk",
        "arpu_avg_6m",
        "arpu_growth_rate",
        "arpu_trend",
        "customer_value_score",
        "advance_readiness_score",
        "priority_score",
        "recommendation_date",
    ] {
        assert!(columns.iter().any(|c| c == column), "pattern 2 lacks {column}");
    }

    // Seed 001, pattern 4: top 100 EasyCredit by priority.
    let rows = sqlx::query(
        "SELECT * FROM recommendations
WHERE service_type = 'EasyCredit'
ORDER BY priority_score DESC
LIMIT 100;",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 100);
    let top = isdns(&rows);
    let outranked = count(
        pool,
        "SELECT COUNT(*) FROM recommendations WHERE service_type = 'EasyCredit' AND isdn <> ALL($1)
           AND priority_score > (SELECT MIN(priority_score) FROM recommendations WHERE isdn = ANY($1))",
        &top,
    )
    .await;
    assert_eq!(outranked, 0, "no EasyCredit subscriber left out ranks above the top 100");

    // Seed 001, pattern 6: the 360 profile with its monthly ARPU.
    let rows = sqlx::query(
        "SELECT p.*,
       json_agg(m ORDER BY m.data_month) as monthly_arpu
FROM subscriber_360_profiles p
LEFT JOIN subscriber_monthly_arpu m ON p.isdn = m.isdn
WHERE p.isdn = '++/hZFPrCDRre55vsZqqxQ=='
GROUP BY p.id;",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    let columns = column_names(&rows[0]);
    for column in [
        "isdn",
        "arpu_first_month",
        "risk_factors",
        "cluster_label",
        "strengths",
        "recommendations_text",
        "monthly_arpu",
    ] {
        assert!(columns.iter().any(|c| c == column), "pattern 6 lacks {column}");
    }
    let monthly: serde_json::Value = rows[0].get("monthly_arpu");
    let months: Vec<&str> = monthly.as_array().unwrap().iter().map(|m| m["data_month"].as_str().unwrap()).collect();
    assert_eq!(months, MONTHS.to_vec());

    // Seed 001, pattern 7: revenue by service.
    let rows = sqlx::query(
        "SELECT
    service_type,
    COUNT(*) as total_count,
    SUM(advance_amount) as total_advance,
    SUM(revenue_per_advance) as total_revenue,
    AVG(customer_value_score) as avg_value_score
FROM recommendations
GROUP BY service_type;",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        column_names(&rows[0]),
        ["service_type", "total_count", "total_advance", "total_revenue", "avg_value_score"]
    );
    assert_eq!(rows.len(), 3);
    let total: i64 = rows.iter().map(|r| r.get::<i64, _>("total_count")).sum();
    assert_eq!(total, size.subscribers() as i64);

    // Seed 001, pattern 8: risk distribution.
    let rows = sqlx::query(
        "SELECT
    service_type,
    bad_debt_risk,
    COUNT(*) as count,
    AVG(advance_amount) as avg_advance
FROM recommendations
GROUP BY service_type, bad_debt_risk
ORDER BY service_type, bad_debt_risk;",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(column_names(&rows[0]), ["service_type", "bad_debt_risk", "count", "avg_advance"]);
    let cells: Vec<(String, String)> = rows.iter().map(|r| (r.get("service_type"), r.get("bad_debt_risk"))).collect();
    let expected: Vec<(String, String)> = ["EasyCredit", "MBFG", "ungsanluong"]
        .iter()
        .flat_map(|s| ["LOW", "MEDIUM"].map(|r| (s.to_string(), r.to_string())))
        .collect();
    assert_eq!(cells, expected);

    // Seed 002, use case 3: the marketing campaign query.
    let rows = sqlx::query(
        "
    SELECT isdn, advance_amount, revenue_per_advance, customer_value_score
    FROM recommendations
    WHERE bad_debt_risk = 'LOW'
      AND customer_value_score >= 70
      AND advance_readiness_score >= 80
    ORDER BY priority_score DESC
    LIMIT 10000
",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(column_names(&rows[0]), ["isdn", "advance_amount", "revenue_per_advance", "customer_value_score"]);
    assert!(rows.len() > 100, "the demo data has campaign targets, got {}", rows.len());
    let targets = isdns(&rows);
    let off_rule = count(
        pool,
        "SELECT COUNT(*) FROM recommendations WHERE isdn = ANY($1)
           AND NOT (bad_debt_risk = 'LOW' AND customer_value_score >= 70 AND advance_readiness_score >= 80)",
        &targets,
    )
    .await;
    assert_eq!(off_rule, 0);

    // Seed 002, use case 4: the analytics dashboard query.
    let rows = sqlx::query(
        "SELECT
    service_type,
    bad_debt_risk,
    COUNT(*) as subscriber_count,
    SUM(advance_amount) as total_advance,
    SUM(revenue_per_advance) as total_revenue,
    AVG(customer_value_score) as avg_value
FROM recommendations
GROUP BY service_type, bad_debt_risk
ORDER BY service_type, bad_debt_risk;",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        column_names(&rows[0]),
        ["service_type", "bad_debt_risk", "subscriber_count", "total_advance", "total_revenue", "avg_value"]
    );

    db.cleanup().await;
}
