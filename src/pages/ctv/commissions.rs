//! `/commissions?period=…&q=…&sort=…&order=…&page=…&ctv=…`: managers' commission
//! report of a month, per collaborator: direct commission, overrides by level 1 to 4,
//! adjustments and total; sortable, filterable, exportable (CSV, XLSX). A collaborator's
//! code opens its statement beside the report (the ledger lines that make up its total);
//! its "Statement" link, the printable statement to send it (`statement`).

use crate::components::language;
use crate::domain::ctv::commissions::{CommissionReport, CommissionStatement, ReportColumn, ReportParams, ReportQuery};
use crate::domain::ctv::statements::StatementParams;
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
use crate::pages::ctv::periods::{PeriodActions, PeriodsPanel};
use crate::pages::url::with_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn get_commission_report(params: ReportParams) -> Result<CommissionReport, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let query = params.query()?;
    let query = &query;
    Ok(store.on_replica(|store| async move { store.commission_report_page(query).await }).await?)
}

#[server]
pub async fn get_commission_statement(
    period: String,
    ma_ctv: String,
) -> Result<Option<CommissionStatement>, ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    if !crate::domain::dates::is_month(period.trim()) {
        return Err(AppError::BadRequest {
            field: "period",
            message: format!("period: {period:?} is not a month (YYYY-MM)"),
        }
        .into());
    }
    Ok(store.commission_statement_of(ma_ctv.trim(), period.trim()).await?)
}

fn report_href(params: &ReportParams) -> String {
    with_query("/commissions", &params.query_string())
}

#[component]
pub fn CommissionsPage() -> impl IntoView {
    let query_map = use_query_map();
    let params = Memo::new(move |_| {
        let map = query_map.read();
        let get = |name: &str| map.get(name).unwrap_or_default();
        ReportParams {
            period: get("period"),
            q: get("q"),
            sort: get("sort"),
            order: get("order"),
            page: get("page"),
            ctv: get("ctv"),
        }
    });
    // Opening a statement changes only `ctv`: the report stays as it is.
    let report_params = Memo::new(move |_| ReportParams { ctv: String::new(), ..params.get() });
    let actions = PeriodActions::new();
    // A month closed or reopened, recalculated or adjusted changes the report shown.
    let report =
        Resource::new(move || (report_params.get(), actions.version()), |(params, _)| get_commission_report(params));
    let statement_key = Memo::new(move |_| {
        let params = params.get();
        (params.period, params.ctv)
    });
    let statement = Resource::new(
        move || statement_key.get(),
        |(period, ma_ctv)| async move {
            if ma_ctv.trim().is_empty() || period.trim().is_empty() {
                Ok(None)
            } else {
                get_commission_statement(period, ma_ctv).await
            }
        },
    );
    view! {
        <Title text="Commission report"/>
        <section class="page">
            <h1>"Commission report"</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the report…"</p> }>
                {move || Suspend::new(async move {
                    let params = params.get();
                    match report.await {
                        Ok(report) => view! { <Report report params statement/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert" data-testid="report-error">{error.to_string()}</p>
                            <p><a href="/commissions">"Show the latest month"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <PeriodsPanel actions/>
        </section>
    }
}

type StatementResource = Resource<Result<Option<CommissionStatement>, ServerError>>;

#[component]
fn Report(report: CommissionReport, params: ReportParams, statement: StatementResource) -> impl IntoView {
    let Some(period) = report.period.clone() else {
        return view! {
            <p class="empty-state">"No commissions yet: they appear once a customer of a collaborator is served ('Da den lam')."</p>
        }
        .into_any();
    };
    // Links name the month shown, so a statement or a shared link keeps it.
    let shown = ReportParams { period: period.period.clone(), ..params.clone() };
    let query = shown.query().ok();
    let whole_report = ReportParams { page: String::new(), ctv: String::new(), ..shown.clone() }.query_string();
    let (csv_href, xlsx_href) =
        (with_query("/commissions/export.csv", &whole_report), with_query("/commissions/export.xlsx", &whole_report));
    let status = if period.closed { "closed: its lines are final" } else { "open: recalculations still change it" };
    view! {
        <FilterForm report=report.clone() params=shown.clone()/>
        <p class="list-count" data-testid="report-count">
            {format!("{}: {} collaborators paid; the month is {status}.", period.period, format_count(language(), report.totals.collaborators as i64))}
        </p>
        <div class="export-links">
            <a class="button" href=csv_href download data-testid="export-csv">"Export CSV"</a>
            " "
            <a class="button" href=xlsx_href download data-testid="export-xlsx">"Export Excel"</a>
        </div>
        {(!params.ctv.is_empty()).then(|| view! { <StatementPanel statement close_href=report_href(&ReportParams { ctv: String::new(), ..shown.clone() })/> })}
        {if report.rows.is_empty() {
            view! { <p class="empty-state" role="status">"No collaborator matches this filter."</p> }.into_any()
        } else {
            view! { <ReportTable report params=shown query/> }.into_any()
        }}
    }
    .into_any()
}

#[component]
fn FilterForm(report: CommissionReport, params: ReportParams) -> impl IntoView {
    let months = report
        .periods
        .into_iter()
        .map(|month| {
            let selected = month.period == params.period;
            let label = format!("{}{}", month.period, if month.closed { " (closed)" } else { "" });
            view! { <option value=month.period selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <form class="filters" method="get" action="/commissions" aria-label="Report filters">
            <label>"Month"<select name="period">{months}</select></label>
            <label>"Collaborator code or name"
                <input name="q" type="search" value=params.q.clone() autocomplete="off"/>
            </label>
            {(!params.sort.is_empty()).then(|| view! { <input type="hidden" name="sort" value=params.sort.clone()/> })}
            {(!params.order.is_empty()).then(|| view! { <input type="hidden" name="order" value=params.order.clone()/> })}
            <button type="submit">"Apply"</button>
            <a href="/commissions" class="clear">"Clear"</a>
        </form>
    }
}

#[component]
fn ReportTable(report: CommissionReport, params: ReportParams, query: Option<ReportQuery>) -> impl IntoView {
    let current = query.map(|q| (q.sort, q.descending));
    let headers = ReportColumn::ALL
        .into_iter()
        .map(|column| {
            let descending = match current {
                Some((sorted, descending)) if sorted == column => !descending,
                _ => column.descending_by_default(),
            };
            let order = if descending == column.descending_by_default() {
                ""
            } else if descending {
                "desc"
            } else {
                "asc"
            };
            let href = report_href(&ReportParams {
                sort: column.as_str().into(),
                order: order.into(),
                page: String::new(),
                ctv: String::new(),
                ..params.clone()
            });
            let sorted = match current {
                Some((sorted, true)) if sorted == column => "descending",
                Some((sorted, false)) if sorted == column => "ascending",
                _ => "none",
            };
            let class = if column.is_figure() { "num" } else { "" };
            view! { <th scope="col" class=class aria-sort=sorted><a href=href>{column.label()}</a></th> }
        })
        .collect_view();
    let rows = report
        .rows
        .into_iter()
        .map(|row| {
            let href = report_href(&ReportParams { ctv: row.ma_ctv.clone(), ..params.clone() });
            let cells = ReportColumn::ALL
                .into_iter()
                .skip(2)
                .map(|column| {
                    let value = column.cell(&row);
                    // Whole đồng, the unit in the caption: a ₫ in every cell made the table too wide to read.
                    let text = format_count(language(), value.parse::<f64>().unwrap_or(0.0).round() as i64);
                    view! { <td class="num" data-column=column.as_str() data-value=value>{text}</td> }
                })
                .collect_view();
            let printable = StatementParams { ctv: row.ma_ctv.clone(), period: params.period.clone() }.page_href();
            view! {
                <tr data-ctv=row.ma_ctv.clone()>
                    <td><a href=href data-testid="statement-link">{row.ma_ctv.clone()}</a></td>
                    <td>{row.name.clone()}</td>
                    {cells}
                    <td>
                        <a href=printable data-testid="printable-statement-link" aria-label=format!("Printable statement of {}", row.ma_ctv)>
                            "Statement"
                        </a>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let totals = report.totals;
    let total_cells = [
        totals.direct,
        totals.overrides[0],
        totals.overrides[1],
        totals.overrides[2],
        totals.overrides[3],
        totals.adjustments,
        totals.total,
    ]
    .into_iter()
    .map(|amount| view! { <td class="num">{format_count(language(), amount.round() as i64)}</td> })
    .collect_view();
    let page_href =
        |page: usize| report_href(&ReportParams { page: page.to_string(), ctv: String::new(), ..params.clone() });
    let previous = (report.page > 1).then(|| page_href(report.page - 1));
    let next = (report.page < report.pages).then(|| page_href(report.page + 1));
    view! {
        <div class="table-scroll">
            <table class="data-table report-table" data-testid="commission-report">
                <caption class="muted">"Amounts in đồng (₫), rounded to the đồng; the export keeps the cents."</caption>
                <thead><tr>{headers}<th scope="col">"Statement"</th></tr></thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr class="total" data-testid="report-totals">
                        <th scope="row" colspan="2">{format!("All {} collaborators", format_count(language(), totals.collaborators as i64))}</th>
                        {total_cells}
                        <td class="num">{format_count(language(), totals.lines)}</td>
                        <td></td>
                    </tr>
                </tfoot>
            </table>
        </div>
        <nav class="pager" aria-label="Report pages">
            <span class="muted">{format!("Page {} of {}", report.page, report.pages)}</span>
            {previous.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
            {next.map(|href| view! { <a href=href rel="next" data-testid="report-next">"Next →"</a> })}
        </nav>
    }
}

#[component]
fn StatementPanel(statement: StatementResource, close_href: String) -> impl IntoView {
    view! {
        <section class="statement" aria-labelledby="statement-title" data-testid="statement">
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the statement…"</p> }>
                {move || {
                    let close_href = close_href.clone();
                    Suspend::new(async move {
                        match statement.await {
                            Ok(Some(statement)) => view! { <Statement statement close_href/> }.into_any(),
                            Ok(None) => view! {
                                <p class="empty-state" id="statement-title">"No such collaborator."</p>
                            }.into_any(),
                            Err(error) => view! { <p class="error" role="alert" id="statement-title">{error.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn Statement(statement: CommissionStatement, close_href: String) -> impl IntoView {
    let CommissionStatement { collaborator, period, lines } = statement;
    let printable = StatementParams { ctv: collaborator.ma_ctv.clone(), period: period.clone() };
    let total: f64 = lines.iter().map(|line| line.amount).sum();
    let count = lines.len();
    let rows = lines
        .into_iter()
        .map(|line| {
            view! {
                <tr>
                    {match (&line.reason, &line.adjusts_period) {
                        // A manager's prior-period adjustment: no customer, its reason instead.
                        (Some(reason), Some(corrects)) => view! {
                            <td colspan="2" data-testid="adjustment-reason">
                                {format!("Adjustment to {corrects}: {reason} ({})", line.entered_by.clone().unwrap_or_default())}
                            </td>
                        }.into_any(),
                        _ => view! { <td>{line.customer_name.clone()}</td><td>{line.customer_phone.clone()}</td> }.into_any(),
                    }}
                    <td>{line.served_on.unwrap_or_default()}</td>
                    <td class="num">{line.level}</td>
                    <td>{line.kind.as_str()}</td>
                    <td class="num">{format_vnd(language(), line.base_amount)}</td>
                    <td class="num">{format!("{}%", line.rate)}</td>
                    <td class="num" data-value=format!("{:.2}", line.amount)>{format_vnd(language(), line.amount)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <header class="statement-header">
            <h2 id="statement-title">{format!("Statement of {} {}, {period}", collaborator.ma_ctv, collaborator.name)}</h2>
            <span>
                <a href=printable.page_href()>"Printable statement"</a>" · "
                <a href=printable.xlsx_href() download>"Excel"</a>" · "
                <a href=close_href class="clear">"Close"</a>
            </span>
        </header>
        <p class="muted">
            "Level 0 is its own customer; levels 1 to 4 pay it an override on its team's customers. Reversals take back what a customer no longer earns; adjustments correct what was paid."
        </p>
        <div class="table-scroll">
            <table class="data-table" data-testid="statement-lines">
                <thead><tr>
                    <th scope="col">"Customer"</th><th scope="col">"Phone"</th><th scope="col">"Served on"</th>
                    <th scope="col" class="num">"Level"</th><th scope="col">"Kind"</th><th scope="col" class="num">"Base"</th>
                    <th scope="col" class="num">"Rate"</th><th scope="col" class="num">"Amount"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr class="total">
                        <th scope="row" colspan="7">{format!("{} lines", format_count(language(), count as i64))}</th>
                        <td class="num" data-testid="statement-total" data-value=format!("{total:.2}")>{format_vnd(language(), total)}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
