//! `/analytics/cohorts`: subscribers by the month of their first successful top-up, and
//! the share of each cohort that topped up again in each month since, as a heat map and
//! a table. Read from `cohort_analysis`, which the nightly job computes.

use crate::components::{language, series_tooltip, value_label, EChart, Figure};
use crate::domain::analytics::cohorts::{format_rate, Cohort, CohortReport, COHORT_MONTHS};
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
use charming::component::{Axis, Grid, VisualMap};
use charming::datatype::DataPoint;
use charming::element::{AxisType, Orient};
use charming::series::Heatmap;
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::format::format_date_time;
use crate::i18n::{t, td_string, use_i18n, Locale};

#[server]
pub async fn get_cohort_analysis() -> Result<CohortReport, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.cohort_report().await?)
}

#[component]
pub fn CohortsPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let report = Resource::new(|| (), |_| get_cohort_analysis());
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), cohorts.title)/>
        <section class="page">
            <h1>{t!(i18n, cohorts.title)}</h1>
            <p class="hint">{tf!(l, cohorts.hint, months = COHORT_MONTHS)}</p>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, cohorts.loading)}</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) if report.cohorts.is_empty() => view! {
                            <div class="empty-state" role="status" data-testid="no-cohorts">
                                <h2>{t!(i18n, cohorts.none_yet)}</h2>
                                <p>{match report.computed_at {
                                    Some(at) => tf!(l, cohorts.computed_empty, at = format_date_time(language(), &at), months = COHORT_MONTHS),
                                    None => td_string!(l, cohorts.never_computed).to_owned(),
                                }}</p>
                            </div>
                        }.into_any(),
                        Ok(report) => view! { <CohortGrid report/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{t!(i18n, cohorts.load_failed)} {error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn period_label(locale: Locale, period: i32) -> String {
    tf!(locale, cohorts.month_n, n = period)
}

/// Cohorts down (the oldest on top), months since across, retention as the colour.
fn retention_heat_map(locale: Locale, report: &CohortReport) -> Chart {
    let months: Vec<String> = (0..report.periods()).map(|period| period_label(locale, period)).collect();
    let cohorts: Vec<String> = report.cohorts.iter().map(|cohort| cohort.month.clone()).collect();
    let cells: Vec<Vec<DataPoint>> = report
        .cohorts
        .iter()
        .enumerate()
        .flat_map(|(row, cohort)| {
            cohort.cells.iter().map(move |cell| {
                let percent = (cell.retention_rate * 1000.0).round() / 10.0;
                vec![DataPoint::from(cell.period), DataPoint::from(row as i64), DataPoint::from(percent)]
            })
        })
        .collect();
    Chart::new()
        .tooltip(series_tooltip(Figure::Percent))
        .grid(Grid::new().left(80).right(20).top(10).bottom(80))
        .x_axis(Axis::new().type_(AxisType::Category).data(months))
        .y_axis(Axis::new().type_(AxisType::Category).data(cohorts).inverse(true))
        .visual_map(
            VisualMap::new()
                .min(0)
                .max(100)
                .calculable(true)
                .orient(Orient::Horizontal)
                .left("center")
                .bottom(0)
                .text_style(charming::element::TextStyle::new().color("#222")),
        )
        .series(
            Heatmap::new()
                .name(td_string!(locale, cohorts.retention_pct))
                .label(value_label(Figure::Percent))
                .data(cells),
        )
}

#[component]
fn CohortGrid(report: CohortReport) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let periods = report.periods();
    let chart = retention_heat_map(l, &report);
    let month_headers =
        (0..periods).map(|period| view! { <th scope="col">{period_label(l, period)}</th> }).collect_view();
    let rows = report.cohorts.iter().map(|cohort| view! { <CohortRow cohort=cohort.clone() periods/> }).collect_view();
    let computed_at = report.computed_at.clone().unwrap_or_default();
    view! {
        <p class="list-count" data-testid="cohort-count">
            {tf!(
                l,
                cohorts.summary,
                cohorts = format_count(language, report.cohorts.len() as i64),
                subscribers = format_count(language, report.cohorts.iter().map(|cohort| cohort.size).sum())
            )}
            <span class="as-of">{tf!(l, cohorts.computed_at, at = format_date_time(language, &computed_at))}</span>
        </p>
        <EChart id="cohort-heat-map" title=td_string!(l, cohorts.chart) chart visual_map=Figure::Percent>
            <table class="data-table" data-testid="cohort-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, cohorts.cohort)}</th><th scope="col">{t!(i18n, cohorts.size)}</th>
                    {month_headers}
                    <th scope="col">{t!(i18n, cohorts.revenue)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </EChart>
    }
}

#[component]
fn CohortRow(cohort: Cohort, periods: i32) -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    let language = language();
    let cells = (0..periods)
        .map(|period| match cohort.cells.iter().find(|cell| cell.period == period) {
            Some(cell) => view! {
                <td class="number" title=tf!(l, cohorts.cell_title, active = format_count(language, cell.active_users),
                    size = format_count(language, cohort.size), revenue = format_vnd(language, cell.revenue))>
                    {format_rate(language, cell.retention_rate)}
                </td>
            }
            .into_any(),
            None => view! { <td class="number">"—"</td> }.into_any(),
        })
        .collect_view();
    view! {
        <tr data-cohort=cohort.month.clone()>
            <th scope="row">{cohort.month.clone()}</th>
            <td class="number">{format_count(language, cohort.size)}</td>
            {cells}
            <td class="number">{format_vnd(language, cohort.revenue())}</td>
        </tr>
    }
}
