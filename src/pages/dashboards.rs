//! `/dashboards`: subscribers by service (seed 001 pattern 7), by service and risk
//! (pattern 8) and by cluster. Every bar, and every count in the tables, opens the
//! subscriber list filtered to it, whose count is the same figure.

use crate::components::{axis_tooltip, language, value_axis, EChart, Figure};
use crate::domain::figures::{Dashboards, GroupFigures};
use crate::domain::format::{format_count, format_decimal, format_vnd};
use crate::domain::lists::ListParams;
use crate::domain::recommendation::{RiskLevel, ServiceType};
use crate::domain::server_error::ServerError;
use crate::pages::overview::risk_label;
use crate::pages::subscriber_list::list_href as filtered_list_href;
use charming::component::{Axis, Grid, Legend};
use charming::element::AxisType;
use charming::series::Bar;
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{t, td_string, use_i18n, Locale};

#[server]
pub async fn get_dashboards() -> Result<Dashboards, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.on_replica(|store| async move { store.dashboards().await }).await?)
}

fn list_href(service: Option<&str>, risk: Option<&str>, cluster: Option<&str>) -> String {
    let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
    filtered_list_href(&ListParams {
        service: text(service),
        risk: text(risk),
        cluster: text(cluster),
        ..Default::default()
    })
}

/// Bars are `service` categories; in the risk chart the series is the risk level, as
/// either language names it.
fn service_link(series: &str, category: &str) -> Option<String> {
    let service: ServiceType = category.parse().ok()?;
    let risk = RiskLevel::ALL
        .into_iter()
        .find(|risk| [Locale::vi, Locale::en].into_iter().any(|locale| risk_label(locale, *risk) == series))
        .or_else(|| series.parse().ok());
    Some(list_href(Some(service.as_str()), risk.map(|r| r.as_str()), None))
}

/// A cluster's bar as the chart's axis names it (`Cluster 3`, `Cụm 3`).
fn cluster_category(locale: Locale, cluster: &str) -> String {
    tf!(locale, dashboards.cluster_n, n = cluster)
}

/// Bars are `Cluster N` categories (in either language), stacked by service.
fn cluster_link(series: &str, category: &str) -> Option<String> {
    let cluster: i32 = [Locale::vi, Locale::en]
        .into_iter()
        .find_map(|locale| category.strip_prefix(cluster_category(locale, "").as_str()))?
        .parse()
        .ok()?;
    let service = series.parse::<ServiceType>().ok();
    Some(list_href(service.map(|s| s.as_str()), None, Some(&cluster.to_string())))
}

#[component]
pub fn DashboardsPage() -> impl IntoView {
    let i18n = use_i18n();
    let dashboards = Resource::new(|| (), |_| get_dashboards());
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), dashboards.title)/>
        <section class="page">
            <h1>{t!(i18n, dashboards.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, dashboards.loading)}</p> }>
                {move || Suspend::new(async move {
                    match dashboards.await {
                        Ok(figures) if figures.by_service.is_empty() => view! {
                            <div class="empty-state"><h2>{t!(i18n, common.no_subscribers_yet)}</h2></div>
                        }.into_any(),
                        Ok(figures) => view! { <DashboardFigures figures/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{t!(i18n, dashboards.load_failed)} {error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn categories(figures: &[GroupFigures], label: impl Fn(&str) -> String) -> Vec<String> {
    figures.iter().map(|f| label(&f.key)).collect()
}

fn bar_chart(categories: Vec<String>, series: Vec<Bar>) -> Chart {
    let mut chart = Chart::new()
        .tooltip(axis_tooltip(Figure::Count))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(70).right(20).top(20).bottom(50))
        .x_axis(Axis::new().type_(AxisType::Category).data(categories))
        .y_axis(value_axis(Figure::Count));
    for bar in series {
        chart = chart.series(bar);
    }
    chart
}

#[component]
fn DashboardFigures(figures: Dashboards) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let language = language();
    let services = categories(&figures.by_service, str::to_owned);
    let service_chart = bar_chart(
        services.clone(),
        vec![Bar::new()
            .name(td_string!(locale, common.subscribers))
            .data(figures.by_service.iter().map(|f| f.subscribers).collect::<Vec<_>>())],
    );
    let risk_series = RiskLevel::ALL
        .iter()
        .filter(|risk| figures.by_service_and_risk.iter().any(|f| f.key.ends_with(&format!("|{}", risk.as_str()))))
        .map(|risk| {
            let counts: Vec<i64> = services
                .iter()
                .map(|service| {
                    let key = format!("{service}|{}", risk.as_str());
                    figures.by_service_and_risk.iter().find(|f| f.key == key).map_or(0, |f| f.subscribers)
                })
                .collect();
            Bar::new().name(risk_label(locale, *risk)).stack("subscribers").data(counts)
        })
        .collect();
    let risk_chart = bar_chart(services, risk_series);
    let mix_of = |cluster: &str, service: ServiceType| {
        let key = format!("{}|{cluster}", service.as_str());
        figures.by_service_and_cluster.iter().find(|f| f.key == key).map_or(0, |f| f.subscribers)
    };
    let mix_series = ServiceType::ALL
        .iter()
        .map(|service| {
            let counts: Vec<i64> = figures.by_cluster.iter().map(|cluster| mix_of(&cluster.key, *service)).collect();
            Bar::new().name(service.as_str()).stack("subscribers").data(counts)
        })
        .collect();
    let cluster_chart = bar_chart(categories(&figures.by_cluster, |key| cluster_category(locale, key)), mix_series);
    let score = move |value: Option<f64>| value.map(|v| format_decimal(language, v)).unwrap_or_else(|| "–".into());

    let service_rows = figures
        .by_service
        .iter()
        .map(|f| {
            view! {
                <tr data-key=f.key.clone()>
                    <th scope="row">{f.key.clone()}</th>
                    <td class="num"><a href=list_href(Some(&f.key), None, None)>{format_count(language, f.subscribers)}</a></td>
                    <td class="num">{format_vnd(language, f.total_advance)}</td>
                    <td class="num">{format_vnd(language, f.total_revenue)}</td>
                    <td class="num">{score(f.avg_value_score)}</td>
                </tr>
            }
        })
        .collect_view();
    let risk_rows = figures
        .by_service_and_risk
        .iter()
        .filter_map(|f| {
            let (service, risk) = f.key.split_once('|')?;
            let average = if f.subscribers > 0 { f.total_advance / f.subscribers as f64 } else { 0.0 };
            Some(view! {
                <tr data-key=f.key.clone()>
                    <th scope="row">{service.to_owned()}</th>
                    <td data-risk=risk.to_owned()>{risk.parse().map_or(risk, |risk: RiskLevel| risk.label(language)).to_owned()}</td>
                    <td class="num"><a href=list_href(Some(service), Some(risk), None)>{format_count(language, f.subscribers)}</a></td>
                    <td class="num">{format_vnd(language, average)}</td>
                    <td class="num">{format_vnd(language, f.total_advance)}</td>
                </tr>
            })
        })
        .collect_view();
    let cluster_rows = figures
        .by_cluster
        .iter()
        .map(|f| {
            let link = f.key.parse::<i32>().ok().map(|cluster| list_href(None, None, Some(&cluster.to_string())));
            // Each service's share of the cluster, linking to its list when there is one.
            let mix = ServiceType::ALL
                .iter()
                .map(|service| {
                    let count = mix_of(&f.key, *service);
                    let share = if f.subscribers > 0 { count as f64 * 100.0 / f.subscribers as f64 } else { 0.0 };
                    let text = if count > 0 && share < 1.0 {
                        format!("{} <1%", service.as_str())
                    } else {
                        format!("{} {share:.0}%", service.as_str())
                    };
                    if link.is_some() && count > 0 {
                        let href = list_href(Some(service.as_str()), None, Some(&f.key));
                        view! { <a href=href title=tf!(locale, dashboards.n_subscribers, count = format_count(language, count))>{text}</a> }
                            .into_any()
                    } else {
                        view! { <span>{text}</span> }.into_any()
                    }
                })
                .collect_view();
            view! {
                <tr data-key=f.key.clone()>
                    <th scope="row">{f.key.clone()}</th>
                    <td class="num">
                        {match link {
                            Some(href) => view! { <a href=href>{format_count(language, f.subscribers)}</a> }.into_any(),
                            None => view! { <span>{format_count(language, f.subscribers)}</span> }.into_any(),
                        }}
                    </td>
                    <td class="num">{f.avg_arpu.map(|arpu| format_vnd(language, arpu)).unwrap_or_else(|| "–".into())}</td>
                    <td class="num">{score(f.avg_value_score)}</td>
                    <td class="num">{score(f.avg_readiness_score)}</td>
                    <td class="service-mix">{mix}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <h2>{t!(i18n, dashboards.services)}</h2>
        <EChart id="service-chart" title=td_string!(locale, dashboards.service_chart) chart=service_chart link=std::sync::Arc::new(service_link)>
            <table class="data-table" data-testid="service-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, common.service)}</th><th scope="col" class="num">{t!(i18n, common.subscribers)}</th>
                    <th scope="col" class="num">{t!(i18n, dashboards.total_advance)}</th><th scope="col" class="num">{t!(i18n, dashboards.total_revenue)}</th>
                    <th scope="col" class="num">{t!(i18n, dashboards.avg_value_score)}</th>
                </tr></thead>
                <tbody>{service_rows}</tbody>
            </table>
        </EChart>
        <h2>{t!(i18n, common.risk)}</h2>
        <EChart id="risk-chart" title=td_string!(locale, dashboards.risk_chart) chart=risk_chart link=std::sync::Arc::new(service_link)>
            <table class="data-table" data-testid="risk-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, common.service)}</th><th scope="col">{t!(i18n, common.risk)}</th><th scope="col" class="num">{t!(i18n, common.subscribers)}</th>
                    <th scope="col" class="num">{t!(i18n, dashboards.avg_advance)}</th><th scope="col" class="num">{t!(i18n, dashboards.total_advance)}</th>
                </tr></thead>
                <tbody>{risk_rows}</tbody>
            </table>
        </EChart>
        <h2>{t!(i18n, dashboards.clusters)}</h2>
        <EChart id="cluster-chart" title=td_string!(locale, dashboards.cluster_chart) chart=cluster_chart link=std::sync::Arc::new(cluster_link)>
            <table class="data-table" data-testid="cluster-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, dashboards.cluster)}</th><th scope="col" class="num">{t!(i18n, common.subscribers)}</th>
                    <th scope="col" class="num">{t!(i18n, dashboards.avg_arpu)}</th>
                    <th scope="col" class="num">{t!(i18n, dashboards.avg_value_score)}</th><th scope="col" class="num">{t!(i18n, dashboards.avg_readiness)}</th>
                    <th scope="col">{t!(i18n, dashboards.service_mix)}</th>
                </tr></thead>
                <tbody>{cluster_rows}</tbody>
            </table>
        </EChart>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_link_to_their_filtered_list() {
        assert_eq!(service_link("Subscribers", "MBFG").as_deref(), Some("/subscribers?service=MBFG"));
        assert_eq!(
            service_link("MEDIUM", "EasyCredit").as_deref(),
            Some("/subscribers?service=EasyCredit&risk=MEDIUM")
        );
        assert_eq!(
            service_link("Rủi ro trung bình", "EasyCredit").as_deref(),
            Some("/subscribers?service=EasyCredit&risk=MEDIUM")
        );
        assert_eq!(service_link("Low risk", "MBFG").as_deref(), Some("/subscribers?service=MBFG&risk=LOW"));
        assert_eq!(cluster_link("Subscribers", "Cluster 3").as_deref(), Some("/subscribers?cluster=3"));
        assert_eq!(cluster_link("MBFG", "Cluster 3").as_deref(), Some("/subscribers?service=MBFG&cluster=3"));
        assert_eq!(cluster_link("Thuê bao", "Cụm 3").as_deref(), Some("/subscribers?cluster=3"));
        assert_eq!(cluster_link("Subscribers", "none"), None);
    }
}
