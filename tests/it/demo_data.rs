//! The demo data in Postgres: seed-scale splits, internal consistency, repeatability.

use crate::common;

use common::{scalar_i64, TestDb};
use ut360::data::dataset::Dataset;
use ut360::server::generate::{generate, DemoSize, MONTHS};

#[tokio::test]
async fn seed_scale_load_has_the_seed_splits_and_consistent_numbers() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    db.load(&org, &generate(42, 1.0)).await;
    let pool = &db.pool;

    // Seed 001's ut360:meta:stats split.
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT service_type, COUNT(*) FROM recommendations GROUP BY 1 ORDER BY 1")
            .fetch_all(pool)
            .await
            .unwrap();
    let expected = [("EasyCredit", 142_000), ("MBFG", 45_000), ("ungsanluong", 27_504)];
    assert_eq!(counts, expected.map(|(s, c)| (s.to_owned(), c)).to_vec());
    let risks: Vec<(String, i64)> =
        sqlx::query_as("SELECT bad_debt_risk, COUNT(*) FROM recommendations GROUP BY 1 ORDER BY 1")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(risks, vec![("LOW".to_owned(), 180_000), ("MEDIUM".to_owned(), 34_504)]);
    assert_eq!(scalar_i64(pool, "SELECT COUNT(*) FROM subscriber_360_profiles").await, 214_504);
    assert_eq!(scalar_i64(pool, "SELECT COUNT(*) FROM subscriber_monthly_arpu").await, 1_501_528);
    assert_eq!(
        scalar_i64(pool, "SELECT COUNT(DISTINCT data_month) FROM subscriber_monthly_arpu").await,
        MONTHS.len() as i64
    );
    assert_eq!(
        scalar_i64(
            pool,
            "SELECT COUNT(DISTINCT cluster_group) FROM recommendations WHERE cluster_group BETWEEN 0 AND 3"
        )
        .await,
        4
    );
    assert_eq!(scalar_i64(pool, "SELECT COUNT(DISTINCT subscriber_type) FROM recommendations").await, 2);

    assert_consistent(pool).await;
    db.cleanup().await;
}

/// Every derived figure agrees with what it is derived from; each query counts violations.
async fn assert_consistent(pool: &sqlx::PgPool) {
    let checks = [
        (
            "profiles point at their own recommendation",
            "SELECT COUNT(*) FROM subscriber_360_profiles p
             LEFT JOIN recommendations r ON r.id = p.recommendation_id
             WHERE r.isdn IS DISTINCT FROM p.isdn",
        ),
        (
            "ARPU statistics are those of the monthly rows",
            "WITH m AS (
                 SELECT isdn, ROUND(AVG(arpu_total), 2) AS avg, ROUND(STDDEV_SAMP(arpu_total), 2) AS std,
                        MIN(arpu_total) AS min, MAX(arpu_total) AS max,
                        (ARRAY_AGG(arpu_total ORDER BY data_month))[1] AS first,
                        (ARRAY_AGG(arpu_total ORDER BY data_month DESC))[1] AS last
                 FROM subscriber_monthly_arpu GROUP BY isdn)
             SELECT COUNT(*) FROM subscriber_360_profiles p JOIN m USING (isdn)
             WHERE ABS(p.arpu_avg_6m - m.avg) > 0.01 OR ABS(p.arpu_std_6m - m.std) > 0.01
                OR p.arpu_min_6m <> m.min OR p.arpu_max_6m <> m.max
                OR p.arpu_first_month <> m.first OR p.arpu_last_month <> m.last",
        ),
        (
            "growth rate and trend follow the first and last month",
            "SELECT COUNT(*) FROM subscriber_360_profiles
             WHERE ABS(arpu_growth_rate - ROUND((arpu_last_month - arpu_first_month) / arpu_first_month * 100, 2)) > 0.01
                OR arpu_trend <> CASE WHEN arpu_growth_rate > 10 THEN 'Tăng trưởng'
                                      WHEN arpu_growth_rate < -10 THEN 'Giảm' ELSE 'Ổn định' END",
        ),
        (
            "monthly totals are call + SMS + data",
            "SELECT COUNT(*) FROM subscriber_monthly_arpu WHERE arpu_total <> arpu_call + arpu_sms + arpu_data",
        ),
        (
            "revenue percentages add up to 100",
            "SELECT COUNT(*) FROM recommendations WHERE revenue_call_pct + revenue_sms_pct + revenue_data_pct <> 100",
        ),
        (
            "revenue percentages are those of the monthly rows",
            "WITH m AS (SELECT isdn, SUM(arpu_data) / SUM(arpu_total) * 100 AS data_pct
                        FROM subscriber_monthly_arpu GROUP BY isdn)
             SELECT COUNT(*) FROM recommendations r JOIN m USING (isdn) WHERE ABS(r.revenue_data_pct - m.data_pct) > 0.02",
        ),
        (
            "priority_score = customer_value_score * advance_readiness_score / 100",
            "SELECT COUNT(*) FROM recommendations
             WHERE priority_score <> ROUND(customer_value_score * advance_readiness_score / 100, 2)",
        ),
        (
            "recommendation and profile agree",
            "SELECT COUNT(*) FROM recommendations r JOIN subscriber_360_profiles p ON p.recommendation_id = r.id
             WHERE (r.service_type, r.bad_debt_risk, r.advance_amount, r.arpu_avg_6m, r.cluster_group, r.customer_value_score)
                IS DISTINCT FROM (p.service_type, p.bad_debt_risk, p.advance_amount, p.arpu_avg_6m, p.cluster_group, p.customer_value_score)",
        ),
        (
            "top-up ratio is the average top-up over the advance",
            "SELECT COUNT(*) FROM subscriber_360_profiles
             WHERE ABS(topup_advance_ratio - topup_avg_amount / advance_amount) > 0.0001
                OR topup_min_amount > topup_avg_amount OR topup_max_amount < topup_avg_amount",
        ),
        (
            "MEDIUM risk always names its factors",
            "SELECT COUNT(*) FROM subscriber_360_profiles
             WHERE bad_debt_risk = 'MEDIUM' AND jsonb_array_length(risk_factors) = 0",
        ),
        (
            "recommendation_stats equals the aggregates of recommendations",
            "WITH truth AS (
                 SELECT 'service' AS t, service_type AS v, COUNT(*) AS n, SUM(advance_amount) AS adv, SUM(revenue_per_advance) AS rev
                 FROM recommendations GROUP BY service_type
                 UNION ALL SELECT 'risk', bad_debt_risk, COUNT(*), SUM(advance_amount), SUM(revenue_per_advance)
                 FROM recommendations GROUP BY bad_debt_risk
                 UNION ALL SELECT 'cluster', cluster_group::text, COUNT(*), SUM(advance_amount), SUM(revenue_per_advance)
                 FROM recommendations GROUP BY cluster_group
                 UNION ALL SELECT 'all', 'all', COUNT(*), SUM(advance_amount), SUM(revenue_per_advance) FROM recommendations)
             SELECT COUNT(*) FROM truth t FULL JOIN
                 (SELECT * FROM recommendation_stats WHERE dimension_type IN ('service', 'risk', 'cluster', 'all')) s
                 ON s.dimension_type = t.t AND s.dimension_value = t.v
             WHERE s.total_count IS DISTINCT FROM t.n OR s.total_advance_amount IS DISTINCT FROM t.adv
                OR s.total_revenue_potential IS DISTINCT FROM t.rev",
        ),
    ];
    for (rule, sql) in checks {
        assert_eq!(scalar_i64(pool, sql).await, 0, "{rule}");
    }
}

#[tokio::test]
async fn loading_again_replaces_the_data_and_leaves_other_organizations_alone() {
    let db = TestDb::new().await;
    let default_org = db.default_organization().await;
    let other_org = db.organization_with_own_prefix().await;
    let small = generate(3, 0.01);
    db.load(&other_org, &generate(4, 0.005)).await;
    db.load(&default_org, &small).await;
    db.load(&default_org, &small).await;

    let size = DemoSize::at_scale(0.01);
    let count_for = |org_id: uuid::Uuid, table: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table} WHERE organization_id = $1"))
                .bind(org_id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count_for(default_org.id, "recommendations").await, size.subscribers() as i64);
    assert_eq!(count_for(default_org.id, "subscriber_monthly_arpu").await, size.monthly_rows() as i64);
    assert_eq!(count_for(other_org.id, "recommendations").await, DemoSize::at_scale(0.005).subscribers() as i64);
    // The same ISDN may exist in two organizations: uniqueness is per organization.
    assert_eq!(
        scalar_i64(&db.pool, "SELECT COUNT(*) FROM recommendations WHERE isdn = '++/hZFPrCDRre55vsZqqxQ=='").await,
        2
    );
    db.cleanup().await;
}

#[tokio::test]
async fn a_failed_load_changes_nothing() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let original = generate(5, 0.002);
    db.load(&org, &original).await;

    // Two subscribers with one ISDN violate (organization_id, isdn) uniqueness in the swap.
    let mut broken = generate(6, 0.002);
    let duplicate = broken[0].isdn.clone();
    broken[1].isdn = duplicate;
    let outcome = db.store.for_organization(&org).replace_dataset(&Dataset::from_records(&broken), |_| {}).await;
    assert!(outcome.is_err(), "the duplicate ISDN is rejected");

    let isdns: Vec<String> = sqlx::query_scalar("SELECT isdn FROM recommendations ORDER BY isdn COLLATE \"C\"")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let mut expected: Vec<String> = original.iter().map(|r| r.isdn.clone()).collect();
    expected.sort();
    assert_eq!(isdns, expected);
    assert_eq!(
        scalar_i64(&db.pool, "SELECT COUNT(*) FROM subscriber_monthly_arpu").await,
        (original.len() * MONTHS.len()) as i64
    );
    db.cleanup().await;
}
