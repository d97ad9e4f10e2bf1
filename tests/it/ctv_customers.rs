//! The customers page's work against real Postgres (issue 25, item 3): status changes
//! through the transition table with the engine's reversals (closed months untouched),
//! the list's filters and order compared with SQL, the accent-blind name search and its
//! index, and another organization kept out.

use crate::commissions::{date, enter, organization_with_rates, referral_chain};
use crate::common::{server_fn_url, signed_in_client, spawn_app, TestDb};
use sqlx::PgPool;
use ut360::data::ctv::customers::StatusChangeOutcome;
use ut360::data::ctv::periods::CloseOutcome;
use ut360::data::{Organization, OrganizationStore};
use ut360::domain::access::Role;
use ut360::domain::ctv::commissions::CommissionKind;
use ut360::domain::ctv::customers::{CustomerParams, CustomerStatus, StatusChanged, CUSTOMER_PAGE_ROWS};

/// Each line of the customer's ledger of one kind: (collaborator, level, amount, month), sorted.
async fn lines_of_kind(pool: &PgPool, customer: i64, kind: &str) -> Vec<(String, i16, f64, String)> {
    sqlx::query_as(
        "SELECT ma_ctv, level, amount::float8, to_char(period, 'YYYY-MM') FROM commissions
         WHERE khach_hang_id = $1 AND kind = $2 ORDER BY level, ma_ctv, id",
    )
    .bind(customer)
    .bind(kind)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn status_in_database(pool: &PgPool, customer: i64) -> String {
    sqlx::query_scalar("SELECT trang_thai FROM khach_hang WHERE id = $1").bind(customer).fetch_one(pool).await.unwrap()
}

async fn changed(store: &OrganizationStore, customer: i64, to: CustomerStatus, today: &str) -> StatusChanged {
    match store.change_customer_status(customer, to, Some(date(today))).await.unwrap() {
        StatusChangeOutcome::Changed(changed) => changed,
        other => panic!("#{customer} → {to}: {other:?}"),
    }
}

#[tokio::test]
async fn status_changes_follow_the_transition_table_and_refusals_name_status() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    referral_chain(&db.pool, &org, &["T1", "T0"]).await;
    let customer = enter(&db, &org, "0955000001", "T0", "2026-11-03", CustomerStatus::New, 1_000_000.0).await;

    // The order's life: contacted, booked, deposit, served; nothing is paid before that.
    for (to, paid) in [
        (CustomerStatus::Contacted, 0.0),
        (CustomerStatus::Booked, 0.0),
        (CustomerStatus::Deposited, 0.0),
        (CustomerStatus::Served, 150_000.0),
    ] {
        let change = changed(&store, customer, to, "2026-11-20").await;
        assert_eq!(change.customer.status, to);
        assert_eq!(change.net_amount(), paid, "{to}");
        assert_eq!(status_in_database(&db.pool, customer).await, to.as_str());
    }

    // Served goes only to cancelled; cancelled is final. A refusal changes nothing and names `status`.
    let lines_before = crate::common::scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions").await;
    for refused in [CustomerStatus::Deposited, CustomerStatus::New, CustomerStatus::Served] {
        match store.change_customer_status(customer, refused, Some(date("2026-11-20"))).await.unwrap() {
            StatusChangeOutcome::Refused(error) => {
                assert_eq!(error.field, "status");
                assert!(error.to_string().contains("allowed: Huy"), "{error}");
            }
            other => panic!("Da den lam → {refused} was not refused: {other:?}"),
        }
    }
    assert_eq!(status_in_database(&db.pool, customer).await, "Da den lam");
    changed(&store, customer, CustomerStatus::Cancelled, "2026-11-20").await;
    match store.change_customer_status(customer, CustomerStatus::Booked, None).await.unwrap() {
        StatusChangeOutcome::Refused(error) => assert!(error.to_string().contains("final"), "{error}"),
        other => panic!("a cancelled order moved: {other:?}"),
    }
    assert_eq!(crate::common::scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions").await, lines_before + 2);

    // Every pair the table refuses is refused by the store too (a no-show may book again).
    let no_show = enter(&db, &org, "0955000002", "T0", "2026-11-04", CustomerStatus::NoShow, 0.0).await;
    assert!(matches!(
        store.change_customer_status(no_show, CustomerStatus::Served, None).await.unwrap(),
        StatusChangeOutcome::Refused(_)
    ));
    changed(&store, no_show, CustomerStatus::Booked, "2026-11-20").await;
    assert!(matches!(
        store.change_customer_status(999_999, CustomerStatus::Booked, None).await.unwrap(),
        StatusChangeOutcome::NoSuchCustomer
    ));
    db.cleanup().await;
}

#[tokio::test]
async fn cancelling_after_payment_reverses_exactly_the_earned_lines_and_spares_closed_months() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    referral_chain(&db.pool, &org, &["U5", "U4", "U3", "U2", "U1", "U0"]).await;
    let november = enter(&db, &org, "0966000001", "U0", "2026-11-05", CustomerStatus::Served, 2_000_000.0).await;
    let untouched = enter(&db, &org, "0966000002", "U1", "2026-11-06", CustomerStatus::Served, 1_000_000.0).await;
    let untouched_lines = lines_of_kind(&db.pool, untouched, "earning").await;

    // Paid: the closer and four uplines (U5, a fifth, is beyond the engine's depth).
    let earned = lines_of_kind(&db.pool, november, "earning").await;
    assert_eq!(earned.iter().map(|line| line.0.as_str()).collect::<Vec<_>>(), ["U0", "U1", "U2", "U3", "U4"]);
    let change = changed(&store, november, CustomerStatus::Cancelled, "2026-11-20").await;
    let reversed = lines_of_kind(&db.pool, november, "reversal").await;
    let negated: Vec<_> =
        earned.iter().map(|(ctv, level, amount, month)| (ctv.clone(), *level, -amount, month.clone())).collect();
    assert_eq!(reversed, negated, "each earned line reversed once, in its own (open) month");
    let net: f64 = sqlx::query_scalar("SELECT SUM(amount)::float8 FROM commissions WHERE khach_hang_id = $1")
        .bind(november)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(net, 0.0);
    // What the page shows is what the ledger holds.
    assert_eq!(change.commission_moves.len(), 1);
    let moved = &change.commission_moves[0];
    assert_eq!((moved.period.as_str(), moved.kind, moved.lines), ("2026-11", CommissionKind::Reversal, 5));
    assert_eq!(moved.amount, reversed.iter().map(|line| line.2).sum::<f64>());
    assert_eq!(lines_of_kind(&db.pool, untouched, "earning").await, untouched_lines);
    assert!(lines_of_kind(&db.pool, untouched, "reversal").await.is_empty());

    // A customer served in October, October closed: cancelling it in November leaves
    // October as closed and reverses in November, the open month.
    let october = enter(&db, &org, "0966000003", "U0", "2026-10-12", CustomerStatus::Served, 1_000_000.0).await;
    assert_eq!(
        store.close_period(date("2026-10-01"), "m@ut360.test", Some(date("2026-11-20"))).await.unwrap(),
        CloseOutcome::Closed
    );
    let october_report = store.commission_report(date("2026-10-01")).await.unwrap();
    let change = changed(&store, october, CustomerStatus::Cancelled, "2026-11-20").await;
    let reversed = lines_of_kind(&db.pool, october, "reversal").await;
    assert_eq!(reversed.len(), 5);
    assert!(reversed.iter().all(|line| line.3 == "2026-11"), "{reversed:?}");
    let earned: f64 = lines_of_kind(&db.pool, october, "earning").await.iter().map(|line| line.2).sum();
    assert_eq!(change.net_amount(), -earned);
    assert_eq!(change.commission_moves.iter().map(|m| m.period.as_str()).collect::<Vec<_>>(), ["2026-11"]);
    assert_eq!(
        store.commission_report(date("2026-10-01")).await.unwrap(),
        october_report,
        "October is as it was closed"
    );
    let in_closed = crate::common::scalar_i64(
        &db.pool,
        "SELECT COUNT(*) FROM commissions l JOIN commission_periods p ON p.organization_id = l.organization_id AND p.period = l.period
         WHERE l.created_at > p.closed_at",
    )
    .await;
    assert_eq!(in_closed, 0, "no line was written into a month after it closed");
    db.cleanup().await;
}

/// 600 customers of `org` with statuses, order and appointment dates and names in a fixed pattern.
async fn many_customers(pool: &PgPool, org: &Organization) {
    sqlx::query(
        "INSERT INTO khach_hang (organization_id, ten_khach, sdt, ngay_nhap_don, ngay_hen_lam, trang_thai, so_tien)
         SELECT $1, (ARRAY['Nguyễn Văn An', 'Trần Thị Bích', 'Đặng Minh Đức', 'Lê Thu'])[1 + i % 4] || ' ' || i,
                '09770' || lpad(i::text, 5, '0'),
                DATE '2026-01-01' + (i * 7) % 300,
                CASE WHEN i % 5 = 0 THEN NULL ELSE DATE '2026-02-01' + (i * 11) % 330 END,
                (ARRAY['Moi', 'Da lien he', 'Da hen', 'Da coc', 'Da den lam', 'Khong den', 'Huy'])[1 + i % 7],
                (i * 37) % 5000 * 1000
         FROM generate_series(1, 600) i",
    )
    .bind(org.id)
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn appointment_date_multi_status_filters_and_order_equal_sql() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let other = db.organization_with_own_prefix().await;
    many_customers(&db.pool, &org).await;
    many_customers(&db.pool, &other).await;
    let store = db.store.for_organization(&org);
    let listed = |params: CustomerParams| {
        let store = &store;
        async move {
            let filter = params.filter().unwrap();
            let listing = store.customer_listing(None, &filter).await.unwrap();
            (listing.customers.iter().map(|c| c.id).collect::<Vec<i64>>(), listing.has_next)
        }
    };
    let sql_ids = |condition: &'static str, order: &'static str| {
        let pool = &db.pool;
        let org = org.id;
        async move {
            let ids: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT id FROM khach_hang WHERE organization_id = $1 AND {condition} ORDER BY {order}"
            ))
            .bind(org)
            .fetch_all(pool)
            .await
            .unwrap();
            ids
        }
    };

    // Two statuses and an appointment range, newest first.
    let params = CustomerParams {
        status: "Da coc,Da den lam".into(),
        appointment_from: "2026-04-01".into(),
        appointment_until: "2026-06-30".into(),
        ..Default::default()
    };
    let expected = sql_ids(
        "trang_thai IN ('Da coc', 'Da den lam') AND ngay_hen_lam BETWEEN '2026-04-01' AND '2026-06-30'",
        "id DESC",
    )
    .await;
    assert!(expected.len() > 10, "the pattern gives enough customers to compare ({})", expected.len());
    assert_eq!(listed(params).await, (expected, false));

    // Order dates and three statuses, by appointment (earliest first, none last), two pages.
    let condition = "trang_thai IN ('Moi', 'Da hen', 'Huy') AND ngay_nhap_don BETWEEN '2026-02-01' AND '2026-12-31'";
    let expected = sql_ids(condition, "ngay_hen_lam ASC NULLS LAST, id ASC").await;
    assert!(expected.len() > CUSTOMER_PAGE_ROWS, "{}", expected.len());
    let params = CustomerParams {
        status: "Moi,Da hen,Huy".into(),
        from: "2026-02-01".into(),
        until: "2026-12-31".into(),
        sort: "appointment".into(),
        order: "asc".into(),
        ..Default::default()
    };
    let (first, more) = listed(params.clone()).await;
    assert!(more);
    let (second, _) = listed(CustomerParams { page: "2".into(), ..params }).await;
    assert_eq!([first, second].concat(), expected[..(expected.len()).min(2 * CUSTOMER_PAGE_ROWS)]);

    // By amount, largest first, with one status.
    let expected = sql_ids("trang_thai = 'Khong den'", "so_tien DESC, id DESC").await;
    let by_amount = CustomerParams { status: "Khong den".into(), sort: "amount".into(), ..Default::default() };
    assert_eq!(listed(by_amount).await.0, expected);

    // Bad parameters are named.
    for (params, field) in [
        (CustomerParams { status: "Da coc,Nope".into(), ..Default::default() }, "status"),
        (CustomerParams { appointment_from: "2026-13-01".into(), ..Default::default() }, "appointment_from"),
        (
            CustomerParams {
                appointment_from: "2026-05-01".into(),
                appointment_until: "2026-04-01".into(),
                ..Default::default()
            },
            "appointment_until",
        ),
        (CustomerParams { sort: "colour".into(), ..Default::default() }, "sort"),
        (CustomerParams { page: "0".into(), ..Default::default() }, "page"),
    ] {
        assert_eq!(params.filter().unwrap_err().field, field);
    }
    db.cleanup().await;
}

#[tokio::test]
async fn a_name_search_finds_accented_and_unaccented_spellings_through_its_index() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    for (i, name) in
        ["Nguyễn Văn An", "Nguyễn Văn Anh", "NGUYEN VAN BINH", "Trần Thị Bích", "Đặng Minh Đức", "Lê 50% Thu"]
            .iter()
            .enumerate()
    {
        sqlx::query(
            "INSERT INTO khach_hang (organization_id, ten_khach, sdt, ngay_nhap_don) VALUES ($1, $2, $3, '2026-11-01')",
        )
        .bind(org.id)
        .bind(name)
        .bind(format!("098800000{i}"))
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let store = db.store.for_organization(&org);
    let found = |q: &'static str| {
        let store = &store;
        async move {
            let filter = CustomerParams { q: q.into(), ..Default::default() }.filter().unwrap();
            let mut names: Vec<String> = store.customers(&filter).await.unwrap().into_iter().map(|c| c.name).collect();
            // The database's collation orders names its own way; compared here as bytes.
            names.sort();
            names
        }
    };
    assert_eq!(found("nguyen van an").await, ["Nguyễn Văn An", "Nguyễn Văn Anh"]);
    assert_eq!(found("Nguyễn").await, ["NGUYEN VAN BINH", "Nguyễn Văn An", "Nguyễn Văn Anh"]);
    assert_eq!(found("NGUYỄN văn bình").await, ["NGUYEN VAN BINH"]);
    assert_eq!(found("dang duc").await, ["Đặng Minh Đức"], "đ is d");
    assert_eq!(found("Bich tran").await, ["Trần Thị Bích"], "words in any order");
    // Decomposed accents (as some keyboards type them) fold alike.
    assert_eq!(found("Tra\u{0300}n").await, ["Trần Thị Bích"]);
    assert_eq!(found("50%").await, ["Lê 50% Thu"]);
    assert!(found("5_%").await.is_empty(), "LIKE's wildcards are taken literally");
    assert!(found("Phạm").await.is_empty());

    // The search's condition is the index's expression: the planner uses it once the
    // table is large enough for it to matter.
    sqlx::query(
        "INSERT INTO khach_hang (organization_id, ten_khach, sdt, ngay_nhap_don)
         SELECT $1, 'Khách ' || i, '0977' || lpad(i::text, 6, '0'), '2026-11-01' FROM generate_series(1, 5000) i",
    )
    .bind(org.id)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE khach_hang").execute(&db.pool).await.unwrap();
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.unwrap();
    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN SELECT id FROM khach_hang k WHERE k.organization_id = $1
           AND customer_name_key(k.ten_khach) LIKE '%' || customer_name_key($2) || '%'",
    )
    .bind(org.id)
    .bind("nguyen")
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    assert!(plan.join("\n").contains("idx_khach_hang_name_key"), "{}", plan.join("\n"));
    db.cleanup().await;
}

#[tokio::test]
async fn another_organizations_manager_can_neither_see_nor_change_these_customers() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    referral_chain(&db.pool, &org, &["V1", "V0"]).await;
    let customer = enter(&db, &org, "0999000001", "V0", "2026-11-02", CustomerStatus::Served, 1_000_000.0).await;
    sqlx::query("UPDATE khach_hang SET ten_khach = 'Võ Thị Riêng' WHERE id = $1")
        .bind(customer)
        .execute(&db.pool)
        .await
        .unwrap();
    let theirs = db.organization_with_own_prefix().await;
    let base = spawn_app(db.store.clone()).await;
    let manager = signed_in_client(&base, &db.store, &org, Role::Manager).await;
    let their_manager = signed_in_client(&base, &db.store, &theirs, Role::Manager).await;
    let analyst = signed_in_client(&base, &db.store, &org, Role::Analyst).await;
    let change = |client: &reqwest::Client, status: &'static str| {
        let request = client
            .post(server_fn_url(&base, "change_customer_status"))
            .form(&[("id", customer.to_string()), ("status", status.to_owned())]);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let search = |client: &reqwest::Client| {
        let request = client.post(server_fn_url(&base, "get_customers")).form(&[("params[q]", "vo thi rieng")]);
        async move { request.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let lines = || crate::common::scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions");
    let lines_before = lines().await;

    // Their manager: not found, not listed, nothing changed.
    let (status, _) = change(&their_manager, "Huy").await;
    assert_eq!(status, 404);
    assert_eq!(search(&their_manager).await["customers"], serde_json::json!([]));
    assert_eq!(status_in_database(&db.pool, customer).await, "Da den lam");
    // An analyst of this organization may not change statuses at all.
    assert_eq!(change(&analyst, "Huy").await.0, 403);
    assert_eq!(lines().await, lines_before);

    // This organization's manager: finds the customer unaccented, a refused transition
    // is a 400 naming status, and the cancellation answers with the commission moved.
    assert_eq!(search(&manager).await["customers"][0]["id"], customer);
    let (status, body) = change(&manager, "Da coc").await;
    assert_eq!((status.as_u16(), body["field"].as_str()), (400, Some("status")), "{body}");
    let (status, body) = change(&manager, "Huy").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["customer"]["status"], "Huy");
    let reversed: f64 = sqlx::query_scalar(
        "SELECT SUM(amount)::float8 FROM commissions WHERE khach_hang_id = $1 AND kind = 'reversal'",
    )
    .bind(customer)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(reversed, -150_000.0);
    assert_eq!(body["commission_moves"][0]["amount"].as_f64(), Some(reversed));
    db.cleanup().await;
}
