//! The overview: seed 001's `ut360:meta:stats` figures and subscribers by service and risk.

use crate::components::{axis_tooltip, language, value_axis, EChart, Figure, StatCard};
use crate::domain::figures::OverviewStats;
use crate::domain::format::{format_count, format_date, format_decimal, format_vnd};
use crate::domain::language::Language;
use crate::domain::recommendation::{RiskLevel, ServiceType};
use crate::domain::server_error::ServerError;
use crate::i18n::{t, td_string, use_i18n, Locale};
use charming::component::{Axis, Grid, Legend};
use charming::element::AxisType;
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
    let i18n = use_i18n();
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), overview.title)/>
        <section class="page">
            <h1>{t!(i18n, overview.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, common.loading_figures)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(stats) if stats.is_empty() => view! { <NoDataYet/> }.into_any(),
                        Ok(stats) => view! { <OverviewFigures stats/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{t!(i18n, overview.load_failed)} {error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NoDataYet() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="empty-state">
            <h2>{t!(i18n, common.no_subscribers_yet)}</h2>
            <p>{t!(i18n, overview.load_demo)} <code>"ut360 generate"</code> {t!(i18n, overview.load_demo_end)}</p>
        </div>
    }
}

#[component]
fn OverviewFigures(stats: OverviewStats) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let language: Language = language();
    let service_cards = ServiceType::ALL
        .iter()
        .map(|service| {
            let count = stats.subscribers_of_service(*service);
            view! { <StatCard label=service.as_str() value=format_count(language, count) testid=service.as_str()/> }
        })
        .collect_view();
    let risk_cards = stats
        .present_risks()
        .into_iter()
        .map(|risk| {
            let count = stats.subscribers_at_risk(risk);
            let share =
                if stats.total_subscribers > 0 { 100.0 * count as f64 / stats.total_subscribers as f64 } else { 0.0 };
            let share = format_decimal(language, share);
            view! {
                <StatCard
                    label=risk_label(locale, risk)
                    value=format_count(language, count)
                    detail=tf!(locale, overview.share_of_subscribers, share = share)
                    testid=risk.as_str()
                />
            }
        })
        .collect_view();

    let (updated_date, updated_time) = match stats.last_updated.as_deref().and_then(|at| at.split_once('T')) {
        Some((date, time)) => (format_date(language, date), tf!(locale, overview.at_time, time = time)),
        None => (td_string!(locale, overview.never).to_owned(), String::new()),
    };

    view! {
        <div class="stat-grid">
            <StatCard label=td_string!(locale, common.subscribers) value=format_count(language, stats.total_subscribers) testid="total_subscribers"/>
            <StatCard label=td_string!(locale, overview.average_advance) value=format_vnd(language, stats.avg_advance_amount) testid="avg_advance_amount"/>
            <StatCard label=td_string!(locale, overview.revenue_potential) value=format_vnd(language, stats.total_revenue_potential) testid="total_revenue_potential"/>
            <StatCard label=td_string!(locale, overview.last_updated) value=updated_date detail=updated_time testid="last_updated"/>
        </div>
        <h2>{t!(i18n, overview.by_service)}</h2>
        <div class="stat-grid">{service_cards}</div>
        <h2>{t!(i18n, overview.by_risk)}</h2>
        <div class="stat-grid">{risk_cards}</div>
        <EChart id="service-risk-chart" title=td_string!(locale, overview.service_risk_chart) chart=service_risk_chart(locale, &stats)>
            <ServiceRiskTable stats=stats.clone()/>
        </EChart>
    }
}

/// A risk level as a card, a chart's series or a column names it (`Rủi ro thấp`).
pub(crate) fn risk_label(locale: Locale, risk: RiskLevel) -> &'static str {
    match risk {
        RiskLevel::Low => td_string!(locale, overview.low_risk),
        RiskLevel::Medium => td_string!(locale, overview.medium_risk),
        RiskLevel::High => td_string!(locale, overview.high_risk),
    }
}

fn service_risk_chart(locale: Locale, stats: &OverviewStats) -> Chart {
    let services: Vec<&str> = ServiceType::ALL.iter().map(|s| s.as_str()).collect();
    let mut chart = Chart::new()
        .tooltip(axis_tooltip(Figure::Count))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(10).right(20).top(20).bottom(50).contain_label(true))
        .x_axis(Axis::new().type_(AxisType::Category).data(services))
        .y_axis(value_axis(Figure::Count));
    for risk in stats.present_risks() {
        let counts: Vec<i64> =
            ServiceType::ALL.iter().map(|service| stats.subscribers_of_service_at_risk(*service, risk)).collect();
        chart = chart.series(Bar::new().name(risk_label(locale, risk)).stack("subscribers").data(counts));
    }
    chart
}

#[component]
fn ServiceRiskTable(stats: OverviewStats) -> impl IntoView {
    let i18n = use_i18n();
    let language = language();
    let risks = stats.present_risks();
    let locale = i18n.get_locale_untracked();
    let header = risks
        .iter()
        .map(|risk| view! { <th scope="col" class="num" data-risk=risk.as_str()>{risk_label(locale, *risk)}</th> })
        .collect_view();
    let rows = ServiceType::ALL
        .iter()
        .map(|service| {
            let cells = risks
                .iter()
                .map(|risk| view! { <td class="num">{format_count(language, stats.subscribers_of_service_at_risk(*service, *risk))}</td> })
                .collect_view();
            let total = stats.subscribers_of_service(*service);
            view! {
                <tr data-service=service.as_str()>
                    <th scope="row">{service.as_str()}</th>
                    {cells}
                    <td class="num total">{format_count(language, total)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="service-risk-table">
            <thead>
                <tr><th scope="col">{t!(i18n, common.service)}</th>{header}<th scope="col" class="num">{t!(i18n, common.total)}</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
