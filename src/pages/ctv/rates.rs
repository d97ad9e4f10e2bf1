//! `/commissions/rates`: the commission rate of each level (0: the closer, 1–4: its
//! upline) in force today with the day it took effect, every rate ever set, and a new
//! rate from a day on: previewed first (what the open month, and any month it would
//! write into, would come to; nothing is written), then saved, which recalculates the
//! customers served from that day on.

use crate::components::language;
use crate::domain::ctv::commissions::{CommissionRate, ReportTotals};
use crate::domain::ctv::rates::{RatePreview, RateTable};
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// What saving a rate did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateSaved {
    pub level: i32,
    pub rate: f64,
    pub effective_from: String,
    /// Ledger lines the recalculation wrote, and their sum (đồng).
    pub lines: i64,
    pub net_amount: f64,
}

#[server]
pub async fn get_commission_rates() -> Result<RateTable, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.rate_table(None).await?)
}

#[server]
pub async fn preview_commission_rate(
    level: String,
    rate: String,
    effective_from: String,
) -> Result<RatePreview, ServerError> {
    use crate::domain::ctv::rates::RateParams;
    let (_member, store) = crate::server::auth::tenant()?;
    let change = RateParams { level, rate, effective_from }.check()?;
    store.preview_commission_rate(&change, None).await?.map_err(|closed| in_closed_month(&change, closed))
}

#[server]
pub async fn add_commission_rate(
    level: String,
    rate: String,
    effective_from: String,
) -> Result<RateSaved, ServerError> {
    use crate::domain::ctv::rates::RateParams;
    let (_member, store) = crate::server::auth::tenant()?;
    let change = RateParams { level, rate, effective_from }.check()?;
    let summary = store.add_commission_rate(&change, None).await?.map_err(|closed| in_closed_month(&change, closed))?;
    Ok(RateSaved {
        level: change.level,
        rate: change.rate,
        effective_from: change.effective_from,
        lines: summary.lines(),
        net_amount: summary.net_amount,
    })
}

/// The refusal of a rate whose day falls in or before a closed month.
#[cfg(feature = "ssr")]
fn in_closed_month(
    change: &crate::domain::ctv::rates::RateChange,
    closed: crate::data::ctv::rates::ClosedMonth,
) -> ServerError {
    crate::domain::field_error::FieldError::new(
        "effective_from",
        format!(
            "{} is in or before {}, a closed month whose commissions are final; choose a day after it (or have an admin reopen it)",
            change.effective_from, closed.0
        ),
    )
    .into()
}

/// Who a level pays, in words.
fn level_label(level: i32) -> String {
    match level {
        0 => "Level 0: the collaborator who closed the sale".to_owned(),
        level => format!("Level {level}: its upline, {level} up"),
    }
}

fn percent(rate: f64) -> String {
    format!("{rate} %")
}

#[component]
pub fn CommissionRatesPage() -> impl IntoView {
    let preview = ServerAction::<PreviewCommissionRate>::new();
    let save = ServerAction::<AddCommissionRate>::new();
    let table = Resource::new(move || save.version().get(), |_| get_commission_rates());
    view! {
        <Title text="Commission rates"/>
        <section class="page">
            <h1>"Commission rates"</h1>
            <p class="muted">
                "Each customer served ('Da den lam') pays the rate of each level in force on its day of service, on its amount. "
                <a href="/commissions">"Back to the commission report"</a>
            </p>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the rates…"</p> }>
                {move || Suspend::new(async move {
                    match table.await {
                        Ok(table) => view! { <Rates table preview/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <div aria-live="polite" data-testid="rate-preview-area">
                {move || preview.value().get().map(|result| match result {
                    Ok(preview) => view! { <Preview preview save/> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert" data-testid="rate-error">{error.to_string()}</p> }.into_any(),
                })}
            </div>
            <div aria-live="polite">
                {move || save.value().get().map(|result| match result {
                    Ok(saved) => view! {
                        <p class="verdict ok" role="status" data-testid="rate-saved">
                            {format!(
                                "Saved: level {} pays {} from {}. {} ledger lines written (net {}).",
                                saved.level, percent(saved.rate), saved.effective_from,
                                format_count(language(), saved.lines), format_vnd(language(), saved.net_amount)
                            )}
                        </p>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

#[component]
fn Rates(table: RateTable, preview: ServerAction<PreviewCommissionRate>) -> impl IntoView {
    let current = table
        .current
        .iter()
        .map(|rate| {
            view! {
                <tr data-level=rate.level.to_string()>
                    <th scope="row">{level_label(rate.level)}</th>
                    <td class="num" data-testid="current-rate">{percent(rate.rate)}</td>
                    <td>{rate.effective_from.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let closed_note = match &table.latest_closed {
        Some(month) => format!("A new rate takes effect after {month}, the latest closed month. "),
        None => String::new(),
    };
    let levels = (0..=crate::domain::ctv::network::UPLINE_LEVELS)
        .map(|level| view! { <option value=level.to_string()>{level_label(level)}</option> })
        .collect_view();
    view! {
        <h2>"In force today"</h2>
        {if table.current.is_empty() {
            view! { <p class="empty-state">"No rate is in force: no commission is paid until one is added."</p> }.into_any()
        } else {
            view! {
                <table class="data-table" data-testid="rates-current">
                    <thead><tr><th scope="col">"Level"</th><th scope="col" class="num">"Rate"</th><th scope="col">"Since"</th></tr></thead>
                    <tbody>{current}</tbody>
                </table>
            }.into_any()
        }}
        <h2 id="new-rate-title">"A new rate"</h2>
        <p class="hint">
            {closed_note}
            {format!("Changes to what was paid land in {}, the open month. Preview first: nothing is written until you save.", table.open_period)}
        </p>
        <ActionForm action=preview attr:class="filters" attr:aria-labelledby="new-rate-title" attr:data-testid="rate-form">
            <label>"Level"<select name="level">{levels}</select></label>
            <label>"Rate (%)"<input name="rate" type="text" inputmode="decimal" required autocomplete="off" placeholder="10"/></label>
            <label>"From"<input name="effective_from" type="date" required/></label>
            <button type="submit" data-testid="preview-rate">"Preview"</button>
        </ActionForm>
        <h2>"History"</h2>
        <RateHistory history=table.history/>
    }
}

#[component]
fn RateHistory(history: Vec<CommissionRate>) -> impl IntoView {
    let rows = history
        .into_iter()
        .map(|rate| {
            view! {
                <tr data-level=rate.level.to_string()>
                    <td class="num">{rate.level}</td>
                    <td class="num">{percent(rate.rate)}</td>
                    <td>{rate.effective_from}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="rates-history">
            <caption class="muted">"Every rate set, by level, newest first: each applies from its day until the level's next one."</caption>
            <thead><tr><th scope="col" class="num">"Level"</th><th scope="col" class="num">"Rate"</th><th scope="col">"From"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn Preview(preview: RatePreview, save: ServerAction<AddCommissionRate>) -> impl IntoView {
    let replaces = match preview.replaces {
        Some(rate) => format!("in place of {}", percent(rate)),
        None => "where no rate was in force".to_owned(),
    };
    let months = preview
        .months
        .into_iter()
        .map(|month| view! { <PreviewTable period=month.period current=month.current proposed=month.proposed/> })
        .collect_view();
    view! {
        <section class="statement" aria-labelledby="preview-title" data-testid="rate-preview">
            <h2 id="preview-title">
                {format!("Preview: level {} at {} from {}, {replaces}", preview.level, percent(preview.rate), preview.effective_from)}
            </h2>
            <p data-testid="preview-summary">
                {format!("Saving would write {} ledger lines, net {}. Nothing has been written yet.", format_count(language(), preview.lines), format_vnd(language(), preview.net_amount))}
            </p>
            {months}
            <ActionForm action=save attr:class="filters" attr:aria-label="Save this rate">
                <input type="hidden" name="level" value=preview.level.to_string()/>
                <input type="hidden" name="rate" value=preview.rate.to_string()/>
                <input type="hidden" name="effective_from" value=preview.effective_from.clone()/>
                <button type="submit" data-testid="save-rate">"Save this rate"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PreviewTable(period: String, current: ReportTotals, proposed: ReportTotals) -> impl IntoView {
    let figure = |label: &'static str, key: &'static str, now: f64, then: f64| {
        view! {
            <tr data-figure=key>
                <th scope="row">{label}</th>
                <td class="num" data-value=format!("{now:.2}")>{format_vnd(language(), now)}</td>
                <td class="num" data-value=format!("{then:.2}")>{format_vnd(language(), then)}</td>
                <td class="num" data-value=format!("{:.2}", then - now)>{format_vnd(language(), then - now)}</td>
            </tr>
        }
    };
    view! {
        <table class="data-table" data-testid="preview-month" data-period=period.clone()>
            <caption>{format!("{period}: commissions now and with the new rate")}</caption>
            <thead><tr>
                <th scope="col">"Figure"</th><th scope="col" class="num">"Now"</th>
                <th scope="col" class="num">"With the new rate"</th><th scope="col" class="num">"Change"</th>
            </tr></thead>
            <tbody>
                {figure("Direct (level 0)", "direct", current.direct, proposed.direct)}
                {figure("Level 1", "level_1", current.overrides[0], proposed.overrides[0])}
                {figure("Level 2", "level_2", current.overrides[1], proposed.overrides[1])}
                {figure("Level 3", "level_3", current.overrides[2], proposed.overrides[2])}
                {figure("Level 4", "level_4", current.overrides[3], proposed.overrides[3])}
                {figure("Adjustments", "adjustments", current.adjustments, proposed.adjustments)}
                {figure("Total", "total", current.total, proposed.total)}
                <tr data-figure="collaborators">
                    <th scope="row">"Collaborators paid"</th>
                    <td class="num">{format_count(language(), current.collaborators as i64)}</td>
                    <td class="num">{format_count(language(), proposed.collaborators as i64)}</td>
                    <td class="num">{format_count(language(), proposed.collaborators as i64 - current.collaborators as i64)}</td>
                </tr>
            </tbody>
        </table>
    }
}
