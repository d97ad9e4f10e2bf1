//! Who uses UT360 and how (issue 24): every signed-in page view and action is an
//! `event_tracking` row, and each browser session keeps one `realtime_sessions` row
//! with its latest page, device and activity. The admins' page shows who is active now
//! and the page views per page and per day.

use serde::{Deserialize, Serialize};

pub const USAGE_PATH: &str = "/admin/usage";
/// A session with no request for this long is no longer "active now".
pub const ACTIVE_MINUTES: i64 = 5;
/// A session idle this long is deleted by the nightly cleanup.
pub const SESSION_KEPT_HOURS: i64 = 24;
/// The page views per page and per day cover this many days up to today.
pub const USAGE_DAYS: i64 = 30;
/// Rows of the active members and of the pages, per page of the report.
pub const USAGE_PAGE_SIZE: i64 = 25;

/// `event_tracking.event_name` of a page opened in the browser (the shared contract).
pub const PAGE_VIEW_EVENT: &str = "page_view";
/// `event_tracking.event_name` of a server function or form that changed something.
pub const ACTION_EVENT: &str = "action";
/// `event_tracking.event_category` of both.
pub const WEB_CATEGORY: &str = "web";

/// Server functions that only read, though called with a POST like every server
/// function: their calls are activity, not actions. Those named `get_…` are reads too.
pub const READING_SERVER_FUNCTIONS: &[&str] = &[
    "campaign_workspace",
    "campaign_preview",
    "campaign_exports",
    "lookup_isdn_list",
    "search_network",
    "preview_commission_rate",
];

/// Whether a call of the server function `name` changes something.
pub fn changes_something(name: &str) -> bool {
    !name.starts_with("get_") && !READING_SERVER_FUNCTIONS.contains(&name)
}

/// The kind of device a browser runs on, read from its user agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeviceType {
    Desktop,
    Mobile,
    Tablet,
    /// A crawler, an appliance or an agent nobody recognizes.
    Other,
}

impl DeviceType {
    /// `realtime_sessions.device_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceType::Desktop => "desktop",
            DeviceType::Mobile => "mobile",
            DeviceType::Tablet => "tablet",
            DeviceType::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<DeviceType> {
        [DeviceType::Desktop, DeviceType::Mobile, DeviceType::Tablet, DeviceType::Other]
            .into_iter()
            .find(|device| device.as_str() == text)
    }

    pub fn label(self, language: crate::domain::language::Language) -> &'static str {
        use crate::domain::language::Language::{En, Vi};
        match (language, self) {
            (En, DeviceType::Desktop) => "Desktop",
            (En, DeviceType::Mobile) => "Mobile",
            (En, DeviceType::Tablet) => "Tablet",
            (En, DeviceType::Other) => "Other",
            (Vi, DeviceType::Desktop) => "Máy tính",
            (Vi, DeviceType::Mobile) => "Điện thoại",
            (Vi, DeviceType::Tablet) => "Máy tính bảng",
            (Vi, DeviceType::Other) => "Khác",
        }
    }
}

/// A member active in the last `ACTIVE_MINUTES`, as the page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveSession {
    /// The member's email; `None` once the account is gone.
    pub email: Option<String>,
    pub page_url: String,
    pub device: String,
    pub browser: String,
    pub os: String,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub started_at: String,
    /// `YYYY-MM-DD HH:MM:SS UTC`.
    pub last_activity: String,
    pub duration_seconds: i64,
}

/// One page of the app (its route, e.g. `/subscribers/{isdn}`) over `USAGE_DAYS`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageUsage {
    pub page: String,
    pub page_views: i64,
    /// Distinct browser sessions that opened it.
    pub sessions: i64,
}

/// One day (UTC) of page views.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayUsage {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub page_views: i64,
    pub sessions: i64,
}

/// The usage page's data: one page of the active members and of the pages, and every
/// day of the period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReport {
    pub active: Vec<ActiveSession>,
    /// Members active now in all (the list holds one page of them).
    pub active_total: i64,
    pub pages: Vec<PageUsage>,
    /// Pages opened in the period in all.
    pub pages_total: i64,
    pub days: Vec<DayUsage>,
    /// The page of both lists shown, from 1.
    pub page: i64,
}

impl UsageReport {
    pub fn has_more(&self) -> bool {
        self.page * USAGE_PAGE_SIZE < self.active_total.max(self.pages_total)
    }
}

/// The usage page's address for page `page` of its lists.
pub fn usage_href(page: i64) -> String {
    if page <= 1 {
        USAGE_PATH.to_owned()
    } else {
        format!("{USAGE_PATH}?page={page}")
    }
}

/// A page number as the `page` parameter gives it ("" is the first).
pub fn parse_page(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(1);
    }
    match text.parse::<i64>() {
        Ok(page) if (1..=10_000).contains(&page) => Ok(page),
        _ => Err(format!("page: {text:?} is not a page number (1 to 10000)")),
    }
}

/// `1 h 05 min`, `3 min 20 s`, `12 s`.
pub fn format_duration(language: crate::domain::language::Language, seconds: i64) -> String {
    use crate::domain::language::Language::{En, Vi};
    let seconds = seconds.max(0);
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match language {
        En if hours > 0 => format!("{hours} h {minutes:02} min"),
        En if minutes > 0 => format!("{minutes} min {rest:02} s"),
        En => format!("{rest} s"),
        Vi if hours > 0 => format!("{hours} giờ {minutes:02} phút"),
        Vi if minutes > 0 => format!("{minutes} phút {rest:02} giây"),
        Vi => format!("{rest} giây"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_not_actions() {
        assert!(!changes_something("get_overview"));
        assert!(!changes_something("campaign_preview"));
        assert!(changes_something("save_campaign"));
        assert!(changes_something("sync_data_source"));
    }

    #[test]
    fn page_numbers_are_bounded_and_named() {
        assert_eq!(parse_page(""), Ok(1));
        assert_eq!(parse_page(" 3 "), Ok(3));
        assert!(parse_page("0").unwrap_err().starts_with("page:"));
        assert!(parse_page("x").is_err());
        assert_eq!(usage_href(1), USAGE_PATH);
        assert_eq!(usage_href(2), "/admin/usage?page=2");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        use crate::domain::language::Language;
        assert_eq!(format_duration(Language::En, 12), "12 s");
        assert_eq!(format_duration(Language::En, 200), "3 min 20 s");
        assert_eq!(format_duration(Language::En, 3900), "1 h 05 min");
        assert_eq!(format_duration(Language::Vi, 3900), "1 giờ 05 phút");
        assert_eq!(DeviceType::Tablet.label(Language::Vi), "Máy tính bảng");
        assert_eq!(DeviceType::parse("tablet"), Some(DeviceType::Tablet));
    }
}
