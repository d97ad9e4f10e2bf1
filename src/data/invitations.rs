//! Invitations with consent: an admin invites an email to their organization with a
//! role; the person accepts or declines after signing in (migration 40).

use super::users::{is_last_admin, normalize_email, set_role, Member, MemberRow};
use super::{sql, OrganizationStore, Store};
use crate::domain::access::Role;
use crate::domain::membership::{InvitationToYou, PendingInvitation};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What inviting an email did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invited {
    /// The email's account is a member already: its role changed.
    RoleChanged,
    /// Invited until then (an earlier invitation of the same email is replaced).
    Invitation { expires_at: DateTime<Utc> },
    /// Refused: it would leave the organization without an admin.
    LastAdmin,
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl OrganizationStore {
    /// Invites `email` with `role`, or changes the role of the member it already is.
    /// An email without an account gets one whose password is `new_account_hash` and
    /// must change at first sign-in; an existing account is never changed here.
    pub async fn invite(
        &self,
        email: &str,
        role: Role,
        invited_by: Uuid,
        new_account_hash: &str,
        valid_for: chrono::Duration,
    ) -> Result<Invited, sqlx::Error> {
        let organization = self.organization();
        let email = normalize_email(email);
        let mut tx = self.begin().await?;
        let member: Option<Uuid> = sql::query_scalar(
            "SELECT m.user_id FROM organization_members m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = $1 AND u.email = $2",
        )
        .bind(organization.id)
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(user_id) = member {
            if role != Role::Admin && is_last_admin(&mut tx, organization, user_id).await? {
                return Ok(Invited::LastAdmin);
            }
            set_role(&mut tx, organization, user_id, role).await?;
            self.commit_member_change(tx).await?;
            return Ok(Invited::RoleChanged);
        }
        sql::query(
            "INSERT INTO users (email, password_hash, must_change_password) VALUES ($1, $2, true)
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(&email)
        .bind(new_account_hash)
        .execute(&mut *tx)
        .await?;
        let expires_at: DateTime<Utc> = sql::query_scalar(
            "INSERT INTO invitations (organization_id, email, role, invited_by, expires_at)
             VALUES ($1, $2, $3, $4, NOW() + make_interval(secs => $5))
             ON CONFLICT (organization_id, email) DO UPDATE SET role = EXCLUDED.role,
                 invited_by = EXCLUDED.invited_by, created_at = NOW(), expires_at = EXCLUDED.expires_at
             RETURNING expires_at",
        )
        .bind(organization.id)
        .bind(&email)
        .bind(role.as_str())
        .bind(invited_by)
        .bind(valid_for.num_seconds() as f64)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Invited::Invitation { expires_at })
    }

    /// The organization's invitations not answered yet (expired ones included, marked
    /// by their date, until replaced or cancelled).
    pub async fn pending_invitations(&self) -> Result<Vec<PendingInvitation>, sqlx::Error> {
        let rows: Vec<(String, String, Option<String>, DateTime<Utc>)> = sql::query_as(
            "SELECT i.email, i.role, inviter.email, i.expires_at
             FROM invitations i LEFT JOIN users inviter ON inviter.id = i.invited_by
             WHERE i.organization_id = $1 ORDER BY i.created_at DESC, i.email",
        )
        .bind(self.organization().id)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(email, role, invited_by, expires_at)| {
                Some(PendingInvitation { email, role: Role::parse(&role)?, invited_by, expires_at: when(expires_at) })
            })
            .collect())
    }

    /// Withdraws the invitation of `email`; false if there was none.
    pub async fn cancel_invitation(&self, email: &str) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
        let removed = sql::query("DELETE FROM invitations WHERE organization_id = $1 AND email = $2")
            .bind(self.organization().id)
            .bind(normalize_email(email))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(removed > 0)
    }
}

impl Store {
    /// Every organization `user_id` belongs to, oldest first. Read before an
    /// organization is chosen, through `memberships_of` (migration 13).
    pub async fn memberships(&self, user_id: Uuid) -> Result<Vec<Member>, sqlx::Error> {
        let rows: Vec<MemberRow> = sql::query_as(
            "SELECT user_id, email, role, organization_id, slug, name, redis_prefix FROM memberships_of($1)",
        )
        .bind(user_id)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows.into_iter().filter_map(MemberRow::into_member).collect())
    }

    /// The open invitations addressed to the account's email.
    pub async fn invitations_to(&self, user_id: Uuid) -> Result<Vec<InvitationToYou>, sqlx::Error> {
        // id, organization name, role, who invited, until when.
        type Row = (Uuid, String, String, Option<String>, DateTime<Utc>);
        let rows: Vec<Row> =
            sql::query_as("SELECT id, organization_name, role, invited_by, expires_at FROM invitations_of($1)")
                .bind(user_id)
                .fetch_all(&mut *self.begin().await?)
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, organization_name, role, invited_by, expires_at)| {
                Some(InvitationToYou {
                    id,
                    organization_name,
                    role: Role::parse(&role)?,
                    invited_by,
                    expires_at: when(expires_at),
                })
            })
            .collect())
    }

    /// Accepts or declines an invitation of the account's own. Returns the inviting
    /// organization's id, or `None` if no such open invitation is addressed to it.
    pub async fn answer_invitation(
        &self,
        user_id: Uuid,
        invitation: Uuid,
        accept: bool,
    ) -> Result<Option<Uuid>, sqlx::Error> {
        let mut tx = self.begin().await?;
        let organization: Option<Uuid> = sql::query_scalar("SELECT answer_invitation($1, $2, $3)")
            .bind(user_id)
            .bind(invitation)
            .bind(accept)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(organization)
    }

    /// Offered first at the account's next sign-in.
    pub async fn remember_organization(&self, user_id: Uuid, organization_id: Uuid) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        sql::query("UPDATE users SET last_organization_id = $2 WHERE id = $1")
            .bind(user_id)
            .bind(organization_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}
