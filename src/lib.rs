//! UT360: a Customer 360 workspace for a mobile operator's airtime-advance business.
//!
//! Shared by the server (`ssr`) and the browser (`hydrate`): the domain types, the
//! pages and components. Server-only code lives in `data` (Postgres and Redis),
//! `pipeline` (the data files) and `server` (command line, HTTP, demo data).
#![recursion_limit = "256"]
#![cfg_attr(test, allow(clippy::unwrap_used))]

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
