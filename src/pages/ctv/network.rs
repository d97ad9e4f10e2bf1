//! `/network?q=…&ctv=…`: find a collaborator by code, name or phone; see who is above
//! it (the 4 levels its customers pay overrides to) and its team 4 levels deep, each
//! member with its team size and revenue. The tree opens and closes without a request.
//! Without a search or a collaborator, it shows the whole network (`network_overview`).

use crate::components::language;
use crate::domain::ctv::network::{Collaborator, DownlineMember, NetworkView};
use crate::domain::format::{format_count, format_vnd};
use crate::domain::query::query_string;
use crate::domain::server_error::ServerError;
use crate::pages::ctv::network_overview::{get_network_overview, NetworkOverviewPanel};
use crate::pages::url::with_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::ctv::network::rank_label;
use crate::domain::format::format_date;
use crate::domain::language::Language;
use crate::i18n::{t, td_string, use_i18n, Locale};

/// A collaborator's stored status (`active`, `inactive`) as the page's language says it.
fn status_label(locale: Locale, status: &str) -> String {
    match status {
        "active" => td_string!(locale, network.status_active).to_owned(),
        "inactive" => td_string!(locale, network.status_inactive).to_owned(),
        other => other.to_owned(),
    }
}

#[server]
pub async fn search_network(text: String) -> Result<Vec<Collaborator>, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.search_collaborators(&text).await?)
}

#[server]
pub async fn get_network(ma_ctv: String) -> Result<Option<NetworkView>, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.network_view(ma_ctv.trim()).await?)
}

/// The network page with `ctv` at its centre, the search kept.
fn network_href(search: &str, ma_ctv: &str) -> String {
    with_query("/network", &query_string(&[("q", &search.to_owned()), ("ctv", &ma_ctv.to_owned())]))
}

#[component]
pub fn NetworkPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let query = use_query_map();
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let centre = Memo::new(move |_| query.read().get("ctv").unwrap_or_default());
    let found = Resource::new(
        move || search.get(),
        |text| async move {
            if text.trim().is_empty() {
                Ok(Vec::new())
            } else {
                search_network(text).await
            }
        },
    );
    let network = Resource::new(
        move || centre.get(),
        |ma_ctv| async move {
            if ma_ctv.trim().is_empty() {
                Ok(None)
            } else {
                get_network(ma_ctv).await
            }
        },
    );
    let shows_overview = Memo::new(move |_| search.get().trim().is_empty() && centre.get().trim().is_empty());
    let overview = Resource::new(
        move || shows_overview.get(),
        |shows| async move {
            if shows {
                get_network_overview().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), network.title)/>
        <section class="page">
            <h1>{t!(i18n, network.title)}</h1>
            <form class="filters" method="get" action="/network" role="search" aria-label=td_string!(l, network.find)>
                <label>{t!(i18n, network.search_label)}
                    <input name="q" type="search" value=move || search.get() required autocomplete="off"/>
                </label>
                <button type="submit">{t!(i18n, network.search)}</button>
            </form>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, network.searching)}</p> }>
                {move || Suspend::new(async move {
                    let text = search.get();
                    match found.await {
                        Ok(found) if text.trim().is_empty() && found.is_empty() => ().into_any(),
                        Ok(found) => view! { <SearchResults text found/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, network.loading)}</p> }>
                {move || Suspend::new(async move {
                    let (text, ma_ctv) = (search.get(), centre.get());
                    match network.await {
                        Ok(Some(network)) => view! { <Network network search=text/> }.into_any(),
                        Ok(None) if ma_ctv.trim().is_empty() && text.trim().is_empty() => ().into_any(),
                        Ok(None) if ma_ctv.trim().is_empty() => view! {
                            <p class="empty-state">{t!(i18n, network.open_hint)}</p>
                        }.into_any(),
                        Ok(None) => view! {
                            <p class="empty-state" role="status">{t!(i18n, network.no_code)} <code>{ma_ctv}</code> "."</p>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, network.loading_figures)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <NetworkOverviewPanel overview/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{t!(i18n, network.figures_failed)} {error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SearchResults(text: String, found: Vec<Collaborator>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if found.is_empty() {
        return view! { <p class="empty-state" role="status">{t!(i18n, network.no_match)} <code>{text}</code> "."</p> }
            .into_any();
    }
    let more = (found.len() as i64 >= crate::domain::ctv::network::COLLABORATOR_SEARCH_LIMIT)
        .then_some(td_string!(l, network.first_ones));
    view! {
        <p class="list-count">
            {tf!(l, network.n_found, count = format_count(language(), found.len() as i64), more = more.unwrap_or_default())}
        </p>
        <div class="table-scroll">
            <table class="data-table" data-testid="network-search-results">
                <thead><tr>
                    <th scope="col">{t!(i18n, network.code)}</th><th scope="col">{t!(i18n, network.name)}</th>
                    <th scope="col">{t!(i18n, network.phone)}</th>
                    <th scope="col">{t!(i18n, network.rank)}</th><th scope="col">{t!(i18n, network.introduced_by)}</th>
                    <th scope="col">{t!(i18n, network.status)}</th>
                </tr></thead>
                <tbody>
                    {found.into_iter().map(|ctv| {
                        let href = network_href(&text, &ctv.ma_ctv);
                        view! {
                            <tr>
                                <td><a href=href>{ctv.ma_ctv}</a></td>
                                <td>{ctv.name}</td>
                                <td>{ctv.phone.unwrap_or_default()}</td>
                                <td data-rank=ctv.rank.clone()>{rank_label(&ctv.rank, language())}</td>
                                <td>{ctv.introducer.unwrap_or_else(|| "–".into())}</td>
                                <td data-status=ctv.status.clone()>{status_label(l, &ctv.status)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Network(network: NetworkView, search: String) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let NetworkView { collaborator, upline, downline } = network;
    let root = downline.members.first().cloned();
    let (team_size, team_revenue, recruits) = root.map_or((1, 0.0, 0), |m| (m.team_size, m.team_revenue, m.children));
    let at_the_top = upline.is_empty();
    // Highest level first, so the chain reads down to the collaborator.
    let chain = upline
        .into_iter()
        .rev()
        .map(|member| {
            let href = network_href(&search, &member.collaborator.ma_ctv);
            view! {
                <li>
                    <span class="muted">{tf!(l, network.level_n, level = member.level)}</span>
                    <a href=href>{member.collaborator.ma_ctv}</a>" "{member.collaborator.name}
                </li>
            }
        })
        .collect_view();
    let tree = (!downline.members.is_empty()).then(|| {
        let mut at = 0;
        tree_node(&downline.members, &mut at, &search, l, language)
    });
    view! {
        <div class="stat-grid" data-testid="network-summary">
            <div class="stat-card"><div class="stat-label">{t!(i18n, network.collaborator)}</div>
                <div class="stat-value">{collaborator.ma_ctv.clone()}</div>
                <div class="stat-detail">
                    {tf!(
                        l,
                        network.summary_detail,
                        name = collaborator.name.clone(),
                        rank = rank_label(&collaborator.rank, language),
                        joined = format_date(language, &collaborator.joined_on),
                        status = status_label(l, &collaborator.status)
                    )}
                </div>
            </div>
            <div class="stat-card" data-testid="team-size"><div class="stat-label">{t!(i18n, network.team_4)}</div>
                <div class="stat-value">{format_count(language, team_size)}</div>
                <div class="stat-detail">{tf!(l, network.n_introduced, count = format_count(language, recruits))}</div>
            </div>
            <div class="stat-card"><div class="stat-label">{t!(i18n, network.team_revenue)}</div>
                <div class="stat-value">{format_vnd(language, team_revenue)}</div>
                <div class="stat-detail">{t!(i18n, network.team_revenue_detail)}</div>
            </div>
        </div>
        <section aria-labelledby="upline-title">
            <h2 id="upline-title">{t!(i18n, network.upline)}</h2>
            {if at_the_top {
                view! { <p class="muted">{t!(i18n, network.at_top)}</p> }.into_any()
            } else {
                view! {
                    <ol class="upline" data-testid="upline">
                        {chain}<li><strong>{collaborator.ma_ctv}</strong>{t!(i18n, network.this_collaborator)}</li>
                    </ol>
                }
                .into_any()
            }}
        </section>
        <section aria-labelledby="downline-title">
            <h2 id="downline-title">{t!(i18n, network.team_down)}</h2>
            <p class="muted">{t!(i18n, network.team_down_hint)}</p>
            <ul class="tree" aria-labelledby="downline-title" data-testid="downline">{tree}</ul>
        </section>
    }
}

/// The member at `at` and its subtree (the members after it one level deeper, depth
/// first); `at` ends past the subtree. Members with a team open and close as `<details>`.
fn tree_node(members: &[DownlineMember], at: &mut usize, search: &str, l: Locale, language: Language) -> AnyView {
    let member = members[*at].clone();
    *at += 1;
    let mut children = Vec::new();
    while *at < members.len() && members[*at].level > member.level {
        children.push(tree_node(members, at, search, l, language));
    }
    let href = network_href(search, &member.collaborator.ma_ctv);
    // The code's link sits beside the summary, not in it: a link inside a summary is a
    // control inside a control, which assistive technology cannot reach.
    let code = view! { <a href=href class="tree-code">{member.collaborator.ma_ctv.clone()}</a> };
    let label = view! {
        {member.collaborator.name.clone()}
        <span class="muted">{tf!(l, network.member_detail, rank = rank_label(&member.collaborator.rank, language), level = member.level)}</span>
        <span class="tree-figures">
            {tf!(
                l,
                network.team_figures,
                size = format_count(language, member.team_size),
                revenue = format_vnd(language, member.team_revenue)
            )}
        </span>
    };
    let ma_ctv = member.collaborator.ma_ctv.clone();
    if children.is_empty() {
        view! { <li data-ctv=ma_ctv>{code}<span class="tree-leaf">{label}</span></li> }.into_any()
    } else {
        view! {
            <li data-ctv=ma_ctv>
                {code}
                <details open=member.level == 0>
                    <summary>{label}</summary>
                    <ul>{children}</ul>
                </details>
            </li>
        }
        .into_any()
    }
}
