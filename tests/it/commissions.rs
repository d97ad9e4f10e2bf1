//! Seed 000's collaborator system against real Postgres: commission math over chains
//! of every length, rates that change, reversals, closed months, concurrent
//! recalculations, the referral tree, and the duplicate-phone rule at its boundaries.

use crate::common;

use chrono::NaiveDate;
use common::{rebuilt_secondary_indexes, scalar_i64, table_constraints, table_indexes, TestDb};
use sqlx::PgPool;
use ut360::data::ctv::customers::CustomerEntry;
use ut360::data::ctv::load::Network;
use ut360::data::Organization;
use ut360::domain::ctv::customers::{CustomerStatus, DuplicateReason, NewCustomer};

pub(crate) fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A fresh organization paying 10 % to the closer and 5, 3, 2, 1 % to levels 1 to 4.
pub(crate) async fn organization_with_rates(db: &TestDb) -> Organization {
    let org = db.organization_with_own_prefix().await;
    for (level, rate) in [(0, 10.0), (1, 5.0), (2, 3.0), (3, 2.0), (4, 1.0)] {
        db.store.for_organization(&org).set_commission_rate(level, rate, date("2000-01-01")).await.unwrap();
    }
    org
}

/// An organization paying those rates, with the demo network of `seed` at `scale` as of
/// `today` loaded and not yet paid.
async fn organization_with_demo_network(
    db: &TestDb,
    seed: u64,
    scale: f64,
    today: NaiveDate,
) -> (Organization, Network) {
    let org = organization_with_rates(db).await;
    let network = ut360::server::generate::network::generate_network(seed, scale, today);
    db.store.for_organization(&org).replace_ctv_network(&network).await.unwrap();
    (org, network)
}

/// Collaborators `codes[0]` (top) → `codes[1]` → …, each introduced by the one before.
pub(crate) async fn referral_chain(pool: &PgPool, org: &Organization, codes: &[&str]) {
    let mut introducer: Option<&str> = None;
    for code in codes {
        sqlx::query("INSERT INTO ctv (organization_id, ma_ctv, nguoi_gioi_thieu, ho_ten, sdt) VALUES ($1, $2, $3, $4, '0900000000')")
            .bind(org.id)
            .bind(code)
            .bind(introducer)
            .bind(format!("Cộng tác viên {code}"))
            .execute(pool)
            .await
            .unwrap();
        introducer = Some(code);
    }
}

/// A customer entered through the store; served customers are paid on entry.
pub(crate) async fn enter(
    db: &TestDb,
    org: &Organization,
    phone: &str,
    closer: &str,
    served_on: &str,
    status: CustomerStatus,
    amount: f64,
) -> i64 {
    let customer = NewCustomer {
        name: format!("Khách {phone}"),
        phone: phone.into(),
        ordered_on: Some(served_on.into()),
        appointment_on: Some(served_on.into()),
        status,
        closer: Some(closer.into()),
        service: Some("Chăm sóc da".into()),
        amount,
    };
    customer.validate().unwrap();
    match db.store.for_organization(org).create_customer(&customer).await.unwrap() {
        CustomerEntry::Created(created) => created.id,
        other => panic!("{phone} was not entered: {other:?}"),
    }
}

/// Each (collaborator, level) paid for the customer, with the net of its lines.
async fn net_by_collaborator(pool: &PgPool, customer: i64) -> Vec<(String, i16, f64)> {
    sqlx::query_as(
        "SELECT ma_ctv, level, SUM(amount)::float8 FROM commissions WHERE khach_hang_id = $1
         GROUP BY ma_ctv, level HAVING SUM(amount) <> 0 ORDER BY level",
    )
    .bind(customer)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The customer's lines, oldest first (by level within one recalculation):
/// (collaborator, level, amount, kind, period `YYYY-MM`).
async fn lines_of(pool: &PgPool, customer: i64) -> Vec<(String, i16, f64, String, String)> {
    sqlx::query_as(
        "SELECT ma_ctv, level, amount::float8, kind, to_char(period, 'YYYY-MM') FROM commissions
         WHERE khach_hang_id = $1 ORDER BY created_at, level, id",
    )
    .bind(customer)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn owed(rows: &[(&str, i16, f64)]) -> Vec<(String, i16, f64)> {
    rows.iter().map(|(code, level, amount)| ((*code).to_owned(), *level, *amount)).collect()
}

#[tokio::test]
async fn closer_and_up_to_four_uplines_are_paid_whatever_the_chain_length() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    // Shorter than 4 uplines (2), exactly 4, and longer (6: the top two earn nothing).
    referral_chain(&db.pool, &org, &["S2", "S1", "S0"]).await;
    referral_chain(&db.pool, &org, &["E4", "E3", "E2", "E1", "E0"]).await;
    referral_chain(&db.pool, &org, &["L6", "L5", "L4", "L3", "L2", "L1", "L0"]).await;
    let short = enter(&db, &org, "0911000001", "S0", "2026-03-10", CustomerStatus::Served, 1_000_000.0).await;
    let exact = enter(&db, &org, "0911000002", "E0", "2026-03-11", CustomerStatus::Served, 1_000_000.0).await;
    let long = enter(&db, &org, "0911000003", "L0", "2026-03-12", CustomerStatus::Served, 2_500_000.0).await;

    assert_eq!(
        net_by_collaborator(&db.pool, short).await,
        owed(&[("S0", 0, 100_000.0), ("S1", 1, 50_000.0), ("S2", 2, 30_000.0)])
    );
    assert_eq!(
        net_by_collaborator(&db.pool, exact).await,
        owed(&[
            ("E0", 0, 100_000.0),
            ("E1", 1, 50_000.0),
            ("E2", 2, 30_000.0),
            ("E3", 3, 20_000.0),
            ("E4", 4, 10_000.0)
        ])
    );
    assert_eq!(
        net_by_collaborator(&db.pool, long).await,
        owed(&[
            ("L0", 0, 250_000.0),
            ("L1", 1, 125_000.0),
            ("L2", 2, 75_000.0),
            ("L3", 3, 50_000.0),
            ("L4", 4, 25_000.0)
        ])
    );
    assert!(lines_of(&db.pool, long).await.iter().all(|line| line.3 == "earning" && line.4 == "2026-03"));

    // Idempotent: recalculating writes nothing more.
    let again = store.recalculate_commissions(None).await.unwrap();
    assert_eq!(again.lines(), 0, "{again:?}");
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions").await, 13);

    // A customer who is not served earns nothing.
    let booked = enter(&db, &org, "0911000004", "E0", "2026-03-13", CustomerStatus::Deposited, 1_000_000.0).await;
    assert!(lines_of(&db.pool, booked).await.is_empty());

    // The report's totals are its statement lines' sums; L1 earns direct nothing, override at level 1.
    let report = store.commission_report(date("2026-03-01")).await.unwrap();
    assert_eq!(report.len(), 13);
    let l1 = report.iter().find(|row| row.ma_ctv == "L1").unwrap();
    assert_eq!((l1.direct, l1.overrides, l1.adjustments, l1.total), (0.0, [125_000.0, 0.0, 0.0, 0.0], 0.0, 125_000.0));
    assert_eq!(report[0].ma_ctv, "L0", "highest total first");
    for row in &report {
        let statement = store.commission_statement(&row.ma_ctv, date("2026-03-31")).await.unwrap();
        assert_eq!(statement.iter().map(|line| line.amount).sum::<f64>(), row.total, "{}", row.ma_ctv);
        assert_eq!(statement.len() as i64, row.lines);
    }
    let statement = store.commission_statement("E4", date("2026-03-01")).await.unwrap();
    assert_eq!((statement[0].level, statement[0].base_amount, statement[0].rate), (4, 1_000_000.0, 1.0));
    assert_eq!((statement[0].customer_id, statement[0].served_on.as_deref()), (Some(exact), Some("2026-03-11")));
    db.cleanup().await;
}

#[tokio::test]
async fn the_rate_in_force_on_the_day_of_service_applies_and_rate_changes_adjust() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    store.set_commission_rate(0, 12.0, date("2026-03-01")).await.unwrap();
    referral_chain(&db.pool, &org, &["R1", "R0"]).await;
    let before = enter(&db, &org, "0922000001", "R0", "2026-02-28", CustomerStatus::Served, 1_000_000.0).await;
    let after = enter(&db, &org, "0922000002", "R0", "2026-03-01", CustomerStatus::Served, 1_000_000.0).await;
    assert_eq!(net_by_collaborator(&db.pool, before).await, owed(&[("R0", 0, 100_000.0), ("R1", 1, 50_000.0)]));
    assert_eq!(net_by_collaborator(&db.pool, after).await, owed(&[("R0", 0, 120_000.0), ("R1", 1, 50_000.0)]));

    // A rate set back in time pays the difference, as an adjustment in the (open) month of service.
    store.set_commission_rate(0, 11.0, date("2026-02-15")).await.unwrap();
    let summary = store.recalculate_commissions(Some(date("2026-04-10"))).await.unwrap();
    assert_eq!((summary.earnings, summary.reversals, summary.adjustments, summary.net_amount), (0, 0, 1, 10_000.0));
    assert_eq!(
        lines_of(&db.pool, before).await.last().unwrap(),
        &("R0".to_owned(), 0, 10_000.0, "adjustment".to_owned(), "2026-02".to_owned())
    );
    assert_eq!(net_by_collaborator(&db.pool, after).await[0].2, 120_000.0, "March keeps its own rate");
    let rates = store.commission_rates().await.unwrap();
    assert_eq!(rates.iter().filter(|rate| rate.level == 0).count(), 3);
    db.cleanup().await;
}

#[tokio::test]
async fn cancelling_a_paid_customer_reverses_without_deleting() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    referral_chain(&db.pool, &org, &["C2", "C1", "C0"]).await;
    let customer = enter(&db, &org, "0933000001", "C0", "2026-05-05", CustomerStatus::Served, 2_000_000.0).await;
    assert_eq!(lines_of(&db.pool, customer).await.len(), 3);

    let summary = store.set_customer_status(customer, CustomerStatus::Cancelled).await.unwrap().unwrap();
    assert_eq!((summary.reversals, summary.net_amount), (3, -(200_000.0 + 100_000.0 + 60_000.0)));
    let lines = lines_of(&db.pool, customer).await;
    assert_eq!(lines.len(), 6, "the earnings stay; reversals are added");
    assert_eq!(
        &lines[3..].iter().map(|l| (l.0.as_str(), l.2, l.3.as_str())).collect::<Vec<_>>(),
        &[("C0", -200_000.0, "reversal"), ("C1", -100_000.0, "reversal"), ("C2", -60_000.0, "reversal")]
    );
    assert!(net_by_collaborator(&db.pool, customer).await.is_empty());
    assert_eq!(store.recalculate_commissions(None).await.unwrap().lines(), 0);

    // A status that changes back ('Da den lam' → 'Da coc') reverses too; served again pays again.
    store.set_customer_status(customer, CustomerStatus::Served).await.unwrap();
    assert_eq!(net_by_collaborator(&db.pool, customer).await.len(), 3);
    let summary = store.set_customer_status(customer, CustomerStatus::Deposited).await.unwrap().unwrap();
    assert_eq!(summary.reversals, 3);
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions").await, 12);
    assert!(store.set_customer_status(999_999, CustomerStatus::Served).await.unwrap().is_none());

    // The month's report nets it: direct earned twice, taken back twice.
    let report = store.commission_report(date("2026-05-01")).await.unwrap();
    let c0 = report.iter().find(|row| row.ma_ctv == "C0").unwrap();
    assert_eq!((c0.direct, c0.adjustments, c0.total, c0.lines), (400_000.0, -400_000.0, 0.0, 4));
    db.cleanup().await;
}

#[tokio::test]
async fn closed_months_are_never_rewritten_changes_land_in_the_open_month() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    referral_chain(&db.pool, &org, &["P1", "P0"]).await;
    let customer = enter(&db, &org, "0944000001", "P0", "2026-03-10", CustomerStatus::Served, 1_000_000.0).await;
    store.close_commission_period(date("2026-03-31")).await.unwrap();
    assert_eq!(store.closed_commission_periods().await.unwrap(), vec!["2026-03"]);
    let march = store.commission_report(date("2026-03-01")).await.unwrap();

    // The amount is corrected in May: the difference is an adjustment in May.
    sqlx::query("UPDATE khach_hang SET so_tien = 1200000 WHERE id = $1")
        .bind(customer)
        .execute(&db.pool)
        .await
        .unwrap();
    let summary = store.recalculate_commissions(Some(date("2026-05-20"))).await.unwrap();
    assert_eq!((summary.adjustments, summary.net_amount), (2, 30_000.0));
    let lines = lines_of(&db.pool, customer).await;
    assert_eq!(
        &lines[2..],
        &[
            ("P0".to_owned(), 0, 20_000.0, "adjustment".to_owned(), "2026-05".to_owned()),
            ("P1".to_owned(), 1, 10_000.0, "adjustment".to_owned(), "2026-05".to_owned())
        ]
    );
    assert_eq!(store.commission_report(date("2026-03-01")).await.unwrap(), march, "March is as it was closed");

    // With May closed as well, a cancellation is reversed in June, the first open month.
    store.close_commission_period(date("2026-05-01")).await.unwrap();
    sqlx::query("UPDATE khach_hang SET trang_thai = 'Huy' WHERE id = $1")
        .bind(customer)
        .execute(&db.pool)
        .await
        .unwrap();
    let summary = store.recalculate_customer_commissions(&[customer], Some(date("2026-05-20"))).await.unwrap();
    assert_eq!((summary.reversals, summary.net_amount), (2, -180_000.0));
    let lines = lines_of(&db.pool, customer).await;
    assert!(lines[4..].iter().all(|line| line.3 == "reversal" && line.4 == "2026-06"), "{lines:?}");
    let june = store.commission_report(date("2026-06-15")).await.unwrap();
    assert_eq!(
        june.iter().map(|row| (row.ma_ctv.as_str(), row.adjustments, row.total)).collect::<Vec<_>>(),
        vec![("P1", -60_000.0, -60_000.0), ("P0", -120_000.0, -120_000.0)]
    );
    let in_closed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM commissions l JOIN commission_periods p ON p.organization_id = l.organization_id AND p.period = l.period
         WHERE l.created_at > p.closed_at",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(in_closed, 0, "no line was written into a month after it closed");
    db.cleanup().await;
}

#[tokio::test]
async fn two_recalculations_at_once_write_each_line_once() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let codes: Vec<String> = (0..8).map(|i| format!("K{i}")).collect();
    referral_chain(&db.pool, &org, &codes.iter().map(String::as_str).collect::<Vec<_>>()).await;
    // 400 customers entered behind the engine's back, every 8th one not served.
    sqlx::query(
        "INSERT INTO khach_hang (organization_id, ten_khach, sdt, ngay_nhap_don, ngay_hen_lam, trang_thai, nguoi_chot, so_tien)
         SELECT $1, 'Khách ' || i, '09550' || lpad(i::text, 5, '0'), DATE '2026-01-01' + (i % 90), DATE '2026-01-02' + (i % 90),
                CASE WHEN i % 8 = 0 THEN 'Huy' ELSE 'Da den lam' END, 'K' || (i % 8), 100000 + i * 1000
         FROM generate_series(1, 400) i",
    )
    .bind(org.id)
    .execute(&db.pool)
    .await
    .unwrap();

    let store = db.store.for_organization(&org);
    let (first, second) = tokio::join!(store.recalculate_commissions(None), store.recalculate_commissions(None));
    let (first, second) = (first.unwrap(), second.unwrap());
    // One did the work, the other found nothing left to do.
    let mut written = [first.lines(), second.lines()];
    written.sort();
    // Closers K1..K7 have 1..5 paid levels each (K1: K1, K0; K4..K7: 5).
    let expected_lines: i64 = (1..8).map(|closer: i64| 50 * (closer + 1).min(5)).sum();
    assert_eq!(written, [0, expected_lines]);
    assert_eq!(first.net_amount + second.net_amount, {
        let sum: f64 =
            sqlx::query_scalar("SELECT SUM(amount)::float8 FROM commissions").fetch_one(&db.pool).await.unwrap();
        sum
    });
    let duplicates = scalar_i64(
        &db.pool,
        "SELECT COUNT(*) FROM (SELECT 1 FROM commissions GROUP BY khach_hang_id, ma_ctv, level HAVING COUNT(*) > 1) d",
    )
    .await;
    assert_eq!(duplicates, 0);
    let expected: f64 = sqlx::query_scalar(
        "SELECT SUM(ROUND(so_tien * CASE l WHEN 0 THEN 10 WHEN 1 THEN 5 WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE 1 END / 100, 2))::float8
         FROM khach_hang k CROSS JOIN generate_series(0, 4) l
         WHERE k.trang_thai = 'Da den lam' AND l <= substr(k.nguoi_chot, 2)::int",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(first.net_amount + second.net_amount, expected);

    // And again, at once: neither writes anything.
    let (third, fourth) = tokio::join!(store.recalculate_commissions(None), store.recalculate_commissions(None));
    assert_eq!((third.unwrap().lines(), fourth.unwrap().lines()), (0, 0));
    db.cleanup().await;
}

#[tokio::test]
async fn upline_and_downline_four_levels_with_team_figures() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    referral_chain(&db.pool, &org, &["T0", "T1", "T2", "T3", "T4", "T5", "T6"]).await;
    referral_chain(&db.pool, &org, &["B1"]).await;
    sqlx::query("UPDATE ctv SET nguoi_gioi_thieu = 'T0' WHERE ma_ctv = 'B1'").execute(&db.pool).await.unwrap();
    enter(&db, &org, "0966000001", "T2", "2026-04-01", CustomerStatus::Served, 1_000_000.0).await;
    enter(&db, &org, "0966000002", "T1", "2026-04-02", CustomerStatus::Served, 500_000.0).await;
    enter(&db, &org, "0966000003", "T1", "2026-04-03", CustomerStatus::Cancelled, 700_000.0).await;

    let upline = store.upline("T6").await.unwrap();
    let codes: Vec<(i32, &str)> = upline.iter().map(|m| (m.level, m.collaborator.ma_ctv.as_str())).collect();
    assert_eq!(codes, vec![(1, "T5"), (2, "T4"), (3, "T3"), (4, "T2")]);
    assert!(store.upline("T0").await.unwrap().is_empty());

    let downline = store.downline("T0").await.unwrap();
    let tree: Vec<(i32, &str, i64, i64, f64)> = downline
        .members
        .iter()
        .map(|m| (m.level, m.collaborator.ma_ctv.as_str(), m.children, m.team_size, m.team_revenue))
        .collect();
    assert_eq!(
        tree,
        vec![
            (0, "T0", 2, 6, 1_500_000.0),
            (1, "B1", 0, 1, 0.0),
            (1, "T1", 1, 4, 1_500_000.0),
            (2, "T2", 1, 3, 1_000_000.0),
            (3, "T3", 1, 2, 0.0),
            (4, "T4", 0, 1, 0.0),
        ]
    );
    assert_eq!(downline.members[2].own_revenue, 500_000.0, "cancelled customers are not revenue");
    assert!(store.downline("NOBODY").await.unwrap().members.is_empty());

    let found = store.search_collaborators("t1").await.unwrap();
    assert_eq!(found[0].ma_ctv, "T1");
    assert_eq!(store.search_collaborators("%").await.unwrap(), vec![]);
    db.cleanup().await;
}

#[tokio::test]
async fn seed_hierarchy_query_runs_unchanged() {
    let db = TestDb::new().await;
    sqlx::raw_sql("INSERT INTO ctv (ma_ctv, ho_ten) VALUES ('CTV001', 'A'); INSERT INTO ctv (ma_ctv, nguoi_gioi_thieu, ho_ten) VALUES ('CTV002', 'CTV001', 'B')")
        .execute(&db.pool)
        .await
        .unwrap();
    let seed_sql = "WITH RECURSIVE hierarchy AS (
    -- Base case: start with the CTV
    SELECT ma_ctv, nguoi_gioi_thieu, 0 as level
    FROM ctv WHERE ma_ctv = 'CTV001'

    UNION ALL

    -- Recursive case: get children
    SELECT c.ma_ctv, c.nguoi_gioi_thieu, h.level + 1
    FROM ctv c
    INNER JOIN hierarchy h ON c.nguoi_gioi_thieu = h.ma_ctv
    WHERE h.level < 4
)
SELECT * FROM hierarchy;";
    let rows: Vec<(String, Option<String>, i32)> = sqlx::query_as(seed_sql).fetch_all(&db.pool).await.unwrap();
    assert_eq!(rows, vec![("CTV001".into(), None, 0), ("CTV002".into(), Some("CTV001".into()), 1)]);
    db.cleanup().await;
}

#[tokio::test]
async fn duplicate_rule_at_its_boundary_days_and_why() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    referral_chain(&db.pool, &org, &["D0"]).await;
    // Dates relative to the database's today, as the rule's CURRENT_DATE reads it.
    let customers = [
        ("0977000180", "Da hen", "CURRENT_DATE - 100", "CURRENT_DATE + 180"),
        ("0977000179", "Da hen", "CURRENT_DATE - 100", "CURRENT_DATE + 179"),
        ("0977000181", "Da hen", "CURRENT_DATE - 100", "CURRENT_DATE + 181"),
        ("0977000000", "Da hen", "CURRENT_DATE - 100", "CURRENT_DATE"),
        ("0977000001", "Khong den", "CURRENT_DATE - 100", "CURRENT_DATE - 1"),
        ("0977000060", "Moi", "CURRENT_DATE - 60", "NULL"),
        ("0977000061", "Moi", "CURRENT_DATE - 61", "NULL"),
        ("0977000999", "Da coc", "CURRENT_DATE - 400", "CURRENT_DATE - 390"),
        ("0977000998", "Da den lam", "CURRENT_DATE - 400", "CURRENT_DATE - 390"),
        ("0977000997", "Huy", "CURRENT_DATE - 400", "CURRENT_DATE - 390"),
    ];
    for (phone, status, ordered, appointment) in customers {
        sqlx::query(&format!(
            "INSERT INTO khach_hang (organization_id, ten_khach, sdt, ngay_nhap_don, ngay_hen_lam, trang_thai, nguoi_chot, so_tien)
             VALUES ($1, 'Khách', $2, {ordered}, {appointment}, $3, 'D0', 1000000)"
        ))
        .bind(org.id)
        .bind(phone)
        .bind(status)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let today: NaiveDate = sqlx::query_scalar("SELECT CURRENT_DATE").fetch_one(&db.pool).await.unwrap();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let reasons = |phone: &'static str| {
        let store = db.store.clone();
        let org = org.clone();
        async move {
            let matches = store.for_organization(&org).duplicate_matches(phone).await.unwrap();
            matches.into_iter().flat_map(|m| m.reasons).collect::<Vec<_>>()
        }
    };

    // Appointment: from today up to but not including 180 days ahead.
    assert_eq!(reasons("0977000180").await, vec![]);
    assert_eq!(reasons("0977000181").await, vec![]);
    assert_eq!(
        reasons("0977000179").await,
        vec![DuplicateReason::UpcomingAppointment { on: day(179), days_ahead: 179 }]
    );
    assert_eq!(reasons("0977000000").await, vec![DuplicateReason::UpcomingAppointment { on: day(0), days_ahead: 0 }]);
    assert_eq!(reasons("0977000001").await, vec![], "a passed appointment does not count");
    // Order: 60 days ago still counts, 61 no longer.
    assert_eq!(reasons("0977000060").await, vec![DuplicateReason::RecentOrder { on: day(-60), days_ago: 60 }]);
    assert_eq!(reasons("0977000061").await, vec![]);
    // Served or deposited: always, however old.
    assert_eq!(reasons("0977000999").await, vec![DuplicateReason::Status { status: CustomerStatus::Deposited }]);
    assert_eq!(reasons("0977000998").await, vec![DuplicateReason::Status { status: CustomerStatus::Served }]);
    assert_eq!(reasons("0977000997").await, vec![]);

    // Entering a customer runs the rule: refused with the reason, or entered.
    let new = |phone: &str| NewCustomer {
        name: "Trần Thu Hà".into(),
        phone: phone.into(),
        ordered_on: None,
        appointment_on: None,
        status: CustomerStatus::New,
        closer: Some("D0".into()),
        service: None,
        amount: 0.0,
    };
    match db.store.for_organization(&org).create_customer(&new("0977000999")).await.unwrap() {
        CustomerEntry::Duplicate(matches) => {
            assert_eq!(matches.len(), 1);
            assert_eq!(matches[0].reasons[0].to_string(), "status is 'Da coc'");
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    let created = match db.store.for_organization(&org).create_customer(&new("0977000061")).await.unwrap() {
        CustomerEntry::Created(customer) => customer,
        other => panic!("expected it entered, got {other:?}"),
    };
    assert_eq!((created.ordered_on.clone(), created.status), (today.to_string(), CustomerStatus::New));
    // Entered today, the phone is now a duplicate by its recent order.
    assert_eq!(reasons("0977000061").await, vec![DuplicateReason::RecentOrder { on: day(0), days_ago: 0 }]);
    assert_eq!(db.store.for_organization(&org).customers_by_phone("0977000061").await.unwrap().len(), 2);
    assert!(matches!(
        db.store
            .for_organization(&org)
            .create_customer(&NewCustomer { closer: Some("NOBODY".into()), ..new("0977000123") })
            .await
            .unwrap(),
        CustomerEntry::UnknownCloser
    ));
    db.cleanup().await;
}

/// The first network of a new database (the demo's) goes in before the collaborator and
/// customer tables' indexes and constraints, which are then built from the rows; a later
/// load, into tables that hold rows, keeps them as they are.
#[tokio::test]
async fn a_first_network_load_builds_its_indexes_after_the_rows_and_a_later_one_keeps_them() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    let tables = &["ctv", "khach_hang"];
    let indexes_as_migrated = table_indexes(&db.pool, tables).await;
    let constraints_as_migrated = table_constraints(&db.pool, tables).await;
    let network = ut360::server::generate::network::generate_network(7, 0.01, date("2026-11-29"));

    store.replace_ctv_network(&network).await.unwrap();
    let restored = table_indexes(&db.pool, tables).await;
    assert_eq!(table_constraints(&db.pool, tables).await, constraints_as_migrated, "every constraint is back, valid");
    // The unique key the introducer's foreign key needs stays with the primary keys.
    let rebuilt = rebuilt_secondary_indexes(&indexes_as_migrated, &restored);
    assert!(rebuilt >= 5, "the tables' secondary indexes were set aside: {indexes_as_migrated:?}");
    assert_eq!(store.count_collaborators().await.unwrap(), network.collaborators.len() as i64);
    let customers = scalar_i64(&db.pool, "SELECT COUNT(*) FROM khach_hang").await;
    assert_eq!(customers, network.customers.len() as i64);

    store.replace_ctv_network(&network).await.unwrap();
    assert_eq!(table_indexes(&db.pool, tables).await, restored, "a load beside rows keeps every index");
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM khach_hang").await, customers);
    db.cleanup().await;
}

#[tokio::test]
async fn a_first_payout_writes_its_lines_before_the_ledgers_indexes_and_a_later_one_keeps_them() {
    let db = TestDb::new().await;
    let today = date("2026-11-29");
    let (org, _) = organization_with_demo_network(&db, 5, 0.01, today).await;
    let store = db.store.for_organization(&org);
    let ledger = &["commissions"];
    let indexes_as_migrated = table_indexes(&db.pool, ledger).await;
    let constraints_as_migrated = table_constraints(&db.pool, ledger).await;

    let paid = store.recalculate_commissions(Some(today)).await.unwrap();
    assert!(paid.earnings > 1_000 && paid.lines() == paid.earnings, "{paid:?}");
    let restored = table_indexes(&db.pool, ledger).await;
    assert_eq!(rebuilt_secondary_indexes(&indexes_as_migrated, &restored), 2, "{indexes_as_migrated:?}");
    assert_eq!(table_constraints(&db.pool, ledger).await, constraints_as_migrated, "every constraint is back, valid");

    // A later recalculation with something to change adds lines beside the indexes.
    let customer = scalar_i64(&db.pool, "SELECT khach_hang_id FROM commissions ORDER BY id DESC LIMIT 1").await;
    sqlx::query("UPDATE khach_hang SET so_tien = so_tien + 1000 WHERE id = $1")
        .bind(customer)
        .execute(&db.pool)
        .await
        .unwrap();
    let changed = store.recalculate_commissions(Some(today)).await.unwrap();
    assert!(changed.adjustments > 0 && changed.earnings == 0, "{changed:?}");
    assert_eq!(table_indexes(&db.pool, ledger).await, restored, "a recalculation beside lines keeps every index");
    db.cleanup().await;
}

#[tokio::test]
async fn the_demo_network_is_paid_exactly_once_and_paid_customers_cannot_be_deleted() {
    let db = TestDb::new().await;
    let today = date("2026-11-29");
    let (org, network) = organization_with_demo_network(&db, 3, 0.01, today).await;
    let store = db.store.for_organization(&org);
    assert_eq!(store.count_collaborators().await.unwrap(), network.collaborators.len() as i64);

    let paid = store.recalculate_commissions(Some(today)).await.unwrap();
    assert!(paid.earnings > 1_000 && paid.reversals == 0 && paid.adjustments == 0, "{paid:?}");
    assert_eq!(store.recalculate_commissions(Some(today)).await.unwrap().lines(), 0);
    // The same sums walked customer by customer up the tree, at the fixed rates.
    let expected: f64 = sqlx::query_scalar(
        "WITH RECURSIVE up AS (
             SELECT k.id, k.so_tien, k.nguoi_chot AS ma_ctv, 0 AS level FROM khach_hang k
             WHERE k.organization_id = $1 AND k.trang_thai = 'Da den lam'
             UNION ALL
             SELECT up.id, up.so_tien, c.nguoi_gioi_thieu, up.level + 1 FROM up
             JOIN ctv c ON c.organization_id = $1 AND c.ma_ctv = up.ma_ctv
             WHERE up.level < 4 AND c.nguoi_gioi_thieu IS NOT NULL
         )
         SELECT SUM(ROUND(so_tien * (ARRAY[10, 5, 3, 2, 1])[level + 1] / 100.0, 2))::float8 FROM up",
    )
    .bind(org.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(paid.net_amount, expected);
    let deep_lines = scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions WHERE level = 4").await;
    assert!(deep_lines > 0, "chains reach the 4th level");

    // Every month's report adds up to the ledger.
    let months: Vec<NaiveDate> =
        sqlx::query_scalar("SELECT DISTINCT period FROM commissions ORDER BY 1").fetch_all(&db.pool).await.unwrap();
    assert!(months.len() >= 20, "{} months paid", months.len());
    let mut reported = 0.0;
    for month in &months {
        reported += store.commission_report(*month).await.unwrap().iter().map(|row| row.total).sum::<f64>();
    }
    assert!((reported - expected).abs() < 0.01, "{reported} vs {expected}");

    // Paid customers and collaborators stay; the whole network can still be replaced.
    let deleted = sqlx::query("DELETE FROM khach_hang WHERE id = (SELECT MIN(khach_hang_id) FROM commissions)")
        .execute(&db.pool)
        .await;
    assert!(deleted.unwrap_err().to_string().contains("cannot be deleted"));
    // (A paid collaborator with no customers or recruits of its own left: only the ledger holds it.)
    sqlx::query("INSERT INTO ctv (organization_id, ma_ctv, ho_ten) VALUES ($1, 'LONE', 'Lone')")
        .bind(org.id)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE commissions SET ma_ctv = 'LONE' WHERE id = (SELECT MIN(id) FROM commissions)")
        .execute(&db.pool)
        .await
        .unwrap();
    let deleted = sqlx::query("DELETE FROM ctv WHERE ma_ctv = 'LONE'").execute(&db.pool).await;
    assert!(deleted.unwrap_err().to_string().contains("cannot be deleted"));
    store.replace_ctv_network(&network).await.unwrap();
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions").await, 0);
    db.cleanup().await;
}

#[tokio::test]
async fn the_report_picks_the_latest_month_filters_sorts_and_exports_what_it_shows() {
    use ut360::domain::ctv::commissions::{ReportParams, ReportTotals};
    use ut360::domain::ctv::customers::CustomerFilter;
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    referral_chain(&db.pool, &org, &["R2", "R1", "R0"]).await;
    referral_chain(&db.pool, &org, &["Q1", "Q0"]).await;
    enter(&db, &org, "0912000001", "R0", "2026-04-03", CustomerStatus::Served, 1_000_000.0).await;
    enter(&db, &org, "0912000002", "R0", "2026-05-06", CustomerStatus::Served, 2_000_000.0).await;
    enter(&db, &org, "0912000003", "Q0", "2026-05-07", CustomerStatus::Served, 500_000.0).await;
    db.store.for_organization(&org).close_commission_period(date("2026-04-30")).await.unwrap();

    let periods = db.store.for_organization(&org).commission_periods().await.unwrap();
    let listed: Vec<(&str, bool)> = periods.iter().map(|p| (p.period.as_str(), p.closed)).collect();
    assert_eq!(listed, [("2026-05", false), ("2026-04", true)]);

    // No month asked: the latest. Highest total first; the filter keeps codes or names holding the text.
    let latest = db
        .store
        .for_organization(&org)
        .select_commission_report(&ReportParams::default().query().unwrap())
        .await
        .unwrap();
    assert_eq!(latest.period.as_ref().map(|p| p.period.as_str()), Some("2026-05"));
    let codes: Vec<&str> = latest.rows.iter().map(|row| row.ma_ctv.as_str()).collect();
    assert_eq!(codes, ["R0", "R1", "R2", "Q0", "Q1"]);
    let asked = |params: ReportParams| {
        let store = &db.store;
        let org = &org;
        async move { store.for_organization(org).select_commission_report(&params.query().unwrap()).await.unwrap() }
    };
    let filtered = asked(ReportParams { q: "q".into(), sort: "ma_ctv".into(), ..Default::default() }).await;
    assert_eq!(filtered.rows.iter().map(|row| row.ma_ctv.as_str()).collect::<Vec<_>>(), ["Q0", "Q1"]);
    let april = asked(ReportParams { period: "2026-04".into(), ..Default::default() }).await;
    assert!(april.period.as_ref().unwrap().closed);
    assert_eq!(ReportTotals::of(&april.rows).total, 100_000.0 + 50_000.0 + 30_000.0);
    let empty = asked(ReportParams { period: "2025-01".into(), ..Default::default() }).await;
    assert!(empty.rows.is_empty() && !empty.period.unwrap().closed);

    // Each row's total is its statement's lines.
    for row in &latest.rows {
        let statement =
            db.store.for_organization(&org).commission_statement_of(&row.ma_ctv, "2026-05").await.unwrap().unwrap();
        assert_eq!(statement.lines.iter().map(|line| line.amount).sum::<f64>(), row.total, "{}", row.ma_ctv);
    }
    assert!(db.store.for_organization(&org).commission_statement_of("NOBODY", "2026-05").await.unwrap().is_none());

    // The export holds the same rows, in the same order, with the same figures.
    let base = common::spawn_app(db.store.clone()).await;
    let http = common::signed_in_client(&base, &db.store, &org, ut360::domain::access::Role::Admin).await;
    let response = http.get(format!("{base}/commissions/export.csv?period=2026-05")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("commissions-2026-05.csv"), "{disposition}");
    let body = response.text().await.unwrap();
    let body = body.strip_prefix('\u{feff}').expect("a BOM first");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        ["ma_ctv", "name", "direct", "level_1", "level_2", "level_3", "level_4", "adjustments", "total", "lines"]
    );
    let exported: Vec<(String, f64)> =
        reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_owned(), r[8].parse().unwrap())).collect();
    let shown: Vec<(String, f64)> = latest.rows.iter().map(|row| (row.ma_ctv.clone(), row.total)).collect();
    assert_eq!(exported, shown);
    let xlsx = http.get(format!("{base}/commissions/export.xlsx?q=Q")).send().await.unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"), "an XLSX file is a zip");
    let bad = http.get(format!("{base}/commissions/export.csv?period=2026-13")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("period"));

    // The customers page's listing: the phone's verdict and the filtered list.
    let listing =
        db.store.for_organization(&org).customer_listing(Some("0912000002"), &CustomerFilter::default()).await.unwrap();
    let check = listing.phone.unwrap();
    assert_eq!(check.customers.len(), 1);
    assert!(matches!(check.duplicates[0].reasons[0], DuplicateReason::Status { status: CustomerStatus::Served }));
    assert_eq!(listing.customers.len(), 3);
    assert!(!listing.has_next);
    let served_in_may = CustomerFilter { ordered_from: Some("2026-05-01".into()), ..Default::default() };
    let listing = db.store.for_organization(&org).customer_listing(None, &served_in_may).await.unwrap();
    assert!(listing.phone.is_none());
    assert_eq!(listing.customers.iter().map(|c| c.phone.as_str()).collect::<Vec<_>>(), ["0912000003", "0912000002"]);

    // The network view: upline, downline and the collaborator itself.
    let view = db.store.for_organization(&org).network_view("R1").await.unwrap().unwrap();
    assert_eq!(view.upline.iter().map(|m| m.collaborator.ma_ctv.as_str()).collect::<Vec<_>>(), ["R2"]);
    assert_eq!(view.downline.members.iter().map(|m| m.collaborator.ma_ctv.as_str()).collect::<Vec<_>>(), ["R1", "R0"]);
    assert_eq!(view.downline.members[0].team_revenue, 3_000_000.0);
    assert!(db.store.for_organization(&org).network_view("NOBODY").await.unwrap().is_none());
    db.cleanup().await;
}

/// The first day of the database's month `offset` months from this one, and its `YYYY-MM`.
async fn db_month(pool: &PgPool, offset: i32) -> (NaiveDate, String) {
    let day: NaiveDate =
        sqlx::query_scalar("SELECT (date_trunc('month', CURRENT_DATE) + make_interval(months => $1))::date")
            .bind(offset)
            .fetch_one(pool)
            .await
            .unwrap();
    (day, day.format("%Y-%m").to_string())
}

#[tokio::test]
async fn a_statement_adds_up_to_the_ledger_prints_and_downloads_as_numbers_for_its_organization_only() {
    use ut360::domain::ctv::periods::AdjustmentParams;
    use ut360::domain::ctv::statements::StatementParams;
    let app = common::TestApp::signed_in_as(ut360::domain::access::Role::Manager).await;
    let (db, base, manager) = (&app.db, app.base.as_str(), &app.http);
    let org = db.default_organization().await;
    let store = db.store.for_organization(&org);
    let (this_day, this) = db_month(&db.pool, 0).await;
    let (last_day, last) = db_month(&db.pool, -1).await;
    referral_chain(&db.pool, &org, &["T2", "T1", "T0"]).await;
    // T1 closes one customer and earns overrides on T0's; one of T0's is cancelled after payment.
    enter(db, &org, "0951000001", "T1", &this_day.to_string(), CustomerStatus::Served, 1_000_000.0).await;
    enter(db, &org, "0951000002", "T0", &this_day.to_string(), CustomerStatus::Served, 2_000_000.0).await;
    let cancelled = enter(db, &org, "0951000003", "T0", &this_day.to_string(), CustomerStatus::Served, 500_000.0).await;
    store.set_customer_status(cancelled, CustomerStatus::Cancelled).await.unwrap().unwrap();
    // Last month closed, then corrected for T1 in this month, with its reason.
    enter(db, &org, "0951000004", "T1", &last_day.to_string(), CustomerStatus::Served, 300_000.0).await;
    store.close_period(last_day, "m@ut360.test", None).await.unwrap();
    let reason = "Khách trả lại một phần dịch vụ";
    let adjustment = AdjustmentParams {
        period: last.clone(),
        ma_ctv: "T1".into(),
        amount: "-12345.5".into(),
        reason: reason.into(),
    }
    .check()
    .unwrap();
    let recorded = store.record_adjustment(&adjustment, "m@ut360.test", None).await.unwrap();
    assert!(matches!(recorded, ut360::data::ctv::periods::AdjustmentOutcome::Recorded { .. }), "{recorded:?}");

    let query = StatementParams { ctv: "T1".into(), period: this.clone() }.check().unwrap();
    let statement = store.collaborator_statement(&query).await.unwrap().unwrap();
    let totals = &statement.totals;
    // The ledger, summed in SQL as the statement's totals split it.
    let sql: (f64, f64, f64, f64, f64, f64, f64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 0), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 1), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind = 'reversal'), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind = 'adjustment'), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE adjusts_period IS NOT NULL), 0)::float8,
                SUM(amount)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level >= 2), 0)::float8,
                COUNT(*)
         FROM commissions WHERE organization_id = $1 AND ma_ctv = 'T1' AND period = $2",
    )
    .bind(org.id)
    .bind(this_day)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (totals.earnings[0], totals.earnings[1], totals.reversals, totals.adjustments, totals.prior_period_adjustments),
        (sql.0, sql.1, sql.2, sql.3, sql.4)
    );
    assert_eq!((totals.total, totals.earnings[2..].iter().sum::<f64>(), totals.lines as i64), (sql.5, sql.6, sql.7));
    // 100,000 own + 5 % of 2,000,000 and of 500,000, − 25,000 reversed, − 12,345.50 adjusted.
    assert_eq!((totals.earnings[0], totals.earnings[1], totals.reversals), (100_000.0, 125_000.0, -25_000.0));
    assert_eq!((totals.prior_period_adjustments, totals.total), (-12_345.5, 187_654.5));
    assert!(!statement.closed && statement.organization == org.name);
    let report = store.commission_report(this_day).await.unwrap();
    assert_eq!(report.iter().find(|row| row.ma_ctv == "T1").unwrap().total, totals.total, "the report's row");

    // The printable page: the totals, the adjustment's reason, linked from the report.
    let page_url = format!("{base}{}", StatementParams { ctv: "T1".into(), period: this.clone() }.page_href());
    let page = manager.get(&page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(reason) && html.contains("187,655 ₫") && html.contains(&last), "{html:.500}");
    let report_html =
        manager.get(format!("{base}/commissions?period={this}")).send().await.unwrap().text().await.unwrap();
    assert!(
        report_html.contains(&format!("/commissions/statement?ctv=T1&amp;period={this}"))
            || report_html.contains(&format!("/commissions/statement?ctv=T1&period={this}"))
    );
    // Bad parameters name the field; an unknown collaborator is not found; never a 500.
    for (query, status, page_says, file_says) in [
        (format!("ctv=NOBODY&period={this}"), 404, "collaborator (ctv) not found", "collaborator (ctv) not found"),
        ("ctv=T1&period=2026-13".to_owned(), 400, "Month: ", r#""field":"period""#),
        (format!("period={this}"), 400, "Collaborator code: this is required", r#""field":"ctv""#),
    ] {
        let page = manager.get(format!("{base}/commissions/statement?{query}")).send().await.unwrap();
        assert_eq!(page.status(), status, "page {query}");
        assert!(page.text().await.unwrap().contains(page_says), "page {query} says {page_says}");
        let file = manager.get(format!("{base}/commissions/statement/export.xlsx?{query}")).send().await.unwrap();
        assert_eq!(file.status(), status, "xlsx {query}");
        assert!(file.text().await.unwrap().contains(file_says), "xlsx {query} says {file_says}");
    }

    // The workbook: amounts as numbers (not text) with a number format, days as dates,
    // its words in the exporter's language (English asked for here).
    let xlsx_url = format!("{base}{}", StatementParams { ctv: "T1".into(), period: this.clone() }.xlsx_href());
    let response = manager.get(&xlsx_url).header("accept-language", "en-US,en;q=0.9").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains(&format!("statement-t1-{this}.xlsx")), "{disposition}");
    let bytes = response.bytes().await.unwrap();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    use calamine::{Data, Reader};
    let sheet = workbook.worksheet_range("Statement").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(|row| row.to_vec()).collect();
    let says = |cell: &Data, text: &str| matches!(cell, Data::String(found) if found == text);
    let row_named = |label: &str| rows.iter().find(|row| says(&row[0], label)).unwrap().clone();
    assert_eq!(row_named("Total for the month")[1], Data::Float(187_654.5));
    assert_eq!(row_named("Own customers (level 0)")[1], Data::Float(100_000.0));
    assert_eq!(row_named("Override, level 1")[1], Data::Float(125_000.0));
    assert_eq!(row_named("Reversals")[1], Data::Float(-25_000.0));
    let header = rows.iter().position(|row| says(&row[0], "Served on")).unwrap();
    let lines = &rows[header + 1..header + 1 + totals.lines];
    let amounts: Vec<f64> = lines
        .iter()
        .map(|row| match &row[7] {
            Data::Float(amount) => *amount,
            other => panic!("an amount that is not a number: {other:?}"),
        })
        .collect();
    assert_eq!(amounts.iter().sum::<f64>(), totals.total);
    assert!(lines.iter().all(|row| matches!(row[4], Data::Float(_)) && matches!(row[6], Data::Float(_))));
    let adjustment_row = lines.iter().find(|row| says(&row[9], reason)).unwrap();
    assert_eq!((adjustment_row[7].clone(), adjustment_row[8].to_string()), (Data::Float(-12_345.5), last.clone()));
    assert!(lines.iter().filter(|row| row[9].to_string().is_empty()).all(|row| matches!(row[0], Data::DateTime(_))));
    let footer = &rows[header + 1 + totals.lines];
    assert_eq!(footer[7], Data::Float(187_654.5));

    // In Vietnamese: the same figures under Vietnamese labels.
    let bytes = manager.get(&xlsx_url).header("accept-language", "vi").send().await.unwrap().bytes().await.unwrap();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let rows: Vec<Vec<Data>> = workbook.worksheet_range("Statement").unwrap().rows().map(|row| row.to_vec()).collect();
    let row_named = |label: &str| rows.iter().find(|row| says(&row[0], label)).unwrap().clone();
    assert_eq!(row_named("Tổng cả tháng")[1], Data::Float(187_654.5));
    assert_eq!(row_named("Hoa hồng tuyến trên, cấp 1")[1], Data::Float(125_000.0));
    let header = rows.iter().position(|row| says(&row[0], "Ngày phục vụ")).unwrap();
    assert!(says(&rows[header][7], "Số tiền (₫)"), "{:?}", rows[header]);
    assert!(rows.iter().all(|row| !says(&row[0], "Served on")), "no English label");

    // Like every download: not from another site's page, and it needs the export permission.
    let cross_site = manager.get(&xlsx_url).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(cross_site.status(), 403);
    let marketing = common::signed_in_client(base, &db.store, &org, ut360::domain::access::Role::Marketing).await;
    assert_eq!(marketing.get(&xlsx_url).send().await.unwrap().status(), 403, "marketing reads no commissions");

    // Another organization's manager gets nothing of ours: no page, no file, no lines.
    let theirs = db.organization_with_own_prefix().await;
    let their_manager = common::signed_in_client(base, &db.store, &theirs, ut360::domain::access::Role::Manager).await;
    let page = their_manager.get(&page_url).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(!page.text().await.unwrap().contains(reason));
    assert_eq!(their_manager.get(&xlsx_url).send().await.unwrap().status(), 404);
    let answer = their_manager
        .post(common::server_fn_url(base, "get_collaborator_statement"))
        .form(&[("ctv", "T1"), ("period", this.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    app.cleanup().await;
}

/// The report's page (sorted, filtered and paged by PostgreSQL) shows exactly the rows
/// and sums of the whole month sorted and filtered in Rust (the export's order), for every
/// column, both directions, filters that keep many, few or no rows, and pages past the end.
#[tokio::test]
async fn a_report_page_is_the_slice_of_the_whole_report_for_every_sort_and_filter() {
    use ut360::domain::ctv::commissions::{ReportColumn, ReportParams, ReportTotals, REPORT_PAGE_ROWS};
    let db = TestDb::new().await;
    let today = date("2026-11-29");
    let (org, _) = organization_with_demo_network(&db, 5, 0.05, today).await;
    let store = db.store.for_organization(&org);
    store.recalculate_commissions(Some(today)).await.unwrap();
    // A month's summaries lie together (migration 20261205000055), so a page reads few of the table's pages.
    let (rows, pages): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT (ctid::text::point)[0]) FROM commission_summaries
         WHERE organization_id = $1 AND period = '2026-10-01'",
    )
    .bind(org.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let table_pages = scalar_i64(&db.pool, "SELECT pg_relation_size('commission_summaries') / 8192").await;
    assert!(
        pages <= rows / 40 + 2 && pages < table_pages / 4,
        "{rows} rows of a month on {pages} of {table_pages} pages"
    );
    // A name in capitals with diacritics, found by its lower-case spelling.
    let renamed =
        store.select_commission_report(&ReportParams::default().query().unwrap()).await.unwrap().rows[7].clone();
    sqlx::query("UPDATE ctv SET ho_ten = 'ĐẶNG THỊ ÁNH' WHERE organization_id = $1 AND ma_ctv = $2")
        .bind(org.id)
        .bind(&renamed.ma_ctv)
        .execute(&db.pool)
        .await
        .unwrap();

    let mut compared = 0;
    for period in ["", "2026-10"] {
        for q in ["", "1", "đặng thị", "ctv", "no such collaborator"] {
            for column in ReportColumn::ALL {
                for order in ["asc", "desc"] {
                    let params = ReportParams {
                        period: period.into(),
                        q: q.into(),
                        sort: column.as_str().into(),
                        order: order.into(),
                        ..Default::default()
                    };
                    let whole = store.select_commission_report(&params.query().unwrap()).await.unwrap();
                    let pages = whole.rows.len().div_ceil(REPORT_PAGE_ROWS).max(1);
                    for page in [1, 2, pages, pages + 5] {
                        let query = ReportParams { page: page.to_string(), ..params.clone() }.query().unwrap();
                        let shown = store.commission_report_page(&query).await.unwrap();
                        let expected_page = page.min(pages);
                        let expected: Vec<_> = whole
                            .rows
                            .iter()
                            .skip((expected_page - 1) * REPORT_PAGE_ROWS)
                            .take(REPORT_PAGE_ROWS)
                            .cloned()
                            .collect();
                        let context = format!("period {period:?} q {q:?} sort {} {order} page {page}", column.as_str());
                        assert_eq!((shown.page, shown.pages), (expected_page, pages), "{context}");
                        assert_eq!(shown.rows, expected, "{context}");
                        assert_eq!(shown.period, whole.period, "{context}");
                        let totals = ReportTotals::of(&whole.rows);
                        assert_eq!(shown.totals.collaborators, totals.collaborators, "{context}");
                        assert_eq!(shown.totals.lines, totals.lines, "{context}");
                        for (sql_sum, rust_sum) in [
                            (shown.totals.total, totals.total),
                            (shown.totals.direct, totals.direct),
                            (shown.totals.adjustments, totals.adjustments),
                            (shown.totals.overrides[3], totals.overrides[3]),
                        ] {
                            assert!((sql_sum - rust_sum).abs() < 0.01, "{context}: {sql_sum} vs {rust_sum}");
                        }
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(compared, 2 * 5 * 10 * 2 * 4);
    let latest = store.select_commission_report(&ReportParams::default().query().unwrap()).await.unwrap();
    assert!(latest.rows.len() > 2 * REPORT_PAGE_ROWS, "three pages or more: {}", latest.rows.len());
    let found = store
        .select_commission_report(&ReportParams { q: "đặng thị".into(), ..Default::default() }.query().unwrap())
        .await
        .unwrap();
    assert!(found.rows.iter().any(|row| row.ma_ctv == renamed.ma_ctv), "the capitalised name is found");
    db.cleanup().await;
}
