//! Background work of the server: seed 003's fourth layer. Every 15 minutes the
//! transactions get their partitions for the coming months and the standard dashboards
//! are computed into the cache, so no user waits for them.

use crate::data::transactions::PARTITION_MONTHS_AHEAD;
use crate::data::{Organization, Store};
use chrono::{Months, NaiveDate};
use std::time::Duration;

pub const TRANSACTION_MAINTENANCE_EVERY: Duration = Duration::from_secs(15 * 60);

/// Partitions up to `PARTITION_MONTHS_AHEAD` months ahead, then the standard dashboards into the cache.
pub async fn maintain_transactions(
    store: &Store,
    organization: &Organization,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    store.ensure_transaction_partitions(today, today + Months::new(PARTITION_MONTHS_AHEAD)).await?;
    store.for_organization(organization).precompute_transaction_dashboards(today).await
}

/// Runs `maintain_transactions` now and then every 15 minutes, for as long as the server runs.
pub fn spawn_transaction_maintenance(store: Store, organization: Organization) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TRANSACTION_MAINTENANCE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let today = chrono::Local::now().date_naive();
            if let Err(error) = maintain_transactions(&store, &organization, today).await {
                tracing::warn!(%error, "transaction maintenance failed; it runs again in 15 minutes");
            }
        }
    })
}
