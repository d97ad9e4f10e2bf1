use crate::i18n::{t, td_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), not_found.title)/>
        <section class="page empty-state">
            <h1>{t!(i18n, not_found.heading)}</h1>
            <p>{t!(i18n, not_found.nothing_here)} <a href="/">{t!(i18n, not_found.back)}</a></p>
        </section>
    }
}
