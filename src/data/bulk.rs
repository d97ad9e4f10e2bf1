//! Bulk lookup (seed 001 use case 6): up to 10,000 ISDNs at once. Redis answers in
//! one pipelined round trip, PostgreSQL whatever Redis lacks in one query, and the
//! whole answer is kept under `{prefix}:bulk:{hash}` for an hour (every cache sync
//! drops these). An organization keeps at most `MAX_KEPT_BULK_ANSWERS` of them: a
//! sorted set `{prefix}:bulk-index` holds their keys by the time they were kept, and
//! keeping one more deletes the oldest. On a Redis Cluster both carry the prefix as a
//! hash tag (`{ut360}:bulk:…`, `{ut360}:bulk-index`: one slot), and the `HMGET`
//! pipeline is split by node (`redis_connection`).

use super::lookups::LookupError;
use super::recommendation_rows::{recommendation_from_values, RecFields, REC_FIELDS_SQL, REC_FIELD_NAMES};
use super::redis_connection::RedisConnection;
use super::resilience::CacheCounters;
use super::Store;
use crate::data::{sql, OrganizationStore};
use crate::domain::isdn::Isdn;
use crate::domain::lists::BulkLookup;
use crate::domain::recommendation::Recommendation;
use redis::AsyncCommands;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

pub const MAX_BULK_ISDNS: usize = 10_000;
const BULK_TTL_SECONDS: u64 = 60 * 60;
/// Answers an organization keeps at once. One answer of 10,000 ISDNs is about 3 MB, so
/// an organization holds at most about 60 MB of them, however many lists it asks for.
pub const MAX_KEPT_BULK_ANSWERS: usize = 20;
/// The organization's kept answers by the time (ms) they were kept.
pub const BULK_INDEX: &str = "bulk-index";
/// Keeps an answer and its place in the index, drops entries that expired and the
/// oldest beyond the cap, in one step so lookups at once cannot overshoot it.
/// KEYS: the answer, the index; ARGV: the answer, its TTL (s), now (ms), the cap.
const KEEP_BULK_SCRIPT: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]) * 1000)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('DEL', unpack(oldest))
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
end
redis.call('EXPIRE', KEYS[2], ARGV[2])
return over";
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

    async fn bulk_lookup_connections(&self) -> Option<&Vec<RedisConnection>> {
        let connect = || async {
            let mut connections = Vec::with_capacity(BULK_CONNECTIONS);
            for _ in 0..BULK_CONNECTIONS {
                connections.push(self.redis_client.managed(BULK_REDIS_TIMEOUT, BULK_REDIS_TIMEOUT).await?);
            }
            Ok::<_, redis::RedisError>(connections)
        };
        self.bulk_lookup_redis.get_or_try_init(connect).await.ok()
    }

    async fn keep_bulk(&self, key: &str, index: &str, lookup: &BulkLookup) {
        if !self.cache.breaker.allows() {
            return;
        }
        let Ok(text) = serde_json::to_string(lookup) else { return };
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX));
        let mut keep = redis::cmd("EVAL");
        keep.arg(KEEP_BULK_SCRIPT).arg(2).arg(key).arg(index);
        keep.arg(text).arg(BULK_TTL_SECONDS).arg(now_ms).arg(MAX_KEPT_BULK_ANSWERS);
        let mut redis = self.redis.clone();
        match tokio::time::timeout(BULK_REDIS_TIMEOUT, keep.query_async::<i64>(&mut redis)).await {
            Ok(Ok(_evicted)) => CacheCounters::count(&self.cache.counters.fills),
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
        // On a cluster the answers and their index share the organization's slot: the
        // script that keeps one reads and deletes the others (`KeyLayout::grouped_key`).
        let layout = self.redis_layout();
        let key = layout.grouped_key(organization, &format!("bulk:{}", list_hash(&unique)));
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
            let rows: Vec<RecFields> = sql::query_as(&format!(
                "SELECT {REC_FIELDS_SQL} FROM recommendations r WHERE r.organization_id = $1 AND r.isdn = ANY($2)"
            ))
            .bind(organization.id)
            .bind(&missing)
            .fetch_all(&mut *self.begin().await?)
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
        let index = layout.grouped_key(organization, BULK_INDEX);
        tokio::spawn(async move { store.keep_bulk(&key, &index, &kept).await });
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
