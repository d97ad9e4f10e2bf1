//! Issue 23: one organization's heavy work (exports, bulk lookups) cannot take the
//! whole pool; past its slots it is told it is busy, and other organizations are not.

use crate::common::{server_fn_url, signed_in_client, spawn_app_around, TestDb};
use reqwest::StatusCode;
use ut360::domain::access::Role;
use ut360::server::heavy_work::HeavyWork;

#[tokio::test]
async fn an_organization_past_its_heavy_work_slots_is_busy_and_the_others_are_not() {
    let db = TestDb::new().await;
    let busy = db.default_organization().await;
    let quiet = db.organization_with_own_prefix().await;
    let heavy_work = HeavyWork::new(1);
    let shared = heavy_work.clone();
    let base = spawn_app_around(db.store.clone(), Default::default(), move |state| state.with_heavy_work(shared)).await;
    let busy_member = signed_in_client(&base, &db.store, &busy, Role::Marketing).await;
    let quiet_member = signed_in_client(&base, &db.store, &quiet, Role::Marketing).await;
    let export = |http: &reqwest::Client| http.get(format!("{base}/subscribers/export.csv?columns=isdn")).send();

    // The busy organization's one slot is taken (as by a long export still running).
    let running = heavy_work.start(busy.id, ut360::domain::language::Language::En).unwrap();
    let refused = export(&busy_member).await.unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["retry-after"], "5");
    assert!(refused.text().await.unwrap().contains("try again"));
    let lookup = busy_member.post(server_fn_url(&base, "lookup_isdn_list")).form(&[("text", "84912345678")]);
    let refused = lookup.send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.text().await.unwrap().contains("busy"));
    // Another organization is not held up, and its export frees its slot when done.
    let served = export(&quiet_member).await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert!(served.text().await.unwrap().starts_with("\u{feff}isdn"));
    assert_eq!(heavy_work.running(quiet.id), 0);

    drop(running);
    assert_eq!(export(&busy_member).await.unwrap().status(), StatusCode::OK);
    db.cleanup().await;
}
