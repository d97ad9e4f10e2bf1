//! Reads of one subscriber: Redis first (seed 001's keys), Postgres on a miss, then
//! Redis is filled. Redis being slow or away makes reads slower, never failed.

use super::cache_entries::CacheEntry;
use super::cache_sync::write_subscriber_keys;
use super::recommendation_rows::{
    recommendation_from_hash_fields, recommendation_from_values, RecFields, REC_FIELDS_SQL, REC_FIELD_NAMES,
};
use super::resilience::{CacheCounters, CacheCounts, CircuitBreaker, SingleFlight};
use super::Store;
use crate::data::{sql, OrganizationStore};
use crate::domain::figures::MetaStats;
use crate::domain::profile::Profile;
pub use crate::domain::profile::SubscriberView;
use crate::domain::recommendation::Recommendation;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Longest wait for Redis on the request path before Postgres is asked instead.
const REDIS_TIMEOUT: Duration = Duration::from_millis(50);

/// How long Redis is left alone after it failed.
const BREAKER_COOL_DOWN: Duration = Duration::from_secs(2);

/// Why a read failed: Postgres could not be asked, or answered with an error.
#[derive(Clone, Debug, thiserror::Error)]
pub enum LookupError {
    #[error("PostgreSQL is unavailable: {0}")]
    Unavailable(String),
    #[error("reading PostgreSQL failed: {0}")]
    Failed(String),
}

impl From<sqlx::Error> for LookupError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                Self::Unavailable(error.to_string())
            }
            other => Self::Failed(other.to_string()),
        }
    }
}

impl super::replicas::ServerUnavailable for LookupError {
    fn server_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

type SharedEntry = Result<Option<Arc<CacheEntry>>, LookupError>;

/// The request path's cache machinery, shared by every clone of a `Store`.
pub struct CacheState {
    pub(super) counters: CacheCounters,
    pub(super) breaker: CircuitBreaker,
    entries: SingleFlight<SharedEntry>,
    recommendations: SingleFlight<Result<Option<Recommendation>, LookupError>>,
}

impl Default for CacheState {
    fn default() -> Self {
        Self {
            counters: CacheCounters::default(),
            breaker: CircuitBreaker::new(BREAKER_COOL_DOWN),
            entries: SingleFlight::default(),
            recommendations: SingleFlight::default(),
        }
    }
}

/// What asking Redis for a key gave.
enum Cached<T> {
    Hit(T),
    Miss,
    /// Redis failed, timed out, or the breaker is open.
    Unavailable,
}

impl Store {
    pub fn cache_counts(&self) -> CacheCounts {
        self.cache.counters.snapshot()
    }

    async fn cached_hash(&self, key: &str) -> Cached<HashMap<String, String>> {
        self.cached(redis::cmd("HGETALL").arg(key).to_owned(), HashMap::is_empty).await
    }

    /// Runs `read` on Redis within the request path's timeout; a reply for which
    /// `is_miss` holds counts as a miss.
    async fn cached<T: redis::FromRedisValue>(&self, read: redis::Cmd, is_miss: impl Fn(&T) -> bool) -> Cached<T> {
        let cache = &self.cache;
        if !cache.breaker.allows() {
            CacheCounters::count(&cache.counters.fallbacks);
            return Cached::Unavailable;
        }
        let mut redis = self.redis.clone();
        match tokio::time::timeout(REDIS_TIMEOUT, read.query_async::<T>(&mut redis)).await {
            Ok(Ok(reply)) => {
                cache.breaker.record_success();
                let hit = !is_miss(&reply);
                if let Some(organization) = self.organization_id {
                    self.lookup_counts.cache_read(organization, hit);
                }
                if hit {
                    CacheCounters::count(&cache.counters.hits);
                    Cached::Hit(reply)
                } else {
                    CacheCounters::count(&cache.counters.misses);
                    Cached::Miss
                }
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "Redis read failed; reading PostgreSQL");
                self.redis_failed()
            }
            Err(_) => {
                tracing::warn!("Redis did not answer within {REDIS_TIMEOUT:?}; reading PostgreSQL");
                self.redis_failed()
            }
        }
    }

    fn redis_failed<T>(&self) -> Cached<T> {
        self.record_redis_failure();
        Cached::Unavailable
    }

    /// Opens the breaker and counts the fallback to PostgreSQL.
    pub(super) fn record_redis_failure(&self) {
        self.cache.breaker.record_failure();
        CacheCounters::count(&self.cache.counters.fallbacks);
    }
}

impl OrganizationStore {
    /// Seed 001's recommendation for `isdn`, or `None` if the organization has no such subscriber.
    pub async fn recommendation(&self, isdn: &str) -> Result<Option<Recommendation>, LookupError> {
        let organization = &self.organization;
        let key = organization.redis_key(&format!("rec:{isdn}"));
        // HMGET of the known fields: no field names to read back, no map to build.
        let read = redis::cmd("HMGET").arg(&key).arg(&REC_FIELD_NAMES[..]).to_owned();
        let values = self.cached(read, |values: &Vec<Option<String>>| values.iter().all(Option::is_none)).await;
        match values {
            Cached::Hit(values) => {
                if let Some(recommendation) = recommendation_from_values(&values) {
                    return Ok(Some(recommendation));
                }
            }
            // Nothing to fill while Redis is away: read only the recommendation.
            Cached::Unavailable => return self.recommendation_from_postgres(isdn).await,
            Cached::Miss => {}
        }
        let entry = self.entry_from_postgres(isdn).await?;
        Ok(entry.and_then(|entry| recommendation_of(&entry)))
    }

    /// The recommendation and the 360 profile with its monthly ARPU.
    pub async fn subscriber_view(&self, isdn: &str) -> Result<Option<SubscriberView>, LookupError> {
        let organization = &self.organization;
        let rec_key = organization.redis_key(&format!("rec:{isdn}"));
        let profile_key = organization.redis_key(&format!("profile:{isdn}"));
        if let (Cached::Hit(rec), Cached::Hit(profile)) =
            tokio::join!(self.cached_hash(&rec_key), self.cached_hash(&profile_key))
        {
            let recommendation = Recommendation::from_fields(rec.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            if let (Some(recommendation), Some(profile)) = (recommendation, Profile::from_hash_fields(&profile)) {
                return Ok(Some(SubscriberView { recommendation, profile: Some(profile) }));
            }
        }
        let entry = self.entry_from_postgres(isdn).await?;
        Ok(entry.and_then(|entry| {
            Some(SubscriberView { recommendation: recommendation_of(&entry)?, profile: entry.profile.clone() })
        }))
    }

    /// Seed 001's `meta:stats`, from Redis, or computed from PostgreSQL when Redis
    /// does not have it.
    pub async fn meta_stats(&self) -> Result<MetaStats, LookupError> {
        let organization = &self.organization;
        if let Cached::Hit(fields) = self.cached_hash(&organization.redis_key("meta:stats")).await {
            if let Some(stats) = MetaStats::from_hash_fields(&fields) {
                return Ok(stats);
            }
        }
        CacheCounters::count(&self.cache.counters.database_reads);
        Ok(MetaStats::from_overview(&self.overview().await?))
    }

    /// One Postgres read however many requests want the subscriber at once; the
    /// result is written back to Redis unless Redis is away.
    async fn entry_from_postgres(&self, isdn: &str) -> SharedEntry {
        let organization = &self.organization;
        let flight_key = format!("{}:{isdn}", organization.id);
        self.cache
            .entries
            .run(&flight_key, || async {
                CacheCounters::count(&self.cache.counters.database_reads);
                let entry = self.cache_entry(isdn).await?;
                if let Some(entry) = &entry {
                    self.fill(entry).await;
                }
                Ok(entry.map(Arc::new))
            })
            .await
    }

    async fn recommendation_from_postgres(&self, isdn: &str) -> Result<Option<Recommendation>, LookupError> {
        let organization = &self.organization;
        let flight_key = format!("{}:{isdn}", organization.id);
        self.cache
            .recommendations
            .run(&flight_key, || async {
                CacheCounters::count(&self.cache.counters.database_reads);
                let row: Option<RecFields> = sql::query_as(&format!(
                    "SELECT {REC_FIELDS_SQL} FROM recommendations r WHERE r.organization_id = $1 AND r.isdn = $2"
                ))
                .bind(organization.id)
                .bind(isdn)
                .fetch_optional(&mut *self.begin().await?)
                .await?;
                Ok(row.and_then(RecFields::into_recommendation))
            })
            .await
    }

    async fn fill(&self, entry: &CacheEntry) {
        let organization = &self.organization;
        if !self.cache.breaker.allows() {
            return;
        }
        let mut pipe = redis::pipe();
        write_subscriber_keys(&mut pipe, organization, entry);
        let mut redis = self.redis.clone();
        match tokio::time::timeout(REDIS_TIMEOUT, pipe.query_async::<()>(&mut redis)).await {
            Ok(Ok(())) => CacheCounters::count(&self.cache.counters.fills),
            _ => self.cache.breaker.record_failure(),
        }
    }
}

fn recommendation_of(entry: &CacheEntry) -> Option<Recommendation> {
    recommendation_from_hash_fields(&entry.recommendation)
}
