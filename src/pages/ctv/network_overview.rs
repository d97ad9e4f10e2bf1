//! What `/network` shows before a collaborator is chosen: the organization's whole
//! network (ranks, depths, joiners per month, largest teams, the month's top earners),
//! each collaborator listed opening its tree.

use crate::components::language;
use crate::components::{axis_tooltip, value_axis, EChart, Figure};
use crate::domain::ctv::network::rank_label;
use crate::domain::ctv::network_overview::{depth_bands, NetworkOverview, JOINED_MONTHS, LEADERS};
use crate::domain::ctv::statements::StatementParams;
use crate::domain::format::{format_count, format_vnd};
use crate::domain::query::encode_component;
use crate::domain::server_error::ServerError;
use charming::component::{Axis, Grid};
use charming::element::AxisType;
use charming::series::Bar;
use charming::Chart;
use leptos::prelude::*;

use crate::i18n::{t, td_string, use_i18n};

#[server]
pub async fn get_network_overview() -> Result<NetworkOverview, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.network_overview().await?)
}

/// The network centred on a collaborator: its upline and its tree.
fn tree_href(ma_ctv: &str) -> String {
    format!("/network?ctv={}", encode_component(ma_ctv))
}

/// The overview once loaded (`None`: not asked for, a collaborator is shown instead).
#[component]
pub fn NetworkOverviewPanel(overview: Option<NetworkOverview>) -> impl IntoView {
    let i18n = use_i18n();
    match overview {
        None => ().into_any(),
        Some(overview) if overview.collaborators == 0 => view! {
            <p class="empty-state" role="status">{t!(i18n, network.no_collaborators)}</p>
        }
        .into_any(),
        Some(overview) => view! { <Overview overview/> }.into_any(),
    }
}

#[component]
fn Overview(overview: NetworkOverview) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let tops = overview.by_depth.iter().find(|d| d.depth == 0).map_or(0, |d| d.collaborators);
    let joined_in_window: i64 = overview.joined.iter().map(|m| m.collaborators).sum();
    let deepest = overview.deepest();
    let rank_rows = overview
        .by_rank
        .iter()
        .map(|rank| {
            view! {
                <tr data-rank=rank.rank.clone()>
                    <th scope="row">{rank_label(&rank.rank, language)}</th>
                    <td class="num" data-testid="rank-count">{format_count(language, rank.collaborators)}</td>
                    <td class="num">{format_count(language, rank.active)}</td>
                </tr>
            }
        })
        .collect_view();
    let depth_rows = depth_bands(language, &overview.by_depth)
        .into_iter()
        .map(|(band, collaborators)| {
            view! {
                <tr>
                    <th scope="row">{band}</th>
                    <td class="num">{format_count(language, collaborators)}</td>
                </tr>
            }
        })
        .collect_view();
    let joined_chart = Chart::new()
        .tooltip(axis_tooltip(Figure::Count))
        .grid(Grid::new().left(10).right(20).top(20).bottom(40).contain_label(true))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(overview.joined.iter().map(|m| m.month.clone()).collect::<Vec<String>>()),
        )
        .y_axis(value_axis(Figure::Count))
        .series(
            Bar::new()
                .name(td_string!(l, network.new_collaborators))
                .data(overview.joined.iter().map(|m| m.collaborators).collect::<Vec<i64>>()),
        );
    let joined_rows = overview
        .joined
        .iter()
        .rev()
        .map(|m| {
            view! {
                <tr data-month=m.month.clone()>
                    <th scope="row">{m.month.clone()}</th>
                    <td class="num">{format_count(language, m.collaborators)}</td>
                </tr>
            }
        })
        .collect_view();
    let team_rows = overview
        .largest_teams
        .iter()
        .map(|team| {
            view! {
                <tr data-ctv=team.ma_ctv.clone()>
                    <th scope="row"><a href=tree_href(&team.ma_ctv)>{team.ma_ctv.clone()}</a></th>
                    <td>{team.name.clone()}</td>
                    <td>{rank_label(&team.rank, language)}</td>
                    <td class="num" data-testid="team-size-cell">{format_count(language, team.team_size)}</td>
                    <td class="num">{format_count(language, team.recruits)}</td>
                </tr>
            }
        })
        .collect_view();
    let earners = match overview.earnings_month.clone() {
        None => view! {
            <p class="empty-state">{t!(i18n, network.no_commissions)}</p>
        }
        .into_any(),
        Some(month) => {
            let rows = overview
                .top_earners
                .iter()
                .map(|earner| {
                    let statement =
                        StatementParams { ctv: earner.ma_ctv.clone(), period: month.clone() }.page_href();
                    view! {
                        <tr data-ctv=earner.ma_ctv.clone()>
                            <th scope="row"><a href=tree_href(&earner.ma_ctv) data-testid="earner-tree">{earner.ma_ctv.clone()}</a></th>
                            <td>{earner.name.clone()}</td>
                            <td>{rank_label(&earner.rank, language)}</td>
                            <td class="num">{format_vnd(language, earner.direct)}</td>
                            <td class="num">{format_vnd(language, earner.overrides)}</td>
                            <td class="num" data-value=format!("{:.2}", earner.total)>{format_vnd(language, earner.total)}</td>
                            <td>
                                <a href=statement aria-label=tf!(l, network.statement_of, ctv = earner.ma_ctv.clone(), month = month.clone())>
                                    {td_string!(l, network.statement)}
                                </a>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-scroll">
                    <table class="data-table" data-testid="top-earners">
                        <caption class="muted">{tf!(l, network.earners_caption, month = month.clone())}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, network.code)}</th><th scope="col">{t!(i18n, network.name)}</th><th scope="col">{t!(i18n, network.rank)}</th>
                            <th scope="col" class="num">{t!(i18n, network.direct)}</th><th scope="col" class="num">{t!(i18n, network.levels_1_4)}</th>
                            <th scope="col" class="num">{t!(i18n, network.total)}</th><th scope="col">{t!(i18n, network.statement)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <div class="network-overview" data-testid="network-overview">
            <div class="stat-grid">
                <div class="stat-card" data-testid="overview-collaborators"><div class="stat-label">{t!(i18n, network.collaborators)}</div>
                    <div class="stat-value">{format_count(language, overview.collaborators)}</div>
                    <div class="stat-detail">{tf!(l, network.n_active, count = format_count(language, overview.active))}</div>
                </div>
                <div class="stat-card"><div class="stat-label">{t!(i18n, network.trees)}</div>
                    <div class="stat-value">{format_count(language, tops)}</div>
                    <div class="stat-detail">{tf!(l, network.trees_detail, depth = deepest)}</div>
                </div>
                <div class="stat-card"><div class="stat-label">{tf!(l, network.joined_in, months = JOINED_MONTHS)}</div>
                    <div class="stat-value">{format_count(language, joined_in_window)}</div>
                    <div class="stat-detail">{t!(i18n, network.joined_detail)}</div>
                </div>
            </div>
            <div class="overview-columns">
                <section aria-labelledby="ranks-title">
                    <h2 id="ranks-title">{t!(i18n, network.by_rank)}</h2>
                    <table class="data-table" data-testid="ranks">
                        <thead><tr>
                            <th scope="col">{t!(i18n, network.rank)}</th><th scope="col" class="num">{t!(i18n, network.collaborators)}</th>
                            <th scope="col" class="num">{t!(i18n, network.active)}</th>
                        </tr></thead>
                        <tbody>{rank_rows}</tbody>
                    </table>
                </section>
                <section aria-labelledby="depths-title">
                    <h2 id="depths-title">{t!(i18n, network.by_depth)}</h2>
                    <table class="data-table" data-testid="depths">
                        <thead><tr>
                            <th scope="col">{t!(i18n, network.levels_below)}</th><th scope="col" class="num">{t!(i18n, network.collaborators)}</th>
                        </tr></thead>
                        <tbody>{depth_rows}</tbody>
                    </table>
                </section>
            </div>
            <section aria-labelledby="joined-title">
                <h2 id="joined-title">{t!(i18n, network.per_month)}</h2>
                <EChart id="joined-chart" title=td_string!(l, network.joined_chart) chart=joined_chart>
                    <table class="data-table" data-testid="joined">
                        <thead><tr><th scope="col">{t!(i18n, network.month)}</th><th scope="col" class="num">{t!(i18n, network.joined)}</th></tr></thead>
                        <tbody>{joined_rows}</tbody>
                    </table>
                </EChart>
            </section>
            <section aria-labelledby="teams-title">
                <h2 id="teams-title">{tf!(l, network.largest_teams, n = LEADERS)}</h2>
                <p class="muted">{t!(i18n, network.teams_hint)}</p>
                <div class="table-scroll">
                    <table class="data-table" data-testid="largest-teams">
                        <thead><tr>
                            <th scope="col">{t!(i18n, network.code)}</th><th scope="col">{t!(i18n, network.name)}</th><th scope="col">{t!(i18n, network.rank)}</th>
                            <th scope="col" class="num">{t!(i18n, network.team)}</th><th scope="col" class="num">{t!(i18n, network.introduced_directly)}</th>
                        </tr></thead>
                        <tbody>{team_rows}</tbody>
                    </table>
                </div>
            </section>
            <section aria-labelledby="earners-title">
                <h2 id="earners-title">{tf!(l, network.top_earners, n = LEADERS)}</h2>
                {earners}
            </section>
        </div>
    }
}
