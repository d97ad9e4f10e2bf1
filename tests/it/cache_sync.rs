//! `sync-cache`: seed 001's Redis contract, matching Postgres, with no stale keys.

use crate::common;

use common::TestDb;
use redis::AsyncCommands;
use std::collections::{HashMap, HashSet};
use ut360::data::cache_sync::SUBSCRIBER_KEY_TTL_SECONDS;
use ut360::data::dataset::Dataset;
use ut360::data::Organization;
use ut360::server::generate::generate;

async fn redis() -> redis::aio::MultiplexedConnection {
    let client = redis::Client::open(common::redis_url()).unwrap();
    client.get_multiplexed_async_connection().await.unwrap()
}

async fn keys_of(redis: &mut redis::aio::MultiplexedConnection, org: &Organization) -> Vec<String> {
    let mut keys: Vec<String> = redis.keys(format!("{}:*", org.redis_prefix)).await.unwrap();
    keys.sort();
    keys
}

async fn forget(redis: &mut redis::aio::MultiplexedConnection, org: &Organization) {
    let keys = keys_of(redis, org).await;
    if !keys.is_empty() {
        redis.del::<_, ()>(keys).await.unwrap();
    }
}

#[derive(sqlx::FromRow)]
struct Rec {
    isdn: String,
    service_type: String,
    bad_debt_risk: String,
    cluster_group: i32,
    advance_amount: f64,
    customer_value_score: f64,
    advance_readiness_score: f64,
    priority_score: f64,
}

#[tokio::test]
async fn the_seed_commands_answer_as_documented_and_match_postgres() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let records = generate(21, 0.005);
    db.load(&org, &records).await;
    let summary = db.store.for_organization(&org).sync_cache(|_| {}).await.unwrap();
    assert_eq!(summary.recommendations, records.len() as u64);
    assert_eq!(summary.profiles, records.len() as u64);

    let recs: Vec<Rec> = sqlx::query_as(
        "SELECT isdn, service_type, bad_debt_risk, cluster_group, advance_amount::float8 AS advance_amount,
                customer_value_score::float8 AS customer_value_score,
                advance_readiness_score::float8 AS advance_readiness_score, priority_score::float8 AS priority_score
         FROM recommendations WHERE organization_id = $1",
    )
    .bind(org.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut redis = redis().await;
    let p = &org.redis_prefix;

    // HGETALL ut360:rec:<ISDN>: the 14 fields.
    let first = &recs[0];
    let rec: HashMap<String, String> = redis.hgetall(format!("{p}:rec:{}", first.isdn)).await.unwrap();
    let mut fields: Vec<&str> = rec.keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "advance_amount",
            "advance_readiness_score",
            "arpu_avg_6m",
            "arpu_growth_rate",
            "arpu_trend",
            "bad_debt_risk",
            "cluster_group",
            "customer_value_score",
            "isdn",
            "priority",
            "recommendation_date",
            "revenue_per_advance",
            "service_type",
            "subscriber_type",
        ]
    );
    assert_eq!(rec["isdn"], first.isdn);
    assert_eq!(rec["service_type"], first.service_type);
    assert_eq!(rec["advance_amount"].parse::<f64>().unwrap(), first.advance_amount);
    assert!(!rec["advance_amount"].ends_with(".00"), "numbers are written plainly: {}", rec["advance_amount"]);
    assert_eq!(rec["cluster_group"], first.cluster_group.to_string());
    assert_eq!(rec["priority"], ut360::domain::recommendation::Priority::from_score(first.priority_score).as_str());
    assert_eq!(rec["recommendation_date"], "2025-10-22");
    let ttl: i64 = redis.ttl(format!("{p}:rec:{}", first.isdn)).await.unwrap();
    assert!(ttl > SUBSCRIBER_KEY_TTL_SECONDS - 600 && ttl <= SUBSCRIBER_KEY_TTL_SECONDS, "ttl {ttl}");

    // ZREVRANGE ut360:idx:service:EasyCredit 0 99 WITHSCORES: best first, seed's score.
    let top: Vec<(String, f64)> =
        redis.zrevrange_withscores(format!("{p}:idx:service:EasyCredit"), 0, 99).await.unwrap();
    let mut easy: Vec<&Rec> = recs.iter().filter(|r| r.service_type == "EasyCredit").collect();
    let score = |r: &Rec| r.customer_value_score * r.advance_readiness_score / 10_000.0;
    easy.sort_by(|a, b| score(b).total_cmp(&score(a)));
    assert_eq!(top.len(), easy.len().min(100));
    assert!(top.windows(2).all(|w| w[0].1 >= w[1].1), "descending scores");
    assert!((top[0].1 - score(easy[0])).abs() < 1e-9);
    let card: usize = redis.zcard(format!("{p}:idx:service:EasyCredit")).await.unwrap();
    assert_eq!(card, easy.len());

    // SMEMBERS ut360:idx:risk:LOW and the cluster sets hold exactly Postgres's ISDNs.
    let low: HashSet<String> = redis.smembers(format!("{p}:idx:risk:LOW")).await.unwrap();
    let expected: HashSet<String> = recs.iter().filter(|r| r.bad_debt_risk == "LOW").map(|r| r.isdn.clone()).collect();
    assert_eq!(low, expected);
    let cluster_one: HashSet<String> = redis.smembers(format!("{p}:idx:cluster:1")).await.unwrap();
    let expected: HashSet<String> = recs.iter().filter(|r| r.cluster_group == 1).map(|r| r.isdn.clone()).collect();
    assert_eq!(cluster_one, expected);

    // HGET ut360:profile:<ISDN> kpi_scores, and the profile's sections.
    let kpi: String = redis.hget(format!("{p}:profile:{}", first.isdn), "kpi_scores").await.unwrap();
    let kpi: serde_json::Value = serde_json::from_str(&kpi).unwrap();
    assert_eq!(kpi["customer_value"].as_f64(), Some(first.customer_value_score));
    assert_eq!(kpi["advance_readiness"].as_f64(), Some(first.advance_readiness_score));
    assert!(kpi["revenue_potential"].is_number());
    let profile: HashMap<String, String> = redis.hgetall(format!("{p}:profile:{}", first.isdn)).await.unwrap();
    let mut sections: Vec<&str> = ut360::domain::profile::Profile::FIELDS.to_vec();
    sections.sort();
    let mut present: Vec<&str> = profile.keys().map(String::as_str).collect();
    present.sort();
    assert_eq!(present, sections);
    let months: serde_json::Value = serde_json::from_str(&profile["monthly_arpu"]).unwrap();
    let months = months.as_array().unwrap();
    assert_eq!(months.len(), 7);
    assert_eq!(months[0]["month"], "202503");
    for field in ["arpu_call", "arpu_sms", "arpu_data", "arpu_total"] {
        assert!(months[0][field].is_number(), "{field}");
    }
    let basic: serde_json::Value = serde_json::from_str(&profile["basic"]).unwrap();
    assert_eq!(basic["isdn"], first.isdn.as_str());
    assert_eq!(basic["advance"].as_f64(), Some(first.advance_amount));
    let insights: serde_json::Value = serde_json::from_str(&profile["insights"]).unwrap();
    assert!(insights["strengths"].is_array() && insights["recommendations"].is_array());

    // HGETALL ut360:meta:stats.
    let stats: HashMap<String, String> = redis.hgetall(format!("{p}:meta:stats")).await.unwrap();
    assert_eq!(stats["total_subscribers"], records.len().to_string());
    assert_eq!(stats["data_version"], "v1.0");

    // No temporary keys are left behind.
    let keys = keys_of(&mut redis, &org).await;
    assert!(keys.iter().all(|k| !k.starts_with(&format!("{p}:sync:"))), "temporary index keys remain");
    assert_eq!(keys.len(), 2 * records.len() + summary.indexes as usize + 1);

    forget(&mut redis, &org).await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_resync_after_subscribers_leave_leaves_no_stale_keys() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let store = db.store.for_organization(&org);
    let mut records = generate(22, 0.003);
    db.load(&org, &records).await;
    store.sync_cache(|_| {}).await.unwrap();
    let mut redis = redis().await;
    let p = org.redis_prefix.clone();
    redis.set_ex::<_, _, ()>(format!("{p}:bulk:abc"), "[]", 3600).await.unwrap();

    // Every MBFG subscriber leaves, and so does one other subscriber.
    let leaving: Vec<String> = records
        .iter()
        .filter(|r| r.service_type == ut360::domain::recommendation::ServiceType::Mbfg)
        .map(|r| r.isdn.clone())
        .chain(std::iter::once(records[0].isdn.clone()))
        .collect();
    records.retain(|r| !leaving.contains(&r.isdn));
    store.replace_dataset(&Dataset::from_records(&records), |_| {}).await.unwrap();
    let summary = store.sync_cache(|_| {}).await.unwrap();
    assert!(summary.removed_keys >= 2 * leaving.len() as u64 + 2, "{summary:?}");

    for isdn in &leaving {
        let rec: bool = redis.exists(format!("{p}:rec:{isdn}")).await.unwrap();
        let profile: bool = redis.exists(format!("{p}:profile:{isdn}")).await.unwrap();
        assert!(!rec && !profile, "{isdn} still cached");
    }
    let mbfg: bool = redis.exists(format!("{p}:idx:service:MBFG")).await.unwrap();
    assert!(!mbfg, "an index nobody is in is gone");
    let mut indexed = HashSet::new();
    for key in keys_of(&mut redis, &org).await.iter().filter(|k| k.contains(":idx:")) {
        let members: Vec<String> = if key.contains(":idx:service:") {
            redis.zrange(key, 0, -1).await.unwrap()
        } else {
            redis.smembers(key).await.unwrap()
        };
        indexed.extend(members);
    }
    let remaining: HashSet<String> = records.iter().map(|r| r.isdn.clone()).collect();
    assert_eq!(indexed, remaining, "indexes hold exactly the remaining subscribers");
    let bulk: bool = redis.exists(format!("{p}:bulk:abc")).await.unwrap();
    assert!(!bulk, "bulk results computed from the old data are dropped");

    forget(&mut redis, &org).await;
    db.cleanup().await;
}

#[tokio::test]
async fn refreshes_of_one_organization_never_overlap() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let store = db.store.for_organization(&org);
    let other = db.organization_with_own_prefix().await;
    let held = store.try_lock_refresh().await.unwrap().expect("free at first");
    assert!(store.try_lock_refresh().await.unwrap().is_none(), "a second refresh must wait");
    let elsewhere = db
        .store
        .for_organization(&other)
        .try_lock_refresh()
        .await
        .unwrap()
        .expect("other organizations are independent");
    held.release().await.unwrap();
    let again = store.try_lock_refresh().await.unwrap().expect("free after release");
    again.release().await.unwrap();
    elsewhere.release().await.unwrap();
    db.cleanup().await;
}
