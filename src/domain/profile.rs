//! One subscriber's 360 profile, section by section, exactly as seed 001 caches it
//! (`ut360:profile:{ISDN}`, a hash of JSON sections). Shared by the server, which
//! writes the sections, and the pages that show them.

use crate::domain::language::Language;
use crate::domain::recommendation::display_and_parse;
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Numbers are written the way the seed shows them: `25000`, not `25000.0`.
fn plain_number<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(number) if number.fract() == 0.0 && number.abs() < 9e15 => serializer.serialize_i64(*number as i64),
        Some(number) => serializer.serialize_f64(*number),
        None => serializer.serialize_none(),
    }
}

/// `basic`: `{isdn, type, service, advance, revenue}`, then UT360's `cluster` and
/// `cluster_label`. Fields beyond the seed's come last and only when known, so a
/// reader of the seed's fields finds them unchanged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Basic {
    pub isdn: String,
    #[serde(rename = "type")]
    pub subscriber_type: String,
    pub service: Option<String>,
    #[serde(serialize_with = "plain_number")]
    pub advance: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub revenue: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_label: Option<String>,
}

/// `arpu_stats`: `{avg, std, min, max, growth_rate, trend}`, then UT360's
/// `first_month` and `last_month` (the ARPU of each).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ArpuStats {
    #[serde(serialize_with = "plain_number")]
    pub avg: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub std: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub min: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub max: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub growth_rate: Option<f64>,
    pub trend: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "plain_number")]
    pub first_month: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "plain_number")]
    pub last_month: Option<f64>,
}

/// `revenue_breakdown`: `{call_pct, sms_pct, data_pct, user_type}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RevenueBreakdown {
    #[serde(serialize_with = "plain_number")]
    pub call_pct: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub sms_pct: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub data_pct: Option<f64>,
    pub user_type: Option<String>,
}

/// `topup_behavior`: `{frequency, avg_amount, ratio, frequency_class}`, then UT360's
/// `min_amount` and `max_amount`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TopupBehavior {
    #[serde(serialize_with = "plain_number")]
    pub frequency: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub avg_amount: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub ratio: Option<f64>,
    pub frequency_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "plain_number")]
    pub min_amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "plain_number")]
    pub max_amount: Option<f64>,
}

/// `risk_assessment`: `{level, score, factors[]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RiskAssessment {
    pub level: Option<String>,
    #[serde(serialize_with = "plain_number")]
    pub score: Option<f64>,
    pub factors: Vec<String>,
}

/// `kpi_scores`: `{customer_value, advance_readiness, revenue_potential}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KpiScores {
    #[serde(serialize_with = "plain_number")]
    pub customer_value: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub advance_readiness: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub revenue_potential: Option<f64>,
}

/// One element of `monthly_arpu`: `{month, arpu_call, arpu_sms, arpu_data, arpu_total}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthArpu {
    /// `YYYYMM`.
    pub month: String,
    #[serde(serialize_with = "plain_number")]
    pub arpu_call: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub arpu_sms: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub arpu_data: Option<f64>,
    #[serde(serialize_with = "plain_number")]
    pub arpu_total: Option<f64>,
}

/// `insights`: `{classification_reason, strengths[], recommendations[]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Insights {
    pub classification_reason: Option<String>,
    pub strengths: Vec<String>,
    pub recommendations: Vec<String>,
}

/// A subscriber's 360 view: the recommendation and, when there is one, the profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SubscriberView {
    pub recommendation: crate::domain::recommendation::Recommendation,
    pub profile: Option<Profile>,
}

/// Seed 001's profile hash, section by section: the eight sections and when the
/// profile row last changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Profile {
    #[cfg_attr(feature = "ssr", schema(inline))]
    pub basic: Basic,
    #[cfg_attr(feature = "ssr", schema(inline))]
    pub arpu_stats: ArpuStats,
    #[cfg_attr(feature = "ssr", schema(inline))]
    pub revenue_breakdown: RevenueBreakdown,
    #[cfg_attr(feature = "ssr", schema(inline))]
    pub topup_behavior: TopupBehavior,
    #[cfg_attr(feature = "ssr", schema(inline))]
    pub risk_assessment: RiskAssessment,
    #[cfg_attr(feature = "ssr", schema(inline))]
    pub kpi_scores: KpiScores,
    #[cfg_attr(feature = "ssr", schema(inline))]
    pub monthly_arpu: Vec<MonthArpu>,
    #[cfg_attr(feature = "ssr", schema(inline))]
    pub insights: Insights,
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub updated_at: String,
}

impl Profile {
    /// Seed 001's hash field names, in the seed's order.
    pub const FIELDS: [&'static str; 9] = [
        "basic",
        "arpu_stats",
        "revenue_breakdown",
        "topup_behavior",
        "risk_assessment",
        "kpi_scores",
        "monthly_arpu",
        "insights",
        "updated_at",
    ];

    /// The hash's fields: each section as compact JSON, `updated_at` as text.
    pub fn to_hash_fields(&self) -> [(&'static str, String); 9] {
        fn json<T: Serialize>(section: &T) -> String {
            serde_json::to_string(section).expect("profile sections serialize")
        }
        [
            ("basic", json(&self.basic)),
            ("arpu_stats", json(&self.arpu_stats)),
            ("revenue_breakdown", json(&self.revenue_breakdown)),
            ("topup_behavior", json(&self.topup_behavior)),
            ("risk_assessment", json(&self.risk_assessment)),
            ("kpi_scores", json(&self.kpi_scores)),
            ("monthly_arpu", json(&self.monthly_arpu)),
            ("insights", json(&self.insights)),
            ("updated_at", self.updated_at.clone()),
        ]
    }

    /// Reads the hash back; `None` if a section is missing or not the seed's shape.
    pub fn from_hash_fields(fields: &std::collections::HashMap<String, String>) -> Option<Self> {
        fn section<T: for<'de> Deserialize<'de>>(
            fields: &std::collections::HashMap<String, String>,
            name: &str,
        ) -> Option<T> {
            serde_json::from_str(fields.get(name)?).ok()
        }
        Some(Self {
            basic: section(fields, "basic")?,
            arpu_stats: section(fields, "arpu_stats")?,
            revenue_breakdown: section(fields, "revenue_breakdown")?,
            topup_behavior: section(fields, "topup_behavior")?,
            risk_assessment: section(fields, "risk_assessment")?,
            kpi_scores: section(fields, "kpi_scores")?,
            monthly_arpu: section(fields, "monthly_arpu")?,
            insights: section(fields, "insights")?,
            updated_at: fields.get("updated_at")?.clone(),
        })
    }
}

/// How a subscriber's revenue splits between usage kinds (`revenue_breakdown.user_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserType {
    HeavyData,
    VoiceSms,
    Balanced,
}

impl UserType {
    pub const ALL: [UserType; 3] = [Self::HeavyData, Self::VoiceSms, Self::Balanced];

    /// As stored, cached and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HeavyData => "Heavy Data User",
            Self::VoiceSms => "Voice/SMS User",
            Self::Balanced => "Balanced",
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::HeavyData => td_string!(locale, values.heavy_data_user),
            Self::VoiceSms => td_string!(locale, values.voice_sms_user),
            Self::Balanced => td_string!(locale, values.balanced_user),
        }
    }
}

/// How often a subscriber tops up (`topup_behavior.frequency_class`, stored in the
/// seed's Vietnamese: `Cao`, `Trung bình`, `Thấp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrequencyClass {
    High,
    Medium,
    Low,
}

impl FrequencyClass {
    pub const ALL: [FrequencyClass; 3] = [Self::High, Self::Medium, Self::Low];

    /// As stored, cached and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "Cao",
            Self::Medium => "Trung bình",
            Self::Low => "Thấp",
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::High => td_string!(locale, values.high),
            Self::Medium => td_string!(locale, values.medium),
            Self::Low => td_string!(locale, values.low),
        }
    }
}

display_and_parse!(UserType => "user type", FrequencyClass => "top-up frequency class");

/// A stored value of `T`'s vocabulary in the page's words; a value outside it as
/// stored (the data's own words), and `–` for none.
pub fn stored_label<T: std::str::FromStr>(stored: Option<&str>, label: impl Fn(T) -> &'static str) -> String {
    match stored {
        Some(text) => text.parse().map_or_else(|_| text.to_owned(), |value| label(value).to_owned()),
        None => "–".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_are_shown_in_the_pages_words_and_others_as_stored() {
        assert_eq!(stored_label(Some("Balanced"), |t: UserType| t.label(Language::Vi)), "Cân bằng");
        assert_eq!(stored_label(Some("Trung bình"), |c: FrequencyClass| c.label(Language::En)), "Medium");
        assert_eq!(stored_label(Some("Something else"), |t: UserType| t.label(Language::En)), "Something else");
        assert_eq!(stored_label(None, |t: UserType| t.label(Language::En)), "–");
        for class in FrequencyClass::ALL {
            assert_eq!(class.as_str().parse::<FrequencyClass>(), Ok(class));
        }
    }

    #[test]
    fn sections_are_compact_json_with_plain_numbers() {
        let profile = Profile {
            basic: Basic {
                isdn: "++/hZFPrCDRre55vsZqqxQ==".into(),
                subscriber_type: "PRE".into(),
                service: Some("EasyCredit".into()),
                advance: Some(25000.0),
                revenue: Some(7500.0),
                ..Default::default()
            },
            arpu_stats: ArpuStats {
                avg: Some(2757.5),
                growth_rate: Some(-56.7),
                trend: Some("Giảm".into()),
                ..Default::default()
            },
            monthly_arpu: vec![MonthArpu { month: "202503".into(), arpu_total: Some(3500.0), ..Default::default() }],
            updated_at: "2025-10-22T10:30:00".into(),
            ..Default::default()
        };
        let fields = profile.to_hash_fields();
        assert_eq!(fields.clone().map(|(name, _)| name), Profile::FIELDS);
        assert_eq!(
            fields[0].1,
            r#"{"isdn":"++/hZFPrCDRre55vsZqqxQ==","type":"PRE","service":"EasyCredit","advance":25000,"revenue":7500}"#
        );
        assert_eq!(
            fields[1].1,
            r#"{"avg":2757.5,"std":null,"min":null,"max":null,"growth_rate":-56.7,"trend":"Giảm"}"#
        );
        assert!(fields[6].1.starts_with(r#"[{"month":"202503","arpu_call":null"#));

        let hash = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        assert_eq!(Profile::from_hash_fields(&hash), Some(profile.clone()));

        let with_extras = Profile {
            basic: Basic {
                cluster: Some(3),
                cluster_label: Some("Khách hàng tiềm năng".into()),
                ..profile.basic.clone()
            },
            topup_behavior: TopupBehavior {
                min_amount: Some(10000.0),
                max_amount: Some(50000.5),
                ..Default::default()
            },
            ..profile
        };
        let fields = with_extras.to_hash_fields();
        assert!(
            fields[0].1.ends_with(r#""revenue":7500,"cluster":3,"cluster_label":"Khách hàng tiềm năng"}"#),
            "{}",
            fields[0].1
        );
        assert!(
            fields[3].1.ends_with(r#""frequency_class":null,"min_amount":10000,"max_amount":50000.5}"#),
            "{}",
            fields[3].1
        );
        let hash = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        assert_eq!(Profile::from_hash_fields(&hash), Some(with_extras));
    }
}
