//! `/analytics/funnels?campaign=…&from=…&until=…`: a campaign's funnel, from who its
//! rules match to who topped up within 30 days of an export, summed over the export
//! days of the range. Read from `funnel_analysis`, which the nightly job computes.

use crate::components::EChart;
use crate::domain::analytics::cohorts::format_rate;
use crate::domain::analytics::funnels::{FunnelParams, FunnelReport, FUNNELS_PATH, TOP_UP_WINDOW_DAYS};
use crate::components::language;
use crate::domain::format::format_count;
use crate::domain::server_error::ServerError;
use charming::element::{Label, LabelPosition, Sort, Tooltip};
use charming::series::Funnel;
use charming::Chart;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn get_funnel_analysis(params: FunnelParams) -> Result<FunnelReport, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let query = params.query()?;
    Ok(store.funnel_report(&query).await?)
}

#[component]
pub fn FunnelsPage() -> impl IntoView {
    let query_map = use_query_map();
    let params = Memo::new(move |_| {
        let map = query_map.read();
        let get = |name: &str| map.get(name).unwrap_or_default();
        FunnelParams { campaign: get("campaign"), from: get("from"), until: get("until") }
    });
    let report = Resource::new(move || params.get(), get_funnel_analysis);
    view! {
        <Title text="Campaign funnels"/>
        <section class="page">
            <h1>"Campaign funnels"</h1>
            <p class="hint">{format!(
                "Per campaign: who its rules match, who is left after its suppressions, who was exported, and who topped up successfully within {TOP_UP_WINDOW_DAYS} days of an export. Exports recorded before the funnels existed are not counted. Computed nightly."
            )}</p>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the funnels…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) if report.campaigns.is_empty() => view! {
                            <div class="empty-state" role="status" data-testid="no-funnels">
                                <h2>"No campaign funnels yet"</h2>
                                <p>{match report.computed_at {
                                    Some(at) => format!("Funnels are computed nightly; last computed at {at}."),
                                    None => "Funnels are computed nightly from the campaigns' exports; there is nothing computed yet.".to_owned(),
                                }}</p>
                            </div>
                        }.into_any(),
                        Ok(report) => view! { <FunnelFilters report=report.clone()/> <CampaignFunnel report/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert" data-testid="funnel-error">{error.to_string()}</p>
                            <p><a href=FUNNELS_PATH>"Show the latest campaign"</a></p>
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
    let chosen = report.campaign;
    let options = report
        .campaigns
        .iter()
        .map(|campaign| {
            view! {
                <option value=campaign.id.to_string() selected=chosen == Some(campaign.id)>
                    {format!("{} (last exported {})", campaign.name, campaign.last_export)}
                </option>
            }
        })
        .collect_view();
    view! {
        <form method="get" action=FUNNELS_PATH class="admin-form" aria-label="Choose a funnel">
            <label for="funnel-campaign">"Campaign"</label>
            <select id="funnel-campaign" name="campaign">{options}</select>
            <label for="funnel-from">"Exported from"</label>
            <input id="funnel-from" type="date" name="from" value=report.from.clone()/>
            <label for="funnel-until">"Exported until"</label>
            <input id="funnel-until" type="date" name="until" value=report.until.clone()/>
            <button type="submit">"Show"</button>
        </form>
    }
}

#[component]
fn CampaignFunnel(report: FunnelReport) -> impl IntoView {
    let name = report.campaign_name().unwrap_or("This campaign").to_owned();
    let computed_at = report.computed_at.clone().unwrap_or_default();
    if report.steps.is_empty() {
        return view! {
            <div class="empty-state" role="status" data-testid="no-funnel-steps">
                <h2>"No export in this range"</h2>
                <p>{format!("{name} has no completed export in the chosen days. Funnels are computed nightly; last computed at {computed_at}.")}</p>
            </div>
        }
        .into_any();
    }
    let chart = Chart::new().tooltip(Tooltip::new()).series(
        Funnel::new()
            .name(name.clone())
            .sort(Sort::None)
            .gap(2)
            .label(Label::new().show(true).position(LabelPosition::Inside))
            .data(report.steps.iter().map(|step| (step.conversions, step.name.clone())).collect()),
    );
    let rows = report
        .steps
        .iter()
        .map(|step| {
            view! {
                <tr data-step=step.order>
                    <th scope="row">{step.name.clone()}</th>
                    <td class="number">{format_count(language(), step.visitors)}</td>
                    <td class="number">{format_count(language(), step.conversions)}</td>
                    <td class="number">{format_rate(language(), step.conversion_rate())}</td>
                    <td class="number">{format_rate(language(), step.drop_off_rate())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="list-count" data-testid="funnel-summary">
            {format!("{name}: {} day(s) of export.", report.export_days)}
            <span class="as-of">{format!(" Computed nightly; last computed at {computed_at}.")}</span>
        </p>
        <EChart id="funnel-chart" title="Campaign funnel" chart>
            <table class="data-table" data-testid="funnel-table">
                <thead><tr>
                    <th scope="col">"Step"</th><th scope="col">"Reached the step before"</th><th scope="col">"Passed"</th>
                    <th scope="col">"Conversion"</th><th scope="col">"Drop-off"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </EChart>
    }
    .into_any()
}
