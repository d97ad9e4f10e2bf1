//! Synthetic demo data at the seeds' scale, deterministic for a given seed.
//!
//! Behaviour (ARPU, usage mix, top-ups) is drawn first; everything else is
//! derived from it, the way the real pipeline derives it: statistics from the
//! monthly rows, services and risk levels by ranking so that the seed 001
//! splits hold exactly, and the Vietnamese texts from the numbers.

mod command;
pub mod network;
mod texts;
pub mod transactions;

pub use command::run;

use crate::data::records::{round2, ArpuStats, MonthlyArpu, RevenueShares, SubscriberRecord, TopupBehaviour};
use crate::domain::recommendation::{ArpuTrend, RiskLevel, ServiceType, SubscriberType};
use base64::Engine;
use chrono::NaiveDate;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal};

/// The seven months of ARPU history in seed 001 (214,504 × 7 = 1,501,528 rows).
pub const MONTHS: [&str; 7] = ["202503", "202504", "202505", "202506", "202507", "202508", "202509"];

/// Seed 001's `ut360:meta:stats` split, at scale 1.
const SERVICE_SPLIT: [(ServiceType, usize); 3] =
    [(ServiceType::EasyCredit, 142_000), (ServiceType::Mbfg, 45_000), (ServiceType::Ungsanluong, 27_504)];
const MEDIUM_RISK_AT_SCALE_1: usize = 34_504;

/// Seed 001's example ISDN. The first demo subscriber carries it, so the seeds' own
/// queries (`WHERE isdn = '++/hZFPrCDRre55vsZqqxQ=='`) run unchanged and find a row.
pub const SEED_EXAMPLE_ISDN: &str = "++/hZFPrCDRre55vsZqqxQ==";

/// The day the demo recommendations were made (seed 001's date).
pub fn recommendation_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 22).expect("valid date")
}

/// How many subscribers of each kind a scale gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSize {
    pub per_service: Vec<(ServiceType, usize)>,
    pub medium_risk: usize,
}

impl DemoSize {
    pub fn at_scale(scale: f64) -> Self {
        let scaled = |count: usize| (count as f64 * scale).round() as usize;
        let per_service: Vec<_> = SERVICE_SPLIT.iter().map(|&(service, count)| (service, scaled(count))).collect();
        let total: usize = per_service.iter().map(|(_, count)| count).sum();
        Self { per_service, medium_risk: scaled(MEDIUM_RISK_AT_SCALE_1).min(total) }
    }

    pub fn subscribers(&self) -> usize {
        self.per_service.iter().map(|(_, count)| count).sum()
    }

    pub fn monthly_rows(&self) -> usize {
        self.subscribers() * MONTHS.len()
    }
}

struct Cluster {
    label: &'static str,
    weight: f64,
    median_arpu: f64,
    data_share: (f64, f64),
}

const CLUSTERS: [Cluster; 4] = [
    Cluster { label: "Thuê bao phổ thông", weight: 0.40, median_arpu: 22_000.0, data_share: (0.15, 0.45) },
    Cluster { label: "Thuê bao ổn định", weight: 0.30, median_arpu: 55_000.0, data_share: (0.25, 0.55) },
    Cluster { label: "Thuê bao giá trị cao", weight: 0.12, median_arpu: 140_000.0, data_share: (0.20, 0.60) },
    Cluster { label: "Thuê bao dùng data nhiều", weight: 0.18, median_arpu: 90_000.0, data_share: (0.60, 0.92) },
];

pub fn cluster_label(cluster_group: i32) -> &'static str {
    CLUSTERS[cluster_group as usize].label
}

/// Advance amounts offered per service, smallest first.
fn advance_ladder(service: ServiceType) -> &'static [f64] {
    match service {
        ServiceType::EasyCredit => &[10_000.0, 20_000.0, 25_000.0, 30_000.0, 50_000.0],
        ServiceType::Mbfg => &[20_000.0, 30_000.0, 40_000.0, 50_000.0, 70_000.0],
        ServiceType::Ungsanluong => &[5_000.0, 10_000.0, 15_000.0, 20_000.0, 30_000.0],
    }
}

/// Share of the advance the operator earns as a fee.
fn fee_rate(service: ServiceType) -> f64 {
    match service {
        ServiceType::EasyCredit => 0.20,
        ServiceType::Mbfg => 0.15,
        ServiceType::Ungsanluong => 0.25,
    }
}

const TOPUP_DENOMINATIONS: [f64; 7] = [10_000.0, 20_000.0, 30_000.0, 50_000.0, 100_000.0, 200_000.0, 500_000.0];

/// What is drawn at random for one subscriber; the rest is derived.
struct Behaviour {
    isdn: String,
    subscriber_type: SubscriberType,
    cluster_group: i32,
    monthly: Vec<MonthlyArpu>,
    arpu: ArpuStats,
    revenue: RevenueShares,
    topup_frequency: f64,
    topup_spend_factor: f64,
    noise: [f64; 4],
}

/// Generates the demo subscribers. The same `seed` and `scale` always give the same records.
pub fn generate(seed: u64, scale: f64) -> Vec<SubscriberRecord> {
    let size = DemoSize::at_scale(scale);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut behaviours: Vec<Behaviour> = (0..size.subscribers()).map(|_| draw_behaviour(&mut rng)).collect();
    if let Some(first) = behaviours.first_mut() {
        first.isdn = SEED_EXAMPLE_ISDN.to_owned();
    }

    let services = assign_services(&behaviours, &size);
    let value_percentile = percentiles(&behaviours, |_| 0, |b| b.arpu.avg);
    let percentile_in_service = percentiles(&behaviours, |i| services[i] as usize, |b| b.arpu.avg);
    let date = recommendation_date();

    let mut records: Vec<SubscriberRecord> = behaviours
        .into_iter()
        .enumerate()
        .map(|(i, behaviour)| {
            let ranks = Ranks { value: value_percentile[i], within_service: percentile_in_service[i] };
            derive_record(behaviour, services[i], ranks, date)
        })
        .collect();
    assign_risk(&mut records, size.medium_risk);
    for record in &mut records {
        texts::describe(record);
    }
    records
}

fn draw_behaviour(rng: &mut ChaCha8Rng) -> Behaviour {
    let mut isdn_bytes = [0u8; 16];
    rng.fill_bytes(&mut isdn_bytes);
    let isdn = base64::engine::general_purpose::STANDARD.encode(isdn_bytes);

    let subscriber_type = if rng.gen_bool(0.85) { SubscriberType::Pre } else { SubscriberType::Pos };
    let cluster_group = pick_cluster(rng.gen());
    let cluster = &CLUSTERS[cluster_group as usize];

    let base = LogNormal::new(cluster.median_arpu.ln(), 0.45).expect("valid").sample(rng);
    let monthly_slope: f64 = Normal::new(0.0, 0.05).expect("valid").sample(rng);
    let month_noise = Normal::new(0.0, 0.10).expect("valid");
    let data_share = rng.gen_range(cluster.data_share.0..cluster.data_share.1);
    // SMS takes 2-10 % of what data leaves, so calls never go negative.
    let sms_share = rng.gen_range(0.02..0.10) * (1.0 - data_share);
    let monthly: Vec<MonthlyArpu> = MONTHS
        .iter()
        .enumerate()
        .map(|(t, month)| {
            let noise: f64 = month_noise.sample(rng);
            let level = (1.0 + monthly_slope * t as f64).max(0.15) * (1.0 + noise).max(0.3);
            let total = ((base * level).max(500.0) * 100.0).round() as i64;
            let arpu_data = (total as f64 * data_share).round() as i64;
            let arpu_sms = (total as f64 * sms_share).round() as i64;
            MonthlyArpu {
                data_month: (*month).to_owned(),
                arpu_call: total - arpu_data - arpu_sms,
                arpu_sms,
                arpu_data,
            }
        })
        .collect();
    let arpu = ArpuStats::from_months(&monthly).expect("seven months");
    let revenue = RevenueShares::from_months(&monthly);

    let topup_frequency = LogNormal::new(4.0f64.ln(), 0.55).expect("valid").sample(rng).clamp(0.5, 30.0);
    Behaviour {
        isdn,
        subscriber_type,
        cluster_group,
        monthly,
        arpu,
        revenue,
        topup_frequency: round2(topup_frequency),
        topup_spend_factor: rng.gen_range(0.8..1.6),
        noise: [(); 4].map(|_| Normal::new(0.0, 1.0).expect("valid").sample(rng)),
    }
}

fn pick_cluster(mut draw: f64) -> i32 {
    for (index, cluster) in CLUSTERS.iter().enumerate() {
        if draw < cluster.weight {
            return index as i32;
        }
        draw -= cluster.weight;
    }
    CLUSTERS.len() as i32 - 1
}

/// Data-heavy subscribers get data advances (ungsanluong), the highest ARPU of
/// the rest MBFG, everyone else EasyCredit: exactly the counts `size` asks for.
fn assign_services(behaviours: &[Behaviour], size: &DemoSize) -> Vec<ServiceType> {
    let count_of = |service| size.per_service.iter().find(|(s, _)| *s == service).map_or(0, |(_, c)| *c);
    let mut services = vec![ServiceType::EasyCredit; behaviours.len()];

    let mut by_data_share: Vec<usize> = (0..behaviours.len()).collect();
    by_data_share.sort_by_key(|&i| std::cmp::Reverse(behaviours[i].revenue.data_bp));
    let (data_heavy, rest) = by_data_share.split_at(count_of(ServiceType::Ungsanluong));
    for &i in data_heavy {
        services[i] = ServiceType::Ungsanluong;
    }

    let mut by_arpu = rest.to_vec();
    by_arpu.sort_by(|&a, &b| behaviours[b].arpu.avg.total_cmp(&behaviours[a].arpu.avg));
    for &i in by_arpu.iter().take(count_of(ServiceType::Mbfg)) {
        services[i] = ServiceType::Mbfg;
    }
    services
}

/// Each subscriber's rank by `key` among those of the same `group`, as a fraction in [0, 1).
fn percentiles(behaviours: &[Behaviour], group: impl Fn(usize) -> usize, key: impl Fn(&Behaviour) -> f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..behaviours.len()).collect();
    order.sort_by(|&a, &b| group(a).cmp(&group(b)).then(key(&behaviours[a]).total_cmp(&key(&behaviours[b]))));
    let mut percentile = vec![0.0; behaviours.len()];
    for members in order.chunk_by(|&a, &b| group(a) == group(b)) {
        for (rank, &i) in members.iter().enumerate() {
            percentile[i] = rank as f64 / members.len() as f64;
        }
    }
    percentile
}

/// Where a subscriber's ARPU ranks: among everyone, and among its service's subscribers.
struct Ranks {
    value: f64,
    within_service: f64,
}

fn derive_record(b: Behaviour, service: ServiceType, ranks: Ranks, date: NaiveDate) -> SubscriberRecord {
    let ladder = advance_ladder(service);
    let step = ((ranks.within_service * ladder.len() as f64) as isize + (b.noise[0] * 0.6).round() as isize)
        .clamp(0, ladder.len() as isize - 1);
    let advance_amount = ladder[step as usize];
    let revenue_per_advance = round2(advance_amount * fee_rate(service));

    let monthly_spend = b.arpu.avg * b.topup_spend_factor;
    let avg_topup = ((monthly_spend / b.topup_frequency / 1_000.0).round() * 1_000.0).max(10_000.0);
    let min_topup = TOPUP_DENOMINATIONS.iter().copied().rev().find(|&d| d <= avg_topup).unwrap_or(10_000.0);
    let max_topup = TOPUP_DENOMINATIONS.iter().copied().find(|&d| d >= avg_topup).unwrap_or(avg_topup);
    let topup = TopupBehaviour {
        frequency: b.topup_frequency,
        avg_amount: avg_topup,
        min_amount: min_topup,
        max_amount: max_topup,
        advance_ratio: (avg_topup / advance_amount * 10_000.0).round() / 10_000.0,
    };

    let trend_bonus = match b.arpu.trend {
        ArpuTrend::Growing => 10.0,
        ArpuTrend::Stable => 5.0,
        ArpuTrend::Declining => 0.0,
    };
    let customer_value_score =
        (20.0 + 60.0 * ranks.value + 10.0 * (topup.frequency / 10.0).min(1.0) + trend_bonus + 5.0 * b.noise[1])
            .round()
            .clamp(0.0, 100.0);
    let advance_readiness_score = (35.0
        + 35.0 * (topup.frequency / 6.0).min(1.0)
        + 20.0 * (topup.advance_ratio / 1.5).min(1.0)
        + trend_bonus
        + 6.0 * b.noise[2])
        .round()
        .clamp(0.0, 100.0);

    let volatility = if b.arpu.avg > 0.0 { b.arpu.std / b.arpu.avg } else { 0.0 };
    let decline = (-b.arpu.growth_rate).max(0.0) / 60.0;
    let risk_score = (10.0
        + 30.0 * decline.min(1.0)
        + 20.0 * ((3.0 - topup.frequency) / 3.0).max(0.0)
        + 20.0 * (1.0 - topup.advance_ratio).max(0.0)
        + 20.0 * volatility.min(1.0)
        + 3.0 * b.noise[3])
        .clamp(0.0, 100.0);

    SubscriberRecord {
        isdn: b.isdn,
        subscriber_type: b.subscriber_type,
        service_type: service,
        advance_amount,
        revenue_per_advance,
        cluster_group: b.cluster_group,
        cluster_label: cluster_label(b.cluster_group).to_owned(),
        bad_debt_risk: RiskLevel::Low,
        risk_score: round2(risk_score),
        risk_factors: Vec::new(),
        arpu: b.arpu,
        revenue: b.revenue,
        topup,
        customer_value_score,
        advance_readiness_score,
        revenue_potential: revenue_per_advance,
        classification_reason: String::new(),
        strengths: Vec::new(),
        recommendations_text: Vec::new(),
        recommendation_date: date,
        monthly: b.monthly,
    }
}

/// The `medium_risk` highest risk scores are MEDIUM, the rest LOW.
fn assign_risk(records: &mut [SubscriberRecord], medium_risk: usize) {
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| records[b].risk_score.total_cmp(&records[a].risk_score));
    for &i in order.iter().take(medium_risk) {
        records[i].bad_debt_risk = RiskLevel::Medium;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn seed_scale_matches_seed_001_meta_stats() {
        let size = DemoSize::at_scale(1.0);
        assert_eq!(size.subscribers(), 214_504);
        assert_eq!(size.monthly_rows(), 1_501_528);
        assert_eq!(size.medium_risk, 34_504);
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = generate(7, 0.002);
        assert_eq!(a, generate(7, 0.002));
        assert_eq!(a[0].isdn, SEED_EXAMPLE_ISDN);
        assert_ne!(a[1].isdn, generate(8, 0.002)[1].isdn);
    }

    #[test]
    fn splits_are_exact_and_records_consistent() {
        let scale = 0.05;
        let records = generate(42, scale);
        let size = DemoSize::at_scale(scale);
        assert_eq!(records.len(), size.subscribers());

        let mut per_service: HashMap<ServiceType, usize> = HashMap::new();
        for record in &records {
            *per_service.entry(record.service_type).or_default() += 1;
        }
        for (service, count) in &size.per_service {
            assert_eq!(per_service[service], *count, "{service}");
        }
        let medium = records.iter().filter(|r| r.bad_debt_risk == RiskLevel::Medium).count();
        assert_eq!(medium, size.medium_risk);

        let isdns: HashSet<&str> = records.iter().map(|r| r.isdn.as_str()).collect();
        assert_eq!(isdns.len(), records.len(), "ISDNs are unique");

        for record in &records {
            assert_eq!(record.isdn.len(), 24, "base64 of 16 bytes");
            assert_eq!(record.monthly.len(), MONTHS.len());
            assert_eq!(ArpuStats::from_months(&record.monthly).as_ref(), Some(&record.arpu));
            let shares = record.revenue;
            assert_eq!(shares.call_bp + shares.sms_bp + shares.data_bp, 10_000);
            for share in [shares.call_bp, shares.sms_bp, shares.data_bp] {
                assert!((0..=10_000).contains(&share), "share {share} of {}", record.isdn);
            }
            assert!(record.monthly.iter().all(|m| m.arpu_call >= 0 && m.arpu_sms >= 0 && m.arpu_data >= 0));
            assert!((0.0..=100.0).contains(&record.customer_value_score));
            assert!((0.0..=100.0).contains(&record.advance_readiness_score));
            assert!((0..4).contains(&record.cluster_group));
            assert!(!record.classification_reason.is_empty());
            assert!(!record.recommendations_text.is_empty());
            if record.bad_debt_risk == RiskLevel::Medium {
                assert!(!record.risk_factors.is_empty(), "a MEDIUM risk names its factors");
            }
        }
    }

    #[test]
    fn medium_risk_subscribers_score_higher_than_low_ones() {
        let records = generate(1, 0.02);
        let lowest_medium = records
            .iter()
            .filter(|r| r.bad_debt_risk == RiskLevel::Medium)
            .map(|r| r.risk_score)
            .fold(f64::INFINITY, f64::min);
        assert!(records.iter().filter(|r| r.bad_debt_risk == RiskLevel::Low).all(|r| r.risk_score <= lowest_medium));
    }
}
