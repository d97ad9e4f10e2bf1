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

use crate::components::{language, role_label};
use crate::domain::format::format_date_time;
use crate::i18n::{t, td_string, use_i18n};

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
    let i18n = use_i18n();
    let query = use_query_map();
    let next = Signal::derive(move || safe_return_path(query.read().get("next").as_deref()));
    let yours = Resource::new(|| (), |_| get_your_organizations());
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), organizations.title)/>
        <section class="page organizations">
            <h1>{t!(i18n, organizations.heading)}</h1>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, organizations.loading)}</p> }>
                {move || Suspend::new(async move {
                    match yours.await {
                        Ok(yours) => view! { <Organizations yours next/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <form method="post" action="/auth/sign-out">
                <button type="submit" class="link-button">{t!(i18n, organizations.sign_out)}</button>
            </form>
        </section>
    }
}

#[component]
fn Organizations(yours: YourOrganizations, next: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let none_chosen = !yours.organizations.iter().any(|choice| choice.current);
    let invitations = (!yours.invitations.is_empty()).then(|| {
        let rows =
            yours.invitations.into_iter().map(|invitation| view! { <InvitationRow invitation next/> }).collect_view();
        view! {
            <h2>{t!(i18n, organizations.invitations)}</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label=td_string!(locale, organizations.invitations)>
            <table class="data-table" data-testid="invitations">
                <thead><tr>
                    <th scope="col">{t!(i18n, organizations.organization)}</th><th scope="col">{t!(i18n, organizations.role)}</th>
                    <th scope="col">{t!(i18n, organizations.invited_by)}</th><th scope="col">{t!(i18n, organizations.open_until)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, organizations.answer)}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
        }
    });
    let organizations = if yours.organizations.is_empty() {
        view! {
            <p class="empty" data-testid="no-organization">
                {t!(i18n, organizations.none_yet)}
            </p>
        }
        .into_any()
    } else {
        let rows = yours.organizations.into_iter().map(|choice| view! { <ChoiceRow choice next/> }).collect_view();
        view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label=td_string!(locale, organizations.member_of)>
            <table class="data-table" data-testid="organizations">
                <thead><tr>
                    <th scope="col">{t!(i18n, organizations.organization)}</th><th scope="col">{t!(i18n, organizations.slug)}</th>
                    <th scope="col">{t!(i18n, organizations.your_role)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, organizations.open)}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
        }
        .into_any()
    };
    view! {
        <p class="hint">
            {tf!(locale, organizations.signed_in_as, email = yours.email)}
            {none_chosen.then_some(td_string!(locale, organizations.choose_hint))}
        </p>
        {invitations}
        <h2>{t!(i18n, organizations.member_of)}</h2>
        {organizations}
    }
}

#[component]
fn ChoiceRow(choice: OrganizationChoice, next: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = if choice.current {
        view! { <span class="badge" data-testid="current-organization">{t!(i18n, organizations.current)}</span> }
            .into_any()
    } else {
        view! {
            <form method="post" action=CHOOSE_ORGANIZATION_PATH>
                <input type="hidden" name="slug" value=choice.slug.clone()/>
                <input type="hidden" name="next" value=next/>
                <button type="submit">{tf!(locale, organizations.open_named, name = choice.name.clone())}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <tr data-slug=choice.slug.clone()>
            <td>{choice.name.clone()}</td>
            <td><code>{choice.slug.clone()}</code></td>
            <td>{role_label(locale, choice.role)}</td>
            <td>{action}</td>
        </tr>
    }
}

#[component]
fn InvitationRow(invitation: InvitationToYou, next: Signal<String>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
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
            <td>{role_label(locale, invitation.role)}</td>
            <td>{invitation.invited_by.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td>{format_date_time(language(), &invitation.expires_at)}</td>
            <td>
                {answer("accept", tf!(locale, organizations.accept_named, name = invitation.organization_name.clone()))}
                {answer("decline", td_string!(locale, organizations.decline).to_owned())}
            </td>
        </tr>
    }
}
