//! Issue 23: adding someone to an organization is an invitation they accept or decline;
//! a person in several organizations chooses the one a session acts for. The hijack
//! found (another organization's admin silently moved into this one as an analyst)
//! cannot happen.

use crate::common::{browser_like_client, create_user, server_fn_url, sign_in, spawn_app, TestDb, TEST_PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;
use ut360::domain::access::Role;

async fn call(http: &reqwest::Client, base: &str, name: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http.post(server_fn_url(base, name)).form(form).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The organization the session acts for, as the top bar shows it.
async fn acting_for(http: &reqwest::Client, base: &str) -> Value {
    call(http, base, "get_viewer", &[]).await.1
}

async fn your_organizations(http: &reqwest::Client, base: &str) -> Value {
    let (status, body) = call(http, base, "get_your_organizations", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn answer(http: &reqwest::Client, base: &str, invitation: &str, answer: &str) -> reqwest::Response {
    http.post(format!("{base}/auth/answer-invitation"))
        .form(&[("invitation", invitation), ("answer", answer), ("next", "/")])
        .send()
        .await
        .unwrap()
}

async fn choose(http: &reqwest::Client, base: &str, slug: &str) -> reqwest::Response {
    http.post(format!("{base}/auth/choose-organization")).form(&[("slug", slug), ("next", "/")]).send().await.unwrap()
}

/// Accepts every invitation waiting for the signed-in account.
pub async fn accept_every_invitation(http: &reqwest::Client, base: &str) {
    let yours = your_organizations(http, base).await;
    let invitations = yours["invitations"].as_array().expect("invitations").clone();
    assert!(!invitations.is_empty(), "an invitation waits: {yours}");
    for invitation in invitations {
        let accepted = answer(http, base, invitation["id"].as_str().unwrap(), "accept").await;
        assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn inviting_another_organizations_admin_asks_them_and_moves_nothing() {
    let db = TestDb::new().await;
    let home = db.default_organization().await;
    let other = db.organization_with_own_prefix().await;
    let base = spawn_app(db.store.clone()).await;
    let home_admin = browser_like_client();
    sign_in(&home_admin, &base, &create_user(&db.store, &home, Role::Admin).await, TEST_PASSWORD).await;
    let their_admin_email = create_user(&db.store, &other, Role::Admin).await;

    // The answer has the same shape for an existing account and for a new email.
    let (status, existing) =
        call(&home_admin, &base, "save_member", &[("email", &their_admin_email), ("role", "analyst")]).await;
    assert_eq!(status, StatusCode::OK, "{existing}");
    let (_, new) =
        call(&home_admin, &base, "save_member", &[("email", "brand-new@ut360.test"), ("role", "analyst")]).await;
    let keys = |answer: &Value| {
        let mut keys: Vec<String> = answer["Invited"].as_object().expect("an invitation").keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&existing), keys(&new));
    assert!(existing["Invited"]["one_time_code"].is_string() && new["Invited"]["one_time_code"].is_string());
    // Nobody became a member: both wait for an answer.
    let (_, members) = call(&home_admin, &base, "get_members", &[]).await;
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
    let (_, pending) = call(&home_admin, &base, "get_invitations", &[]).await;
    assert_eq!(pending.as_array().unwrap().len(), 2, "{pending}");

    // The other organization's admin still signs into their own organization as admin;
    // the invitation is shown first, and the code is not their password.
    let them = browser_like_client();
    let refused =
        sign_in(&them, &base, &their_admin_email, existing["Invited"]["one_time_code"].as_str().unwrap()).await;
    assert!(refused.headers()["location"].to_str().unwrap().contains("problem=refused"));
    assert_eq!(
        sign_in(&them, &base, &their_admin_email, TEST_PASSWORD).await.headers()["location"],
        "/organizations?next=%2F"
    );
    let viewer = acting_for(&them, &base).await;
    assert_eq!((viewer["organization"].as_str(), viewer["role"].as_str()), (Some(other.name.as_str()), Some("admin")));
    let yours = your_organizations(&them, &base).await;
    assert_eq!(yours["organizations"].as_array().unwrap().len(), 1);
    assert_eq!(yours["invitations"][0]["organization_name"], home.name.as_str());
    assert_eq!(yours["invitations"][0]["role"], "analyst");

    // Declined: nothing is left of it, and they are still their organization's admin.
    let declined = answer(&them, &base, yours["invitations"][0]["id"].as_str().unwrap(), "decline").await;
    assert_eq!(declined.status(), StatusCode::SEE_OTHER);
    assert!(your_organizations(&them, &base).await["invitations"].as_array().unwrap().is_empty());
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE email = $1")
        .bind(&their_admin_email)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    let memberships: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email = $1",
    )
    .bind(&their_admin_email)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(memberships, 1);
    assert_eq!(acting_for(&them, &base).await["role"], "admin");
    // Answering again finds nothing.
    let again = answer(&them, &base, yours["invitations"][0]["id"].as_str().unwrap(), "accept").await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    db.cleanup().await;
}

#[tokio::test]
async fn an_accepted_invitation_lets_a_person_switch_between_organizations() {
    let db = TestDb::new().await;
    let home = db.default_organization().await;
    let other = db.organization_with_own_prefix().await;
    let base = spawn_app(db.store.clone()).await;
    let home_admin = browser_like_client();
    let home_admin_email = create_user(&db.store, &home, Role::Admin).await;
    sign_in(&home_admin, &base, &home_admin_email, TEST_PASSWORD).await;
    let person = create_user(&db.store, &other, Role::Manager).await;
    let (status, _) = call(&home_admin, &base, "save_member", &[("email", &person), ("role", "marketing")]).await;
    assert_eq!(status, StatusCode::OK);

    let http = browser_like_client();
    sign_in(&http, &base, &person, TEST_PASSWORD).await;
    // Someone else cannot answer it, nor choose an organization they are not in.
    let stranger = browser_like_client();
    sign_in(&stranger, &base, &create_user(&db.store, &other, Role::Analyst).await, TEST_PASSWORD).await;
    let yours = your_organizations(&http, &base).await;
    let invitation = yours["invitations"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(answer(&stranger, &base, &invitation, "accept").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(choose(&stranger, &base, &home.slug).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(acting_for(&stranger, &base).await["organization"], other.name.as_str());
    // Bad answers name their field.
    let bad = http
        .post(format!("{base}/auth/answer-invitation"))
        .form(&[("invitation", "not-an-id"), ("answer", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("invitation"));
    let bad = answer(&http, &base, &invitation, "maybe").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("answer"));

    // Accepted: a member of both, still acting for the one it chose, until it switches.
    assert_eq!(answer(&http, &base, &invitation, "accept").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(acting_for(&http, &base).await["organization"], other.name.as_str());
    let chose = choose(&http, &base, &home.slug).await;
    assert_eq!(chose.status(), StatusCode::SEE_OTHER);
    assert_eq!(chose.headers()["location"], "/");
    let viewer = acting_for(&http, &base).await;
    assert_eq!(
        (viewer["organization"].as_str(), viewer["role"].as_str()),
        (Some(home.name.as_str()), Some("marketing"))
    );
    assert_eq!(http.get(format!("{base}/campaigns")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(http.get(format!("{base}/transactions")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // The next sign-in acts for the organization chosen last.
    let later = browser_like_client();
    assert_eq!(sign_in(&later, &base, &person, TEST_PASSWORD).await.headers()["location"], "/");
    assert_eq!(acting_for(&later, &base).await["organization"], home.name.as_str());

    // Removed from it: the next request of the session acting for it is signed out.
    let (status, _) = call(&home_admin, &base, "remove_member", &[("email", &person)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(http.get(format!("{base}/")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(acting_for(&http, &base).await["error"], "unauthorized");
    // Signing in again: the only organization left.
    let again = browser_like_client();
    assert_eq!(sign_in(&again, &base, &person, TEST_PASSWORD).await.headers()["location"], "/");
    assert_eq!(acting_for(&again, &base).await["organization"], other.name.as_str());

    // Another organization's admin cannot see or cancel this organization's invitations.
    call(&home_admin, &base, "save_member", &[("email", "waiting@ut360.test"), ("role", "analyst")]).await;
    let their_admin = browser_like_client();
    sign_in(&their_admin, &base, &create_user(&db.store, &other, Role::Admin).await, TEST_PASSWORD).await;
    assert!(call(&their_admin, &base, "get_invitations", &[]).await.1.as_array().unwrap().is_empty());
    let (status, _) = call(&their_admin, &base, "cancel_invitation", &[("email", "waiting@ut360.test")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(call(&home_admin, &base, "get_invitations", &[]).await.1.as_array().unwrap().len(), 1);
    let (status, _) = call(&home_admin, &base, "cancel_invitation", &[("email", "waiting@ut360.test")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(call(&home_admin, &base, "get_invitations", &[]).await.1.as_array().unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn a_person_in_several_organizations_chooses_one_at_sign_in() {
    let db = TestDb::new().await;
    let home = db.default_organization().await;
    let other = db.organization_with_own_prefix().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &home, Role::Analyst).await;
    // The operator's command adds an existing account directly (it is trusted).
    ut360::server::users_cli::create(&db.store, &other, &email, Role::Manager, TEST_PASSWORD).await.unwrap();

    let http = browser_like_client();
    assert_eq!(sign_in(&http, &base, &email, TEST_PASSWORD).await.headers()["location"], "/organizations?next=%2F");
    // Until it chooses, only the organizations page (and the password) open.
    let page = http.get(format!("{base}/subscribers?page=2")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/organizations?next=%2Fsubscribers%3Fpage%3D2");
    assert_eq!(call(&http, &base, "get_overview", &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(http.get(format!("{base}/organizations")).send().await.unwrap().status(), StatusCode::OK);
    let yours = your_organizations(&http, &base).await;
    let slugs: Vec<&str> =
        yours["organizations"].as_array().unwrap().iter().map(|o| o["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, [home.slug.as_str(), other.slug.as_str()]);
    assert!(yours["organizations"].as_array().unwrap().iter().all(|o| o["current"] == false));

    assert_eq!(choose(&http, &base, &other.slug).await.status(), StatusCode::SEE_OTHER);
    let viewer = acting_for(&http, &base).await;
    assert_eq!(
        (viewer["organization"].as_str(), viewer["role"].as_str()),
        (Some(other.name.as_str()), Some("manager"))
    );
    assert_eq!(http.get(format!("{base}/transactions")).send().await.unwrap().status(), StatusCode::OK);
    db.cleanup().await;
}
