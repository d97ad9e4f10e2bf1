//! A file picker that puts a text file's contents (a CSV, a list of ISDNs) into a
//! textarea, where it can be read and changed before it is sent.

use leptos::html::Textarea;
use leptos::prelude::*;

#[component]
pub fn TextFileInput(target: NodeRef<Textarea>, #[prop(into)] label: String) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let problem = RwSignal::new(None::<String>);
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            problem.set(None);
            leptos::task::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(text) => {
                        if let (Some(area), Some(text)) = (target.get_untracked(), text.as_string()) {
                            area.set_value(&text);
                        }
                    }
                    Err(_) => {
                        problem.set(Some(tf!(i18n.get_locale_untracked(), file_input.unreadable, name = file.name())))
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, target, i18n);
    };
    view! {
        <label class="file-input">{label}
            <input type="file" accept=".csv,.txt,text/csv,text/plain" on:change=on_change/>
        </label>
        {move || problem.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
    }
}
