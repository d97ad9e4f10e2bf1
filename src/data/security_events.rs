//! Security events (sign-ins, lockouts, password, member and API key changes) and the
//! addresses each API key was used from. See migration 80 for which organizations an
//! event about an account belongs to.

use super::api_keys::ApiClient;
use super::{sql, OrganizationStore, Store};
use crate::domain::security_event::{EventCursor, SecurityEventKind, SecurityEventListing, SecurityEventPage};
use chrono::{DateTime, Utc};
use std::net::IpAddr;
use uuid::Uuid;

/// Where a request came from, as the events record it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOrigin {
    /// The client's address (a trusted proxy's `X-Forwarded-For` considered).
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl RequestOrigin {
    fn ip_text(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }
}

/// An event of one organization: a member's or an API key's change.
#[derive(Clone, Debug)]
pub struct OrganizationEvent<'a> {
    pub kind: SecurityEventKind,
    /// The account it is about, when there is one.
    pub email: Option<&'a str>,
    pub origin: &'a RequestOrigin,
    /// Who did it and what changed, e.g. `{"by": "admin@…", "role": "manager"}`.
    pub detail: serde_json::Value,
}

/// Writes an event about the account with `email` for every organization it belongs
/// to, in the caller's transaction; returns how many rows that was.
pub(super) async fn record_account_event_in(
    tx: &mut sqlx::PgConnection,
    email: &str,
    kind: SecurityEventKind,
    origin: &RequestOrigin,
    detail: serde_json::Value,
) -> Result<i32, sqlx::Error> {
    sql::query_scalar("SELECT record_account_security_event($1, $2::text::security_event_kind, $3::inet, $4, $5)")
        .bind(super::users::normalize_email(email))
        .bind(kind.as_str())
        .bind(origin.ip_text())
        .bind(origin.user_agent.as_deref())
        .bind(detail)
        .fetch_one(&mut *tx)
        .await
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    occurred_at: DateTime<Utc>,
    kind: String,
    email: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    detail: serde_json::Value,
}

impl EventRow {
    fn into_listing(self) -> Option<SecurityEventListing> {
        let detail = match self.detail {
            serde_json::Value::Object(fields) => fields
                .into_iter()
                .map(|(name, value)| match value {
                    serde_json::Value::String(text) => (name, text),
                    other => (name, other.to_string()),
                })
                .collect(),
            _ => Vec::new(),
        };
        Some(SecurityEventListing {
            occurred_at: self.occurred_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            kind: SecurityEventKind::parse(&self.kind)?,
            email: self.email,
            ip: self.ip,
            user_agent: self.user_agent,
            detail,
        })
    }
}

impl Store {
    /// An event about the account with `email` (see `record_account_event_in`).
    pub async fn record_account_event(
        &self,
        email: &str,
        kind: SecurityEventKind,
        origin: &RequestOrigin,
        detail: serde_json::Value,
    ) -> Result<i32, sqlx::Error> {
        let mut tx = self.begin().await?;
        let written = record_account_event_in(&mut tx, email, kind, origin, detail).await?;
        tx.commit().await?;
        Ok(written)
    }
}

impl OrganizationStore {
    pub async fn record_security_event(&self, event: OrganizationEvent<'_>) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        sql::query(
            "INSERT INTO security_events (organization_id, kind, user_id, email, ip, user_agent, detail)
             VALUES ($1, $2::text::security_event_kind, (SELECT id FROM users WHERE email = $3), $3, $4::inet,
                     left($5, 512), $6)",
        )
        .bind(self.organization.id)
        .bind(event.kind.as_str())
        .bind(event.email.map(super::users::normalize_email))
        .bind(event.origin.ip_text())
        .bind(event.origin.user_agent.as_deref())
        .bind(event.detail)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// One page of the organization's events, newest first, of one kind or all,
    /// after `before` (the previous page's last).
    pub async fn security_events(
        &self,
        kind: Option<SecurityEventKind>,
        before: Option<EventCursor>,
        page_size: i64,
    ) -> Result<SecurityEventPage, sqlx::Error> {
        let before_at = before.and_then(|cursor| DateTime::<Utc>::from_timestamp_micros(cursor.occurred_at_micros));
        let rows: Vec<EventRow> = sql::query_as(
            "SELECT id, occurred_at, kind::text AS kind, email, host(ip) AS ip, user_agent, detail
             FROM security_events
             WHERE organization_id = $1
               AND ($2::text IS NULL OR kind = $2::text::security_event_kind)
               AND ($3::timestamptz IS NULL OR (occurred_at, id) < ($3::timestamptz, $4::uuid))
             ORDER BY occurred_at DESC, id DESC
             LIMIT $5",
        )
        .bind(self.organization.id)
        .bind(kind.map(SecurityEventKind::as_str))
        .bind(before_at)
        .bind(before.map(|cursor| cursor.id))
        .bind(page_size + 1)
        .fetch_all(&mut *self.begin().await?)
        .await?;
        let more = rows.len() as i64 > page_size;
        let shown: Vec<EventRow> = rows.into_iter().take(page_size as usize).collect();
        let older = shown
            .last()
            .filter(|_| more)
            .map(|last| EventCursor { occurred_at_micros: last.occurred_at.timestamp_micros(), id: last.id }.encode());
        Ok(SecurityEventPage { events: shown.into_iter().filter_map(EventRow::into_listing).collect(), older })
    }

    /// Forgets the organization's events older than `kept_days`; returns how many.
    pub async fn prune_security_events(&self, kept_days: i64) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin().await?;
        let pruned = sql::query(
            "DELETE FROM security_events WHERE organization_id = $1 AND occurred_at < NOW() - make_interval(days => $2)",
        )
        .bind(self.organization.id)
        .bind(kept_days as i32)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(pruned)
    }

    /// Remembers that `client`'s key was used from `origin`'s address; the first time,
    /// also records the event. Returns whether the address was new.
    pub async fn record_api_key_address(
        &self,
        client: &ApiClient,
        origin: &RequestOrigin,
    ) -> Result<bool, sqlx::Error> {
        let Some(ip) = origin.ip_text() else { return Ok(false) };
        let mut tx = self.begin().await?;
        let written = sql::query(
            "WITH added AS (
                 INSERT INTO api_key_addresses (organization_id, api_key_id, ip) VALUES ($1, $2, $3::inet)
                 ON CONFLICT DO NOTHING RETURNING api_key_id
             )
             INSERT INTO security_events (organization_id, kind, ip, user_agent, detail)
             SELECT $1, 'api_key_new_address', $3::inet, left($4, 512), jsonb_build_object('key', $5::text) FROM added",
        )
        .bind(self.organization.id)
        .bind(client.key_id)
        .bind(ip)
        .bind(origin.user_agent.as_deref())
        .bind(&client.key_name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(written > 0)
    }
}
