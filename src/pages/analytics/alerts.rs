//! `/alerts`: open performance alerts (acknowledge; who and when shown), the latest
//! closed ones, and the rules that open them: managers and admins create, change,
//! turn on or off and delete rules; everyone else reads them.

use crate::domain::analytics::alerts::{
    AlertListing, AlertPeriod, AlertRuleListing, AlertType, AlertsOverview, ThresholdType, ALERT_HISTORY_SIZE,
    CHANNEL_METRICS,
};
use crate::domain::server_error::ServerError;
use crate::i18n::{td_string, use_i18n, Locale};
use leptos::prelude::*;
use leptos_meta::Title;

/// What an id names, in the request's language: the refusals say which it is not.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy)]
enum Named {
    UnacknowledgedAlert,
    Rule,
}

/// "`field`: `text` is not (an alert / a rule) of this organization", in the request's language.
#[cfg(feature = "ssr")]
fn not_of_organization(field: &'static str, text: &str, what: Named) -> ServerError {
    use crate::server::error::AppError;
    let locale = Locale::from(crate::components::request_language());
    let what = match what {
        Named::UnacknowledgedAlert => td_string!(locale, alerts.an_unacknowledged_alert),
        Named::Rule => td_string!(locale, alerts.a_rule),
    };
    let message = tf!(locale, alerts.not_of_org, field = field, value = format!("{:?}", text.trim()), what = what);
    ServerError::from(AppError::BadRequest { field, message })
}

#[cfg(feature = "ssr")]
fn parse_id(field: &'static str, text: &str, what: Named) -> Result<uuid::Uuid, ServerError> {
    uuid::Uuid::try_parse(text.trim()).map_err(|_| not_of_organization(field, text, what))
}

#[server]
pub async fn get_alerts() -> Result<AlertsOverview, ServerError> {
    use crate::domain::access::Permission;
    let (member, store) = crate::server::auth::tenant()?;
    Ok(store.alerts_overview(member.role.allows(Permission::ManageAlerts)).await?)
}

/// Records that the signed-in member acknowledged an alert (only the acknowledgement changes).
#[server]
pub async fn acknowledge_alert(id: String) -> Result<(), ServerError> {
    let (member, store) = crate::server::auth::tenant()?;
    let alert = parse_id("id", &id, Named::UnacknowledgedAlert)?;
    match store.acknowledge_alert(alert, member.user_id).await? {
        true => Ok(()),
        false => Err(not_of_organization("id", &id, Named::UnacknowledgedAlert)),
    }
}

/// Creates a rule (`id` empty) or changes one.
#[server]
pub async fn save_alert_rule(
    id: String,
    channel: String,
    metric: String,
    period: String,
    threshold_type: String,
    threshold_value: String,
) -> Result<(), ServerError> {
    use crate::data::analytics::alerts::RuleSaved;
    use crate::domain::analytics::alerts::{AlertRuleDraft, MAX_ALERT_RULES};
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    let rule = match id.trim() {
        "" => None,
        text => Some(parse_id("id", text, Named::Rule)?),
    };
    let draft = AlertRuleDraft::parse(&channel, &metric, &period, &threshold_type, &threshold_value)
        .map_err(ServerError::from)?;
    match store.save_alert_rule(rule, &draft, member.user_id).await? {
        RuleSaved::Saved => Ok(()),
        RuleSaved::NotFound => Err(not_of_organization("id", &id, Named::Rule)),
        RuleSaved::TooMany => {
            let locale = Locale::from(crate::components::request_language());
            Err(ServerError::from(AppError::BadRequest {
                field: "id",
                message: tf!(locale, alerts.too_many, max = MAX_ALERT_RULES),
            }))
        }
    }
}

#[server]
pub async fn set_alert_rule_enabled(id: String, enabled: bool) -> Result<(), ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let rule = parse_id("id", &id, Named::Rule)?;
    match store.set_alert_rule_enabled(rule, enabled).await? {
        true => Ok(()),
        false => Err(not_of_organization("id", &id, Named::Rule)),
    }
}

#[server]
pub async fn delete_alert_rule(id: String) -> Result<(), ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let rule = parse_id("id", &id, Named::Rule)?;
    match store.delete_alert_rule(rule).await? {
        true => Ok(()),
        false => Err(not_of_organization("id", &id, Named::Rule)),
    }
}

/// The server actions of the page, passed down together.
#[derive(Clone, Copy)]
struct Actions {
    acknowledge: ServerAction<AcknowledgeAlert>,
    save: ServerAction<SaveAlertRule>,
    enable: ServerAction<SetAlertRuleEnabled>,
    delete: ServerAction<DeleteAlertRule>,
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let actions = Actions {
        acknowledge: ServerAction::<AcknowledgeAlert>::new(),
        save: ServerAction::<SaveAlertRule>::new(),
        enable: ServerAction::<SetAlertRuleEnabled>::new(),
        delete: ServerAction::<DeleteAlertRule>::new(),
    };
    let overview = Resource::new(
        move || {
            (
                actions.acknowledge.version().get(),
                actions.save.version().get(),
                actions.enable.version().get(),
                actions.delete.version().get(),
            )
        },
        |_| get_alerts(),
    );
    let errors = move || {
        [
            actions.acknowledge.value().get().and_then(Result::err),
            actions.save.value().get().and_then(Result::err),
            actions.enable.value().get().and_then(Result::err),
            actions.delete.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })
        .collect_view()
    };
    view! {
        <Title text=td_string!(locale, alerts.title)/>
        <section class="page alerts">
            <h1>{td_string!(locale, alerts.title)}</h1>
            <p class="hint">{td_string!(locale, alerts.hint)}</p>
            <div aria-live="polite" data-testid="alert-errors">{errors}</div>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, alerts.loading)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <Overview overview actions/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Overview(overview: AlertsOverview, actions: Actions) -> impl IntoView {
    let AlertsOverview { active, history, rules, may_edit_rules } = overview;
    let locale = use_i18n().get_locale_untracked();
    view! {
        <h2>{td_string!(locale, alerts.open_alerts)}</h2>
        {if active.is_empty() {
            view! { <p class="empty-state" role="status" data-testid="no-active-alerts">{td_string!(locale, alerts.none_open)}</p> }.into_any()
        } else {
            view! { <AlertTable alerts=active actions testid="active-alerts"/> }.into_any()
        }}
        <h2>{td_string!(locale, alerts.history)}</h2>
        <p class="hint">{tf!(locale, alerts.history_hint, count = ALERT_HISTORY_SIZE)}</p>
        {if history.is_empty() {
            view! { <p class="empty-state" data-testid="no-alert-history">{td_string!(locale, alerts.none_closed)}</p> }.into_any()
        } else {
            view! { <AlertTable alerts=history actions testid="alert-history"/> }.into_any()
        }}
        <h2>{td_string!(locale, alerts.rules)}</h2>
        {if may_edit_rules {
            view! { <NewRuleForm save=actions.save/> }.into_any()
        } else {
            view! { <p class="hint" data-testid="rules-read-only">{td_string!(locale, alerts.read_only)}</p> }.into_any()
        }}
        {if rules.is_empty() {
            view! { <p class="empty-state" data-testid="no-alert-rules">{td_string!(locale, alerts.no_rules)}</p> }.into_any()
        } else {
            view! { <RuleTable rules may_edit_rules actions/> }.into_any()
        }}
    }
}

#[component]
fn AlertTable(alerts: Vec<AlertListing>, actions: Actions, testid: &'static str) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let rows = alerts
        .into_iter()
        .map(|alert| {
            let id = alert.id.clone();
            let acknowledgement = match (alert.is_acknowledged, alert.acknowledged_by.clone()) {
                (true, by) => view! {
                    <span data-testid="acknowledged">{tf!(
                        locale, alerts.acknowledged_by,
                        who = by.unwrap_or_else(|| td_string!(locale, alerts.former_member).to_owned()),
                        at = alert.acknowledged_at.clone().unwrap_or_default()
                    )}</span>
                }
                .into_any(),
                (false, _) => view! {
                    <ActionForm action=actions.acknowledge attr:class="inline-form" attr:aria-label=td_string!(locale, alerts.acknowledge_label)>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" data-testid="acknowledge">{td_string!(locale, alerts.acknowledge)}</button>
                    </ActionForm>
                }
                .into_any(),
            };
            view! {
                <tr data-alert-type=alert.alert_type.as_str() data-active=alert.is_active.to_string()>
                    <td>{alert.created_at.clone()}</td>
                    <td>{alert_type_label(locale, alert.alert_type)}</td>
                    <td><code>{format!("{} / {}", alert.channel, alert.metric)}</code></td>
                    <td lang="vi">{alert.message.clone()}</td>
                    <td class="number">{format!("{:.2}", alert.current_value)}</td>
                    <td>{format!("{} {:.2}", stored_threshold_label(locale, &alert.threshold_type), alert.threshold_value)}</td>
                    <td>{alert.measured_at.clone().unwrap_or_else(|| "—".to_owned())}</td>
                    <td>{acknowledgement}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid=testid>
                <thead><tr>
                    <th scope="col">{td_string!(locale, alerts.opened)}</th><th scope="col">{td_string!(locale, alerts.type_col)}</th>
                    <th scope="col">{td_string!(locale, alerts.metric)}</th><th scope="col">{td_string!(locale, alerts.message)}</th>
                    <th scope="col">{td_string!(locale, alerts.value)}</th><th scope="col">{td_string!(locale, alerts.threshold)}</th>
                    <th scope="col">{td_string!(locale, alerts.measured)}</th><th scope="col">{td_string!(locale, alerts.acknowledgement)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn period_options(locale: Locale, selected: AlertPeriod) -> impl IntoView {
    AlertPeriod::ALL
        .into_iter()
        .map(|period| view! { <option value=period.as_str() selected=period == selected>{period_label(locale, period)}</option> })
        .collect_view()
}

fn threshold_options(locale: Locale, selected: ThresholdType) -> impl IntoView {
    ThresholdType::ALL
        .into_iter()
        .map(|kind| view! { <option value=kind.as_str() selected=kind == selected>{threshold_label(locale, kind)}</option> })
        .collect_view()
}

fn period_label(locale: Locale, period: AlertPeriod) -> &'static str {
    match period {
        AlertPeriod::Hour => td_string!(locale, alerts.period_hour),
        AlertPeriod::Day => td_string!(locale, alerts.period_day),
    }
}

fn threshold_label(locale: Locale, kind: ThresholdType) -> &'static str {
    match kind {
        ThresholdType::Above => td_string!(locale, alerts.above),
        ThresholdType::Below => td_string!(locale, alerts.below),
        ThresholdType::PercentageChange => td_string!(locale, alerts.change_pct),
    }
}

/// An alert's stored threshold type in the page's language (as stored when unknown).
fn stored_threshold_label(locale: Locale, stored: &str) -> String {
    ThresholdType::parse(stored).map_or_else(|| stored.to_owned(), |kind| threshold_label(locale, kind).to_owned())
}

fn alert_type_label(locale: Locale, kind: AlertType) -> &'static str {
    match kind {
        AlertType::ThresholdBreach => td_string!(locale, alerts.type_breach),
        AlertType::AnomalyDetected => td_string!(locale, alerts.type_anomaly),
        AlertType::GoalAtRisk => td_string!(locale, alerts.type_goal),
    }
}

#[component]
fn NewRuleForm(save: ServerAction<SaveAlertRule>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let channels =
        CHANNEL_METRICS.iter().map(|(channel, _)| view! { <option value=*channel>{*channel}</option> }).collect_view();
    let metrics = CHANNEL_METRICS
        .iter()
        .flat_map(|(_, metrics)| metrics.iter())
        .map(|metric| {
            let shown = if metric.ends_with('.') { format!("{metric}<code>") } else { (*metric).to_owned() };
            view! { <option value=*metric>{shown}</option> }
        })
        .collect_view();
    view! {
        <ActionForm action=save attr:class="admin-form" attr:aria-label=td_string!(locale, alerts.new_rule)>
            <input type="hidden" name="id" value=""/>
            <label>{td_string!(locale, alerts.channel)}<select name="channel">{channels}</select></label>
            <label>{td_string!(locale, alerts.metric)}<input name="metric" type="text" required maxlength="100" list="alert-metrics" autocomplete="off" placeholder="success_rate"/></label>
            <datalist id="alert-metrics">{metrics}</datalist>
            <label>{td_string!(locale, alerts.reads)}<select name="period">{period_options(locale, AlertPeriod::Day)}</select></label>
            <label>{td_string!(locale, alerts.alert_when)}<select name="threshold_type">{threshold_options(locale, ThresholdType::Below)}</select></label>
            <label>{td_string!(locale, alerts.threshold)}<input name="threshold_value" type="text" inputmode="decimal" required autocomplete="off"/></label>
            <button type="submit" data-testid="add-rule">{td_string!(locale, alerts.add_rule)}</button>
        </ActionForm>
    }
}

#[component]
fn RuleTable(rules: Vec<AlertRuleListing>, may_edit_rules: bool, actions: Actions) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let rows = rules
        .into_iter()
        .map(|rule| {
            let state = if rule.enabled { td_string!(locale, alerts.on) } else { td_string!(locale, alerts.off) };
            let (id, channel, metric) = (rule.id.clone(), rule.channel.clone(), rule.metric.clone());
            let (period, threshold_type, threshold_value, enabled) =
                (rule.period, rule.threshold_type, rule.threshold_value, rule.enabled);
            let editing = may_edit_rules.then(move || {
                let (toggle_id, delete_id) = (id.clone(), id.clone());
                let threshold_label = tf!(locale, alerts.new_threshold_of, rule = format!("{channel} / {metric}"));
                view! {
                    <td>
                        <ActionForm action=actions.save attr:class="inline-form" attr:aria-label=td_string!(locale, alerts.change_threshold)>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="channel" value=channel/>
                            <input type="hidden" name="metric" value=metric/>
                            <input type="hidden" name="period" value=period.as_str()/>
                            <input type="hidden" name="threshold_type" value=threshold_type.as_str()/>
                            <input name="threshold_value" type="text" inputmode="decimal" required size="8"
                                aria-label=threshold_label value=format!("{threshold_value}")/>
                            <button type="submit" data-testid="change-threshold">{td_string!(locale, alerts.change)}</button>
                        </ActionForm>
                        <button type="button" class="link-button" data-testid="toggle-rule"
                            on:click=move |_| { actions.enable.dispatch(SetAlertRuleEnabled { id: toggle_id.clone(), enabled: !enabled }); }>
                            {if enabled { td_string!(locale, alerts.disable) } else { td_string!(locale, alerts.enable) }}
                        </button>
                        <button type="button" class="link-button" data-testid="delete-rule"
                            on:click=move |_| { actions.delete.dispatch(DeleteAlertRule { id: delete_id.clone() }); }>
                            {td_string!(locale, alerts.delete)}
                        </button>
                    </td>
                }
            });
            view! {
                <tr data-rule=rule.id.clone() data-enabled=rule.enabled.to_string()>
                    <td><code>{format!("{} / {}", rule.channel, rule.metric)}</code></td>
                    <td>{period_label(locale, rule.period)}</td>
                    <td>{format!("{} {}", threshold_label(locale, rule.threshold_type), rule.threshold_value)}</td>
                    <td>{state}</td>
                    <td>{rule.created_by.clone().unwrap_or_else(|| "—".to_owned())}</td>
                    <td>{rule.updated_at.clone()}</td>
                    {editing}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="alert-rules">
                <thead><tr>
                    <th scope="col">{td_string!(locale, alerts.metric)}</th><th scope="col">{td_string!(locale, alerts.reads)}</th>
                    <th scope="col">{td_string!(locale, alerts.alert_when)}</th><th scope="col">{td_string!(locale, alerts.state)}</th>
                    <th scope="col">{td_string!(locale, alerts.created_by)}</th><th scope="col">{td_string!(locale, alerts.changed)}</th>
                    {may_edit_rules.then(|| view! { <th scope="col">{td_string!(locale, alerts.edit)}</th> })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
