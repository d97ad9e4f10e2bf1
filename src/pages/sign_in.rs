//! `/sign-in`: a plain form posted to `/auth/sign-in`, which comes back here with
//! `?problem=…` when it refuses.

use crate::domain::access::safe_return_path;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What the sign-in page says after a refusal. Never whether the account exists.
fn problem_message(problem: &str) -> Option<(&'static str, &'static str)> {
    match problem {
        "refused" => Some(("error", "That email and password do not match an account. Check both and try again.")),
        "locked" => Some(("error", "Too many failed sign-ins with this email: try again in 15 minutes.")),
        "too-many" => Some(("error", "Too many sign-in attempts from your network: try again in a minute or two.")),
        "busy" => Some(("error", "Sign-in is busy right now: try again in a few seconds.")),
        "missing" => Some(("error", "Give both your email and your password.")),
        "signed-out" => Some(("notice", "You are signed out.")),
        _ => None,
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_return_path(query.read().get("next").as_deref());
    let problem = move || query.read().get("problem").and_then(|problem| problem_message(&problem));
    view! {
        <Title text="Sign in"/>
        <section class="page sign-in">
            <h1>"Sign in to UT360"</h1>
            {move || problem().map(|(kind, message)| {
                let role = if kind == "error" { "alert" } else { "status" };
                view! { <p class=kind role=role data-testid="sign-in-problem">{message}</p> }
            })}
            <form method="post" action="/auth/sign-in" class="sign-in-form">
                <input type="hidden" name="next" value=next/>
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit">"Sign in"</button>
            </form>
            <p class="hint">"No account? An admin of your organization adds you (" <code>"ut360 user create"</code> ")."</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::problem_message;

    #[test]
    fn refusals_do_not_say_whether_the_account_exists() {
        let (_, refused) = problem_message("refused").unwrap();
        assert!(!refused.contains("no account") && !refused.contains("unknown"));
        assert!(problem_message("locked").unwrap().1.contains("15 minutes"));
        assert!(problem_message("<script>").is_none());
    }
}
