//! `/account/password`: a signed-in person changes their password.

use crate::domain::server_error::ServerError;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{t, td_string, use_i18n};

#[server]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), ServerError> {
    let account = crate::server::auth::signed_in_account()?;
    crate::server::auth::change_password::change(&account, current_password, new_password)
        .await
        .map_err(ServerError::from)
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    let outcome = move || {
        change.value().get().map(|result| match result {
            Ok(()) => view! {
                <p class="notice" role="status" data-testid="password-changed">
                    {t!(i18n, password.changed)}
                    <a href="/">{t!(i18n, password.continue_to_overview)}</a>
                </p>
            }
            .into_any(),
            Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), password.title)/>
        <section class="page account">
            <h1>{t!(i18n, password.heading)}</h1>
            <ActionForm action=change>
                <label>
                    {t!(i18n, password.current)}
                    <input type="password" name="current_password" required autocomplete="current-password"/>
                </label>
                <label>
                    {t!(i18n, password.new)}
                    <input type="password" name="new_password" required minlength="10" maxlength="128" autocomplete="new-password"/>
                </label>
                <button type="submit">{t!(i18n, password.submit)}</button>
            </ActionForm>
            {outcome}
        </section>
    }
}
