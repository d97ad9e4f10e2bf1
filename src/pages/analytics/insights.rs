//! `/insights`: what the database noticed in the organization's data (anomalies of
//! merchants and payment modes, segments whose ARPU turns down, subscribers no campaign
//! reached), most severe and unread first, each with its figures, what to do, and a
//! link to the list or dashboard it is about. Marking one read is a POST.

use crate::domain::analytics::insights::{
    insights_href, InsightFeed, InsightKind, InsightListing, Severity, INSIGHTS_PATH,
};
use crate::domain::server_error::ServerError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A page of the feed; `kind` (empty: all) filters, `page` (empty: 1) pages.
#[server]
pub async fn get_insights(kind: String, page: String) -> Result<InsightFeed, ServerError> {
    use crate::domain::analytics::insights::{parse_page, INSIGHTS_PAGE_SIZE};
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let bad = |field: &'static str, message: String| ServerError::from(AppError::BadRequest { field, message });
    let kind = match kind.trim() {
        "" => None,
        text => Some(
            InsightKind::parse(text).ok_or_else(|| bad("kind", format!("kind: {text:?} is not a kind of insight")))?,
        ),
    };
    let page = parse_page(&page).map_err(|message| bad("page", message))?;
    Ok(store.insight_feed(kind, page, INSIGHTS_PAGE_SIZE).await?)
}

/// Marks one of the organization's insights read (nothing else of it changes).
#[server]
pub async fn mark_insight_read(id: String) -> Result<(), ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let refused = || {
        ServerError::from(AppError::BadRequest {
            field: "id",
            message: format!("id: {:?} is not an insight of this organization", id.trim()),
        })
    };
    let id = uuid::Uuid::try_parse(id.trim()).map_err(|_| refused())?;
    match store.mark_insight_read(id).await? {
        true => Ok(()),
        false => Err(refused()),
    }
}

pub fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "badge risk-high",
        Severity::Medium => "badge risk-medium",
        Severity::Low => "badge risk-low",
    }
}

#[component]
pub fn InsightsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let map = query.read();
        (map.get("kind").unwrap_or_default(), map.get("page").unwrap_or_default())
    });
    let mark_read = ServerAction::<MarkInsightRead>::new();
    let feed =
        Resource::new(move || (params.get(), mark_read.version().get()), |((kind, page), _)| get_insights(kind, page));
    let chosen = move || params.with(|(kind, _)| InsightKind::parse(kind));
    let options = move || {
        InsightKind::ALL
            .into_iter()
            .map(|kind| view! { <option value=kind.as_str() selected=move || chosen() == Some(kind)>{kind.label()}</option> })
            .collect_view()
    };
    view! {
        <Title text="Insights"/>
        <section class="page insights">
            <h1>"Insights"</h1>
            <p class="hint">
                "Computed from this organization's own data after each aggregation: a merchant's or payment mode's day more than 3 standard deviations from its previous 28 days, "
                "service and cluster segments where more subscribers' ARPU turned “Giảm” than a month before, and LOW-risk, high-value subscribers no campaign exported in 30 days. "
                "Most severe first, unread first."
            </p>
            <form method="get" action=INSIGHTS_PATH class="admin-form" aria-label="Filter the insights">
                <label>"Kind"
                    <select name="kind">
                        <option value="" selected=move || chosen().is_none()>"All kinds"</option>
                        {options}
                    </select>
                </label>
                <button type="submit">"Show"</button>
            </form>
            <div aria-live="polite">
                {move || mark_read.value().get().and_then(Result::err).map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
            </div>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading insights…"</p> }>
                {move || Suspend::new(async move {
                    let kind = chosen();
                    match feed.await {
                        Ok(feed) if feed.insights.is_empty() => view! {
                            <div class="empty-state" role="status" data-testid="no-insights">
                                <h2>"No insights"</h2>
                                <p>{match kind {
                                    Some(kind) => format!("Nothing of the kind “{}” is current.", kind.label()),
                                    None => "Nothing unusual is current. Insights appear after the next aggregation finds something.".to_owned(),
                                }}</p>
                            </div>
                        }.into_any(),
                        Ok(feed) => view! { <Feed feed kind mark_read/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href=INSIGHTS_PATH>"Show every insight"</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Feed(feed: InsightFeed, kind: Option<InsightKind>, mark_read: ServerAction<MarkInsightRead>) -> impl IntoView {
    let page = feed.page;
    let summary = format!("{} insights, {} unread.", feed.total, feed.unread);
    let cards = feed.insights.into_iter().map(|insight| view! { <InsightCard insight mark_read/> }).collect_view();
    view! {
        <p data-testid="insight-counts">{summary}</p>
        <ol class="insight-feed" data-testid="insights">{cards}</ol>
        <nav class="pager" aria-label="Pages of insights">
            {(page > 1).then(|| view! { <a href=insights_href(kind, page - 1) rel="prev">"Previous insights"</a> })}
            {feed.has_more.then(|| view! { <a href=insights_href(kind, page + 1) rel="next" data-testid="more-insights">"More insights"</a> })}
        </nav>
    }
}

#[component]
fn InsightCard(insight: InsightListing, mark_read: ServerAction<MarkInsightRead>) -> impl IntoView {
    let heading_id = format!("insight-{}", insight.id);
    let labelled_by = heading_id.clone();
    let figures = insight
        .data_points
        .iter()
        .map(|(name, value)| view! { <tr><th scope="row">{name.clone()}</th><td>{value.clone()}</td></tr> })
        .collect_view();
    let actions = insight
        .recommendations
        .iter()
        .map(|action| view! { <li lang="vi">{action.vi.clone()}<span class="hint" lang="en">{format!(" ({})", action.en)}</span></li> })
        .collect_view();
    let listed = (!insight.listed.is_empty()).then(|| {
        let rows = insight
            .listed
            .iter()
            .map(|subscriber| view! { <li><a href=subscriber.href.clone()>{subscriber.isdn.clone()}</a>{format!(" ({})", subscriber.service)}</li> })
            .collect_view();
        view! {
            <details>
                <summary>{format!("First {} subscribers by priority", insight.listed.len())}</summary>
                <ul data-testid="insight-listed">{rows}</ul>
            </details>
        }
    });
    let rule = insight.campaign_rule.clone().map(|rule| {
        view! {
            <p>"Campaign rule that reaches them (paste it in the campaign builder's JSON):"</p>
            <pre data-testid="insight-rule"><code>{rule}</code></pre>
        }
    });
    let link =
        insight.link.clone().map(|link| view! { <p><a href=link.href data-testid="insight-link">{link.label}</a></p> });
    let id = insight.id.clone();
    let read_state = if insight.is_read {
        view! { <span class="hint" data-testid="insight-read">"Read"</span> }.into_any()
    } else {
        view! {
            <ActionForm action=mark_read attr:class="inline-form" attr:aria-label="Mark as read">
                <input type="hidden" name="id" value=id/>
                <button type="submit" data-testid="mark-read">"Mark as read"</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <li class="insight" data-kind=insight.kind.as_str() data-severity=insight.severity.as_str()
            data-read=insight.is_read.to_string() aria-labelledby=labelled_by>
            <article>
                <h2 id=heading_id lang="vi">{insight.title.clone()}</h2>
                <p class="badges">
                    <span class=severity_class(insight.severity)>{insight.severity.label()}</span>
                    <span class="badge">{insight.kind.label()}</span>
                    <span class="badge">{format!("Confidence {:.0} %", insight.confidence * 100.0)}</span>
                    {insight.day.clone().map(|day| view! { <span class="badge">{day}</span> })}
                    {(!insight.is_read).then(|| view! { <span class="badge">"Unread"</span> })}
                </p>
                <p lang="vi">{insight.description.clone()}</p>
                <p class="hint" lang="en">{insight.title_en.clone()}": "{insight.description_en.clone()}</p>
                {link}
                <h3>"Figures"</h3>
                <table class="data-table">
                    <thead><tr><th scope="col">"Figure"</th><th scope="col">"Value"</th></tr></thead>
                    <tbody>{figures}</tbody>
                </table>
                <h3>"What to do"</h3>
                <ul>{actions}</ul>
                {rule}
                {listed}
                {read_state}
            </article>
        </li>
    }
}
