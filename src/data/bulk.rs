//! Bulk lookup (seed 001 use case 6): up to 10,000 ISDNs at once. Redis answers in
//! one pipelined round trip, PostgreSQL whatever Redis lacks in one query, and the
//! whole answer is kept under `{prefix}:bulk:{hash}` for an hour (every cache sync
//! drops these).

use super::lookups::LookupError;
use super::recommendation_rows::{recommendation_from_values, RecFields, REC_FIELDS_SQL, REC_FIELD_NAMES};
use super::resilience::CacheCounters;
use super::Store;
use crate::data::OrganizationStore;
use crate::domain::isdn::Isdn;
use crate::domain::lists::BulkLookup;
use crate::domain::recommendation::Recommendation;
use redis::AsyncCommands;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

pub const MAX_BULK_ISDNS: usize = 10_000;
const BULK_TTL_SECONDS: u64 = 60 * 60;
/// Longer than a single lookup's wait: 10,000 hashes take tens of milliseconds.
const BULK_REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// Parsing 10,000 replies costs more than Redis's work, so it is spread this wide.
const BULK_CONNECTIONS: usize = 4;
const ISDNS_PER_CONNECTION: usize = 1000;

impl Store {
    async fn cached_bulk(&self, key: &str) -> Option<BulkLookup> {
        if !self.cache.breaker.allows() {
            return None;
        }
        let mut redis = self.redis.clone();
        match tokio::time::timeout(BULK_REDIS_TIMEOUT, redis.get::<_, Option<String>>(key)).await {
            Ok(Ok(Some(text))) => {
                CacheCounters::count(&self.cache.counters.hits);
                serde_json::from_str(&text).ok()
            }
            Ok(Ok(None)) => {
                CacheCounters::count(&self.cache.counters.misses);
                None
            }
            _ => {
                self.bulk_redis_failed();
                None
            }
        }
    }

    async fn bulk_lookup_connections(&self) -> Option<&Vec<redis::aio::ConnectionManager>> {
        let connect = || async {
            let config = redis::aio::ConnectionManagerConfig::new()
                .set_connection_timeout(Some(BULK_REDIS_TIMEOUT))
                .set_response_timeout(Some(BULK_REDIS_TIMEOUT))
                .set_number_of_retries(1);
            let mut connections = Vec::with_capacity(BULK_CONNECTIONS);
            for _ in 0..BULK_CONNECTIONS {
                connections.push(
                    redis::aio::ConnectionManager::new_with_config(self.redis_client.clone(), config.clone()).await?,
                );
            }
            Ok::<_, redis::RedisError>(connections)
        };
        self.bulk_lookup_redis.get_or_try_init(connect).await.ok()
    }

    async fn keep_bulk(&self, key: &str, lookup: &BulkLookup) {
        if !self.cache.breaker.allows() {
            return;
        }
        let Ok(text) = serde_json::to_string(lookup) else { return };
        let mut redis = self.redis.clone();
        match tokio::time::timeout(BULK_REDIS_TIMEOUT, redis.set_ex::<_, _, ()>(key, text, BULK_TTL_SECONDS)).await {
            Ok(Ok(())) => CacheCounters::count(&self.cache.counters.fills),
            _ => self.bulk_redis_failed(),
        }
    }

    fn bulk_redis_failed(&self) {
        tracing::warn!("Redis did not answer a bulk lookup in time; reading PostgreSQL");
        self.record_redis_failure();
    }
}

impl OrganizationStore {
    /// The recommendations of `isdns` that exist, and the ISDNs that do not, each
    /// once, in the order asked.
    pub async fn bulk_recommendations(&self, isdns: &[Isdn]) -> Result<BulkLookup, LookupError> {
        let organization = &self.organization;
        let mut seen = HashSet::with_capacity(isdns.len());
        let unique: Vec<&str> = isdns.iter().map(Isdn::as_str).filter(|isdn| seen.insert(*isdn)).collect();
        let key = organization.redis_key(&format!("bulk:{}", list_hash(&unique)));
        if let Some(cached) = self.cached_bulk(&key).await {
            return Ok(cached);
        }

        let started = Instant::now();
        let mut found = self.recommendations_from_redis(&unique).await;
        let (from_redis, redis_time) = (found.len(), started.elapsed());
        let missing: Vec<String> =
            unique.iter().filter(|isdn| !found.contains_key(**isdn)).map(|isdn| isdn.to_string()).collect();
        if !missing.is_empty() {
            CacheCounters::count(&self.cache.counters.database_reads);
            let rows: Vec<RecFields> = sqlx::query_as(&format!(
                "SELECT {REC_FIELDS_SQL} FROM recommendations r WHERE r.organization_id = $1 AND r.isdn = ANY($2)"
            ))
            .bind(organization.id)
            .bind(&missing)
            .fetch_all(&self.pg)
            .await?;
            found.extend(
                rows.into_iter().filter_map(RecFields::into_recommendation).map(|rec| (rec.isdn.to_string(), rec)),
            );
        }

        let mut lookup = BulkLookup { found: Vec::with_capacity(found.len()), not_found: Vec::new() };
        for isdn in unique {
            match found.remove(isdn) {
                Some(recommendation) => lookup.found.push(recommendation),
                None => lookup.not_found.push(isdn.to_owned()),
            }
        }
        tracing::debug!(asked = lookup.found.len() + lookup.not_found.len(), from_redis, ?redis_time, took = ?started.elapsed(), "bulk lookup");
        // Kept after answering: the caller does not wait for a 3 MB write.
        let (store, kept) = (self.clone(), lookup.clone());
        tokio::spawn(async move { store.keep_bulk(&key, &kept).await });
        Ok(lookup)
    }

    /// The `rec` hashes Redis has, by ISDN; nothing when Redis is away. Large lists
    /// are split over a few connections, so replies are parsed on every core.
    async fn recommendations_from_redis(&self, isdns: &[&str]) -> HashMap<String, Recommendation> {
        let organization = &self.organization;
        if !self.cache.breaker.allows() {
            return HashMap::new();
        }
        let Some(connections) = self.bulk_lookup_connections().await else {
            self.bulk_redis_failed();
            return HashMap::new();
        };
        let chunks = isdns.len().div_ceil(ISDNS_PER_CONNECTION).clamp(1, connections.len());
        let chunk_size = isdns.len().div_ceil(chunks).max(1);
        let lookups = isdns.chunks(chunk_size).zip(connections.iter()).map(|(chunk, connection)| {
            let mut pipe = redis::pipe();
            for isdn in chunk {
                pipe.cmd("HMGET").arg(organization.redis_key(&format!("rec:{isdn}"))).arg(&REC_FIELD_NAMES[..]);
            }
            let mut connection = connection.clone();
            tokio::spawn(async move {
                let replies = tokio::time::timeout(
                    BULK_REDIS_TIMEOUT,
                    pipe.query_async::<Vec<Vec<Option<String>>>>(&mut connection),
                )
                .await;
                let replies = replies.map_err(|_| ()).and_then(|reply| reply.map_err(|_| ()))?;
                Ok::<_, ()>(replies.iter().filter_map(|values| recommendation_from_values(values)).collect::<Vec<_>>())
            })
        });
        let mut found = HashMap::with_capacity(isdns.len());
        for outcome in futures_util::future::join_all(lookups).await {
            match outcome {
                Ok(Ok(recommendations)) => {
                    found.extend(recommendations.into_iter().map(|rec| (rec.isdn.to_string(), rec)))
                }
                _ => {
                    self.bulk_redis_failed();
                    return HashMap::new();
                }
            }
        }
        found
    }
}

/// SHA-256 of the list as asked, in hex: the same list finds the same cached answer.
fn list_hash(isdns: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for isdn in isdns {
        hasher.update(isdn.as_bytes());
        hasher.update(b"\n");
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::list_hash;

    #[test]
    fn the_hash_depends_on_every_isdn_and_their_order() {
        let ab = list_hash(&["a", "b"]);
        assert_eq!(ab.len(), 64);
        assert_eq!(ab, list_hash(&["a", "b"]));
        assert_ne!(ab, list_hash(&["b", "a"]));
        assert_ne!(ab, list_hash(&["ab"]));
    }
}
