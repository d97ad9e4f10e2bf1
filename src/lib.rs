//! UT360: a Customer 360 workspace for a mobile operator's airtime-advance business.
//!
//! Shared by the server (`ssr`) and the browser (`hydrate`): the domain types, the
//! pages and components. Server-only code lives in `data` (Postgres and Redis),
//! `pipeline` (the data files) and `server` (command line, HTTP, demo data).
#![recursion_limit = "256"]
#![cfg_attr(test, allow(clippy::unwrap_used))]

// `crate::i18n`: the UI's texts in Vietnamese and English, from locales/*.json
// (keys checked at compile time), and the context that says which one shows. The macro
// is deprecated for a build script (`leptos_i18n_build`), which would compile ICU's data
// tooling into every build; the macro generates the same module.
#[allow(deprecated)]
mod i18n_generated {
    leptos_i18n::load_locales!();
}
pub use i18n_generated::i18n;

/// A text of the UI with values put in its `{name}` places:
/// `tf!(locale, group.key, name = value, …)`. leptos_i18n's own interpolation builds
/// strings only with its `interpolate_display` option, which only the build script sets.
macro_rules! tf {
    ($locale:expr, $($key:ident).+, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::components::fill(
            $crate::i18n::td_string!($locale, $($key).+),
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),+],
        )
    };
}

pub mod app;
pub mod components;
pub mod domain;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod pipeline;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Controls that need the wasm (the phone's Menu button, charts) answer from now on:
    // the browser tests wait for this mark rather than for a time.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
