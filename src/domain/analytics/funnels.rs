//! Campaign funnels (seed 004 §5.2, issue 24): per campaign and day of export, how many
//! matched its rules, were left after its suppressions, were exported, and topped up
//! successfully within 30 days of the export. Computed nightly into `funnel_analysis`
//! (`funnel_name` = the campaign's id); the page sums the days of a chosen range.

use crate::domain::campaign::CampaignId;
#[cfg(feature = "ssr")]
use crate::domain::field_error::{FieldError, Problem};
#[cfg(feature = "ssr")]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const FUNNELS_PATH: &str = "/analytics/funnels";
/// Days after an export in which a top-up counts as its conversion.
pub const TOP_UP_WINDOW_DAYS: i64 = 30;

/// The page's parameters as they come from the address (empty: not given).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunnelParams {
    pub campaign: String,
    pub from: String,
    pub until: String,
}

/// The parameters checked: a campaign id and export days, both ends included.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunnelQuery {
    /// `None`: the campaign exported most recently.
    pub campaign: Option<CampaignId>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

#[cfg(feature = "ssr")]
impl FunnelParams {
    pub fn query(&self) -> Result<FunnelQuery, FieldError> {
        let day = |field: &'static str, text: &str| match text.trim() {
            "" => Ok(None),
            text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| FieldError::new(field, Problem::NotADate { text: text.to_owned() })),
        };
        let campaign = match self.campaign.trim() {
            "" => None,
            text => Some(
                text.parse::<CampaignId>()
                    .map_err(|_| FieldError::new("campaign", Problem::NotAnId { text: text.to_owned() }))?,
            ),
        };
        let (from, until) = (day("from", &self.from)?, day("until", &self.until)?);
        if let (Some(from), Some(until)) = (from, until) {
            if until < from {
                let (end, start) = (until.to_string(), from.to_string());
                return Err(FieldError::new("until", Problem::EndsBeforeStart { end, start }));
            }
        }
        Ok(FunnelQuery { campaign, from, until })
    }
}

/// One step of a funnel: who reached the step before it (`visitors`) and who passed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    pub order: i32,
    pub name: String,
    pub visitors: i64,
    pub conversions: i64,
}

impl FunnelStep {
    /// Conversions per visitor, 0 to 1 (0 without visitors).
    pub fn conversion_rate(&self) -> f64 {
        if self.visitors > 0 {
            (self.conversions as f64 / self.visitors as f64).min(1.0)
        } else {
            0.0
        }
    }

    /// The visitors who did not pass, 0 to 1.
    pub fn drop_off_rate(&self) -> f64 {
        if self.visitors > 0 {
            1.0 - self.conversion_rate()
        } else {
            0.0
        }
    }
}

/// A campaign that has a funnel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelCampaign {
    pub id: CampaignId,
    pub name: String,
    /// The last day it was exported on (`YYYY-MM-DD`).
    pub last_export: String,
}

/// The page: the campaigns with funnels, the chosen one's steps summed over the range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunnelReport {
    /// Most recently exported first.
    pub campaigns: Vec<FunnelCampaign>,
    pub campaign: Option<CampaignId>,
    /// The range as chosen (empty: open).
    pub from: String,
    pub until: String,
    /// In step order; empty when the campaign has no export in the range.
    pub steps: Vec<FunnelStep>,
    /// Days of export in the range.
    pub export_days: i64,
    /// `YYYY-MM-DD HH:MM UTC`; `None` before the first computation.
    pub computed_at: Option<String>,
}

impl FunnelReport {
    pub fn campaign_name(&self) -> Option<&str> {
        let chosen = self.campaign?;
        self.campaigns.iter().find(|campaign| campaign.id == chosen).map(|campaign| campaign.name.as_str())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn params(campaign: &str, from: &str, until: &str) -> FunnelParams {
        FunnelParams { campaign: campaign.into(), from: from.into(), until: until.into() }
    }

    #[test]
    fn parameters_are_checked_and_named() {
        assert_eq!(params("", "", "").query(), Ok(FunnelQuery::default()));
        let query = params("6f1c1d3e-8f7a-4c2b-9d7e-0a1b2c3d4e5f", "2026-11-01", "2026-11-30").query().unwrap();
        assert_eq!(query.from, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert!(query.campaign.is_some());
        assert_eq!(params("1; DROP", "", "").query().unwrap_err().field, "campaign");
        assert_eq!(params("", "2026-13-01", "").query().unwrap_err().field, "from");
        assert_eq!(params("", "", "yesterday").query().unwrap_err().field, "until");
        assert_eq!(params("", "2026-11-30", "2026-11-01").query().unwrap_err().field, "until");
    }

    #[test]
    fn rates_stay_between_0_and_1() {
        let step = |visitors, conversions| FunnelStep { order: 1, name: "x".into(), visitors, conversions };
        assert_eq!((step(200, 50).conversion_rate(), step(200, 50).drop_off_rate()), (0.25, 0.75));
        assert_eq!((step(0, 0).conversion_rate(), step(0, 0).drop_off_rate()), (0.0, 0.0));
        assert_eq!(step(10, 12).conversion_rate(), 1.0);
    }
}
