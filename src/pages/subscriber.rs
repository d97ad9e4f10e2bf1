//! Customer360 (seed 002's "Customer360-VNS modal", seed 001 use case 5): one
//! subscriber's recommendation and 360 profile, section by section, with the monthly
//! ARPU as a chart (and a table that reads without JavaScript).

use crate::components::language;
use crate::components::{axis_tooltip, series_tooltip, value_axis, EChart, Figure, StatCard};
use crate::domain::format::{format_date, format_date_time, format_decimal, format_fixed, format_vnd};
use crate::domain::isdn::Isdn;
use crate::domain::profile::{
    stored_label, FrequencyClass, MonthArpu, Profile, RevenueBreakdown, SubscriberView, UserType,
};
use crate::domain::profile_text::show;
use crate::domain::recommendation::{Recommendation, RiskLevel};
use crate::domain::server_error::ServerError;
use crate::domain::transactions::{payment_mode_label, status_label};
use charming::component::{Axis, Grid, Legend};
use charming::datatype::DataPointItem;
use charming::element::{AxisType, Label, Trigger};
use charming::series::{Bar, Line, Pie};
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::domain::recommendation::ArpuTrend;
use crate::i18n::{t, td_string, use_i18n, Locale};

/// The page's language, for the texts built outside the view.
fn locale() -> Locale {
    language().into()
}

#[server]
pub async fn get_subscriber(isdn: String) -> Result<Option<SubscriberView>, ServerError> {
    use crate::domain::field_error::FieldError;
    let (_member, store) = crate::server::auth::tenant()?;
    let isdn = Isdn::parse(&isdn).map_err(|problem| ServerError::from(FieldError::new("isdn", problem)))?;
    let isdn = isdn.as_str();
    Ok(store.on_replica(|store| async move { store.subscriber_view(isdn).await }).await?)
}

#[server]
pub async fn get_recent_transactions(
    isdn: String,
) -> Result<Vec<crate::domain::transactions::RecentTransaction>, ServerError> {
    use crate::domain::field_error::FieldError;
    /// Transactions shown in Customer360.
    const RECENT_TRANSACTIONS: i64 = 20;
    let (_member, store) = crate::server::auth::tenant()?;
    let isdn = Isdn::parse(&isdn).map_err(|problem| ServerError::from(FieldError::new("isdn", problem)))?;
    let isdn = isdn.as_str();
    Ok(store.on_replica(|store| async move { store.recent_transactions(isdn, RECENT_TRANSACTIONS).await }).await?)
}

/// A path segment as typed: `%2F` and friends decoded, so `++/hZ…==` survives the URL.
fn decoded_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

#[component]
pub fn SubscriberPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let isdn = Signal::derive(move || decoded_segment(&params.read().get("isdn").unwrap_or_default()));
    // The title is drawn after the page, outside its reactive owner: it reads no signal
    // of the language context then.
    let locale = i18n.get_locale_untracked();
    view! {
        <Title text=move || tf!(locale, c360.title, isdn = isdn.get())/>
        <section class="page customer360" aria-labelledby="subscriber-title">
            <p class="breadcrumb"><a href="/subscribers">{t!(i18n, c360.breadcrumb_list)}</a> " / Customer360"</p>
            <h1 id="subscriber-title">"Customer360 " <span class="isdn">{isdn}</span></h1>
            <Customer360 isdn/>
        </section>
    }
}

/// One subscriber's Customer360 sections, loaded by ISDN: on the subscriber's own
/// page, and in the modal over a list.
#[component]
pub fn Customer360(isdn: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let view_of = Resource::new(
        move || isdn.get(),
        move |isdn| async move {
            match Isdn::parse(&isdn) {
                Ok(_) => get_subscriber(isdn).await.map_err(|error| error.to_string()),
                Err(_) if isdn.is_empty() => Err(td_string!(l, c360.isdn_required).to_owned()),
                Err(problem) => Err(problem.message(l.into(), "isdn")),
            }
        },
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, c360.loading)}</p> }>
            {move || Suspend::new(async move {
                match view_of.await {
                    Ok(Some(found)) => view! { <SubscriberDetails found/> }.into_any(),
                    Ok(None) => view! {
                        <div class="empty-state" data-testid="not-found">
                            <h2>{t!(i18n, c360.no_such)}</h2>
                            <p>{t!(i18n, c360.no_such_hint)}</p>
                        </div>
                    }.into_any(),
                    Err(message) => view! {
                        <p class="error" role="alert" data-testid="lookup-error">{message}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn amount(value: Option<f64>) -> String {
    value.map(|amount| format_vnd(language(), amount)).unwrap_or_else(|| "–".into())
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map(|v| format_fixed(language(), v, decimals)).unwrap_or_else(|| "–".into())
}

fn percent(value: Option<f64>) -> String {
    value.map(|v| format!("{}%", format_decimal(language(), v))).unwrap_or_else(|| "–".into())
}

#[component]
fn SubscriberDetails(found: SubscriberView) -> impl IntoView {
    let locale = locale();
    let rec = found.recommendation;
    let profile = found.profile.unwrap_or_default();
    let chart = monthly_chart(&profile.monthly_arpu);
    let months = profile.monthly_arpu.clone();
    view! {
        <div class="badges">
            <span class="badge" data-testid="service">{rec.service_type.as_str()}</span>
            <span class=format!("badge risk-{}", rec.bad_debt_risk.as_str().to_lowercase()) data-testid="risk">{tf!(locale, c360.risk_badge, risk = rec.bad_debt_risk.label(language()))}</span>
            <span class="badge" data-testid="priority">{tf!(locale, c360.priority_badge, priority = rec.priority.map_or("–", |priority| priority.label(language())))}</span>
        </div>
        <div class="stat-grid">
            <StatCard label=td_string!(locale, c360.advance_amount) value=amount(rec.advance_amount) testid="advance_amount"/>
            <StatCard label=td_string!(locale, c360.revenue_per_advance) value=amount(rec.revenue_per_advance) testid="revenue_per_advance"/>
            <StatCard label=td_string!(locale, c360.customer_value) value=number(rec.customer_value_score, 1) testid="customer_value_score"/>
            <StatCard label=td_string!(locale, c360.advance_readiness) value=number(rec.advance_readiness_score, 1) testid="advance_readiness_score"/>
        </div>
        <div class="section-grid">
            <BasicSection rec=rec.clone() profile=profile.clone()/>
            <ArpuSection profile=profile.clone()/>
            <TopupSection profile=profile.clone()/>
            <RiskSection profile=profile.clone()/>
            <KpiSection profile=profile.clone()/>
        </div>
        <div class="chart-row">
            <EChart id="monthly-arpu-chart" title=td_string!(locale, c360.monthly_chart) chart>
                <MonthlyTable months=months.clone()/>
            </EChart>
            <RevenueSection revenue=profile.revenue_breakdown.clone()/>
        </div>
        <InsightsSection profile/>
        <RecentTransactions isdn=rec.isdn.to_string()/>
    }
}

/// The subscriber's latest top-ups and payments (seed 003's transactions), newest first.
#[component]
fn RecentTransactions(isdn: String) -> impl IntoView {
    let i18n = use_i18n();
    let transactions = Resource::new(move || isdn.clone(), get_recent_transactions);
    view! {
        <section class="recent-transactions" aria-labelledby="recent-transactions-title">
            <h2 id="recent-transactions-title">{t!(i18n, c360.recent_transactions)}</h2>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, c360.loading_transactions)}</p> }>
                {move || Suspend::new(async move {
                    match transactions.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="empty-state" role="status">{t!(i18n, c360.no_transactions)}</p>
                        }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-scroll">
                            <table class="data-table" data-testid="recent-transactions">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, c360.when)}</th><th scope="col">{t!(i18n, c360.merchant)}</th>
                                    <th scope="col">{t!(i18n, c360.payment_mode)}</th>
                                    <th scope="col">{t!(i18n, c360.status)}</th><th scope="col" class="num">{t!(i18n, c360.amount)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|t| view! {
                                        <tr>
                                            <td>{format_date_time(language(), &t.at)}</td>
                                            <td title=t.client_code>{t.client_name}</td>
                                            <td>{payment_mode_label(&t.payment_mode, language())}</td>
                                            <td class=format!("status status-{}", t.status.to_lowercase())>{status_label(&t.status, language())}</td>
                                            <td class="num">{format_vnd(language(), t.paid_amount)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{t!(i18n, c360.transactions_failed)} {error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A card of label / value rows.
#[component]
fn Facts(#[prop(into)] title: String, rows: Vec<(&'static str, String)>) -> impl IntoView {
    let label = title.clone();
    view! {
        <section class="facts" aria-label=label>
            <h2>{title}</h2>
            <dl>
                {rows
                    .into_iter()
                    .map(|(label, value)| {
                        // Figures stay on one line; texts such as a cluster label may wrap.
                        let long = value.chars().count() > 16;
                        view! { <dt>{label}</dt><dd class:wrap=long>{value}</dd> }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn BasicSection(rec: Recommendation, profile: Profile) -> impl IntoView {
    let l = locale();
    let rows = vec![
        (td_string!(l, c360.subscriber_type), rec.subscriber_type.label(language()).to_owned()),
        (td_string!(l, common.service), rec.service_type.to_string()),
        (td_string!(l, c360.advance_amount), amount(profile.basic.advance.or(rec.advance_amount))),
        (td_string!(l, c360.revenue_per_advance), amount(profile.basic.revenue.or(rec.revenue_per_advance))),
        (
            td_string!(l, c360.cluster),
            cluster_text(rec.cluster_group.or(profile.basic.cluster), profile.basic.cluster_label),
        ),
        (td_string!(l, c360.recommended_on), format_date(language(), &rec.recommendation_date)),
    ];
    view! { <Facts title=td_string!(l, c360.basic) rows/> }
}

#[component]
fn ArpuSection(profile: Profile) -> impl IntoView {
    let l = locale();
    let stats = profile.arpu_stats;
    let months = &profile.monthly_arpu;
    let rows = vec![
        (td_string!(l, c360.average_6m), amount(stats.avg)),
        (td_string!(l, c360.std_dev), amount(stats.std)),
        (td_string!(l, c360.minimum), amount(stats.min)),
        (td_string!(l, c360.maximum), amount(stats.max)),
        (
            td_string!(l, c360.first_month),
            amount(stats.first_month.or_else(|| months.first().and_then(|m| m.arpu_total))),
        ),
        (td_string!(l, c360.last_month), amount(stats.last_month.or_else(|| months.last().and_then(|m| m.arpu_total)))),
        (td_string!(l, c360.growth_rate), percent(stats.growth_rate)),
        (td_string!(l, c360.trend), stored_label(stats.trend.as_deref(), |trend: ArpuTrend| trend.label(language()))),
    ];
    view! { <Facts title=td_string!(l, c360.arpu_statistics) rows/> }
}

/// `3 · Khách hàng tiềm năng`, or what is known of it.
fn cluster_text(cluster: Option<i32>, label: Option<String>) -> String {
    match (cluster, label) {
        (Some(cluster), Some(label)) => format!("{cluster} · {label}"),
        (Some(cluster), None) => cluster.to_string(),
        (None, Some(label)) => label,
        (None, None) => "–".into(),
    }
}

/// Call / SMS / data shares as a donut, with the same figures as a list.
#[component]
fn RevenueSection(revenue: RevenueBreakdown) -> impl IntoView {
    let l = locale();
    let shares = [
        (td_string!(l, c360.call), revenue.call_pct),
        (td_string!(l, c360.sms), revenue.sms_pct),
        (td_string!(l, c360.data), revenue.data_pct),
    ];
    let slices: Vec<DataPointItem> =
        shares.iter().map(|(name, pct)| DataPointItem::new(pct.unwrap_or(0.0)).name(*name)).collect();
    let chart = Chart::new()
        .tooltip(series_tooltip(Figure::Percent).trigger(Trigger::Item))
        .legend(Legend::new().bottom(0))
        // Labels beside the ring get cut off in a narrow card; the legend, the tooltip
        // and the list below name the slices.
        .series(
            Pie::new()
                .name(td_string!(l, c360.revenue))
                .radius(vec!["45%", "70%"])
                .center(vec!["50%", "45%"])
                .label(Label::new().show(false))
                .data(slices),
        );
    let user_type = stored_label(revenue.user_type.as_deref(), |user: UserType| user.label(language()));
    view! {
        <EChart id="revenue-chart" title=td_string!(l, c360.revenue_breakdown) chart>
            <dl class="revenue-shares" data-testid="revenue-breakdown">
                {shares.into_iter().map(|(name, pct)| view! { <dt>{name}</dt><dd>{percent(pct)}</dd> }).collect_view()}
                <dt>{td_string!(l, c360.user_type)}</dt><dd data-testid="user-type">{user_type}</dd>
            </dl>
        </EChart>
    }
}

#[component]
fn TopupSection(profile: Profile) -> impl IntoView {
    let l = locale();
    let topup = profile.topup_behavior;
    let rows = vec![
        (td_string!(l, c360.topups_a_month), number(topup.frequency, 1)),
        (
            td_string!(l, c360.frequency_class),
            stored_label(topup.frequency_class.as_deref(), |class: FrequencyClass| class.label(language())),
        ),
        (td_string!(l, c360.average_topup), amount(topup.avg_amount)),
        (td_string!(l, c360.smallest_topup), amount(topup.min_amount)),
        (td_string!(l, c360.largest_topup), amount(topup.max_amount)),
        (td_string!(l, c360.topup_to_advance), number(topup.ratio, 2)),
    ];
    view! { <Facts title=td_string!(l, c360.topup_behaviour) rows/> }
}

#[component]
fn RiskSection(profile: Profile) -> impl IntoView {
    let l = locale();
    let risk = profile.risk_assessment;
    view! {
        <section class="facts" aria-label=td_string!(l, c360.risk_assessment)>
            <h2>{td_string!(l, c360.risk_assessment)}</h2>
            <dl>
                <dt>{td_string!(l, c360.level)}</dt><dd>{stored_label(risk.level.as_deref(), |level: RiskLevel| level.label(language()))}</dd>
                <dt>{td_string!(l, c360.score)}</dt><dd>{number(risk.score, 1)}</dd>
            </dl>
            <ItemList items=risk.factors empty=td_string!(l, c360.no_risk_factors)/>
        </section>
    }
}

#[component]
fn KpiSection(profile: Profile) -> impl IntoView {
    let l = locale();
    let kpi = profile.kpi_scores;
    let rows = vec![
        (td_string!(l, c360.customer_value), number(kpi.customer_value, 1)),
        (td_string!(l, c360.advance_readiness), number(kpi.advance_readiness, 1)),
        (td_string!(l, c360.revenue_potential), amount(kpi.revenue_potential)),
    ];
    view! { <Facts title=td_string!(l, c360.kpi_scores) rows/> }
}

#[component]
fn InsightsSection(profile: Profile) -> impl IntoView {
    let l = locale();
    let insights = profile.insights;
    view! {
        <section class="insights" aria-label=td_string!(l, c360.insights)>
            <h2>{td_string!(l, c360.insights)}</h2>
            <p data-testid="classification-reason">{insights.classification_reason.map(|reason| show(&reason, language())).unwrap_or_default()}</p>
            <div class="insight-lists">
                <div>
                    <h3>{td_string!(l, c360.strengths)}</h3>
                    <ItemList items=insights.strengths empty=td_string!(l, c360.none_noted)/>
                </div>
                <div>
                    <h3>{td_string!(l, c360.recommendations)}</h3>
                    <ItemList items=insights.recommendations empty=td_string!(l, c360.none)/>
                </div>
            </div>
        </section>
    }
}

/// A bulleted list, or a quiet line saying there is nothing.
#[component]
fn ItemList(items: Vec<String>, empty: &'static str) -> impl IntoView {
    if items.is_empty() {
        view! { <p class="muted">{empty}</p> }.into_any()
    } else {
        view! { <ul class="items">{items.into_iter().map(|item| view! { <li>{show(&item, language())}</li> }).collect_view()}</ul> }
            .into_any()
    }
}

/// `202509` → `09/2025`.
fn month_label(month: &str) -> String {
    match (month.get(..4), month.get(4..6)) {
        (Some(year), Some(month)) => format!("{month}/{year}"),
        _ => month.to_owned(),
    }
}

fn monthly_chart(months: &[MonthArpu]) -> Chart {
    let l = locale();
    let labels: Vec<String> = months.iter().map(|m| month_label(&m.month)).collect();
    let values =
        |pick: fn(&MonthArpu) -> Option<f64>| -> Vec<f64> { months.iter().map(|m| pick(m).unwrap_or(0.0)).collect() };
    Chart::new()
        .tooltip(axis_tooltip(Figure::Money))
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().left(10).right(20).top(20).bottom(50).contain_label(true))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(value_axis(Figure::Money))
        .series(Bar::new().name(td_string!(l, c360.call)).stack("arpu").data(values(|m| m.arpu_call)))
        .series(Bar::new().name(td_string!(l, c360.sms)).stack("arpu").data(values(|m| m.arpu_sms)))
        .series(Bar::new().name(td_string!(l, c360.data)).stack("arpu").data(values(|m| m.arpu_data)))
        .series(Line::new().name(td_string!(l, c360.total)).data(values(|m| m.arpu_total)))
}

#[component]
fn MonthlyTable(months: Vec<MonthArpu>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = months
        .into_iter()
        .map(|m| {
            view! {
                <tr data-month=m.month.clone()>
                    <th scope="row">{month_label(&m.month)}</th>
                    <td class="num">{amount(m.arpu_call)}</td>
                    <td class="num">{amount(m.arpu_sms)}</td>
                    <td class="num">{amount(m.arpu_data)}</td>
                    <td class="num total">{amount(m.arpu_total)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="monthly-arpu-table">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, c360.month)}</th>
                    <th scope="col" class="num">{t!(i18n, c360.call)}</th>
                    <th scope="col" class="num">{t!(i18n, c360.sms)}</th>
                    <th scope="col" class="num">{t!(i18n, c360.data)}</th>
                    <th scope="col" class="num">{t!(i18n, c360.total)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_decoded_once() {
        assert_eq!(decoded_segment("%2B%2B%2FhZFPrCDRre55vsZqqxQ=="), "++/hZFPrCDRre55vsZqqxQ==");
        assert_eq!(decoded_segment("++%2FhZ"), "++/hZ");
        assert_eq!(decoded_segment("abc%2"), "abc%2");
        assert_eq!(month_label("202503"), "03/2025");
    }
}
