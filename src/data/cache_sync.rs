//! Rebuilding an organization's Redis keys from PostgreSQL under seed 001's contract.
//!
//! Per-subscriber hashes are overwritten in place (their field sets are fixed, so a
//! reader sees the old or the new value of each field, never a missing key). Indexes
//! are built under temporary keys and renamed into place together at the end, so no
//! reader sees a half-built index. Keys of subscribers that left are removed.
//!
//! On a Redis Cluster RENAME cannot cross slots, so the indexes and their temporary
//! keys carry the organization's prefix as a hash tag (`{ut360}:idx:…`, built under
//! `{ut360}:sync:…`): one slot, so the swap stays one MULTI (see
//! `redis_connection::KeyLayout`). The per-subscriber hashes keep seed 001's names and
//! spread over the cluster.

use super::cache_entries::CacheEntry;
use super::redis_connection::{KeyLayout, RedisConnection};
use super::{Organization, Store};
use crate::data::OrganizationStore;
use redis::AsyncCommands;
use std::collections::HashSet;

/// Seed 001: per-subscriber keys live 7 days, so a missed refresh ages them out.
pub const SUBSCRIBER_KEY_TTL_SECONDS: i64 = 7 * 24 * 60 * 60;

/// Subscribers written per Redis pipeline.
const BATCH_SIZE: usize = 2_000;

/// Pipelines sent and not yet answered, at most.
const PIPELINES_IN_FLIGHT: usize = 4;

/// How long one bulk pipeline may take to be answered before the sync gives up.
const BULK_RESPONSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// How long the sync's own connection may take to be made.
const BULK_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// Keys examined per SCAN step.
const SCAN_COUNT: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum CacheSyncError {
    #[error("reading PostgreSQL failed: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("writing Redis failed: {0}")]
    Redis(#[from] redis::RedisError),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheSyncSummary {
    /// `rec` hashes written.
    pub recommendations: u64,
    /// `profile` hashes written.
    pub profiles: u64,
    /// Index keys renamed into place.
    pub indexes: u64,
    /// Keys deleted: subscribers that left, emptied indexes, stale bulk results.
    pub removed_keys: u64,
}

/// Where a sync is, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheSyncProgress {
    /// How many subscribers will be written.
    Started { subscribers: u64 },
    /// This many more subscribers are written.
    Written(u64),
    /// Indexes are being swapped in and stale keys removed.
    Cleaning,
}

impl OrganizationStore {
    /// Writes the organization's subscribers, indexes and `meta:stats` to Redis.
    /// The caller holds the organization's refresh lock.
    pub async fn sync_cache(
        &self,
        mut progress: impl FnMut(CacheSyncProgress),
    ) -> Result<CacheSyncSummary, CacheSyncError> {
        let organization = &self.organization;
        let mut redis = self.bulk_redis().await?;
        let layout = redis.layout();
        let building = layout.grouped_key(organization, &format!("sync:{}", uuid::Uuid::new_v4().simple()));
        let started = std::time::Instant::now();
        let subscribers = self.count_subscribers().await? as u64;
        progress(CacheSyncProgress::Started { subscribers });

        let mut summary = CacheSyncSummary::default();
        let mut present: HashSet<String> = HashSet::with_capacity(subscribers as usize);
        let mut built_indexes: HashSet<String> = HashSet::new();
        // Pipelines are sent while the next batch is read from Postgres, a few at a time.
        let mut in_flight = std::collections::VecDeque::new();
        self.each_cache_entry_batch(BATCH_SIZE, |batch: Vec<CacheEntry>| {
            let mut pipe = redis::pipe();
            for entry in &batch {
                write_entry(&mut pipe, organization, &building, entry, &mut built_indexes);
                summary.recommendations += 1;
                summary.profiles += u64::from(entry.profile.is_some());
            }
            progress(CacheSyncProgress::Written(batch.len() as u64));
            present.extend(batch.into_iter().map(|entry| entry.isdn));
            let mut redis = redis.clone();
            in_flight.push_back(tokio::spawn(async move { pipe.query_async::<()>(&mut redis).await }));
            let oldest = (in_flight.len() > PIPELINES_IN_FLIGHT).then(|| in_flight.pop_front()).flatten();
            async move {
                if let Some(oldest) = oldest {
                    oldest.await.expect("pipeline task runs to completion")?;
                }
                Ok::<_, CacheSyncError>(())
            }
        })
        .await?;
        for sent in in_flight {
            sent.await.expect("pipeline task runs to completion")?;
        }
        progress(CacheSyncProgress::Cleaning);
        tracing::debug!(elapsed = ?started.elapsed(), "subscribers written");

        summary.indexes = built_indexes.len() as u64;
        let live = LiveKeys::scan(&mut redis, organization, &present).await?;
        summary.removed_keys += swap_in_indexes(&mut redis, organization, &building, &built_indexes, &live).await?;
        unlink_all(&mut redis, &live.other_layout).await?;
        summary.removed_keys += live.other_layout.len() as u64;
        unlink_all(&mut redis, &live.departed).await?;
        unlink_all(&mut redis, &live.bulk).await?;
        summary.removed_keys += (live.departed.len() + live.bulk.len()) as u64;

        let overview = self.overview().await?;
        self.publish_meta_stats(&overview).await?;
        tracing::debug!(elapsed = ?started.elapsed(), "indexes swapped in, stale keys removed");
        Ok(summary)
    }
}

fn write_entry(
    pipe: &mut redis::Pipeline,
    organization: &Organization,
    building: &str,
    entry: &CacheEntry,
    built_indexes: &mut HashSet<String>,
) {
    write_subscriber_keys(pipe, organization, entry);
    let mut index = |suffix: String| {
        built_indexes.insert(suffix.clone());
        format!("{building}:{suffix}")
    };
    pipe.zadd(index(format!("idx:service:{}", entry.service_type)), &entry.isdn, entry.index_score).ignore();
    pipe.sadd(index(format!("idx:risk:{}", entry.bad_debt_risk)), &entry.isdn).ignore();
    if let Some(cluster) = entry.cluster_group {
        pipe.sadd(index(format!("idx:cluster:{cluster}")), &entry.isdn).ignore();
    }
}

/// Writes (or, without a profile, deletes) the subscriber's `rec` and `profile` hashes.
pub(super) fn write_subscriber_keys(pipe: &mut redis::Pipeline, organization: &Organization, entry: &CacheEntry) {
    let rec_key = organization.redis_key(&format!("rec:{}", entry.isdn));
    pipe.hset_multiple(&rec_key, &entry.recommendation).ignore();
    pipe.expire(&rec_key, SUBSCRIBER_KEY_TTL_SECONDS).ignore();

    let profile_key = organization.redis_key(&format!("profile:{}", entry.isdn));
    match &entry.profile {
        Some(profile) => {
            pipe.hset_multiple(&profile_key, &profile.to_hash_fields()).ignore();
            pipe.expire(&profile_key, SUBSCRIBER_KEY_TTL_SECONDS).ignore();
        }
        None => {
            pipe.unlink(&profile_key).ignore();
        }
    }
}

/// The organization's live keys the cleanup needs, from one SCAN: SCAN walks the whole
/// keyspace, every organization's, however few keys match, so one pass instead of one
/// per kind keeps a sync's cost from growing fivefold with the other organizations.
struct LiveKeys {
    /// Index suffixes (`idx:…`) live now.
    indexes: Vec<String>,
    /// `rec` and `profile` keys of subscribers no longer in PostgreSQL.
    departed: Vec<String>,
    /// Kept bulk answers and their index: stale once the data changed.
    bulk: Vec<String>,
    /// Indexes and bulk answers named for the other layout (a Redis once used alone,
    /// now a cluster node, or the reverse): never read, so deleted.
    other_layout: Vec<String>,
}

impl LiveKeys {
    async fn scan(
        redis: &mut RedisConnection,
        organization: &Organization,
        present: &HashSet<String>,
    ) -> Result<Self, CacheSyncError> {
        let plain = organization.redis_key("");
        let grouped = redis.layout().grouped_prefix(&organization.redis_prefix);
        let tagged = KeyLayout::Cluster.grouped_prefix(&organization.redis_prefix);
        let mut live = Self { indexes: Vec::new(), departed: Vec::new(), bulk: Vec::new(), other_layout: Vec::new() };
        let is_grouped = |suffix: &str| {
            suffix.starts_with("idx:") || suffix.starts_with("bulk:") || suffix == super::bulk::BULK_INDEX
        };
        let keys = redis.scan_organization(&organization.redis_prefix, SCAN_COUNT).await?.collect(redis).await?;
        for key in keys {
            // Grouped keys in this layout's names; the rest under the plain prefix.
            if let Some(suffix) = key.strip_prefix(grouped.as_str()).filter(|suffix| is_grouped(suffix)) {
                if suffix.starts_with("idx:") {
                    live.indexes.push(suffix.to_owned());
                } else {
                    live.bulk.push(key);
                }
                continue;
            }
            let Some(suffix) = key.strip_prefix(plain.as_str()).or_else(|| key.strip_prefix(tagged.as_str())) else {
                continue;
            };
            if is_grouped(suffix) {
                live.other_layout.push(key);
            } else if let Some(isdn) = suffix.strip_prefix("rec:").or_else(|| suffix.strip_prefix("profile:")) {
                if !present.contains(isdn) {
                    live.departed.push(key);
                }
            }
        }
        Ok(live)
    }
}

/// Renames every built index over its live key and deletes live indexes that were not
/// rebuilt (a service or cluster nobody is in any more), all in one transaction (on a
/// cluster every one of these keys is in the organization's slot).
async fn swap_in_indexes(
    redis: &mut RedisConnection,
    organization: &Organization,
    building: &str,
    built: &HashSet<String>,
    live: &LiveKeys,
) -> Result<u64, CacheSyncError> {
    let layout = redis.layout();
    let emptied: Vec<String> = live
        .indexes
        .iter()
        .filter(|suffix| !built.contains(*suffix))
        .map(|suffix| layout.grouped_key(organization, suffix))
        .collect();
    let mut swap = redis::pipe();
    swap.atomic();
    for suffix in built {
        swap.rename(format!("{building}:{suffix}"), layout.grouped_key(organization, suffix)).ignore();
    }
    for key in &emptied {
        swap.del(key).ignore();
    }
    swap.query_async::<()>(redis).await?;
    Ok(emptied.len() as u64)
}

async fn unlink_all(redis: &mut RedisConnection, keys: &[String]) -> Result<(), CacheSyncError> {
    // On a cluster the client splits each UNLINK by slot.
    for chunk in keys.chunks(BATCH_SIZE) {
        redis.unlink::<_, ()>(chunk).await?;
    }
    Ok(())
}

impl Store {
    /// A connection of its own whose pipelines may take long to answer.
    async fn bulk_redis(&self) -> Result<RedisConnection, redis::RedisError> {
        self.redis_client.connection(BULK_CONNECT_TIMEOUT, BULK_RESPONSE_TIMEOUT).await
    }

    /// Redis's `hash-max-listpack-value`, or `None` where CONFIG is not allowed.
    pub async fn redis_listpack_value(&self) -> Option<u64> {
        let reply: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("hash-max-listpack-value")
            .query_async(&mut self.redis.clone())
            .await
            .ok()?;
        reply.get(1)?.parse().ok()
    }

    /// Redis's `INFO memory` `used_memory`, in bytes: on a cluster, its masters' sum.
    pub async fn redis_used_memory(&self) -> Result<u64, redis::RedisError> {
        let mut used = 0;
        for info in self.redis.clone().info_of_each_master("memory").await? {
            used += info
                .lines()
                .find_map(|line| line.strip_prefix("used_memory:"))
                .and_then(|value| value.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    redis::RedisError::from((redis::ErrorKind::UnexpectedReturnType, "INFO memory has no used_memory"))
                })?;
        }
        Ok(used)
    }
}

impl OrganizationStore {
    /// Whether a sync has filled the organization's keys (its `meta:stats` is written last).
    pub async fn cache_is_filled(&self) -> Result<bool, redis::RedisError> {
        let organization = &self.organization;
        self.redis.clone().exists(organization.redis_key("meta:stats")).await
    }
}
