use leptos::prelude::*;

/// One headline figure with its label.
#[component]
pub fn StatCard(
    #[prop(into)] label: String,
    value: String,
    #[prop(optional)] detail: Option<String>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="stat-card" data-testid=testid>
            <div class="stat-label">{label}</div>
            <div class="stat-value">{value}</div>
            {detail.map(|detail| view! { <div class="stat-detail">{detail}</div> })}
        </div>
    }
}
