//! The demo collaborator (CTV) network of seed 000: about 20,000 collaborators in
//! referral trees (many deeper than the 4 levels commissions reach) and about 500,000
//! customers over the 24 months up to `today`, with statuses that depend on whether
//! their appointment has passed. The same seed, scale and day give the same network.

use crate::data::ctv::load::{CollaboratorRecord, CustomerRecord, Network};
use crate::domain::ctv::customers::CustomerStatus;
use chrono::{Datelike, Months, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

/// At scale 1.
pub const COLLABORATORS: usize = 20_000;
pub const CUSTOMERS: usize = 500_000;
/// Months of customers, the current one included.
pub const MONTHS_OF_CUSTOMERS: u32 = 24;

/// Kept apart from the subscribers' random stream, so adding this changed none of them.
const STREAM: u64 = 0xC7_000;

const FAMILY_NAMES: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý",
];
const MIDDLE_NAMES: [&str; 8] = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Quốc", "Thu"];
const GIVEN_NAMES: [&str; 32] = [
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
    "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phúc", "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo",
    "Trang", "Tuấn", "Yến",
];
const PHONE_PREFIXES: [&str; 12] = ["090", "093", "089", "070", "079", "077", "076", "078", "091", "094", "098", "097"];

/// Services, how often they are sold (weights) and their price range in đồng.
const SERVICES: [(&str, u32, i64, i64); 6] = [
    ("Chăm sóc da", 34, 500_000, 2_000_000),
    ("Triệt lông", 24, 1_000_000, 5_000_000),
    ("Phun xăm thẩm mỹ", 18, 2_000_000, 8_000_000),
    ("Trị nám", 12, 3_000_000, 12_000_000),
    ("Nâng cơ", 8, 8_000_000, 30_000_000),
    ("Cấy tóc", 4, 15_000_000, 60_000_000),
];

/// How many collaborators and customers a scale gives.
pub fn network_size(scale: f64) -> (usize, usize) {
    let scaled = |count: usize| ((count as f64 * scale).round() as usize).max(1);
    (scaled(COLLABORATORS), scaled(CUSTOMERS))
}

/// The first day of the oldest month with customers.
pub fn first_month(today: NaiveDate) -> NaiveDate {
    let this_month = today.with_day(1).expect("day 1 exists");
    this_month - Months::new(MONTHS_OF_CUSTOMERS - 1)
}

pub fn generate_network(seed: u64, scale: f64, today: NaiveDate) -> Network {
    let (collaborator_count, customer_count) = network_size(scale);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let collaborators = draw_collaborators(&mut rng, collaborator_count, today);
    let customers = draw_customers(&mut rng, &collaborators, customer_count, today);
    Network { collaborators, customers }
}

fn person_name(rng: &mut ChaCha8Rng) -> String {
    let family = FAMILY_NAMES[rng.gen_range(0..FAMILY_NAMES.len())];
    let middle = MIDDLE_NAMES[rng.gen_range(0..MIDDLE_NAMES.len())];
    let given = GIVEN_NAMES[rng.gen_range(0..GIVEN_NAMES.len())];
    format!("{family} {middle} {given}")
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    let prefix = PHONE_PREFIXES[rng.gen_range(0..PHONE_PREFIXES.len())];
    format!("{prefix}{:07}", rng.gen_range(0..10_000_000))
}

/// Collaborators join over the 3 years up to `today`, each introduced by one who joined
/// before (a few start trees of their own). Half pick among everyone, half among the
/// latest joiners, which grows long chains as well as wide teams. Ranks follow how many
/// each introduced.
fn draw_collaborators(rng: &mut ChaCha8Rng, count: usize, today: NaiveDate) -> Vec<CollaboratorRecord> {
    let network_start = first_month(today) - Months::new(12);
    let span_days = (today - network_start).num_days().max(1);
    let mut introducers: Vec<Option<usize>> = Vec::with_capacity(count);
    for i in 0..count {
        let introducer = if i == 0 || rng.gen_bool(0.015) {
            None
        } else if rng.gen_bool(0.5) {
            Some(rng.gen_range(0..i))
        } else {
            Some(rng.gen_range(i.saturating_sub(150)..i))
        };
        introducers.push(introducer);
    }
    let mut recruits = vec![0usize; count];
    for introducer in introducers.iter().flatten() {
        recruits[*introducer] += 1;
    }
    let code = |i: usize| format!("CTV{:03}", i + 1);
    (0..count)
        .map(|i| {
            let joined_on = network_start + chrono::Days::new((span_days * i as i64 / count as i64) as u64);
            let rank = crate::domain::ctv::network::Rank::from_recruits(recruits[i]).as_str();
            CollaboratorRecord {
                ma_ctv: code(i),
                introducer: introducers[i].map(code),
                name: person_name(rng),
                phone: phone(rng),
                rank,
                joined_on,
                active: rng.gen_bool(0.9),
            }
        })
        .collect()
}

/// Customers ordered over the months (more in recent ones), closed by collaborators of
/// very unequal activity; some come back (a phone seen before).
fn draw_customers(
    rng: &mut ChaCha8Rng,
    collaborators: &[CollaboratorRecord],
    count: usize,
    today: NaiveDate,
) -> Vec<CustomerRecord> {
    let start = first_month(today);
    let window_days = (today - start).num_days().max(1) as f64;
    let activity = LogNormal::new(0.0, 1.1).expect("valid");
    let mut cumulative = Vec::with_capacity(collaborators.len());
    let mut total = 0.0;
    for _ in collaborators {
        total += activity.sample(rng);
        cumulative.push(total);
    }
    let service_weights: u32 = SERVICES.iter().map(|s| s.1).sum();

    let mut customers: Vec<CustomerRecord> = Vec::with_capacity(count);
    for _ in 0..count {
        let draw = rng.gen_range(0.0..total);
        let closer = &collaborators[cumulative.partition_point(|&c| c <= draw).min(collaborators.len() - 1)];
        // Business grows: order dates are denser towards today.
        let offset = (rng.gen::<f64>().sqrt() * window_days) as u64;
        let ordered_on = (start + chrono::Days::new(offset)).max(closer.joined_on).min(today);
        let appointment_on =
            rng.gen_bool(0.92).then(|| ordered_on + chrono::Days::new(1 + (rng.gen::<f64>().powi(2) * 45.0) as u64));
        let status = draw_status(rng, appointment_on, today);

        let mut pick = rng.gen_range(0..service_weights);
        let &(service, _, low, high) = SERVICES
            .iter()
            .find(|s| {
                let found = pick < s.1;
                pick = pick.saturating_sub(s.1);
                found
            })
            .expect("weights cover the draw");
        let amount = rng.gen_range(low / 10_000..=high / 10_000) * 10_000;

        let phone = if !customers.is_empty() && rng.gen_bool(0.06) {
            customers[rng.gen_range(0..customers.len())].phone.clone()
        } else {
            phone(rng)
        };
        customers.push(CustomerRecord {
            name: person_name(rng),
            phone,
            ordered_on,
            appointment_on,
            status,
            closer: Some(closer.ma_ctv.clone()),
            service,
            amount,
        });
    }
    // Ids grow with time, as they do when customers are entered one by one.
    customers.sort_by_key(|k| k.ordered_on);
    customers
}

fn draw_status(rng: &mut ChaCha8Rng, appointment_on: Option<NaiveDate>, today: NaiveDate) -> CustomerStatus {
    use CustomerStatus::*;
    let weighted = |rng: &mut ChaCha8Rng, choices: &[(CustomerStatus, u32)]| {
        let mut pick = rng.gen_range(0..choices.iter().map(|c| c.1).sum::<u32>());
        for &(status, weight) in choices {
            if pick < weight {
                return status;
            }
            pick -= weight;
        }
        choices[0].0
    };
    match appointment_on {
        None => weighted(rng, &[(New, 50), (Contacted, 35), (Cancelled, 15)]),
        Some(on) if on > today => weighted(rng, &[(Contacted, 10), (Booked, 55), (Deposited, 28), (Cancelled, 7)]),
        Some(_) => weighted(
            rng,
            &[(Served, 62), (NoShow, 12), (Cancelled, 14), (Deposited, 4), (Booked, 3), (Contacted, 3), (New, 2)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn same_seed_same_network() {
        let a = generate_network(7, 0.01, today());
        assert_eq!(a, generate_network(7, 0.01, today()));
        assert_ne!(a.customers[5].phone, generate_network(8, 0.01, today()).customers[5].phone);
    }

    #[test]
    fn trees_are_deep_introducers_come_first_and_dates_stay_in_the_window() {
        let network = generate_network(42, 0.1, today());
        assert_eq!((network.collaborators.len(), network.customers.len()), network_size(0.1));
        assert_eq!(network.collaborators[0].ma_ctv, "CTV001", "seed 000's example code exists");
        let index: HashMap<&str, usize> =
            network.collaborators.iter().enumerate().map(|(i, c)| (c.ma_ctv.as_str(), i)).collect();
        let mut depth = vec![0usize; network.collaborators.len()];
        for (i, c) in network.collaborators.iter().enumerate() {
            if let Some(introducer) = &c.introducer {
                let parent = index[introducer.as_str()];
                assert!(parent < i, "introducers come first");
                depth[i] = depth[parent] + 1;
            }
        }
        let deeper_than_4 = depth.iter().filter(|&&d| d > 4).count();
        assert!(deeper_than_4 > network.collaborators.len() / 4, "{deeper_than_4} deeper than 4 levels");
        let start = first_month(today());
        assert_eq!(start, NaiveDate::from_ymd_opt(2024, 12, 1).unwrap());
        assert!(network.customers.iter().all(|k| k.ordered_on >= start && k.ordered_on <= today()));
        let served = network.customers.iter().filter(|k| k.status == CustomerStatus::Served).count();
        assert!((0.4..0.7).contains(&(served as f64 / network.customers.len() as f64)), "{served} served");
        assert!(network
            .customers
            .iter()
            .any(|k| k.status == CustomerStatus::Deposited && k.appointment_on > Some(today())));
    }
}
