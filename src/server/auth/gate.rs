//! In front of every address: who is asking (the session), whether they may (the
//! role's permissions for the address, `crate::access`), and whether a state-changing
//! request or a download comes from this site. Pages are redirected to sign-in or shown a 403 page;
//! server functions and files get a JSON error.

use super::{now_unix, session_user, store_session_user};
use crate::data::users::{Account, Member};
use crate::domain::access::{access_for, Access, Permission, Role, SERVER_FUNCTION_PREFIX};
use crate::domain::language::Language;
use crate::domain::membership::ORGANIZATIONS_PATH;
use crate::i18n::{td_string, Locale};
use crate::server::error::AppError;
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The page a person must go through while their password must change.
pub const CHANGE_PASSWORD_PATH: &str = "/account/password";

pub async fn gate(State(state): State<AppState>, session: Session, mut request: Request, next: Next) -> Response {
    let access = access_for(request.uri().path());
    if let Some(refusal) = refuse_cross_site(access, &request) {
        return refusal;
    }
    let permissions = match access {
        Access::Public | Access::ApiKey => return next.run(request).await,
        Access::Member(permissions) => Some(permissions),
        Access::Account => None,
        Access::Unknown => Some(&[][..]),
    };
    let signed_in = match signed_in(&state, &session).await {
        Ok(Some(signed_in)) => signed_in,
        Ok(None) => return refuse_anonymous(&request),
        Err(error) => return error.into_response(),
    };
    // Before any refusal: the member's own language setting words it.
    request.extensions_mut().insert(signed_in.account);
    if access == Access::Unknown {
        return not_found(&request);
    }
    if signed_in.must_change_password && !opens_before_changing_password(request.uri().path()) {
        return refuse_until_password_changed(&request);
    }
    match (permissions, signed_in.member) {
        (Some(_), None) => return choose_an_organization_first(&request),
        (Some(permissions), Some(member)) => {
            if let Some(missing) = permissions.iter().copied().find(|permission| !member.role.allows(*permission)) {
                return refuse(&request, &member, missing);
            }
            request.extensions_mut().insert(member);
        }
        (None, Some(member)) => {
            request.extensions_mut().insert(member);
        }
        (None, None) => {}
    }
    next.run(request).await
}

/// Who a request's session signed in as.
struct SignedIn {
    account: Account,
    /// Absent until the session has chosen an organization.
    member: Option<Member>,
    must_change_password: bool,
}

/// The session's account, if it is signed in, not past its absolute expiry, signed in
/// since its password last changed, and still a member of the organization it chose.
async fn signed_in(state: &AppState, session: &Session) -> Result<Option<SignedIn>, AppError> {
    let Some(mut user) = session_user(session).await else { return Ok(None) };
    let now = now_unix();
    if now - user.signed_in_at > state.session_policy.absolute.as_secs() as i64 {
        let _ = session.flush().await;
        return Ok(None);
    }
    let found = match user.organization_id {
        Some(organization_id) => state
            .store
            .for_organization_id(organization_id)
            .member_signed_in_at(user.user_id, organization_id, user.signed_in_at)
            .await?
            .map(|(member, must_change_password)| SignedIn {
                account: member.account(),
                member: Some(member),
                must_change_password,
            }),
        None => state
            .store
            .account_signed_in_at(user.user_id, user.signed_in_at)
            .await?
            .map(|(account, must_change_password)| SignedIn { account, member: None, must_change_password }),
    };
    let Some(found) = found else {
        let _ = session.flush().await;
        return Ok(None);
    };
    if now - user.seen_at >= 60 {
        user.seen_at = now;
        store_session_user(session, &user).await?;
    }
    Ok(Some(found))
}

/// Another site's page may link to ours, but not change anything here nor download our
/// data with the member's cookies: a state-changing request, or a download (an address
/// that needs the export permission, whose GET also records the export), must come from
/// this site. API keys travel in a header no other site's page can make a browser send.
fn refuse_cross_site(access: Access, request: &Request) -> Option<Response> {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let downloads = matches!(access, Access::Member(permissions) if permissions.contains(&Permission::Export));
    if access == Access::ApiKey || !(changes_state || downloads) || is_same_site(request.headers()) {
        return None;
    }
    let locale = Locale::from(language(request));
    let message = if changes_state {
        td_string!(locale, gate.cross_site_change)
    } else {
        td_string!(locale, gate.cross_site_download)
    };
    Some(AppError::Forbidden(message.to_owned()).into_response())
}

/// Whether the browser says this site's own page sent the request (`Sec-Fetch-Site`, or
/// an `Origin` that is this host), or the address was typed or bookmarked (`none`).
/// Clients that send neither header are not browsers and carry no one else's cookies.
pub fn is_same_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|value| value.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, origin_host)| origin_host == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// Where a person whose password must change may go meanwhile: the page that changes
/// it, and the server functions it and the top bar call.
fn opens_before_changing_password(path: &str) -> bool {
    path == CHANGE_PASSWORD_PATH
        || crate::domain::access::server_function(path)
            .is_some_and(|(name, _)| matches!(name, "change_password" | "get_viewer"))
}

fn refuse_until_password_changed(request: &Request) -> Response {
    if is_page(request) {
        return Redirect::to(CHANGE_PASSWORD_PATH).into_response();
    }
    let locale = Locale::from(language(request));
    AppError::Forbidden(tf!(locale, gate.change_password_first, path = CHANGE_PASSWORD_PATH)).into_response()
}

fn is_page(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET && !path.starts_with(SERVER_FUNCTION_PREFIX) && !path.contains("/export.")
}

fn choose_an_organization_first(request: &Request) -> Response {
    if is_page(request) {
        let asked = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
        let next = percent_encoding::utf8_percent_encode(asked, percent_encoding::NON_ALPHANUMERIC);
        return Redirect::to(&format!("{ORGANIZATIONS_PATH}?next={next}")).into_response();
    }
    let locale = Locale::from(language(request));
    AppError::Forbidden(tf!(locale, gate.choose_organization_first, path = ORGANIZATIONS_PATH)).into_response()
}

fn refuse_anonymous(request: &Request) -> Response {
    if is_page(request) {
        let asked = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
        return Redirect::to(&super::sign_in_url(None, asked)).into_response();
    }
    AppError::Unauthorized(td_string!(Locale::from(language(request)), gate.sign_in_first)).into_response()
}

fn refuse(request: &Request, member: &Member, missing: Permission) -> Response {
    let language = language(request);
    let locale = Locale::from(language);
    let message = tf!(
        locale,
        gate.refused,
        email = member.email,
        role = crate::components::role_label(locale, member.role),
        action = missing.describe(language),
        needed = crate::components::role_label(locale, Role::least_with(missing)),
    );
    if !is_page(request) {
        return AppError::Forbidden(message).into_response();
    }
    (StatusCode::FORBIDDEN, Html(forbidden_page(language, &message))).into_response()
}

/// The language of the person a gate's answer is for (`components::language_of`).
fn language(request: &Request) -> Language {
    crate::components::language_of(request.headers(), request.extensions())
}

fn not_found(request: &Request) -> Response {
    if !is_page(request) {
        return AppError::NotFound("address").into_response();
    }
    let language = language(request);
    let locale = Locale::from(language);
    let body = page(
        language.as_str(),
        td_string!(locale, not_found.heading),
        &format!(
            "<p>{}<a href=\"/\">{}</a></p>",
            td_string!(locale, not_found.nothing_here),
            td_string!(locale, not_found.back)
        ),
    );
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

fn forbidden_page(language: Language, message: &str) -> String {
    let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let locale = Locale::from(language);
    page(
        language.as_str(),
        td_string!(locale, gate.not_allowed),
        &format!(
            r#"<p role="alert">{message}</p>
<p>{ask}<a href="/">{overview}</a>.</p>
<form method="post" action="/auth/sign-out"><button type="submit">{other}</button></form>"#,
            message = escape(message),
            ask = td_string!(locale, gate.ask_admin),
            overview = td_string!(locale, gate.overview),
            other = td_string!(locale, gate.sign_in_as_other),
        ),
    )
}

/// A page of its own for the gate's answers (no app code runs for them).
fn page(lang: &str, title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · UT360</title><link rel="stylesheet" href="/pkg/ut360.css"><link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
<body><header class="topbar"><a class="brand" href="/">UT360</a></header>
<main><section class="page refusal"><h1>{title}</h1>{body}</section></main></body></html>"#
    )
}
