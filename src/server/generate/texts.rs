//! The Vietnamese insight texts of a profile, written from its numbers by the
//! templates of `domain::profile_text` (which pages read them back by).

use crate::data::records::SubscriberRecord;
use crate::domain::format::format_dong;
use crate::domain::profile_text::Sentence;
use crate::domain::recommendation::{ArpuTrend, RiskLevel};

/// Fills the risk factors, strengths, recommendations and classification reason.
pub(super) fn describe(record: &mut SubscriberRecord) {
    record.risk_factors = risk_factors(record);
    record.strengths = strengths(record);
    record.recommendations_text = recommendations(record);
    record.classification_reason = Sentence::Classification.write(&[
        ("service", &record.service_type),
        ("cluster", &record.cluster_label),
        ("avg", &format_dong(record.arpu.avg)),
        ("trend", &record.arpu.trend),
        ("frequency", &record.topup.frequency_class()),
        ("risk", &record.bad_debt_risk),
    ]);
}

fn risk_factors(r: &SubscriberRecord) -> Vec<String> {
    let mut factors = Vec::new();
    if r.bad_debt_risk != RiskLevel::Low {
        factors.push(Sentence::RiskScoreHigh.write(&[("score", &format!("{:.2}", r.risk_score))]));
    }
    if r.arpu.trend == ArpuTrend::Declining {
        factors.push(Sentence::ArpuFell.write(&[
            ("percent", &format!("{:.1}", -r.arpu.growth_rate)),
            ("from", &format_dong(r.arpu.first_month)),
            ("to", &format_dong(r.arpu.last_month)),
        ]));
    }
    if r.topup.frequency < 3.0 {
        factors.push(Sentence::RareTopups.write(&[("per_month", &format!("{:.1}", r.topup.frequency))]));
    }
    if r.topup.advance_ratio < 1.0 {
        factors.push(Sentence::TopupBelowAdvance.write(&[("ratio", &format!("{:.2}", r.topup.advance_ratio))]));
    }
    let volatility = if r.arpu.avg > 0.0 { r.arpu.std / r.arpu.avg * 100.0 } else { 0.0 };
    if volatility > 35.0 {
        factors.push(Sentence::VolatileArpu.write(&[("variation", &format!("{volatility:.0}"))]));
    }
    factors
}

fn strengths(r: &SubscriberRecord) -> Vec<String> {
    let mut strengths = Vec::new();
    match r.arpu.trend {
        ArpuTrend::Growing => {
            strengths.push(Sentence::ArpuGrowing.write(&[("percent", &format!("{:.1}", r.arpu.growth_rate))]))
        }
        ArpuTrend::Stable => strengths.push(Sentence::ArpuStable.write(&[("months", &r.monthly.len())])),
        ArpuTrend::Declining => {}
    }
    if r.topup.frequency >= 6.0 {
        strengths.push(Sentence::FrequentTopups.write(&[("per_month", &format!("{:.1}", r.topup.frequency))]));
    }
    if r.topup.advance_ratio >= 2.0 {
        strengths.push(Sentence::TopupTimesAdvance.write(&[("times", &format!("{:.1}", r.topup.advance_ratio))]));
    }
    if r.customer_value_score >= 70.0 {
        strengths.push(Sentence::HighValue.write(&[("value", &format!("{:.0}", r.customer_value_score))]));
    }
    if r.revenue.data_bp >= 6_000 {
        strengths.push(Sentence::HeavyData.write(&[("share", &format!("{:.0}", r.revenue.data_bp as f64 / 100.0))]));
    }
    strengths
}

fn recommendations(r: &SubscriberRecord) -> Vec<String> {
    let mut recommendations =
        vec![Sentence::OfferAdvance.write(&[("amount", &format_dong(r.advance_amount)), ("service", &r.service_type)])];
    if r.bad_debt_risk != RiskLevel::Low {
        recommendations.push(Sentence::WatchRepayment.write(&[]));
    } else if r.priority_score() >= 60.0 {
        recommendations.push(Sentence::CampaignThisMonth.write(&[]));
    } else {
        recommendations.push(Sentence::RegularOffers.write(&[]));
    }
    if r.revenue.data_bp >= 6_000 {
        recommendations.push(Sentence::DataBundle.write(&[]));
    }
    recommendations
}
