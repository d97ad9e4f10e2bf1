//! Two refreshes (imports or cache syncs) of one organization never overlap: each
//! holds a PostgreSQL advisory lock for its whole run.

use crate::data::{sql, OrganizationStore};
use sqlx::{Connection, PgConnection};

/// Held while a refresh runs. The lock lives on its own connection to PostgreSQL
/// itself (the direct pool: a session-level lock cannot go through PgBouncer's
/// transaction pooling), so it is freed when the guard is released, dropped, or the
/// process dies.
pub struct RefreshLock {
    connection: PgConnection,
}

impl OrganizationStore {
    /// Takes the organization's refresh lock, or `None` if another refresh holds it.
    pub async fn try_lock_refresh(&self) -> Result<Option<RefreshLock>, sqlx::Error> {
        let organization = &self.organization;
        let mut connection = self.direct().acquire().await?.detach();
        let locked: bool = sql::query_scalar("SELECT pg_try_advisory_lock(hashtext('ut360:refresh:' || $1::text))")
            .bind(organization.id)
            .fetch_one(&mut connection)
            .await?;
        if locked {
            Ok(Some(RefreshLock { connection }))
        } else {
            connection.close().await?;
            Ok(None)
        }
    }
}

impl RefreshLock {
    /// Unlocks before closing: a closed connection's lock is freed only when its
    /// server process has gone, which can be after the next refresh asks.
    pub async fn release(mut self) -> Result<(), sqlx::Error> {
        sql::query("SELECT pg_advisory_unlock_all()").execute(&mut self.connection).await?;
        self.connection.close().await
    }
}
