//! `/analytics/cohorts`: subscribers by the month of their first successful top-up, and
//! the share of each cohort that topped up again in each month since, as a heat map and
//! a table. Read from `cohort_analysis`, which the nightly job computes.

use crate::components::EChart;
use crate::domain::analytics::cohorts::{format_rate, Cohort, CohortReport, COHORT_MONTHS};
use crate::components::language;
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
use charming::component::{Axis, Grid, VisualMap};
use charming::datatype::DataPoint;
use charming::element::{AxisType, Label, Orient, Tooltip};
use charming::series::Heatmap;
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;

#[server]
pub async fn get_cohort_analysis() -> Result<CohortReport, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.cohort_report().await?)
}

#[component]
pub fn CohortsPage() -> impl IntoView {
    let report = Resource::new(|| (), |_| get_cohort_analysis());
    view! {
        <Title text="Cohorts"/>
        <section class="page">
            <h1>"Cohorts"</h1>
            <p class="hint">{format!(
                "Subscribers by the month of their first successful top-up in the last {COHORT_MONTHS} months (a subscriber who topped up before counts in the oldest cohort), and the share of each cohort that topped up successfully in each month since. Computed nightly."
            )}</p>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the cohorts…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) if report.cohorts.is_empty() => view! {
                            <div class="empty-state" role="status" data-testid="no-cohorts">
                                <h2>"No cohorts yet"</h2>
                                <p>{match report.computed_at {
                                    Some(at) => format!("Cohorts are computed nightly; last computed at {at}, when there were no successful top-ups in the last {COHORT_MONTHS} months."),
                                    None => "Cohorts are computed nightly from the successful top-ups; they have not been computed yet.".to_owned(),
                                }}</p>
                            </div>
                        }.into_any(),
                        Ok(report) => view! { <CohortGrid report/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">"The cohorts could not be loaded: " {error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn period_label(period: i32) -> String {
    format!("Month {period}")
}

/// Cohorts down (the oldest on top), months since across, retention as the colour.
fn retention_heat_map(report: &CohortReport) -> Chart {
    let months: Vec<String> = (0..report.periods()).map(period_label).collect();
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
        .tooltip(Tooltip::new())
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
        .series(Heatmap::new().name("Retention (%)").label(Label::new().show(true)).data(cells))
}

#[component]
fn CohortGrid(report: CohortReport) -> impl IntoView {
    let periods = report.periods();
    let chart = retention_heat_map(&report);
    let month_headers = (0..periods).map(|period| view! { <th scope="col">{period_label(period)}</th> }).collect_view();
    let rows = report.cohorts.iter().map(|cohort| view! { <CohortRow cohort=cohort.clone() periods/> }).collect_view();
    let computed_at = report.computed_at.clone().unwrap_or_default();
    view! {
        <p class="list-count" data-testid="cohort-count">
            {format!("{} cohorts, {} subscribers.", report.cohorts.len(),
                format_count(language(), report.cohorts.iter().map(|cohort| cohort.size).sum()))}
            <span class="as-of">{format!(" Computed nightly; last computed at {computed_at}.")}</span>
        </p>
        <EChart id="cohort-heat-map" title="Retention by cohort and months since the first top-up" chart>
            <table class="data-table" data-testid="cohort-table">
                <thead><tr>
                    <th scope="col">"Cohort"</th><th scope="col">"Size"</th>
                    {month_headers}
                    <th scope="col">"Revenue"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </EChart>
    }
}

#[component]
fn CohortRow(cohort: Cohort, periods: i32) -> impl IntoView {
    let cells = (0..periods)
        .map(|period| match cohort.cells.iter().find(|cell| cell.period == period) {
            Some(cell) => view! {
                <td class="number" title=format!("{} of {} subscribers, {}", format_count(language(), cell.active_users),
                    format_count(language(), cohort.size), format_vnd(language(), cell.revenue))>
                    {format_rate(cell.retention_rate)}
                </td>
            }
            .into_any(),
            None => view! { <td class="number">"—"</td> }.into_any(),
        })
        .collect_view();
    view! {
        <tr data-cohort=cohort.month.clone()>
            <th scope="row">{cohort.month.clone()}</th>
            <td class="number">{format_count(language(), cohort.size)}</td>
            {cells}
            <td class="number">{format_vnd(language(), cohort.revenue())}</td>
        </tr>
    }
}
