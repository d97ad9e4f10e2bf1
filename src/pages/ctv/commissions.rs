//! `/commissions?period=…&q=…&sort=…&order=…&page=…&ctv=…`: managers' commission
//! report of a month, per collaborator: direct commission, overrides by level 1 to 4,
//! adjustments and total; sortable, filterable, exportable (CSV, XLSX). A collaborator's
//! code opens its statement beside the report (the ledger lines that make up its total);
//! its "Statement" link, the printable statement to send it (`statement`).

use crate::components::{language, StatCard};
use crate::domain::ctv::commissions::{
    CommissionKind, CommissionReport, CommissionStatement, ReportColumn, ReportParams, ReportQuery,
};
use crate::domain::ctv::statements::StatementParams;
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
use crate::i18n::{td_string, use_i18n, Locale};
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
        let locale = Locale::from(crate::components::request_language());
        return Err(AppError::BadRequest {
            field: "period",
            message: tf!(locale, commissions.not_a_month, period = format!("{period:?}")),
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
    let locale = use_i18n().get_locale_untracked();
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
        <Title text=td_string!(locale, commissions.title)/>
        <section class="page">
            <h1>{td_string!(locale, commissions.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, commissions.loading)}</p> }>
                {move || Suspend::new(async move {
                    let params = params.get();
                    match report.await {
                        Ok(report) => view! { <Report report params statement/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert" data-testid="report-error">{error.to_string()}</p>
                            <p><a href="/commissions">{td_string!(locale, commissions.show_latest)}</a></p>
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
    let locale = use_i18n().get_locale_untracked();
    let Some(period) = report.period.clone() else {
        return view! {
            <p class="empty-state">{td_string!(locale, commissions.no_commissions)}</p>
        }
        .into_any();
    };
    // Links name the month shown, so a statement or a shared link keeps it.
    let shown = ReportParams { period: period.period.clone(), ..params.clone() };
    let query = shown.query().ok();
    let whole_report = ReportParams { page: String::new(), ctv: String::new(), ..shown.clone() }.query_string();
    let (csv_href, xlsx_href) =
        (with_query("/commissions/export.csv", &whole_report), with_query("/commissions/export.xlsx", &whole_report));
    let status = if period.closed {
        td_string!(locale, commissions.state_closed)
    } else {
        td_string!(locale, commissions.state_open)
    };
    view! {
        <FilterForm report=report.clone() params=shown.clone()/>
        <p class="list-count" data-testid="report-count">
            {tf!(locale, commissions.count, period = period.period, count = format_count(language(), report.totals.collaborators as i64), state = status)}
        </p>
        <div class="export-links">
            <a class="button" href=csv_href download data-testid="export-csv">{td_string!(locale, commissions.export_csv)}</a>
            " "
            <a class="button" href=xlsx_href download data-testid="export-xlsx">{td_string!(locale, commissions.export_excel)}</a>
        </div>
        {(!params.ctv.is_empty()).then(|| view! { <StatementPanel statement close_href=report_href(&ReportParams { ctv: String::new(), ..shown.clone() })/> })}
        {if report.rows.is_empty() {
            view! { <p class="empty-state" role="status">{td_string!(locale, commissions.no_match)}</p> }.into_any()
        } else {
            view! { <ReportTable report params=shown query/> }.into_any()
        }}
    }
    .into_any()
}

#[component]
fn FilterForm(report: CommissionReport, params: ReportParams) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let months = report
        .periods
        .into_iter()
        .map(|month| {
            let selected = month.period == params.period;
            let label = if month.closed {
                tf!(locale, commissions.month_closed, period = month.period)
            } else {
                month.period.clone()
            };
            view! { <option value=month.period selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <form class="filters" method="get" action="/commissions" aria-label=td_string!(locale, commissions.filters)>
            <label>{td_string!(locale, commissions.month)}<select name="period">{months}</select></label>
            <label>{td_string!(locale, commissions.code_or_name)}
                <input name="q" type="search" value=params.q.clone() autocomplete="off"/>
            </label>
            {(!params.sort.is_empty()).then(|| view! { <input type="hidden" name="sort" value=params.sort.clone()/> })}
            {(!params.order.is_empty()).then(|| view! { <input type="hidden" name="order" value=params.order.clone()/> })}
            <button type="submit">{td_string!(locale, commissions.apply)}</button>
            <a href="/commissions" class="clear">{td_string!(locale, commissions.clear)}</a>
        </form>
    }
}

#[component]
fn ReportTable(report: CommissionReport, params: ReportParams, query: Option<ReportQuery>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
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
            view! { <th scope="col" class=class aria-sort=sorted><a href=href>{column_label(locale, column)}</a></th> }
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
                        <a href=printable data-testid="printable-statement-link" aria-label=tf!(locale, commissions.printable_of, ctv = row.ma_ctv)>
                            {td_string!(locale, commissions.statement)}
                        </a>
                    </td>
                </tr>
            }
        })
        .collect_view();
    // The month's totals sit above the table, not in a footer row: they are of every
    // collaborator the filter keeps, not of the page shown, and their ten-digit figures
    // widened every column until Total no longer fit the screen.
    let totals = report.totals;
    let total_cards = ReportColumn::ALL
        .into_iter()
        .filter(|column| column.is_figure())
        .map(|column| {
            let value = format_count(language(), totals.figure(column).round() as i64);
            view! { <StatCard label=column_label(locale, column) value/> }
        })
        .collect_view();
    let page_href =
        |page: usize| report_href(&ReportParams { page: page.to_string(), ctv: String::new(), ..params.clone() });
    let previous = (report.page > 1).then(|| page_href(report.page - 1));
    let next = (report.page < report.pages).then(|| page_href(report.page + 1));
    view! {
        <div
            class="stat-grid report-totals"
            role="group"
            aria-label=tf!(locale, commissions.all_collaborators, count = format_count(language(), totals.collaborators as i64))
            data-testid="report-totals"
        >
            {total_cards}
        </div>
        <div class="table-scroll">
            <table class="data-table report-table" data-testid="commission-report">
                <caption class="muted">{td_string!(locale, commissions.caption)}</caption>
                <thead><tr>{headers}<th scope="col">{td_string!(locale, commissions.statement)}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label=td_string!(locale, commissions.pages)>
            <span class="muted">{tf!(locale, commissions.page_of, page = report.page, pages = report.pages)}</span>
            {previous.map(|href| view! { <a href=href rel="prev">{td_string!(locale, commissions.previous)}</a> })}
            {next.map(|href| view! { <a href=href rel="next" data-testid="report-next">{td_string!(locale, commissions.next)}</a> })}
        </nav>
    }
}

#[component]
fn StatementPanel(statement: StatementResource, close_href: String) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! {
        <section class="statement" aria-labelledby="statement-title" data-testid="statement">
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, commissions.loading_statement)}</p> }>
                {move || {
                    let close_href = close_href.clone();
                    Suspend::new(async move {
                        match statement.await {
                            Ok(Some(statement)) => view! { <Statement statement close_href/> }.into_any(),
                            Ok(None) => view! {
                                <p class="empty-state" id="statement-title">{td_string!(locale, commissions.no_such)}</p>
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
    let locale = use_i18n().get_locale_untracked();
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
                                {tf!(locale, commissions.adjustment_to, corrects = corrects, reason = reason, by = line.entered_by.clone().unwrap_or_default())}
                            </td>
                        }.into_any(),
                        _ => view! { <td>{line.customer_name.clone()}</td><td>{line.customer_phone.clone()}</td> }.into_any(),
                    }}
                    <td>{line.served_on.unwrap_or_default()}</td>
                    <td class="num">{line.level}</td>
                    <td data-kind=line.kind.as_str()>{kind_label(locale, line.kind)}</td>
                    <td class="num">{format_vnd(language(), line.base_amount)}</td>
                    <td class="num">{format!("{}%", line.rate)}</td>
                    <td class="num" data-value=format!("{:.2}", line.amount)>{format_vnd(language(), line.amount)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <header class="statement-header">
            <h2 id="statement-title">{tf!(locale, commissions.statement_of, ctv = collaborator.ma_ctv, name = collaborator.name, period = period)}</h2>
            <span>
                <a href=printable.page_href()>{td_string!(locale, commissions.printable)}</a>" · "
                <a href=printable.xlsx_href() download>{td_string!(locale, commissions.excel)}</a>" · "
                <a href=close_href class="clear">{td_string!(locale, commissions.close)}</a>
            </span>
        </header>
        <p class="muted">{td_string!(locale, commissions.levels_hint)}</p>
        <div class="table-scroll">
            <table class="data-table" data-testid="statement-lines">
                <thead><tr>
                    <th scope="col">{td_string!(locale, commissions.customer)}</th><th scope="col">{td_string!(locale, commissions.phone)}</th>
                    <th scope="col">{td_string!(locale, commissions.served_on)}</th><th scope="col" class="num">{td_string!(locale, commissions.level)}</th>
                    <th scope="col">{td_string!(locale, commissions.kind)}</th><th scope="col" class="num">{td_string!(locale, commissions.base)}</th>
                    <th scope="col" class="num">{td_string!(locale, commissions.rate)}</th><th scope="col" class="num">{td_string!(locale, commissions.amount)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr class="total">
                        <th scope="row" colspan="7">{tf!(locale, commissions.n_lines, count = format_count(language(), count as i64))}</th>
                        <td class="num" data-testid="statement-total" data-value=format!("{total:.2}")>{format_vnd(language(), total)}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

/// A report column's header in the page's language (exports keep [`ReportColumn::label`]).
fn column_label(locale: Locale, column: ReportColumn) -> String {
    match column {
        ReportColumn::Code => td_string!(locale, commissions.col_code).to_owned(),
        ReportColumn::Name => td_string!(locale, commissions.col_name).to_owned(),
        ReportColumn::Direct => td_string!(locale, commissions.col_direct).to_owned(),
        ReportColumn::Level(level) => tf!(locale, commissions.col_level, level = level),
        ReportColumn::Adjustments => td_string!(locale, commissions.col_adjustments).to_owned(),
        ReportColumn::Total => td_string!(locale, commissions.col_total).to_owned(),
        ReportColumn::Lines => td_string!(locale, commissions.col_lines).to_owned(),
    }
}

/// A ledger line's kind in the page's language (the stored word stays in `data-kind`).
pub fn kind_label(locale: Locale, kind: CommissionKind) -> &'static str {
    match kind {
        CommissionKind::Earning => td_string!(locale, commissions.kind_earning),
        CommissionKind::Reversal => td_string!(locale, commissions.kind_reversal),
        CommissionKind::Adjustment => td_string!(locale, commissions.kind_adjustment),
    }
}
