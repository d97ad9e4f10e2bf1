//! The top bar: the sections the signed-in viewer may open, who they are, sign-out.

use crate::components::{role_label, LanguageSwitcher};
use crate::domain::access::Viewer;
use crate::domain::membership::ORGANIZATIONS_PATH;
use crate::domain::server_error::ServerError;
use crate::i18n::{t, td_string, use_i18n, Locale};
use leptos::prelude::*;
use leptos_router::components::A;

#[server]
pub async fn get_viewer() -> Result<Option<Viewer>, ServerError> {
    Ok(crate::server::auth::signed_in().ok().map(|member| member.viewer()))
}

/// A text of the header in the given language.
type Label = fn(Locale) -> &'static str;

/// One menu of the header: a part of the work, and its pages in reading order.
struct NavGroup {
    label: Label,
    links: &'static [(&'static str, Label)],
}

/// The header's sections, grouped so the bar stays on one line at 1280 px whatever the
/// role; a viewer sees only the pages they may open, and a group only if one is left.
const SECTIONS: &[NavGroup] = &[
    NavGroup {
        label: |l| td_string!(l, nav.analysis),
        links: &[
            ("/", |l| td_string!(l, nav.overview)),
            ("/subscribers", |l| td_string!(l, nav.subscribers)),
            ("/dashboards", |l| td_string!(l, nav.dashboards)),
            ("/transactions", |l| td_string!(l, nav.transactions)),
            ("/insights", |l| td_string!(l, nav.insights)),
            ("/alerts", |l| td_string!(l, nav.alerts)),
            ("/analytics/cohorts", |l| td_string!(l, nav.cohorts)),
        ],
    },
    NavGroup {
        label: |l| td_string!(l, nav.marketing),
        links: &[
            ("/campaigns", |l| td_string!(l, nav.campaigns)),
            ("/bulk", |l| td_string!(l, nav.bulk_lookup)),
            ("/analytics/funnels", |l| td_string!(l, nav.funnels)),
        ],
    },
    NavGroup {
        label: |l| td_string!(l, nav.network_group),
        links: &[
            ("/network", |l| td_string!(l, nav.network)),
            ("/commissions", |l| td_string!(l, nav.commissions)),
            ("/customers", |l| td_string!(l, nav.customers)),
        ],
    },
    NavGroup {
        label: |l| td_string!(l, nav.administration),
        links: &[
            ("/admin/members", |l| td_string!(l, nav.members)),
            ("/admin/api-keys", |l| td_string!(l, nav.api_keys)),
            ("/admin/organization", |l| td_string!(l, nav.organization)),
            ("/admin/security-events", |l| td_string!(l, nav.security_events)),
            ("/admin/usage", |l| td_string!(l, nav.usage)),
            ("/admin/data-sources", |l| td_string!(l, nav.data_sources)),
        ],
    },
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
                        _ => view! { <LanguageSwitcher signed_in=false/> }.into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
fn SignedInBar(viewer: Viewer) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let location = leptos_router::hooks::use_location();
    // Below 768 px the sections fold into one menu behind this button.
    let menu_open = RwSignal::new(false);
    Effect::new(move |already_ran: Option<()>| {
        location.pathname.track();
        // Not at hydration: a menu opened before the page became interactive stays open.
        if already_ran.is_some() {
            menu_open.set(false);
            close_header_menus(None);
        }
    });
    let sections_viewer = viewer.clone();
    let groups = move || {
        // Drawn again on every navigation, to mark the group of the page being read.
        let path = location.pathname.get();
        let current_section = section_of(&path);
        SECTIONS
            .iter()
            .filter_map(|group| {
                let links: Vec<_> = group.links.iter().filter(|(href, _)| sections_viewer.may_open(href)).collect();
                if links.is_empty() {
                    return None;
                }
                let current = links.iter().any(|(href, _)| current_section == *href);
                let links = links
                    .into_iter()
                    .map(|(href, label)| view! { <li><A href=*href>{label(locale)}</A></li> })
                    .collect_view();
                Some(view! {
                    <details class="nav-group" on:toggle=close_other_menus>
                        <summary class:current=current>{(group.label)(locale)}</summary>
                        <ul>{links}</ul>
                    </details>
                })
            })
            .collect_view()
    };
    view! {
        <button
            type="button"
            class="menu-toggle"
            aria-controls="sections"
            aria-expanded=move || menu_open.get().to_string()
            on:click=move |_| menu_open.update(|open| *open = !*open)
        >
            {t!(i18n, nav.menu)}
        </button>
        <nav id="sections" aria-label=td_string!(locale, nav.sections) class:open=move || menu_open.get()>{groups}</nav>
        // A plain form: it works without JavaScript, and /search redirects to the subscriber.
        <form class="search" action="/search" method="get" role="search">
            <label for="isdn-search" class="visually-hidden">{t!(i18n, search.label)}</label>
            <input id="isdn-search" name="isdn" type="search" placeholder=td_string!(locale, search.placeholder) required autocomplete="off"/>
            <button type="submit">{t!(i18n, search.open)}</button>
        </form>
        <LanguageSwitcher signed_in=true/>
        <div class="account" data-testid="account">
            // Where a member of several organizations switches, and invitations wait.
            <a class="account-organization" href=ORGANIZATIONS_PATH title=td_string!(locale, account.switch_organization) data-testid="organization-switcher">
                {viewer.organization.clone()}
            </a>
            <details class="account-menu" on:toggle=close_other_menus>
                <summary aria-label=td_string!(locale, account.your_account)>
                    <span class="account-role" data-role=viewer.role.as_str()>{role_label(locale, viewer.role)}</span>
                </summary>
                <div class="account-menu-items">
                    <span class="account-who">{viewer.email.clone()}</span>
                    <A href="/account/password">{t!(i18n, account.change_password)}</A>
                    <form method="post" action="/auth/sign-out">
                        <button type="submit">{t!(i18n, account.sign_out)}</button>
                    </form>
                </div>
            </details>
        </div>
    }
}

/// One menu of the header open at a time: the one just opened closes the others. The
/// browser opens and closes each `<details>` itself, before hydration as after it.
fn close_other_menus(event: leptos::ev::Event) {
    use leptos::wasm_bindgen::JsCast;
    let Some(opened) = event.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlDetailsElement>().ok()) else {
        return;
    };
    if opened.open() {
        close_header_menus(Some(&opened));
    }
}

/// Closes every open menu of the header but `keep`.
fn close_header_menus(keep: Option<&leptos::web_sys::HtmlDetailsElement>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Ok(open_menus) = document().query_selector_all("header.topbar details[open]") else { return };
        for index in 0..open_menus.length() {
            if let Some(menu) =
                open_menus.item(index).and_then(|node| node.dyn_into::<web_sys::HtmlDetailsElement>().ok())
            {
                if Some(&menu) != keep {
                    menu.set_open(false);
                }
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = keep;
}

/// The section a path belongs to: its own page, or the list it is a detail of.
fn section_of(path: &str) -> &str {
    SECTIONS
        .iter()
        .flat_map(|group| group.links.iter().map(|(href, _)| *href))
        .filter(|href| {
            path == *href || (*href != "/" && path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
        })
        .max_by_key(|href| href.len())
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_belongs_to_its_own_section_or_the_list_it_details() {
        assert_eq!(section_of("/"), "/");
        assert_eq!(section_of("/subscribers/84912345678"), "/subscribers");
        assert_eq!(section_of("/admin/members"), "/admin/members");
        assert_eq!(section_of("/commissions/statement"), "/commissions");
        assert_eq!(section_of("/nowhere"), "/nowhere");
    }

    #[test]
    fn every_section_is_an_address_of_the_app_in_one_group_only() {
        let hrefs: Vec<&str> = SECTIONS.iter().flat_map(|group| group.links.iter().map(|(href, _)| *href)).collect();
        for href in &hrefs {
            assert_ne!(crate::domain::access::access_for(href), crate::domain::access::Access::Unknown, "{href}");
            assert_eq!(hrefs.iter().filter(|other| *other == href).count(), 1, "{href} is in two groups");
        }
    }
}
