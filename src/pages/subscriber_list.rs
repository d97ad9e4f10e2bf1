//! `/subscribers`: recommendations by priority or any shown column (seed 001 use
//! cases 2 to 4), filtered by the URL's query so a list can be shared and survives
//! a reload, a page at a time. `open=ISDN` shows that subscriber's Customer360 in a
//! modal over the list; closing it returns to the list as it was.

use crate::components::language;
use crate::domain::format::{format_count, format_vnd};
use crate::domain::lists::{ListParams, ListedRecommendation, MatchCount, RecommendationPage, SortColumn};
use crate::domain::query::encode_component;
use crate::domain::recommendation::{ArpuTrend, RiskLevel, ServiceType, SubscriberType};
use crate::domain::server_error::ServerError;
use crate::pages::subscriber::Customer360;
use crate::pages::url::{subscriber_href, with_query};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::domain::format::{format_decimal, format_fixed};
use crate::i18n::{t, td_string, use_i18n, Locale};

/// `/subscribers?…` with the parameters that have a value.
pub fn list_href(params: &ListParams) -> String {
    with_query("/subscribers", &params.query_string())
}

/// The list as it is, with `isdn`'s Customer360 open over it.
fn opening_href(params: &ListParams, isdn: &str) -> String {
    let list = list_href(params);
    let separator = if list.contains('?') { '&' } else { '?' };
    format!("{list}{separator}open={}", encode_component(isdn))
}

/// The first page in `column`'s order: its usual direction, or the other one when
/// the list is in that order already.
fn sort_href(params: &ListParams, column: SortColumn, current: Option<(SortColumn, bool)>) -> String {
    let descending = match current {
        Some((sorted, descending)) if sorted == column => !descending,
        _ => column.descending_by_default(),
    };
    let order = if descending == column.descending_by_default() {
        ""
    } else if descending {
        "desc"
    } else {
        "asc"
    };
    let sort = if column == SortColumn::Priority { "" } else { column.as_str() };
    list_href(&ListParams {
        sort: sort.into(),
        order: order.into(),
        after: String::new(),
        before: String::new(),
        ..params.clone()
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriberList {
    pub page: RecommendationPage,
    pub total: MatchCount,
}

#[server]
pub async fn get_subscriber_list(params: ListParams) -> Result<SubscriberList, ServerError> {
    use crate::data::lists::ListRequest;
    let (_member, store) = crate::server::auth::tenant()?;
    // The page shows the message alone, so it names the parameter itself.
    let request = ListRequest::from_params(&params)?;
    let request = &request;
    let (page, total) = store
        .on_replica(|store| async move {
            tokio::try_join!(store.recommendation_page(request), store.recommendation_count(&request.filter))
        })
        .await?;
    Ok(SubscriberList { page, total })
}

#[component]
pub fn SubscriberListPage() -> impl IntoView {
    let i18n = use_i18n();
    let query_map = use_query_map();
    // A memo: opening or closing the modal changes only `open`, and leaves the list be.
    let params = Memo::new(move |_| {
        let map = query_map.read();
        let get = |name: &str| map.get(name).unwrap_or_default();
        ListParams {
            service: get("service"),
            risk: get("risk"),
            cluster: get("cluster"),
            subscriber_type: get("subscriber_type"),
            trend: get("trend"),
            min_value: get("min_value"),
            min_readiness: get("min_readiness"),
            sort: get("sort"),
            order: get("order"),
            after: get("after"),
            before: get("before"),
            limit: get("limit"),
        }
    });
    let open = Memo::new(move |_| query_map.read().get("open").unwrap_or_default());
    let list = Resource::new(move || params.get(), get_subscriber_list);
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), subscriber_list.title)/>
        // Under the dialog the list can be seen but not reached.
        <section class="page" inert=move || !open.get().is_empty()>
            <h1>{t!(i18n, subscriber_list.title)}</h1>
            {move || view! { <FilterForm params=params.get()/> }}
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, subscriber_list.loading)}</p> }>
                {move || {
                    let params = params.get();
                    Suspend::new(async move {
                        match list.await {
                            Ok(list) => view! { <ListResults list params/> }.into_any(),
                            Err(error) => view! {
                                <p class="error" role="alert" data-testid="list-error">{error.to_string()}</p>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
        {move || {
            let isdn = open.get();
            (!isdn.is_empty()).then(|| view! { <SubscriberModal isdn close_href=list_href(&params.get())/> })
        }}
    }
}

/// Customer360 over the list. Escape or the close link return to the list with its
/// filters, order and page; without JavaScript the close link does the same.
#[component]
fn SubscriberModal(isdn: String, close_href: String) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let close = NodeRef::<leptos::html::A>::new();
    #[cfg(feature = "hydrate")]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let target = close_href.clone();
        let listener = window_event_listener(leptos::ev::keydown, move |event| {
            if event.key() == "Escape" {
                navigate(&target, Default::default());
            }
        });
        on_cleanup(move || listener.remove());
        // Keyboard users land in the dialog, on its close link.
        Effect::new(move |_| {
            if let Some(link) = close.get() {
                let _ = link.focus();
            }
        });
    }
    let page_href = subscriber_href(&isdn);
    let label = isdn.clone();
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" data-testid="customer360-modal">
                <header class="modal-header">
                    <h2 id="modal-title">{t!(i18n, subscriber_list.customer360)} " " <span class="isdn">{label}</span></h2>
                    <a href=page_href class="modal-page-link">{t!(i18n, subscriber_list.open_as_page)}</a>
                    <a href=close_href class="modal-close" node_ref=close aria-label=td_string!(locale, subscriber_list.close) data-testid="modal-close">"✕"</a>
                </header>
                <div class="modal-body customer360">
                    <Customer360 isdn=Signal::derive(move || isdn.clone())/>
                </div>
            </div>
        </div>
    }
}

/// A plain GET form: filtering works without JavaScript and lands in the URL. The
/// order is kept; the page starts again.
#[component]
fn FilterForm(params: ListParams) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    // Each choice: the value the URL carries, and the words shown for it.
    let options = |all: Vec<(&'static str, &'static str)>, current: &str| {
        all.into_iter()
            .map(|(value, shown)| view! { <option value=value selected=current == value>{shown}</option> })
            .collect_view()
    };
    let select = |name: &'static str, label: &'static str, all: Vec<(&'static str, &'static str)>, current: &str| {
        view! {
            <label>{label}
                <select name=name>
                    <option value="">{td_string!(l, subscriber_list.all)}</option>
                    {options(all, current)}
                </select>
            </label>
        }
    };
    let codes = |all: Vec<&'static str>| all.into_iter().map(|code| (code, code)).collect::<Vec<_>>();
    view! {
        <form class="filters" method="get" action="/subscribers" aria-label=td_string!(l, subscriber_list.filters)>
            {select("service", td_string!(l, subscriber_list.service), codes(ServiceType::ALL.iter().map(|s| s.as_str()).collect()), &params.service)}
            {select("risk", td_string!(l, subscriber_list.risk), RiskLevel::ALL.iter().map(|r| (r.as_str(), r.label(language))).collect(), &params.risk)}
            {select("subscriber_type", td_string!(l, subscriber_list.pre_pos), SubscriberType::ALL.iter().map(|t| (t.as_str(), t.label(language))).collect(), &params.subscriber_type)}
            {select("trend", td_string!(l, subscriber_list.arpu_trend), ArpuTrend::ALL.iter().map(|t| (t.as_str(), t.label(language))).collect(), &params.trend)}
            <label>{t!(i18n, subscriber_list.cluster)}
                <input name="cluster" type="number" min="0" step="1" value=params.cluster.clone() inputmode="numeric"/>
            </label>
            <label>{t!(i18n, subscriber_list.min_value)}
                <input name="min_value" type="number" min="0" max="100" step="any" value=params.min_value.clone()/>
            </label>
            <label>{t!(i18n, subscriber_list.min_readiness)}
                <input name="min_readiness" type="number" min="0" max="100" step="any" value=params.min_readiness.clone()/>
            </label>
            {(!params.sort.is_empty()).then(|| view! { <input type="hidden" name="sort" value=params.sort.clone()/> })}
            {(!params.order.is_empty()).then(|| view! { <input type="hidden" name="order" value=params.order.clone()/> })}
            <button type="submit">{t!(i18n, subscriber_list.apply)}</button>
            <a href="/subscribers" class="clear">{t!(i18n, subscriber_list.clear)}</a>
        </form>
    }
}

fn describe(locale: Locale, total: MatchCount) -> String {
    let language: crate::domain::language::Language = locale.into();
    match total {
        MatchCount::Exact(1) => td_string!(locale, subscriber_list.one_match).to_owned(),
        MatchCount::Exact(count) => tf!(locale, subscriber_list.n_match, count = format_count(language, count)),
        MatchCount::AtLeast(count) => {
            tf!(locale, subscriber_list.at_least_match, count = format_count(language, count))
        }
    }
}

/// A column heading in a language.
type Heading = fn(Locale) -> &'static str;

/// The list's columns: heading, sort column, and whether it holds figures.
const COLUMNS: [(Heading, SortColumn, bool); 10] = [
    (|l| td_string!(l, subscriber_list.col_isdn), SortColumn::Isdn, false),
    (|l| td_string!(l, subscriber_list.col_service), SortColumn::Service, false),
    (|l| td_string!(l, subscriber_list.col_risk), SortColumn::Risk, false),
    (|l| td_string!(l, subscriber_list.col_priority), SortColumn::Priority, true),
    (|l| td_string!(l, subscriber_list.col_advance), SortColumn::Advance, true),
    (|l| td_string!(l, subscriber_list.col_value), SortColumn::CustomerValue, true),
    (|l| td_string!(l, subscriber_list.col_readiness), SortColumn::Readiness, true),
    (|l| td_string!(l, subscriber_list.col_arpu), SortColumn::ArpuAvg, true),
    (|l| td_string!(l, subscriber_list.col_trend), SortColumn::Trend, false),
    (|l| td_string!(l, subscriber_list.col_cluster), SortColumn::Cluster, true),
];

#[component]
fn ListResults(list: SubscriberList, params: ListParams) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if list.page.items.is_empty() {
        return view! {
            <div class="empty-state" data-testid="empty-list">
                <h2>{t!(i18n, subscriber_list.none_match)}</h2>
                <p><a href="/subscribers">{t!(i18n, subscriber_list.clear_filters)}</a></p>
            </div>
        }
        .into_any();
    }
    let sort = params.sort().ok().map(|sort| (sort.column, sort.descending));
    let paged = |after: String, before: String| list_href(&ListParams { after, before, ..params.clone() });
    let next = list.page.next.clone().map(|after| paged(after, String::new()));
    let previous = list.page.previous.clone().map(|before| paged(String::new(), before));
    let first = previous.as_ref().map(|_| paged(String::new(), String::new()));
    let order_text = match sort {
        Some((column, descending)) => {
            let name = COLUMNS
                .iter()
                .find(|(_, c, _)| *c == column)
                .map_or(td_string!(l, subscriber_list.priority), |(name, _, _)| name(l));
            let direction = if descending {
                td_string!(l, subscriber_list.highest_first)
            } else {
                td_string!(l, subscriber_list.lowest_first)
            };
            tf!(l, subscriber_list.order_by, column = name.to_lowercase(), direction = direction)
        }
        None => String::new(),
    };
    let headers = COLUMNS
        .iter()
        .map(|(name, column, numeric)| {
            let state = sort.filter(|(sorted, _)| sorted == column).map(|(_, descending)| descending);
            let (aria_sort, arrow) = crate::components::sort_marks(state);
            view! {
                <th scope="col" class:num=*numeric aria-sort=aria_sort>
                    <a href=sort_href(&params, *column, sort) data-sort=column.as_str()>{name(l)}{arrow}</a>
                </th>
            }
        })
        .collect_view();
    let rows = list.page.items.into_iter().map(|item| {
        let href = opening_href(&params, item.recommendation.isdn.as_str());
        view! { <ListRow item href/> }
    });
    // The whole list, in this order, whatever page is shown.
    let whole_list = ListParams { after: String::new(), before: String::new(), limit: String::new(), ..params.clone() };
    let export_href = with_query("/subscribers/export.csv", &whole_list.query_string());
    view! {
        <div class="list-header">
            <p class="list-count" data-testid="list-count">{describe(l, list.total)}", "{order_text}</p>
            <a href=export_href rel="external" download data-testid="export-csv">{t!(i18n, subscriber_list.export_csv)}</a>
        </div>
        <div class="table-scroll">
            <table class="data-table" data-testid="subscriber-table">
                <thead><tr>{headers}</tr></thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label=td_string!(l, subscriber_list.pages)>
            {first.map(|href| view! { <a href=href data-testid="first-page">{td_string!(l, subscriber_list.first_page)}</a> })}
            {previous.map(|href| view! { <a href=href data-testid="previous-page" rel="prev">{td_string!(l, subscriber_list.previous_page)}</a> })}
            {next.map(|href| view! { <a href=href data-testid="next-page" rel="next">{td_string!(l, subscriber_list.next_page)}</a> })}
        </nav>
    }
    .into_any()
}

/// Plain links: the router still navigates in the browser, and a page of 100 rows
/// renders without 100 router components. The ISDN's link covers its row.
#[component]
fn ListRow(item: ListedRecommendation, href: String) -> impl IntoView {
    let rec = item.recommendation;
    let language = language();
    let score = |value: Option<f64>| value.map(|v| format_decimal(language, v)).unwrap_or_else(|| "–".into());
    let amount = |value: Option<f64>| value.map(|amount| format_vnd(language, amount)).unwrap_or_else(|| "–".into());
    let isdn = rec.isdn.to_string();
    let row_isdn = isdn.clone();
    view! {
        <tr data-isdn=row_isdn class="row-link">
            <td><a href=href class="isdn">{isdn}</a></td>
            <td>{rec.service_type.as_str()}</td>
            <td data-risk=rec.bad_debt_risk.as_str()>{rec.bad_debt_risk.label(language)}</td>
            <td class="num" data-testid="priority-score">{item.priority_score.map(|v| format_fixed(language, v, 2)).unwrap_or_else(|| "–".into())}</td>
            <td class="num">{amount(rec.advance_amount)}</td>
            <td class="num">{score(rec.customer_value_score)}</td>
            <td class="num">{score(rec.advance_readiness_score)}</td>
            <td class="num">{amount(rec.arpu_avg_6m)}</td>
            <td data-trend=rec.arpu_trend.map(ArpuTrend::as_str)>{rec.arpu_trend.map_or("", |trend| trend.label(language))}</td>
            <td class="num">{rec.cluster_group.map(|c| c.to_string()).unwrap_or_default()}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_given() {
        let params = ListParams {
            service: "MBFG".into(),
            min_value: "70".into(),
            after: "NTYuMjV8YWJj".into(),
            ..Default::default()
        };
        assert_eq!(list_href(&params), "/subscribers?service=MBFG&min_value=70&after=NTYuMjV8YWJj");
        assert_eq!(list_href(&ListParams::default()), "/subscribers");
        assert_eq!(opening_href(&ListParams::default(), "++/a=="), "/subscribers?open=%2B%2B%2Fa==");
        let trend = ListParams { trend: "Giảm".into(), ..Default::default() };
        assert_eq!(list_href(&trend), "/subscribers?trend=Gi%E1%BA%A3m");
        assert_eq!(describe(Locale::en, MatchCount::AtLeast(10_000)), "10,000 or more subscribers match");
        assert_eq!(describe(Locale::vi, MatchCount::AtLeast(10_000)), "Từ 10.000 thuê bao phù hợp trở lên");
    }

    #[test]
    fn column_links_sort_then_turn_the_order_round_and_start_again() {
        let params = ListParams { risk: "LOW".into(), after: "abc".into(), ..Default::default() };
        let priority = Some((SortColumn::Priority, true));
        assert_eq!(sort_href(&params, SortColumn::Advance, priority), "/subscribers?risk=LOW&sort=advance");
        assert_eq!(sort_href(&params, SortColumn::Isdn, priority), "/subscribers?risk=LOW&sort=isdn");
        assert_eq!(sort_href(&params, SortColumn::Priority, priority), "/subscribers?risk=LOW&order=asc");
        let by_advance = Some((SortColumn::Advance, true));
        assert_eq!(sort_href(&params, SortColumn::Advance, by_advance), "/subscribers?risk=LOW&sort=advance&order=asc");
    }
}
