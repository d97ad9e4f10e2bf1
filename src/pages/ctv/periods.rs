//! The commission report's months: each one's state (open; closed by whom, when;
//! reopened by whom, when and why), closing an ended month (managers), reopening a
//! closed one with a reason (admins), recalculating an open one, and recording an
//! adjustment to a closed month, which lands in the open month with its reason.

use crate::components::language;
use crate::domain::ctv::periods::{PeriodListing, PeriodState};
use crate::domain::format::{format_count, format_vnd};
use crate::domain::server_error::ServerError;
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
    let day = chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d")
        .map_err(|_| crate::domain::field_error::FieldError::new("period", format!("{period:?} is not a month")))?;
    Ok((period, day))
}

#[cfg(feature = "ssr")]
fn refused(field: &'static str, message: String) -> ServerError {
    crate::domain::field_error::FieldError::new(field, message).into()
}

#[server]
pub async fn close_commission_period(period: String) -> Result<(), ServerError> {
    use crate::data::ctv::periods::CloseOutcome;
    let (member, store) = crate::server::auth::tenant()?;
    let (period, day) = month_start(&period)?;
    match store.close_period(day, &member.email, None).await? {
        CloseOutcome::Closed => Ok(()),
        CloseOutcome::AlreadyClosed(act) => {
            Err(refused("period", format!("{period} is already closed (by {} on {})", act.who(), act.at)))
        }
        CloseOutcome::NotEnded => {
            Err(refused("period", format!("{period} has not ended yet: a month closes once it is over")))
        }
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
        ReopenOutcome::NotClosed => Err(refused("period", format!("{period} is not closed"))),
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
        PeriodRecalculation::Closed => Err(refused(
            "period",
            format!("{period} is closed: its lines are final; record an adjustment, or have an admin reopen it"),
        )),
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
        AdjustmentOutcome::NotClosed => Err(refused(
            "period",
            format!("{} is open: recalculate it instead (adjustments correct closed months)", adjustment.period),
        )),
        AdjustmentOutcome::UnknownCollaborator => {
            Err(refused("ma_ctv", format!("no collaborator has the code {:?}", adjustment.ma_ctv)))
        }
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

fn state_text(month: &PeriodState) -> String {
    match (&month.closed, &month.reopened) {
        (Some(closed), _) => format!("Closed by {} on {}", closed.who(), closed.at),
        (None, Some((reopened, reason))) => {
            format!("Open: reopened by {} on {} because “{reason}”", reopened.who(), reopened.at)
        }
        (None, None) if month.ended => "Open (ended, not closed yet)".to_owned(),
        (None, None) => "Open".to_owned(),
    }
}

#[component]
pub fn PeriodsPanel(actions: PeriodActions) -> impl IntoView {
    let listing = Resource::new(move || actions.version(), |_| get_commission_periods());
    view! {
        <section class="periods" aria-labelledby="periods-title">
            <h2 id="periods-title">"Months"</h2>
            <p class="muted">
                "A closed month is final: recalculations put changes to it in the open month, as adjustments. "
                <a href="/commissions/rates" data-testid="rates-link">"Commission rates"</a>
            </p>
            <div aria-live="polite" data-testid="period-result">
                {move || actions.close.value().get().map(|result| match result {
                    Ok(()) => view! { <p class="verdict ok" role="status">"The month is closed."</p> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
                {move || actions.reopen.value().get().map(|result| match result {
                    Ok(()) => view! { <p class="verdict ok" role="status">"The month is open again."</p> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
                {move || actions.recalculate.value().get().map(|result| match result {
                    Ok(done) => view! {
                        <p class="verdict ok" role="status">
                            {format!("{} recalculated: {} lines written (net {}).", done.period, format_count(language(), done.lines), format_vnd(language(), done.net_amount))}
                        </p>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
                {move || actions.adjust.value().get().map(|result| match result {
                    Ok(done) => view! {
                        <p class="verdict ok" role="status" data-testid="adjustment-recorded">
                            {format!("Adjustment of {} for {} recorded in {} (corrects {}).", format_vnd(language(), done.amount), done.ma_ctv, done.period, done.corrects)}
                        </p>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the months…"</p> }>
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
    let PeriodListing { months, may_close, may_reopen } = listing;
    let closed_months: Vec<String> =
        months.iter().filter(|month| month.closed.is_some()).map(|month| month.period.clone()).collect();
    let rows = months
        .into_iter()
        .map(|month| {
            let state = if month.closed.is_some() { "closed" } else { "open" };
            let text = state_text(&month);
            let period = month.period.clone();
            // Each form's children own their copy.
            let (close_period, recalculate_ended, recalculate_open, reopen_period) =
                (period.clone(), period.clone(), period.clone(), period.clone());
            let action = match (&month.closed, month.ended) {
                (None, true) if may_close => view! {
                    <ActionForm action=actions.close attr:class="inline-form">
                        <input type="hidden" name="period" value=close_period/>
                        <button type="submit" data-testid="close-period">"Close"</button>
                    </ActionForm>
                    <ActionForm action=actions.recalculate attr:class="inline-form">
                        <input type="hidden" name="period" value=recalculate_ended/>
                        <button type="submit" class="secondary">"Recalculate"</button>
                    </ActionForm>
                }
                .into_any(),
                (None, false) if may_close => view! {
                    <ActionForm action=actions.recalculate attr:class="inline-form">
                        <input type="hidden" name="period" value=recalculate_open/>
                        <button type="submit" class="secondary">"Recalculate"</button>
                    </ActionForm>
                }
                .into_any(),
                (Some(_), _) if may_reopen => view! {
                    <ActionForm action=actions.reopen attr:class="inline-form" attr:data-testid="reopen-period">
                        <input type="hidden" name="period" value=reopen_period/>
                        <label>"Reason"<input name="reason" type="text" required maxlength="500" autocomplete="off"/></label>
                        <button type="submit">"Reopen"</button>
                    </ActionForm>
                }
                .into_any(),
                (Some(_), _) => view! { <span class="muted">"Only an admin reopens a month."</span> }.into_any(),
                _ => ().into_any(),
            };
            let label = if month.is_open_period { format!("{period} (takes today's changes)") } else { period.clone() };
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
                <thead><tr><th scope="col">"Month"</th><th scope="col">"State"</th><th scope="col">"Action"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {may_close.then(|| view! {
            <h3 id="adjust-title">"Correct a closed month"</h3>
            <p class="hint">"The correction is a line of the open month, with its reason; the closed month's lines stay as they are."</p>
            <ActionForm action=actions.adjust attr:class="filters" attr:aria-labelledby="adjust-title" attr:data-testid="adjust-form">
                <label>"Closed month"<select name="period" required>{options}</select></label>
                <label>"Collaborator code"<input name="ma_ctv" type="text" required autocomplete="off"/></label>
                <label>"Amount (₫, negative to take back)"<input name="amount" type="text" inputmode="decimal" required autocomplete="off"/></label>
                <label>"Reason"<input name="reason" type="text" required maxlength="500" autocomplete="off"/></label>
                <button type="submit">"Record the adjustment"</button>
            </ActionForm>
        })}
    }
}
