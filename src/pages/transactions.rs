//! `/transactions?range=…&from=…&until=…&merchant=…`: seed 003's dashboard of the
//! subscribers' top-ups and payments: top merchants, payment performance by mode and
//! the daily trend, for today, 7, 30 or 365 days or a custom range. A merchant's bar or
//! row opens its own daily trend (the drill-down). Read from the daily summaries
//! through the cache, never from the raw rows.

use crate::components::language;
use crate::components::{series_tooltip, value_axis, EChart, Figure};
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
use crate::domain::transactions::{
    payment_mode_label, DashboardParams, DashboardQuery, DashboardRange, TransactionDashboard,
};
use crate::pages::url::with_query;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::{Bar, Line};
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::format::{format_date, format_date_time, format_decimal};
use crate::i18n::{t, td_string, use_i18n, Locale};

/// A range's button, in a language.
fn range_label(locale: Locale, range: DashboardRange) -> &'static str {
    match range {
        DashboardRange::Today => td_string!(locale, transactions.today),
        DashboardRange::Week => td_string!(locale, transactions.days_7),
        DashboardRange::Month => td_string!(locale, transactions.days_30),
        DashboardRange::Year => td_string!(locale, transactions.days_365),
        DashboardRange::Custom => td_string!(locale, transactions.custom),
    }
}

#[server]
pub async fn get_transaction_dashboard(params: DashboardParams) -> Result<TransactionDashboard, ServerError> {
    use crate::data::transactions::DashboardRequest;
    let (_member, store) = crate::server::auth::tenant()?;
    let query = params.query()?;
    let request = DashboardRequest::resolve(&query, chrono::Local::now().date_naive())?;
    let request = &request;
    let (dashboard, _source) =
        store.on_replica(|store| async move { store.transaction_dashboard(request).await }).await?;
    Ok(dashboard)
}

fn dashboard_href(query: &DashboardQuery) -> String {
    with_query("/transactions", &query.query_string())
}

#[component]
pub fn TransactionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query_map = use_query_map();
    let params = Memo::new(move |_| {
        let map = query_map.read();
        let get = |name: &str| map.get(name).unwrap_or_default();
        DashboardParams { range: get("range"), from: get("from"), until: get("until"), merchant: get("merchant") }
    });
    let dashboard = Resource::new(move || params.get(), get_transaction_dashboard);
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), transactions.title)/>
        <section class="page">
            <h1>{t!(i18n, transactions.title)}</h1>
            <RangePicker params/>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, transactions.loading)}</p> }>
                {move || Suspend::new(async move {
                    match dashboard.await {
                        Ok(dashboard) => view! { <Dashboard dashboard/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert" data-testid="dashboard-error">{error.to_string()}</p>
                            <p><a href="/transactions">{t!(i18n, transactions.show_365)}</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The range buttons and the custom range's form.
#[component]
fn RangePicker(params: Memo<DashboardParams>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let current = move || params.with(|p| DashboardRange::parse(p.range.trim()).unwrap_or_default());
    let buttons = DashboardRange::STANDARD
        .into_iter()
        .map(|range| {
            let href = move || {
                let merchant = params.with(|p| Some(p.merchant.trim().to_owned()).filter(|m| !m.is_empty()));
                dashboard_href(&DashboardQuery { range, from: None, until: None, merchant })
            };
            view! {
                <a class="range-button" href=href aria-current=move || (current() == range).then_some("page")
                   data-range=range.as_str()>{range_label(locale, range)}</a>
            }
        })
        .collect_view();
    view! {
        <nav class="range-picker" aria-label=td_string!(locale, transactions.period)>
            {buttons}
            <form method="get" action="/transactions" class="custom-range">
                <input type="hidden" name="range" value="custom"/>
                <label>{t!(i18n, transactions.from)} <input type="date" name="from" required prop:value=move || params.with(|p| p.from.clone())/></label>
                <label>{t!(i18n, transactions.to)} <input type="date" name="until" required prop:value=move || params.with(|p| p.until.clone())/></label>
                <input type="hidden" name="merchant" prop:value=move || params.with(|p| p.merchant.clone())/>
                <button type="submit" aria-current=move || (current() == DashboardRange::Custom).then_some("page")>{t!(i18n, transactions.show)}</button>
            </form>
        </nav>
    }
}

#[component]
fn Dashboard(dashboard: TransactionDashboard) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let totals = dashboard.totals();
    let period = if dashboard.from == dashboard.until {
        format_date(language, &dashboard.from)
    } else {
        tf!(
            l,
            transactions.from_to,
            from = format_date(language, &dashboard.from),
            until = format_date(language, &dashboard.until)
        )
    };
    let success_rate =
        if totals.transactions > 0 { 100.0 * totals.successful as f64 / totals.transactions as f64 } else { 0.0 };
    if totals.transactions == 0 {
        return view! {
            <p class="list-count" data-testid="period">{period}</p>
            <div class="empty-state" role="status"><h2>{t!(i18n, transactions.no_transactions)}</h2>
                <p>{t!(i18n, transactions.load_hint)} <code>"ut360 transactions generate"</code> "."</p></div>
        }
        .into_any();
    }
    view! {
        <p class="list-count" data-testid="period">
            {tf!(
                l,
                transactions.summary,
                period = period,
                transactions = format_count(language, totals.transactions),
                rate = format_decimal(language, success_rate),
                volume = format_vnd(language, totals.success_volume)
            )}
            <span class="as-of">
                {tf!(l, transactions.as_of, at = format_date_time(language, dashboard.computed_at.replace('T', " ").trim_end_matches('Z')))}
            </span>
        </p>
        {dashboard.merchant.clone().map(|merchant| view! { <MerchantDrillDown dashboard=dashboard.clone() merchant/> })}
        <div class="dashboard-grid">
            <TopMerchants dashboard=dashboard.clone()/>
            <PaymentPerformance dashboard=dashboard.clone()/>
        </div>
        <DailyTrend id="trend-chart" title=td_string!(l, transactions.daily_trend_all) days=dashboard.trend.clone() testid="trend-table"/>
    }
    .into_any()
}

#[component]
fn TopMerchants(dashboard: TransactionDashboard) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let merchants = dashboard.top_merchants.clone();
    let labels: Vec<String> = merchants.iter().map(|m| m.client_code.clone()).collect();
    let chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(10).right(10).top(30).bottom(50).contain_label(true))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(value_axis(Figure::Money).name(td_string!(l, transactions.dong)))
        .y_axis(value_axis(Figure::Count).name(td_string!(l, transactions.count)))
        .series(
            Bar::new()
                .name(td_string!(l, transactions.successful_volume))
                .tooltip(series_tooltip(Figure::Money))
                .data(merchants.iter().map(|m| m.success_volume).collect::<Vec<f64>>()),
        )
        .series(
            Bar::new()
                .name(td_string!(l, transactions.transactions))
                .tooltip(series_tooltip(Figure::Count))
                .y_axis_index(1)
                .data(merchants.iter().map(|m| m.transactions as f64).collect::<Vec<f64>>()),
        );
    let query = dashboard.query.clone();
    let link_query = query.clone();
    let link: crate::components::ChartLink = std::sync::Arc::new(move |_series: &str, code: &str| {
        Some(dashboard_href(&link_query.with_merchant(Some(code))))
    });
    let rows = merchants
        .into_iter()
        .enumerate()
        .map(|(index, m)| {
            let href = dashboard_href(&query.with_merchant(Some(&m.client_code)));
            let rate = if m.transactions > 0 { 100.0 * m.successful as f64 / m.transactions as f64 } else { 0.0 };
            view! {
                <tr data-key=m.client_code.clone()>
                    <td class="num">{index + 1}</td>
                    <th scope="row"><a href=href>{m.client_code.clone()}</a></th>
                    <td>{m.client_name.clone()}</td>
                    <td class="num" data-testid="merchant-volume">{format_vnd(language, m.success_volume)}</td>
                    <td class="num" data-testid="merchant-transactions">{format_count(language, m.transactions)}</td>
                    <td class="num">{format!("{}%", format_decimal(language, rate))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{t!(i18n, transactions.top_merchants)}</h2>
            <EChart id="merchant-chart" title=td_string!(l, transactions.merchant_chart) chart link>
                <table class="data-table" data-testid="merchant-table">
                    <thead><tr>
                        <th scope="col" class="num">"#"</th><th scope="col">{t!(i18n, transactions.merchant)}</th><th scope="col">{t!(i18n, transactions.name)}</th>
                        <th scope="col" class="num">{t!(i18n, transactions.successful_volume)}</th><th scope="col" class="num">{t!(i18n, transactions.transactions)}</th>
                        <th scope="col" class="num">{t!(i18n, transactions.success_rate)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </EChart>
        </section>
    }
}

#[component]
fn PaymentPerformance(dashboard: TransactionDashboard) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let modes = dashboard.payment_modes;
    let chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(60).right(20).top(20).bottom(60))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(modes.iter().map(|m| payment_mode_label(&m.payment_mode, language)).collect::<Vec<String>>()),
        )
        .y_axis(value_axis(Figure::Percent).name(td_string!(l, transactions.percent_successful)).min(0).max(100))
        .series(
            Bar::new()
                .name(td_string!(l, transactions.success_rate_pct))
                .tooltip(series_tooltip(Figure::Percent))
                .data(modes.iter().map(|m| (m.success_rate() * 10.0).round() / 10.0).collect::<Vec<f64>>()),
        );
    let rows = modes
        .iter()
        .map(|m| {
            view! {
                <tr data-key=m.payment_mode.clone()>
                    <th scope="row">{payment_mode_label(&m.payment_mode, language)}</th>
                    <td class="num" data-testid="mode-transactions">{format_count(language, m.transactions)}</td>
                    <td class="num">{format_count(language, m.successful)}</td>
                    <td class="num" data-testid="mode-rate">{format!("{}%", format_decimal(language, m.success_rate()))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{t!(i18n, transactions.payment_performance)}</h2>
            <EChart id="payment-chart" title=td_string!(l, transactions.payment_chart) chart>
                <table class="data-table" data-testid="payment-table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, transactions.payment_mode)}</th><th scope="col" class="num">{t!(i18n, transactions.transactions)}</th>
                        <th scope="col" class="num">{t!(i18n, transactions.successful)}</th><th scope="col" class="num">{t!(i18n, transactions.success_rate)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </EChart>
        </section>
    }
}

#[component]
fn MerchantDrillDown(
    dashboard: TransactionDashboard,
    merchant: crate::domain::transactions::MerchantTrend,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let close = dashboard_href(&dashboard.query.with_merchant(None));
    let title = if merchant.client_name.is_empty() {
        merchant.client_code.clone()
    } else {
        format!("{} ({})", merchant.client_name, merchant.client_code)
    };
    view! {
        <section class="drill-down" data-testid="merchant-drill-down" aria-label=tf!(l, transactions.daily_trend_of, title = title.clone())>
            <h2>{tf!(l, transactions.daily_trend_of, title = title.clone())}</h2>
            <p><a href=close>{t!(i18n, transactions.close_merchant)}</a></p>
            {if merchant.days.is_empty() {
                view! { <p class="empty-state" role="status">{t!(i18n, transactions.merchant_no_transactions)}</p> }.into_any()
            } else {
                view! { <DailyTrend id="merchant-trend-chart" title=td_string!(l, transactions.merchant_trend) days=merchant.days testid="merchant-trend-table"/> }.into_any()
            }}
        </section>
    }
}

#[component]
fn DailyTrend(
    id: &'static str,
    #[prop(into)] title: String,
    days: Vec<crate::domain::transactions::DayFigures>,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(10).right(10).top(30).bottom(50).contain_label(true))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(days.iter().map(|d| format_date(language, &d.day)).collect::<Vec<String>>()),
        )
        .y_axis(value_axis(Figure::Money).name(td_string!(l, transactions.dong)))
        .y_axis(value_axis(Figure::Count).name(td_string!(l, transactions.count)))
        .series(
            Line::new()
                .name(td_string!(l, transactions.successful_volume))
                .tooltip(series_tooltip(Figure::Money))
                .show_symbol(days.len() < 40)
                .data(days.iter().map(|d| d.success_volume).collect::<Vec<f64>>()),
        )
        .series(
            Line::new()
                .name(td_string!(l, transactions.transactions))
                .tooltip(series_tooltip(Figure::Count))
                .y_axis_index(1)
                .show_symbol(days.len() < 40)
                .data(days.iter().map(|d| d.transactions as f64).collect::<Vec<f64>>()),
        );
    // The newest days first in the table: the ones a reader looks for.
    let rows = days
        .iter()
        .rev()
        .map(|d| {
            view! {
                <tr data-key=d.day.clone()>
                    <th scope="row">{format_date(language, &d.day)}</th>
                    <td class="num">{format_count(language, d.transactions)}</td>
                    <td class="num">{format_count(language, d.successful)}</td>
                    <td class="num">{format_vnd(language, d.volume)}</td>
                    <td class="num">{format_vnd(language, d.success_volume)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <EChart id title=title.clone() chart>
            // Focusable, so a keyboard can scroll a long period's days.
            <div class="table-scroll" tabindex="0" role="region" aria-label=tf!(l, transactions.the_days, title = title.clone())>
                <table class="data-table" data-testid=testid>
                    <thead><tr>
                        <th scope="col">{t!(i18n, transactions.day)}</th><th scope="col" class="num">{t!(i18n, transactions.transactions)}</th>
                        <th scope="col" class="num">{t!(i18n, transactions.successful)}</th>
                        <th scope="col" class="num">{t!(i18n, transactions.volume)}</th><th scope="col" class="num">{t!(i18n, transactions.successful_volume)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </EChart>
    }
}
