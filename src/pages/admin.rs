//! Admin pages: `/admin/members` (add with a role, change the role, remove),
//! `/admin/api-keys` (create, shown once; revoke), `/admin/organization` (its name) and
//! `/admin/security-events` (who signed in, failed, changed what).
//! Only admins reach them.

use crate::domain::access::Role;
use crate::domain::admin::{ApiKeyCreated, ApiKeyListing, MemberListing, OrganizationSettings, ORGANIZATION_NAME_MAX};
use crate::domain::membership::{MemberSaved, PendingInvitation};
use crate::domain::security_event::{
    security_events_href, SecurityEventKind, SecurityEventPage, SECURITY_EVENTS_KEPT_DAYS, SECURITY_EVENTS_PATH,
};
use crate::domain::server_error::ServerError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
    let bad = |field: &'static str, message: String| ServerError::from(AppError::BadRequest { field, message });
    crate::server::auth::check_email(&email).map_err(|message| bad("email", message))?;
    let role = Role::parse(&role).ok_or_else(|| bad("role", format!("role: {role:?} is not a role")))?;
    // Made and hashed for every invitation, used or not: the answer and its time are
    // the same whether or not the email has an account.
    let one_time_code = password::generate();
    let hash = password::hash(&one_time_code);
    let email = crate::data::users::normalize_email(&email);
    let valid_for = chrono::Duration::days(INVITATION_DAYS);
    let invited = store.invite(&email, role, member.user_id, &hash, valid_for).await?;
    let kind = match invited {
        Invited::LastAdmin => {
            let message = "role: the organization would have no admin left; make someone else admin first";
            return Err(bad("role", message.to_owned()));
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
            message: format!("email: {} has no open invitation", email.trim()),
        })),
    }
}

#[server]
pub async fn remove_member(email: String) -> Result<(), ServerError> {
    use crate::data::users::MemberChange;
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    let bad = |message: String| ServerError::from(AppError::BadRequest { field: "email", message });
    match store.remove_member(&email).await? {
        MemberChange::LastAdmin => Err(bad("email: the organization's only admin cannot be removed".to_owned())),
        MemberChange::NotMember => Err(bad(format!("email: {} is not a member", email.trim()))),
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
        Err(refused) => Err(ServerError::from(AppError::BadRequest { field: "name", message: refused.to_string() })),
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
            message: format!("name: no active key is called {:?}", name.trim()),
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
    let name = crate::domain::organization::check_name(&name)
        .map_err(|refused| AppError::BadRequest { field: refused.field, message: refused.to_string() })?;
    let renamed = store.rename_organization(&name).await?;
    let _organization = renamed.ok_or_else(|| ServerError::from(AppError::NotFound("organization")))?;
    Ok(store.organization_settings().await?)
}

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let rename = ServerAction::<RenameOrganization>::new();
    let settings = Resource::new(move || rename.version().get(), |_| get_organization_settings());
    view! {
        <Title text="Organization"/>
        <section class="page admin">
            <h1>"Organization"</h1>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the organization…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! {
                            <dl class="settings" data-testid="organization">
                                <dt>"Name"</dt><dd data-testid="organization-name">{settings.name.clone()}</dd>
                                <dt>"Slug"</dt><dd><code>{settings.slug}</code></dd>
                                <dt>"Redis prefix"</dt><dd><code>{format!("{}:*", settings.redis_prefix)}</code></dd>
                                <dt>"Members"</dt><dd>{settings.members}</dd>
                            </dl>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <p class="hint">"The slug and the Redis prefix name the organization's data and keys; they do not change."</p>
            <ActionForm action=rename attr:class="admin-form" attr:aria-label="Rename the organization">
                <label>"New name"<input name="name" type="text" required maxlength=ORGANIZATION_NAME_MAX.to_string() autocomplete="off"/></label>
                <button type="submit">"Rename"</button>
            </ActionForm>
            <div aria-live="polite">
                {move || rename.value().get().map(|result| match result {
                    Ok(settings) => view! { <p class="verdict ok" role="status">{format!("Renamed to {}.", settings.name)}</p> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

fn role_options(selected: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|role| view! { <option value=role.as_str() selected=role == selected>{role.as_str()}</option> })
        .collect_view()
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let save = ServerAction::<SaveMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let cancel = ServerAction::<CancelInvitation>::new();
    let members = Resource::new(move || (save.version().get(), remove.version().get()), |_| get_members());
    let invitations = Resource::new(move || (save.version().get(), cancel.version().get()), |_| get_invitations());
    view! {
        <Title text="Members"/>
        <section class="page admin">
            <h1>"Members"</h1>
            <p class="hint">"Roles: analyst (data and dashboards), marketing (+ campaigns, bulk lookup, exports), manager (+ commissions, transactions), admin (+ members and API keys)."</p>
            <p class="hint">"An email that is not a member yet is invited: the person accepts or declines after signing in. A member's role changes at once."</p>
            <ActionForm action=save attr:class="admin-form" attr:aria-label="Invite someone or change a role">
                <label>"Email"<input name="email" type="email" required autocomplete="off"/></label>
                <label>"Role"<select name="role">{role_options(Role::Analyst)}</select></label>
                <button type="submit">"Invite or change role"</button>
            </ActionForm>
            <div aria-live="polite" data-testid="member-result">
                {move || save.value().get().map(|result| match result {
                    Ok(MemberSaved::Invited { email, role, one_time_code, expires_at }) => view! {
                        <div class="verdict ok" role="status">
                            <p>{format!("Invited {email} as {} until {expires_at}.", role.as_str())}</p>
                            <p>"Pass on this one-time code, shown only now. Someone new to UT360 signs in with their email and this code, then chooses a password; someone with an account signs in as usual. Both then accept the invitation."</p>
                            <p><code data-testid="one-time-code">{one_time_code}</code></p>
                        </div>
                    }.into_any(),
                    Ok(MemberSaved::RoleChanged { email, role }) => view! {
                        <p class="verdict ok" role="status">{format!("{email} is now {}.", role.as_str())}</p>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
                {move || remove.value().get().and_then(Result::err).map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
                {move || cancel.value().get().and_then(Result::err).map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
            </div>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading members…"</p> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Ok(members) => view! { <MemberTable members remove/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Open invitations"</h2>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading invitations…"</p> }>
                {move || Suspend::new(async move {
                    match invitations.await {
                        Ok(invitations) if invitations.is_empty() => view! { <p class="empty">"No invitation is waiting for an answer."</p> }.into_any(),
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
    let rows = invitations
        .into_iter()
        .map(|invitation| {
            let email = invitation.email.clone();
            view! {
                <tr data-email=invitation.email.clone()>
                    <td>{invitation.email.clone()}</td>
                    <td>{invitation.role.as_str()}</td>
                    <td>{invitation.invited_by.unwrap_or_else(|| "—".to_owned())}</td>
                    <td>{invitation.expires_at}</td>
                    <td>
                        <button type="button" class="link-button" on:click=move |_| { cancel.dispatch(CancelInvitation { email: email.clone() }); }>
                            "Cancel"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="pending-invitations">
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Invited by"</th><th scope="col">"Open until"</th><th scope="col"><span class="visually-hidden">"Cancel"</span></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn MemberTable(members: Vec<MemberListing>, remove: ServerAction<RemoveMember>) -> impl IntoView {
    let rows = members
        .into_iter()
        .map(|member| {
            let email = member.email.clone();
            view! {
                <tr data-email=member.email.clone()>
                    <td>{member.email.clone()}</td>
                    <td>{member.role.as_str()}</td>
                    <td>{member.last_sign_in_at.unwrap_or_else(|| "never".to_owned())}</td>
                    <td>
                        <button type="button" class="link-button" on:click=move |_| { remove.dispatch(RemoveMember { email: email.clone() }); }>
                            "Remove"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="members">
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Last sign-in"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| get_api_keys());
    view! {
        <Title text="API keys"/>
        <section class="page admin">
            <h1>"API keys"</h1>
            <p class="hint">"Machine clients (the advance-request system) send a key as " <code>"Authorization: Bearer …"</code> " to " <code>"/api/v1"</code> ". A key reads this organization's data only."</p>
            <ActionForm action=create attr:class="admin-form" attr:aria-label="Create an API key">
                <label>"Name"<input name="name" type="text" required maxlength="100" autocomplete="off" placeholder="advance-system"/></label>
                <button type="submit">"Create key"</button>
            </ActionForm>
            <div aria-live="polite" data-testid="key-result">
                {move || create.value().get().map(|result| match result {
                    Ok(created) => view! {
                        <div class="verdict ok" role="status">
                            <p>{format!("Created {:?}. Copy it now; it is not stored and cannot be shown again:", created.name)}</p>
                            <p><code data-testid="new-key">{created.secret}</code></p>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading keys…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(keys) if keys.is_empty() => view! { <p class="empty-state">"No API keys yet."</p> }.into_any(),
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
    let rows = keys
        .into_iter()
        .map(|key| {
            let name = key.name.clone();
            let action = match key.revoked_at.clone() {
                Some(at) => view! { <span>{format!("revoked {at}")}</span> }.into_any(),
                None => view! {
                    <button type="button" class="link-button" on:click=move |_| { revoke.dispatch(RevokeApiKey { name: name.clone() }); }>"Revoke"</button>
                }.into_any(),
            };
            view! {
                <tr data-key=key.name.clone()>
                    <td>{key.name.clone()}</td>
                    <td><code>{format!("{}…", key.key_prefix)}</code></td>
                    <td>{key.created_at}</td>
                    <td>{key.last_used_at.unwrap_or_else(|| "never".to_owned())}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="api-keys">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
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
    let kind = match kind.trim() {
        "" => None,
        text => Some(
            SecurityEventKind::parse(text)
                .ok_or_else(|| bad("kind", format!("kind: {text:?} is not a kind of security event")))?,
        ),
    };
    let before = match before.trim() {
        "" => None,
        text => Some(EventCursor::parse(text).map_err(|message| bad("before", message))?),
    };
    Ok(store.security_events(kind, before, SECURITY_EVENTS_PAGE_SIZE).await?)
}

#[component]
pub fn SecurityEventsPage() -> impl IntoView {
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
                view! { <option value=kind.as_str() selected=move || chosen() == Some(kind)>{kind.label()}</option> }
            })
            .collect_view()
    };
    view! {
        <Title text="Security events"/>
        <section class="page admin">
            <h1>"Security events"</h1>
            <p class="hint">{format!(
                "Sign-ins, lockouts and password changes of this organization's members (an account in several organizations shows in each), member and API key changes, and API keys used from a new address. Kept {SECURITY_EVENTS_KEPT_DAYS} days."
            )}</p>
            <form method="get" action=SECURITY_EVENTS_PATH class="admin-form" aria-label="Filter the events">
                <label>"Kind"
                    <select name="kind">
                        <option value="" selected=move || chosen().is_none()>"All kinds"</option>
                        {options}
                    </select>
                </label>
                <button type="submit">"Show"</button>
            </form>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    let kind = chosen();
                    let first_page = params.with(|(_, before)| before.is_empty());
                    match events.await {
                        Ok(page) if page.events.is_empty() && first_page => view! {
                            <div class="empty-state" role="status" data-testid="no-security-events">
                                <h2>"No security events"</h2>
                                <p>{match kind {
                                    Some(kind) => format!("Nothing of the kind “{}” in the last {SECURITY_EVENTS_KEPT_DAYS} days.", kind.label()),
                                    None => format!("Nothing happened in the last {SECURITY_EVENTS_KEPT_DAYS} days."),
                                }}</p>
                            </div>
                        }.into_any(),
                        Ok(page) => view! { <EventTable page kind first_page/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href=SECURITY_EVENTS_PATH>"Show the newest events"</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn EventTable(page: SecurityEventPage, kind: Option<SecurityEventKind>, first_page: bool) -> impl IntoView {
    let rows = page
        .events
        .into_iter()
        .map(|event| {
            let detail =
                event.detail.iter().map(|(name, value)| format!("{name}: {value}")).collect::<Vec<_>>().join(", ");
            view! {
                <tr data-kind=event.kind.as_str()>
                    <td>{event.occurred_at}</td>
                    <td>{event.kind.label()}</td>
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
        <table class="data-table" data-testid="security-events">
            <thead><tr>
                <th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"Account"</th>
                <th scope="col">"Address"</th><th scope="col">"Browser or client"</th><th scope="col">"Detail"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <nav class="pager" aria-label="Pages of events">
            {(!first_page).then(|| view! { <a href=security_events_href(kind, None)>"Newest events"</a> })}
            {older.map(|href| view! { <a href=href rel="next" data-testid="older-events">"Older events"</a> })}
        </nav>
    }
}
