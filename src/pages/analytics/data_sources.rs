//! `/admin/data-sources?source=…&page=…`: every data source of the organization (what
//! it is, when it last ran, how that went, how often it runs) and the history of its
//! runs, newest first. The sources that can run for one organization on demand have a
//! "Sync now" button; the others say why they cannot.

use crate::components::language;
use crate::domain::analytics::data_sources::{
    data_sources_href, source_type_label, DataSourceListing, SyncHistoryPage, SyncNowDone,
};
use crate::domain::format::format_count;
use crate::domain::server_error::ServerError;
use crate::i18n::{td_string, use_i18n, Locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn get_data_sources() -> Result<Vec<DataSourceListing>, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.data_sources().await?)
}

/// Page `page` of the runs of the source `source` (its id; "" for every source's).
#[server]
pub async fn get_sync_history(source: String, page: String) -> Result<SyncHistoryPage, ServerError> {
    use crate::domain::analytics::usage::parse_page;
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let bad = |field: &'static str, message: String| ServerError::from(AppError::BadRequest { field, message });
    let locale = Locale::from(crate::components::request_language());
    let page = parse_page(&page)
        .map_err(|_| bad("page", tf!(locale, data_sources.bad_page, value = format!("{:?}", page.trim()))))?;
    let (source, source_name) = match source.trim() {
        "" => (None, None),
        text => {
            let id = uuid::Uuid::try_parse(text)
                .map_err(|_| bad("source", tf!(locale, data_sources.bad_source, value = format!("{text:?}"))))?;
            let found = store
                .data_source(id)
                .await?
                .ok_or_else(|| AppError::missing(crate::server::error::Missing::DataSource, locale.into()))?;
            (Some(id), Some(found.name))
        }
    };
    let runs = store.sync_history(source, page).await?;
    Ok(crate::data::analytics::data_sources::history_page(source_name, runs, page))
}

/// Runs the source of `source_type` now, for the member's organization.
#[server]
pub async fn sync_data_source(source_type: String) -> Result<SyncNowDone, ServerError> {
    let member = crate::server::auth::signed_in()?;
    let state = expect_context::<crate::server::state::AppState>();
    let locale = Locale::from(crate::components::request_language());
    let source_type = source_type.trim();
    if let Err(why) = on_demand_in(locale, source_type) {
        return Err(crate::server::error::AppError::BadRequest {
            field: "source_type",
            message: format!("source_type: {why}"),
        }
        .into());
    }
    let done = crate::server::sync_now::start(&state, &member, source_type, locale.into()).await?;
    let message = tf!(locale, data_sources.started_message, name = type_label(locale, &done.source_type));
    Ok(SyncNowDone { message, ..done })
}

#[component]
pub fn DataSourcesPage() -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let map = query.read();
        (map.get("source").unwrap_or_default(), map.get("page").unwrap_or_default())
    });
    let sync = ServerAction::<SyncDataSource>::new();
    let sources = Resource::new(move || sync.version().get(), |_| get_data_sources());
    let history = Resource::new(
        move || (params.get(), sync.version().get()),
        |((source, page), _)| get_sync_history(source, page),
    );
    view! {
        <Title text=td_string!(locale, data_sources.title)/>
        <section class="page admin">
            <h1>{td_string!(locale, data_sources.title)}</h1>
            <p class="hint">{td_string!(locale, data_sources.hint)}</p>
            <div aria-live="polite" data-testid="sync-result">
                {move || sync.value().get().map(|result| match result {
                    Ok(done) => view! { <p class="verdict ok" role="status">{done.message}</p> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, data_sources.loading_sources)}</p> }>
                {move || Suspend::new(async move {
                    match sources.await {
                        Ok(sources) if sources.is_empty() => view! {
                            <div class="empty-state" role="status" data-testid="no-data-sources">
                                <p>{td_string!(locale, data_sources.none)}</p>
                            </div>
                        }.into_any(),
                        Ok(sources) => view! { <SourceTable sources sync/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, data_sources.loading_runs)}</p> }>
                {move || Suspend::new(async move {
                    let source = params.with(|(source, _)| (!source.trim().is_empty()).then(|| source.trim().to_owned()));
                    match history.await {
                        Ok(history) => view! { <History history source/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href=data_sources_href(None, 1)>{td_string!(locale, data_sources.every_runs)}</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SourceTable(sources: Vec<DataSourceListing>, sync: ServerAction<SyncDataSource>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let rows = sources
        .into_iter()
        .map(|source| {
            let status = if source.is_active {
                source.status.clone()
            } else {
                tf!(locale, data_sources.inactive, status = source.status)
            };
            let history = source.id.as_deref().map(|id| {
                let label = tf!(locale, data_sources.runs_of, name = source.name);
                view! { <a href=data_sources_href(Some(id), 1) aria-label=label>{td_string!(locale, data_sources.runs)}</a> }
            });
            let type_label = type_label(locale, &source.source_type);
            let source_type = source.source_type.clone();
            // The domain says whether it runs from here; the page says why not in its language.
            let on_demand = source.on_demand.and_then(|()| on_demand_in(locale, &source.source_type));
            let action = match on_demand {
                Ok(()) => {
                    let label = tf!(locale, data_sources.sync_of, name = source.name);
                    view! {
                        <ActionForm action=sync attr:class="inline-form">
                            <input type="hidden" name="source_type" value=source_type/>
                            <button type="submit" aria-label=label disabled=move || sync.pending().get()>{td_string!(locale, data_sources.sync_now)}</button>
                        </ActionForm>
                    }
                    .into_any()
                }
                Err(why) => view! { <span class="muted">{why}</span> }.into_any(),
            };
            view! {
                <tr data-source-type=source.source_type>
                    <th scope="row">{source.name}</th>
                    <td>{type_label}</td>
                    <td>{status}</td>
                    <td>{source.last_sync_at.unwrap_or_else(|| td_string!(locale, data_sources.never).to_owned())}</td>
                    <td>{source.frequency_minutes.map_or_else(
                        || td_string!(locale, data_sources.on_demand).to_owned(),
                        |minutes| tf!(locale, data_sources.every_min, minutes = minutes),
                    )}</td>
                    <td>{source.last_error.unwrap_or_default()}</td>
                    <td>{history}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="data-sources">
                <thead><tr>
                    <th scope="col">{td_string!(locale, data_sources.source)}</th><th scope="col">{td_string!(locale, data_sources.type_col)}</th>
                    <th scope="col">{td_string!(locale, data_sources.status)}</th><th scope="col">{td_string!(locale, data_sources.last_run)}</th>
                    <th scope="col">{td_string!(locale, data_sources.frequency)}</th><th scope="col">{td_string!(locale, data_sources.last_error)}</th>
                    <th scope="col">{td_string!(locale, data_sources.history)}</th><th scope="col">{td_string!(locale, data_sources.run)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn History(history: SyncHistoryPage, source: Option<String>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let title = match &history.source_name {
        Some(name) => tf!(locale, data_sources.runs_of, name = name),
        None => td_string!(locale, data_sources.runs_of_every).to_owned(),
    };
    let page = history.page;
    let body = if history.runs.is_empty() {
        view! {
            <div class="empty-state" role="status" data-testid="no-runs">
                <p>{if page > 1 { td_string!(locale, data_sources.no_more) } else { td_string!(locale, data_sources.no_run) }}</p>
            </div>
        }
        .into_any()
    } else {
        let rows = history
            .runs
            .into_iter()
            .map(|run| {
                let status = run.status.clone();
                view! {
                    <tr data-status=status>
                        <td>{run.started_at}</td>
                        <td>{run.source_name}</td>
                        <td>{run.sync_type}</td>
                        <td>{run.status}</td>
                        <td class="num">{format_count(language(), run.processed)}</td>
                        <td class="num">{format_count(language(), run.created)}</td>
                        <td class="num">{format_count(language(), run.updated)}</td>
                        <td class="num">{format_count(language(), run.failed)}</td>
                        <td class="num">{run.duration_seconds.map_or_else(|| "—".to_owned(), |seconds| format!("{seconds} s"))}</td>
                        <td>{run.error.unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="data-table" data-testid="sync-runs">
                    <thead><tr>
                        <th scope="col">{td_string!(locale, data_sources.started)}</th><th scope="col">{td_string!(locale, data_sources.source)}</th>
                        <th scope="col">{td_string!(locale, data_sources.kind)}</th><th scope="col">{td_string!(locale, data_sources.status)}</th>
                        <th scope="col" class="num">{td_string!(locale, data_sources.processed)}</th><th scope="col" class="num">{td_string!(locale, data_sources.created)}</th>
                        <th scope="col" class="num">{td_string!(locale, data_sources.updated)}</th><th scope="col" class="num">{td_string!(locale, data_sources.failed)}</th>
                        <th scope="col" class="num">{td_string!(locale, data_sources.duration)}</th><th scope="col">{td_string!(locale, data_sources.error)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let source_ref = source.clone();
    view! {
        <section aria-labelledby="runs-title">
            <h2 id="runs-title">{title}</h2>
            {source.is_some().then(|| view! { <p><a href=data_sources_href(None, 1)>{td_string!(locale, data_sources.every_runs)}</a></p> })}
            {body}
            <nav class="pager" aria-label=td_string!(locale, data_sources.run_pages)>
                {(page > 1).then(|| view! { <a href=data_sources_href(source_ref.as_deref(), page - 1) rel="prev">{td_string!(locale, data_sources.newer)}</a> })}
                {history.has_more.then(|| view! { <a href=data_sources_href(source.as_deref(), page + 1) rel="next" data-testid="older-runs">{td_string!(locale, data_sources.older)}</a> })}
            </nav>
        </section>
    }
}

/// A source's kind in the page's language; kinds the page does not know keep the
/// domain's name made of their words.
fn type_label(locale: Locale, source_type: &str) -> String {
    let known = match source_type {
        "file_import" => td_string!(locale, data_sources.type_file_import),
        "redis_cache" => td_string!(locale, data_sources.type_redis_cache),
        "transaction_maintenance" => td_string!(locale, data_sources.type_transaction_maintenance),
        "daily_aggregates" => td_string!(locale, data_sources.type_daily_aggregates),
        "hourly_aggregation" => td_string!(locale, data_sources.type_hourly_aggregation),
        "nightly_analytics" => td_string!(locale, data_sources.type_nightly_analytics),
        "drop_folder_import" => td_string!(locale, data_sources.type_drop_folder_import),
        other => return source_type_label(other),
    };
    known.to_owned()
}

/// [`crate::domain::analytics::data_sources::on_demand`] with its reason in the page's language.
fn on_demand_in(locale: Locale, source_type: &str) -> Result<(), String> {
    crate::domain::analytics::data_sources::on_demand(source_type).map_err(|_| {
        match source_type {
            "file_import" => td_string!(locale, data_sources.why_file_import),
            _ => td_string!(locale, data_sources.why_scheduled),
        }
        .to_owned()
    })
}
