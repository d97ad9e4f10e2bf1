//! Seed 004's organizations: the tenant every row belongs to.

use super::Store;
use crate::data::{sql, OrganizationStore};
use uuid::Uuid;

/// The tenant a request acts for. Its `redis_prefix` starts every Redis key it owns.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Organization {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub redis_prefix: String,
}

impl Organization {
    /// Created by the first migration; owns the demo data and the seed's `ut360` prefix.
    pub const DEFAULT_SLUG: &'static str = "default";

    /// `{prefix}:{suffix}`, e.g. `ut360:meta:stats`.
    pub fn redis_key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.redis_prefix)
    }
}

impl Store {
    pub async fn organization_by_slug(&self, slug: &str) -> Result<Option<Organization>, sqlx::Error> {
        sql::query_as("SELECT id, slug, name, redis_prefix FROM organizations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *self.begin().await?)
            .await
    }

    pub async fn create_organization(
        &self,
        slug: &str,
        name: &str,
        redis_prefix: &str,
    ) -> Result<Organization, sqlx::Error> {
        let mut tx = self.begin().await?;
        let organization = sql::query_as(
            "INSERT INTO organizations (slug, name, redis_prefix) VALUES ($1, $2, $3)
             RETURNING id, slug, name, redis_prefix",
        )
        .bind(slug)
        .bind(name)
        .bind(redis_prefix)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(organization)
    }
}

impl OrganizationStore {
    /// The organization as its admins see it, with its number of members.
    pub async fn organization_settings(&self) -> Result<crate::domain::admin::OrganizationSettings, sqlx::Error> {
        let organization = &self.organization;
        let members: i64 = sql::query_scalar("SELECT COUNT(*) FROM organization_members WHERE organization_id = $1")
            .bind(organization.id)
            .fetch_one(&mut *self.begin().await?)
            .await?;
        Ok(crate::domain::admin::OrganizationSettings {
            name: organization.name.clone(),
            slug: organization.slug.clone(),
            redis_prefix: organization.redis_prefix.clone(),
            members: members as usize,
        })
    }

    /// Renames the organization; its slug and Redis prefix never change. `None` when
    /// the store may not change it (it acts for another organization).
    pub async fn rename_organization(&self, name: &str) -> Result<Option<Organization>, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let renamed = sql::query_as(
            "UPDATE organizations SET name = $2, updated_at = NOW() WHERE id = $1 RETURNING id, slug, name, redis_prefix",
        )
        .bind(organization.id)
        .bind(name.trim())
        .fetch_optional(&mut *tx)
        .await?;
        self.commit_member_change(tx).await?;
        Ok(renamed)
    }
}
