//! The app's own traffic (issue 24): page views and actions into `event_tracking`, the
//! live sessions into `realtime_sessions` (one row per browser session), and what the
//! usage page reads from them. Written in batches by the page-view writer
//! (`crate::server::page_views`), off the requests' path.

use crate::data::{sql, OrganizationStore, Store};
use crate::domain::analytics::usage::{
    ActiveSession, DayUsage, PageUsage, UsageReport, ACTION_EVENT, ACTIVE_MINUTES, PAGE_VIEW_EVENT, SESSION_KEPT_HOURS,
    USAGE_DAYS, USAGE_PAGE_SIZE, WEB_CATEGORY,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// What a signed-in request was, for the records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VisitKind {
    /// An HTML page opened: an `event_tracking` page view, and the session's page.
    PageView,
    /// A server function or form that changed something (`event_action` = its name).
    Action(String),
    /// Any other call of a page (a server function reading): the session is active.
    Activity,
}

/// One signed-in request of a member.
#[derive(Clone, Debug)]
pub struct Visit {
    pub organization_id: Uuid,
    pub kind: VisitKind,
    /// A hash of the session's id: never the id itself (it is the session's key).
    pub session_hash: String,
    pub user_id: Uuid,
    /// The page: the path opened, or for a call the path of the page that made it.
    pub page_url: Option<String>,
    /// The route the page belongs to (`/subscribers/{isdn}`), for usage per page.
    pub route: Option<String>,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub device_type: &'static str,
    pub browser: String,
    pub os: String,
    pub at: DateTime<Utc>,
}

/// What the cleanup did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionCleanup {
    /// Sessions idle past `ACTIVE_MINUTES`, marked inactive.
    pub deactivated: u64,
    /// Sessions idle past `SESSION_KEPT_HOURS`, deleted.
    pub deleted: u64,
}

/// A session's row as one batch leaves it: its first and last request, and its latest
/// known page with that request's details.
struct SessionUpdate<'a> {
    first: DateTime<Utc>,
    last: &'a Visit,
    referrer: Option<&'a str>,
}

impl Store {
    /// Records `visits`, all of this store's organization, in one transaction: the
    /// events, then each session's row (created, or moved to its latest page).
    pub async fn record_visits(&self, organization_id: Uuid, visits: &[Visit]) -> Result<(), sqlx::Error> {
        let events: Vec<&Visit> = visits.iter().filter(|visit| !matches!(visit.kind, VisitKind::Activity)).collect();
        let mut tx = self.begin().await?;
        if !events.is_empty() {
            let metadata: Vec<serde_json::Value> = events
                .iter()
                .map(|visit| {
                    serde_json::json!({
                        "user_id": visit.user_id,
                        "referrer": visit.referrer,
                        "route": visit.route,
                        "device_type": visit.device_type,
                        "browser": visit.browser,
                        "os": visit.os,
                    })
                })
                .collect();
            sql::query(
                "INSERT INTO event_tracking (organization_id, session_id, event_name, event_category, event_action,
                                             page_url, timestamp, metadata)
                 SELECT $1, s, n, $2, a, p, t, m
                 FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::jsonb[])
                      AS v(s, n, a, p, t, m)",
            )
            .bind(organization_id)
            .bind(WEB_CATEGORY)
            .bind(events.iter().map(|visit| visit.session_hash.clone()).collect::<Vec<_>>())
            .bind(
                events
                    .iter()
                    .map(|visit| match visit.kind {
                        VisitKind::PageView => PAGE_VIEW_EVENT,
                        _ => ACTION_EVENT,
                    })
                    .collect::<Vec<_>>(),
            )
            .bind(
                events
                    .iter()
                    .map(|visit| match &visit.kind {
                        VisitKind::Action(name) => Some(name.chars().take(50).collect::<String>()),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            )
            .bind(events.iter().map(|visit| visit.page_url.clone()).collect::<Vec<_>>())
            .bind(events.iter().map(|visit| visit.at).collect::<Vec<_>>())
            .bind(metadata)
            .execute(&mut *tx)
            .await?;
        }

        // One row per session and statement: ON CONFLICT cannot touch a row twice.
        let mut sessions: HashMap<&str, SessionUpdate<'_>> = HashMap::new();
        for visit in visits.iter().filter(|visit| visit.page_url.is_some()) {
            let page_view_referrer = matches!(visit.kind, VisitKind::PageView).then_some(visit.referrer.as_deref());
            let update = sessions.entry(visit.session_hash.as_str()).or_insert(SessionUpdate {
                first: visit.at,
                last: visit,
                referrer: page_view_referrer.flatten(),
            });
            update.first = update.first.min(visit.at);
            if visit.at >= update.last.at {
                update.last = visit;
            }
            if update.referrer.is_none() {
                update.referrer = page_view_referrer.flatten();
            }
        }
        if !sessions.is_empty() {
            let updates: Vec<(&str, SessionUpdate<'_>)> = sessions.into_iter().collect();
            let latest: Vec<&Visit> = updates.iter().map(|(_, update)| update.last).collect();
            sql::query(
                "INSERT INTO realtime_sessions AS r (organization_id, session_id, user_id, page_url, referrer, user_agent,
                                                     ip_address, device_type, browser, os, started_at, last_activity,
                                                     duration_seconds, is_active)
                 SELECT $1, s, u, p, rf, ua, ip::inet, d, b, o, f, l, GREATEST(0, EXTRACT(EPOCH FROM l - f))::int, TRUE
                 FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                             $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[])
                      AS v(s, u, p, rf, ua, ip, d, b, o, f, l)
                 ON CONFLICT (organization_id, session_id) DO UPDATE SET
                     page_url = CASE WHEN EXCLUDED.last_activity >= r.last_activity THEN EXCLUDED.page_url ELSE r.page_url END,
                     referrer = COALESCE(r.referrer, EXCLUDED.referrer),
                     user_id = EXCLUDED.user_id,
                     user_agent = EXCLUDED.user_agent,
                     ip_address = EXCLUDED.ip_address,
                     device_type = EXCLUDED.device_type,
                     browser = EXCLUDED.browser,
                     os = EXCLUDED.os,
                     started_at = LEAST(r.started_at, EXCLUDED.started_at),
                     last_activity = GREATEST(r.last_activity, EXCLUDED.last_activity),
                     duration_seconds = GREATEST(0, EXTRACT(EPOCH FROM GREATEST(r.last_activity, EXCLUDED.last_activity)
                                                                  - LEAST(r.started_at, EXCLUDED.started_at)))::int,
                     is_active = TRUE",
            )
            .bind(organization_id)
            .bind(updates.iter().map(|(session, _)| session.to_string()).collect::<Vec<_>>())
            .bind(latest.iter().map(|visit| visit.user_id.to_string()).collect::<Vec<_>>())
            .bind(latest.iter().map(|visit| visit.page_url.clone()).collect::<Vec<_>>())
            .bind(updates.iter().map(|(_, update)| update.referrer.map(str::to_owned)).collect::<Vec<_>>())
            .bind(latest.iter().map(|visit| visit.user_agent.clone()).collect::<Vec<_>>())
            .bind(latest.iter().map(|visit| visit.ip.clone()).collect::<Vec<_>>())
            .bind(latest.iter().map(|visit| visit.device_type).collect::<Vec<_>>())
            .bind(latest.iter().map(|visit| truncated(&visit.browser, 50)).collect::<Vec<_>>())
            .bind(latest.iter().map(|visit| truncated(&visit.os, 50)).collect::<Vec<_>>())
            .bind(updates.iter().map(|(_, update)| update.first).collect::<Vec<_>>())
            .bind(latest.iter().map(|visit| visit.at).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

fn truncated(text: &str, characters: usize) -> String {
    text.chars().take(characters).collect()
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl OrganizationStore {
    /// Sessions idle past `ACTIVE_MINUTES` are marked inactive, those idle past
    /// `SESSION_KEPT_HOURS` deleted. The nightly scheduler runs it per organization.
    pub async fn clean_up_sessions(&self) -> Result<SessionCleanup, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let deleted = sql::query(
            "DELETE FROM realtime_sessions
             WHERE organization_id = $1 AND last_activity < NOW() - make_interval(hours => $2::int)",
        )
        .bind(organization.id)
        .bind(SESSION_KEPT_HOURS as i32)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let deactivated = sql::query(
            "UPDATE realtime_sessions SET is_active = FALSE
             WHERE organization_id = $1 AND is_active AND last_activity < NOW() - make_interval(mins => $2::int)",
        )
        .bind(organization.id)
        .bind(ACTIVE_MINUTES as i32)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(SessionCleanup { deactivated, deleted })
    }

    /// The usage page: members active in the last `ACTIVE_MINUTES` (a session idle
    /// longer reads as inactive whether or not the cleanup has marked it yet), and page
    /// views per page and per day (UTC) over `USAGE_DAYS`. `page` counts from 1.
    pub async fn usage_report(&self, page: i64) -> Result<UsageReport, sqlx::Error> {
        let organization = &self.organization;
        let offset = (page - 1) * USAGE_PAGE_SIZE;
        let mut tx = self.begin().await?;
        type ActiveRow =
            (Option<String>, String, Option<String>, Option<String>, Option<String>, DateTime<Utc>, DateTime<Utc>, i64);
        let active: Vec<ActiveRow> = sql::query_as(
            "SELECT u.email, s.page_url, s.device_type, s.browser, s.os, s.started_at, s.last_activity,
                    COUNT(*) OVER ()
             FROM realtime_sessions s LEFT JOIN users u ON u.id = s.user_id::uuid
             WHERE s.organization_id = $1 AND s.is_active
               AND s.last_activity > NOW() - make_interval(mins => $2::int)
             ORDER BY s.last_activity DESC, s.id
             LIMIT $3 OFFSET $4",
        )
        .bind(organization.id)
        .bind(ACTIVE_MINUTES as i32)
        .bind(USAGE_PAGE_SIZE)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        let pages: Vec<(String, i64, i64, i64)> = sql::query_as(
            "SELECT COALESCE(metadata->>'route', page_url, '') AS page, COUNT(*), COUNT(DISTINCT session_id),
                    COUNT(*) OVER ()
             FROM event_tracking
             WHERE organization_id = $1 AND event_name = $2
               AND timestamp >= ((NOW() AT TIME ZONE 'UTC')::date - ($3::int - 1))::timestamp AT TIME ZONE 'UTC'
             GROUP BY 1 ORDER BY 2 DESC, 1
             LIMIT $4 OFFSET $5",
        )
        .bind(organization.id)
        .bind(PAGE_VIEW_EVENT)
        .bind(USAGE_DAYS as i32)
        .bind(USAGE_PAGE_SIZE)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        let pages_total = if pages.is_empty() && page > 1 {
            sql::query_scalar(
                "SELECT COUNT(DISTINCT COALESCE(metadata->>'route', page_url, '')) FROM event_tracking
                 WHERE organization_id = $1 AND event_name = $2
                   AND timestamp >= ((NOW() AT TIME ZONE 'UTC')::date - ($3::int - 1))::timestamp AT TIME ZONE 'UTC'",
            )
            .bind(organization.id)
            .bind(PAGE_VIEW_EVENT)
            .bind(USAGE_DAYS as i32)
            .fetch_one(&mut *tx)
            .await?
        } else {
            pages.first().map_or(0, |row| row.3)
        };
        let days: Vec<(chrono::NaiveDate, i64, i64)> = sql::query_as(
            "SELECT days.day, COUNT(e.id), COUNT(DISTINCT e.session_id)
             FROM (SELECT (NOW() AT TIME ZONE 'UTC')::date - n AS day FROM generate_series(0, $3::int - 1) AS n) AS days
             LEFT JOIN event_tracking e
                    ON e.organization_id = $1 AND e.event_name = $2
                   AND e.timestamp >= days.day::timestamp AT TIME ZONE 'UTC'
                   AND e.timestamp < (days.day + 1)::timestamp AT TIME ZONE 'UTC'
             GROUP BY days.day ORDER BY days.day",
        )
        .bind(organization.id)
        .bind(PAGE_VIEW_EVENT)
        .bind(USAGE_DAYS as i32)
        .fetch_all(&mut *tx)
        .await?;
        let active_total = active.first().map_or(0, |row| row.7);
        Ok(UsageReport {
            active_total,
            active: active
                .into_iter()
                .map(|(email, page_url, device, browser, os, started_at, last_activity, _)| ActiveSession {
                    email,
                    page_url,
                    device: device.unwrap_or_default(),
                    browser: browser.unwrap_or_default(),
                    os: os.unwrap_or_default(),
                    started_at: minute(started_at),
                    last_activity: last_activity.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    duration_seconds: (last_activity - started_at).num_seconds(),
                })
                .collect(),
            pages_total,
            pages: pages
                .into_iter()
                .map(|(page, page_views, sessions, _)| PageUsage { page, page_views, sessions })
                .collect(),
            days: days
                .into_iter()
                .map(|(day, page_views, sessions)| DayUsage { day: day.to_string(), page_views, sessions })
                .collect(),
            page,
        })
    }
}
