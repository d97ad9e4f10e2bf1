//! `/commissions/statement?ctv=…&period=…`: a collaborator's statement of a month, for
//! the collaborator to receive: who pays, the month's state, the totals by level, the
//! prior-period adjustments with their reasons, and every line. It prints on A4 without
//! the app's header (`@media print` in style/main.css) and downloads as a workbook.

use crate::components::language;
use crate::domain::ctv::commissions::ReportParams;
use crate::domain::ctv::statements::{line_description, CollaboratorStatement, StatementParams};
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
use crate::pages::url::with_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::format::{format_date, format_plain};
use crate::i18n::{t, td_string, use_i18n};

#[server]
pub async fn get_collaborator_statement(ctv: String, period: String) -> Result<CollaboratorStatement, ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let query = StatementParams { ctv, period }.check()?;
    let query = &query;
    let statement = store.on_replica(|store| async move { store.collaborator_statement(query).await }).await?;
    statement.ok_or_else(|| AppError::missing_here(crate::server::error::Missing::Collaborator).into())
}

#[component]
pub fn StatementPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let map = query.read();
        StatementParams { ctv: map.get("ctv").unwrap_or_default(), period: map.get("period").unwrap_or_default() }
    });
    let statement = Resource::new(move || params.get(), |params| get_collaborator_statement(params.ctv, params.period));
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), statement.title)/>
        <section class="page statement-page">
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, statement.loading)}</p> }>
                {move || Suspend::new(async move {
                    let params = params.get();
                    match statement.await {
                        Ok(statement) => view! { <Statement statement params/> }.into_any(),
                        Err(error) => view! {
                            <h1>{t!(i18n, statement.title)}</h1>
                            <p class="error" role="alert" data-testid="statement-error">{error.to_string()}</p>
                            <p><a href="/commissions">{t!(i18n, statement.back_to_report)}</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Statement(statement: CollaboratorStatement, params: StatementParams) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let language = language();
    let CollaboratorStatement { organization, statement, closed, totals } = statement;
    let collaborator = statement.collaborator;
    let period = statement.period;
    let report_href = with_query(
        "/commissions",
        &ReportParams { period: period.clone(), ctv: collaborator.ma_ctv.clone(), ..Default::default() }.query_string(),
    );
    let state = if closed { td_string!(l, statement.closed) } else { td_string!(l, statement.open) };
    let summary_rows = totals
        .earnings
        .iter()
        .enumerate()
        .map(|(level, amount)| {
            let label = if level == 0 {
                td_string!(l, statement.own_customers).to_owned()
            } else {
                tf!(l, statement.override_level, level = level)
            };
            (label, *amount)
        })
        .chain([
            (td_string!(l, statement.reversals).to_owned(), totals.reversals),
            (td_string!(l, statement.adjustments).to_owned(), totals.adjustments),
        ])
        .map(|(label, amount)| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td class="num" data-value=format!("{amount:.2}")>{format_vnd(language, amount)}</td>
                </tr>
            }
        })
        .collect_view();
    let prior: Vec<_> = statement.lines.iter().filter(|line| line.adjusts_period.is_some()).cloned().collect();
    let prior_section = (!prior.is_empty()).then(|| {
        let rows = prior
            .into_iter()
            .map(|line| {
                view! {
                    <tr data-testid="prior-adjustment">
                        <td>{line.adjusts_period.clone().unwrap_or_default()}</td>
                        <td>{line.reason.clone().unwrap_or_default()}</td>
                        <td>{line.entered_by.clone().unwrap_or_default()}</td>
                        <td class="num" data-value=format!("{:.2}", line.amount)>{format_vnd(language, line.amount)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section aria-labelledby="prior-title">
                <h2 id="prior-title">{t!(i18n, statement.prior_adjustments)}</h2>
                <div class="table-scroll" tabindex="0" role="region" aria-label=td_string!(i18n.get_locale_untracked(), statement.prior_adjustments)>
                    <table class="data-table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, statement.corrects)}</th><th scope="col">{t!(i18n, statement.reason)}</th>
                            <th scope="col">{t!(i18n, statement.entered_by)}</th>
                            <th scope="col" class="num">{t!(i18n, statement.amount)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        }
    });
    let line_rows = statement
        .lines
        .iter()
        .map(|line| {
            let customer = if line.customer_id.is_some() {
                format!("{} · {}", line.customer_name, line.customer_phone)
            } else {
                "–".to_owned()
            };
            view! {
                <tr>
                    <td>{line.served_on.as_deref().map(|day| format_date(language, day)).unwrap_or_default()}</td>
                    <td>{customer}</td>
                    <td>{line_description(language, line)}</td>
                    <td class="num">{line.level}</td>
                    <td class="num">{format_vnd(language, line.base_amount)}</td>
                    <td class="num">{format!("{}%", format_plain(language, line.rate))}</td>
                    <td class="num" data-value=format!("{:.2}", line.amount)>{format_vnd(language, line.amount)}</td>
                </tr>
            }
        })
        .collect_view();
    let lines_table = if statement.lines.is_empty() {
        view! { <p class="empty-state" role="status">{t!(i18n, statement.no_lines)}</p> }.into_any()
    } else {
        view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label=td_string!(i18n.get_locale_untracked(), statement.lines)>
                <table class="data-table statement-lines" data-testid="statement-lines">
                    <thead><tr>
                        <th scope="col">{t!(i18n, statement.served_on)}</th><th scope="col">{t!(i18n, statement.customer)}</th>
                        <th scope="col">{t!(i18n, statement.line)}</th>
                        <th scope="col" class="num">{t!(i18n, statement.level)}</th><th scope="col" class="num">{t!(i18n, statement.base)}</th>
                        <th scope="col" class="num">{t!(i18n, statement.rate)}</th><th scope="col" class="num">{t!(i18n, statement.amount)}</th>
                    </tr></thead>
                    <tbody>{line_rows}</tbody>
                    <tfoot><tr>
                        <th scope="row" colspan="6">{tf!(l, statement.n_lines, count = format_count(language, totals.lines as i64))}</th>
                        <td class="num">{format_vnd(language, totals.total)}</td>
                    </tr></tfoot>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <Title text=tf!(l, statement.page_title, ctv = collaborator.ma_ctv.clone(), period = period.clone())/>
        <div class="statement-actions no-print">
            <a href=report_href>{t!(i18n, statement.report_link)}</a>
            <PrintButton/>
            <a class="button" href=params.xlsx_href() download data-testid="statement-xlsx">{t!(i18n, statement.download_excel)}</a>
        </div>
        <header class="statement-document-header">
            <p class="muted">{organization}</p>
            <h1 data-testid="statement-title">{tf!(l, statement.heading, period = period.clone())}</h1>
            <dl class="settings">
                <dt>{t!(i18n, statement.collaborator)}</dt><dd>{format!("{} {}", collaborator.ma_ctv, collaborator.name)}</dd>
                <dt>{t!(i18n, statement.rank)}</dt><dd>{collaborator.rank}</dd>
                <dt>{t!(i18n, statement.phone)}</dt><dd>{collaborator.phone.unwrap_or_else(|| "–".into())}</dd>
                <dt>{t!(i18n, statement.month)}</dt><dd data-testid="statement-state">{tf!(l, statement.month_state, period = period.clone(), state = state)}</dd>
            </dl>
        </header>
        <section aria-labelledby="totals-title">
            <h2 id="totals-title">{t!(i18n, statement.totals)}</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label=td_string!(i18n.get_locale_untracked(), statement.totals)>
                <table class="data-table statement-totals" data-testid="statement-totals">
                    <tbody>{summary_rows}</tbody>
                    <tfoot><tr>
                        <th scope="row">{t!(i18n, statement.total_for_month)}</th>
                        <td class="num" data-testid="statement-total" data-value=format!("{:.2}", totals.total)>{format_vnd(language, totals.total)}</td>
                    </tr></tfoot>
                </table>
            </div>
        </section>
        {prior_section}
        <section aria-labelledby="lines-title">
            <h2 id="lines-title">{t!(i18n, statement.lines)}</h2>
            <p class="muted">{t!(i18n, statement.lines_hint)}</p>
            {lines_table}
        </section>
    }
}

/// Prints the page (the browser's dialog); without JavaScript the browser's own menu does.
#[component]
fn PrintButton() -> impl IntoView {
    let i18n = use_i18n();
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().print();
        }
    };
    view! { <button type="button" class="link-button" on:click=print>{t!(i18n, statement.print)}</button> }
}
