//! Issue 29's HTTP defences, each tried as an attacker would: oversized bodies, open
//! redirects after sign-in, missing security headers, cross-site downloads, session
//! cookies over HTTPS and the metrics token.

use crate::common::*;
use reqwest::StatusCode;
use ut360::domain::access::Role;

fn reqwest_without_cookies() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn sign_in_returns_only_to_plain_local_paths() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &organization, Role::Analyst).await;
    let http = reqwest_without_cookies();
    for next in [
        "/\t/evil.example",
        "/\r\n/evil.example",
        "/\rSet-Cookie: planted=1",
        "//evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "/%09/evil.example",
        "https://evil.example/",
        "/subscribers\n",
    ] {
        let form = [("email", email.as_str()), ("password", TEST_PASSWORD), ("next", next)];
        let response = http.post(format!("{base}/auth/sign-in")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
        // Refused sign-ins carry it back to the form encoded, never raw.
        let form = [("email", email.as_str()), ("password", "wrong password"), ("next", next)];
        let response = http.post(format!("{base}/auth/sign-in")).form(&form).send().await.unwrap();
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/sign-in?problem=") && location.ends_with("&next=%2F"), "{next:?}: {location}");
    }
    // A local path with a query still comes back as it was.
    let form =
        [("email", email.as_str()), ("password", TEST_PASSWORD), ("next", "/subscribers?service=EasyCredit&sort=arpu")];
    let response = http.post(format!("{base}/auth/sign-in")).form(&form).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/subscribers?service=EasyCredit&sort=arpu");
    db.cleanup().await;
}
