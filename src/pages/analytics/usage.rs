//! `/admin/usage?page=…`: who is using UT360 now (members active in the last minutes,
//! on which page, from which device), and the page views per page and per day over the
//! last 30 days. Read from `realtime_sessions` and `event_tracking`, which the app's
//! own traffic fills (`crate::server::page_views`).

use crate::components::language;
use crate::components::{axis_tooltip, value_axis, EChart, Figure, StatCard};
use crate::domain::analytics::usage::{
    format_duration, usage_href, ActiveSession, DayUsage, DeviceType, PageUsage, UsageReport, ACTIVE_MINUTES,
    USAGE_DAYS,
};
use crate::domain::format::format_count;
use crate::domain::server_error::ServerError;
use charming::component::{Axis, Grid, Legend};
use charming::element::AxisType;
use charming::series::{Bar, Line};
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::format::{format_date, format_date_time};
use crate::i18n::{t, td_string, use_i18n};

/// Page `page` ("" or 1 is the first) of the organization's usage.
#[server]
pub async fn get_usage(page: String) -> Result<UsageReport, ServerError> {
    use crate::domain::analytics::usage::parse_page;
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let page = parse_page(&page).map_err(|_| {
        let locale = crate::i18n::Locale::from(crate::components::request_language());
        let message = tf!(locale, usage.bad_page, value = format!("{:?}", page.trim()));
        ServerError::from(AppError::BadRequest { field: "page", message })
    })?;
    Ok(store.usage_report(page).await?)
}

#[component]
pub fn UsagePage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let query = use_query_map();
    let page = Memo::new(move |_| query.read().get("page").unwrap_or_default());
    let report = Resource::new(move || page.get(), get_usage);
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), usage.title)/>
        <section class="page admin">
            <h1>{t!(i18n, usage.heading)}</h1>
            <p class="hint">{tf!(l, usage.hint, minutes = ACTIVE_MINUTES, days = USAGE_DAYS)}</p>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, usage.loading)}</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <UsageView report/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href=usage_href(1)>{t!(i18n, usage.first_page)}</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UsageView(report: UsageReport) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let total_views: i64 = report.days.iter().map(|day| day.page_views).sum();
    let has_more = report.has_more();
    let page = report.page;
    view! {
        <div class="stat-grid">
            <StatCard label=td_string!(l, usage.active_now) value=format_count(language, report.active_total) testid="active-now"/>
            <StatCard label=td_string!(l, usage.page_views_30) value=format_count(language, total_views) testid="page-views-total"/>
            <StatCard label=td_string!(l, usage.pages_30) value=format_count(language, report.pages_total) testid="pages-total"/>
        </div>
        <section aria-labelledby="active-title">
            <h2 id="active-title">{tf!(l, usage.active_in_last, minutes = ACTIVE_MINUTES)}</h2>
            {if report.active.is_empty() {
                view! {
                    <div class="empty-state" role="status" data-testid="no-active-members">
                        <p>
                            {if page > 1 {
                                tf!(l, usage.nobody_on_page, minutes = ACTIVE_MINUTES)
                            } else {
                                tf!(l, usage.nobody, minutes = ACTIVE_MINUTES)
                            }}
                        </p>
                    </div>
                }.into_any()
            } else {
                view! { <ActiveTable sessions=report.active/> }.into_any()
            }}
        </section>
        <section aria-labelledby="pages-title">
            <h2 id="pages-title">{tf!(l, usage.pages_over, days = USAGE_DAYS)}</h2>
            {if report.pages.is_empty() {
                view! {
                    <div class="empty-state" role="status" data-testid="no-page-views">
                        <p>{t!(i18n, usage.no_page_views)}</p>
                    </div>
                }.into_any()
            } else {
                view! { <PageTable pages=report.pages/> }.into_any()
            }}
        </section>
        <nav class="pager" aria-label=td_string!(l, usage.list_pages)>
            {(page > 1).then(|| view! { <a href=usage_href(page - 1) rel="prev">{td_string!(l, usage.previous)}</a> })}
            {has_more.then(|| view! { <a href=usage_href(page + 1) rel="next" data-testid="next-usage-page">{td_string!(l, usage.next)}</a> })}
        </nav>
        <section aria-labelledby="days-title">
            <h2 id="days-title">{t!(i18n, usage.per_day)}</h2>
            <DayChart days=report.days/>
        </section>
    }
}

#[component]
fn ActiveTable(sessions: Vec<ActiveSession>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let rows = sessions
        .into_iter()
        .map(|session| {
            let device = DeviceType::parse(&session.device)
                .map_or(td_string!(l, usage.unknown_device), |device| device.label(language));
            view! {
                <tr>
                    <td>{session.email.unwrap_or_else(|| td_string!(l, usage.former_member).to_owned())}</td>
                    <td><code>{session.page_url}</code></td>
                    <td>{format!("{device} · {} · {}", session.browser, session.os)}</td>
                    <td>{format_date_time(language, &session.started_at)}</td>
                    <td>{format_date_time(language, &session.last_activity)}</td>
                    <td class="num">{format_duration(language, session.duration_seconds)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=td_string!(l, usage.active_now)>
            <table class="data-table" data-testid="active-sessions">
                <thead><tr>
                    <th scope="col">{t!(i18n, usage.member)}</th><th scope="col">{t!(i18n, usage.page)}</th>
                    <th scope="col">{t!(i18n, usage.device)}</th><th scope="col">{t!(i18n, usage.since)}</th>
                    <th scope="col">{t!(i18n, usage.last_activity)}</th><th scope="col" class="num">{t!(i18n, usage.session_length)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn PageTable(pages: Vec<PageUsage>) -> impl IntoView {
    let i18n = use_i18n();
    let language = language();
    let rows = pages
        .into_iter()
        .map(|page| {
            let key = page.page.clone();
            view! {
                <tr data-page=key>
                    <th scope="row"><code>{page.page}</code></th>
                    <td class="num">{format_count(language, page.page_views)}</td>
                    <td class="num">{format_count(language, page.sessions)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=td_string!(i18n.get_locale_untracked(), usage.pages_30)>
            <table class="data-table" data-testid="page-usage">
                <thead><tr>
                    <th scope="col">{t!(i18n, usage.page)}</th><th scope="col" class="num">{t!(i18n, usage.page_views)}</th>
                    <th scope="col" class="num">{t!(i18n, usage.sessions)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn DayChart(days: Vec<DayUsage>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let chart = Chart::new()
        .tooltip(axis_tooltip(Figure::Count))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(10).right(20).top(20).bottom(50).contain_label(true))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(days.iter().map(|d| format_date(language, &d.day)).collect::<Vec<String>>()),
        )
        .y_axis(value_axis(Figure::Count))
        .series(
            Bar::new()
                .name(td_string!(l, usage.page_views))
                .data(days.iter().map(|d| d.page_views).collect::<Vec<i64>>()),
        )
        .series(
            Line::new().name(td_string!(l, usage.sessions)).data(days.iter().map(|d| d.sessions).collect::<Vec<i64>>()),
        );
    // The newest days first in the table: the ones a reader looks for.
    let rows = days
        .iter()
        .rev()
        .map(|d| {
            view! {
                <tr data-day=d.day.clone()>
                    <th scope="row">{format_date(language, &d.day)}</th>
                    <td class="num">{format_count(language, d.page_views)}</td>
                    <td class="num">{format_count(language, d.sessions)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <EChart id="usage-per-day-chart" title=td_string!(l, usage.chart) chart>
            <div class="table-scroll" tabindex="0" role="region" aria-label=td_string!(l, usage.the_days)>
                <table class="data-table" data-testid="usage-per-day">
                    <thead><tr>
                        <th scope="col">{t!(i18n, usage.day)}</th><th scope="col" class="num">{t!(i18n, usage.page_views)}</th>
                        <th scope="col" class="num">{t!(i18n, usage.sessions)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </EChart>
    }
}
