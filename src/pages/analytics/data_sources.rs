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
    let page = parse_page(&page).map_err(|message| bad("page", message))?;
    let (source, source_name) = match source.trim() {
        "" => (None, None),
        text => {
            let id = uuid::Uuid::try_parse(text)
                .map_err(|_| bad("source", format!("source: {text:?} is not the id of a data source")))?;
            let found = store.data_source(id).await?.ok_or(AppError::NotFound("data source"))?;
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
    Ok(crate::server::sync_now::start(&state, &member, &source_type).await?)
}

#[component]
pub fn DataSourcesPage() -> impl IntoView {
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
        <Title text="Data sources"/>
        <section class="page admin">
            <h1>"Data sources"</h1>
            <p class="hint">"Where this organization's data comes from and every run that moved it: imports, the Redis cache sync, the scheduled jobs. A source that can run now has a Sync now button."</p>
            <div aria-live="polite" data-testid="sync-result">
                {move || sync.value().get().map(|result| match result {
                    Ok(done) => view! { <p class="verdict ok" role="status">{done.message}</p> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the sources…"</p> }>
                {move || Suspend::new(async move {
                    match sources.await {
                        Ok(sources) if sources.is_empty() => view! {
                            <div class="empty-state" role="status" data-testid="no-data-sources">
                                <p>"No data source has run for this organization yet."</p>
                            </div>
                        }.into_any(),
                        Ok(sources) => view! { <SourceTable sources sync/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the runs…"</p> }>
                {move || Suspend::new(async move {
                    let source = params.with(|(source, _)| (!source.trim().is_empty()).then(|| source.trim().to_owned()));
                    match history.await {
                        Ok(history) => view! { <History history source/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href=data_sources_href(None, 1)>"Show every source's runs"</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SourceTable(sources: Vec<DataSourceListing>, sync: ServerAction<SyncDataSource>) -> impl IntoView {
    let rows = sources
        .into_iter()
        .map(|source| {
            let status = if source.is_active { source.status.clone() } else { format!("{} (inactive)", source.status) };
            let history = source.id.as_deref().map(|id| {
                let label = format!("Runs of {}", source.name);
                view! { <a href=data_sources_href(Some(id), 1) aria-label=label>"Runs"</a> }
            });
            let type_label = source_type_label(&source.source_type);
            let source_type = source.source_type.clone();
            let action = match source.on_demand {
                Ok(()) => {
                    let label = format!("Sync {} now", source.name);
                    view! {
                        <ActionForm action=sync attr:class="inline-form">
                            <input type="hidden" name="source_type" value=source_type/>
                            <button type="submit" aria-label=label disabled=move || sync.pending().get()>"Sync now"</button>
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
                    <td>{source.last_sync_at.unwrap_or_else(|| "never".to_owned())}</td>
                    <td>{source.frequency_minutes.map_or_else(|| "on demand".to_owned(), |minutes| format!("every {minutes} min"))}</td>
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
                    <th scope="col">"Source"</th><th scope="col">"Type"</th><th scope="col">"Status"</th>
                    <th scope="col">"Last run"</th><th scope="col">"Frequency"</th><th scope="col">"Last error"</th>
                    <th scope="col">"History"</th><th scope="col">"Run"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn History(history: SyncHistoryPage, source: Option<String>) -> impl IntoView {
    let title = match &history.source_name {
        Some(name) => format!("Runs of {name}"),
        None => "Runs of every source".to_owned(),
    };
    let page = history.page;
    let body = if history.runs.is_empty() {
        view! {
            <div class="empty-state" role="status" data-testid="no-runs">
                <p>{if page > 1 { "No more runs." } else { "No run has been recorded yet." }}</p>
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
                        <th scope="col">"Started"</th><th scope="col">"Source"</th><th scope="col">"Kind"</th><th scope="col">"Status"</th>
                        <th scope="col" class="num">"Processed"</th><th scope="col" class="num">"Created"</th>
                        <th scope="col" class="num">"Updated"</th><th scope="col" class="num">"Failed"</th>
                        <th scope="col" class="num">"Duration"</th><th scope="col">"Error"</th>
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
            {source.is_some().then(|| view! { <p><a href=data_sources_href(None, 1)>"Show every source's runs"</a></p> })}
            {body}
            <nav class="pager" aria-label="Pages of runs">
                {(page > 1).then(|| view! { <a href=data_sources_href(source_ref.as_deref(), page - 1) rel="prev">"Newer runs"</a> })}
                {history.has_more.then(|| view! { <a href=data_sources_href(source.as_deref(), page + 1) rel="next" data-testid="older-runs">"Older runs"</a> })}
            </nav>
        </section>
    }
}
