//! A signed-in person changes their password: the current one is checked (under the same
//! bound as sign-ins), the new one by `password::check_strength`; sessions signed in
//! before the change end (the gate compares `users.password_changed_at`), this one
//! goes on under a new id.

use super::{now_unix, password, session_user, store_session_user};
use crate::data::users::Account;
use crate::domain::security_event::SecurityEventKind;
use crate::i18n::{td_string, Locale};
use crate::server::error::AppError;
use crate::server::state::AppState;
use serde_json::json;
use tower_sessions::Session;

pub async fn change(account: &Account, current_password: String, new_password: String) -> Result<(), AppError> {
    let state = leptos::prelude::expect_context::<AppState>();
    let locale = Locale::from(crate::components::request_language());
    password::check_strength(&new_password).map_err(|_| {
        // Said again in the request's language; the check's own words are English.
        let length = new_password.chars().count();
        let message = if length < password::MIN_LENGTH {
            tf!(locale, password_errors.too_short, count = password::MIN_LENGTH)
        } else if length > password::MAX_LENGTH {
            tf!(locale, password_errors.too_long, count = password::MAX_LENGTH)
        } else {
            td_string!(locale, password_errors.common).to_owned()
        };
        AppError::BadRequest { field: "new_password", message }
    })?;
    if new_password == current_password {
        let message = td_string!(locale, password_errors.same).to_owned();
        return Err(AppError::BadRequest { field: "new_password", message });
    }
    let stored = state.store.credentials(&account.email).await?.map(|credentials| credentials.password_hash);
    let verified = state.sign_in_guard.checks().verify(current_password, stored).await.map_err(|_| {
        AppError::BadRequest { field: "current_password", message: td_string!(locale, password_errors.busy).to_owned() }
    })?;
    if !verified {
        let message = td_string!(locale, password_errors.wrong).to_owned();
        return Err(AppError::BadRequest { field: "current_password", message });
    }
    let hash = tokio::task::spawn_blocking(move || password::hash(&new_password))
        .await
        .map_err(|e| AppError::Internal(format!("hashing: {e}")))?;
    let changed_at = state.store.set_password(account.user_id, &hash).await?;
    let origin = crate::server::client_address::current_origin();
    state.store.record_account_event(&account.email, SecurityEventKind::PasswordChanged, &origin, json!({})).await?;

    // This session stays signed in: it just proved the password. Under a new id, and
    // counted from now, so the change does not end it.
    let session: Session = leptos_axum::extract().await.map_err(|e| AppError::Internal(format!("session: {e}")))?;
    if let Some(mut user) = session_user(&session).await {
        session.cycle_id().await.map_err(|e| AppError::Internal(format!("session: {e}")))?;
        user.signed_in_at = now_unix().max(changed_at);
        user.seen_at = user.signed_in_at;
        store_session_user(&session, &user).await?;
    }
    tracing::info!(user = %account.user_id, "password changed");
    Ok(())
}
