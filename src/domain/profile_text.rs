//! The sentences of a profile (risk factors, strengths, recommendations and the
//! classification reason): the generator writes them in Vietnamese from the locale's
//! templates, they are stored and exported as written, and a page shows each in its
//! own language with its numbers written as that language writes them. A sentence
//! that is no template's (imported data) is shown as stored.

use crate::components::fill;
use crate::domain::format::{format_count, format_fixed};
use crate::domain::language::Language;
use crate::domain::profile::FrequencyClass;
use crate::domain::recommendation::{ArpuTrend, RiskLevel};
use crate::i18n::{td_string, Locale};

/// One template of the generator's sentences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sentence {
    RiskScoreHigh,
    ArpuFell,
    RareTopups,
    TopupBelowAdvance,
    VolatileArpu,
    ArpuGrowing,
    ArpuStable,
    FrequentTopups,
    TopupTimesAdvance,
    HighValue,
    HeavyData,
    OfferAdvance,
    WatchRepayment,
    CampaignThisMonth,
    RegularOffers,
    DataBundle,
    Classification,
}

/// What a template's place holds, which says how to write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// A number with this many decimals (stored as Rust writes it: `0.67`).
    Fixed(usize),
    /// Whole đồng or a count, stored with Vietnamese thousands dots (`25.000`).
    Whole,
    Trend,
    Frequency,
    Risk,
    /// Words of the data (a service, a cluster's label): as stored.
    AsStored,
}

impl Sentence {
    pub const ALL: [Sentence; 17] = [
        Self::RiskScoreHigh,
        Self::ArpuFell,
        Self::RareTopups,
        Self::TopupBelowAdvance,
        Self::VolatileArpu,
        Self::ArpuGrowing,
        Self::ArpuStable,
        Self::FrequentTopups,
        Self::TopupTimesAdvance,
        Self::HighValue,
        Self::HeavyData,
        Self::OfferAdvance,
        Self::WatchRepayment,
        Self::CampaignThisMonth,
        Self::RegularOffers,
        Self::DataBundle,
        Self::Classification,
    ];

    /// The template in `language`: Vietnamese is also what the generator stores.
    pub fn template(self, language: Language) -> &'static str {
        let locale = Locale::from(language);
        match self {
            Self::RiskScoreHigh => td_string!(locale, profile_text.risk_score_high),
            Self::ArpuFell => td_string!(locale, profile_text.arpu_fell),
            Self::RareTopups => td_string!(locale, profile_text.rare_topups),
            Self::TopupBelowAdvance => td_string!(locale, profile_text.topup_below_advance),
            Self::VolatileArpu => td_string!(locale, profile_text.volatile_arpu),
            Self::ArpuGrowing => td_string!(locale, profile_text.arpu_growing),
            Self::ArpuStable => td_string!(locale, profile_text.arpu_stable),
            Self::FrequentTopups => td_string!(locale, profile_text.frequent_topups),
            Self::TopupTimesAdvance => td_string!(locale, profile_text.topup_times_advance),
            Self::HighValue => td_string!(locale, profile_text.high_value),
            Self::HeavyData => td_string!(locale, profile_text.heavy_data),
            Self::OfferAdvance => td_string!(locale, profile_text.offer_advance),
            Self::WatchRepayment => td_string!(locale, profile_text.watch_repayment),
            Self::CampaignThisMonth => td_string!(locale, profile_text.campaign_this_month),
            Self::RegularOffers => td_string!(locale, profile_text.regular_offers),
            Self::DataBundle => td_string!(locale, profile_text.data_bundle),
            Self::Classification => td_string!(locale, profile_text.classification),
        }
    }

    /// The sentence as stored: the Vietnamese template with `values` in its places.
    pub fn write(self, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        fill(self.template(Language::Vi), values)
    }
}

fn place(name: &str) -> Place {
    match name {
        "score" | "ratio" => Place::Fixed(2),
        "percent" | "per_month" | "times" => Place::Fixed(1),
        "variation" | "value" | "share" => Place::Fixed(0),
        "from" | "to" | "amount" | "avg" | "months" => Place::Whole,
        "trend" => Place::Trend,
        "frequency" => Place::Frequency,
        "risk" => Place::Risk,
        _ => Place::AsStored,
    }
}

/// A template's literal parts and place names: `a {x} b` → `["a ", " b"]`, `["x"]`.
fn pieces(template: &'static str) -> (Vec<&'static str>, Vec<&'static str>) {
    let (mut literals, mut names) = (Vec::new(), Vec::new());
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        let Some((name, after)) = after.split_once('}') else { break };
        literals.push(before);
        names.push(name);
        rest = after;
    }
    literals.push(rest);
    (literals, names)
}

/// The values of `text` in the places of `template`, if it is that template's.
fn read<'a>(template: &'static str, text: &'a str) -> Option<Vec<(&'static str, &'a str)>> {
    let (literals, names) = pieces(template);
    let mut rest = text.strip_prefix(literals[0])?;
    let mut values = Vec::with_capacity(names.len());
    for (index, name) in names.into_iter().enumerate() {
        let next = literals[index + 1];
        // A place at the end takes the rest; any other ends where its next words start.
        let end = if next.is_empty() { rest.len() } else { rest.find(next)? };
        let value = &rest[..end];
        if value.is_empty() {
            return None;
        }
        values.push((name, value));
        rest = &rest[end + next.len()..];
    }
    rest.is_empty().then_some(values)
}

/// A stored value as `language` writes it; `None` if it is not what its place holds.
fn rewrite(place: Place, stored: &str, language: Language) -> Option<String> {
    Some(match place {
        Place::Fixed(decimals) => format_fixed(language, stored.parse().ok()?, decimals),
        Place::Whole => format_count(language, stored.replace('.', "").parse().ok()?),
        Place::Trend => stored.parse::<ArpuTrend>().ok()?.label(language).to_owned(),
        Place::Frequency => stored.parse::<FrequencyClass>().ok()?.label(language).to_lowercase(),
        Place::Risk => stored.parse::<RiskLevel>().ok()?.label(language).to_lowercase(),
        Place::AsStored => stored.to_owned(),
    })
}

/// A stored sentence in `language`: a template's in its words with its numbers written
/// as the language does; any other as stored.
pub fn show(text: &str, language: Language) -> String {
    Sentence::ALL
        .iter()
        .find_map(|sentence| {
            let values = read(sentence.template(Language::Vi), text)?;
            let written: Vec<(&str, String)> = values
                .into_iter()
                .map(|(name, stored)| Some((name, rewrite(place(name), stored, language)?)))
                .collect::<Option<_>>()?;
            let places: Vec<(&str, &dyn std::fmt::Display)> =
                written.iter().map(|(name, value)| (*name, value as &dyn std::fmt::Display)).collect();
            Some(fill(sentence.template(language), &places))
        })
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_sentence_is_shown_in_the_pages_language_with_its_numbers() {
        let stored = Sentence::RiskScoreHigh.write(&[("score", &format!("{:.2}", 0.672))]);
        assert_eq!(stored, "Điểm rủi ro tổng hợp cao (0.67)");
        assert_eq!(show(&stored, Language::Vi), "Điểm rủi ro tổng hợp cao (0,67)");
        assert_eq!(show(&stored, Language::En), "High composite risk score (0.67)");

        let fell = "ARPU giảm 56.7% (từ 104.000 đ xuống 45.040 đ)";
        assert_eq!(show(fell, Language::Vi), "ARPU giảm 56,7% (từ 104.000 đ xuống 45.040 đ)");
        assert_eq!(show(fell, Language::En), "ARPU down 56.7% (from 104,000 ₫ to 45,040 ₫)");

        let reason =
            "Đề xuất MBFG: Thuê bao ổn định, ARPU trung bình 55.300 đ (Giảm), tần suất nạp Trung bình, rủi ro LOW";
        assert_eq!(
            show(reason, Language::Vi),
            "Đề xuất MBFG: Thuê bao ổn định, ARPU trung bình 55.300 đ (Giảm), tần suất nạp trung bình, rủi ro thấp"
        );
        assert_eq!(
            show(reason, Language::En),
            "Recommended MBFG: Thuê bao ổn định, average ARPU 55,300 ₫ (Declining), top-up frequency medium, risk low"
        );
        assert_eq!(
            show("Theo dõi khả năng hoàn ứng trước khi tăng hạn mức", Language::En),
            "Watch repayment before raising the limit"
        );
    }

    #[test]
    fn any_other_text_is_shown_as_stored() {
        for text in ["Khách quen của cửa hàng", "Điểm rủi ro tổng hợp cao (cao)", "ARPU tăng trưởng 12.5% và hơn", ""]
        {
            assert_eq!(show(text, Language::En), text);
        }
    }
}
