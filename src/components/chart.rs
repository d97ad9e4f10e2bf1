//! An ECharts chart drawn in the browser from charming options, with the data as
//! an HTML table beside it so the page reads without JavaScript.

use charming::component::Axis;
use charming::element::{AxisLabel, AxisType, Formatter, Label, Tooltip, Trigger};
use charming::Chart;
use leptos::prelude::*;

/// What a chart's values are, so that its axes and tooltips write them as the page's
/// language does (`public/chart-format.js`, like `domain::format`): `1.234.567 ₫` in
/// Vietnamese, `1,234,567 ₫` in English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    Count,
    Money,
    Percent,
}

impl Figure {
    /// Its function in `window.ut360Format`.
    #[cfg_attr(not(all(feature = "hydrate", target_arch = "wasm32")), allow(dead_code))]
    fn function_name(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Money => "money",
            Self::Percent => "percent",
        }
    }
}

/// What ECharts hands a formatter: a value (axes, tooltips, a visual map), or a data
/// item whose `value` may be a row such as a heat map cell's `[x, y, value]` (a
/// series' labels): `window.ut360Format.item` formats those.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Given {
    Value,
    Item,
}

/// The browser's function formatting `figure`s given as `given`, if the page's script
/// loaded.
#[cfg(all(feature = "hydrate", target_arch = "wasm32"))]
fn format_function(figure: Figure, given: Given) -> Option<js_sys::Function> {
    use wasm_bindgen::JsCast;
    let format = js_sys::Reflect::get(&window(), &"ut360Format".into()).ok()?;
    let functions = match given {
        Given::Value => format,
        Given::Item => js_sys::Reflect::get(&format, &"item".into()).ok()?,
    };
    js_sys::Reflect::get(&functions, &figure.function_name().into()).ok()?.dyn_into::<js_sys::Function>().ok()
}

/// The browser's formatter of `figure`. Options are only drawn in the browser, so the
/// server's copy goes without; so does a page whose script did not load (ECharts'
/// own format then).
fn formatter(figure: Figure, given: Given) -> Option<Formatter> {
    #[cfg(all(feature = "hydrate", target_arch = "wasm32"))]
    {
        // Built from the page's own script: a function made from text would need `eval`,
        // which the Content-Security-Policy forbids.
        let function = format_function(figure, given)?;
        serde_wasm_bindgen::from_value::<charming::element::JsFunction>(function.into()).ok().map(Formatter::Function)
    }
    #[cfg(not(all(feature = "hydrate", target_arch = "wasm32")))]
    {
        let _ = (figure, given);
        None
    }
}

/// A value axis whose labels are `figure`s.
pub fn value_axis(figure: Figure) -> Axis {
    let axis = Axis::new().type_(AxisType::Value);
    // No tick between two whole subscribers.
    let axis = if figure == Figure::Count { axis.min_interval(1) } else { axis };
    match formatter(figure, Given::Value) {
        Some(formatter) => axis.axis_label(AxisLabel::new().formatter(formatter)),
        None => axis,
    }
}

/// The tooltip of a series whose values are `figure`s (a chart mixing money and
/// counts gives each series its own).
pub fn series_tooltip(figure: Figure) -> Tooltip {
    match formatter(figure, Given::Value) {
        Some(formatter) => Tooltip::new().value_formatter(formatter),
        None => Tooltip::new(),
    }
}

/// The tooltip of a chart of categories whose series all are `figure`s.
pub fn axis_tooltip(figure: Figure) -> Tooltip {
    series_tooltip(figure).trigger(Trigger::Axis)
}

/// The labels a series shows on its items (a heat map's cells), written as `figure`s.
pub fn value_label(figure: Figure) -> Label {
    let label = Label::new().show(true);
    match formatter(figure, Given::Item) {
        Some(formatter) => label.formatter(formatter),
        None => label,
    }
}

/// Where a click on a bar or slice leads: given the series and category names, the
/// address to open, if any.
pub type ChartLink = std::sync::Arc<dyn Fn(&str, &str) -> Option<String> + Send + Sync>;

/// `echarts.on(event, handler)`, which charming does not bind.
#[cfg(feature = "hydrate")]
fn listen(echarts: &charming::Echarts, event: &str, handler: &wasm_bindgen::JsValue) {
    use wasm_bindgen::JsCast;
    let chart: &wasm_bindgen::JsValue = echarts.as_ref();
    let on = js_sys::Reflect::get(chart, &"on".into()).ok().and_then(|on| on.dyn_into::<js_sys::Function>().ok());
    if let Some(on) = on {
        let _ = on.call2(chart, &event.into(), handler);
    }
}

/// `id` must be unique on the page. `children` is the table fallback. With `link`,
/// clicking a bar or slice opens the address it gives. `visual_map` is what the chart's
/// visual map (a heat map's colour scale) writes its values as.
#[component]
pub fn EChart(
    id: &'static str,
    #[prop(into)] title: String,
    chart: Chart,
    #[prop(optional)] link: Option<ChartLink>,
    #[prop(optional)] visual_map: Option<Figure>,
    children: Children,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let resize_listener = std::sync::Arc::new(std::sync::Mutex::new(None::<WindowListenerHandle>));
        let listener = resize_listener.clone();
        let drawn_link = link.clone();
        let drawing = Drawing { id, chart, link: drawn_link, visual_map };
        Effect::new(move |_| draw_once_mounted(drawing.clone(), listener.clone(), 0));
        on_cleanup(move || {
            if let Some(handle) = resize_listener.lock().ok().and_then(|mut handle| handle.take()) {
                handle.remove();
            }
        });
    }
    let clickable = link.is_some();
    #[cfg(not(feature = "hydrate"))]
    let _ = (chart, link, visual_map);

    view! {
        <figure class="chart" class:clickable=clickable>
            <figcaption>{title.clone()}</figcaption>
            <div id=id class="chart-canvas" role="img" aria-label=title></div>
            <details class="chart-data" open>
                <summary>{crate::i18n::t!(crate::i18n::use_i18n(), common.data_table)}</summary>
                {children()}
            </details>
        </figure>
    }
}

/// What `draw_once_mounted` draws.
#[cfg(feature = "hydrate")]
#[derive(Clone)]
struct Drawing {
    id: &'static str,
    chart: Chart,
    link: Option<ChartLink>,
    visual_map: Option<Figure>,
}

/// Gives the drawn chart's visual map the browser's formatter of `figure`: charming's
/// `VisualMap` has no `formatter`, so it is merged in with `echarts.setOption`.
#[cfg(feature = "hydrate")]
fn format_visual_map(echarts: &charming::Echarts, figure: Figure) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let Some(function) = format_function(figure, Given::Value) else {
            return;
        };
        let chart: &wasm_bindgen::JsValue = echarts.as_ref();
        let set_option =
            js_sys::Reflect::get(chart, &"setOption".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let visual_map = js_sys::Object::new();
        let option = js_sys::Object::new();
        if let (Some(set_option), Ok(_), Ok(_)) = (
            set_option,
            js_sys::Reflect::set(&visual_map, &"formatter".into(), &function),
            js_sys::Reflect::set(&option, &"visualMap".into(), &visual_map),
        ) {
            let _ = set_option.call1(chart, &option);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (echarts, figure);
}

/// Draws the chart once its element is in the document: at once after hydration, a
/// frame or two later when the browser itself rendered it (a dialog, a page reached
/// by a link), since effects run before such elements are attached.
#[cfg(feature = "hydrate")]
fn draw_once_mounted(
    drawing: Drawing,
    resize_listener: std::sync::Arc<std::sync::Mutex<Option<WindowListenerHandle>>>,
    frames_waited: u32,
) {
    const MAX_FRAMES: u32 = 120;
    let Drawing { id, chart, link, visual_map } = drawing.clone();
    if document().get_element_by_id(id).is_none() {
        if frames_waited < MAX_FRAMES {
            request_animation_frame(move || draw_once_mounted(drawing, resize_listener, frames_waited + 1));
        }
        return;
    }
    // The container's CSS size decides the chart's size, also when the window resizes.
    let echarts = match charming::WasmRenderer::new_opt(None, None).render(id, &chart) {
        Ok(echarts) => echarts,
        Err(error) => return leptos::logging::error!("chart {id} could not be drawn: {error:?}"),
    };
    if let Some(figure) = visual_map {
        format_visual_map(&echarts, figure);
    }
    if let Some(link) = link {
        let handler = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(
            move |params: wasm_bindgen::JsValue| {
                let text = |name: &str| {
                    js_sys::Reflect::get(&params, &name.into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
                };
                if let Some(href) = link(&text("seriesName"), &text("name")) {
                    let _ = window().location().set_href(&href);
                }
            },
        );
        listen(&echarts, "click", handler.as_ref());
        // Lives as long as the chart's page; a page load frees it.
        handler.forget();
    }
    let handle = window_event_listener(leptos::ev::resize, move |_| {
        echarts.resize(wasm_bindgen::JsValue::UNDEFINED);
    });
    if let Ok(mut slot) = resize_listener.lock() {
        if let Some(previous) = slot.replace(handle) {
            previous.remove();
        }
    }
}
