//! `POST /auth/choose-organization` (the organizations page and the header's switcher)
//! and `POST /auth/answer-invitation`. Plain forms and redirects, like sign-in: the
//! session changes organization, so the next page loads whole.

use super::choose_organization;
use crate::data::users::Account;
use crate::domain::access::safe_return_path;
use crate::domain::membership::{ANSWER_INVITATION_PATH, CHOOSE_ORGANIZATION_PATH, ORGANIZATIONS_PATH};
use crate::server::error::AppError;
use crate::server::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Extension, Form, Router};
use tower_sessions::Session;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new().route(CHOOSE_ORGANIZATION_PATH, post(choose)).route(ANSWER_INVITATION_PATH, post(answer))
}

#[derive(serde::Deserialize)]
struct ChooseForm {
    slug: String,
    #[serde(default)]
    next: Option<String>,
}

/// The session acts for the organization of `slug` from the next request on, if the
/// account is one of its members (checked again on every request by the gate).
async fn choose(
    State(state): State<AppState>,
    session: Session,
    Extension(account): Extension<Account>,
    Form(form): Form<ChooseForm>,
) -> Result<Response, AppError> {
    let memberships = state.store.memberships(account.user_id).await?;
    let slug = form.slug.trim();
    let Some(member) = memberships.iter().find(|member| member.organization.slug == slug) else {
        let message = format!("slug: you are not a member of an organization {slug:?}");
        return Err(AppError::BadRequest { field: "slug", message });
    };
    choose_organization(&state, &session, account.user_id, member.organization.id).await?;
    tracing::info!(user = %account.user_id, organization = %member.organization.slug, "chose organization");
    Ok(Redirect::to(&safe_return_path(form.next.as_deref())).into_response())
}

#[derive(serde::Deserialize)]
struct AnswerForm {
    invitation: String,
    answer: String,
    #[serde(default)]
    next: Option<String>,
}

/// Accepts or declines an invitation addressed to the account's email, then back to
/// the organizations page. A session without an organization yet acts for the one
/// just joined.
async fn answer(
    State(state): State<AppState>,
    session: Session,
    Extension(account): Extension<Account>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let invitation = Uuid::parse_str(form.invitation.trim()).map_err(|_| AppError::BadRequest {
        field: "invitation",
        message: format!("invitation: {:?} is not an invitation id", form.invitation),
    })?;
    let accept = match form.answer.as_str() {
        "accept" => true,
        "decline" => false,
        other => {
            let message = format!("answer: {other:?} is neither \"accept\" nor \"decline\"");
            return Err(AppError::BadRequest { field: "answer", message });
        }
    };
    let organization_id = state
        .store
        .answer_invitation(account.user_id, invitation, accept)
        .await?
        .ok_or(AppError::NotFound("invitation"))?;
    let chosen = super::session_user(&session).await.and_then(|user| user.organization_id);
    if accept && chosen.is_none() {
        choose_organization(&state, &session, account.user_id, organization_id).await?;
    }
    tracing::info!(user = %account.user_id, organization = %organization_id, accept, "answered invitation");
    let next = safe_return_path(form.next.as_deref());
    let next = percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC);
    Ok(Redirect::to(&format!("{ORGANIZATIONS_PATH}?next={next}")).into_response())
}
