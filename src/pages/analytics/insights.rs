//! `/insights`: what the database noticed in the organization's data (anomalies of
//! merchants and payment modes, segments whose ARPU turns down, subscribers no campaign
//! reached), most severe and unread first, each with its figures, what to do, and a
//! link to the list or dashboard it is about. Marking one read is a POST.

use crate::domain::analytics::insights::{
    insights_href, InsightFeed, InsightKind, InsightLinkKind, InsightListing, Severity, INSIGHTS_PATH,
};
use crate::domain::language::Language;
use crate::domain::server_error::ServerError;
use crate::i18n::{td_string, use_i18n, Locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A page of the feed; `kind` (empty: all) filters, `page` (empty: 1) pages.
#[server]
pub async fn get_insights(kind: String, page: String) -> Result<InsightFeed, ServerError> {
    use crate::domain::analytics::insights::{parse_page, INSIGHTS_PAGE_SIZE};
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let locale = Locale::from(crate::components::request_language());
    let bad = |field: &'static str, message: String| ServerError::from(AppError::BadRequest { field, message });
    let kind = match kind.trim() {
        "" => None,
        text => Some(
            InsightKind::parse(text)
                .ok_or_else(|| bad("kind", tf!(locale, insights.bad_kind, kind = format!("{text:?}"))))?,
        ),
    };
    let page = parse_page(&page)
        .map_err(|_| bad("page", tf!(locale, insights.bad_page, value = format!("{:?}", page.trim()))))?;
    Ok(store.insight_feed(kind, page, INSIGHTS_PAGE_SIZE).await?)
}

/// Marks one of the organization's insights read (nothing else of it changes).
#[server]
pub async fn mark_insight_read(id: String) -> Result<(), ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let locale = Locale::from(crate::components::request_language());
    let refused = || {
        ServerError::from(AppError::BadRequest {
            field: "id",
            message: tf!(locale, insights.not_ours, id = format!("{:?}", id.trim())),
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
    let locale = use_i18n().get_locale_untracked();
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
            .map(|kind| view! { <option value=kind.as_str() selected=move || chosen() == Some(kind)>{kind_label(locale, kind)}</option> })
            .collect_view()
    };
    view! {
        <Title text=td_string!(locale, insights.title)/>
        <section class="page insights">
            <h1>{td_string!(locale, insights.title)}</h1>
            <p class="hint">{td_string!(locale, insights.hint)}</p>
            <form method="get" action=INSIGHTS_PATH class="admin-form" aria-label=td_string!(locale, insights.filter)>
                <label>{td_string!(locale, insights.kind)}
                    <select name="kind">
                        <option value="" selected=move || chosen().is_none()>{td_string!(locale, insights.all_kinds)}</option>
                        {options}
                    </select>
                </label>
                <button type="submit">{td_string!(locale, insights.show)}</button>
            </form>
            <div aria-live="polite">
                {move || mark_read.value().get().and_then(Result::err).map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
            </div>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, insights.loading)}</p> }>
                {move || Suspend::new(async move {
                    let kind = chosen();
                    match feed.await {
                        Ok(feed) if feed.insights.is_empty() => view! {
                            <div class="empty-state" role="status" data-testid="no-insights">
                                <h2>{td_string!(locale, insights.none)}</h2>
                                <p>{match kind {
                                    Some(kind) => tf!(locale, insights.none_of_kind, kind = kind_label(locale, kind)),
                                    None => td_string!(locale, insights.none_current).to_owned(),
                                }}</p>
                            </div>
                        }.into_any(),
                        Ok(feed) => view! { <Feed feed kind mark_read/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href=INSIGHTS_PATH>{td_string!(locale, insights.show_every)}</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Feed(feed: InsightFeed, kind: Option<InsightKind>, mark_read: ServerAction<MarkInsightRead>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let page = feed.page;
    let language = crate::components::language();
    let summary = tf!(
        locale,
        insights.counts,
        total = crate::domain::format::format_count(language, feed.total),
        unread = crate::domain::format::format_count(language, feed.unread)
    );
    let cards = feed.insights.into_iter().map(|insight| view! { <InsightCard insight mark_read/> }).collect_view();
    view! {
        <p data-testid="insight-counts">{summary}</p>
        <ol class="insight-feed" data-testid="insights">{cards}</ol>
        <nav class="pager" aria-label=td_string!(locale, insights.pages)>
            {(page > 1).then(|| view! { <a href=insights_href(kind, page - 1) rel="prev">{td_string!(locale, insights.previous)}</a> })}
            {feed.has_more.then(|| view! { <a href=insights_href(kind, page + 1) rel="next" data-testid="more-insights">{td_string!(locale, insights.more)}</a> })}
        </nav>
    }
}

#[component]
fn InsightCard(insight: InsightListing, mark_read: ServerAction<MarkInsightRead>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let language = Language::from(locale);
    // The database writes each insight in both languages: the page shows its own.
    let (title, description) = match language {
        Language::Vi => (insight.title.clone(), insight.description.clone()),
        Language::En => (insight.title_en.clone(), insight.description_en.clone()),
    };
    let heading_id = format!("insight-{}", insight.id);
    let labelled_by = heading_id.clone();
    let figures = insight
        .data_points
        .iter()
        .map(|(name, value)| {
            let shown = figure_value(language, name, value);
            view! { <tr><th scope="row">{figure_name(locale, name)}</th><td>{shown}</td></tr> }
        })
        .collect_view();
    let actions = insight
        .recommendations
        .iter()
        .map(|action| {
            let text = match language {
                Language::Vi => action.vi.clone(),
                Language::En => action.en.clone(),
            };
            view! { <li>{text}</li> }
        })
        .collect_view();
    let listed = (!insight.listed.is_empty()).then(|| {
        let rows = insight
            .listed
            .iter()
            .map(|subscriber| view! { <li><a href=subscriber.href.clone()>{subscriber.isdn.clone()}</a>{format!(" ({})", subscriber.service)}</li> })
            .collect_view();
        view! {
            <details>
                <summary>{tf!(locale, insights.first_n, count = insight.listed.len())}</summary>
                <ul data-testid="insight-listed">{rows}</ul>
            </details>
        }
    });
    let rule = insight.campaign_rule.clone().map(|rule| {
        view! {
            <p>{td_string!(locale, insights.rule_hint)}</p>
            <pre data-testid="insight-rule"><code>{rule}</code></pre>
        }
    });
    let link = insight.link.clone().map(|link| {
        let label = link_label(locale, link.kind);
        view! { <p><a href=link.href data-testid="insight-link">{label}</a></p> }
    });
    let id = insight.id.clone();
    let read_state = if insight.is_read {
        view! { <span class="hint" data-testid="insight-read">{td_string!(locale, insights.read)}</span> }.into_any()
    } else {
        view! {
            <ActionForm action=mark_read attr:class="inline-form" attr:aria-label=td_string!(locale, insights.mark_read)>
                <input type="hidden" name="id" value=id/>
                <button type="submit" data-testid="mark-read">{td_string!(locale, insights.mark_read)}</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <li class="insight" data-kind=insight.kind.as_str() data-severity=insight.severity.as_str()
            data-read=insight.is_read.to_string() aria-labelledby=labelled_by>
            <article>
                <h2 id=heading_id>{title}</h2>
                <p class="badges">
                    <span class=severity_class(insight.severity)>{severity_label(locale, insight.severity)}</span>
                    <span class="badge">{kind_label(locale, insight.kind)}</span>
                    <span class="badge">{tf!(locale, insights.confidence, pct = format!("{:.0}", insight.confidence * 100.0))}</span>
                    {insight.day.clone().map(|day| view! { <span class="badge">{crate::domain::format::format_date(language, &day)}</span> })}
                    {(!insight.is_read).then(|| view! { <span class="badge">{td_string!(locale, insights.unread)}</span> })}
                </p>
                <p>{description}</p>
                {link}
                <h3>{td_string!(locale, insights.figures)}</h3>
                <div class="table-scroll">
                    <table class="data-table">
                        <thead><tr><th scope="col">{td_string!(locale, insights.figure)}</th><th scope="col">{td_string!(locale, insights.value)}</th></tr></thead>
                        <tbody>{figures}</tbody>
                    </table>
                </div>
                <h3>{td_string!(locale, insights.what_to_do)}</h3>
                <ul>{actions}</ul>
                {rule}
                {listed}
                {read_state}
            </article>
        </li>
    }
}

fn kind_label(locale: Locale, kind: InsightKind) -> &'static str {
    match kind {
        InsightKind::Anomaly => td_string!(locale, insights.kind_anomaly),
        InsightKind::Trend => td_string!(locale, insights.kind_trend),
        InsightKind::Opportunity => td_string!(locale, insights.kind_opportunity),
        InsightKind::Recommendation => td_string!(locale, insights.kind_recommendation),
    }
}

fn severity_label(locale: Locale, severity: Severity) -> &'static str {
    match severity {
        Severity::Low => td_string!(locale, insights.severity_low),
        Severity::Medium => td_string!(locale, insights.severity_medium),
        Severity::High => td_string!(locale, insights.severity_high),
        Severity::Critical => td_string!(locale, insights.severity_critical),
    }
}

fn link_label(locale: Locale, kind: InsightLinkKind) -> &'static str {
    match kind {
        InsightLinkKind::MerchantTransactions => td_string!(locale, insights.link_merchant),
        InsightLinkKind::PeriodTransactions => td_string!(locale, insights.link_period),
        InsightLinkKind::DecliningSegment => td_string!(locale, insights.link_declining),
        InsightLinkKind::LowRiskHighValue => td_string!(locale, insights.link_opportunity),
    }
}

/// An insight's figure as the page names it: the stored data points are keyed by
/// machine names (`min_value`, `z_score`); one the page does not know keeps its key.
fn figure_name(locale: Locale, name: &str) -> String {
    match name {
        "aggregate_metric" => td_string!(locale, insight_figures.aggregate_metric).to_owned(),
        "anomaly" => td_string!(locale, insight_figures.anomaly).to_owned(),
        "by_service" => td_string!(locale, insight_figures.by_service).to_owned(),
        "cluster" => td_string!(locale, insight_figures.cluster).to_owned(),
        "code" => td_string!(locale, insight_figures.code).to_owned(),
        "count" => td_string!(locale, insight_figures.count).to_owned(),
        "day" => td_string!(locale, insight_figures.day).to_owned(),
        "decline_below_pct" => td_string!(locale, insight_figures.decline_below_pct).to_owned(),
        "declining" => td_string!(locale, insight_figures.declining).to_owned(),
        "declining_before" => td_string!(locale, insight_figures.declining_before).to_owned(),
        "excluded_campaigns" => td_string!(locale, insight_figures.excluded_campaigns).to_owned(),
        "fresh_scores" => td_string!(locale, insight_figures.fresh_scores).to_owned(),
        "history_days" => td_string!(locale, insight_figures.history_days).to_owned(),
        "history_transactions" => td_string!(locale, insight_figures.history_transactions).to_owned(),
        "k" => td_string!(locale, insight_figures.k).to_owned(),
        "lower_bound" => td_string!(locale, insight_figures.lower_bound).to_owned(),
        "mean" => td_string!(locale, insight_figures.mean).to_owned(),
        "metric" => td_string!(locale, insight_figures.metric).to_owned(),
        "min_history_transactions" => td_string!(locale, insight_figures.min_history_transactions).to_owned(),
        "min_rise_points" => td_string!(locale, insight_figures.min_rise_points).to_owned(),
        "min_subscribers" => td_string!(locale, insight_figures.min_subscribers).to_owned(),
        "min_value" => td_string!(locale, insight_figures.min_value).to_owned(),
        "month" => td_string!(locale, insight_figures.month).to_owned(),
        "name" => td_string!(locale, insight_figures.name).to_owned(),
        "payment_mode" => td_string!(locale, insight_figures.payment_mode).to_owned(),
        "previous_month" => td_string!(locale, insight_figures.previous_month).to_owned(),
        "rise_points" => td_string!(locale, insight_figures.rise_points).to_owned(),
        "risk" => td_string!(locale, insight_figures.risk).to_owned(),
        "segment" => td_string!(locale, insight_figures.segment).to_owned(),
        "service" => td_string!(locale, insight_figures.service).to_owned(),
        "share_before_pct" => td_string!(locale, insight_figures.share_before_pct).to_owned(),
        "share_pct" => td_string!(locale, insight_figures.share_pct).to_owned(),
        "stddev" => td_string!(locale, insight_figures.stddev).to_owned(),
        "stddev_used" => td_string!(locale, insight_figures.stddev_used).to_owned(),
        "subscribers" => td_string!(locale, insight_figures.subscribers).to_owned(),
        "success_rate" => td_string!(locale, insight_figures.success_rate).to_owned(),
        "upper_bound" => td_string!(locale, insight_figures.upper_bound).to_owned(),
        "value" => td_string!(locale, insight_figures.value).to_owned(),
        "volume" => td_string!(locale, insight_figures.volume).to_owned(),
        "window_days" => td_string!(locale, insight_figures.window_days).to_owned(),
        "window_from" => td_string!(locale, insight_figures.window_from).to_owned(),
        "z_score" => td_string!(locale, insight_figures.z_score).to_owned(),
        other => other.to_owned(),
    }
}

/// A figure's value as stored, but a risk level named in the page's language.
fn figure_value(language: Language, name: &str, value: &str) -> String {
    match (name, value.parse::<crate::domain::recommendation::RiskLevel>()) {
        ("risk", Ok(level)) => level.label(language).to_owned(),
        _ => value.to_owned(),
    }
}
