//! `/account/password`: a signed-in person changes their password.

use crate::domain::server_error::ServerError;
use leptos::prelude::*;
use leptos_meta::Title;

#[server]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), ServerError> {
    let account = crate::server::auth::signed_in_account()?;
    crate::server::auth::change_password::change(&account, current_password, new_password)
        .await
        .map_err(ServerError::from)
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let outcome = move || {
        change.value().get().map(|result| match result {
            Ok(()) => view! {
                <p class="notice" role="status" data-testid="password-changed">
                    "Your password is changed. Your other sessions are signed out. "
                    <a href="/">"Continue to the overview"</a>
                </p>
            }
            .into_any(),
            Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <Title text="Change password"/>
        <section class="page account">
            <h1>"Change your password"</h1>
            <ActionForm action=change>
                <label>
                    "Current password"
                    <input type="password" name="current_password" required autocomplete="current-password"/>
                </label>
                <label>
                    "New password (10 to 128 characters, not a common one)"
                    <input type="password" name="new_password" required minlength="10" maxlength="128" autocomplete="new-password"/>
                </label>
                <button type="submit">"Change password"</button>
            </ActionForm>
            {outcome}
        </section>
    }
}
