//! `/campaigns`: marketing's rule builder (seed 002 use case 3). Rules change, the
//! count and the top 100 follow; a campaign is saved by name, opened again with
//! `?id=`, exported as CSV or XLSX with the columns chosen, and its exports listed.

use crate::components::language;
use crate::domain::campaign::{
    CampaignId, CampaignPreview, CampaignRules, CampaignSummary, ExportEvent, SuppressionList, SuppressionListId,
    EXPORT_COLUMNS,
};
use crate::domain::format::{format_count, format_fixed, format_vnd};
use crate::domain::recommendation::{ArpuTrend, RiskLevel, ServiceType, SubscriberType};
use crate::pages::url::subscriber_href;
use leptos::prelude::*;
// Named by `#[server(input = Json)]`, on both targets.
use crate::domain::server_error::ServerError;
use crate::i18n::{t, td_string, use_i18n, Locale};
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

/// What the page needs besides the rules: saved campaigns, suppression lists, clusters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignWorkspace {
    pub campaigns: Vec<CampaignSummary>,
    pub suppression_lists: Vec<SuppressionList>,
    pub clusters: Vec<i32>,
}

/// The language of the request being answered, for the messages built here.
#[cfg(feature = "ssr")]
fn request_locale() -> Locale {
    Locale::from(crate::components::request_language())
}

/// A refused rule in the request's language, named as the campaign builder names it.
#[cfg(feature = "ssr")]
fn rule_error(error: crate::domain::field_error::FieldError) -> crate::server::error::AppError {
    let locale = request_locale();
    // Named as the campaign builder names its rules (`limit` is its top N here).
    let label = match error.field {
        "limit" => td_string!(locale, campaigns.rule_limit),
        other => crate::domain::field_error::field_label(locale.into(), other),
    };
    let message = format!("{label}: {}", error.message(locale.into()));
    crate::server::error::AppError::BadRequest { field: error.field, message }
}

/// A campaign id that is none, refused in the request's language.
#[cfg(feature = "ssr")]
fn not_an_id(text: &str) -> crate::server::error::AppError {
    let problem = crate::domain::field_error::Problem::NotAnId { text: text.to_owned() };
    crate::server::error::AppError::refused(
        crate::domain::field_error::FieldError::new("id", problem),
        request_locale().into(),
    )
}

#[server(endpoint = "campaign_workspace")]
pub async fn get_campaign_workspace() -> Result<CampaignWorkspace, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let (campaigns, suppression_lists, dashboards) =
        tokio::try_join!(store.campaigns(), store.suppression_lists(), store.dashboards(),)?;
    let mut clusters: Vec<i32> = dashboards.by_cluster.iter().filter_map(|group| group.key.parse().ok()).collect();
    clusters.sort_unstable();
    Ok(CampaignWorkspace { campaigns, suppression_lists, clusters })
}

/// At a fixed address (`/api/campaign_preview`), so the benchmark can post to it.
#[server(input = Json, endpoint = "campaign_preview")]
pub async fn preview_campaign(rules: CampaignRules) -> Result<CampaignPreview, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    rules.validate().map_err(rule_error)?;
    store.campaign_preview(&rules).await.map_err(ServerError::from)
}

#[server(input = Json, endpoint = "save_campaign")]
pub async fn save_campaign(
    id: Option<String>,
    name: String,
    owner: String,
    rules: CampaignRules,
) -> Result<CampaignSummary, ServerError> {
    use crate::data::campaigns::Saved;
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let locale = request_locale();
    let saved = async {
        let required = |field: &'static str, label: &str, value: &str| match value.trim().chars().count() {
            0 => Err(AppError::BadRequest { field, message: tf!(locale, campaigns.err_give_one, label = label) }),
            1..=100 => Ok(()),
            _ => Err(AppError::BadRequest { field, message: tf!(locale, campaigns.err_too_long, label = label) }),
        };
        required("name", td_string!(locale, campaigns.campaign_name), &name)?;
        required("owner", td_string!(locale, campaigns.owner), &owner)?;
        rules.validate().map_err(rule_error)?;
        let id = match id.as_deref() {
            None | Some("") => None,
            Some(id) => Some(id.parse::<CampaignId>().map_err(|_| not_an_id(id))?),
        };
        match store.save_campaign(id, &name, &owner, &rules).await? {
            Saved::Saved(campaign) => Ok(campaign),
            Saved::NameTaken => Err(AppError::BadRequest {
                field: "name",
                message: tf!(locale, campaigns.err_name_taken, name = format!("{:?}", name.trim())),
            }),
            Saved::NotFound => Err(AppError::missing_here(crate::server::error::Missing::Campaign)),
        }
    };
    saved.await.map_err(ServerError::from)
}

#[server(endpoint = "campaign_exports")]
pub async fn get_campaign_exports(id: String) -> Result<Vec<ExportEvent>, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let id: CampaignId = id.parse().map_err(|_| not_an_id(&id))?;
    Ok(store.export_history(Some(id), 50).await?)
}

#[server(endpoint = "create_suppression_list")]
pub async fn create_suppression_list(name: String, text: String) -> Result<SuppressionList, ServerError> {
    use crate::data::campaigns::Saved;
    use crate::domain::isdn_list::IsdnList;
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    /// A suppression list holds at most this many ISDNs.
    const SUPPRESSION_LIST_MAX: usize = 1_000_000;
    let bad = |field: &'static str, message: String| AppError::BadRequest { field, message };
    let locale = request_locale();
    let created = async {
        if name.trim().is_empty() || name.trim().chars().count() > 100 {
            return Err(bad("name", td_string!(locale, campaigns.err_list_name).to_owned()));
        }
        let list = IsdnList::parse(&text);
        if let Some(first) = list.malformed.first() {
            let more = list.malformed.len() - 1;
            let others = if more > 0 { tf!(locale, campaigns.err_more_lines, more = more) } else { String::new() };
            let message = tf!(
                locale,
                campaigns.err_list_line,
                line = first.line,
                reason = first.reason.message(locale.into(), "isdns"),
                others = others
            );
            return Err(bad("isdns", message));
        }
        if list.isdns.is_empty() {
            return Err(bad("isdns", td_string!(locale, campaigns.err_no_isdns).to_owned()));
        }
        if list.isdns.len() > SUPPRESSION_LIST_MAX {
            let language = crate::domain::language::Language::from(locale);
            let (most, given) =
                (format_count(language, SUPPRESSION_LIST_MAX as i64), format_count(language, list.isdns.len() as i64));
            return Err(bad("isdns", tf!(locale, campaigns.err_too_many, most = most, given = given)));
        }
        let _slot = crate::server::heavy_work::start_in_server_function(member.organization.id)?;
        match store.create_suppression_list(&name, &list.isdns).await? {
            Saved::Saved(list) => Ok(list),
            Saved::NameTaken => {
                Err(bad("name", tf!(locale, campaigns.err_list_taken, name = format!("{:?}", name.trim()))))
            }
            Saved::NotFound => Err(AppError::missing_here(crate::server::error::Missing::SuppressionList)),
        }
    };
    created.await.map_err(ServerError::from)
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let query = use_query_map();
    let opened_id = Memo::new(move |_| query.read().get("id").unwrap_or_default());
    let workspace_version = RwSignal::new(0u32);
    let workspace = Resource::new(move || workspace_version.get(), |_| get_campaign_workspace());

    let rules = RwSignal::new(CampaignRules::seed_template());
    let name = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<String>);
    // Bumped when rules arrive from elsewhere (a saved campaign, the template), so the
    // inputs are drawn again with them; typing never redraws an input.
    let form_generation = RwSignal::new(0u32);

    // `?id=` opens a saved campaign in the builder, once per id: a later refetch of the
    // workspace must not overwrite rules being edited.
    Effect::new(move |loaded: Option<String>| {
        let id = opened_id.get();
        let loaded = loaded.unwrap_or_default();
        if id.is_empty() || id == loaded || editing.get_untracked().as_deref() == Some(id.as_str()) {
            return id;
        }
        if let Some(Ok(workspace)) = workspace.get() {
            if let Some(campaign) = workspace.campaigns.iter().find(|c| c.id.to_string() == id) {
                rules.set(campaign.rules.clone());
                name.set(campaign.name.clone());
                owner.set(campaign.owner.clone());
                editing.set(Some(id.clone()));
                form_generation.update(|g| *g += 1);
                return id;
            }
        }
        loaded
    });

    let preview = Resource::new(move || rules.get(), preview_campaign);
    let counting = RwSignal::new(false);

    let save = ServerAction::<SaveCampaign>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(campaign)) = save.value().get() {
            editing.set(Some(campaign.id.to_string()));
            workspace_version.update(|v| *v += 1);
            navigate(&format!("/campaigns?id={}", campaign.id), Default::default());
        }
    });
    let save_campaign = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveCampaign {
            id: editing.get_untracked(),
            name: name.get_untracked(),
            owner: owner.get_untracked(),
            rules: rules.get_untracked(),
        });
    };
    let hydrated = crate::components::use_hydrated();
    let navigate_to_builder = use_navigate();
    let new_campaign = move |_| {
        navigate_to_builder("/campaigns", Default::default());
        editing.set(None);
        // "Saved …" spoke of the campaign before.
        save.value().set(None);
        name.set(String::new());
        rules.set(CampaignRules::seed_template());
        form_generation.update(|g| *g += 1);
    };

    view! {
        <Title text=td_string!(locale, campaigns.title)/>
        <section class="page">
            <div class="list-header">
                <h1>{t!(i18n, campaigns.title)}</h1>
                <button type="button" class="secondary" on:click=new_campaign>{t!(i18n, campaigns.new_campaign)}</button>
            </div>
            <div class="campaign-layout">
                // A fieldset, not a form: the rules hold the suppression upload's own
                // form, and a form inside a form is dropped by the HTML parser. Disabled
                // until hydrated: a box ticked before would show ticked and count for nothing.
                <fieldset class="rules" aria-label=td_string!(locale, campaigns.rules_label) disabled=move || !hydrated.get()
                    data-testid="campaign-rules">
                    // Keyed by the generation, so new rules draw new inputs. Redrawn in
                    // place, inputs the user had touched kept showing what they showed: a
                    // changed `checked` or `value` attribute no longer moves them.
                    <For
                        each=move || [form_generation.get()]
                        key=|generation| *generation
                        children=move |_| view! { <RuleInputs rules workspace form_generation/> }
                    />
                    <form on:submit=save_campaign>
                        <fieldset class="rule-group">
                            <legend>{t!(i18n, campaigns.save)}</legend>
                            <label>{t!(i18n, campaigns.campaign_name)}
                                <input name="name" required maxlength="100" prop:value=move || name.get()
                                    on:input=move |ev| name.set(event_target_value(&ev))/>
                            </label>
                            <label>{t!(i18n, campaigns.owner)}
                                <input name="owner" required maxlength="100" prop:value=move || owner.get()
                                    on:input=move |ev| owner.set(event_target_value(&ev))/>
                            </label>
                            <button type="submit" disabled=move || save.pending().get()>
                                {move || if editing.get().is_some() { td_string!(locale, campaigns.save_changes) } else { td_string!(locale, campaigns.save_campaign) }}
                            </button>
                            {move || match save.value().get() {
                                Some(Err(error)) => Some(view! { <p class="error" role="alert" data-testid="save-error">{error.to_string()}</p> }.into_any()),
                                Some(Ok(campaign)) => Some(view! { <p class="muted" role="status">{tf!(locale, campaigns.saved_named, name = format!("{:?}", campaign.name))}</p> }.into_any()),
                                None => None,
                            }}
                        </fieldset>
                    </form>
                </fieldset>
                <div class="campaign-results">
                    <Transition
                        fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, campaigns.counting)}</p> }
                        set_pending=counting.write_only()
                    >
                        {move || Suspend::new(async move {
                            match preview.await {
                                Ok(preview) => view! { <PreviewResults preview/> }.into_any(),
                                Err(error) => view! { <p class="error" role="alert" data-testid="rules-error">{error.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                    // Outside the Transition: what it shows while hydrating must not depend on it.
                    <p class="muted counting" aria-live="polite">{move || if counting.get() { td_string!(locale, campaigns.counting) } else { "" }}</p>
                    {move || editing.get().map(|id| view! { <ExportPanel id workspace_version/> })}
                    <Transition fallback=|| view! { <span class="loading"></span> }>
                        {move || Suspend::new(async move {
                            workspace.await.ok().map(|workspace| view! { <SavedCampaigns campaigns=workspace.campaigns/> })
                        })}
                    </Transition>
                </div>
            </div>
        </section>
    }
}

/// The rule inputs, drawn from the rules as they are when drawn.
#[component]
fn RuleInputs(
    rules: RwSignal<CampaignRules>,
    workspace: Resource<Result<CampaignWorkspace, ServerError>>,
    form_generation: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let language = language();
    let any = Some(td_string!(locale, campaigns.any_when_none));
    let current = rules.get_untracked();
    let use_template = move |_| {
        rules.set(CampaignRules::seed_template());
        form_generation.update(|g| *g += 1);
    };
    view! {
        <fieldset class="rule-group">
            <legend>{t!(i18n, campaigns.who)}</legend>
            {checkboxes(locale, td_string!(locale, common.risk), RiskLevel::ALL.iter().map(|r| (*r, r.label(language).to_owned())).collect(), rules, |r| &mut r.risks, &current.risks, any)}
            {checkboxes(locale, td_string!(locale, common.service), ServiceType::ALL.iter().map(|s| (*s, s.as_str().to_owned())).collect(), rules, |r| &mut r.services, &current.services, any)}
            {checkboxes(locale, td_string!(locale, subscriber_list.pre_pos), SubscriberType::ALL.iter().map(|t| (*t, t.label(language).to_owned())).collect(), rules, |r| &mut r.subscriber_types, &current.subscriber_types, any)}
            {checkboxes(locale, td_string!(locale, subscriber_list.arpu_trend), ArpuTrend::ALL.iter().map(|t| (*t, t.label(language).to_owned())).collect(), rules, |r| &mut r.trends, &current.trends, any)}
            <Transition fallback=|| view! { <span class="loading"></span> }>
                {move || {
                    let chosen = rules.get_untracked().clusters;
                    Suspend::new(async move {
                        let clusters = workspace.await.map(|w| w.clusters).unwrap_or_default();
                        checkboxes(locale, td_string!(locale, subscriber_list.cluster), clusters.into_iter().map(|c| (c, c.to_string())).collect(), rules, |r| &mut r.clusters, &chosen, any)
                    })
                }}
            </Transition>
        </fieldset>
        <fieldset class="rule-group">
            <legend>{t!(i18n, campaigns.scores_amounts)}</legend>
            {number_input(td_string!(locale, campaigns.min_value), "0", "100", current.min_value, move |v| rules.update(|r| r.min_value = v))}
            {number_input(td_string!(locale, campaigns.min_readiness), "0", "100", current.min_readiness, move |v| rules.update(|r| r.min_readiness = v))}
            {number_input(td_string!(locale, campaigns.smallest_advance), "0", "", current.min_advance, move |v| rules.update(|r| r.min_advance = v))}
            {number_input(td_string!(locale, campaigns.largest_advance), "0", "", current.max_advance, move |v| rules.update(|r| r.max_advance = v))}
            {number_input(td_string!(locale, campaigns.top_n), "1", "1000000", current.limit.map(f64::from), move |v| {
                rules.update(|r| r.limit = v.map(|v| v.clamp(0.0, f64::from(u32::MAX)) as u32))
            })}
            <button type="button" class="secondary" on:click=use_template>{t!(i18n, campaigns.seed_template)}</button>
        </fieldset>
        <Suppressions rules workspace/>
    }
}

/// A group of checkboxes: each adds its value to the rule's list, or takes it out.
/// `hint` says what ticking none means.
fn checkboxes<T>(
    locale: Locale,
    legend: &'static str,
    options: Vec<(T, String)>,
    rules: RwSignal<CampaignRules>,
    field: fn(&mut CampaignRules) -> &mut Vec<T>,
    chosen: &[T],
    hint: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let empty = options.is_empty();
    let boxes = options
        .into_iter()
        .map(|(value, label)| {
            let checked = chosen.contains(&value);
            let on_change = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                rules.update(|rules| {
                    let list = field(rules);
                    list.retain(|v| *v != value);
                    if on {
                        list.push(value.clone());
                    }
                });
            };
            view! { <label class="check"><input type="checkbox" checked=checked on:change=on_change/>{label}</label> }
        })
        .collect_view();
    view! {
        <div class="checks" role="group" aria-label=legend>
            <span class="checks-label">{legend}</span>
            {boxes}
            {empty.then(|| view! { <span class="muted">{td_string!(locale, campaigns.none_yet)}</span> })}
            {hint.map(|hint| view! { <span class="muted hint">{hint}</span> })}
        </div>
    }
}

fn number_input(
    label: &'static str,
    min: &'static str,
    max: &'static str,
    value: Option<f64>,
    set: impl Fn(Option<f64>) + 'static,
) -> impl IntoView {
    let value = value.map(|v| v.to_string()).unwrap_or_default();
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        match text.trim() {
            "" => set(None),
            text => {
                if let Ok(number) = text.parse::<f64>() {
                    set(Some(number));
                }
            }
        }
    };
    view! {
        <label>{label}
            <input type="number" min=min max=(!max.is_empty()).then_some(max) step="any" value=value on:input=on_input/>
        </label>
    }
}

/// Leave out earlier campaigns' exported members and uploaded lists; upload a list.
#[component]
fn Suppressions(
    rules: RwSignal<CampaignRules>,
    workspace: Resource<Result<CampaignWorkspace, ServerError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let upload = ServerAction::<CreateSuppressionList>::new();
    let list_text = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(Ok(list)) = upload.value().get() {
            rules.update(|r| r.exclude_lists.push(list.id));
            workspace.refetch();
        }
    });
    view! {
        <fieldset class="rule-group">
            <legend>{t!(i18n, campaigns.leave_out)}</legend>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, campaigns.loading)}</p> }>
                {move || {
                    // What is ticked now: a list just uploaded is ticked, and a refetch
                    // keeps what the user ticked since the inputs were drawn.
                    let chosen = rules.get_untracked();
                    let (chosen_campaigns, chosen_lists) = (chosen.exclude_campaigns, chosen.exclude_lists);
                    Suspend::new(async move {
                        let workspace = workspace.await.unwrap_or_default();
                        let exported: Vec<(CampaignId, String)> = workspace
                            .campaigns
                            .iter()
                            .filter(|c| c.exports > 0)
                            .map(|c| (c.id, c.name.clone()))
                            .collect();
                        let lists: Vec<(SuppressionListId, String)> = workspace
                            .suppression_lists
                            .iter()
                            .map(|l| (l.id, format!("{} ({})", l.name, format_count(language(), l.isdn_count))))
                            .collect();
                        view! {
                            {checkboxes(locale, td_string!(locale, campaigns.exported_members), exported, rules, |r| &mut r.exclude_campaigns, &chosen_campaigns, None)}
                            {checkboxes(locale, td_string!(locale, campaigns.uploaded_lists), lists, rules, |r| &mut r.exclude_lists, &chosen_lists, None)}
                        }
                    })
                }}
            </Transition>
            <details class="upload">
                <summary>{t!(i18n, campaigns.upload_summary)}</summary>
                <ActionForm action=upload attr:class="bulk-form" attr:aria-label=td_string!(locale, campaigns.upload_label)>
                    <label>{t!(i18n, campaigns.list_name)} " " <input name="name" required maxlength="100"/></label>
                    <label for="suppression-isdns">{t!(i18n, campaigns.isdns_per_line)}</label>
                    <textarea id="suppression-isdns" name="text" rows="4" spellcheck="false" node_ref=list_text></textarea>
                    <crate::components::TextFileInput target=list_text label=td_string!(locale, campaigns.from_file)/>
                    <button type="submit" disabled=move || upload.pending().get()>{t!(i18n, campaigns.upload_list)}</button>
                    {move || match upload.value().get() {
                        Some(Err(error)) => Some(view! { <p class="error" role="alert" data-testid="upload-error">{error.to_string()}</p> }.into_any()),
                        Some(Ok(list)) => Some(view! {
                            <p class="muted" role="status">{tf!(locale, campaigns.list_saved, name = format!("{:?}", list.name), count = format_count(language(), list.isdn_count))}</p>
                        }.into_any()),
                        None => None,
                    }}
                </ActionForm>
            </details>
        </fieldset>
    }
}

#[component]
fn PreviewResults(preview: CampaignPreview) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let cut = preview.matching - preview.count;
    let rows = preview
        .top
        .into_iter()
        .map(|listed| {
            let rec = listed.recommendation;
            let href = subscriber_href(rec.isdn.as_str());
            let score = |v: Option<f64>| v.map(|v| format_fixed(language(), v, 1)).unwrap_or_else(|| "–".into());
            view! {
                <tr data-isdn=rec.isdn.to_string()>
                    <td><a href=href class="isdn">{rec.isdn.to_string()}</a></td>
                    <td>{rec.service_type.as_str()}</td>
                    <td data-risk=rec.bad_debt_risk.as_str()>{rec.bad_debt_risk.label(language())}</td>
                    <td>{rec.priority.map_or("", |priority| priority.label(language()))}</td>
                    <td class="num">{rec.advance_amount.map(|amount| format_vnd(language(), amount)).unwrap_or_else(|| "–".into())}</td>
                    <td class="num">{score(rec.customer_value_score)}</td>
                    <td class="num">{score(rec.advance_readiness_score)}</td>
                    <td class="num">{score(listed.priority_score)}</td>
                </tr>
            }
        })
        .collect_view();
    let shown = preview.count.min(100);
    view! {
        <div class="match-count" aria-live="polite">
            <span class="stat-value" data-testid="campaign-count">{format_count(language(), preview.count)}</span>
            {t!(i18n, campaigns.in_campaign)}
            {(cut > 0).then(|| view! { <span class="muted">{tf!(locale, campaigns.cut, matching = format_count(language(), preview.matching), cut = format_count(language(), cut))}</span> })}
        </div>
        {if shown == 0 {
            view! { <p class="empty-state">{t!(i18n, campaigns.no_match)}</p> }.into_any()
        } else {
            view! {
                <h2>{tf!(locale, campaigns.top_by_priority, shown = shown)}</h2>
                <div class="table-scroll">
                    <table class="data-table" data-testid="campaign-preview">
                        <thead><tr>
                            <th scope="col">{t!(i18n, bulk.isdn)}</th><th scope="col">{t!(i18n, common.service)}</th>
                            <th scope="col">{t!(i18n, common.risk)}</th><th scope="col">{t!(i18n, bulk.priority)}</th>
                            <th scope="col" class="num">{t!(i18n, bulk.advance)}</th><th scope="col" class="num">{t!(i18n, bulk.customer_value)}</th>
                            <th scope="col" class="num">{t!(i18n, bulk.readiness)}</th><th scope="col" class="num">{t!(i18n, subscriber_list.col_priority)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

/// The saved campaign's exports: columns to include, the two formats, the history.
/// `workspace_version` is bumped after an export, so the saved campaigns' export counts
/// and the campaigns offered for suppression follow.
#[component]
fn ExportPanel(id: String, workspace_version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let columns = RwSignal::new(EXPORT_COLUMNS.iter().map(|(name, _)| *name).collect::<Vec<&'static str>>());
    let history_version = RwSignal::new(0u32);
    let history_id = id.clone();
    let history =
        Resource::new(move || (history_id.clone(), history_version.get()), |(id, _)| get_campaign_exports(id));
    let href = move |format: &str| {
        let chosen = columns.get();
        let all = chosen.len() == EXPORT_COLUMNS.len();
        let query = if all { String::new() } else { format!("?columns={}", chosen.join(",")) };
        format!("/campaigns/{id}/export.{format}{query}")
    };
    let href_xlsx = href.clone();
    // The download is recorded when its last row is read; look again shortly.
    let refresh_history = move |_| {
        for delay_ms in [1_000, 4_000] {
            // The panel may be gone by then (another campaign opened): nothing to refresh.
            let refresh = move || {
                _ = history_version.try_update(|v| *v += 1);
                _ = workspace_version.try_update(|v| *v += 1);
            };
            set_timeout(refresh, std::time::Duration::from_millis(delay_ms));
        }
    };
    let column_boxes = EXPORT_COLUMNS
        .iter()
        .map(|(name, label)| {
            let name: &'static str = name;
            let label = column_label(locale, name, label);
            let on_change = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                columns.update(|columns| {
                    columns.retain(|c| *c != name);
                    if on {
                        columns.push(name);
                        // The file keeps the usual column order.
                        columns.sort_by_key(|c| EXPORT_COLUMNS.iter().position(|(n, _)| n == c));
                    }
                });
            };
            view! { <label class="check"><input type="checkbox" checked=true on:change=on_change/>{label}</label> }
        })
        .collect_view();
    view! {
        <section class="export-panel" aria-label=td_string!(locale, campaigns.export)>
            <h2>{t!(i18n, campaigns.export)}</h2>
            <div class="checks" role="group" aria-label=td_string!(locale, campaigns.columns)>
                <span class="checks-label">{t!(i18n, campaigns.columns)}</span>
                {column_boxes}
            </div>
            <div class="export-links">
                {move || if columns.get().is_empty() {
                    view! { <p class="error" role="alert">{t!(i18n, campaigns.tick_a_column)}</p> }.into_any()
                } else {
                    view! {
                        <a class="button" href=href("csv") download on:click=refresh_history data-testid="export-csv">{t!(i18n, campaigns.export_csv)}</a>
                        <a class="button" href=href_xlsx("xlsx") download on:click=refresh_history data-testid="export-xlsx">{t!(i18n, campaigns.export_xlsx)}</a>
                    }.into_any()
                }}
            </div>
            <h3>{t!(i18n, campaigns.export_history)}</h3>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, campaigns.loading_history)}</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(events) if events.is_empty() => view! { <p class="muted" data-testid="export-history-empty">{t!(i18n, campaigns.not_exported)}</p> }.into_any(),
                        Ok(events) => view! { <ExportHistory events/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ExportHistory(events: Vec<ExportEvent>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = events
        .into_iter()
        .map(|event| {
            view! {
                <tr>
                    <td>{event.at.replace('T', " ").trim_end_matches('Z').to_owned()}" UTC"</td>
                    <td>{event.format.to_uppercase()}</td>
                    <td class="num">{format_count(language(), event.rows)}</td>
                    <td>{event.status}</td>
                    <td>{event.columns.len()}</td>
                    <td>{event.user}</td>
                    <td class="file-name">{event.file_name}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="export-history">
                <thead><tr>
                    <th scope="col">{t!(i18n, campaigns.when)}</th><th scope="col">{t!(i18n, campaigns.format)}</th>
                    <th scope="col" class="num">{t!(i18n, campaigns.rows)}</th><th scope="col">{t!(i18n, campaigns.status)}</th>
                    <th scope="col">{t!(i18n, campaigns.columns)}</th><th scope="col">{t!(i18n, campaigns.by)}</th>
                    <th scope="col">{t!(i18n, campaigns.file)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn SavedCampaigns(campaigns: Vec<CampaignSummary>) -> impl IntoView {
    let i18n = use_i18n();
    if campaigns.is_empty() {
        return view! { <p class="muted">{t!(i18n, campaigns.no_saved)}</p> }.into_any();
    }
    let rows = campaigns
        .into_iter()
        .map(|campaign| {
            let href = format!("/campaigns?id={}", campaign.id);
            view! {
                <tr>
                    <td><a href=href>{campaign.name}</a></td>
                    <td>{campaign.owner}</td>
                    <td>{campaign.updated_at.replace('T', " ").trim_end_matches('Z').to_owned()}" UTC"</td>
                    <td class="num">{format_count(language(), campaign.exports)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{t!(i18n, campaigns.saved_campaigns)}</h2>
        <div class="table-scroll">
            <table class="data-table" data-testid="saved-campaigns">
                <thead><tr>
                    <th scope="col">{t!(i18n, campaigns.name)}</th><th scope="col">{t!(i18n, campaigns.owner)}</th>
                    <th scope="col">{t!(i18n, campaigns.changed)}</th><th scope="col" class="num">{t!(i18n, campaigns.exports)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// An export column as the page names it; the file's own header stays
/// [`EXPORT_COLUMNS`]' English name.
fn column_label(locale: Locale, name: &str, english: &'static str) -> &'static str {
    match name {
        "subscriber_type" => td_string!(locale, campaigns.col_subscriber_type),
        "service_type" => td_string!(locale, campaigns.col_service_type),
        "advance_amount" => td_string!(locale, campaigns.col_advance_amount),
        "revenue_per_advance" => td_string!(locale, campaigns.col_revenue_per_advance),
        "cluster_group" => td_string!(locale, campaigns.col_cluster_group),
        "bad_debt_risk" => td_string!(locale, campaigns.col_bad_debt_risk),
        "arpu_avg_6m" => td_string!(locale, campaigns.col_arpu_avg_6m),
        "arpu_growth_rate" => td_string!(locale, campaigns.col_arpu_growth_rate),
        "arpu_trend" => td_string!(locale, campaigns.col_arpu_trend),
        "customer_value_score" => td_string!(locale, campaigns.col_customer_value_score),
        "advance_readiness_score" => td_string!(locale, campaigns.col_advance_readiness_score),
        "recommendation_date" => td_string!(locale, campaigns.col_recommendation_date),
        "priority" => td_string!(locale, campaigns.col_priority),
        _ => english,
    }
}
