//! Insights (seed 004's `ai_insights`), as the `/insights` feed shows them: what kind,
//! how severe, how sure, the figures behind them, what to do, and the list or dashboard
//! each is about. They are computed in the database (migration 20261206000050), in
//! Vietnamese with the English beside it.

use crate::domain::lists::ListParams;
use crate::domain::query::{encode_component, query_string};
use crate::domain::transactions::DashboardRange;
use serde::{Deserialize, Serialize};

pub const INSIGHTS_PATH: &str = "/insights";
/// Insights on one page of the feed. Each card carries its figures, both languages and
/// its actions (about 5 KB of HTML and hydration data for an anomaly): 20 keep a page
/// near 100 KB however many insights there are.
pub const INSIGHTS_PAGE_SIZE: i64 = 20;
/// Subscribers the feed shows of an opportunity (which stores the first 100 by priority):
/// a preview; the campaign rule beside them selects every one.
pub const FEED_LISTED: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    Anomaly,
    Trend,
    Opportunity,
    Recommendation,
}

impl InsightKind {
    pub const ALL: [InsightKind; 4] =
        [InsightKind::Anomaly, InsightKind::Trend, InsightKind::Opportunity, InsightKind::Recommendation];

    /// The `insight_type` of the seed, and the page's `kind` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            InsightKind::Anomaly => "anomaly",
            InsightKind::Trend => "trend",
            InsightKind::Opportunity => "opportunity",
            InsightKind::Recommendation => "recommendation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InsightKind::Anomaly => "Anomaly",
            InsightKind::Trend => "Trend",
            InsightKind::Opportunity => "Opportunity",
            InsightKind::Recommendation => "Recommendation",
        }
    }

    pub fn parse(text: &str) -> Option<InsightKind> {
        let text = text.trim();
        InsightKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|severity| severity.as_str() == text.trim())
    }
}

/// One recommended action, in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightAction {
    #[serde(default)]
    pub vi: String,
    #[serde(default)]
    pub en: String,
}

/// What an insight's link shows; the page names it in the reader's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsightLinkKind {
    /// An anomaly of one merchant: its transactions over the compared window.
    MerchantTransactions,
    /// An anomaly of a payment mode: every transaction of the compared window.
    PeriodTransactions,
    /// A trend: the segment's subscribers whose ARPU declines.
    DecliningSegment,
    /// An opportunity: the LOW-risk, high-value subscribers.
    LowRiskHighValue,
}

impl InsightLinkKind {
    pub const ALL: [InsightLinkKind; 4] = [
        InsightLinkKind::MerchantTransactions,
        InsightLinkKind::PeriodTransactions,
        InsightLinkKind::DecliningSegment,
        InsightLinkKind::LowRiskHighValue,
    ];

    /// In English: the `label` the feed's JSON has always carried.
    pub fn label(self) -> &'static str {
        match self {
            InsightLinkKind::MerchantTransactions => "The merchant's transactions",
            InsightLinkKind::PeriodTransactions => "Transactions of the period",
            InsightLinkKind::DecliningSegment => "Subscribers of the segment with declining ARPU",
            InsightLinkKind::LowRiskHighValue => "LOW-risk, high-value subscribers",
        }
    }
}

/// Where an insight leads: the list or dashboard it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "InsightLinkJson", from = "InsightLinkJson")]
pub struct InsightLink {
    pub href: String,
    pub kind: InsightLinkKind,
}

/// An insight link as the feed's JSON carries it: the kind, and the English label
/// callers read before there was a kind.
#[derive(Clone, Serialize, Deserialize)]
struct InsightLinkJson {
    href: String,
    kind: InsightLinkKind,
    #[serde(default)]
    label: String,
}

impl From<InsightLink> for InsightLinkJson {
    fn from(link: InsightLink) -> Self {
        InsightLinkJson { href: link.href, kind: link.kind, label: link.kind.label().to_owned() }
    }
}

impl From<InsightLinkJson> for InsightLink {
    fn from(json: InsightLinkJson) -> Self {
        InsightLink { href: json.href, kind: json.kind }
    }
}

/// A subscriber an opportunity lists, with their Customer360 address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedSubscriber {
    pub isdn: String,
    pub href: String,
    pub service: String,
}

/// One insight as the feed shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightListing {
    pub id: String,
    pub kind: InsightKind,
    pub severity: Severity,
    /// Vietnamese (the seed's `title` / `description`).
    pub title: String,
    pub description: String,
    pub title_en: String,
    pub description_en: String,
    /// 0 to 1.
    pub confidence: f64,
    /// The figures it is based on, `name: value`, in the stored order of names.
    pub data_points: Vec<(String, String)>,
    pub recommendations: Vec<InsightAction>,
    pub is_read: bool,
    /// `YYYY-MM-DD`: the day it was computed for.
    pub day: Option<String>,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub created_at: String,
    pub link: Option<InsightLink>,
    /// An opportunity's campaign rule (JSON of `CampaignRules`) and first subscribers.
    pub campaign_rule: Option<String>,
    pub listed: Vec<ListedSubscriber>,
}

/// A page of the feed: most severe first, unread first, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InsightFeed {
    pub insights: Vec<InsightListing>,
    /// Of the kind chosen (or all), unexpired.
    pub total: i64,
    pub unread: i64,
    /// 1-based.
    pub page: i64,
    pub has_more: bool,
}

/// `path?query`, or `path` alone (as `pages::url::with_query`, which the domain does not reach).
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The feed's address for a kind (none: all) and a page (1: the first).
pub fn insights_href(kind: Option<InsightKind>, page: i64) -> String {
    let kind = kind.map(|kind| kind.as_str().to_owned()).unwrap_or_default();
    let page = if page > 1 { page.to_string() } else { String::new() };
    with_query(INSIGHTS_PATH, &query_string(&[("kind", &kind), ("page", &page)]))
}

/// The page number of the `page` parameter: empty is 1.
pub fn parse_page(text: &str) -> Result<i64, String> {
    match text.trim() {
        "" => Ok(1),
        text => match text.parse::<i64>() {
            Ok(page) if (1..=10_000).contains(&page) => Ok(page),
            _ => Err(format!("page: {text:?} is not a page number (1 or more)")),
        },
    }
}

fn text_of(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// What an insight is about, from its data points: a merchant's or a payment mode's
/// transactions over the window it was compared with, a segment's subscribers with a
/// declining ARPU, the LOW-risk high-value subscribers.
pub fn insight_link(kind: InsightKind, data_points: &serde_json::Value) -> Option<InsightLink> {
    let field = |name: &str| text_of(data_points.get(name));
    match kind {
        InsightKind::Anomaly => {
            let (from, until) = (field("window_from")?, field("day")?);
            let merchant = if field("segment").as_deref() == Some("merchant") { field("code") } else { None };
            let range = DashboardRange::Custom.as_str().to_owned();
            let query = query_string(&[
                ("range", &range),
                ("from", &from),
                ("until", &until),
                ("merchant", &merchant.clone().unwrap_or_default()),
            ]);
            let kind = match merchant {
                Some(_) => InsightLinkKind::MerchantTransactions,
                None => InsightLinkKind::PeriodTransactions,
            };
            Some(InsightLink { href: with_query("/transactions", &query), kind })
        }
        InsightKind::Trend => {
            let params = ListParams {
                service: field("service").unwrap_or_default(),
                cluster: field("cluster").unwrap_or_default(),
                trend: "Giảm".to_owned(),
                ..Default::default()
            };
            Some(InsightLink {
                href: with_query("/subscribers", &params.query_string()),
                kind: InsightLinkKind::DecliningSegment,
            })
        }
        InsightKind::Opportunity => {
            let params = ListParams {
                risk: field("risk").unwrap_or_else(|| "LOW".to_owned()),
                min_value: field("min_value").unwrap_or_else(|| "70".to_owned()),
                ..Default::default()
            };
            Some(InsightLink {
                href: with_query("/subscribers", &params.query_string()),
                kind: InsightLinkKind::LowRiskHighValue,
            })
        }
        InsightKind::Recommendation => None,
    }
}

/// The figures of an insight as `name: value` pairs; the opportunity's list and rule
/// are shown apart.
pub fn data_point_pairs(data_points: &serde_json::Value) -> Vec<(String, String)> {
    match data_points {
        serde_json::Value::Object(fields) => fields
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "listed" | "rule"))
            .filter_map(|(name, value)| text_of(Some(value)).map(|text| (name.clone(), text)))
            .collect(),
        _ => Vec::new(),
    }
}

/// An opportunity's listed subscribers (its data points' `listed`), the first `FEED_LISTED`.
pub fn listed_subscribers(listed: &serde_json::Value) -> Vec<ListedSubscriber> {
    let Some(listed) = listed.as_array() else {
        return Vec::new();
    };
    listed
        .iter()
        .filter_map(|row| {
            let isdn = row.get("isdn")?.as_str()?.to_owned();
            let service = text_of(row.get("service")).unwrap_or_default();
            Some(ListedSubscriber { href: format!("/subscribers/{}", encode_component(&isdn)), isdn, service })
        })
        .take(FEED_LISTED)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_and_severities_round_trip() {
        for kind in InsightKind::ALL {
            assert_eq!(InsightKind::parse(kind.as_str()), Some(kind));
        }
        for severity in Severity::ALL {
            assert_eq!(Severity::parse(severity.as_str()), Some(severity));
        }
        assert_eq!(InsightKind::parse("insight"), None);
        assert!(Severity::Critical > Severity::High && Severity::Medium > Severity::Low);
    }

    #[test]
    fn each_insight_leads_to_what_it_is_about() {
        let merchant = json!({"segment": "merchant", "code": "M 1", "day": "2026-12-04", "window_from": "2026-11-06"});
        assert_eq!(
            insight_link(InsightKind::Anomaly, &merchant),
            Some(InsightLink {
                href: "/transactions?range=custom&from=2026-11-06&until=2026-12-04&merchant=M%201".to_owned(),
                kind: InsightLinkKind::MerchantTransactions,
            })
        );
        let mode = json!({"segment": "payment_mode", "code": "CARD", "day": "2026-12-04", "window_from": "2026-11-06"});
        assert_eq!(
            insight_link(InsightKind::Anomaly, &mode),
            Some(InsightLink {
                href: "/transactions?range=custom&from=2026-11-06&until=2026-12-04".to_owned(),
                kind: InsightLinkKind::PeriodTransactions,
            })
        );
        let trend = json!({"service": "EasyCredit", "cluster": 3});
        assert_eq!(
            insight_link(InsightKind::Trend, &trend),
            Some(InsightLink {
                href: "/subscribers?service=EasyCredit&cluster=3&trend=Gi%E1%BA%A3m".to_owned(),
                kind: InsightLinkKind::DecliningSegment,
            })
        );
        let opportunity = json!({"risk": "LOW", "min_value": 70});
        assert_eq!(
            insight_link(InsightKind::Opportunity, &opportunity),
            Some(InsightLink {
                href: "/subscribers?risk=LOW&min_value=70".to_owned(),
                kind: InsightLinkKind::LowRiskHighValue
            })
        );
        assert_eq!(insight_link(InsightKind::Anomaly, &json!({})), None);
        assert_eq!(insight_link(InsightKind::Recommendation, &opportunity), None);
    }

    #[test]
    fn a_link_carries_its_kind_and_the_english_label_callers_read() {
        let link = InsightLink { href: "/subscribers?risk=LOW".to_owned(), kind: InsightLinkKind::LowRiskHighValue };
        let json = serde_json::to_value(&link).unwrap();
        assert_eq!(
            json,
            json!({"href": "/subscribers?risk=LOW", "kind": "low_risk_high_value", "label": "LOW-risk, high-value subscribers"})
        );
        assert_eq!(serde_json::from_value::<InsightLink>(json).unwrap(), link);
        let without_label = json!({"href": "/transactions", "kind": "period_transactions"});
        assert_eq!(
            serde_json::from_value::<InsightLink>(without_label).unwrap().kind,
            InsightLinkKind::PeriodTransactions
        );
        let labels: std::collections::HashSet<_> =
            InsightLinkKind::ALL.into_iter().map(InsightLinkKind::label).collect();
        assert_eq!(labels.len(), InsightLinkKind::ALL.len(), "each kind has a label of its own");
    }

    #[test]
    fn figures_leave_the_list_and_the_rule_apart() {
        let points = json!({"count": 2, "rule": {"risks": ["LOW"]}, "listed": [{"isdn": "a+/b", "service": "MBFG"}], "cluster": null});
        assert_eq!(data_point_pairs(&points), vec![("count".to_owned(), "2".to_owned())]);
        let listed = listed_subscribers(&points["listed"]);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].href, "/subscribers/a%2B%2Fb");
        let many: Vec<_> = (0..30).map(|n| json!({"isdn": format!("849{n:08}"), "service": "MBFG"})).collect();
        assert_eq!(listed_subscribers(&json!(many)).len(), FEED_LISTED);
        assert!(listed_subscribers(&serde_json::Value::Null).is_empty());
    }

    #[test]
    fn pages_are_numbers_from_one() {
        assert_eq!(parse_page(""), Ok(1));
        assert_eq!(parse_page("3"), Ok(3));
        for junk in ["0", "-1", "x", "1.5"] {
            assert!(parse_page(junk).unwrap_err().starts_with("page:"), "{junk}");
        }
        assert_eq!(insights_href(Some(InsightKind::Trend), 2), "/insights?kind=trend&page=2");
        assert_eq!(insights_href(None, 1), "/insights");
    }
}
