//! Sign-in: accounts with argon2 passwords, sessions in Postgres, a gate in front of
//! every address, and what server functions ask of it.

pub mod change_password;
pub mod gate;
pub mod limits;
pub mod organizations;
pub mod password;
pub mod sign_in;

use super::error::AppError;
use super::state::AppState;
use crate::data::users::{Account, Member};
use crate::data::OrganizationStore;
use crate::domain::access::SIGN_IN_PATH;
use crate::domain::server_error::ServerError;
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "ut360_session";
/// Its name when cookies are Secure: browsers take a `__Host-` cookie only over HTTPS,
/// for this host alone (no `Domain`) and the whole site (`Path=/`), so neither a
/// sibling domain nor a plain-HTTP page can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-ut360_session";
const SESSION_USER: &str = "user";

/// How long sessions last; from `serve`'s settings.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// Signed out after this long without a request.
    pub idle: std::time::Duration,
    /// Signed out this long after signing in, however busy.
    pub absolute: std::time::Duration,
    /// Cookies only over HTTPS.
    pub secure_cookies: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: std::time::Duration::from_secs(60 * 60),
            absolute: std::time::Duration::from_secs(12 * 60 * 60),
            secure_cookies: false,
        }
    }
}

impl SessionPolicy {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    pub fn layer(&self, store: PostgresStore) -> SessionManagerLayer<PostgresStore> {
        SessionManagerLayer::new(store)
            .with_name(self.cookie_name())
            .with_path("/")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(self.secure_cookies)
            .with_expiry(Expiry::OnInactivity(CookieDuration::seconds(self.idle.as_secs() as i64)))
    }
}

/// What a session holds: who signed in, for which organization, and when.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionUser {
    pub user_id: Uuid,
    /// `None` until the person chooses one of several organizations (or accepts a
    /// first invitation): only `BEFORE_CHOOSING` addresses open meanwhile.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    /// Unix seconds.
    pub signed_in_at: i64,
    /// Unix seconds of the last save; the session is saved again (and its idle
    /// expiry pushed back) at most once a minute.
    pub seen_at: i64,
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64)
}

pub async fn session_user(session: &Session) -> Option<SessionUser> {
    session.get::<SessionUser>(SESSION_USER).await.ok().flatten()
}

pub async fn store_session_user(session: &Session, user: &SessionUser) -> Result<(), AppError> {
    session.insert(SESSION_USER, user).await.map_err(|e| AppError::Internal(format!("session: {e}")))
}

/// The sign-in page's address, with why it is shown again and where to go after.
pub fn sign_in_url(problem: Option<&str>, next: &str) -> String {
    let next = percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC);
    match problem {
        Some(problem) => format!("{SIGN_IN_PATH}?problem={problem}&next={next}"),
        None => format!("{SIGN_IN_PATH}?next={next}"),
    }
}

/// An email address as the sign-in form and the admin pages accept it.
pub fn check_email(email: &str) -> Result<(), String> {
    let email = email.trim();
    match email.split_once('@') {
        Some((name, domain))
            if !name.is_empty() && !domain.is_empty() && !email.contains(char::is_whitespace) && email.len() <= 255 =>
        {
            Ok(())
        }
        _ => Err(format!("email: {email:?} is not an email address")),
    }
}

/// The signed-in member a server function acts for (the gate put them on the request).
pub fn signed_in() -> Result<Member, AppError> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Member>().cloned())
        .ok_or(AppError::Unauthorized("sign in first"))
}

/// The signed-in account a server function acts for, chosen an organization or not.
pub fn signed_in_account() -> Result<Account, ServerError> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Account>().cloned())
        .ok_or_else(|| ServerError::from(AppError::Unauthorized("sign in first")))
}

/// Makes the session act for `organization_id` (a membership the caller checked) and
/// remembers it for the account's next sign-in.
pub async fn choose_organization(
    state: &AppState,
    session: &Session,
    user_id: Uuid,
    organization_id: Uuid,
) -> Result<(), AppError> {
    let mut user = session_user(session).await.ok_or(AppError::Unauthorized("sign in first"))?;
    user.organization_id = Some(organization_id);
    store_session_user(session, &user).await?;
    state.store.remember_organization(user_id, organization_id).await?;
    Ok(())
}

/// For a server function: the signed-in member and the store acting for their
/// organization (row-level security shows it that organization's rows only).
pub fn tenant() -> Result<(Member, OrganizationStore), ServerError> {
    let member = signed_in().map_err(ServerError::from)?;
    let state = leptos::prelude::expect_context::<AppState>();
    let store = state.store.for_organization(&member.organization);
    Ok((member, store))
}
