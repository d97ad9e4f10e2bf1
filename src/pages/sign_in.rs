//! `/sign-in`: a plain form posted to `/auth/sign-in`, which comes back here with
//! `?problem=…` when it refuses.

use crate::domain::access::safe_return_path;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::i18n::{t, td_string, use_i18n, Locale};

/// What the sign-in page says after a refusal. Never whether the account exists.
fn problem_message(locale: Locale, problem: &str) -> Option<(&'static str, &'static str)> {
    match problem {
        "refused" => Some(("error", td_string!(locale, sign_in.problem_refused))),
        "locked" => Some(("error", td_string!(locale, sign_in.problem_locked))),
        "too-many" => Some(("error", td_string!(locale, sign_in.problem_too_many))),
        "busy" => Some(("error", td_string!(locale, sign_in.problem_busy))),
        "missing" => Some(("error", td_string!(locale, sign_in.problem_missing))),
        "signed-out" => Some(("notice", td_string!(locale, sign_in.problem_signed_out))),
        _ => None,
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || safe_return_path(query.read().get("next").as_deref());
    let problem = move || query.read().get("problem").and_then(|problem| problem_message(i18n.get_locale(), &problem));
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), sign_in.title)/>
        <section class="page sign-in">
            <h1>{t!(i18n, sign_in.heading)}</h1>
            {move || problem().map(|(kind, message)| {
                let role = if kind == "error" { "alert" } else { "status" };
                view! { <p class=kind role=role data-testid="sign-in-problem">{message}</p> }
            })}
            <form method="post" action="/auth/sign-in" class="sign-in-form">
                <input type="hidden" name="next" value=next/>
                <label for="email">{t!(i18n, sign_in.email)}</label>
                <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                <label for="password">{t!(i18n, sign_in.password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit">{t!(i18n, sign_in.submit)}</button>
            </form>
            <p class="hint">{t!(i18n, sign_in.no_account)} <code>"ut360 user create"</code> {t!(i18n, sign_in.no_account_end)}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::problem_message;
    use crate::i18n::Locale;

    #[test]
    fn refusals_do_not_say_whether_the_account_exists() {
        let (_, refused) = problem_message(Locale::en, "refused").unwrap();
        assert!(!refused.contains("no account") && !refused.contains("unknown"));
        assert!(problem_message(Locale::en, "locked").unwrap().1.contains("15 minutes"));
        assert!(problem_message(Locale::vi, "locked").unwrap().1.contains("15 phút"));
        assert!(problem_message(Locale::vi, "<script>").is_none());
    }
}
