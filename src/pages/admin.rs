//! Admin pages: `/admin/members` (add with a role, change the role, remove),
//! `/admin/api-keys` (create, shown once; revoke), `/admin/organization` (its name) and
//! `/admin/security-events` (who signed in, failed, changed what).
//! Only admins reach them.

use crate::components::role_label;
use crate::domain::access::Role;
use crate::domain::admin::{ApiKeyCreated, ApiKeyListing, MemberListing, OrganizationSettings, ORGANIZATION_NAME_MAX};
use crate::domain::membership::{MemberSaved, PendingInvitation};
use crate::domain::security_event::{
    security_events_href, SecurityEventKind, SecurityEventPage, SECURITY_EVENTS_KEPT_DAYS, SECURITY_EVENTS_PATH,
};
use crate::domain::server_error::ServerError;
use crate::i18n::{t, td_string, use_i18n, Locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The language of the request being answered, for the messages built here.
#[cfg(feature = "ssr")]
fn request_locale() -> Locale {
    Locale::from(crate::components::request_language())
}

#[server]
pub async fn get_members() -> Result<Vec<MemberListing>, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.members().await?)
}

/// Invites an email with a role, or changes the role of a member.
#[server]
pub async fn save_member(email: String, role: String) -> Result<MemberSaved, ServerError> {
    use crate::data::invitations::Invited;
    use crate::domain::membership::INVITATION_DAYS;
    use crate::server::auth::password;
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    let locale = request_locale();
    let bad = |field: &'static str, message: String| ServerError::from(AppError::BadRequest { field, message });
    crate::server::auth::check_email(&email).map_err(|message| bad("email", message))?;
    let role =
        Role::parse(&role).ok_or_else(|| bad("role", tf!(locale, admin.err_not_a_role, role = format!("{role:?}"))))?;
    // Made and hashed for every invitation, used or not: the answer and its time are
    // the same whether or not the email has an account.
    let one_time_code = password::generate();
    let hash = password::hash(&one_time_code);
    let email = crate::data::users::normalize_email(&email);
    let valid_for = chrono::Duration::days(INVITATION_DAYS);
    let invited = store.invite(&email, role, member.user_id, &hash, valid_for).await?;
    let kind = match invited {
        Invited::LastAdmin => {
            return Err(bad("role", td_string!(locale, admin.err_last_admin).to_owned()));
        }
        Invited::RoleChanged => SecurityEventKind::RoleChanged,
        Invited::Invitation { .. } => SecurityEventKind::MemberInvited,
    };
    let detail = serde_json::json!({ "by": member.email, "role": role.as_str() });
    record(&store, kind, Some(email.as_str()), detail).await?;
    Ok(match invited {
        Invited::Invitation { expires_at } => MemberSaved::Invited {
            email,
            role,
            one_time_code,
            expires_at: expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        },
        _ => MemberSaved::RoleChanged { email, role },
    })
}

/// Records a security event of the admin's organization, from this request's address.
#[cfg(feature = "ssr")]
async fn record(
    store: &crate::data::OrganizationStore,
    kind: SecurityEventKind,
    email: Option<&str>,
    detail: serde_json::Value,
) -> Result<(), ServerError> {
    use crate::data::security_events::OrganizationEvent;
    let origin = crate::server::client_address::current_origin();
    Ok(store.record_security_event(OrganizationEvent { kind, email, origin: &origin, detail }).await?)
}

#[server]
pub async fn get_invitations() -> Result<Vec<PendingInvitation>, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.pending_invitations().await?)
}

#[server]
pub async fn cancel_invitation(email: String) -> Result<(), ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    match store.cancel_invitation(&email).await? {
        true => Ok(()),
        false => Err(ServerError::from(AppError::BadRequest {
            field: "email",
            message: tf!(request_locale(), admin.err_no_invitation, email = email.trim()),
        })),
    }
}

#[server]
pub async fn remove_member(email: String) -> Result<(), ServerError> {
    use crate::data::users::MemberChange;
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    let locale = request_locale();
    let bad = |message: String| ServerError::from(AppError::BadRequest { field: "email", message });
    match store.remove_member(&email).await? {
        MemberChange::LastAdmin => Err(bad(td_string!(locale, admin.err_only_admin).to_owned())),
        MemberChange::NotMember => Err(bad(tf!(locale, admin.err_not_member, email = email.trim()))),
        MemberChange::Done => {
            let detail = serde_json::json!({ "by": member.email });
            record(&store, SecurityEventKind::MemberRemoved, Some(email.as_str()), detail).await
        }
    }
}

#[server]
pub async fn get_api_keys() -> Result<Vec<ApiKeyListing>, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let when = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    let keys = store.api_keys().await?;
    Ok(keys
        .into_iter()
        .map(|key| ApiKeyListing {
            name: key.name,
            key_prefix: key.key_prefix,
            created_at: when(key.created_at),
            last_used_at: key.last_used_at.map(when),
            revoked_at: key.revoked_at.map(when),
        })
        .collect())
}

#[server]
pub async fn create_api_key(name: String) -> Result<ApiKeyCreated, ServerError> {
    use crate::data::api_keys::ApiKeyError;
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    match store.create_api_key(&name).await {
        Ok(created) => {
            let detail = serde_json::json!({ "by": member.email, "key": created.info.name });
            record(&store, SecurityEventKind::ApiKeyCreated, None, detail).await?;
            Ok(ApiKeyCreated { name: created.info.name, secret: created.secret })
        }
        Err(ApiKeyError::Database(error)) => Err(error.into()),
        Err(refused) => {
            use crate::data::api_keys::MAX_NAME_CHARS;
            let locale = request_locale();
            let message = match &refused {
                ApiKeyError::NameTaken(taken) => tf!(locale, api_keys.err_name_taken, name = format!("{taken:?}")),
                ApiKeyError::InvalidName(_) if name.trim().is_empty() => {
                    td_string!(locale, api_keys.err_name_required).to_owned()
                }
                ApiKeyError::InvalidName(_) if name.trim().chars().count() > MAX_NAME_CHARS => {
                    tf!(locale, api_keys.err_name_too_long, count = MAX_NAME_CHARS)
                }
                _ => refused.to_string(),
            };
            Err(ServerError::from(AppError::BadRequest { field: "name", message }))
        }
    }
}

#[server]
pub async fn revoke_api_key(name: String) -> Result<(), ServerError> {
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    match store.revoke_api_key(&name).await? {
        true => {
            let detail = serde_json::json!({ "by": member.email, "key": name.trim() });
            record(&store, SecurityEventKind::ApiKeyRevoked, None, detail).await
        }
        false => Err(ServerError::from(AppError::BadRequest {
            field: "name",
            message: tf!(request_locale(), api_keys.err_no_active, name = format!("{:?}", name.trim())),
        })),
    }
}

#[server]
pub async fn get_organization_settings() -> Result<OrganizationSettings, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    Ok(store.organization_settings().await?)
}

#[server]
pub async fn rename_organization(name: String) -> Result<OrganizationSettings, ServerError> {
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let name = crate::domain::organization::check_name(&name)?;
    let renamed = store.rename_organization(&name).await?;
    let _organization = renamed
        .ok_or_else(|| ServerError::from(AppError::missing_here(crate::server::error::Missing::Organization)))?;
    Ok(store.organization_settings().await?)
}

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let rename = ServerAction::<RenameOrganization>::new();
    let settings = Resource::new(move || rename.version().get(), |_| get_organization_settings());
    view! {
        <Title text=td_string!(locale, admin.organization_title)/>
        <section class="page admin">
            <h1>{t!(i18n, admin.organization_title)}</h1>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, admin.loading_organization)}</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! {
                            <dl class="settings" data-testid="organization">
                                <dt>{t!(i18n, admin.name)}</dt><dd data-testid="organization-name">{settings.name.clone()}</dd>
                                <dt>{t!(i18n, admin.slug)}</dt><dd><code>{settings.slug}</code></dd>
                                <dt>{t!(i18n, admin.redis_prefix)}</dt><dd><code>{format!("{}:*", settings.redis_prefix)}</code></dd>
                                <dt>{t!(i18n, admin.members)}</dt><dd>{settings.members}</dd>
                            </dl>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <p class="hint">{t!(i18n, admin.slug_hint)}</p>
            <ActionForm action=rename attr:class="admin-form" attr:aria-label=td_string!(locale, admin.rename_label)>
                <label>{t!(i18n, admin.new_name)}<input name="name" type="text" required maxlength=ORGANIZATION_NAME_MAX.to_string() autocomplete="off"/></label>
                <button type="submit">{t!(i18n, admin.rename)}</button>
            </ActionForm>
            <div aria-live="polite">
                {move || rename.value().get().map(|result| match result {
                    Ok(settings) => view! { <p class="verdict ok" role="status">{tf!(locale, admin.renamed, name = settings.name)}</p> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

fn role_options(locale: Locale, selected: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|role| view! { <option value=role.as_str() selected=role == selected>{role_label(locale, role)}</option> })
        .collect_view()
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let save = ServerAction::<SaveMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let cancel = ServerAction::<CancelInvitation>::new();
    let members = Resource::new(move || (save.version().get(), remove.version().get()), |_| get_members());
    let invitations = Resource::new(move || (save.version().get(), cancel.version().get()), |_| get_invitations());
    view! {
        <Title text=td_string!(locale, admin.members)/>
        <section class="page admin">
            <h1>{t!(i18n, admin.members)}</h1>
            <p class="hint">{t!(i18n, admin.roles_hint)}</p>
            <p class="hint">{t!(i18n, admin.invite_hint)}</p>
            <ActionForm action=save attr:class="admin-form" attr:aria-label=td_string!(locale, admin.invite_label)>
                <label>{t!(i18n, admin.email)}<input name="email" type="email" required autocomplete="off"/></label>
                <label>{t!(i18n, admin.role)}<select name="role">{role_options(locale, Role::Analyst)}</select></label>
                <button type="submit">{t!(i18n, admin.invite_submit)}</button>
            </ActionForm>
            <div aria-live="polite" data-testid="member-result">
                {move || save.value().get().map(|result| match result {
                    Ok(MemberSaved::Invited { email, role, one_time_code, expires_at }) => view! {
                        <div class="verdict ok" role="status">
                            <p>{tf!(locale, admin.invited, email = email, role = role_label(locale, role), until = expires_at)}</p>
                            <p>{t!(i18n, admin.code_hint)}</p>
                            <p><code data-testid="one-time-code">{one_time_code}</code></p>
                        </div>
                    }.into_any(),
                    Ok(MemberSaved::RoleChanged { email, role }) => view! {
                        <p class="verdict ok" role="status">{tf!(locale, admin.role_changed, email = email, role = role_label(locale, role))}</p>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
                {move || remove.value().get().and_then(Result::err).map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
                {move || cancel.value().get().and_then(Result::err).map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
            </div>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, admin.loading_members)}</p> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Ok(members) => view! { <MemberTable members remove/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h2>{t!(i18n, admin.open_invitations)}</h2>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, admin.loading_invitations)}</p> }>
                {move || Suspend::new(async move {
                    match invitations.await {
                        Ok(invitations) if invitations.is_empty() => view! { <p class="empty">{t!(i18n, admin.no_invitations)}</p> }.into_any(),
                        Ok(invitations) => view! { <InvitationTable invitations cancel/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn InvitationTable(invitations: Vec<PendingInvitation>, cancel: ServerAction<CancelInvitation>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let rows = invitations
        .into_iter()
        .map(|invitation| {
            let email = invitation.email.clone();
            view! {
                <tr data-email=invitation.email.clone()>
                    <td>{invitation.email.clone()}</td>
                    <td>{role_label(locale, invitation.role)}</td>
                    <td>{invitation.invited_by.unwrap_or_else(|| "—".to_owned())}</td>
                    <td>{invitation.expires_at}</td>
                    <td>
                        <button type="button" class="link-button" on:click=move |_| { cancel.dispatch(CancelInvitation { email: email.clone() }); }>
                            {t!(i18n, admin.cancel)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="pending-invitations">
                <thead><tr>
                    <th scope="col">{t!(i18n, admin.email)}</th><th scope="col">{t!(i18n, admin.role)}</th>
                    <th scope="col">{t!(i18n, admin.invited_by)}</th><th scope="col">{t!(i18n, admin.open_until)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, admin.cancel)}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn MemberTable(members: Vec<MemberListing>, remove: ServerAction<RemoveMember>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let rows = members
        .into_iter()
        .map(|member| {
            let email = member.email.clone();
            view! {
                <tr data-email=member.email.clone()>
                    <td>{member.email.clone()}</td>
                    <td>{role_label(locale, member.role)}</td>
                    <td>{member.last_sign_in_at.unwrap_or_else(|| td_string!(locale, admin.never).to_owned())}</td>
                    <td>
                        <button type="button" class="link-button" on:click=move |_| { remove.dispatch(RemoveMember { email: email.clone() }); }>
                            {t!(i18n, admin.remove)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="members">
                <thead><tr>
                    <th scope="col">{t!(i18n, admin.email)}</th><th scope="col">{t!(i18n, admin.role)}</th>
                    <th scope="col">{t!(i18n, admin.last_sign_in)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, admin.remove)}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| get_api_keys());
    view! {
        <Title text=td_string!(locale, api_keys.title)/>
        <section class="page admin">
            <h1>{t!(i18n, api_keys.title)}</h1>
            <p class="hint">
                {t!(i18n, api_keys.hint_start)} <code>"Authorization: Bearer …"</code> {t!(i18n, api_keys.hint_to)}
                <code>"/api/v1"</code> {t!(i18n, api_keys.hint_end)}
            </p>
            <ActionForm action=create attr:class="admin-form" attr:aria-label=td_string!(locale, api_keys.create_label)>
                <label>{t!(i18n, api_keys.name)}<input name="name" type="text" required maxlength="100" autocomplete="off" placeholder="advance-system"/></label>
                <button type="submit">{t!(i18n, api_keys.create)}</button>
            </ActionForm>
            <div aria-live="polite" data-testid="key-result">
                {move || create.value().get().map(|result| match result {
                    Ok(created) => view! {
                        <div class="verdict ok" role="status">
                            <p>{tf!(locale, api_keys.created_named, name = format!("{:?}", created.name))}</p>
                            <p><code data-testid="new-key">{created.secret}</code></p>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, api_keys.loading)}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(keys) if keys.is_empty() => view! { <p class="empty-state">{t!(i18n, api_keys.none)}</p> }.into_any(),
                        Ok(keys) => view! { <KeyTable keys revoke/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn KeyTable(keys: Vec<ApiKeyListing>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let rows = keys
        .into_iter()
        .map(|key| {
            let name = key.name.clone();
            let action = match key.revoked_at.clone() {
                Some(at) => view! { <span>{tf!(locale, api_keys.revoked_at, at = at)}</span> }.into_any(),
                None => view! {
                    <button type="button" class="link-button" on:click=move |_| { revoke.dispatch(RevokeApiKey { name: name.clone() }); }>{t!(i18n, api_keys.revoke)}</button>
                }.into_any(),
            };
            view! {
                <tr data-key=key.name.clone()>
                    <td>{key.name.clone()}</td>
                    <td><code>{format!("{}…", key.key_prefix)}</code></td>
                    <td>{key.created_at}</td>
                    <td>{key.last_used_at.unwrap_or_else(|| td_string!(locale, api_keys.never).to_owned())}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="api-keys">
                <thead><tr>
                    <th scope="col">{t!(i18n, api_keys.name)}</th><th scope="col">{t!(i18n, api_keys.key)}</th>
                    <th scope="col">{t!(i18n, api_keys.created)}</th><th scope="col">{t!(i18n, api_keys.last_used)}</th>
                    <th scope="col">{t!(i18n, api_keys.status)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One page of the organization's security events, newest first; `kind` (empty: all)
/// filters, `before` (empty: the newest) is the previous page's `older`.
#[server]
pub async fn get_security_events(kind: String, before: String) -> Result<SecurityEventPage, ServerError> {
    use crate::domain::security_event::{EventCursor, SECURITY_EVENTS_PAGE_SIZE};
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let bad = |field: &'static str, message: String| ServerError::from(AppError::BadRequest { field, message });
    let kind =
        match kind.trim() {
            "" => None,
            text => Some(SecurityEventKind::parse(text).ok_or_else(|| {
                bad("kind", tf!(request_locale(), security_events.err_kind, kind = format!("{text:?}")))
            })?),
        };
    let before = match before.trim() {
        "" => None,
        text => Some(EventCursor::parse(text).map_err(|message| bad("before", message))?),
    };
    Ok(store.security_events(kind, before, SECURITY_EVENTS_PAGE_SIZE).await?)
}

#[component]
pub fn SecurityEventsPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let map = query.read();
        (map.get("kind").unwrap_or_default(), map.get("before").unwrap_or_default())
    });
    let events = Resource::new(move || params.get(), |(kind, before)| get_security_events(kind, before));
    let chosen = move || params.with(|(kind, _)| SecurityEventKind::parse(kind));
    let options = move || {
        SecurityEventKind::ALL
            .into_iter()
            .map(|kind| {
                view! { <option value=kind.as_str() selected=move || chosen() == Some(kind)>{kind_label(locale, kind)}</option> }
            })
            .collect_view()
    };
    view! {
        <Title text=td_string!(locale, security_events.title)/>
        <section class="page admin">
            <h1>{t!(i18n, security_events.title)}</h1>
            <p class="hint">{tf!(locale, security_events.hint, days = SECURITY_EVENTS_KEPT_DAYS)}</p>
            <form method="get" action=SECURITY_EVENTS_PATH class="admin-form" aria-label=td_string!(locale, security_events.filter_label)>
                <label>{t!(i18n, security_events.kind)}
                    <select name="kind">
                        <option value="" selected=move || chosen().is_none()>{t!(i18n, security_events.all_kinds)}</option>
                        {options}
                    </select>
                </label>
                <button type="submit">{t!(i18n, security_events.show)}</button>
            </form>
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, security_events.loading)}</p> }>
                {move || Suspend::new(async move {
                    let kind = chosen();
                    let first_page = params.with(|(_, before)| before.is_empty());
                    match events.await {
                        Ok(page) if page.events.is_empty() && first_page => view! {
                            <div class="empty-state" role="status" data-testid="no-security-events">
                                <h2>{t!(i18n, security_events.none)}</h2>
                                <p>{match kind {
                                    Some(kind) => tf!(locale, security_events.none_of_kind, kind = kind_label(locale, kind), days = SECURITY_EVENTS_KEPT_DAYS),
                                    None => tf!(locale, security_events.none_at_all, days = SECURITY_EVENTS_KEPT_DAYS),
                                }}</p>
                            </div>
                        }.into_any(),
                        Ok(page) => view! { <EventTable page kind first_page/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href=SECURITY_EVENTS_PATH>{t!(i18n, security_events.show_newest)}</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn EventTable(page: SecurityEventPage, kind: Option<SecurityEventKind>, first_page: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let rows = page
        .events
        .into_iter()
        .map(|event| {
            let detail =
                event.detail.iter().map(|(name, value)| format!("{name}: {value}")).collect::<Vec<_>>().join(", ");
            view! {
                <tr data-kind=event.kind.as_str()>
                    <td>{event.occurred_at}</td>
                    <td>{kind_label(locale, event.kind)}</td>
                    <td>{event.email.unwrap_or_else(|| "—".to_owned())}</td>
                    <td><code>{event.ip.unwrap_or_else(|| "—".to_owned())}</code></td>
                    <td class="user-agent">{event.user_agent.unwrap_or_default()}</td>
                    <td>{detail}</td>
                </tr>
            }
        })
        .collect_view();
    let older = page.older.map(|older| security_events_href(kind, Some(&older)));
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="security-events">
                <thead><tr>
                    <th scope="col">{t!(i18n, security_events.when)}</th><th scope="col">{t!(i18n, security_events.what)}</th>
                    <th scope="col">{t!(i18n, security_events.account)}</th><th scope="col">{t!(i18n, security_events.address)}</th>
                    <th scope="col">{t!(i18n, security_events.client)}</th><th scope="col">{t!(i18n, security_events.detail)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label=td_string!(locale, security_events.pages)>
            {(!first_page).then(|| view! { <a href=security_events_href(kind, None)>{t!(i18n, security_events.newest)}</a> })}
            {older.map(|href| view! { <a href=href rel="next" data-testid="older-events">{t!(i18n, security_events.older)}</a> })}
        </nav>
    }
}

/// A kind of security event as the page names it (stored and filtered by
/// [`SecurityEventKind::as_str`]).
fn kind_label(locale: Locale, kind: SecurityEventKind) -> &'static str {
    match kind {
        SecurityEventKind::SignInSucceeded => td_string!(locale, security_events.sign_in_succeeded),
        SecurityEventKind::SignInFailed => td_string!(locale, security_events.sign_in_failed),
        SecurityEventKind::LockedOut => td_string!(locale, security_events.locked_out),
        SecurityEventKind::PasswordChanged => td_string!(locale, security_events.password_changed),
        SecurityEventKind::RoleChanged => td_string!(locale, security_events.role_changed),
        SecurityEventKind::MemberInvited => td_string!(locale, security_events.member_invited),
        SecurityEventKind::MemberRemoved => td_string!(locale, security_events.member_removed),
        SecurityEventKind::ApiKeyCreated => td_string!(locale, security_events.api_key_created),
        SecurityEventKind::ApiKeyRevoked => td_string!(locale, security_events.api_key_revoked),
        SecurityEventKind::ApiKeyNewAddress => td_string!(locale, security_events.api_key_new_address),
    }
}
