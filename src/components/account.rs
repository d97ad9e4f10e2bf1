//! The top bar: the sections the signed-in viewer may open, who they are, sign-out.

use crate::domain::access::Viewer;
use crate::domain::membership::ORGANIZATIONS_PATH;
use crate::domain::server_error::ServerError;
use leptos::prelude::*;
use leptos_router::components::A;

#[server]
pub async fn get_viewer() -> Result<Option<Viewer>, ServerError> {
    Ok(crate::server::auth::signed_in().ok().map(|member| member.viewer()))
}

/// The header's sections, in reading order.
const SECTIONS: &[(&str, &str)] = &[
    ("/", "Overview"),
    ("/subscribers", "Subscribers"),
    ("/dashboards", "Dashboards"),
    ("/transactions", "Transactions"),
    ("/campaigns", "Campaigns"),
    ("/bulk", "Bulk lookup"),
    ("/network", "Network"),
    ("/commissions", "Commissions"),
    ("/customers", "Customers"),
    ("/analytics/cohorts", "Cohorts"),
    ("/analytics/funnels", "Funnels"),
    ("/admin/members", "Members"),
    ("/admin/api-keys", "API keys"),
    ("/admin/organization", "Organization"),
    ("/admin/security-events", "Security events"),
];

#[component]
pub fn TopBar() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| get_viewer());
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"UT360"</A>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(viewer)) => view! { <SignedInBar viewer/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
fn SignedInBar(viewer: Viewer) -> impl IntoView {
    let links = SECTIONS
        .iter()
        .filter(|(href, _)| viewer.may_open(href))
        .map(|(href, label)| view! { <A href=*href>{*label}</A> })
        .collect_view();
    view! {
        <nav aria-label="Sections">{links}</nav>
        // A plain form: it works without JavaScript, and /search redirects to the subscriber.
        <form class="search" action="/search" method="get" role="search">
            <label for="isdn-search" class="visually-hidden">"Subscriber ISDN"</label>
            <input id="isdn-search" name="isdn" type="search" placeholder="Search an ISDN…" required autocomplete="off"/>
            <button type="submit">"Open"</button>
        </form>
        <div class="account" data-testid="account">
            // Where a member of several organizations switches, and invitations wait.
            <a class="account-organization" href=ORGANIZATIONS_PATH title="Switch organization" data-testid="organization-switcher">
                {viewer.organization.clone()}
            </a>
            <span class="account-who">{viewer.email.clone()}</span>
            <span class="account-role">{viewer.role.as_str()}</span>
            <A href="/account/password">"Change password"</A>
            <form method="post" action="/auth/sign-out">
                <button type="submit">"Sign out"</button>
            </form>
        </div>
    }
}
