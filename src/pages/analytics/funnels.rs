//! `/analytics/funnels?campaign=…&from=…&until=…`: a campaign's funnel, from who its
//! rules match to who topped up within 30 days of an export, summed over the export
//! days of the range. Read from `funnel_analysis`, which the nightly job computes.

use crate::components::language;
use crate::components::{series_tooltip, EChart, Figure};
use crate::domain::analytics::cohorts::format_rate;
use crate::domain::analytics::funnels::{FunnelParams, FunnelReport, FUNNELS_PATH, TOP_UP_WINDOW_DAYS};
use crate::domain::format::format_count;
use crate::domain::server_error::ServerError;
use charming::element::{Label, LabelPosition, Sort};
use charming::series::Funnel;
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::format::format_date_time;
use crate::i18n::{t, td_string, use_i18n, Locale};

/// A step as the page's language names it (the nightly job stores it in English, by
/// its order).
fn step_label(locale: Locale, order: i32, stored: &str) -> String {
    match order {
        1 => td_string!(locale, funnels.step_1).to_owned(),
        2 => td_string!(locale, funnels.step_2).to_owned(),
        3 => td_string!(locale, funnels.step_3).to_owned(),
        4 => tf!(locale, funnels.step_4, days = TOP_UP_WINDOW_DAYS),
        _ => stored.to_owned(),
    }
}

#[server]
pub async fn get_funnel_analysis(params: FunnelParams) -> Result<FunnelReport, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let query = params.query()?;
    Ok(store.funnel_report(&query).await?)
}

#[component]
pub fn FunnelsPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let query_map = use_query_map();
    let params = Memo::new(move |_| {
        let map = query_map.read();
        let get = |name: &str| map.get(name).unwrap_or_default();
        FunnelParams { campaign: get("campaign"), from: get("from"), until: get("until") }
    });
    let report = Resource::new(move || params.get(), get_funnel_analysis);
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), funnels.title)/>
        <section class="page">
            <h1>{t!(i18n, funnels.title)}</h1>
            <p class="hint">{tf!(l, funnels.hint, days = TOP_UP_WINDOW_DAYS)}</p>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, funnels.loading)}</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) if report.campaigns.is_empty() => view! {
                            <div class="empty-state" role="status" data-testid="no-funnels">
                                <h2>{t!(i18n, funnels.none_yet)}</h2>
                                <p>{match report.computed_at {
                                    Some(at) => tf!(l, funnels.computed_at_only, at = format_date_time(language(), &at)),
                                    None => td_string!(l, funnels.never_computed).to_owned(),
                                }}</p>
                            </div>
                        }.into_any(),
                        Ok(report) => view! { <FunnelFilters report=report.clone()/> <CampaignFunnel report/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert" data-testid="funnel-error">{error.to_string()}</p>
                            <p><a href=FUNNELS_PATH>{t!(i18n, funnels.show_latest)}</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The campaign and the range of export days, as a plain GET form.
#[component]
fn FunnelFilters(report: FunnelReport) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let chosen = report.campaign;
    let options = report
        .campaigns
        .iter()
        .map(|campaign| {
            view! {
                <option value=campaign.id.to_string() selected=chosen == Some(campaign.id)>
                    {tf!(l, funnels.option, name = campaign.name.clone(), at = format_date_time(language, &campaign.last_export))}
                </option>
            }
        })
        .collect_view();
    view! {
        <form method="get" action=FUNNELS_PATH class="admin-form" aria-label=td_string!(l, funnels.choose)>
            <label for="funnel-campaign">{t!(i18n, funnels.campaign)}</label>
            <select id="funnel-campaign" name="campaign">{options}</select>
            <label for="funnel-from">{t!(i18n, funnels.exported_from)}</label>
            <input id="funnel-from" type="date" name="from" value=report.from.clone()/>
            <label for="funnel-until">{t!(i18n, funnels.exported_until)}</label>
            <input id="funnel-until" type="date" name="until" value=report.until.clone()/>
            <button type="submit">{t!(i18n, funnels.show)}</button>
        </form>
    }
}

#[component]
fn CampaignFunnel(report: FunnelReport) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let name = report.campaign_name().unwrap_or(td_string!(l, funnels.this_campaign)).to_owned();
    let computed_at = format_date_time(language, &report.computed_at.clone().unwrap_or_default());
    if report.steps.is_empty() {
        return view! {
            <div class="empty-state" role="status" data-testid="no-funnel-steps">
                <h2>{t!(i18n, funnels.no_export)}</h2>
                <p>{tf!(l, funnels.no_export_hint, name = name.clone(), at = computed_at.clone())}</p>
            </div>
        }
        .into_any();
    }
    let chart = Chart::new().tooltip(series_tooltip(Figure::Count)).series(
        Funnel::new()
            .name(name.clone())
            .sort(Sort::None)
            .gap(2)
            .label(Label::new().show(true).position(LabelPosition::Inside))
            .data(report.steps.iter().map(|step| (step.conversions, step_label(l, step.order, &step.name))).collect()),
    );
    let rows = report
        .steps
        .iter()
        .map(|step| {
            view! {
                <tr data-step=step.order>
                    <th scope="row">{step_label(l, step.order, &step.name)}</th>
                    <td class="number">{format_count(language, step.visitors)}</td>
                    <td class="number">{format_count(language, step.conversions)}</td>
                    <td class="number">{format_rate(language, step.conversion_rate())}</td>
                    <td class="number">{format_rate(language, step.drop_off_rate())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="list-count" data-testid="funnel-summary">
            {tf!(l, funnels.summary, name = name.clone(), days = report.export_days)}
            <span class="as-of">{tf!(l, funnels.computed_at, at = computed_at.clone())}</span>
        </p>
        <EChart id="funnel-chart" title=td_string!(l, funnels.chart) chart>
            <table class="data-table" data-testid="funnel-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, funnels.step)}</th><th scope="col">{t!(i18n, funnels.reached)}</th>
                    <th scope="col">{t!(i18n, funnels.passed)}</th>
                    <th scope="col">{t!(i18n, funnels.conversion)}</th><th scope="col">{t!(i18n, funnels.drop_off)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </EChart>
    }
    .into_any()
}
