//! The app's own traffic (issue 24), recorded off the requests' path: a layer behind
//! the gate notes each signed-in member's page view (an HTML page GET), action (a
//! server function or form that changed something) and other call (a server function
//! reading, which keeps the session active while the browser navigates by itself), and
//! hands it to a bounded channel without waiting. One background writer empties the
//! channel in batches, one transaction per organization, working out the browser and
//! device and the session's hash there rather than in the request. When the channel is
//! full the view is dropped and counted: a page never waits for its own record.

use crate::data::analytics::usage::{Visit, VisitKind};
use crate::data::users::Member;
use crate::data::{OrganizationStore, Store};
use crate::domain::access::{path_matches, server_function, PROTECTED, SERVER_FUNCTION_PREFIX};
use crate::domain::analytics::usage::{changes_something, DeviceType};
use crate::server::client_address::ClientAddress;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use tower_sessions::Session;
use uuid::Uuid;

/// Views waiting for the writer, at most: a few seconds of a busy server's pages.
pub const CHANNEL_CAPACITY: usize = 10_000;
/// Views written per round of the writer, at most.
pub const BATCH_SIZE: usize = 1_000;
/// Longest user agent or referrer kept.
const HEADER_KEPT: usize = 1_000;

/// A signed-in request as the layer saw it, before the writer works it out.
#[derive(Clone, Debug)]
pub struct Seen {
    pub organization_id: Uuid,
    pub user_id: Uuid,
    /// The tower-sessions id; hashed by the writer, never stored.
    pub session_id: String,
    pub kind: VisitKind,
    /// The path opened, or for a call the path of the page that made it (its referrer).
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub at: DateTime<Utc>,
}

/// The sending end, cloned into the layer. Dropping every clone ends the writer once
/// it has written what is left.
#[derive(Clone)]
pub struct PageViews {
    sender: mpsc::Sender<Seen>,
    dropped: Arc<AtomicU64>,
}

impl PageViews {
    /// The channel and its writer on `store` (the app's), running on the current runtime.
    pub fn start(store: Store) -> Self {
        let (page_views, receiver) = Self::channel(CHANNEL_CAPACITY);
        tokio::spawn(write(store, receiver));
        page_views
    }

    /// A channel holding `capacity` views, with no writer yet (`write` empties it).
    pub fn channel(capacity: usize) -> (Self, mpsc::Receiver<Seen>) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        (Self { sender, dropped: Default::default() }, receiver)
    }

    /// Hands `seen` to the writer; `false` when it was dropped (the channel is full or
    /// the writer has stopped). Never waits.
    pub fn record(&self, seen: Seen) -> bool {
        match self.sender.try_send(seen) {
            Ok(()) => true,
            Err(_) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if dropped == 1 || dropped.is_multiple_of(1_000) {
                    tracing::warn!(dropped, "page views dropped: the writer is behind or stopped");
                }
                false
            }
        }
    }

    /// Views dropped since the start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The layer (behind the gate, which put the member on the request).
pub async fn track(State(page_views): State<PageViews>, session: Session, request: Request, next: Next) -> Response {
    let noted = note(&request, &session);
    let response = next.run(request).await;
    if let Some(seen) = noted.filter(|seen| counts(seen, &response)) {
        page_views.record(seen);
    }
    response
}

/// What the request would record, if its answer says it happened.
fn note(request: &Request, session: &Session) -> Option<Seen> {
    let member = request.extensions().get::<Member>()?;
    let session_id = session.id()?.to_string();
    let path = request.uri().path();
    let headers = request.headers();
    let header_text = |name: header::HeaderName| {
        headers.get(name).and_then(|value| value.to_str().ok()).map(|text| text.chars().take(HEADER_KEPT).collect())
    };
    let referrer: Option<String> = header_text(header::REFERER);
    let referring_page =
        || referrer.as_deref().and_then(|url| url.parse::<axum::http::Uri>().ok()).map(|uri| uri.path().to_owned());
    let (kind, page_url) = match *request.method() {
        Method::GET if !path.starts_with(SERVER_FUNCTION_PREFIX) => (VisitKind::PageView, Some(path.to_owned())),
        Method::POST => match server_function(path) {
            Some((name, _)) if changes_something(name) => (VisitKind::Action(name.to_owned()), referring_page()),
            Some(_) => (VisitKind::Activity, referring_page()),
            // A form of the site (choosing an organization, answering an invitation).
            None if !path.starts_with(SERVER_FUNCTION_PREFIX) => {
                (VisitKind::Action(path.trim_start_matches('/').to_owned()), referring_page())
            }
            None => return None,
        },
        _ => return None,
    };
    Some(Seen {
        organization_id: member.organization.id,
        user_id: member.user_id,
        session_id,
        kind,
        page_url,
        referrer,
        user_agent: header_text(header::USER_AGENT),
        ip: request.extensions().get::<ClientAddress>().map(|ClientAddress(ip)| ip.to_string()),
        at: Utc::now(),
    })
}

/// A page view is an HTML page answered (not a file, a redirect or an error page); an
/// action or call one that did not fail.
fn counts(seen: &Seen, response: &Response) -> bool {
    let status = response.status();
    match seen.kind {
        VisitKind::PageView => {
            status.is_success()
                && response
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|value| value.to_str().ok())
                    .is_some_and(|content_type| content_type.starts_with("text/html"))
        }
        _ => status.is_success() || status.is_redirection(),
    }
}

/// Empties `receiver` until every sender is gone: each round takes what is waiting (up
/// to `BATCH_SIZE`) and writes it, one transaction per organization. A failed write is
/// logged and its views lost; the next round goes on.
pub async fn write(store: Store, mut receiver: mpsc::Receiver<Seen>) {
    let mut batch = Vec::with_capacity(BATCH_SIZE);
    while receiver.recv_many(&mut batch, BATCH_SIZE).await > 0 {
        let mut by_organization: HashMap<Uuid, Vec<Visit>> = HashMap::new();
        for seen in batch.drain(..) {
            by_organization.entry(seen.organization_id).or_default().push(visit(seen));
        }
        for (organization_id, visits) in by_organization {
            let written = store.for_organization_id(organization_id).record_visits(organization_id, &visits).await;
            if let Err(error) = written {
                tracing::warn!(%organization_id, views = visits.len(), %error, "page views could not be written");
            }
        }
    }
}

/// A `Seen` worked out: the session's hash, the browser and device, the page's route.
pub fn visit(seen: Seen) -> Visit {
    let (device, browser, os) = describe_agent(seen.user_agent.as_deref().unwrap_or_default());
    let route = seen.page_url.as_deref().map(route_of);
    Visit {
        organization_id: seen.organization_id,
        kind: seen.kind,
        session_hash: session_hash(&seen.session_id),
        user_id: seen.user_id,
        page_url: seen.page_url,
        route,
        referrer: seen.referrer,
        user_agent: seen.user_agent,
        ip: seen.ip,
        device_type: device.as_str(),
        browser,
        os,
        at: seen.at,
    }
}

/// The session's id hashed (SHA-256, hex): the same for every request of the session,
/// and no key to it.
pub fn session_hash(session_id: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(format!("ut360:session:{session_id}").as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The route a path belongs to (`/subscribers/{isdn}` for any subscriber), so usage per
/// page counts pages, not subscribers; the path itself when no route matches.
pub fn route_of(path: &str) -> String {
    PROTECTED
        .iter()
        .find(|(pattern, _)| path_matches(pattern, path))
        .map_or_else(|| path.to_owned(), |(pattern, _)| (*pattern).to_owned())
}

/// The kind of device, the browser and the operating system a user agent names.
pub fn describe_agent(agent: &str) -> (DeviceType, String, String) {
    let Some(parsed) = woothee::parser::Parser::new().parse(agent) else {
        return (DeviceType::Other, "Unknown".to_owned(), "Unknown".to_owned());
    };
    let tablet = parsed.os == "iPad" || (parsed.os == "Android" && !agent.contains("Mobile"));
    let device = match parsed.category {
        "pc" => DeviceType::Desktop,
        "smartphone" | "mobilephone" if tablet => DeviceType::Tablet,
        "smartphone" | "mobilephone" => DeviceType::Mobile,
        _ => DeviceType::Other,
    };
    let os = match parsed.os {
        "iPhone" | "iPad" | "iPod" => "iOS",
        "Mac OSX" => "macOS",
        "UNKNOWN" => "Unknown",
        other => other,
    };
    let browser = if parsed.name == "UNKNOWN" { "Unknown" } else { parsed.name };
    (device, browser.to_owned(), os.to_owned())
}

/// The nightly scheduler's entry point, once per organization: sessions idle five
/// minutes are marked inactive, those idle a day deleted.
pub async fn clean_up_sessions(organization: OrganizationStore) -> Result<(), String> {
    let cleaned = organization.clean_up_sessions().await.map_err(|error| error.to_string())?;
    if cleaned.deleted > 0 {
        tracing::info!(
            organization = organization.organization().slug,
            deleted = cleaned.deleted,
            deactivated = cleaned.deactivated,
            "idle sessions cleaned up"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const SAFARI_IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
    const CHROME_ANDROID_TABLET: &str = "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    #[test]
    fn user_agents_name_their_device_browser_and_system() {
        assert_eq!(describe_agent(CHROME_WINDOWS), (DeviceType::Desktop, "Chrome".to_owned(), "Windows 10".to_owned()));
        assert_eq!(describe_agent(SAFARI_IPHONE), (DeviceType::Mobile, "Safari".to_owned(), "iOS".to_owned()));
        assert_eq!(describe_agent(SAFARI_IPAD).0, DeviceType::Tablet);
        assert_eq!(describe_agent(CHROME_ANDROID_TABLET).0, DeviceType::Tablet);
        assert_eq!(describe_agent("curl/8.5.0").0, DeviceType::Other);
        assert_eq!(describe_agent("").1, "Unknown");
    }

    #[test]
    fn sessions_hash_alike_and_pages_group_by_route() {
        assert_eq!(session_hash("abc"), session_hash("abc"));
        assert_ne!(session_hash("abc"), session_hash("abd"));
        assert_eq!(session_hash("abc").len(), 64);
        assert!(!session_hash("abc").contains("abc"));
        assert_eq!(route_of("/subscribers/84912345678"), "/subscribers/{isdn}");
        assert_eq!(route_of("/transactions"), "/transactions");
        assert_eq!(route_of("/nowhere"), "/nowhere");
    }
}
