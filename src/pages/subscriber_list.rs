//! `/subscribers`: recommendations by priority (seed 001 use cases 2 to 4), filtered
//! by the URL's query so a list can be shared and survives a reload, a page at a time.

use crate::domain::{isdn_path_segment, ListedRecommendation, MatchCount, RecommendationPage, RiskLevel, ServiceType};
use crate::format::{format_count, format_vnd};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// The list's query parameters as typed in the URL ("" when absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListQuery {
    pub service: String,
    pub risk: String,
    pub cluster: String,
    pub min_value: String,
    pub min_readiness: String,
    pub after: String,
}

impl ListQuery {
    fn pairs(&self) -> [(&'static str, &str); 6] {
        [
            ("service", &self.service),
            ("risk", &self.risk),
            ("cluster", &self.cluster),
            ("min_value", &self.min_value),
            ("min_readiness", &self.min_readiness),
            ("after", &self.after),
        ]
    }

    /// `/subscribers?…` with the parameters that have a value.
    pub fn href(&self) -> String {
        let query: Vec<String> = self
            .pairs()
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", isdn_path_segment(value)))
            .collect();
        if query.is_empty() { "/subscribers".into() } else { format!("/subscribers?{}", query.join("&")) }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriberList {
    pub page: RecommendationPage,
    pub total: MatchCount,
}

#[server]
pub async fn get_subscriber_list(query: ListQuery) -> Result<SubscriberList, ServerFnError> {
    use crate::data::lists::{PageCursor, DEFAULT_PAGE_SIZE};
    use crate::server::{error::AppError, state::AppState};
    let state = expect_context::<AppState>();
    let bad = |(field, message): (&'static str, String)| AppError::BadRequest { field, message };
    let filter = crate::domain::RecommendationFilter::from_params(
        Some(&query.service),
        Some(&query.risk),
        Some(&query.cluster),
        Some(&query.min_value),
        Some(&query.min_readiness),
    )
    .map_err(bad)?;
    let after = Some(&query.after).filter(|after| !after.is_empty()).map(|after| PageCursor::decode(after));
    let after = after.transpose().map_err(|message| bad(("after", message)))?;
    let (page, total) = tokio::try_join!(
        state.store.recommendation_page(&state.organization, &filter, after.as_ref(), DEFAULT_PAGE_SIZE),
        state.store.recommendation_count(&state.organization, &filter),
    )
    .map_err(AppError::from)?;
    Ok(SubscriberList { page, total })
}

#[component]
pub fn SubscriberListPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = move || {
        let map = query_map.read();
        let get = |name: &str| map.get(name).unwrap_or_default();
        ListQuery {
            service: get("service"),
            risk: get("risk"),
            cluster: get("cluster"),
            min_value: get("min_value"),
            min_readiness: get("min_readiness"),
            after: get("after"),
        }
    };
    let list = Resource::new(query, get_subscriber_list);
    view! {
        <Title text="Subscribers"/>
        <section class="page">
            <h1>"Subscribers"</h1>
            {move || view! { <FilterForm query=query()/> }}
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading subscribers…"</p> }>
                {move || {
                    let query = query();
                    Suspend::new(async move {
                        match list.await {
                            Ok(list) => view! { <ListResults list query/> }.into_any(),
                            Err(error) => view! {
                                <p class="error" role="alert" data-testid="list-error">{error.to_string()}</p>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// A plain GET form: filtering works without JavaScript and lands in the URL.
#[component]
fn FilterForm(query: ListQuery) -> impl IntoView {
    let options = |all: Vec<&'static str>, current: String| {
        all.into_iter()
            .map(|value| view! { <option value=value selected=current == value>{value}</option> })
            .collect_view()
    };
    view! {
        <form class="filters" method="get" action="/subscribers" aria-label="Filters">
            <label>"Service"
                <select name="service">
                    <option value="">"All"</option>
                    {options(ServiceType::ALL.iter().map(|s| s.as_str()).collect(), query.service.clone())}
                </select>
            </label>
            <label>"Risk"
                <select name="risk">
                    <option value="">"All"</option>
                    {options(RiskLevel::ALL.iter().map(|r| r.as_str()).collect(), query.risk.clone())}
                </select>
            </label>
            <label>"Cluster"
                <input name="cluster" type="number" min="0" step="1" value=query.cluster.clone() inputmode="numeric"/>
            </label>
            <label>"Min. customer value"
                <input name="min_value" type="number" min="0" max="100" step="any" value=query.min_value.clone()/>
            </label>
            <label>"Min. advance readiness"
                <input name="min_readiness" type="number" min="0" max="100" step="any" value=query.min_readiness.clone()/>
            </label>
            <button type="submit">"Apply"</button>
            <a href="/subscribers" class="clear">"Clear"</a>
        </form>
    }
}

fn describe(total: MatchCount) -> String {
    match total {
        MatchCount::Exact(1) => "1 subscriber matches".into(),
        MatchCount::Exact(count) => format!("{} subscribers match", format_count(count)),
        MatchCount::AtLeast(count) => format!("{} or more subscribers match", format_count(count)),
    }
}

#[component]
fn ListResults(list: SubscriberList, query: ListQuery) -> impl IntoView {
    if list.page.items.is_empty() {
        return view! {
            <div class="empty-state" data-testid="empty-list">
                <h2>"No subscribers match these filters"</h2>
                <p><a href="/subscribers">"Clear the filters"</a></p>
            </div>
        }
        .into_any();
    }
    let next = list.page.next.clone().map(|after| ListQuery { after, ..query.clone() }.href());
    let first = (!query.after.is_empty()).then(|| ListQuery { after: String::new(), ..query.clone() }.href());
    view! {
        <p class="list-count" data-testid="list-count">{describe(list.total)}", highest priority first"</p>
        <div class="table-scroll">
            <table class="data-table" data-testid="subscriber-table">
                <thead>
                    <tr>
                        <th scope="col">"ISDN"</th>
                        <th scope="col">"Service"</th>
                        <th scope="col">"Risk"</th>
                        <th scope="col" class="num">"Priority score"</th>
                        <th scope="col" class="num">"Advance"</th>
                        <th scope="col" class="num">"Customer value"</th>
                        <th scope="col" class="num">"Readiness"</th>
                        <th scope="col" class="num">"ARPU (avg)"</th>
                        <th scope="col">"Trend"</th>
                        <th scope="col" class="num">"Cluster"</th>
                    </tr>
                </thead>
                <tbody>{list.page.items.into_iter().map(|item| view! { <ListRow item/> }).collect_view()}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {first.map(|href| view! { <a href=href data-testid="first-page">"← First page"</a> })}
            {next.map(|href| view! { <a href=href data-testid="next-page">"Next page →"</a> })}
        </nav>
    }
    .into_any()
}

/// Plain links: the router still navigates in the browser, and a page of 100 rows
/// renders without 100 router components.
#[component]
fn ListRow(item: ListedRecommendation) -> impl IntoView {
    let rec = item.recommendation;
    let score = |value: Option<f64>| value.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into());
    let amount = |value: Option<f64>| value.map(format_vnd).unwrap_or_else(|| "–".into());
    let href = format!("/subscribers/{}", isdn_path_segment(&rec.isdn));
    let isdn = rec.isdn.clone();
    view! {
        <tr data-isdn=rec.isdn>
            <td><a href=href class="isdn">{isdn}</a></td>
            <td>{rec.service_type}</td>
            <td>{rec.bad_debt_risk}</td>
            <td class="num" data-testid="priority-score">{item.priority_score.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into())}</td>
            <td class="num">{amount(rec.advance_amount)}</td>
            <td class="num">{score(rec.customer_value_score)}</td>
            <td class="num">{score(rec.advance_readiness_score)}</td>
            <td class="num">{amount(rec.arpu_avg_6m)}</td>
            <td>{rec.arpu_trend.unwrap_or_default()}</td>
            <td class="num">{rec.cluster_group.map(|c| c.to_string()).unwrap_or_default()}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_given() {
        let query = ListQuery { service: "MBFG".into(), min_value: "70".into(), after: "NTYuMjV8YWJj".into(), ..Default::default() };
        assert_eq!(query.href(), "/subscribers?service=MBFG&min_value=70&after=NTYuMjV8YWJj");
        assert_eq!(ListQuery::default().href(), "/subscribers");
        assert_eq!(describe(MatchCount::AtLeast(10_000)), "10,000 or more subscribers match");
    }
}
