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

#[server]
pub async fn get_collaborator_statement(ctv: String, period: String) -> Result<CollaboratorStatement, ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let query = StatementParams { ctv, period }.check()?;
    let query = &query;
    let statement = store.on_replica(|store| async move { store.collaborator_statement(query).await }).await?;
    statement.ok_or_else(|| AppError::NotFound("collaborator (ctv)").into())
}

#[component]
pub fn StatementPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let map = query.read();
        StatementParams { ctv: map.get("ctv").unwrap_or_default(), period: map.get("period").unwrap_or_default() }
    });
    let statement = Resource::new(move || params.get(), |params| get_collaborator_statement(params.ctv, params.period));
    view! {
        <Title text="Commission statement"/>
        <section class="page statement-page">
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the statement…"</p> }>
                {move || Suspend::new(async move {
                    let params = params.get();
                    match statement.await {
                        Ok(statement) => view! { <Statement statement params/> }.into_any(),
                        Err(error) => view! {
                            <h1>"Commission statement"</h1>
                            <p class="error" role="alert" data-testid="statement-error">{error.to_string()}</p>
                            <p><a href="/commissions">"Back to the commission report"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Statement(statement: CollaboratorStatement, params: StatementParams) -> impl IntoView {
    let CollaboratorStatement { organization, statement, closed, totals } = statement;
    let collaborator = statement.collaborator;
    let period = statement.period;
    let report_href = with_query(
        "/commissions",
        &ReportParams { period: period.clone(), ctv: collaborator.ma_ctv.clone(), ..Default::default() }.query_string(),
    );
    let state = if closed { "closed: these figures are final" } else { "open: recalculations may still change it" };
    let summary_rows = totals
        .earnings
        .iter()
        .enumerate()
        .map(|(level, amount)| {
            let label =
                if level == 0 { "Own customers (level 0)".to_owned() } else { format!("Override, level {level}") };
            (label, *amount)
        })
        .chain([("Reversals".to_owned(), totals.reversals), ("Adjustments".to_owned(), totals.adjustments)])
        .map(|(label, amount)| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td class="num" data-value=format!("{amount:.2}")>{format_vnd(language(), amount)}</td>
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
                        <td class="num" data-value=format!("{:.2}", line.amount)>{format_vnd(language(), line.amount)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section aria-labelledby="prior-title">
                <h2 id="prior-title">"Prior-period adjustments"</h2>
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">"Corrects"</th><th scope="col">"Reason"</th><th scope="col">"Entered by"</th>
                        <th scope="col" class="num">"Amount"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
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
                    <td>{line.served_on.clone().unwrap_or_default()}</td>
                    <td>{customer}</td>
                    <td>{line_description(line)}</td>
                    <td class="num">{line.level}</td>
                    <td class="num">{format_vnd(language(), line.base_amount)}</td>
                    <td class="num">{format!("{}%", line.rate)}</td>
                    <td class="num" data-value=format!("{:.2}", line.amount)>{format_vnd(language(), line.amount)}</td>
                </tr>
            }
        })
        .collect_view();
    let lines_table = if statement.lines.is_empty() {
        view! { <p class="empty-state" role="status">"No commission lines this month."</p> }.into_any()
    } else {
        view! {
            <table class="data-table statement-lines" data-testid="statement-lines">
                <thead><tr>
                    <th scope="col">"Served on"</th><th scope="col">"Customer"</th><th scope="col">"Line"</th>
                    <th scope="col" class="num">"Level"</th><th scope="col" class="num">"Base"</th>
                    <th scope="col" class="num">"Rate"</th><th scope="col" class="num">"Amount"</th>
                </tr></thead>
                <tbody>{line_rows}</tbody>
                <tfoot><tr>
                    <th scope="row" colspan="6">{format!("{} lines", format_count(language(), totals.lines as i64))}</th>
                    <td class="num">{format_vnd(language(), totals.total)}</td>
                </tr></tfoot>
            </table>
        }
        .into_any()
    };
    view! {
        <Title text=format!("Statement {} {period}", collaborator.ma_ctv)/>
        <div class="statement-actions no-print">
            <a href=report_href>"← Commission report"</a>
            <PrintButton/>
            <a class="button" href=params.xlsx_href() download data-testid="statement-xlsx">"Download Excel"</a>
        </div>
        <header class="statement-document-header">
            <p class="muted">{organization}</p>
            <h1 data-testid="statement-title">{format!("Commission statement, {period}")}</h1>
            <dl class="settings">
                <dt>"Collaborator"</dt><dd>{format!("{} {}", collaborator.ma_ctv, collaborator.name)}</dd>
                <dt>"Rank"</dt><dd>{collaborator.rank}</dd>
                <dt>"Phone"</dt><dd>{collaborator.phone.unwrap_or_else(|| "–".into())}</dd>
                <dt>"Month"</dt><dd data-testid="statement-state">{format!("{period}, {state}")}</dd>
            </dl>
        </header>
        <section aria-labelledby="totals-title">
            <h2 id="totals-title">"Totals"</h2>
            <table class="data-table statement-totals" data-testid="statement-totals">
                <tbody>{summary_rows}</tbody>
                <tfoot><tr>
                    <th scope="row">"Total for the month"</th>
                    <td class="num" data-testid="statement-total" data-value=format!("{:.2}", totals.total)>{format_vnd(language(), totals.total)}</td>
                </tr></tfoot>
            </table>
        </section>
        {prior_section}
        <section aria-labelledby="lines-title">
            <h2 id="lines-title">"Lines"</h2>
            <p class="muted">"Level 0 is the collaborator's own customer; levels 1 to 4 pay it an override on its team's customers. Reversals take back what a customer no longer earns; adjustments correct what was paid."</p>
            {lines_table}
        </section>
    }
}

/// Prints the page (the browser's dialog); without JavaScript the browser's own menu does.
#[component]
fn PrintButton() -> impl IntoView {
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().print();
        }
    };
    view! { <button type="button" class="link-button" on:click=print>"Print"</button> }
}
