//! The page's language: decided once on the server for each request (the member's
//! setting, else the cookie, else `Accept-Language`, else Vietnamese), written in
//! `<html lang>`, and read back from there when the browser hydrates, so both render
//! the same words. The switcher changes it with one click, with or without JavaScript.

use crate::domain::access::Role;
use crate::domain::language::Language;
use crate::domain::server_error::ServerError;
use crate::i18n::{t_string, td_string, use_i18n, Locale};
use leptos::prelude::*;

/// Where the signed-out switcher posts (`server::auth::sign_in`).
pub const LANGUAGE_PATH: &str = "/auth/language";

impl From<Locale> for Language {
    fn from(locale: Locale) -> Self {
        match locale {
            Locale::vi => Language::Vi,
            Locale::en => Language::En,
        }
    }
}

impl From<Language> for Locale {
    fn from(language: Language) -> Self {
        match language {
            Language::Vi => Locale::vi,
            Language::En => Locale::en,
        }
    }
}

/// `template` with each `{name}` replaced by its value; a place without a value stays
/// as written (the key-set test checks both languages name the same places).
pub fn fill(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut filled = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        filled.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after
            .find('}')
            .and_then(|end| values.iter().find(|(name, _)| *name == &after[..end]).map(|(_, value)| (end, value)));
        match value {
            Some((end, value)) => {
                filled.push_str(&value.to_string());
                rest = &after[end + 1..];
            }
            None => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled.push_str(rest);
    filled
}

/// The language the page is being drawn in (Vietnamese outside the app's context).
pub fn language() -> Language {
    use_context::<leptos_i18n::I18nContext<Locale>>().map_or(Language::Vi, |i18n| i18n.get_locale_untracked().into())
}

/// The language of the request being answered, as [`Language::choose`] decides it.
#[cfg(feature = "ssr")]
pub fn request_language() -> Language {
    let Some(parts) = use_context::<axum::http::request::Parts>() else { return Language::default() };
    language_of(&parts.headers, &parts.extensions)
}

/// The language of a request, from its headers and the signed-in account the gate put
/// in its extensions: [`request_language`] outside Leptos (downloads).
#[cfg(feature = "ssr")]
pub fn language_of(headers: &axum::http::HeaderMap, extensions: &axum::http::Extensions) -> Language {
    use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
    let member = extensions.get::<crate::data::users::Account>().and_then(|account| account.language);
    // HTTP/2 may split cookies over several headers.
    let cookies: Vec<&str> = headers.get_all(COOKIE).iter().filter_map(|value| value.to_str().ok()).collect();
    let cookies = cookies.join("; ");
    let accept_language = headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
    Language::choose(member, (!cookies.is_empty()).then_some(cookies.as_str()), accept_language)
}

/// What leptos_i18n takes for the request's `Accept-Language`: on the server, the
/// language already chosen, so its own lookup lands on it; the browser never asks
/// (it reads `<html lang>`).
pub fn language_options() -> leptos_i18n::context::UseLocalesOptions {
    let options = leptos_i18n::context::UseLocalesOptions::default();
    #[cfg(feature = "ssr")]
    let options = {
        let chosen = request_language().as_str();
        options.ssr_lang_header_getter(move || Some(chosen.to_owned()))
    };
    options
}

/// A role as the pages name it (stored and sent as [`Role::as_str`]).
pub fn role_label(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Admin => td_string!(locale, roles.admin),
        Role::Manager => td_string!(locale, roles.manager),
        Role::Marketing => td_string!(locale, roles.marketing),
        Role::Analyst => td_string!(locale, roles.analyst),
    }
}

/// Saves the language: as the member's own setting (it then follows them to any
/// browser) and in the cookie for this browser.
#[server]
pub async fn set_language(language: String) -> Result<(), ServerError> {
    use crate::domain::field_error::{FieldError, Problem};
    let language = Language::parse(&language)
        .ok_or_else(|| ServerError::from(FieldError::new("language", Problem::not_one_of(&language, ["vi", "en"]))))?;
    let account = crate::server::auth::signed_in_account()?;
    let state = expect_context::<crate::server::state::AppState>();
    state.store.set_user_language(account.user_id, language).await?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let cookie = crate::server::auth::sign_in::language_cookie(language);
        if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
            response.append_header(axum::http::header::SET_COOKIE, value);
        }
    }
    Ok(())
}

/// Both languages by their own names, for the switcher's buttons.
fn own_name(language: Language) -> &'static str {
    match language {
        Language::Vi => "Tiếng Việt",
        Language::En => "English",
    }
}

/// `VI | EN` in the header: the current one marked, the other one click away.
/// Signed in, the choice is saved for the member through [`set_language`]; a form
/// post of it is answered with a redirect back to the page, drawn again in the new
/// language, and after hydration the page reloads once the action is done, so every
/// figure is drawn again too. Signed out (the sign-in page), it sets the cookie only.
#[component]
pub fn LanguageSwitcher(signed_in: bool) -> impl IntoView {
    let i18n = use_i18n();
    let current = Language::from(i18n.get_locale_untracked());
    let location = leptos_router::hooks::use_location();
    let action = ServerAction::<SetLanguage>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            #[cfg(feature = "hydrate")]
            let _ = window().location().reload();
        }
    });
    let choices = Language::ALL
        .into_iter()
        .map(|language| {
            let code = language.as_str();
            let label = code.to_uppercase();
            if language == current {
                return view! {
                    <span class="current" lang=code title=own_name(language) aria-current="true" data-testid=format!("language-{code}")>
                        {label}
                    </span>
                }
                .into_any();
            }
            let button = move || {
                view! {
                    <input type="hidden" name="language" value=code/>
                    <button type="submit" lang=code title=own_name(language) data-testid=format!("language-{code}")>
                        {label.clone()}
                    </button>
                }
            };
            if signed_in {
                view! { <ActionForm action>{button()}</ActionForm> }.into_any()
            } else {
                // Back to this very page; the raw query may or may not carry its `?`.
                let next = move || {
                    let search = location.search.get();
                    let search = search.trim_start_matches('?');
                    let path = location.pathname.get();
                    if search.is_empty() { path } else { format!("{path}?{search}") }
                };
                view! {
                    <form method="post" action=LANGUAGE_PATH>
                        <input type="hidden" name="next" value=next/>
                        {button()}
                    </form>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <div class="language-switcher" role="group" aria-label=move || t_string!(i18n, language.switch_label).to_string()>
            {choices}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Every key of a locale file, as `group.key` paths.
    fn keys(json: &str) -> BTreeSet<String> {
        fn walk(prefix: &str, value: &serde_json::Value, into: &mut BTreeSet<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (key, value) in map {
                        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                        walk(&path, value, into);
                    }
                }
                _ => {
                    into.insert(prefix.to_owned());
                }
            }
        }
        let value: serde_json::Value = serde_json::from_str(json).expect("a locale file is JSON");
        let mut found = BTreeSet::new();
        walk("", &value, &mut found);
        found
    }

    /// leptos_i18n falls back to the default language for a key missing in another,
    /// with a warning only: a page would show Vietnamese words to an English reader.
    #[test]
    fn both_languages_have_the_same_keys() {
        let vi = keys(include_str!("../../locales/vi.json"));
        let en = keys(include_str!("../../locales/en.json"));
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(only_vi.is_empty() && only_en.is_empty(), "only in vi: {only_vi:?}; only in en: {only_en:?}");
        assert!(vi.len() > 50, "the files were read");
    }

    /// The `{name}` places of a text.
    fn places(text: &str) -> BTreeSet<String> {
        text.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned())).collect()
    }

    #[test]
    fn both_languages_put_the_same_values_in_a_text() {
        let vi: serde_json::Value = serde_json::from_str(include_str!("../../locales/vi.json")).unwrap();
        let en: serde_json::Value = serde_json::from_str(include_str!("../../locales/en.json")).unwrap();
        for (group, entries) in vi.as_object().unwrap() {
            for (key, text) in entries.as_object().unwrap() {
                let english = en[group][key].as_str().unwrap_or_default();
                assert_eq!(places(text.as_str().unwrap()), places(english), "{group}.{key}");
            }
        }
    }

    #[test]
    fn values_go_in_their_places() {
        let count = 3;
        assert_eq!(super::fill("{count} of {total}", &[("count", &count), ("total", &"5")]), "3 of 5");
        assert_eq!(super::fill("{missing} stays", &[("count", &count)]), "{missing} stays");
        assert_eq!(super::fill("no places", &[]), "no places");
        assert_eq!(super::fill("{a}{a}", &[("a", &"x")]), "xx");
    }

    #[test]
    fn no_translation_is_left_empty_or_copied_from_english_by_mistake() {
        let vi: serde_json::Value = serde_json::from_str(include_str!("../../locales/vi.json")).unwrap();
        let en: serde_json::Value = serde_json::from_str(include_str!("../../locales/en.json")).unwrap();
        // Words that are the same in both languages on purpose.
        let same_on_purpose = [
            "Email",
            "English",
            "Tiếng Việt",
            ").",
            "ISDN",
            "SMS",
            "Customer360",
            "đồng",
            "{period}, {state}",
            "Excel",
        ];
        for (group, entries) in vi.as_object().unwrap() {
            for (key, text) in entries.as_object().unwrap() {
                let text = text.as_str().unwrap();
                assert!(!text.trim().is_empty(), "{group}.{key} is empty in vi");
                if en[group][key].as_str() == Some(text) {
                    assert!(same_on_purpose.contains(&text), "{group}.{key} is the English text in vi: {text:?}");
                }
            }
        }
    }
}
