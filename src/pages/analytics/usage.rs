//! `/admin/usage?page=…`: who is using UT360 now (members active in the last minutes,
//! on which page, from which device), and the page views per page and per day over the
//! last 30 days. Read from `realtime_sessions` and `event_tracking`, which the app's
//! own traffic fills (`crate::server::page_views`).

use crate::components::language;
use crate::components::{EChart, StatCard};
use crate::domain::analytics::usage::{
    format_duration, usage_href, ActiveSession, DayUsage, DeviceType, PageUsage, UsageReport, ACTIVE_MINUTES,
    USAGE_DAYS,
};
use crate::domain::format::format_count;
use crate::domain::server_error::ServerError;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::{Bar, Line};
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Page `page` ("" or 1 is the first) of the organization's usage.
#[server]
pub async fn get_usage(page: String) -> Result<UsageReport, ServerError> {
    use crate::domain::analytics::usage::parse_page;
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let page =
        parse_page(&page).map_err(|message| ServerError::from(AppError::BadRequest { field: "page", message }))?;
    Ok(store.usage_report(page).await?)
}

#[component]
pub fn UsagePage() -> impl IntoView {
    let query = use_query_map();
    let page = Memo::new(move |_| query.read().get("page").unwrap_or_default());
    let report = Resource::new(move || page.get(), get_usage);
    view! {
        <Title text="Who is using UT360"/>
        <section class="page admin">
            <h1>"Who is using UT360 now"</h1>
            <p class="hint">{format!(
                "Members of this organization who opened a page or did something in the last {ACTIVE_MINUTES} minutes, and the pages opened over the last {USAGE_DAYS} days (days in UTC)."
            )}</p>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the usage…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <UsageView report/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href=usage_href(1)>"Show the first page"</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UsageView(report: UsageReport) -> impl IntoView {
    let total_views: i64 = report.days.iter().map(|day| day.page_views).sum();
    let has_more = report.has_more();
    let page = report.page;
    view! {
        <div class="stat-grid">
            <StatCard label="Active now" value=format_count(language(), report.active_total) testid="active-now"/>
            <StatCard label="Page views, 30 days" value=format_count(language(), total_views) testid="page-views-total"/>
            <StatCard label="Pages opened, 30 days" value=format_count(language(), report.pages_total) testid="pages-total"/>
        </div>
        <section aria-labelledby="active-title">
            <h2 id="active-title">{format!("Active in the last {ACTIVE_MINUTES} minutes")}</h2>
            {if report.active.is_empty() {
                view! {
                    <div class="empty-state" role="status" data-testid="no-active-members">
                        <p>{format!("Nobody has used UT360 in the last {ACTIVE_MINUTES} minutes{}.", if page > 1 { " on this page" } else { "" })}</p>
                    </div>
                }.into_any()
            } else {
                view! { <ActiveTable sessions=report.active/> }.into_any()
            }}
        </section>
        <section aria-labelledby="pages-title">
            <h2 id="pages-title">{format!("Pages over the last {USAGE_DAYS} days")}</h2>
            {if report.pages.is_empty() {
                view! {
                    <div class="empty-state" role="status" data-testid="no-page-views">
                        <p>"No page has been opened in this period yet."</p>
                    </div>
                }.into_any()
            } else {
                view! { <PageTable pages=report.pages/> }.into_any()
            }}
        </section>
        <nav class="pager" aria-label="Pages of the lists">
            {(page > 1).then(|| view! { <a href=usage_href(page - 1) rel="prev">"Previous"</a> })}
            {has_more.then(|| view! { <a href=usage_href(page + 1) rel="next" data-testid="next-usage-page">"Next"</a> })}
        </nav>
        <section aria-labelledby="days-title">
            <h2 id="days-title">"Per day"</h2>
            <DayChart days=report.days/>
        </section>
    }
}

#[component]
fn ActiveTable(sessions: Vec<ActiveSession>) -> impl IntoView {
    let rows = sessions
        .into_iter()
        .map(|session| {
            let device = DeviceType::parse(&session.device).map_or("Unknown", DeviceType::label);
            view! {
                <tr>
                    <td>{session.email.unwrap_or_else(|| "a former member".to_owned())}</td>
                    <td><code>{session.page_url}</code></td>
                    <td>{format!("{device} · {} · {}", session.browser, session.os)}</td>
                    <td>{session.started_at}</td>
                    <td>{session.last_activity}</td>
                    <td class="num">{format_duration(session.duration_seconds)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="active-sessions">
            <thead><tr>
                <th scope="col">"Member"</th><th scope="col">"Page"</th><th scope="col">"Device, browser, system"</th>
                <th scope="col">"Since"</th><th scope="col">"Last activity"</th><th scope="col" class="num">"Session length"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn PageTable(pages: Vec<PageUsage>) -> impl IntoView {
    let rows = pages
        .into_iter()
        .map(|page| {
            let key = page.page.clone();
            view! {
                <tr data-page=key>
                    <th scope="row"><code>{page.page}</code></th>
                    <td class="num">{format_count(language(), page.page_views)}</td>
                    <td class="num">{format_count(language(), page.sessions)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="page-usage">
            <thead><tr>
                <th scope="col">"Page"</th><th scope="col" class="num">"Page views"</th><th scope="col" class="num">"Sessions"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn DayChart(days: Vec<DayUsage>) -> impl IntoView {
    let chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(60).right(20).top(20).bottom(50))
        .x_axis(Axis::new().type_(AxisType::Category).data(days.iter().map(|d| d.day.clone()).collect::<Vec<String>>()))
        .y_axis(Axis::new().type_(AxisType::Value))
        .series(Bar::new().name("Page views").data(days.iter().map(|d| d.page_views).collect::<Vec<i64>>()))
        .series(Line::new().name("Sessions").data(days.iter().map(|d| d.sessions).collect::<Vec<i64>>()));
    // The newest days first in the table: the ones a reader looks for.
    let rows = days
        .iter()
        .rev()
        .map(|d| {
            view! {
                <tr data-day=d.day.clone()>
                    <th scope="row">{d.day.clone()}</th>
                    <td class="num">{format_count(language(), d.page_views)}</td>
                    <td class="num">{format_count(language(), d.sessions)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <EChart id="usage-per-day-chart" title="Page views and sessions per day" chart>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Page views per day: the days">
                <table class="data-table" data-testid="usage-per-day">
                    <thead><tr>
                        <th scope="col">"Day"</th><th scope="col" class="num">"Page views"</th><th scope="col" class="num">"Sessions"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </EChart>
    }
}
