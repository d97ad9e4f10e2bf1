//! Who may do what: the four roles, the permissions they hold, and which permissions
//! each address of the app needs. Shared by the server (which enforces it) and the
//! browser (which only hides what the viewer cannot open).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Manager,
    Marketing,
    Analyst,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Marketing, Role::Analyst];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Marketing => "marketing",
            Role::Analyst => "analyst",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text.trim().to_ascii_lowercase())
    }

    /// analyst ⊂ marketing ⊂ manager ⊂ admin, as the roles are described to users.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Manager => !matches!(permission, Administer),
            Role::Marketing => matches!(permission, ViewData | Campaigns | Export),
            Role::Analyst => matches!(permission, ViewData),
        }
    }

    /// The least role that holds `permission`, for the refusal's wording.
    pub fn least_with(permission: Permission) -> Role {
        [Role::Analyst, Role::Marketing, Role::Manager, Role::Admin]
            .into_iter()
            .find(|role| role.allows(permission))
            .unwrap_or(Role::Admin)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// The overview, subscriber lists, Customer360 and dashboards.
    ViewData,
    /// Campaign lists and bulk lookup.
    Campaigns,
    /// Downloading data as files (as Metabase's download permission: apart from viewing).
    Export,
    /// The collaborator network, its customers and commission reports.
    Collaborators,
    /// The top-up transaction dashboard.
    Transactions,
    /// Members, roles, API keys and organization settings.
    Administer,
    /// The rules that open performance alerts (managers and admins).
    ManageAlerts,
}

impl Permission {
    /// What the permission lets one do, as the refusal page words it.
    pub fn describe(self, language: crate::domain::language::Language) -> &'static str {
        use crate::i18n::{td_string, Locale};
        let locale = Locale::from(language);
        match self {
            Permission::ViewData => td_string!(locale, permissions.view_data),
            Permission::Campaigns => td_string!(locale, permissions.campaigns),
            Permission::Export => td_string!(locale, permissions.export),
            Permission::Collaborators => td_string!(locale, permissions.collaborators),
            Permission::Transactions => td_string!(locale, permissions.transactions),
            Permission::Administer => td_string!(locale, permissions.administer),
            Permission::ManageAlerts => td_string!(locale, permissions.manage_alerts),
        }
    }
}

/// What a request to an address needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone: sign-in, health probes, the site's static files.
    Public,
    /// `/api/v1`: an API key, checked by the API itself.
    ApiKey,
    /// A signed-in member holding every one of these permissions.
    Member(&'static [Permission]),
    /// Any signed-in account, whether or not it has chosen an organization yet
    /// (`BEFORE_CHOOSING`).
    Account,
    /// Not an address of the app: nothing is served there, not even a route someone
    /// forgot to list (it stays unreachable until listed).
    Unknown,
}

use Permission::*;

/// Every page and file address of the app, with the permissions it needs. `{…}` is
/// one path segment. An address missing here is not served (`Access::Unknown`), and a
/// test checks that every route of the router is listed.
pub const PROTECTED: &[(&str, &[Permission])] = &[
    ("/", &[ViewData]),
    ("/dashboards", &[ViewData]),
    ("/subscribers", &[ViewData]),
    ("/subscribers/export.csv", &[ViewData, Export]),
    ("/subscribers/export.xlsx", &[ViewData, Export]),
    ("/subscribers/{isdn}", &[ViewData]),
    ("/search", &[ViewData]),
    ("/transactions", &[Transactions]),
    ("/campaigns", &[Campaigns]),
    ("/campaigns/{id}/export.csv", &[Campaigns, Export]),
    ("/campaigns/{id}/export.xlsx", &[Campaigns, Export]),
    ("/bulk", &[Campaigns]),
    ("/network", &[Collaborators]),
    ("/commissions", &[Collaborators]),
    ("/commissions/export.csv", &[Collaborators, Export]),
    ("/commissions/export.xlsx", &[Collaborators, Export]),
    ("/commissions/rates", &[Collaborators]),
    ("/commissions/statement", &[Collaborators]),
    ("/commissions/statement/export.xlsx", &[Collaborators, Export]),
    ("/customers", &[Collaborators]),
    ("/account/password", &[]),
    ("/organizations", &[]),
    ("/auth/choose-organization", &[]),
    ("/auth/answer-invitation", &[]),
    ("/admin/members", &[Administer]),
    ("/admin/api-keys", &[Administer]),
    ("/admin/organization", &[Administer]),
    ("/admin/security-events", &[Administer]),
    ("/admin/usage", &[Administer]),
    ("/admin/data-sources", &[Administer]),
    ("/insights", &[ViewData]),
    ("/alerts", &[ViewData]),
    ("/analytics/cohorts", &[Transactions]),
    ("/analytics/funnels", &[Campaigns]),
];

/// Every server function (by name, as `/api/{name}` or `/api/{name}{hash}`) with the
/// permissions it needs; none means any signed-in member.
pub const SERVER_FUNCTIONS: &[(&str, &[Permission])] = &[
    ("get_viewer", &[]),
    ("change_password", &[]),
    ("set_language", &[]),
    ("get_overview", &[ViewData]),
    ("get_dashboards", &[ViewData]),
    ("get_subscriber_list", &[ViewData]),
    ("get_subscriber", &[ViewData]),
    ("get_recent_transactions", &[ViewData]),
    ("get_transaction_dashboard", &[Transactions]),
    ("campaign_workspace", &[Campaigns]),
    ("campaign_preview", &[Campaigns]),
    ("save_campaign", &[Campaigns]),
    ("campaign_exports", &[Campaigns]),
    ("create_suppression_list", &[Campaigns]),
    ("lookup_isdn_list", &[Campaigns]),
    ("search_network", &[Collaborators]),
    ("get_network", &[Collaborators]),
    ("get_network_overview", &[Collaborators]),
    ("get_customers", &[Collaborators]),
    ("enter_customer", &[Collaborators]),
    ("change_customer_status", &[Collaborators]),
    ("get_commission_report", &[Collaborators]),
    ("get_commission_statement", &[Collaborators]),
    ("get_collaborator_statement", &[Collaborators]),
    ("get_commission_rates", &[Collaborators]),
    ("preview_commission_rate", &[Collaborators]),
    ("add_commission_rate", &[Collaborators]),
    ("get_commission_periods", &[Collaborators]),
    ("close_commission_period", &[Collaborators]),
    ("reopen_commission_period", &[Administer]),
    ("recalculate_commission_period", &[Collaborators]),
    ("record_commission_adjustment", &[Collaborators]),
    ("get_members", &[Administer]),
    ("save_member", &[Administer]),
    ("remove_member", &[Administer]),
    ("get_api_keys", &[Administer]),
    ("create_api_key", &[Administer]),
    ("revoke_api_key", &[Administer]),
    ("get_organization_settings", &[Administer]),
    ("rename_organization", &[Administer]),
    ("get_invitations", &[Administer]),
    ("cancel_invitation", &[Administer]),
    ("get_security_events", &[Administer]),
    ("get_usage", &[Administer]),
    ("get_data_sources", &[Administer]),
    ("get_sync_history", &[Administer]),
    ("sync_data_source", &[Administer]),
    ("get_insights", &[ViewData]),
    ("mark_insight_read", &[ViewData]),
    ("get_alerts", &[ViewData]),
    ("acknowledge_alert", &[ViewData]),
    ("save_alert_rule", &[ManageAlerts]),
    ("set_alert_rule_enabled", &[ManageAlerts]),
    ("delete_alert_rule", &[ManageAlerts]),
    ("get_cohort_analysis", &[Transactions]),
    ("get_funnel_analysis", &[Campaigns]),
    ("get_your_organizations", &[]),
];

/// Pages and server functions (by name) an account opens before it has chosen an
/// organization: choosing one, answering invitations, its password and the top bar.
pub const BEFORE_CHOOSING: &[&str] = &[
    "/organizations",
    "/auth/choose-organization",
    "/auth/answer-invitation",
    "/account/password",
    "get_viewer",
    "change_password",
    "get_your_organizations",
    "set_language",
];

pub const SERVER_FUNCTION_PREFIX: &str = "/api/";

/// The server function an address calls, if it is one of `SERVER_FUNCTIONS`.
pub fn server_function(path: &str) -> Option<(&'static str, &'static [Permission])> {
    let called = path.strip_prefix(SERVER_FUNCTION_PREFIX)?;
    SERVER_FUNCTIONS
        .iter()
        .copied()
        .find(|(name, _)| called.strip_prefix(name).is_some_and(|hash| hash.bytes().all(|byte| byte.is_ascii_digit())))
}

/// Open to anyone (exact addresses).
pub const PUBLIC: &[&str] = &[
    "/sign-in",
    "/auth/sign-in",
    "/auth/sign-out",
    "/auth/language",
    "/healthz",
    "/readyz",
    "/metrics",
    "/favicon.svg",
    "/echarts.min.js",
    "/chart-format.js",
];

pub const SIGN_IN_PATH: &str = "/sign-in";

pub fn access_for(path: &str) -> Access {
    if PUBLIC.contains(&path) || path.starts_with("/pkg/") {
        return Access::Public;
    }
    if path == "/api/v1" || path.starts_with("/api/v1/") {
        return Access::ApiKey;
    }
    if BEFORE_CHOOSING.contains(&path) {
        return Access::Account;
    }
    if path.starts_with(SERVER_FUNCTION_PREFIX) {
        return server_function(path).map_or(Access::Unknown, |(name, permissions)| {
            if BEFORE_CHOOSING.contains(&name) {
                Access::Account
            } else {
                Access::Member(permissions)
            }
        });
    }
    PROTECTED
        .iter()
        .find(|(pattern, _)| path_matches(pattern, path))
        .map_or(Access::Unknown, |(_, permissions)| Access::Member(permissions))
}

/// Whether `path` fits `pattern`, where a segment `{name}` (axum) or `:name` (Leptos)
/// stands for any one non-empty segment.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    // Most patterns have no parameter: then equal or not, without walking their segments
    // (a page's header asks about each of its links, against every pattern).
    if pattern == path {
        return true;
    }
    if !pattern.contains(['{', ':']) {
        return false;
    }
    let mut wanted = pattern.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if is_parameter(w) && !g.is_empty() => continue,
            (Some(w), Some(g)) if w == g => continue,
            _ => return false,
        }
    }
}

fn is_parameter(segment: &str) -> bool {
    (segment.starts_with('{') && segment.ends_with('}')) || segment.starts_with(':')
}

/// The signed-in person as the pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub email: String,
    pub role: Role,
    pub organization: String,
}

impl Viewer {
    pub fn may(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    /// Whether the viewer may open `path` (as the server would decide).
    pub fn may_open(&self, path: &str) -> bool {
        match access_for(path) {
            Access::Member(permissions) => permissions.iter().all(|permission| self.may(*permission)),
            _ => true,
        }
    }
}

/// A place to return to after signing in: only a path of this site, in characters that
/// every browser reads the same way. A tab or newline that a browser drops would turn
/// `/\t/evil.example` into `//evil.example` (another site), and a CR/LF cannot go in a
/// `Location` header at all; anything outside the strict set goes to the overview.
pub fn safe_return_path(next: Option<&str>) -> String {
    match next {
        Some(path) if is_plain_local_path(path) && !path.starts_with(SIGN_IN_PATH) => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// A page of this site to go back to (the language switcher's), the sign-in page
/// included; anything else goes to the overview, as [`safe_return_path`] does.
pub fn safe_page_path(next: Option<&str>) -> String {
    match next {
        Some(path) if is_plain_local_path(path) => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// `/` then unreserved characters, `/` and `%`-escapes (none of a control character),
/// with an optional query that adds `=`, `&`, `+` and `,`. Never `//` first: that names
/// another host.
fn is_plain_local_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else { return false };
    if rest.starts_with('/') {
        return false;
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let unreserved = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
    has_only(path, |byte| unreserved(byte) || byte == b'/')
        && has_only(query, |byte| unreserved(byte) || matches!(byte, b'=' | b'&' | b'+' | b','))
}

/// Whether every byte of `text` is `allowed` or starts a `%`-escape of a printable character.
fn has_only(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let escaped = bytes
                .get(index + 1..index + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            match escaped {
                Some(byte) if !byte.is_ascii_control() => index += 3,
                _ => return false,
            }
        } else if allowed(bytes[index]) {
            index += 1;
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_holds_what_it_is_described_to() {
        let held = |role: Role| -> Vec<Permission> {
            [ViewData, Campaigns, Export, Collaborators, Transactions, Administer, ManageAlerts]
                .into_iter()
                .filter(|p| role.allows(*p))
                .collect()
        };
        assert_eq!(held(Role::Analyst), vec![ViewData]);
        assert_eq!(held(Role::Marketing), vec![ViewData, Campaigns, Export]);
        assert_eq!(held(Role::Manager), vec![ViewData, Campaigns, Export, Collaborators, Transactions, ManageAlerts]);
        assert_eq!(held(Role::Admin).len(), 7);
        assert_eq!(Role::least_with(ManageAlerts), Role::Manager);
        assert_eq!(Role::least_with(Transactions), Role::Manager);
        assert_eq!(Role::parse(" Marketing "), Some(Role::Marketing));
        assert_eq!(Role::parse("owner"), None);
    }

    #[test]
    fn addresses_map_to_their_permissions() {
        assert_eq!(access_for("/subscribers/84912345678"), Access::Member(&[ViewData]));
        assert_eq!(access_for("/subscribers/export.csv"), Access::Member(&[ViewData, Export]));
        assert_eq!(access_for("/campaigns/abc/export.xlsx"), Access::Member(&[Campaigns, Export]));
        assert_eq!(access_for("/subscribers/"), Access::Unknown);
        assert_eq!(access_for("/api/v1/recommendations/x"), Access::ApiKey);
        assert_eq!(access_for("/api/get_overview123"), Access::Member(&[ViewData]));
        assert_eq!(access_for("/api/campaign_preview"), Access::Member(&[Campaigns]));
        assert_eq!(access_for("/api/get_subscriber_list77"), Access::Member(&[ViewData]));
        assert_eq!(access_for("/api/get_overview_secret1"), Access::Unknown);
        assert_eq!(access_for("/pkg/ut360.wasm"), Access::Public);
        assert_eq!(access_for("/sign-in"), Access::Public);
        assert_eq!(access_for("/nowhere"), Access::Unknown);
        assert_eq!(access_for("/organizations"), Access::Account);
        assert_eq!(access_for("/api/get_your_organizations42"), Access::Account);
        assert_eq!(access_for("/auth/answer-invitation"), Access::Account);
        assert_eq!(access_for("/api/get_invitations"), Access::Member(&[Administer]));
        assert!(path_matches("/subscribers/:isdn", "/subscribers/1"));
    }

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return_path(Some("/campaigns?x=1")), "/campaigns?x=1");
        // The language switcher goes back to the sign-in page too, never elsewhere.
        assert_eq!(safe_page_path(Some("/sign-in?next=%2Fdashboards")), "/sign-in?next=%2Fdashboards");
        assert_eq!(safe_page_path(Some("//evil.example/")), "/");
        assert_eq!(safe_page_path(None), "/");
        assert_eq!(
            safe_return_path(Some("/subscribers?service=EasyCredit&min_value=70")),
            "/subscribers?service=EasyCredit&min_value=70"
        );
        assert_eq!(
            safe_return_path(Some("/subscribers/%2B%2B%2FhZFPrCDRre55vsZqqxQ%3D%3D")),
            "/subscribers/%2B%2B%2FhZFPrCDRre55vsZqqxQ%3D%3D"
        );
        assert_eq!(safe_return_path(Some("/")), "/");
        assert_eq!(safe_return_path(Some("//evil.example/")), "/");
        assert_eq!(safe_return_path(Some("https://evil.example/")), "/");
        assert_eq!(safe_return_path(Some("/sign-in")), "/");
        assert_eq!(safe_return_path(None), "/");
    }

    #[test]
    fn return_paths_a_browser_could_read_as_another_site_go_to_the_overview() {
        for next in [
            "/\t/evil.example",
            "/\t\t/evil.example",
            "/\r\n/evil.example",
            "/\rSet-Cookie: x=1",
            "/a\nLocation: //evil.example",
            "/\n/evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "/a\\b",
            "\\\\evil.example",
            "/%09/evil.example",
            "/%0d%0a/evil.example",
            "/%0A",
            "/%7F",
            "/%zz",
            "/%2",
            "https://evil.example/",
            "http:/evil.example",
            "javascript:alert(1)",
            "evil.example",
            " /campaigns",
            "/campaigns#//evil.example",
            "/ campaigns",
            "/caf\u{e9}",
            "",
        ] {
            assert_eq!(safe_return_path(Some(next)), "/", "{next:?}");
        }
    }
}
