//! API keys for machine clients: created and revoked from the command line, checked
//! on every `/api/v1` request.
//!
//! A check is answered from memory for up to a minute, so it costs a hash and a map
//! read; a revocation anywhere (the CLI included) reaches every running server at
//! once through a Postgres NOTIFY that empties the memory.

use super::lookups::LookupError;
use super::remembered::{Remembered, API_KEYS_CHANNEL};
use super::security_events::RequestOrigin;
use super::{Organization, Store};
use crate::data::{sql, OrganizationStore};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::RwLock;
use std::time::Duration;
use uuid::Uuid;

/// Every key starts with this, so a leaked key is recognisable in logs and scanners.
const KEY_MARKER: &str = "ut360_";
/// Characters kept in the clear to tell keys apart in lists.
const SHOWN_PREFIX_CHARS: usize = 12;
/// Also bounds how late a revocation is seen should the NOTIFY be missed.
const REMEMBER_CHECK_FOR: Duration = Duration::from_secs(60);
pub const MAX_NAME_CHARS: usize = 100;

/// Who is calling: the key and the organization it acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiClient {
    pub key_id: Uuid,
    pub key_name: String,
    pub organization: Organization,
}

/// A key as lists show it; the secret itself is never stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiKeyInfo {
    pub id: Uuid,
    pub name: String,
    pub key_prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key just created: `secret` is shown once and cannot be recovered.
#[derive(Debug)]
pub struct NewApiKey {
    pub info: ApiKeyInfo,
    pub secret: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("name: {0}")]
    InvalidName(String),
    #[error("name: the organization already has an active key named {0:?}; revoke it first or pick another name")]
    NameTaken(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Recent successful checks, by the key's hash.
pub struct KnownKeys {
    checked: Remembered<[u8; 32], ApiClient>,
    /// The addresses each key was used from since start (or since the set was last
    /// emptied): only an address missing here goes to PostgreSQL.
    seen_from: RwLock<HashSet<(Uuid, IpAddr)>>,
}

/// Past this many (key, address) pairs the set starts again: a pair forgotten costs one
/// write that finds it already known, never a second event.
const SEEN_FROM_MAX: usize = 100_000;

impl Default for KnownKeys {
    fn default() -> Self {
        Self { checked: Remembered::new(REMEMBER_CHECK_FOR), seen_from: Default::default() }
    }
}

impl KnownKeys {
    /// Whether the pair is new to this process; it is remembered from now on.
    fn first_seen(&self, key_id: Uuid, ip: IpAddr) -> bool {
        let pair = (key_id, ip);
        if self.seen_from.read().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(&pair) {
            return false;
        }
        let mut seen = self.seen_from.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen.len() >= SEEN_FROM_MAX {
            seen.clear();
        }
        seen.insert(pair)
    }

    pub(super) fn forget_all(&self) {
        self.checked.forget_all();
    }
}

fn hash_of(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

fn new_secret() -> String {
    let mut random = [0u8; 30];
    rand::rngs::OsRng.fill_bytes(&mut random);
    format!("{KEY_MARKER}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random))
}

fn validate_name(name: &str) -> Result<&str, ApiKeyError> {
    let name = name.trim();
    if name.is_empty() {
        Err(ApiKeyError::InvalidName("a name is required, e.g. advance-system".into()))
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err(ApiKeyError::InvalidName(format!("at most {MAX_NAME_CHARS} characters")))
    } else {
        Ok(name)
    }
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    key_id: Uuid,
    key_name: String,
    id: Uuid,
    slug: String,
    name: String,
    redis_prefix: String,
}

impl Store {
    /// The client behind `secret`, or `None` for an unknown or revoked key. A check
    /// that reaches Postgres also records the key's last use.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<ApiClient>, LookupError> {
        self.watch_changes();
        let hash = hash_of(secret);
        let known = &self.api_keys_known.checked;
        if let Some(client) = known.get(&hash) {
            return Ok(Some(client));
        }
        let read_began = known.generation();
        // Through `use_api_key`: no organization is known yet to scope the read. It
        // records the key's use, so the transaction commits.
        let mut tx = self.begin().await?;
        let row: Option<ClientRow> =
            sql::query_as("SELECT key_id, key_name, id, slug, name, redis_prefix FROM use_api_key($1)")
                .bind(&hash[..])
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(row.map(|row| {
            let client = ApiClient {
                key_id: row.key_id,
                key_name: row.key_name,
                organization: Organization {
                    id: row.id,
                    slug: row.slug,
                    name: row.name,
                    redis_prefix: row.redis_prefix,
                },
            };
            known.remember(read_began, hash, client.clone());
            client
        }))
    }

    /// Notes that `client`'s key was used from `ip`. Off the request's path: an address
    /// this process knows costs a set lookup; a new one is written with the request's
    /// `origin` (and, if no server saw it before, recorded as a security event) by a
    /// task of its own, whose failure is only logged.
    pub fn note_api_key_address(&self, client: &ApiClient, ip: IpAddr, origin: impl FnOnce() -> RequestOrigin) {
        if !self.api_keys_known.first_seen(client.key_id, ip) {
            return;
        }
        let origin = origin();
        let store = self.for_organization(&client.organization);
        let client = client.clone();
        tokio::spawn(async move {
            if let Err(error) = store.record_api_key_address(&client, &origin).await {
                tracing::warn!(%error, key = client.key_name, %ip, "cannot record the API key's new address");
            }
        });
    }
}

impl OrganizationStore {
    pub async fn create_api_key(&self, name: &str) -> Result<NewApiKey, ApiKeyError> {
        let organization = &self.organization;
        let name = validate_name(name)?;
        let secret = new_secret();
        let mut tx = self.begin().await?;
        let inserted = sql::query_as::<ApiKeyInfo>(
            "INSERT INTO api_keys (organization_id, name, key_prefix, key_hash) VALUES ($1, $2, $3, $4)
             RETURNING id, name, key_prefix, created_at, last_used_at, revoked_at",
        )
        .bind(organization.id)
        .bind(name)
        .bind(&secret[..SHOWN_PREFIX_CHARS])
        .bind(&hash_of(&secret)[..])
        .fetch_one(&mut *tx)
        .await;
        match inserted {
            Ok(info) => {
                tx.commit().await?;
                Ok(NewApiKey { info, secret })
            }
            Err(sqlx::Error::Database(db)) if db.constraint() == Some("uq_api_keys_org_active_name") => {
                Err(ApiKeyError::NameTaken(name.to_owned()))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The organization's keys, active ones first, newest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKeyInfo>, sqlx::Error> {
        let organization = &self.organization;
        sql::query_as(
            "SELECT id, name, key_prefix, created_at, last_used_at, revoked_at FROM api_keys
             WHERE organization_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC",
        )
        .bind(organization.id)
        .fetch_all(&mut *self.begin().await?)
        .await
    }

    /// Revokes the organization's active key called `name`; `false` if there is none.
    pub async fn revoke_api_key(&self, name: &str) -> Result<bool, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let revoked = sql::query(
            "UPDATE api_keys SET revoked_at = NOW() WHERE organization_id = $1 AND name = $2 AND revoked_at IS NULL",
        )
        .bind(organization.id)
        .bind(name.trim())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Delivered at commit, to every server listening.
        sql::query("SELECT pg_notify($1, $2)")
            .bind(API_KEYS_CHANNEL)
            .bind(organization.id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.api_keys_known.forget_all();
        Ok(revoked > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_recognisable() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with(KEY_MARKER));
        assert_eq!(a.len(), KEY_MARKER.len() + 40);
        assert_ne!(hash_of(&a), hash_of(&b));
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert_eq!(validate_name("  advance-system ").unwrap(), "advance-system");
        assert!(validate_name("  ").unwrap_err().to_string().starts_with("name:"));
        assert!(validate_name(&"x".repeat(101)).is_err());
    }
}
