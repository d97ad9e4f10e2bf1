//! Organizations made, listed and removed as a whole (issue 23), and what the
//! background work records for each one.
//!
//! A new organization gets what the default one got from the migrations: seed 000's
//! commission rates, transaction partitions, a Redis prefix, `data_sources` rows, plus
//! its first admin. Deleting one removes its rows from every table that has an
//! `organization_id` (found in the catalog, so a table added later is not forgotten)
//! and its Redis keys.

use super::sync_logs::SourceType;
use super::users::normalize_email;
use super::{sql, Organization, OrganizationStore, Store};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// Keys examined per SCAN step, and the most unlinked per UNLINK.
const REDIS_BATCH: usize = 1_000;
/// How long deleting the keys waits for Redis to connect, and for each answer.
const REDIS_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);
const REDIS_RESPONSE_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// Seed 000's rates as migration 8 wrote them for the default organization (level 0 is
/// the collaborator who closed the sale, 1–4 its upline), effective since 2000 so
/// every month pays. Not copied from the default organization's table: its admins may
/// have edited theirs, and a new organization starts from the seed's.
const SEED_COMMISSION_RATES_SQL: &str = "INSERT INTO hoa_hong_config (organization_id, level, rate, effective_from)
     SELECT $1, level, rate, DATE '2000-01-01'
     FROM (VALUES (0, 10), (1, 5), (2, 3), (3, 2), (4, 1)) AS seed (level, rate)";

/// What `create_organization_with_admin` needs, checked by the caller.
#[derive(Clone, Debug)]
pub struct NewOrganization<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub redis_prefix: &'a str,
    pub admin_email: &'a str,
    /// The password hash a NEW admin account gets (marked to be changed at first
    /// sign-in); an existing account keeps its own password.
    pub new_admin_password_hash: &'a str,
    /// Transaction partitions from this month's…
    pub partitions_from: NaiveDate,
    /// …to this one's, both included.
    pub partitions_until: NaiveDate,
}

/// Whether the first admin's account was made for the organization or already existed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminAccount {
    /// A new account, with the made-up password it was given.
    Created,
    /// An account someone already had, now the organization's admin; its password and
    /// its other memberships are untouched.
    Existing,
}

#[derive(Clone, Debug)]
pub struct CreatedOrganization {
    pub organization: Organization,
    pub admin_email: String,
    pub admin: AdminAccount,
    pub commission_rates: u64,
    pub partitions_created: i32,
    /// `source_type` of each `data_sources` row made.
    pub data_sources: Vec<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateOrganizationError {
    #[error("slug: an organization with slug {0:?} already exists")]
    SlugTaken(String),
    #[error("slug: the Redis prefix {0:?} derived from it belongs to another organization; choose another slug")]
    PrefixTaken(String),
    #[error("{0}")]
    Database(#[from] sqlx::Error),
}

/// One organization as `organization list` shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrganizationListing {
    pub slug: String,
    pub name: String,
    pub redis_prefix: String,
    pub members: i64,
    pub subscribers: i64,
    pub created_at: DateTime<Utc>,
}

/// What deleting an organization removed.
#[derive(Clone, Debug)]
pub struct DeletedOrganization {
    pub organization: Organization,
    /// Rows per table (partitions by their own name), in name order; only tables that
    /// held some.
    pub rows: Vec<(String, i64)>,
    /// Accounts that belonged to no other organization, deleted with it.
    pub accounts: Vec<String>,
    pub redis_keys: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteOrganizationError {
    #[error("no organization with slug {0:?}")]
    NotFound(String),
    #[error("the default organization cannot be deleted: it owns the seeds' `ut360` Redis keys and the rows of INSERTs that name no organization")]
    Default,
    #[error("{table} still has {rows} rows of the organization after deleting; nothing was deleted")]
    Leftover { table: String, rows: i64 },
    #[error("{0}; nothing was deleted")]
    Database(#[from] sqlx::Error),
    #[error("deleting the Redis keys failed: {0}; nothing was deleted from PostgreSQL (run the command again)")]
    Redis(#[from] redis::RedisError),
}

/// A table with an `organization_id` column: `sql` to name it in a statement, `name`
/// to show.
#[derive(sqlx::FromRow)]
struct TenantTable {
    sql: String,
    name: String,
    /// A partition or a plain table (holds rows itself), not a partitioned parent.
    holds_rows: bool,
    /// Not a partition: a DELETE on it reaches its partitions.
    is_root: bool,
}

/// Every table of every schema with an `organization_id` column, partitions included.
const TENANT_TABLES_SQL: &str = "SELECT format('%I.%I', n.nspname, c.relname) AS sql,
            CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE format('%s.%s', n.nspname, c.relname) END AS name,
            c.relkind = 'r' AS holds_rows, NOT c.relispartition AS is_root
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
       AND EXISTS (SELECT 1 FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)
     ORDER BY 2";

/// Tables whose foreign key to `organizations` does not delete their rows with it
/// (NO ACTION or RESTRICT would refuse the delete; SET NULL would keep the rows as
/// nobody's): their rows are deleted before the organization's.
const NON_CASCADING_TABLES_SQL: &str = "SELECT DISTINCT format('%I.%I', n.nspname, c.relname)
     FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
     WHERE k.contype = 'f' AND k.confrelid = 'organizations'::regclass AND k.confdeltype <> 'c'
       AND a.attnum = ANY (k.conkey)
     ORDER BY 1";

impl Store {
    /// Every organization, oldest first (the background job serves each).
    pub async fn organizations(&self) -> Result<Vec<Organization>, sqlx::Error> {
        let mut tx = self.begin().await?;
        let organizations =
            sql::query_as("SELECT id, slug, name, redis_prefix FROM organizations ORDER BY created_at, slug")
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(organizations)
    }

    /// Every organization with its numbers of members and subscribers, oldest first.
    pub async fn organization_listings(&self) -> Result<Vec<OrganizationListing>, sqlx::Error> {
        let mut tx = self.begin().await?;
        // Each count is an index-only scan of that organization's range of the index.
        let listings = sql::query_as(
            "SELECT o.slug, o.name, o.redis_prefix, COALESCE(o.created_at, NOW()) AS created_at,
                    (SELECT COUNT(*) FROM organization_members m WHERE m.organization_id = o.id) AS members,
                    (SELECT COUNT(*) FROM recommendations r WHERE r.organization_id = o.id) AS subscribers
             FROM organizations o ORDER BY o.created_at, o.slug",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(listings)
    }

    /// Creates the organization, with seed 000's commission rates, its `data_sources`,
    /// the transaction partitions it needs, and `admin_email` as its admin (a new
    /// account if the email has none), all in one transaction: on any error nothing
    /// is left half made.
    pub async fn create_organization_with_admin(
        &self,
        new: &NewOrganization<'_>,
    ) -> Result<CreatedOrganization, CreateOrganizationError> {
        let mut tx = self.begin().await?;
        let organization: Organization = sql::query_as(
            "INSERT INTO organizations (slug, name, redis_prefix) VALUES ($1, $2, $3)
             RETURNING id, slug, name, redis_prefix",
        )
        .bind(new.slug)
        .bind(new.name)
        .bind(new.redis_prefix)
        .fetch_one(&mut *tx)
        .await
        .map_err(|error| match unique_constraint(&error).as_deref() {
            Some("organizations_slug_key") => CreateOrganizationError::SlugTaken(new.slug.to_owned()),
            Some("organizations_redis_prefix_key") => CreateOrganizationError::PrefixTaken(new.redis_prefix.to_owned()),
            _ => CreateOrganizationError::Database(error),
        })?;

        let commission_rates =
            sql::query(SEED_COMMISSION_RATES_SQL).bind(organization.id).execute(&mut *tx).await?.rows_affected();

        // The sources whose runs `sync_logs` records: the cache sync (its prefix is
        // known now) and the background job, so a failed run has a row to hang on.
        let sources = [
            (SourceType::RedisCache, serde_json::json!({ "redis_prefix": organization.redis_prefix })),
            (SourceType::TransactionMaintenance, serde_json::json!({ "every_minutes": 15 })),
        ];
        for (source, config) in &sources {
            sql::query(
                "INSERT INTO data_sources (organization_id, source_type, source_name, connection_config, sync_status)
                 VALUES ($1, $2, $3, $4, 'idle')",
            )
            .bind(organization.id)
            .bind(source.as_str())
            .bind(source.source_name())
            .bind(config)
            .execute(&mut *tx)
            .await?;
        }

        // Partitions hold every organization's rows; the ones it will write to soon
        // exist before its first load or its first round of the job.
        let partitions_created: i32 = sql::query_scalar("SELECT ensure_transaction_partitions($1, $2)")
            .bind(new.partitions_from)
            .bind(new.partitions_until)
            .fetch_one(&mut *tx)
            .await?;

        let email = normalize_email(new.admin_email);
        let created: Option<Uuid> = sql::query_scalar(
            // A password made up for the account: changed at first sign-in.
            "INSERT INTO users (email, password_hash, must_change_password) VALUES ($1, $2, true)
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(&email)
        .bind(new.new_admin_password_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let (user_id, admin) = match created {
            Some(id) => (id, AdminAccount::Created),
            None => (
                sql::query_scalar("SELECT id FROM users WHERE email = $1").bind(&email).fetch_one(&mut *tx).await?,
                AdminAccount::Existing,
            ),
        };
        sql::query("INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, 'admin')")
            .bind(organization.id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(CreatedOrganization {
            organization,
            admin_email: email,
            admin,
            commission_rates,
            partitions_created,
            data_sources: sources.iter().map(|(source, _)| source.as_str()).collect(),
        })
    }

    /// Deletes the organization with every row it has in any table or partition, the
    /// accounts that belonged to it alone, and every Redis key under its prefix.
    /// PostgreSQL's part is one transaction, committed only once every table is
    /// checked empty of it and its Redis keys are gone; keys a request cached in
    /// between are deleted by a second pass after the commit.
    pub async fn delete_organization(&self, slug: &str) -> Result<DeletedOrganization, DeleteOrganizationError> {
        let mut tx = self.begin().await?;
        let organization: Organization =
            sql::query_as("SELECT id, slug, name, redis_prefix FROM organizations WHERE slug = $1 FOR UPDATE")
                .bind(slug)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| DeleteOrganizationError::NotFound(slug.to_owned()))?;
        if organization.slug == Organization::DEFAULT_SLUG {
            return Err(DeleteOrganizationError::Default);
        }
        let id = organization.id;
        let tables: Vec<TenantTable> = sql::query_as(TENANT_TABLES_SQL).fetch_all(&mut *tx).await?;

        let mut rows = Vec::new();
        for table in tables.iter().filter(|table| table.holds_rows) {
            let count: i64 = count_rows(&mut tx, table, id).await?;
            if count > 0 {
                rows.push((table.name.clone(), count));
            }
        }
        let members: Vec<Uuid> =
            sql::query_scalar("SELECT user_id FROM organization_members WHERE organization_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;

        let non_cascading: Vec<String> = sql::query_scalar(NON_CASCADING_TABLES_SQL).fetch_all(&mut *tx).await?;
        for table in &non_cascading {
            delete_rows(&mut tx, table, id).await?;
        }
        // The foreign keys' ON DELETE CASCADE and the organization's own triggers (the
        // commission ledger, the transactions and their summaries) delete the rest the
        // way the schema means them to: with the organization gone, the triggers that
        // refuse deleting a paid customer or collaborator let them go.
        sql::query("DELETE FROM organizations WHERE id = $1").bind(id).execute(&mut *tx).await?;
        // Tables that reach the organization by no key at all (sums kept by triggers,
        // a table added later without one).
        for table in tables.iter().filter(|table| table.is_root) {
            let swept = delete_rows(&mut tx, &table.sql, id).await?;
            if swept > 0 {
                tracing::debug!(table = table.name, rows = swept, "rows without a cascading key deleted");
            }
        }
        let accounts: Vec<String> = sql::query_scalar(
            "DELETE FROM users u WHERE u.id = ANY($1)
                 AND NOT EXISTS (SELECT 1 FROM organization_members m WHERE m.user_id = u.id)
             RETURNING u.email",
        )
        .bind(&members)
        .fetch_all(&mut *tx)
        .await?;
        for table in tables.iter().filter(|table| table.holds_rows) {
            let left = count_rows(&mut tx, table, id).await?;
            if left > 0 {
                return Err(DeleteOrganizationError::Leftover { table: table.name.clone(), rows: left });
            }
        }

        let mut redis_keys = self.unlink_keys_under(&organization.redis_prefix).await?;
        self.commit_member_change(tx).await?;
        match self.unlink_keys_under(&organization.redis_prefix).await {
            Ok(late) => redis_keys += late,
            Err(error) => {
                tracing::warn!(%error, prefix = organization.redis_prefix, "the second pass over Redis failed")
            }
        }
        let mut accounts = accounts;
        accounts.sort();
        Ok(DeletedOrganization { organization, rows, accounts, redis_keys })
    }

    /// Deletes every key `{prefix}:…` (and, on a cluster, `{{prefix}}:…`, see
    /// `redis_connection::KeyLayout`), SCANning (never KEYS, which blocks Redis; on a
    /// cluster, each master) and unlinking each batch as it is found (UNLINK frees memory
    /// off Redis's main thread). Returns how many were deleted.
    async fn unlink_keys_under(&self, prefix: &str) -> Result<u64, redis::RedisError> {
        let mut redis = self.redis_client.connection(REDIS_CONNECT_TIMEOUT, REDIS_RESPONSE_TIMEOUT).await?;
        let mut scan = redis.scan_organization(prefix, REDIS_BATCH).await?;
        let mut unlinked = 0;
        while let Some(keys) = scan.next(&mut redis).await? {
            for batch in keys.chunks(REDIS_BATCH) {
                // On a cluster the client splits the UNLINK by slot and adds the counts.
                let removed: u64 = redis::cmd("UNLINK").arg(batch).query_async(&mut redis).await?;
                unlinked += removed;
            }
        }
        Ok(unlinked)
    }
}

async fn count_rows(tx: &mut sqlx::PgConnection, table: &TenantTable, id: Uuid) -> Result<i64, sqlx::Error> {
    // `table.sql` is quoted by the catalog query (format %I), never typed by anyone.
    sql::query_scalar(&format!("SELECT COUNT(*) FROM ONLY {} WHERE organization_id = $1", table.sql))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
}

async fn delete_rows(tx: &mut sqlx::PgConnection, table_sql: &str, id: Uuid) -> Result<u64, sqlx::Error> {
    Ok(sql::query(&format!("DELETE FROM {table_sql} WHERE organization_id = $1"))
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected())
}

/// The constraint a unique violation names, if `error` is one.
fn unique_constraint(error: &sqlx::Error) -> Option<String> {
    let database = error.as_database_error()?;
    database.is_unique_violation().then(|| database.constraint().unwrap_or_default().to_owned())
}

impl OrganizationStore {
    /// Records how a scheduled run of `source` for the organization ended: the source's
    /// status and last run always; a failure also gets a `sync_logs` row with its error,
    /// so it shows where the organization's other runs do. (A success every 15 minutes
    /// for every organization would fill `sync_logs` with nothing to read.)
    pub async fn record_scheduled_run(
        &self,
        source: SourceType,
        started_at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let data_source_id: Uuid = sql::query_scalar(
            "INSERT INTO data_sources (organization_id, source_type, source_name, connection_config, sync_status,
                                       last_sync_at, last_error)
             VALUES ($1, $2, $3, '{}', $4, NOW(), $5)
             ON CONFLICT (organization_id, source_type, source_name) DO UPDATE
                 SET sync_status = EXCLUDED.sync_status, last_sync_at = NOW(), last_error = EXCLUDED.last_error,
                     updated_at = NOW()
             RETURNING id",
        )
        .bind(organization.id)
        .bind(source.as_str())
        .bind(source.source_name())
        .bind(if error.is_some() { "failed" } else { "success" })
        .bind(error)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(error) = error {
            sql::query(
                "INSERT INTO sync_logs (organization_id, data_source_id, sync_type, status, started_at, completed_at,
                                        duration_seconds, error_message)
                 VALUES ($1, $2, 'scheduled', 'failed', $3, clock_timestamp(),
                         ROUND(EXTRACT(EPOCH FROM clock_timestamp() - $3))::int, $4)",
            )
            .bind(organization.id)
            .bind(data_source_id)
            .bind(started_at)
            .bind(error)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}
