//! `/organizations`: the organizations a person belongs to (choose the one to act
//! for) and the invitations addressed to them (accept or decline). Forms post to
//! `/auth/choose-organization` and `/auth/answer-invitation`.

use crate::domain::access::safe_return_path;
use crate::domain::membership::{
    InvitationToYou, OrganizationChoice, YourOrganizations, ANSWER_INVITATION_PATH, CHOOSE_ORGANIZATION_PATH,
};
use crate::domain::server_error::ServerError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn get_your_organizations() -> Result<YourOrganizations, ServerError> {
    use crate::domain::membership::OrganizationChoice;
    let account = crate::server::auth::signed_in_account()?;
    let current = crate::server::auth::signed_in().ok().map(|member| member.organization.id);
    let state = expect_context::<crate::server::state::AppState>();
    let memberships = state.store.memberships(account.user_id).await?;
    let invitations = state.store.invitations_to(account.user_id).await?;
    Ok(YourOrganizations {
        email: account.email,
        organizations: memberships
            .into_iter()
            .map(|member| OrganizationChoice {
                current: Some(member.organization.id) == current,
                slug: member.organization.slug,
                name: member.organization.name,
                role: member.role,
            })
            .collect(),
        invitations,
    })
}

#[component]
pub fn OrganizationsPage() -> impl IntoView {
    let query = use_query_map();
    let next = Signal::derive(move || safe_return_path(query.read().get("next").as_deref()));
    let yours = Resource::new(|| (), |_| get_your_organizations());
    view! {
        <Title text="Organizations"/>
        <section class="page organizations">
            <h1>"Your organizations"</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading your organizations…"</p> }>
                {move || Suspend::new(async move {
                    match yours.await {
                        Ok(yours) => view! { <Organizations yours next/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <form method="post" action="/auth/sign-out">
                <button type="submit" class="link-button">"Sign out"</button>
            </form>
        </section>
    }
}

#[component]
fn Organizations(yours: YourOrganizations, next: Signal<String>) -> impl IntoView {
    let none_chosen = !yours.organizations.iter().any(|choice| choice.current);
    let invitations = (!yours.invitations.is_empty()).then(|| {
        let rows =
            yours.invitations.into_iter().map(|invitation| view! { <InvitationRow invitation next/> }).collect_view();
        view! {
            <h2>"Invitations"</h2>
            <table class="data-table" data-testid="invitations">
                <thead><tr>
                    <th scope="col">"Organization"</th><th scope="col">"Role"</th><th scope="col">"Invited by"</th>
                    <th scope="col">"Open until"</th><th scope="col"><span class="visually-hidden">"Answer"</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    let organizations = if yours.organizations.is_empty() {
        view! {
            <p class="empty" data-testid="no-organization">
                "You do not belong to any organization yet. An admin of your organization invites you; the invitation then shows here."
            </p>
        }
        .into_any()
    } else {
        let rows = yours.organizations.into_iter().map(|choice| view! { <ChoiceRow choice next/> }).collect_view();
        view! {
            <table class="data-table" data-testid="organizations">
                <thead><tr>
                    <th scope="col">"Organization"</th><th scope="col">"Slug"</th><th scope="col">"Your role"</th>
                    <th scope="col"><span class="visually-hidden">"Open"</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <p class="hint">
            {format!("Signed in as {}. ", yours.email)}
            {none_chosen.then_some("Choose the organization to work in; you can switch at any time from the header.")}
        </p>
        {invitations}
        <h2>"Member of"</h2>
        {organizations}
    }
}

#[component]
fn ChoiceRow(choice: OrganizationChoice, next: Signal<String>) -> impl IntoView {
    let action = if choice.current {
        view! { <span class="badge" data-testid="current-organization">"current"</span> }.into_any()
    } else {
        view! {
            <form method="post" action=CHOOSE_ORGANIZATION_PATH>
                <input type="hidden" name="slug" value=choice.slug.clone()/>
                <input type="hidden" name="next" value=next/>
                <button type="submit">{format!("Open {}", choice.name)}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <tr data-slug=choice.slug.clone()>
            <td>{choice.name.clone()}</td>
            <td><code>{choice.slug.clone()}</code></td>
            <td>{choice.role.as_str()}</td>
            <td>{action}</td>
        </tr>
    }
}

#[component]
fn InvitationRow(invitation: InvitationToYou, next: Signal<String>) -> impl IntoView {
    let id = invitation.id.to_string();
    let answer = move |value: &'static str, label: String| {
        view! {
            <form method="post" action=ANSWER_INVITATION_PATH class="inline-form">
                <input type="hidden" name="invitation" value=id.clone()/>
                <input type="hidden" name="answer" value=value/>
                <input type="hidden" name="next" value=next/>
                <button type="submit" class=if value == "accept" { "" } else { "secondary" }>{label}</button>
            </form>
        }
    };
    view! {
        <tr data-organization=invitation.organization_name.clone()>
            <td>{invitation.organization_name.clone()}</td>
            <td>{invitation.role.as_str()}</td>
            <td>{invitation.invited_by.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td>{invitation.expires_at.clone()}</td>
            <td>
                {answer("accept", format!("Accept {}", invitation.organization_name))}
                {answer("decline", "Decline".to_owned())}
            </td>
        </tr>
    }
}
