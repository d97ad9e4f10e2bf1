//! The HTML shell and the routes.

use crate::components::{language, language_options, TopBar};
use crate::i18n::I18nContextProvider;
use crate::pages::{
    AlertsPage, ApiKeysPage, BulkLookupPage, CampaignsPage, ChangePasswordPage, CohortsPage, CommissionRatesPage,
    CommissionsPage, CustomersPage, DashboardsPage, DataSourcesPage, FunnelsPage, InsightsPage, MembersPage,
    NetworkPage, NotFoundPage, OrganizationPage, OrganizationsPage, OverviewPage, SecurityEventsPage, SignInPage,
    StatementPage, SubscriberListPage, SubscriberPage, TransactionsPage, UsagePage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The response's Content-Security-Policy allows the scripts that carry this nonce.
    #[cfg(feature = "ssr")]
    crate::server::security::send_page_policy();
    #[cfg(feature = "ssr")]
    let nonce = leptos::nonce::use_nonce().map(|nonce| nonce.to_string());
    #[cfg(not(feature = "ssr"))]
    let nonce = None::<String>;
    view! {
        <!DOCTYPE html>
        // `lang` comes from the language chosen for the request (`HtmlLang` in `App`).
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // Served from public/ (no CDN); deferred scripts run in order, before hydration.
                <script defer src="/echarts.min.js" nonce=nonce.clone()></script>
                // The charts' number formats (`components::chart`).
                <script defer src="/chart-format.js" nonce=nonce></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The language is the server's choice for this request (`components::language`),
    // which it writes in `<html lang>`; the browser reads it back from there when it
    // hydrates. leptos_i18n's own cookie is off: the server sets ours.
    view! {
        <I18nContextProvider
            enable_cookie=false
            set_lang_attr_on_html=false
            set_dir_attr_on_html=false
            ssr_lang_header_getter=language_options()
        >
        <HtmlLang/>
        <Stylesheet id="leptos" href="/pkg/ut360.css"/>
        <Title formatter=|page: String| if page.is_empty() { "UT360".to_owned() } else { format!("{page} · UT360") }/>
        <Router>
            <TopBar/>
            <main>
                <Routes fallback=NotFoundPage>
                    // Async: the whole page arrives in the first response, so it reads without JavaScript.
                    <Route path=StaticSegment("sign-in") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("") view=OverviewPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("dashboards") view=DashboardsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("subscribers") view=SubscriberListPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("transactions") view=TransactionsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("bulk") view=BulkLookupPage/>
                    <Route path=StaticSegment("campaigns") view=CampaignsPage/>
                    <Route path=StaticSegment("network") view=NetworkPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("commissions") view=CommissionsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("commissions"), StaticSegment("rates")) view=CommissionRatesPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("commissions"), StaticSegment("statement")) view=StatementPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("customers") view=CustomersPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("insights") view=InsightsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("alerts") view=AlertsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("password")) view=ChangePasswordPage/>
                    <Route path=StaticSegment("organizations") view=OrganizationsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("members")) view=MembersPage/>
                    <Route path=(StaticSegment("admin"), StaticSegment("api-keys")) view=ApiKeysPage/>
                    <Route path=(StaticSegment("admin"), StaticSegment("organization")) view=OrganizationPage/>
                    <Route path=(StaticSegment("admin"), StaticSegment("security-events")) view=SecurityEventsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("usage")) view=UsagePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("data-sources")) view=DataSourcesPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("analytics"), StaticSegment("cohorts")) view=CohortsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("analytics"), StaticSegment("funnels")) view=FunnelsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("subscribers"), ParamSegment("isdn")) view=SubscriberPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
        </I18nContextProvider>
    }
}

/// `<html lang>`: the language chosen for this request, as a plain value. The page's
/// `<html>` attributes and title are written after the page is drawn, outside its
/// reactive owner, where reading the language context's signal panics; the switcher
/// reloads the page, so the value never changes under it.
#[component]
fn HtmlLang() -> impl IntoView {
    view! { <Html attr:lang=language().as_str() attr:dir="ltr"/> }
}
