//! `/alerts`: open performance alerts (acknowledge; who and when shown), the latest
//! closed ones, and the rules that open them: managers and admins create, change,
//! turn on or off and delete rules; everyone else reads them.

use crate::domain::analytics::alerts::{
    AlertListing, AlertPeriod, AlertRuleListing, AlertsOverview, ThresholdType, ALERT_HISTORY_SIZE, CHANNEL_METRICS,
};
use crate::domain::server_error::ServerError;
use leptos::prelude::*;
use leptos_meta::Title;

#[cfg(feature = "ssr")]
fn parse_id(field: &'static str, text: &str, what: &str) -> Result<uuid::Uuid, ServerError> {
    use crate::server::error::AppError;
    uuid::Uuid::try_parse(text.trim()).map_err(|_| {
        ServerError::from(AppError::BadRequest {
            field,
            message: format!("{field}: {:?} is not {what} of this organization", text.trim()),
        })
    })
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
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    let alert = parse_id("id", &id, "an unacknowledged alert")?;
    match store.acknowledge_alert(alert, member.user_id).await? {
        true => Ok(()),
        false => Err(ServerError::from(AppError::BadRequest {
            field: "id",
            message: format!("id: {:?} is not an unacknowledged alert of this organization", id.trim()),
        })),
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
        text => Some(parse_id("id", text, "a rule")?),
    };
    let draft = AlertRuleDraft::parse(&channel, &metric, &period, &threshold_type, &threshold_value)
        .map_err(|refused| AppError::BadRequest { field: refused.field, message: refused.to_string() })?;
    match store.save_alert_rule(rule, &draft, member.user_id).await? {
        RuleSaved::Saved => Ok(()),
        RuleSaved::NotFound => Err(ServerError::from(AppError::BadRequest {
            field: "id",
            message: format!("id: {:?} is not a rule of this organization", id.trim()),
        })),
        RuleSaved::TooMany => Err(ServerError::from(AppError::BadRequest {
            field: "id",
            message: format!("id: the organization has {MAX_ALERT_RULES} rules already; delete one first"),
        })),
    }
}

#[server]
pub async fn set_alert_rule_enabled(id: String, enabled: bool) -> Result<(), ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let rule = parse_id("id", &id, "a rule")?;
    match store.set_alert_rule_enabled(rule, enabled).await? {
        true => Ok(()),
        false => Err(ServerError::from(AppError::BadRequest {
            field: "id",
            message: format!("id: {:?} is not a rule of this organization", id.trim()),
        })),
    }
}

#[server]
pub async fn delete_alert_rule(id: String) -> Result<(), ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let rule = parse_id("id", &id, "a rule")?;
    match store.delete_alert_rule(rule).await? {
        true => Ok(()),
        false => Err(ServerError::from(AppError::BadRequest {
            field: "id",
            message: format!("id: {:?} is not a rule of this organization", id.trim()),
        })),
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
        <Title text="Alerts"/>
        <section class="page alerts">
            <h1>"Alerts"</h1>
            <p class="hint">
                "Rules compare the latest hourly or daily aggregate of a metric with a threshold after each aggregation; "
                "a breached rule opens one alert, which closes when the value recovers. Severe anomalies of the insights open alerts too."
            </p>
            <div aria-live="polite" data-testid="alert-errors">{errors}</div>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading alerts…"</p> }>
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
    view! {
        <h2>"Open alerts"</h2>
        {if active.is_empty() {
            view! { <p class="empty-state" role="status" data-testid="no-active-alerts">"No alert is open."</p> }.into_any()
        } else {
            view! { <AlertTable alerts=active actions testid="active-alerts"/> }.into_any()
        }}
        <h2>"History"</h2>
        <p class="hint">{format!("The latest {ALERT_HISTORY_SIZE} closed alerts.")}</p>
        {if history.is_empty() {
            view! { <p class="empty-state" data-testid="no-alert-history">"No alert has closed yet."</p> }.into_any()
        } else {
            view! { <AlertTable alerts=history actions testid="alert-history"/> }.into_any()
        }}
        <h2>"Rules"</h2>
        {if may_edit_rules {
            view! { <NewRuleForm save=actions.save/> }.into_any()
        } else {
            view! { <p class="hint" data-testid="rules-read-only">"Managers and admins edit the rules; you can read them."</p> }.into_any()
        }}
        {if rules.is_empty() {
            view! { <p class="empty-state" data-testid="no-alert-rules">"No rule yet."</p> }.into_any()
        } else {
            view! { <RuleTable rules may_edit_rules actions/> }.into_any()
        }}
    }
}

#[component]
fn AlertTable(alerts: Vec<AlertListing>, actions: Actions, testid: &'static str) -> impl IntoView {
    let rows = alerts
        .into_iter()
        .map(|alert| {
            let id = alert.id.clone();
            let acknowledgement = match (alert.is_acknowledged, alert.acknowledged_by.clone()) {
                (true, by) => view! {
                    <span data-testid="acknowledged">{format!(
                        "Acknowledged by {} at {}",
                        by.unwrap_or_else(|| "a former member".to_owned()),
                        alert.acknowledged_at.clone().unwrap_or_default()
                    )}</span>
                }
                .into_any(),
                (false, _) => view! {
                    <ActionForm action=actions.acknowledge attr:class="inline-form" attr:aria-label="Acknowledge the alert">
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" data-testid="acknowledge">"Acknowledge"</button>
                    </ActionForm>
                }
                .into_any(),
            };
            view! {
                <tr data-alert-type=alert.alert_type.as_str() data-active=alert.is_active.to_string()>
                    <td>{alert.created_at.clone()}</td>
                    <td>{alert.alert_type.label()}</td>
                    <td><code>{format!("{} / {}", alert.channel, alert.metric)}</code></td>
                    <td lang="vi">{alert.message.clone()}</td>
                    <td class="number">{format!("{:.2}", alert.current_value)}</td>
                    <td>{format!("{} {:.2}", alert.threshold_type, alert.threshold_value)}</td>
                    <td>{alert.measured_at.clone().unwrap_or_else(|| "—".to_owned())}</td>
                    <td>{acknowledgement}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid=testid>
            <thead><tr>
                <th scope="col">"Opened"</th><th scope="col">"Type"</th><th scope="col">"Metric"</th>
                <th scope="col">"Message"</th><th scope="col">"Value"</th><th scope="col">"Threshold"</th>
                <th scope="col">"Measured"</th><th scope="col">"Acknowledgement"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn period_options(selected: AlertPeriod) -> impl IntoView {
    AlertPeriod::ALL
        .into_iter()
        .map(|period| view! { <option value=period.as_str() selected=period == selected>{period.label()}</option> })
        .collect_view()
}

fn threshold_options(selected: ThresholdType) -> impl IntoView {
    ThresholdType::ALL
        .into_iter()
        .map(|kind| view! { <option value=kind.as_str() selected=kind == selected>{kind.label()}</option> })
        .collect_view()
}

#[component]
fn NewRuleForm(save: ServerAction<SaveAlertRule>) -> impl IntoView {
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
        <ActionForm action=save attr:class="admin-form" attr:aria-label="Add an alert rule">
            <input type="hidden" name="id" value=""/>
            <label>"Channel"<select name="channel">{channels}</select></label>
            <label>"Metric"<input name="metric" type="text" required maxlength="100" list="alert-metrics" autocomplete="off" placeholder="success_rate"/></label>
            <datalist id="alert-metrics">{metrics}</datalist>
            <label>"Reads"<select name="period">{period_options(AlertPeriod::Day)}</select></label>
            <label>"Alert when"<select name="threshold_type">{threshold_options(ThresholdType::Below)}</select></label>
            <label>"Threshold"<input name="threshold_value" type="text" inputmode="decimal" required autocomplete="off"/></label>
            <button type="submit" data-testid="add-rule">"Add rule"</button>
        </ActionForm>
    }
}

#[component]
fn RuleTable(rules: Vec<AlertRuleListing>, may_edit_rules: bool, actions: Actions) -> impl IntoView {
    let rows = rules
        .into_iter()
        .map(|rule| {
            let state = if rule.enabled { "on" } else { "off" };
            let (id, channel, metric) = (rule.id.clone(), rule.channel.clone(), rule.metric.clone());
            let (period, threshold_type, threshold_value, enabled) =
                (rule.period, rule.threshold_type, rule.threshold_value, rule.enabled);
            let editing = may_edit_rules.then(move || {
                let (toggle_id, delete_id) = (id.clone(), id.clone());
                let threshold_label = format!("New threshold of {channel} / {metric}");
                view! {
                    <td>
                        <ActionForm action=actions.save attr:class="inline-form" attr:aria-label="Change the threshold">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="channel" value=channel/>
                            <input type="hidden" name="metric" value=metric/>
                            <input type="hidden" name="period" value=period.as_str()/>
                            <input type="hidden" name="threshold_type" value=threshold_type.as_str()/>
                            <input name="threshold_value" type="text" inputmode="decimal" required size="8"
                                aria-label=threshold_label value=format!("{threshold_value}")/>
                            <button type="submit" data-testid="change-threshold">"Change"</button>
                        </ActionForm>
                        <button type="button" class="link-button" data-testid="toggle-rule"
                            on:click=move |_| { actions.enable.dispatch(SetAlertRuleEnabled { id: toggle_id.clone(), enabled: !enabled }); }>
                            {if enabled { "Disable" } else { "Enable" }}
                        </button>
                        <button type="button" class="link-button" data-testid="delete-rule"
                            on:click=move |_| { actions.delete.dispatch(DeleteAlertRule { id: delete_id.clone() }); }>
                            "Delete"
                        </button>
                    </td>
                }
            });
            view! {
                <tr data-rule=rule.id.clone() data-enabled=rule.enabled.to_string()>
                    <td><code>{format!("{} / {}", rule.channel, rule.metric)}</code></td>
                    <td>{rule.period.label()}</td>
                    <td>{format!("{} {}", rule.threshold_type.label(), rule.threshold_value)}</td>
                    <td>{state}</td>
                    <td>{rule.created_by.clone().unwrap_or_else(|| "—".to_owned())}</td>
                    <td>{rule.updated_at.clone()}</td>
                    {editing}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="alert-rules">
            <thead><tr>
                <th scope="col">"Metric"</th><th scope="col">"Reads"</th><th scope="col">"Alert when"</th>
                <th scope="col">"State"</th><th scope="col">"Created by"</th><th scope="col">"Changed"</th>
                {may_edit_rules.then(|| view! { <th scope="col">"Edit"</th> })}
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
