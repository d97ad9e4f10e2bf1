//! Accounts, their memberships of organizations, failed sign-ins, and the session store.

use super::remembered::Remembered;
use super::{Organization, Store};
use crate::data::security_events::{record_account_event_in, RequestOrigin};
use crate::data::{sql, OrganizationStore};
use crate::domain::access::{Role, Viewer};
use crate::domain::admin::MemberListing;
use crate::domain::language::Language;
use crate::domain::security_event::SecurityEventKind;
use chrono::{DateTime, Utc};
use std::time::Duration;
use uuid::Uuid;

/// What a password is checked against.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Credentials {
    pub user_id: Uuid,
    pub password_hash: String,
    /// The organization the account chose last, offered first at sign-in.
    pub last_organization_id: Option<Uuid>,
}

/// A signed-in person before (or besides) the organization they act for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub user_id: Uuid,
    pub email: String,
    /// The language they chose for the UI, if they did.
    pub language: Option<Language>,
}

/// A signed-in person acting for one organization. The gate remembers it for a few
/// seconds (`KnownMembers`); a changed role or a removal takes effect at once, through
/// the NOTIFY that the change's trigger sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub organization: Organization,
    pub language: Option<Language>,
}

impl Member {
    pub fn account(&self) -> Account {
        Account { user_id: self.user_id, email: self.email.clone(), language: self.language }
    }

    pub fn viewer(&self) -> Viewer {
        Viewer { email: self.email.clone(), role: self.role, organization: self.organization.name.clone() }
    }
}

/// Members the gate read lately, by user, organization and the second their session
/// signed in, with whether they must change their password. Forgotten by every server
/// whenever a member, an account or an organization changes (migration
/// 20261206000160's triggers); `REMEMBER_MEMBER_FOR` bounds a missed NOTIFY.
pub(super) type KnownMembers = Remembered<(Uuid, Uuid, i64), (Member, bool)>;

pub(super) const REMEMBER_MEMBER_FOR: Duration = Duration::from_secs(10);

impl Store {
    /// Commits a change to members, accounts or organizations, and forgets this
    /// process's remembered members before the next request; other servers hear the
    /// triggers' NOTIFY.
    pub(super) async fn commit_member_change(&self, tx: super::Tx) -> Result<(), sqlx::Error> {
        tx.commit().await?;
        self.members_known.forget_all();
        Ok(())
    }
}

/// What adding, changing or removing a member did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    /// Refused: it would leave the organization without an admin.
    LastAdmin,
    NotMember,
}

/// Makes `user_id` a member of the organization with `role` (or changes its role).
pub(super) async fn set_role(
    tx: &mut sqlx::PgConnection,
    organization: &Organization,
    user_id: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sql::query(
        "INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (organization_id, user_id) DO UPDATE SET role = EXCLUDED.role",
    )
    .bind(organization.id)
    .bind(user_id)
    .bind(role.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Whether `user_id` is the organization's only admin. Locks the admins' rows, so
/// two admins demoting each other at once cannot both succeed.
pub(super) async fn is_last_admin(
    tx: &mut sqlx::PgConnection,
    organization: &Organization,
    user_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let admins: Vec<Uuid> = sql::query_scalar(
        "SELECT user_id FROM organization_members WHERE organization_id = $1 AND role = 'admin' FOR UPDATE",
    )
    .bind(organization.id)
    .fetch_all(&mut *tx)
    .await?;
    Ok(admins == [user_id])
}

#[derive(sqlx::FromRow)]
pub(super) struct MemberRow {
    user_id: Uuid,
    email: String,
    role: String,
    organization_id: Uuid,
    slug: String,
    name: String,
    redis_prefix: String,
    /// Absent where a query does not read it (`memberships_of`): not chosen.
    #[sqlx(default)]
    language: Option<String>,
}

impl MemberRow {
    pub(super) fn into_member(self) -> Option<Member> {
        Some(Member {
            user_id: self.user_id,
            email: self.email,
            role: Role::parse(&self.role)?,
            organization: Organization {
                id: self.organization_id,
                slug: self.slug,
                name: self.name,
                redis_prefix: self.redis_prefix,
            },
            language: self.language.as_deref().and_then(Language::parse),
        })
    }
}

const MEMBER_COLUMNS: &str =
    "SELECT u.id AS user_id, u.email, u.language, m.role, o.id AS organization_id, o.slug, o.name, o.redis_prefix
     FROM organization_members m
     JOIN users u ON u.id = m.user_id
     JOIN organizations o ON o.id = m.organization_id";

/// Emails are compared as typed, ignoring case and surrounding spaces.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>, sqlx::Error> {
        sql::query_as("SELECT id AS user_id, password_hash, last_organization_id FROM users WHERE email = $1")
            .bind(normalize_email(email))
            .fetch_optional(&mut *self.begin().await?)
            .await
    }

    /// The member of `organization_id`; call it on the store acting for that organization.
    pub async fn member(&self, user_id: Uuid, organization_id: Uuid) -> Result<Option<Member>, sqlx::Error> {
        let row: Option<MemberRow> =
            sql::query_as(&format!("{MEMBER_COLUMNS} WHERE m.user_id = $1 AND m.organization_id = $2"))
                .bind(user_id)
                .bind(organization_id)
                .fetch_optional(&mut *self.begin().await?)
                .await?;
        Ok(row.and_then(MemberRow::into_member))
    }

    /// The member, if their password has not changed since `signed_in_at` (unix
    /// seconds): a session from before a password change opens nothing. With it,
    /// whether they must change their password before anything else.
    pub async fn member_signed_in_at(
        &self,
        user_id: Uuid,
        organization_id: Uuid,
        signed_in_at: i64,
    ) -> Result<Option<(Member, bool)>, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct GateRow {
            must_change_password: bool,
            #[sqlx(flatten)]
            member: MemberRow,
        }
        self.watch_changes();
        let known = &self.members_known;
        let key = (user_id, organization_id, signed_in_at);
        if let Some(found) = known.get(&key) {
            return Ok(Some(found));
        }
        let read_began = known.generation();
        let columns = MEMBER_COLUMNS.replacen("SELECT ", "SELECT u.must_change_password, ", 1);
        let row: Option<GateRow> = sql::query_as(&format!(
            "{columns} WHERE m.user_id = $1 AND m.organization_id = $2
             AND (u.password_changed_at IS NULL OR u.password_changed_at <= to_timestamp($3))"
        ))
        .bind(user_id)
        .bind(organization_id)
        .bind(signed_in_at as f64)
        .fetch_optional(&mut *self.begin().await?)
        .await?;
        let found = row.and_then(|row| Some((row.member.into_member()?, row.must_change_password)));
        if let Some(found) = &found {
            known.remember(read_began, key, found.clone());
        }
        Ok(found)
    }

    /// The account, if its password has not changed since `signed_in_at` (unix
    /// seconds), with whether it must change it: a session that has chosen no
    /// organization yet.
    pub async fn account_signed_in_at(
        &self,
        user_id: Uuid,
        signed_in_at: i64,
    ) -> Result<Option<(Account, bool)>, sqlx::Error> {
        let row: Option<(Uuid, String, bool, Option<String>)> = sql::query_as(
            "SELECT id, email, must_change_password, language FROM users
             WHERE id = $1 AND (password_changed_at IS NULL OR password_changed_at <= to_timestamp($2))",
        )
        .bind(user_id)
        .bind(signed_in_at as f64)
        .fetch_optional(&mut *self.begin().await?)
        .await?;
        Ok(row.map(|(user_id, email, must_change, language)| {
            (Account { user_id, email, language: language.as_deref().and_then(Language::parse) }, must_change)
        }))
    }

    /// The language the account reads the UI in, from now on and in any browser.
    pub async fn set_user_language(&self, user_id: Uuid, language: Language) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        sql::query("UPDATE users SET language = $2 WHERE id = $1")
            .bind(user_id)
            .bind(language.as_str())
            .execute(&mut *tx)
            .await?;
        self.commit_member_change(tx).await
    }

    /// Whether the account must change its password at its next sign-in (a password
    /// someone else made up for it).
    pub async fn set_must_change_password(&self, email: &str, must_change: bool) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        sql::query("UPDATE users SET must_change_password = $2 WHERE email = $1")
            .bind(normalize_email(email))
            .bind(must_change)
            .execute(&mut *tx)
            .await?;
        self.commit_member_change(tx).await
    }

    /// Sets a new password hash; returns when it changed (unix seconds, whole: a session
    /// signed in at that second or later stays open).
    pub async fn set_password(&self, user_id: Uuid, password_hash: &str) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin().await?;
        let changed_at = sql::query_scalar(
            "UPDATE users SET password_hash = $2, password_changed_at = date_trunc('second', NOW()),
                 must_change_password = false
             WHERE id = $1 RETURNING extract(epoch FROM password_changed_at)::bigint",
        )
        .bind(user_id)
        .bind(password_hash)
        .fetch_one(&mut *tx)
        .await?;
        self.commit_member_change(tx).await?;
        Ok(changed_at)
    }

    /// Until when sign-ins with this email are refused, if they are now.
    pub async fn sign_in_locked_until(&self, email: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        sql::query_scalar("SELECT locked_until FROM sign_in_failures WHERE email = $1 AND locked_until > NOW()")
            .bind(normalize_email(email))
            .fetch_optional(&mut *self.begin().await?)
            .await
    }

    /// Counts a failed sign-in (failures older than `forget_after` are forgotten) and,
    /// from the `lock_after`th on, locks the email for `lock_for`. Returns the count
    /// and the lock. The failure, and the lock when this failure set it, are security
    /// events of the account's organizations.
    pub async fn record_sign_in_failure(
        &self,
        email: &str,
        origin: &RequestOrigin,
        lock_after: i32,
        lock_for: Duration,
        forget_after: Duration,
    ) -> Result<(i32, Option<DateTime<Utc>>), sqlx::Error> {
        let mut tx = self.begin().await?;
        let counted: (i32, Option<DateTime<Utc>>) = sql::query_as(
            "INSERT INTO sign_in_failures AS f (email, failures, last_failure_at, locked_until)
             VALUES ($1, 1, NOW(), CASE WHEN 1 >= $2 THEN NOW() + make_interval(secs => $3) END)
             ON CONFLICT (email) DO UPDATE SET
                 failures = CASE WHEN f.last_failure_at < NOW() - make_interval(secs => $4) THEN 1 ELSE f.failures + 1 END,
                 last_failure_at = NOW(),
                 locked_until = CASE
                     WHEN (CASE WHEN f.last_failure_at < NOW() - make_interval(secs => $4) THEN 1 ELSE f.failures + 1 END) >= $2
                     THEN NOW() + make_interval(secs => $3)
                 END
             RETURNING failures, locked_until",
        )
        .bind(normalize_email(email))
        .bind(lock_after)
        .bind(lock_for.as_secs_f64())
        .bind(forget_after.as_secs_f64())
        .fetch_one(&mut *tx)
        .await?;
        let (failures, locked_until) = counted;
        let detail = serde_json::json!({ "failures": failures });
        record_account_event_in(&mut tx, email, SecurityEventKind::SignInFailed, origin, detail).await?;
        // Attempts while locked are refused before they count, so a lock here is new.
        if let Some(until) = locked_until {
            let detail = serde_json::json!({ "until": until.format("%Y-%m-%d %H:%M UTC").to_string() });
            record_account_event_in(&mut tx, email, SecurityEventKind::LockedOut, origin, detail).await?;
        }
        tx.commit().await?;
        Ok(counted)
    }

    /// A successful sign-in: failures forgotten, the time kept for the members page,
    /// a security event for each of the account's organizations.
    pub async fn record_sign_in(&self, email: &str, user_id: Uuid, origin: &RequestOrigin) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        record_account_event_in(&mut tx, email, SecurityEventKind::SignInSucceeded, origin, serde_json::json!({}))
            .await?;
        sql::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(normalize_email(email))
            .execute(&mut *tx)
            .await?;
        sql::query("UPDATE users SET last_sign_in_at = NOW() WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await
    }

    /// Sessions live in Postgres (`tower_sessions.session`, made by migration 13), so
    /// they survive a restart. The store sends named statements outside transactions,
    /// so it uses the direct pool (PostgreSQL itself, never PgBouncer's transaction
    /// pooling); its table has no organization.
    pub fn session_store(&self) -> tower_sessions_sqlx_store::PostgresStore {
        tower_sessions_sqlx_store::PostgresStore::new(self.direct().clone())
    }
}

impl OrganizationStore {
    /// Creates the account if the email is new (else sets its password) and gives it
    /// `role` in `organization`. Returns the account's id.
    /// Creates the account, or gives an existing one this password: a reset, which ends
    /// its sessions (as a change of one's own password does) and is a security event of
    /// each of its organizations.
    pub async fn save_user(&self, email: &str, password_hash: &str, role: Role) -> Result<Uuid, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        // `xmax` is set on a row the upsert updated, zero on one it inserted.
        let (user_id, was_reset): (Uuid, bool) = sql::query_as(
            "INSERT INTO users (email, password_hash) VALUES ($1, $2)
             ON CONFLICT (email) DO UPDATE
                SET password_hash = EXCLUDED.password_hash, password_changed_at = date_trunc('second', NOW())
             RETURNING id, xmax <> 0",
        )
        .bind(normalize_email(email))
        .bind(password_hash)
        .fetch_one(&mut *tx)
        .await?;
        set_role(&mut tx, organization, user_id, role).await?;
        if was_reset {
            let detail = serde_json::json!({ "by": "command line (ut360 user create)" });
            record_account_event_in(
                &mut tx,
                email,
                SecurityEventKind::PasswordChanged,
                &RequestOrigin::default(),
                detail,
            )
            .await?;
        }
        self.commit_member_change(tx).await?;
        Ok(user_id)
    }

    pub async fn members(&self) -> Result<Vec<MemberListing>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<(String, String, Option<DateTime<Utc>>)> = sql::query_as(
            "SELECT u.email, m.role, u.last_sign_in_at FROM organization_members m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = $1 ORDER BY u.email",
        )
        .bind(organization.id)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(email, role, last)| {
                Some(MemberListing {
                    email,
                    role: Role::parse(&role)?,
                    last_sign_in_at: last.map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string()),
                })
            })
            .collect())
    }

    /// Takes `email` out of the organization (the account stays, for other organizations).
    pub async fn remove_member(&self, email: &str) -> Result<MemberChange, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let Some(user_id): Option<Uuid> = sql::query_scalar(
            "SELECT m.user_id FROM organization_members m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 AND u.email = $2",
        )
        .bind(organization.id)
        .bind(normalize_email(email))
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(MemberChange::NotMember);
        };
        if is_last_admin(&mut tx, organization, user_id).await? {
            return Ok(MemberChange::LastAdmin);
        }
        sql::query("DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2")
            .bind(organization.id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        self.commit_member_change(tx).await?;
        Ok(MemberChange::Done)
    }
}
