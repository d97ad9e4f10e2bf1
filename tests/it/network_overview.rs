//! Issue 25, item 4: `/network` opens on the organization's whole network. Every figure
//! of the overview against SQL over `ctv` and the commission ledger, the teams against
//! the tree each row opens, and another organization's manager seeing none of it.

use crate::commissions::enter;
use crate::common::{signed_in_client, TestApp};
use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::BTreeMap;
use ut360::data::Organization;
use ut360::domain::access::Role;
use ut360::domain::ctv::customers::CustomerStatus;
use ut360::domain::ctv::network_overview::{NetworkOverview, JOINED_MONTHS};
use ut360::domain::ctv::periods::AdjustmentParams;

/// The first day of the database's month `offset` months from this one.
async fn month_start(pool: &PgPool, offset: i32) -> NaiveDate {
    sqlx::query_scalar("SELECT (date_trunc('month', CURRENT_DATE) + make_interval(months => $1))::date")
        .bind(offset)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// A collaborator with its rank, introducer, join date and status.
async fn collaborator(
    pool: &PgPool,
    org: &Organization,
    (code, introducer, rank, joined_on, active): (&str, Option<&str>, &str, NaiveDate, bool),
) {
    sqlx::query(
        "INSERT INTO ctv (organization_id, ma_ctv, nguoi_gioi_thieu, ho_ten, sdt, cap_bac, ngay_tham_gia, trang_thai)
         VALUES ($1, $2, $3, $4, '0900000000', $5, $6, $7)",
    )
    .bind(org.id)
    .bind(code)
    .bind(introducer)
    .bind(format!("Cộng tác viên {code}"))
    .bind(rank)
    .bind(joined_on)
    .bind(if active { "active" } else { "inactive" })
    .execute(pool)
    .await
    .unwrap();
}

/// Two trees and a lone top: A0 → A1 → A2 → A3 → A4 → A5 (A5 beyond A0's 4 levels) with
/// B1 under A0 too, C0 → C1 (joined long ago), and D0 of a rank seed 000 does not know.
async fn network(pool: &PgPool, org: &Organization) {
    let (m3, m2, m1, m0) = (
        month_start(pool, -3).await,
        month_start(pool, -2).await,
        month_start(pool, -1).await,
        month_start(pool, 0).await,
    );
    let long_ago = month_start(pool, -30).await;
    for row in [
        ("A0", None, "Trưởng nhóm", m3, true),
        ("A1", Some("A0"), "CTV Vàng", m2, true),
        ("A2", Some("A1"), "CTV Bạc", m2, true),
        ("A3", Some("A2"), "CTV", m1, true),
        ("A4", Some("A3"), "CTV", m1, true),
        ("A5", Some("A4"), "CTV", m0, true),
        ("B1", Some("A0"), "CTV", m0, false),
        ("C0", None, "CTV Bạc", long_ago, true),
        ("C1", Some("C0"), "CTV", long_ago, true),
        ("D0", None, "Cố vấn", m0, true),
    ] {
        collaborator(pool, org, row).await;
    }
}

/// The overview's figures as a map, for comparison with SQL's.
fn counted<K: Ord>(rows: impl IntoIterator<Item = (K, i64)>) -> BTreeMap<K, i64> {
    rows.into_iter().collect()
}

#[tokio::test]
async fn the_overview_equals_sql_over_the_network_and_the_ledger_and_stays_in_its_organization() {
    let app = TestApp::signed_in_as(Role::Manager).await;
    let (db, base) = (&app.db, app.base.as_str());
    let org = db.default_organization().await;
    let store = db.store.for_organization(&org);
    network(&db.pool, &org).await;
    let this_month = month_start(&db.pool, 0).await;
    let last_month = month_start(&db.pool, -1).await;
    // Paid this month: A4's customer up its chain (A4…A0), C1's to C0.
    enter(db, &org, "0941000001", "A4", &this_month.to_string(), CustomerStatus::Served, 1_000_000.0).await;
    enter(db, &org, "0941000002", "C1", &this_month.to_string(), CustomerStatus::Served, 2_000_000.0).await;
    // Last month closed, then corrected in this one: the adjustment counts in this month's earnings.
    enter(db, &org, "0941000003", "A1", &last_month.to_string(), CustomerStatus::Served, 100_000.0).await;
    store.close_period(last_month, "m@ut360.test", None).await.unwrap();
    let adjustment = AdjustmentParams {
        period: month_of(last_month),
        ma_ctv: "A0".into(),
        amount: "500000".into(),
        reason: "Thưởng đạt chỉ tiêu".into(),
    }
    .check()
    .unwrap();
    let recorded = store.record_adjustment(&adjustment, "m@ut360.test", None).await.unwrap();
    assert!(matches!(recorded, ut360::data::ctv::periods::AdjustmentOutcome::Recorded { .. }), "{recorded:?}");

    let overview = store.network_overview().await.unwrap();

    // Ranks: seed 000's most senior first, then the unknown one; counts as SQL groups them.
    let ranks: Vec<&str> = overview.by_rank.iter().map(|r| r.rank.as_str()).collect();
    assert_eq!(ranks, ["Trưởng nhóm", "CTV Vàng", "CTV Bạc", "CTV", "Cố vấn"]);
    let by_rank_sql: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT cap_bac, COUNT(*), COUNT(*) FILTER (WHERE trang_thai = 'active') FROM ctv
         WHERE organization_id = $1 GROUP BY cap_bac",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        counted(overview.by_rank.iter().map(|r| ((r.rank.clone(), r.active), r.collaborators))),
        counted(by_rank_sql.into_iter().map(|(rank, all, active)| ((rank, active), all)))
    );
    assert_eq!((overview.collaborators, overview.active), (10, 9));

    // Depths: seed 000's hierarchy walk from every top, unbounded.
    let by_depth_sql: Vec<(i32, i64)> = sqlx::query_as(
        "WITH RECURSIVE hierarchy AS (
             SELECT ma_ctv, nguoi_gioi_thieu, 0 AS level FROM ctv WHERE organization_id = $1 AND nguoi_gioi_thieu IS NULL
             UNION ALL
             SELECT c.ma_ctv, c.nguoi_gioi_thieu, h.level + 1 FROM ctv c
             INNER JOIN hierarchy h ON c.nguoi_gioi_thieu = h.ma_ctv WHERE c.organization_id = $1
         )
         SELECT level, COUNT(*) FROM hierarchy GROUP BY level",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let depths = counted(overview.by_depth.iter().map(|d| (d.depth, d.collaborators)));
    assert_eq!(depths, counted(by_depth_sql));
    assert_eq!(depths, counted([(0, 3), (1, 3), (2, 1), (3, 1), (4, 1), (5, 1)]));
    assert_eq!(overview.deepest(), 5);

    // Joiners: the last 24 months, oldest first, empty months included; C0 and C1 joined before.
    assert_eq!(overview.joined.len(), JOINED_MONTHS as usize);
    assert_eq!(overview.joined.last().unwrap().month, month_of(this_month));
    let joined_sql: Vec<(String, i64)> = sqlx::query_as(
        "SELECT to_char(ngay_tham_gia, 'YYYY-MM'), COUNT(*) FROM ctv
         WHERE organization_id = $1 AND ngay_tham_gia >= date_trunc('month', CURRENT_DATE) - INTERVAL '23 months'
         GROUP BY 1",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let joined =
        counted(overview.joined.iter().filter(|m| m.collaborators > 0).map(|m| (m.month.clone(), m.collaborators)));
    assert_eq!(joined, counted(joined_sql));
    assert_eq!(joined.values().sum::<i64>(), 8);

    // Largest teams: the 4 levels below each, as SQL walks them and as the tree each opens shows.
    let teams: Vec<(&str, i64, i64)> =
        overview.largest_teams.iter().map(|t| (t.ma_ctv.as_str(), t.team_size, t.recruits)).collect();
    assert_eq!(teams, [("A0", 6, 2), ("A1", 5, 1), ("A2", 4, 1), ("A3", 3, 1), ("A4", 2, 1), ("C0", 2, 1)]);
    for team in &overview.largest_teams {
        let team_sql: i64 = sqlx::query_scalar(
            "WITH RECURSIVE t AS (SELECT ma_ctv, 0 AS level FROM ctv WHERE organization_id = $1 AND ma_ctv = $2
                 UNION ALL SELECT c.ma_ctv, t.level + 1 FROM ctv c JOIN t ON c.nguoi_gioi_thieu = t.ma_ctv
                 WHERE c.organization_id = $1 AND t.level < 4)
             SELECT COUNT(*) FROM t",
        )
        .bind(org.id)
        .bind(&team.ma_ctv)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(team.team_size, team_sql, "{}", team.ma_ctv);
        let tree = store.network_view(&team.ma_ctv).await.unwrap().unwrap();
        assert_eq!(tree.downline.members[0].team_size, team.team_size, "{}'s tree", team.ma_ctv);
    }

    // Top earners: this month's ledger lines summed per collaborator, the adjustment included.
    assert_eq!(overview.earnings_month.as_deref(), Some(month_of(this_month).as_str()));
    let earners_sql: Vec<(String, f64)> = sqlx::query_as(
        "SELECT ma_ctv, SUM(amount)::float8 FROM commissions
         WHERE organization_id = $1 AND period = date_trunc('month', CURRENT_DATE)::date
         GROUP BY ma_ctv ORDER BY SUM(amount) DESC, ma_ctv LIMIT 10",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let earners: Vec<(String, f64)> = overview.top_earners.iter().map(|e| (e.ma_ctv.clone(), e.total)).collect();
    assert_eq!(earners, earners_sql);
    assert_eq!(earners[0], ("A0".to_owned(), 510_000.0));
    let a4 = overview.top_earners.iter().find(|e| e.ma_ctv == "A4").unwrap();
    assert_eq!((a4.direct, a4.overrides), (100_000.0, 0.0));
    let c0 = overview.top_earners.iter().find(|e| e.ma_ctv == "C0").unwrap();
    assert_eq!((c0.direct, c0.overrides), (0.0, 100_000.0));

    // Through the page's server function: the same figures; the page itself opens on them.
    let answer = app.post_server_fn("get_network_overview", &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let served: NetworkOverview = serde_json::from_value(answer.body).unwrap();
    assert_eq!(served, overview);
    let page = app.http.get(format!("{base}/network")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-testid=\"network-overview\""), "the overview is in the first response");
    assert!(html.contains("href=\"/network?ctv=A0\""), "a top earner opens its tree");
    let statement = format!("/commissions/statement?ctv=A0&period={}", month_of(this_month));
    assert!(
        html.contains(&statement) || html.contains(&statement.replace('&', "&amp;")),
        "a top earner's statement is linked"
    );

    // Another organization's manager: an empty network, none of ours.
    let theirs = db.organization_with_own_prefix().await;
    let their_manager = signed_in_client(base, &db.store, &theirs, Role::Manager).await;
    let response = their_manager
        .post(crate::common::server_fn_url(base, "get_network_overview"))
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let their_overview: NetworkOverview = response.json().await.unwrap();
    assert_eq!((their_overview.collaborators, their_overview.by_depth.len()), (0, 0));
    assert!(their_overview.largest_teams.is_empty() && their_overview.top_earners.is_empty());
    assert_eq!(their_overview.earnings_month, None);
    let html = their_manager.get(format!("{base}/network")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("data-ctv=\"A0\"") && html.contains("No collaborators yet"), "{html:.300}");
    app.cleanup().await;
}
