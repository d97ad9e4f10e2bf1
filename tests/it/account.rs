//! `/account/password`: changing one's password, and what it does to other sessions.

use crate::common::{
    browser_like_client, create_user, server_fn_url, sign_in, spawn_app, TestApp, TestDb, TEST_PASSWORD,
};
use reqwest::StatusCode;
use std::time::Duration;
use ut360::domain::access::Role;

const NEW_PASSWORD: &str = "a brand new pass phrase";

#[tokio::test]
async fn a_member_changes_their_password_and_their_other_sessions_end() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &org, Role::Analyst).await;
    let here = browser_like_client();
    let elsewhere = browser_like_client();
    for http in [&here, &elsewhere] {
        assert_eq!(sign_in(http, &base, &email, TEST_PASSWORD).await.headers()["location"], "/");
    }
    // Password changes count in whole seconds: sessions from an earlier second end.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let app = TestApp { db, base: base.clone(), http: here.clone() };

    // The page opens for any member, and the account menu links to it.
    let page = here.get(format!("{base}/account/password")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("current_password"));
    let overview = here.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    assert!(overview.contains("/account/password"), "the account menu links to the page");

    // A wrong current password: 400 naming it, nothing changed.
    let answer = app
        .post_server_fn("change_password", &[("current_password", "not my password"), ("new_password", NEW_PASSWORD)])
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(answer.body["field"], "current_password", "{}", answer.text);
    // A new password the rules refuse: 400 naming it.
    let answer = app
        .post_server_fn("change_password", &[("current_password", TEST_PASSWORD), ("new_password", "1234567890")])
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(answer.body["field"], "new_password", "{}", answer.text);
    assert_eq!(elsewhere.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::OK);

    let answer = app
        .post_server_fn("change_password", &[("current_password", TEST_PASSWORD), ("new_password", NEW_PASSWORD)])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);

    // This session goes on; the other one is signed out.
    assert_eq!(here.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(elsewhere.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    // The old password no longer signs in; the new one does.
    let fresh = browser_like_client();
    let refused = sign_in(&fresh, &base, &email, TEST_PASSWORD).await;
    assert!(refused.headers()["location"].to_str().unwrap().contains("problem=refused"));
    assert_eq!(sign_in(&fresh, &base, &email, NEW_PASSWORD).await.headers()["location"], "/");
    assert_eq!(fresh.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::OK);
    app.db.cleanup().await;
}

#[tokio::test]
async fn a_password_an_admin_made_up_must_be_changed_at_first_sign_in() {
    let admin = TestApp::signed_in_as(Role::Admin).await;
    let base = admin.base.clone();
    let email = "new-member@ut360.test";
    let added = admin.post_server_fn("save_member", &[("email", email), ("role", "analyst")]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text);
    let made_up = added.body["Invited"]["one_time_code"].as_str().expect("a one-time code, shown once").to_owned();

    let http = browser_like_client();
    // No organization yet, an invitation to answer: the organizations page, after the password.
    assert_eq!(sign_in(&http, &base, email, &made_up).await.headers()["location"], "/organizations?next=%2F");
    // Every page sends them to change it; server functions other than its own refuse.
    for page in ["/", "/subscribers", "/dashboards", "/organizations"] {
        let response = http.get(format!("{base}{page}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(response.headers()["location"], "/account/password", "{page}");
    }
    assert_eq!(http.get(format!("{base}/account/password")).send().await.unwrap().status(), StatusCode::OK);
    let call = |name: &str, form: &[(&str, &str)]| http.post(server_fn_url(&base, name)).form(form).send();
    assert_eq!(call("get_overview", &[]).await.unwrap().status(), StatusCode::FORBIDDEN);

    let changed = call("change_password", &[("current_password", &made_up), ("new_password", NEW_PASSWORD)]);
    assert_eq!(changed.await.unwrap().status(), StatusCode::OK);
    crate::invitations::accept_every_invitation(&http, &base).await;
    assert_eq!(http.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::OK);
    // Signing in again later does not ask again.
    let again = browser_like_client();
    assert_eq!(sign_in(&again, &base, email, NEW_PASSWORD).await.headers()["location"], "/");
    assert_eq!(again.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::OK);
    admin.db.cleanup().await;
}
