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
use crate::i18n::{td_string, use_i18n, Locale};
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
    use crate::domain::field_error::{FieldError, Problem};
    let problem = Problem::InClosedMonth { day: change.effective_from.clone(), month: closed.0.to_string() };
    FieldError::new("effective_from", problem).into()
}

/// Who a level pays, in words.
fn level_label(locale: Locale, level: i32) -> String {
    match level {
        0 => td_string!(locale, rates.level_0).to_owned(),
        level => tf!(locale, rates.level_n, level = level),
    }
}

fn percent(rate: f64) -> String {
    format!("{rate} %")
}

#[component]
pub fn CommissionRatesPage() -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let preview = ServerAction::<PreviewCommissionRate>::new();
    let save = ServerAction::<AddCommissionRate>::new();
    let table = Resource::new(move || save.version().get(), |_| get_commission_rates());
    view! {
        <Title text=td_string!(locale, rates.title)/>
        <section class="page">
            <h1>{td_string!(locale, rates.title)}</h1>
            <p class="muted">
                {td_string!(locale, rates.intro)}
                <a href="/commissions">{td_string!(locale, rates.back)}</a>
            </p>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, rates.loading)}</p> }>
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
                            {tf!(
                                locale, rates.saved,
                                level = saved.level, rate = percent(saved.rate), from = saved.effective_from,
                                lines = format_count(language(), saved.lines), net = format_vnd(language(), saved.net_amount)
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
    let locale = use_i18n().get_locale_untracked();
    let current = table
        .current
        .iter()
        .map(|rate| {
            view! {
                <tr data-level=rate.level.to_string()>
                    <th scope="row">{level_label(locale, rate.level)}</th>
                    <td class="num" data-testid="current-rate">{percent(rate.rate)}</td>
                    <td>{rate.effective_from.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let closed_note = match &table.latest_closed {
        Some(month) => tf!(locale, rates.closed_note, month = month),
        None => String::new(),
    };
    let levels = (0..=crate::domain::ctv::network::UPLINE_LEVELS)
        .map(|level| view! { <option value=level.to_string()>{level_label(locale, level)}</option> })
        .collect_view();
    view! {
        <h2>{td_string!(locale, rates.in_force)}</h2>
        {if table.current.is_empty() {
            view! { <p class="empty-state">{td_string!(locale, rates.none_in_force)}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                <table class="data-table" data-testid="rates-current">
                    <thead><tr>
                        <th scope="col">{td_string!(locale, rates.level)}</th><th scope="col" class="num">{td_string!(locale, rates.rate)}</th>
                        <th scope="col">{td_string!(locale, rates.since)}</th>
                    </tr></thead>
                    <tbody>{current}</tbody>
                </table>
                </div>
            }.into_any()
        }}
        <h2 id="new-rate-title">{td_string!(locale, rates.new_rate)}</h2>
        <p class="hint">
            {closed_note}
            {tf!(locale, rates.open_hint, period = table.open_period)}
        </p>
        <ActionForm action=preview attr:class="filters" attr:aria-labelledby="new-rate-title" attr:data-testid="rate-form">
            <label>{td_string!(locale, rates.level)}<select name="level">{levels}</select></label>
            <label>{td_string!(locale, rates.rate_pct)}<input name="rate" type="text" inputmode="decimal" required autocomplete="off" placeholder="10"/></label>
            <label>{td_string!(locale, rates.from)}<input name="effective_from" type="date" required/></label>
            <button type="submit" data-testid="preview-rate">{td_string!(locale, rates.preview)}</button>
        </ActionForm>
        <h2>{td_string!(locale, rates.history)}</h2>
        <RateHistory history=table.history/>
    }
}

#[component]
fn RateHistory(history: Vec<CommissionRate>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
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
        <div class="table-scroll">
        <table class="data-table" data-testid="rates-history">
            <caption class="muted">{td_string!(locale, rates.history_caption)}</caption>
            <thead><tr>
                <th scope="col" class="num">{td_string!(locale, rates.level)}</th><th scope="col" class="num">{td_string!(locale, rates.rate)}</th>
                <th scope="col">{td_string!(locale, rates.from)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
}

#[component]
fn Preview(preview: RatePreview, save: ServerAction<AddCommissionRate>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let replaces = match preview.replaces {
        Some(rate) => tf!(locale, rates.in_place_of, rate = percent(rate)),
        None => td_string!(locale, rates.where_none).to_owned(),
    };
    let months = preview
        .months
        .into_iter()
        .map(|month| view! { <PreviewTable period=month.period current=month.current proposed=month.proposed/> })
        .collect_view();
    view! {
        <section class="statement" aria-labelledby="preview-title" data-testid="rate-preview">
            <h2 id="preview-title">
                {tf!(locale, rates.preview_title, level = preview.level, rate = percent(preview.rate), from = preview.effective_from, replaces = replaces)}
            </h2>
            <p data-testid="preview-summary">
                {tf!(locale, rates.preview_summary, lines = format_count(language(), preview.lines), net = format_vnd(language(), preview.net_amount))}
            </p>
            {months}
            <ActionForm action=save attr:class="filters" attr:aria-label=td_string!(locale, rates.save_this)>
                <input type="hidden" name="level" value=preview.level.to_string()/>
                <input type="hidden" name="rate" value=preview.rate.to_string()/>
                <input type="hidden" name="effective_from" value=preview.effective_from.clone()/>
                <button type="submit" data-testid="save-rate">{td_string!(locale, rates.save_this)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PreviewTable(period: String, current: ReportTotals, proposed: ReportTotals) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let figure = |label: String, key: &'static str, now: f64, then: f64| {
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
        <div class="table-scroll">
        <table class="data-table" data-testid="preview-month" data-period=period.clone()>
            <caption>{tf!(locale, rates.month_caption, period = period)}</caption>
            <thead><tr>
                <th scope="col">{td_string!(locale, rates.figure)}</th><th scope="col" class="num">{td_string!(locale, rates.now)}</th>
                <th scope="col" class="num">{td_string!(locale, rates.with_new)}</th><th scope="col" class="num">{td_string!(locale, rates.change)}</th>
            </tr></thead>
            <tbody>
                {figure(td_string!(locale, rates.direct_0).to_owned(), "direct", current.direct, proposed.direct)}
                {figure(tf!(locale, rates.level_k, level = 1), "level_1", current.overrides[0], proposed.overrides[0])}
                {figure(tf!(locale, rates.level_k, level = 2), "level_2", current.overrides[1], proposed.overrides[1])}
                {figure(tf!(locale, rates.level_k, level = 3), "level_3", current.overrides[2], proposed.overrides[2])}
                {figure(tf!(locale, rates.level_k, level = 4), "level_4", current.overrides[3], proposed.overrides[3])}
                {figure(td_string!(locale, rates.adjustments).to_owned(), "adjustments", current.adjustments, proposed.adjustments)}
                {figure(td_string!(locale, rates.total).to_owned(), "total", current.total, proposed.total)}
                <tr data-figure="collaborators">
                    <th scope="row">{td_string!(locale, rates.paid)}</th>
                    <td class="num">{format_count(language(), current.collaborators as i64)}</td>
                    <td class="num">{format_count(language(), proposed.collaborators as i64)}</td>
                    <td class="num">{format_count(language(), proposed.collaborators as i64 - current.collaborators as i64)}</td>
                </tr>
            </tbody>
        </table>
        </div>
    }
}
