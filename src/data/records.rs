//! The rows of seed 001's subscriber tables, as one record per subscriber.
//!
//! Producers (the demo generator, file imports) build these; the data layer writes them.

use crate::domain::profile::{FrequencyClass, UserType};
use crate::domain::recommendation::{ArpuTrend, RiskLevel, ServiceType, SubscriberType};
use chrono::NaiveDate;

/// An amount in hundredths of a đồng, so monthly totals add up exactly.
pub type Cents = i64;

/// One row of `subscriber_monthly_arpu`.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthlyArpu {
    /// `YYYYMM`.
    pub data_month: String,
    pub arpu_call: Cents,
    pub arpu_sms: Cents,
    pub arpu_data: Cents,
}

impl MonthlyArpu {
    pub fn arpu_total(&self) -> Cents {
        self.arpu_call + self.arpu_sms + self.arpu_data
    }
}

/// ARPU statistics over a subscriber's months, in đồng rounded to 2 decimals.
#[derive(Clone, Debug, PartialEq)]
pub struct ArpuStats {
    pub avg: f64,
    /// Sample standard deviation (n - 1), as pandas computes it.
    pub std: f64,
    pub min: f64,
    pub max: f64,
    pub first_month: f64,
    pub last_month: f64,
    /// Percent change from the first to the last month.
    pub growth_rate: f64,
    pub trend: ArpuTrend,
}

/// Share of revenue per usage kind, in basis points that always add up to 10,000 (100 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevenueShares {
    pub call_bp: i64,
    pub sms_bp: i64,
    pub data_bp: i64,
}

impl RevenueShares {
    pub fn user_type(self) -> UserType {
        if self.data_bp >= 6_000 {
            UserType::HeavyData
        } else if self.call_bp + self.sms_bp >= 7_000 {
            UserType::VoiceSms
        } else {
            UserType::Balanced
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopupBehaviour {
    /// Top-ups per month.
    pub frequency: f64,
    pub avg_amount: f64,
    pub min_amount: f64,
    pub max_amount: f64,
    /// Average top-up divided by the recommended advance.
    pub advance_ratio: f64,
}

impl TopupBehaviour {
    pub fn frequency_class(&self) -> FrequencyClass {
        if self.frequency >= 6.0 {
            FrequencyClass::High
        } else if self.frequency >= 3.0 {
            FrequencyClass::Medium
        } else {
            FrequencyClass::Low
        }
    }
}

/// Everything UT360 stores about one subscriber: a `recommendations` row, a
/// `subscriber_360_profiles` row and its `subscriber_monthly_arpu` rows.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriberRecord {
    pub isdn: String,
    pub subscriber_type: SubscriberType,
    pub service_type: ServiceType,
    pub advance_amount: f64,
    pub revenue_per_advance: f64,
    pub cluster_group: i32,
    pub cluster_label: String,
    pub bad_debt_risk: RiskLevel,
    pub risk_score: f64,
    pub risk_factors: Vec<String>,
    pub arpu: ArpuStats,
    pub revenue: RevenueShares,
    pub topup: TopupBehaviour,
    pub customer_value_score: f64,
    pub advance_readiness_score: f64,
    pub revenue_potential: f64,
    pub classification_reason: String,
    pub strengths: Vec<String>,
    pub recommendations_text: Vec<String>,
    pub recommendation_date: NaiveDate,
    pub monthly: Vec<MonthlyArpu>,
}

impl SubscriberRecord {
    /// Seed 001: `customer_value * advance_readiness / 100`.
    pub fn priority_score(&self) -> f64 {
        round2(self.customer_value_score * self.advance_readiness_score / 100.0)
    }
}

/// Rounds half away from zero to 2 decimals, as `DECIMAL(_, 2)` stores it.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

impl ArpuStats {
    /// Statistics of `months` in the order given (oldest first). `None` for no months.
    pub fn from_months(months: &[MonthlyArpu]) -> Option<Self> {
        let totals: Vec<f64> = months.iter().map(|m| m.arpu_total() as f64 / 100.0).collect();
        let (first, last) = (*totals.first()?, *totals.last()?);
        let n = totals.len() as f64;
        let avg = totals.iter().sum::<f64>() / n;
        let std = if totals.len() > 1 {
            (totals.iter().map(|t| (t - avg).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        let growth_rate = if first > 0.0 { round2((last - first) / first * 100.0) } else { 0.0 };
        Some(Self {
            avg: round2(avg),
            std: round2(std),
            min: totals.iter().copied().fold(f64::INFINITY, f64::min),
            max: totals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            first_month: first,
            last_month: last,
            growth_rate,
            trend: ArpuTrend::from_growth_rate(growth_rate),
        })
    }
}

impl RevenueShares {
    pub fn from_months(months: &[MonthlyArpu]) -> Self {
        let sum = |part: fn(&MonthlyArpu) -> Cents| months.iter().map(part).sum::<Cents>();
        let total = sum(MonthlyArpu::arpu_total).max(1);
        let share = |amount: Cents| ((amount as f64) * 10_000.0 / total as f64).round() as i64;
        let call_bp = share(sum(|m| m.arpu_call));
        let sms_bp = share(sum(|m| m.arpu_sms));
        Self { call_bp, sms_bp, data_bp: 10_000 - call_bp - sms_bp }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(data_month: &str, total: Cents) -> MonthlyArpu {
        MonthlyArpu { data_month: data_month.into(), arpu_call: total / 2, arpu_sms: 0, arpu_data: total - total / 2 }
    }

    #[test]
    fn stats_follow_the_months() {
        let months = [month("202503", 400_000), month("202504", 200_000), month("202505", 173_250)];
        let stats = ArpuStats::from_months(&months).unwrap();
        assert_eq!(stats.first_month, 4_000.0);
        assert_eq!(stats.last_month, 1_732.5);
        assert_eq!(stats.min, 1_732.5);
        assert_eq!(stats.max, 4_000.0);
        assert_eq!(stats.avg, 2_577.5);
        assert_eq!(stats.growth_rate, -56.69);
        assert_eq!(stats.trend, ArpuTrend::Declining);
        assert_eq!(stats.std, 1_239.16);
    }

    #[test]
    fn shares_always_add_to_one_hundred_percent() {
        let months = [MonthlyArpu { data_month: "202503".into(), arpu_call: 1, arpu_sms: 1, arpu_data: 1 }];
        let shares = RevenueShares::from_months(&months);
        assert_eq!(shares.call_bp + shares.sms_bp + shares.data_bp, 10_000);
        assert_eq!((shares.call_bp, shares.sms_bp), (3_333, 3_333));
    }
}
