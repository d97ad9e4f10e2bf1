//! An ECharts chart drawn in the browser from charming options, with the data as
//! an HTML table beside it so the page reads without JavaScript.

use charming::Chart;
use leptos::prelude::*;

/// `id` must be unique on the page. `children` is the table fallback.
#[component]
pub fn EChart(id: &'static str, title: &'static str, chart: Chart, children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        // The container's CSS size decides the chart's size, also when the window resizes.
        match charming::WasmRenderer::new_opt(None, None).render(id, &chart) {
            Ok(echarts) => {
                let listener = window_event_listener(leptos::ev::resize, move |_| {
                    echarts.resize(wasm_bindgen::JsValue::UNDEFINED);
                });
                on_cleanup(move || listener.remove());
            }
            Err(error) => leptos::logging::error!("chart {id} could not be drawn: {error:?}"),
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = chart;

    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <div id=id class="chart-canvas" role="img" aria-label=title></div>
            <details class="chart-data" open>
                <summary>"Data table"</summary>
                {children()}
            </details>
        </figure>
    }
}
