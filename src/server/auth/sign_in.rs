//! `POST /auth/sign-in` (the sign-in page's form) and `POST /auth/sign-out`. Plain
//! forms and redirects: they work before the page's code has loaded.

use super::{now_unix, sign_in_url, store_session_user, SessionUser};
use crate::components::LANGUAGE_PATH;
use crate::domain::access::{safe_return_path, SIGN_IN_PATH};
use crate::domain::membership::ORGANIZATIONS_PATH;
use crate::server::client_address::origin_of;
use crate::server::error::AppError;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use std::time::Duration;
use tower_sessions::Session;

/// From this many failures in a row, an email is locked out for `LOCK_FOR`.
pub const LOCK_AFTER: i32 = 5;
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);
/// Failures this old no longer count.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Each failure after the first waits this much longer before answering.
const SLOWDOWN_STEP: Duration = Duration::from_millis(250);
const SLOWDOWN_MAX: Duration = Duration::from_secs(2);

pub fn routes(state: &AppState) -> Router<AppState> {
    let per_ip = axum::middleware::from_fn_with_state(state.sign_in_guard.clone(), super::limits::per_ip);
    Router::new()
        .route("/auth/sign-in", post(sign_in).route_layer(per_ip))
        .route("/auth/sign-out", post(sign_out))
        .route(LANGUAGE_PATH, post(choose_language))
}

#[derive(serde::Deserialize)]
pub struct LanguageForm {
    language: String,
    #[serde(default)]
    next: Option<String>,
}

/// The sign-in page's language switcher (before anyone is signed in, so there is no
/// member to remember it for: the cookie does): sets the cookie and goes back to the
/// page (a path of this site only).
async fn choose_language(Form(form): Form<LanguageForm>) -> Result<Response, AppError> {
    let language = crate::domain::language::Language::parse(&form.language).ok_or_else(|| AppError::BadRequest {
        field: "language",
        message: format!("{:?} is not a language (vi or en)", form.language),
    })?;
    let back = crate::domain::access::safe_page_path(form.next.as_deref());
    let mut response = Redirect::to(&back).into_response();
    if let Ok(cookie) = axum::http::HeaderValue::from_str(&language_cookie(language)) {
        response.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The `Set-Cookie` value that remembers `language` in this browser for a year. The
/// page's script never reads it (the server decides the language), so HttpOnly.
pub fn language_cookie(language: crate::domain::language::Language) -> String {
    format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        crate::domain::language::LANGUAGE_COOKIE,
        language.as_str()
    )
}

#[derive(serde::Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// Why the sign-in page is shown again; the page words it (`SignInProblem`).
fn back_to_sign_in(problem: &str, next: &str) -> Response {
    Redirect::to(&sign_in_url(Some(problem), next)).into_response()
}

async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    extensions: Extensions,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let origin = origin_of(&extensions, &headers);
    let next = safe_return_path(form.next.as_deref());
    if form.email.trim().is_empty() || form.password.is_empty() {
        return Ok(back_to_sign_in("missing", &next));
    }
    if state.store.sign_in_locked_until(&form.email).await?.is_some() {
        return Ok(back_to_sign_in("locked", &next));
    }
    let credentials = state.store.credentials(&form.email).await?;
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let Ok(verified) = state.sign_in_guard.checks().verify(form.password, stored).await else {
        return Ok(back_to_sign_in(super::limits::BUSY_PROBLEM, &next));
    };
    let Some(credentials) = credentials.filter(|_| verified) else {
        let (failures, locked_until) =
            state.store.record_sign_in_failure(&form.email, &origin, LOCK_AFTER, LOCK_FOR, FORGET_AFTER).await?;
        // Slower with every failure, so guessing costs time before the lock.
        tokio::time::sleep((SLOWDOWN_STEP * (failures.max(1) as u32 - 1)).min(SLOWDOWN_MAX)).await;
        return Ok(back_to_sign_in(if locked_until.is_some() { "locked" } else { "refused" }, &next));
    };
    let memberships = state.store.memberships(credentials.user_id).await?;
    let invited = !state.store.invitations_to(credentials.user_id).await?.is_empty();
    let chosen = match memberships.as_slice() {
        [only] => Some(only),
        several => several.iter().find(|member| Some(member.organization.id) == credentials.last_organization_id),
    };
    state.store.record_sign_in(&form.email, credentials.user_id, &origin).await?;
    // A new id at sign-in: an id planted before cannot ride the signed-in session.
    session.cycle_id().await.map_err(|e| AppError::Internal(format!("session: {e}")))?;
    let now = now_unix();
    store_session_user(
        &session,
        &SessionUser {
            user_id: credentials.user_id,
            organization_id: chosen.map(|member| member.organization.id),
            signed_in_at: now,
            seen_at: now,
        },
    )
    .await?;
    let organization = chosen.map_or("(to choose)", |member| member.organization.slug.as_str());
    tracing::info!(user = %credentials.user_id, organization, memberships = memberships.len(), invited, "signed in");
    // Several organizations and none chosen before, none at all, or an invitation to
    // answer: the organizations page first, then where they were going.
    if chosen.is_none() || invited {
        let next = percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC);
        return Ok(Redirect::to(&format!("{ORGANIZATIONS_PATH}?next={next}")).into_response());
    }
    Ok(Redirect::to(&next).into_response())
}

/// Deletes the session from the store, so its cookie opens nothing any more.
async fn sign_out(session: Session) -> Result<Response, AppError> {
    session.flush().await.map_err(|e| AppError::Internal(format!("session: {e}")))?;
    Ok(Redirect::to(&format!("{SIGN_IN_PATH}?problem=signed-out")).into_response())
}
