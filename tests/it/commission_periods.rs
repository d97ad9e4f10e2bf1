//! Issue 25, items 1 and 2: commission rates from a day on (previewed without writing,
//! then saved: the ledger holds what the preview showed), and commission months closed,
//! refused for recalculation, reopened by admins only and corrected by prior-period
//! adjustments in the open month; every figure against SQL over the ledger, and no
//! organization seeing or changing another's.

use crate::commissions::{date, enter, organization_with_rates, referral_chain};
use crate::common::{scalar_i64, signed_in_client, TestApp, TestDb};
use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use ut360::data::ctv::periods::{AdjustmentOutcome, CloseOutcome, PeriodRecalculation, ReopenOutcome};
use ut360::data::ctv::rates::ClosedMonth;
use ut360::data::Organization;
use ut360::domain::access::Role;
use ut360::domain::ctv::commissions::ReportTotals;
use ut360::domain::ctv::customers::CustomerStatus;
use ut360::domain::ctv::periods::AdjustmentParams;
use ut360::domain::ctv::rates::RateParams;

/// A month's figures summed over the ledger's lines in SQL, as the report's columns sum them.
async fn ledger_totals(pool: &PgPool, org: &Organization, period: &str) -> ReportTotals {
    let row: (i64, f64, f64, f64, f64, f64, f64, f64, i64) = sqlx::query_as(
        "SELECT COUNT(DISTINCT ma_ctv),
                COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 0), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 1), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 2), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 3), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 4), 0)::float8,
                COALESCE(SUM(amount) FILTER (WHERE kind <> 'earning'), 0)::float8,
                COALESCE(SUM(amount), 0)::float8, COUNT(*)
         FROM commissions WHERE organization_id = $1 AND to_char(period, 'YYYY-MM') = $2",
    )
    .bind(org.id)
    .bind(period)
    .fetch_one(pool)
    .await
    .unwrap();
    ReportTotals {
        collaborators: row.0 as usize,
        direct: row.1,
        overrides: [row.2, row.3, row.4, row.5],
        adjustments: row.6,
        total: row.7,
        lines: row.8,
    }
}

fn assert_same_figures(a: &ReportTotals, b: &ReportTotals, what: &str) {
    let close = |x: f64, y: f64| (x - y).abs() < 0.005;
    assert!(
        a.collaborators == b.collaborators
            && a.lines == b.lines
            && close(a.direct, b.direct)
            && a.overrides.iter().zip(b.overrides).all(|(x, y)| close(*x, y))
            && close(a.adjustments, b.adjustments)
            && close(a.total, b.total),
        "{what}: {a:?} vs {b:?}"
    );
}

/// Every line of the organization: (id, customer, collaborator, level, amount, kind, period).
async fn all_lines(pool: &PgPool, org: &Organization) -> Vec<(i64, Option<i64>, String, i16, f64, String, String)> {
    sqlx::query_as(
        "SELECT id, khach_hang_id, ma_ctv, level, amount::float8, kind, to_char(period, 'YYYY-MM') FROM commissions
         WHERE organization_id = $1 ORDER BY id",
    )
    .bind(org.id)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn rate(level: &str, percent: &str, from: &str) -> ut360::domain::ctv::rates::RateChange {
    RateParams { level: level.into(), rate: percent.into(), effective_from: from.into() }.check().unwrap()
}

#[tokio::test]
async fn a_rate_applies_from_its_day_only_and_the_preview_is_what_saving_writes() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    let today = Some(date("2026-12-10"));
    referral_chain(&db.pool, &org, &["R1", "R0"]).await;
    let october = enter(&db, &org, "0931000001", "R0", "2026-10-10", CustomerStatus::Served, 1_000_000.0).await;
    let early_november = enter(&db, &org, "0931000002", "R0", "2026-11-05", CustomerStatus::Served, 1_000_000.0).await;
    enter(&db, &org, "0931000003", "R0", "2026-11-20", CustomerStatus::Served, 2_000_000.0).await;
    enter(&db, &org, "0931000004", "R0", "2026-12-02", CustomerStatus::Served, 500_000.0).await;
    assert_eq!(
        store.close_period(date("2026-10-01"), "manager@ut360.test", today).await.unwrap(),
        CloseOutcome::Closed
    );

    // No rate takes effect in or before a closed month.
    for from in ["2026-10-15", "2026-09-01"] {
        let refused = store.add_commission_rate(&rate("0", "12", from), today).await.unwrap();
        assert_eq!(refused, Err(ClosedMonth("2026-10".into())), "{from}");
        let refused = store.preview_commission_rate(&rate("0", "12", from), today).await.unwrap();
        assert_eq!(refused.unwrap_err(), ClosedMonth("2026-10".into()), "{from}");
    }

    // The preview: level 0 at 12 % from 15 November changes the customers served from then on only.
    let lines_before = all_lines(&db.pool, &org).await;
    let rates_before = scalar_i64(&db.pool, "SELECT COUNT(*) FROM hoa_hong_config").await;
    let change = rate("0", "12", "2026-11-15");
    let preview = store.preview_commission_rate(&change, today).await.unwrap().unwrap();
    assert_eq!(all_lines(&db.pool, &org).await, lines_before, "a preview writes no line");
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM hoa_hong_config").await, rates_before, "nor a rate");
    assert_eq!(preview.replaces, Some(10.0));
    let months: Vec<&str> = preview.months.iter().map(|m| m.period.as_str()).collect();
    assert_eq!(months, ["2026-12", "2026-11"], "the open month first, then the month it also writes into");
    assert_eq!((preview.lines, preview.net_amount), (2, 40_000.0 + 10_000.0));
    for month in &preview.months {
        assert_same_figures(&month.current, &ledger_totals(&db.pool, &org, &month.period).await, "current = ledger");
    }
    let december = &preview.months[0];
    assert_eq!(december.proposed.adjustments - december.current.adjustments, 10_000.0);
    assert_eq!(december.proposed.total, 50_000.0 + 25_000.0 + 10_000.0);

    // Saved: the ledger holds exactly what the preview showed, month by month.
    let saved = store.add_commission_rate(&change, today).await.unwrap().unwrap();
    assert_eq!((saved.lines(), saved.net_amount), (preview.lines, preview.net_amount));
    for month in &preview.months {
        let report = store.commission_report(first_day(&month.period)).await.unwrap();
        assert_same_figures(&ReportTotals::of(&report), &month.proposed, &format!("{} report", month.period));
        assert_same_figures(&ledger_totals(&db.pool, &org, &month.period).await, &month.proposed, &month.period);
    }
    // From its day only: October (closed) and 5 November keep their lines and their 10 %.
    let after = all_lines(&db.pool, &org).await;
    assert_eq!(&after[..lines_before.len()], &lines_before[..], "earlier lines are never rewritten");
    let new_customers: Vec<Option<i64>> = after[lines_before.len()..].iter().map(|line| line.1).collect();
    assert!(!new_customers.contains(&Some(october)) && !new_customers.contains(&Some(early_november)));
    assert_eq!(store.recalculate_commissions(today).await.unwrap().lines(), 0, "nothing left to recalculate");

    let table = store.rate_table(today).await.unwrap();
    let current: Vec<(i32, f64, &str)> =
        table.current.iter().map(|r| (r.level, r.rate, r.effective_from.as_str())).collect();
    assert_eq!(current[0], (0, 12.0, "2026-11-15"));
    assert_eq!(current[1], (1, 5.0, "2000-01-01"));
    assert_eq!(table.history.iter().filter(|r| r.level == 0).count(), 2);
    assert_eq!((table.latest_closed.as_deref(), table.open_period.as_str()), (Some("2026-10"), "2026-12"));
    // A rate from a later day is scheduled: not in force yet.
    store.add_commission_rate(&rate("1", "6.5", "2027-01-01"), today).await.unwrap().unwrap();
    let table = store.rate_table(today).await.unwrap();
    assert_eq!(table.current[1].rate, 5.0);
    assert_eq!(table.history.iter().find(|r| r.level == 1).map(|r| r.rate), Some(6.5), "newest first");
    db.cleanup().await;
}

fn first_day(period: &str) -> NaiveDate {
    date(&format!("{period}-01"))
}

#[tokio::test]
async fn a_closed_month_refuses_recalculation_is_corrected_in_the_open_month_and_reopens_with_a_reason() {
    let db = TestDb::new().await;
    let org = organization_with_rates(&db).await;
    let store = db.store.for_organization(&org);
    let today = Some(date("2026-12-10"));
    referral_chain(&db.pool, &org, &["P1", "P0"]).await;
    let customer = enter(&db, &org, "0932000001", "P0", "2026-11-05", CustomerStatus::Served, 1_000_000.0).await;
    enter(&db, &org, "0932000002", "P0", "2026-12-01", CustomerStatus::Served, 300_000.0).await;

    assert_eq!(store.close_period(date("2026-12-01"), "m@ut360.test", today).await.unwrap(), CloseOutcome::NotEnded);
    assert_eq!(store.close_period(date("2026-11-01"), "m@ut360.test", today).await.unwrap(), CloseOutcome::Closed);
    match store.close_period(date("2026-11-01"), "other@ut360.test", today).await.unwrap() {
        CloseOutcome::AlreadyClosed(act) => assert_eq!(act.by.as_deref(), Some("m@ut360.test")),
        other => panic!("closed twice: {other:?}"),
    }
    let november_lines = sqlx::query_as::<_, (i64, f64)>(
        "SELECT id, amount::float8 FROM commissions WHERE period = '2026-11-01' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let november = store.commission_report(date("2026-11-01")).await.unwrap();

    // Recalculating the closed month is refused, even with a change waiting.
    sqlx::query("UPDATE khach_hang SET so_tien = 1100000 WHERE id = $1")
        .bind(customer)
        .execute(&db.pool)
        .await
        .unwrap();
    let lines = scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions").await;
    assert_eq!(store.recalculate_period(date("2026-11-01"), today).await.unwrap(), PeriodRecalculation::Closed);
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions").await, lines);
    // The open month's recalculation runs (December's customer is paid already: nothing to do).
    match store.recalculate_period(date("2026-12-01"), today).await.unwrap() {
        PeriodRecalculation::Done(summary) => assert_eq!(summary.lines(), 0),
        other => panic!("{other:?}"),
    }
    sqlx::query("UPDATE khach_hang SET so_tien = 1000000 WHERE id = $1")
        .bind(customer)
        .execute(&db.pool)
        .await
        .unwrap();

    // A manager's correction to November lands in December with its reason.
    let adjustment = AdjustmentParams {
        period: "2026-11".into(),
        ma_ctv: "P0".into(),
        amount: "-15000".into(),
        reason: "Khách trả lại một phần dịch vụ".into(),
    }
    .check()
    .unwrap();
    let recorded = store.record_adjustment(&adjustment, "m@ut360.test", today).await.unwrap();
    let AdjustmentOutcome::Recorded { id, period } = recorded else { panic!("{recorded:?}") };
    assert_eq!(period, "2026-12");
    let line: (Option<i64>, String, f64, String, String, String, String, String) = sqlx::query_as(
        "SELECT khach_hang_id, ma_ctv, amount::float8, kind, to_char(period, 'YYYY-MM'), to_char(adjusts_period, 'YYYY-MM'),
                reason, entered_by FROM commissions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        line,
        (
            None,
            "P0".into(),
            -15_000.0,
            "adjustment".into(),
            "2026-12".into(),
            "2026-11".into(),
            "Khách trả lại một phần dịch vụ".into(),
            "m@ut360.test".into()
        )
    );
    let statement = store.commission_statement("P0", date("2026-12-01")).await.unwrap();
    let shown = statement.iter().find(|l| l.id == id).unwrap();
    assert_eq!(
        (shown.customer_id, shown.adjusts_period.as_deref(), shown.reason.as_deref()),
        (None, Some("2026-11"), Some("Khách trả lại một phần dịch vụ"))
    );
    let december = store.commission_report(date("2026-12-01")).await.unwrap();
    let p0 = december.iter().find(|row| row.ma_ctv == "P0").unwrap();
    assert_eq!((p0.direct, p0.adjustments, p0.total), (30_000.0, -15_000.0, 15_000.0));
    assert_same_figures(&ReportTotals::of(&december), &ledger_totals(&db.pool, &org, "2026-12").await, "December");
    assert_eq!(statement.iter().map(|l| l.amount).sum::<f64>(), p0.total);
    // November is as it was closed, line for line; the engine leaves the adjustment alone.
    let november_after = sqlx::query_as::<_, (i64, f64)>(
        "SELECT id, amount::float8 FROM commissions WHERE period = '2026-11-01' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(november_after, november_lines);
    assert_eq!(store.commission_report(date("2026-11-01")).await.unwrap(), november);
    assert_eq!(store.recalculate_commissions(today).await.unwrap().lines(), 0, "not reversed by a recalculation");

    // Only closed months take adjustments, only for collaborators that exist.
    let open = AdjustmentParams { period: "2026-12".into(), ..adjustment_params(&adjustment) }.check().unwrap();
    assert_eq!(store.record_adjustment(&open, "m", today).await.unwrap(), AdjustmentOutcome::NotClosed);
    let nobody = AdjustmentParams { ma_ctv: "NOBODY".into(), ..adjustment_params(&adjustment) }.check().unwrap();
    assert_eq!(store.record_adjustment(&nobody, "m", today).await.unwrap(), AdjustmentOutcome::UnknownCollaborator);

    // Reopened with a reason: open again, the reason kept; then closed again.
    assert_eq!(
        store.reopen_period(date("2026-11-01"), "admin@ut360.test", "Sai số tiền").await.unwrap(),
        ReopenOutcome::Reopened
    );
    assert_eq!(
        store.reopen_period(date("2026-11-01"), "admin@ut360.test", "x").await.unwrap(),
        ReopenOutcome::NotClosed
    );
    let states = store.commission_period_states(today).await.unwrap();
    let listed: Vec<&str> = states.iter().map(|s| s.period.as_str()).collect();
    assert_eq!(listed, ["2026-12", "2026-11"]);
    assert!(states[0].is_open_period && !states[0].ended && states[0].closed.is_none());
    let (reopened, reason) = states[1].reopened.clone().unwrap();
    assert_eq!(
        (states[1].closed.clone(), reopened.by.as_deref(), reason.as_str()),
        (None, Some("admin@ut360.test"), "Sai số tiền")
    );
    assert_eq!(store.close_period(date("2026-11-01"), "m2@ut360.test", today).await.unwrap(), CloseOutcome::Closed);
    let states = store.commission_period_states(today).await.unwrap();
    assert_eq!(states[1].closed.as_ref().and_then(|c| c.by.as_deref()), Some("m2@ut360.test"));
    let events = scalar_i64(&db.pool, "SELECT COUNT(*) FROM commission_period_events").await;
    assert_eq!(events, 3, "closed, reopened, closed");
    db.cleanup().await;
}

fn adjustment_params(adjustment: &ut360::domain::ctv::periods::Adjustment) -> AdjustmentParams {
    AdjustmentParams {
        period: adjustment.period.clone(),
        ma_ctv: adjustment.ma_ctv.clone(),
        amount: adjustment.amount.to_string(),
        reason: adjustment.reason.clone(),
    }
}

/// `YYYY-MM` of the database's month `offset` months from this one, and its first day.
async fn month(pool: &PgPool, offset: i32) -> (String, NaiveDate) {
    let day: NaiveDate =
        sqlx::query_scalar("SELECT (date_trunc('month', CURRENT_DATE) + make_interval(months => $1))::date")
            .bind(offset)
            .fetch_one(pool)
            .await
            .unwrap();
    (format!("{:04}-{:02}", day.year(), day.month()), day)
}

async fn post(http: &reqwest::Client, base: &str, name: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http.post(crate::common::server_fn_url(base, name)).form(form).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn state_of<'a>(listing: &'a Value, period: &str) -> Option<&'a Value> {
    listing["months"].as_array().unwrap().iter().find(|m| m["period"] == period)
}

#[tokio::test]
async fn managers_close_and_adjust_admins_reopen_and_no_organization_sees_or_changes_another() {
    let app = TestApp::signed_in_as(Role::Manager).await;
    let (db, base, manager) = (&app.db, app.base.as_str(), &app.http);
    let org = db.default_organization().await;
    let (last, last_day) = month(&db.pool, -1).await;
    let (this, this_day) = month(&db.pool, 0).await;
    referral_chain(&db.pool, &org, &["H1", "H0"]).await;
    enter(
        db,
        &org,
        "0933000001",
        "H0",
        &(last_day + chrono::Days::new(9)).to_string(),
        CustomerStatus::Served,
        1_000_000.0,
    )
    .await;
    enter(db, &org, "0933000002", "H0", &this_day.to_string(), CustomerStatus::Served, 400_000.0).await;

    // The rates page's figures, previewed then saved (the default organization pays 10 / 5 / 3 / 2 / 1 %).
    let (status, table) = post(manager, base, "get_commission_rates", &[]).await;
    assert_eq!(status, StatusCode::OK, "{table}");
    assert_eq!(table["current"][0]["rate"], 10.0);
    let proposal = [("level", "0"), ("rate", "12,5"), ("effective_from", &this_day.to_string())];
    let (status, preview) = post(manager, base, "preview_commission_rate", &proposal).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["months"][0]["period"], this.as_str());
    assert_eq!(preview["months"][0]["current"]["total"], 40_000.0 + 20_000.0);
    assert_eq!(preview["months"][0]["proposed"]["total"], 50_000.0 + 20_000.0);
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM hoa_hong_config WHERE rate = 12.5").await, 0);
    let (status, saved) = post(manager, base, "add_commission_rate", &proposal).await;
    assert_eq!((status, saved["lines"].as_i64()), (StatusCode::OK, Some(1)), "{saved}");
    let this_total: f64 =
        sqlx::query_scalar("SELECT SUM(amount)::float8 FROM commissions WHERE organization_id = $1 AND period = $2")
            .bind(org.id)
            .bind(this_day)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(preview["months"][0]["proposed"]["total"].as_f64(), Some(this_total), "the preview is what was saved");

    // A manager closes last month and may not reopen it; its recalculation is refused.
    let (status, listing) = post(manager, base, "get_commission_periods", &[]).await;
    assert_eq!(status, StatusCode::OK, "{listing}");
    assert_eq!((listing["may_close"].as_bool(), listing["may_reopen"].as_bool()), (Some(true), Some(false)));
    assert!(state_of(&listing, &last).unwrap()["closed"].is_null());
    let (status, answer) = post(manager, base, "close_commission_period", &[("period", &last)]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, listing) = post(manager, base, "get_commission_periods", &[]).await;
    let closed = &state_of(&listing, &last).unwrap()["closed"];
    assert!(closed["by"].as_str().is_some_and(|by| by.starts_with("manager-")), "{listing}");
    let (status, answer) = post(manager, base, "close_commission_period", &[("period", &this)]).await;
    assert_eq!((status, answer["field"].as_str()), (StatusCode::BAD_REQUEST, Some("period")), "{answer}");
    let (status, answer) = post(manager, base, "recalculate_commission_period", &[("period", &last)]).await;
    assert_eq!((status, answer["field"].as_str()), (StatusCode::BAD_REQUEST, Some("period")), "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("closed"), "{answer}");
    let in_closed = [("level", "1"), ("rate", "6"), ("effective_from", &last_day.to_string())];
    let (status, answer) = post(manager, base, "add_commission_rate", &in_closed).await;
    assert_eq!((status, answer["field"].as_str()), (StatusCode::BAD_REQUEST, Some("effective_from")), "{answer}");
    let (status, _) = post(manager, base, "reopen_commission_period", &[("period", &last), ("reason", "Sai")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The manager corrects last month: a line of this month, with its reason.
    let correction =
        [("period", last.as_str()), ("ma_ctv", "H1"), ("amount", "25000"), ("reason", "Bù hoa hồng thiếu")];
    let (status, recorded) = post(manager, base, "record_commission_adjustment", &correction).await;
    assert_eq!((status, recorded["period"].as_str()), (StatusCode::OK, Some(this.as_str())), "{recorded}");
    let (status, statement) =
        post(manager, base, "get_commission_statement", &[("period", &this), ("ma_ctv", "H1")]).await;
    assert_eq!(status, StatusCode::OK);
    let line = statement["lines"].as_array().unwrap().iter().find(|l| l["id"] == recorded["id"]).unwrap().clone();
    assert_eq!(
        (line["reason"].as_str(), line["adjusts_period"].as_str()),
        (Some("Bù hoa hồng thiếu"), Some(last.as_str()))
    );

    // An admin reopens it, with the reason shown.
    let admin = signed_in_client(base, &db.store, &org, Role::Admin).await;
    let (status, answer) = post(&admin, base, "reopen_commission_period", &[("period", &last), ("reason", " ")]).await;
    assert_eq!((status, answer["field"].as_str()), (StatusCode::BAD_REQUEST, Some("reason")));
    let (status, _) =
        post(&admin, base, "reopen_commission_period", &[("period", &last), ("reason", "Sai số tiền")]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, listing) = post(&admin, base, "get_commission_periods", &[]).await;
    let state = state_of(&listing, &last).unwrap();
    assert!(state["closed"].is_null() && state["reopened"][1] == "Sai số tiền", "{state}");
    assert_eq!(listing["may_reopen"].as_bool(), Some(true));
    let (status, _) = post(manager, base, "close_commission_period", &[("period", &last)]).await;
    assert_eq!(status, StatusCode::OK);

    // Another organization's manager and admin see none of it and change nothing of it.
    let theirs = db.organization_with_own_prefix().await;
    let their_manager = signed_in_client(base, &db.store, &theirs, Role::Manager).await;
    let their_admin = signed_in_client(base, &db.store, &theirs, Role::Admin).await;
    let (status, listing) = post(&their_manager, base, "get_commission_periods", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        listing["months"].as_array().unwrap().iter().all(|m| m["closed"].is_null() && m["reopened"].is_null()),
        "{listing}"
    );
    let (_, rates) = post(&their_manager, base, "get_commission_rates", &[]).await;
    assert!(!rates.to_string().contains("12.5"), "{rates}");
    let (_, report) = post(&their_manager, base, "get_commission_report", &[("params[period]", &this)]).await;
    assert_eq!(report["rows"].as_array().map(Vec::len), Some(0), "{report}");
    let (status, answer) =
        post(&their_admin, base, "reopen_commission_period", &[("period", &last), ("reason", "x")]).await;
    assert_eq!((status, answer["field"].as_str()), (StatusCode::BAD_REQUEST, Some("period")), "not closed in theirs");
    let (status, _) = post(&their_manager, base, "record_commission_adjustment", &correction).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "our month is not theirs to correct");
    let (status, _) = post(&their_manager, base, "close_commission_period", &[("period", &last)]).await;
    assert_eq!(status, StatusCode::OK, "they close their own month");
    let ours: Vec<(uuid::Uuid, Option<String>)> = sqlx::query_as(
        "SELECT organization_id, closed_by FROM commission_periods WHERE period = $1 ORDER BY closed_at",
    )
    .bind(last_day)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(ours.len(), 2);
    assert_eq!(ours[0].0, org.id, "ours is still closed, by our manager");
    assert!(ours[0].1.as_deref().is_some_and(|by| by.starts_with("manager-")));
    assert_eq!(ours[1].0, theirs.id);
    let adjustments = scalar_i64(&db.pool, "SELECT COUNT(*) FROM commissions WHERE reason IS NOT NULL").await;
    assert_eq!(adjustments, 1, "only our manager's");

    // The pages, rendered on the server: the rates and the months with their states.
    let page = manager.get(format!("{base}/commissions/rates")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-testid="rates-current""#) && html.contains("12.5 %"), "{html}");
    let html = manager.get(format!("{base}/commissions")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!(r#"data-period="{last}" data-state="closed""#)), "{html}");
    assert!(html.contains("Only an admin reopens a month."), "{html}");
    let analyst = signed_in_client(base, &db.store, &org, Role::Analyst).await;
    let refused = analyst.get(format!("{base}/commissions/rates")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    app.cleanup().await;
}
