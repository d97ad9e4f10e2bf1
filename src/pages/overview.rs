//! The overview: seed 001's `ut360:meta:stats` figures and subscribers by service and risk.

use crate::components::{EChart, StatCard};
use crate::domain::figures::OverviewStats;
use crate::domain::format::{format_count, format_vnd};
use crate::domain::recommendation::{RiskLevel, ServiceType};
use crate::domain::server_error::ServerError;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::Bar;
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;

#[server]
pub async fn get_overview() -> Result<OverviewStats, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.on_replica(|store| async move { store.overview().await }).await?)
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text="Overview"/>
        <section class="page">
            <h1>"Overview"</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading figures…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(stats) if stats.is_empty() => view! { <NoDataYet/> }.into_any(),
                        Ok(stats) => view! { <OverviewFigures stats/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">"The figures could not be loaded: " {error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NoDataYet() -> impl IntoView {
    view! {
        <div class="empty-state">
            <h2>"No subscribers yet"</h2>
            <p>"Load the demo data with " <code>"ut360 generate"</code> " or import the data files, then reload."</p>
        </div>
    }
}

#[component]
fn OverviewFigures(stats: OverviewStats) -> impl IntoView {
    let service_cards = ServiceType::ALL
        .iter()
        .map(|service| {
            let count = stats.subscribers_of_service(*service);
            view! { <StatCard label=service.as_str() value=format_count(count) testid=service.as_str()/> }
        })
        .collect_view();
    let risk_cards = stats
        .present_risks()
        .into_iter()
        .map(|risk| {
            let count = stats.subscribers_at_risk(risk);
            let share = if stats.total_subscribers > 0 { 100.0 * count as f64 / stats.total_subscribers as f64 } else { 0.0 };
            view! {
                <StatCard label=risk_label(risk) value=format_count(count) detail=format!("{share:.1}% of subscribers") testid=risk.as_str()/>
            }
        })
        .collect_view();

    let (updated_date, updated_time) = match stats.last_updated.as_deref().and_then(|at| at.split_once('T')) {
        Some((date, time)) => (date.to_owned(), format!("at {time}")),
        None => ("never".to_owned(), String::new()),
    };

    view! {
        <div class="stat-grid">
            <StatCard label="Subscribers" value=format_count(stats.total_subscribers) testid="total_subscribers"/>
            <StatCard label="Average advance" value=format_vnd(stats.avg_advance_amount) testid="avg_advance_amount"/>
            <StatCard label="Revenue potential" value=format_vnd(stats.total_revenue_potential) testid="total_revenue_potential"/>
            <StatCard label="Last updated" value=updated_date detail=updated_time testid="last_updated"/>
        </div>
        <h2>"By service"</h2>
        <div class="stat-grid">{service_cards}</div>
        <h2>"By risk"</h2>
        <div class="stat-grid">{risk_cards}</div>
        <EChart id="service-risk-chart" title="Subscribers by service and risk" chart=service_risk_chart(&stats)>
            <ServiceRiskTable stats=stats.clone()/>
        </EChart>
    }
}

fn risk_label(risk: RiskLevel) -> &'static str {
    match risk {
        RiskLevel::Low => "Low risk",
        RiskLevel::Medium => "Medium risk",
        RiskLevel::High => "High risk",
    }
}

fn service_risk_chart(stats: &OverviewStats) -> Chart {
    let services: Vec<&str> = ServiceType::ALL.iter().map(|s| s.as_str()).collect();
    let mut chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(70).right(20).top(20).bottom(50))
        .x_axis(Axis::new().type_(AxisType::Category).data(services))
        .y_axis(Axis::new().type_(AxisType::Value));
    for risk in stats.present_risks() {
        let counts: Vec<i64> =
            ServiceType::ALL.iter().map(|service| stats.subscribers_of_service_at_risk(*service, risk)).collect();
        chart = chart.series(Bar::new().name(risk.as_str()).stack("subscribers").data(counts));
    }
    chart
}

#[component]
fn ServiceRiskTable(stats: OverviewStats) -> impl IntoView {
    let risks = stats.present_risks();
    let header = risks.iter().map(|risk| view! { <th scope="col" class="num">{risk.as_str()}</th> }).collect_view();
    let rows = ServiceType::ALL
        .iter()
        .map(|service| {
            let cells = risks
                .iter()
                .map(|risk| view! { <td class="num">{format_count(stats.subscribers_of_service_at_risk(*service, *risk))}</td> })
                .collect_view();
            let total = stats.subscribers_of_service(*service);
            view! {
                <tr data-service=service.as_str()>
                    <th scope="row">{service.as_str()}</th>
                    {cells}
                    <td class="num total">{format_count(total)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="service-risk-table">
            <thead>
                <tr><th scope="col">"Service"</th>{header}<th scope="col" class="num">"Total"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
