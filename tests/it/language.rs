//! The UI's language, through the real server: the member's setting, else the
//! language cookie, else `Accept-Language`, else Vietnamese; `<html lang>` says which,
//! and the switcher's two ways of changing it.

use crate::common::{browser_like_client_in, create_user, server_fn_url, sign_in, spawn_app, TestDb, TEST_PASSWORD};
use reqwest::StatusCode;
use ut360::domain::access::Role;
use ut360::domain::language::Language;

async fn page(http: &reqwest::Client, url: &str) -> String {
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.text().await.unwrap()
}

/// The language a page was drawn in: its `<html lang>`, which must agree with its words.
fn language_of(html: &str) -> Language {
    let vi = html.contains("<html lang=\"vi\"");
    let en = html.contains("<html lang=\"en\"");
    assert!(vi != en, "exactly one <html lang>: {}", &html[..html.len().min(300)]);
    if vi {
        Language::Vi
    } else {
        Language::En
    }
}

#[tokio::test]
async fn a_signed_out_page_follows_the_cookie_then_accept_language_then_vietnamese() {
    let db = TestDb::new().await;
    let base = spawn_app(db.store.clone()).await;
    let sign_in_page = format!("{base}/sign-in");

    // Nothing said: Vietnamese, in its words and its `lang`.
    let html = page(&browser_like_client_in(""), &sign_in_page).await;
    assert_eq!(language_of(&html), Language::Vi);
    assert!(html.contains("Đăng nhập vào UT360") && !html.contains("Sign in to UT360"), "Vietnamese words");

    // A browser asking for English (first among others) gets it; one asking for a
    // language we do not have gets Vietnamese.
    let english_browser = browser_like_client_in("en-US,en;q=0.9,vi;q=0.5");
    let html = page(&english_browser, &sign_in_page).await;
    assert_eq!(language_of(&html), Language::En);
    assert!(html.contains("Sign in to UT360") && !html.contains("Đăng nhập vào UT360"), "English words");
    assert_eq!(language_of(&page(&browser_like_client_in("fr-FR"), &sign_in_page).await), Language::Vi);

    // The switcher (signed out): a cookie, then back to the page; the cookie wins over
    // the browser's Accept-Language.
    let response = english_browser
        .post(format!("{base}/auth/language"))
        .form(&[("language", "vi"), ("next", "/sign-in?next=%2Fdashboards")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/sign-in?next=%2Fdashboards");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("i18n_pref_locale="))
        .expect("the language cookie is set")
        .to_owned();
    assert!(cookie.starts_with("i18n_pref_locale=vi;") && cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(language_of(&page(&english_browser, &sign_in_page).await), Language::Vi);

    // Another site cannot switch someone's language.
    let forged = english_browser
        .post(format!("{base}/auth/language"))
        .header("origin", "https://evil.example")
        .form(&[("language", "en"), ("next", "/sign-in")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(language_of(&page(&english_browser, &sign_in_page).await), Language::Vi);

    // Elsewhere than this site, or not a language: refused or sent home.
    let response = english_browser
        .post(format!("{base}/auth/language"))
        .form(&[("language", "en"), ("next", "//evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/");
    let response =
        english_browser.post(format!("{base}/auth/language")).form(&[("language", "fr")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["field"], "language", "{body}");
    db.cleanup().await;
}

#[tokio::test]
async fn the_member_setting_wins_over_the_cookie_and_the_browser() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &organization, Role::Analyst).await;
    let http = browser_like_client_in("en");
    assert_eq!(sign_in(&http, &base, &email, TEST_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let overview = format!("{base}/");

    // No setting yet: the browser's English, header and page alike.
    let html = page(&http, &overview).await;
    assert_eq!(language_of(&html), Language::En);
    assert!(html.contains(">Overview<") && html.contains(">Sign out<"), "English header and page");

    // The switcher signed in: saved for the member (and in the cookie).
    let response = http
        .post(crate::common::server_fn_url(&base, "set_language"))
        .form(&[("language", "vi")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{:?}", response.text().await);
    let html = page(&http, &overview).await;
    assert_eq!(language_of(&html), Language::Vi);
    assert!(html.contains(">Tổng quan<") && html.contains(">Đăng xuất<"), "Vietnamese header and page");
    assert!(!html.contains(">Sign out<"));

    // The cookie says English (the signed-out switcher, in this browser): the member's
    // Vietnamese still wins, and follows them to another browser that asks for English.
    let response =
        http.post(format!("{base}/auth/language")).form(&[("language", "en"), ("next", "/")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(language_of(&page(&http, &overview).await), Language::Vi);
    let elsewhere = browser_like_client_in("en");
    assert_eq!(sign_in(&elsewhere, &base, &email, TEST_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(language_of(&page(&elsewhere, &overview).await), Language::Vi);

    // Stored as chosen, checked by the database too.
    let stored: Option<String> = sqlx::query_scalar("SELECT language FROM users WHERE email = $1")
        .bind(&email)
        .persistent(false)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some("vi"));
    let refused = sqlx::query("UPDATE users SET language = 'fr' WHERE email = $1")
        .bind(&email)
        .persistent(false)
        .execute(&db.pool)
        .await;
    assert!(refused.is_err(), "only vi and en are stored");
    db.cleanup().await;
}

#[tokio::test]
async fn numbers_and_dates_follow_the_language() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let scale = 0.01;
    db.load(&organization, &ut360::server::generate::generate(2, scale)).await;
    let total = ut360::server::generate::DemoSize::at_scale(scale).subscribers() as i64;
    assert!(total >= 1_000, "a total with a thousands separator: {total}");
    let email = create_user(&db.store, &organization, Role::Analyst).await;
    for (accept, language, separator) in [("vi", Language::Vi, '.'), ("en", Language::En, ',')] {
        let http = browser_like_client_in(accept);
        sign_in(&http, &base, &email, TEST_PASSWORD).await;
        let html = page(&http, &format!("{base}/")).await;
        assert_eq!(language_of(&html), language);
        let grouped = ut360::domain::format::format_count(language, total);
        assert!(grouped.contains(separator), "{grouped}");
        assert!(html.contains(&format!(">{grouped}<")), "{accept}: the total written {grouped}");
        assert!(html.contains(" ₫<"), "{accept}: money in đồng");
        for dashboards_word in [("vi", "Bảng điều khiển"), ("en", "Dashboards")] {
            let shown = page(&http, &format!("{base}/dashboards")).await.contains(&format!(">{}<", dashboards_word.1));
            assert_eq!(shown, dashboards_word.0 == accept, "{accept}: {}", dashboards_word.1);
        }
    }
    db.cleanup().await;
}

/// The gate's own answers (the refusal page, and the refusals server functions get)
/// in the reader's language, with the same status in both.
#[tokio::test]
async fn the_gates_refusals_are_worded_in_the_readers_language() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &organization, Role::Analyst).await;
    let preview = server_fn_url(&base, "campaign_preview");
    let rules = serde_json::json!({ "rules": {} });
    let message = |body: &str| -> String {
        let json: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON: {body}"));
        json.to_string()
    };
    struct Words {
        accept_language: &'static str,
        lang: Language,
        sign_in_first: &'static str,
        cross_site: &'static str,
        heading: &'static str,
        refused: &'static str,
        other_language: &'static str,
        change_password: &'static str,
    }
    let languages = [
        Words {
            accept_language: "vi-VN,vi;q=0.9",
            lang: Language::Vi,
            sign_in_first: "hãy đăng nhập trước",
            cross_site: "yêu cầu từ trang web khác không được thay đổi gì ở đây",
            heading: "<h1>Không được phép</h1>",
            refused: "(chuyên viên phân tích): để tạo chiến dịch, bạn cần vai trò tiếp thị.",
            other_language: "you need the",
            change_password: "hãy đổi mật khẩu trước, tại /account/password",
        },
        Words {
            accept_language: "en-US,en;q=0.9",
            lang: Language::En,
            sign_in_first: "sign in first",
            cross_site: "cross-site requests cannot change anything here",
            heading: "<h1>Not allowed</h1>",
            refused: "(analyst): to build campaigns you need the marketing role.",
            other_language: "bạn cần vai trò",
            change_password: "change your password first, at /account/password",
        },
    ];
    for words in &languages {
        let http = browser_like_client_in(words.accept_language);
        let signed_out = http.post(&preview).json(&rules).send().await.unwrap();
        assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
        let body = message(&signed_out.text().await.unwrap());
        assert!(body.contains(words.sign_in_first), "{body}");

        assert_eq!(sign_in(&http, &base, &email, TEST_PASSWORD).await.status(), StatusCode::SEE_OTHER);
        let forged = http.post(&preview).header("origin", "https://evil.example").json(&rules).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let body = message(&forged.text().await.unwrap());
        assert!(body.contains(words.cross_site), "{body}");

        let refusal = http.get(format!("{base}/campaigns")).send().await.unwrap();
        assert_eq!(refusal.status(), StatusCode::FORBIDDEN);
        let html = refusal.text().await.unwrap();
        assert_eq!(language_of(&html), words.lang);
        assert!(html.contains(words.heading) && html.contains(&email), "{html}");
        assert!(html.contains(words.refused) && !html.contains(words.other_language), "{html}");

        let refused = http.post(&preview).json(&rules).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let body = message(&refused.text().await.unwrap());
        assert!(body.contains(words.refused), "{body}");

        db.store.set_must_change_password(&email, true).await.unwrap();
        let unchanged = http.post(&preview).json(&rules).send().await.unwrap();
        assert_eq!(unchanged.status(), StatusCode::FORBIDDEN);
        let body = message(&unchanged.text().await.unwrap());
        assert!(body.contains(words.change_password), "{body}");
        db.store.set_must_change_password(&email, false).await.unwrap();
    }

    // The member's own setting words the refusal, whatever the browser asks for.
    let http = browser_like_client_in("en");
    assert_eq!(sign_in(&http, &base, &email, TEST_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let saved = http.post(server_fn_url(&base, "set_language")).form(&[("language", "vi")]).send().await.unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let refusal = http.get(format!("{base}/campaigns")).send().await.unwrap();
    assert_eq!(refusal.status(), StatusCode::FORBIDDEN);
    let html = refusal.text().await.unwrap();
    assert_eq!(language_of(&html), Language::Vi);
    assert!(html.contains(languages[0].refused), "{html}");
    db.cleanup().await;
}

/// A value refused deep in the domain reaches a person in their language, with the field
/// named as the pages name it; `field` keeps the machine name, and `/api/v1` keeps its
/// English whatever the client's language.
#[tokio::test]
async fn a_refused_value_is_explained_in_the_readers_language_while_the_api_keeps_english() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    let base = spawn_app(db.store.clone()).await;
    let email = create_user(&db.store, &organization, Role::Admin).await;
    let vietnamese = browser_like_client_in("");
    let english = browser_like_client_in("en");
    for http in [&vietnamese, &english] {
        assert_eq!(sign_in(http, &base, &email, TEST_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    }
    /// The server function, its form, the refused field, then the answer in Vietnamese and in English.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str, &'a str);
    let cases: [Case<'_>; 6] = [
        (
            "get_subscriber_list",
            &[("params[min_value]", "120")],
            "min_value",
            "Giá trị khách hàng tối thiểu: 120 nằm ngoài khoảng 0 đến 100",
            "Minimum customer value: 120 is outside 0 to 100",
        ),
        (
            "get_subscriber_list",
            &[("params[limit]", "x")],
            "limit",
            "Số dòng mỗi trang: \"x\" không phải là số nguyên",
            "Rows per page: \"x\": invalid digit found in string",
        ),
        (
            "get_subscriber_list",
            &[("params[risk]", "low")],
            "risk",
            "Mức rủi ro: \"low\" không phải là mức rủi ro hợp lệ; chỉ nhận một trong LOW, MEDIUM, HIGH",
            "Risk level: \"low\": unknown risk level \"low\"; expected one of LOW, MEDIUM, HIGH",
        ),
        (
            "get_subscriber_list",
            &[("params[order]", "up")],
            "order",
            "Thứ tự: \"up\" không hợp lệ: chỉ nhận asc hoặc desc",
            "Order: \"up\": expected asc or desc",
        ),
        (
            "get_subscriber",
            &[("isdn", "1234567")],
            "isdn",
            "Số thuê bao (ISDN): \"1234567\" không phải là ISDN: số thuê bao có 8 đến 15 chữ số",
            "ISDN: \"1234567\" is not an ISDN: a number has 8 to 15 digits",
        ),
        (
            "get_transaction_dashboard",
            &[("params[range]", "custom"), ("params[from]", "2026-02-01"), ("params[until]", "2026-01-01")],
            "until",
            "Ngày cuối: 2026-01-01 sớm hơn 2026-02-01",
            "Last day: 2026-01-01 is before 2026-02-01",
        ),
    ];
    for (name, form, field, in_vietnamese, in_english) in cases {
        for (http, says) in [(&vietnamese, in_vietnamese), (&english, in_english)] {
            let response = http.post(crate::common::server_fn_url(&base, name)).form(form).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name} {form:?}");
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(
                body,
                serde_json::json!({ "error": "bad_request", "field": field, "message": says }),
                "{name} {form:?}"
            );
        }
    }

    // The machine API: the message alone, in English, even to a client asking for Vietnamese.
    let api = crate::common::api_client(&db.store, &organization).await;
    for (query, field, says) in [
        ("min_value=120", "min_value", "120 is outside 0 to 100"),
        ("limit=x", "limit", "\"x\": invalid digit found in string"),
        ("risk=low", "risk", "\"low\": unknown risk level \"low\"; expected one of LOW, MEDIUM, HIGH"),
    ] {
        let response = api
            .get(format!("{base}/api/v1/recommendations?{query}"))
            .header("accept-language", "vi")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, serde_json::json!({ "error": "bad_request", "field": field, "message": says }), "{query}");
    }
    let response = api.get(format!("{base}/api/v1/recommendations/1234567")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["message"], "\"1234567\" is not an ISDN: a number has 8 to 15 digits");
    db.cleanup().await;
}
