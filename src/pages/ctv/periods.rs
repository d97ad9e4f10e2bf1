//! The commission report's months: each one's state (open; closed by whom, when;
//! reopened by whom, when and why), closing an ended month (managers), reopening a
//! closed one with a reason (admins), recalculating an open one, and recording an
//! adjustment to a closed month, which lands in the open month with its reason.

use crate::components::language;
use crate::domain::ctv::periods::{PeriodListing, PeriodState};
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
use crate::i18n::{td_string, use_i18n, Locale};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What an adjustment became: its ledger line and the month it was recorded in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdjustmentRecorded {
    pub id: i64,
    pub period: String,
    pub ma_ctv: String,
    pub amount: f64,
    pub corrects: String,
}

/// What a month's recalculation wrote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodRecalculated {
    pub period: String,
    pub lines: i64,
    pub net_amount: f64,
}

#[server]
pub async fn get_commission_periods() -> Result<PeriodListing, ServerError> {
    use crate::domain::access::Permission;
    let (member, store) = crate::server::auth::tenant()?;
    let months = store.commission_period_states(None).await?;
    Ok(PeriodListing {
        months,
        may_close: member.role.allows(Permission::Collaborators),
        may_reopen: member.role.allows(Permission::Administer),
    })
}

/// `YYYY-MM` as its first day, or a 400 naming `period`.
#[cfg(feature = "ssr")]
fn month_start(period: &str) -> Result<(String, chrono::NaiveDate), ServerError> {
    let period = crate::domain::ctv::periods::check_period(period)?;
    let day = chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").map_err(|_| {
        let problem = crate::domain::field_error::Problem::NotAMonth { text: period.clone() };
        ServerError::from(crate::domain::field_error::FieldError::new("period", problem))
    })?;
    Ok((period, day))
}

/// The language of the request's refusals.
#[cfg(feature = "ssr")]
fn request_locale() -> Locale {
    Locale::from(crate::components::request_language())
}

#[cfg(feature = "ssr")]
fn refused(field: &'static str, message: String) -> ServerError {
    ServerError::refused_because(field, crate::components::request_language(), message)
}

#[server]
pub async fn close_commission_period(period: String) -> Result<(), ServerError> {
    use crate::data::ctv::periods::CloseOutcome;
    let (member, store) = crate::server::auth::tenant()?;
    let (period, day) = month_start(&period)?;
    match store.close_period(day, &member.email, None).await? {
        CloseOutcome::Closed => Ok(()),
        CloseOutcome::AlreadyClosed(act) => Err(refused(
            "period",
            tf!(request_locale(), periods.already_closed, period = period, who = act.who(), at = act.at),
        )),
        CloseOutcome::NotEnded => Err(refused("period", tf!(request_locale(), periods.not_ended, period = period))),
    }
}

#[server]
pub async fn reopen_commission_period(period: String, reason: String) -> Result<(), ServerError> {
    use crate::data::ctv::periods::ReopenOutcome;
    let (member, store) = crate::server::auth::tenant()?;
    let (period, day) = month_start(&period)?;
    let reason = crate::domain::ctv::periods::check_reason(&reason)?;
    match store.reopen_period(day, &member.email, &reason).await? {
        ReopenOutcome::Reopened => Ok(()),
        ReopenOutcome::NotClosed => Err(refused("period", tf!(request_locale(), periods.not_closed, period = period))),
    }
}

#[server]
pub async fn recalculate_commission_period(period: String) -> Result<PeriodRecalculated, ServerError> {
    use crate::data::ctv::periods::PeriodRecalculation;
    let (_member, store) = crate::server::auth::tenant()?;
    let (period, day) = month_start(&period)?;
    match store.recalculate_period(day, None).await? {
        PeriodRecalculation::Done(summary) => {
            Ok(PeriodRecalculated { period, lines: summary.lines(), net_amount: summary.net_amount })
        }
        PeriodRecalculation::Closed => {
            Err(refused("period", tf!(request_locale(), periods.recalc_closed, period = period)))
        }
    }
}

#[server]
pub async fn record_commission_adjustment(
    period: String,
    ma_ctv: String,
    amount: String,
    reason: String,
) -> Result<AdjustmentRecorded, ServerError> {
    use crate::data::ctv::periods::AdjustmentOutcome;
    use crate::domain::ctv::periods::AdjustmentParams;
    let (member, store) = crate::server::auth::tenant()?;
    let adjustment = AdjustmentParams { period, ma_ctv, amount, reason }.check()?;
    match store.record_adjustment(&adjustment, &member.email, None).await? {
        AdjustmentOutcome::Recorded { id, period } => Ok(AdjustmentRecorded {
            id,
            period,
            ma_ctv: adjustment.ma_ctv,
            amount: adjustment.amount,
            corrects: adjustment.period,
        }),
        AdjustmentOutcome::NotClosed => {
            Err(refused("period", tf!(request_locale(), periods.adjust_open, period = adjustment.period)))
        }
        AdjustmentOutcome::UnknownCollaborator => Err(refused(
            "ma_ctv",
            tf!(request_locale(), periods.unknown_ctv, code = format!("{:?}", adjustment.ma_ctv)),
        )),
    }
}

/// The actions the months panel offers; the report reloads when one of them succeeds.
#[derive(Clone, Copy)]
pub struct PeriodActions {
    pub close: ServerAction<CloseCommissionPeriod>,
    pub reopen: ServerAction<ReopenCommissionPeriod>,
    pub recalculate: ServerAction<RecalculateCommissionPeriod>,
    pub adjust: ServerAction<RecordCommissionAdjustment>,
}

impl PeriodActions {
    pub fn new() -> Self {
        Self {
            close: ServerAction::new(),
            reopen: ServerAction::new(),
            recalculate: ServerAction::new(),
            adjust: ServerAction::new(),
        }
    }

    /// Changes whenever an action has run.
    pub fn version(&self) -> (usize, usize, usize, usize) {
        (
            self.close.version().get(),
            self.reopen.version().get(),
            self.recalculate.version().get(),
            self.adjust.version().get(),
        )
    }
}

impl Default for PeriodActions {
    fn default() -> Self {
        Self::new()
    }
}

fn state_text(locale: Locale, month: &PeriodState) -> String {
    match (&month.closed, &month.reopened) {
        (Some(closed), _) => tf!(locale, periods.closed_by, who = closed.who(), at = closed.at),
        (None, Some((reopened, reason))) => {
            tf!(locale, periods.reopened, who = reopened.who(), at = reopened.at, reason = reason)
        }
        (None, None) if month.ended => td_string!(locale, periods.open_ended).to_owned(),
        (None, None) => td_string!(locale, periods.open).to_owned(),
    }
}

#[component]
pub fn PeriodsPanel(actions: PeriodActions) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let listing = Resource::new(move || actions.version(), |_| get_commission_periods());
    view! {
        <section class="periods" aria-labelledby="periods-title">
            <h2 id="periods-title">{td_string!(locale, periods.title)}</h2>
            <p class="muted">
                {td_string!(locale, periods.hint)}
                <a href="/commissions/rates" data-testid="rates-link">{td_string!(locale, periods.rates_link)}</a>
            </p>
            <div aria-live="polite" data-testid="period-result">
                {move || actions.close.value().get().map(|result| match result {
                    Ok(()) => view! { <p class="verdict ok" role="status">{td_string!(locale, periods.closed_ok)}</p> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
                {move || actions.reopen.value().get().map(|result| match result {
                    Ok(()) => view! { <p class="verdict ok" role="status">{td_string!(locale, periods.reopened_ok)}</p> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
                {move || actions.recalculate.value().get().map(|result| match result {
                    Ok(done) => view! {
                        <p class="verdict ok" role="status">
                            {tf!(locale, periods.recalculated, period = done.period, lines = format_count(language(), done.lines), net = format_vnd(language(), done.net_amount))}
                        </p>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
                {move || actions.adjust.value().get().map(|result| match result {
                    Ok(done) => view! {
                        <p class="verdict ok" role="status" data-testid="adjustment-recorded">
                            {tf!(locale, periods.adjusted, amount = format_vnd(language(), done.amount), ctv = done.ma_ctv, period = done.period, corrects = done.corrects)}
                        </p>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, periods.loading)}</p> }>
                {move || Suspend::new(async move {
                    match listing.await {
                        Ok(listing) => view! { <PeriodTable listing actions/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PeriodTable(listing: PeriodListing, actions: PeriodActions) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let PeriodListing { months, may_close, may_reopen } = listing;
    let closed_months: Vec<String> =
        months.iter().filter(|month| month.closed.is_some()).map(|month| month.period.clone()).collect();
    let rows = months
        .into_iter()
        .map(|month| {
            let state = if month.closed.is_some() { "closed" } else { "open" };
            let text = state_text(locale, &month);
            let period = month.period.clone();
            // Each form's children own their copy.
            let (close_period, recalculate_ended, recalculate_open, reopen_period) =
                (period.clone(), period.clone(), period.clone(), period.clone());
            let action = match (&month.closed, month.ended) {
                (None, true) if may_close => view! {
                    <ActionForm action=actions.close attr:class="inline-form">
                        <input type="hidden" name="period" value=close_period/>
                        <button type="submit" data-testid="close-period">{td_string!(locale, periods.close)}</button>
                    </ActionForm>
                    <ActionForm action=actions.recalculate attr:class="inline-form">
                        <input type="hidden" name="period" value=recalculate_ended/>
                        <button type="submit" class="secondary">{td_string!(locale, periods.recalculate)}</button>
                    </ActionForm>
                }
                .into_any(),
                (None, false) if may_close => view! {
                    <ActionForm action=actions.recalculate attr:class="inline-form">
                        <input type="hidden" name="period" value=recalculate_open/>
                        <button type="submit" class="secondary">{td_string!(locale, periods.recalculate)}</button>
                    </ActionForm>
                }
                .into_any(),
                (Some(_), _) if may_reopen => view! {
                    <ActionForm action=actions.reopen attr:class="inline-form" attr:data-testid="reopen-period">
                        <input type="hidden" name="period" value=reopen_period/>
                        <label>{td_string!(locale, periods.reason)}<input name="reason" type="text" required maxlength="500" autocomplete="off"/></label>
                        <button type="submit">{td_string!(locale, periods.reopen)}</button>
                    </ActionForm>
                }
                .into_any(),
                (Some(_), _) => view! { <span class="muted">{td_string!(locale, periods.admin_only)}</span> }.into_any(),
                _ => ().into_any(),
            };
            let label =
                if month.is_open_period { tf!(locale, periods.takes_today, period = period) } else { period.clone() };
            view! {
                <tr data-period=period.clone() data-state=state>
                    <th scope="row"><a href=format!("/commissions?period={period}")>{label}</a></th>
                    <td data-testid="period-state">{text}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    let options = closed_months
        .into_iter()
        .map(|month| view! { <option value=month.clone()>{month.clone()}</option> })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="period-states">
                <thead><tr>
                    <th scope="col">{td_string!(locale, periods.month)}</th><th scope="col">{td_string!(locale, periods.state)}</th>
                    <th scope="col">{td_string!(locale, periods.action)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {may_close.then(|| view! {
            <h3 id="adjust-title">{td_string!(locale, periods.correct_title)}</h3>
            <p class="hint">{td_string!(locale, periods.correct_hint)}</p>
            <ActionForm action=actions.adjust attr:class="filters" attr:aria-labelledby="adjust-title" attr:data-testid="adjust-form">
                <label>{td_string!(locale, periods.closed_month)}<select name="period" required>{options}</select></label>
                <label>{td_string!(locale, periods.ctv_code)}<input name="ma_ctv" type="text" required autocomplete="off"/></label>
                <label>{td_string!(locale, periods.amount)}<input name="amount" type="text" inputmode="decimal" required autocomplete="off"/></label>
                <label>{td_string!(locale, periods.reason)}<input name="reason" type="text" required maxlength="500" autocomplete="off"/></label>
                <button type="submit">{td_string!(locale, periods.record)}</button>
            </ActionForm>
        })}
    }
}
