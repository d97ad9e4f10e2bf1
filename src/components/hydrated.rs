//! Whether the page's code runs yet. A control whose effect lives only in the page's
//! state (a rule box ticked, a number typed) changes on screen but not in that state
//! when used before hydration, so such controls stay disabled until then.

use leptos::prelude::*;

/// False as the server renders and while the browser hydrates; true from then on.
pub fn use_hydrated() -> Signal<bool> {
    let hydrated = RwSignal::new(false);
    // Effects run in the browser only, once the page is hydrated.
    Effect::new(move |_| hydrated.set(true));
    hydrated.into()
}
