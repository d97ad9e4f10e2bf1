//! Security events as the admins' page shows them: what happened (a typed kind,
//! mirrored by the `security_event_kind` enum of PostgreSQL), to which account, from
//! where, and one page of them at a time (newest first, keyset pagination).

use serde::{Deserialize, Serialize};

pub const SECURITY_EVENTS_PATH: &str = "/admin/security-events";
/// Events on one page.
pub const SECURITY_EVENTS_PAGE_SIZE: i64 = 50;
/// Older events are pruned by the 15-minute job.
pub const SECURITY_EVENTS_KEPT_DAYS: i64 = 180;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityEventKind {
    SignInSucceeded,
    SignInFailed,
    LockedOut,
    PasswordChanged,
    RoleChanged,
    MemberInvited,
    MemberRemoved,
    ApiKeyCreated,
    ApiKeyRevoked,
    ApiKeyNewAddress,
}

impl SecurityEventKind {
    pub const ALL: [SecurityEventKind; 10] = [
        SecurityEventKind::SignInSucceeded,
        SecurityEventKind::SignInFailed,
        SecurityEventKind::LockedOut,
        SecurityEventKind::PasswordChanged,
        SecurityEventKind::RoleChanged,
        SecurityEventKind::MemberInvited,
        SecurityEventKind::MemberRemoved,
        SecurityEventKind::ApiKeyCreated,
        SecurityEventKind::ApiKeyRevoked,
        SecurityEventKind::ApiKeyNewAddress,
    ];

    /// The enum label in PostgreSQL and the `kind` parameter of the page.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityEventKind::SignInSucceeded => "sign_in_succeeded",
            SecurityEventKind::SignInFailed => "sign_in_failed",
            SecurityEventKind::LockedOut => "locked_out",
            SecurityEventKind::PasswordChanged => "password_changed",
            SecurityEventKind::RoleChanged => "role_changed",
            SecurityEventKind::MemberInvited => "member_invited",
            SecurityEventKind::MemberRemoved => "member_removed",
            SecurityEventKind::ApiKeyCreated => "api_key_created",
            SecurityEventKind::ApiKeyRevoked => "api_key_revoked",
            SecurityEventKind::ApiKeyNewAddress => "api_key_new_address",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SecurityEventKind::SignInSucceeded => "Signed in",
            SecurityEventKind::SignInFailed => "Sign-in failed",
            SecurityEventKind::LockedOut => "Locked out",
            SecurityEventKind::PasswordChanged => "Password changed",
            SecurityEventKind::RoleChanged => "Role changed",
            SecurityEventKind::MemberInvited => "Invited",
            SecurityEventKind::MemberRemoved => "Removed",
            SecurityEventKind::ApiKeyCreated => "API key created",
            SecurityEventKind::ApiKeyRevoked => "API key revoked",
            SecurityEventKind::ApiKeyNewAddress => "API key used from a new address",
        }
    }

    pub fn parse(text: &str) -> Option<SecurityEventKind> {
        let text = text.trim();
        SecurityEventKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One event as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEventListing {
    /// `YYYY-MM-DD HH:MM:SS UTC`.
    pub occurred_at: String,
    pub kind: SecurityEventKind,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// What else is known, as `name: value` pairs (who did it, the role, the key).
    pub detail: Vec<(String, String)>,
}

/// One page of events, newest first; `older` continues after its last one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEventPage {
    pub events: Vec<SecurityEventListing>,
    pub older: Option<String>,
}

/// Where the page's pagination cursor points: after the event at `occurred_at_micros`
/// (microseconds since 1970) with id `id`, in the order newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventCursor {
    pub occurred_at_micros: i64,
    pub id: uuid::Uuid,
}

impl EventCursor {
    pub fn encode(self) -> String {
        format!("{}_{}", self.occurred_at_micros, self.id.simple())
    }

    pub fn parse(text: &str) -> Result<EventCursor, String> {
        let refused = || format!("before: {text:?} is not a position in the list of events");
        let (micros, id) = text.trim().split_once('_').ok_or_else(refused)?;
        Ok(EventCursor {
            occurred_at_micros: micros.parse().map_err(|_| refused())?,
            id: uuid::Uuid::try_parse(id).map_err(|_| refused())?,
        })
    }
}

/// The page's address for a kind (empty: all) and a cursor (empty: the newest).
pub fn security_events_href(kind: Option<SecurityEventKind>, before: Option<&str>) -> String {
    let mut query = Vec::new();
    if let Some(kind) = kind {
        query.push(format!("kind={}", kind.as_str()));
    }
    if let Some(before) = before.filter(|before| !before.is_empty()) {
        query.push(format!("before={before}"));
    }
    if query.is_empty() {
        SECURITY_EVENTS_PATH.to_owned()
    } else {
        format!("{SECURITY_EVENTS_PATH}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in SecurityEventKind::ALL {
            assert_eq!(SecurityEventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SecurityEventKind::parse("drop table"), None);
    }

    #[test]
    fn cursors_round_trip_and_refuse_junk_naming_the_field() {
        let cursor = EventCursor { occurred_at_micros: 1_764_900_000_123_456, id: uuid::Uuid::from_u128(7) };
        assert_eq!(EventCursor::parse(&cursor.encode()), Ok(cursor));
        for junk in ["", "x", "12_", "_00000000000000000000000000000007", "1.5_00000000000000000000000000000007"] {
            assert!(EventCursor::parse(junk).unwrap_err().starts_with("before:"), "{junk:?}");
        }
    }

    #[test]
    fn links_keep_the_kind_and_the_cursor() {
        assert_eq!(security_events_href(None, None), "/admin/security-events");
        assert_eq!(
            security_events_href(Some(SecurityEventKind::LockedOut), Some("5_ab")),
            "/admin/security-events?kind=locked_out&before=5_ab"
        );
    }
}
