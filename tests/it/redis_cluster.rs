//! Redis Cluster (issue 27): the cache sync, its re-sync (indexes swapped, stale keys
//! removed), single and bulk lookups, the API and an organization's deletion, against a
//! real 3-master cluster. Subscribers' hashes keep seed 001's names and spread over the
//! masters; the keys used together (indexes, kept bulk answers) carry the organization's
//! prefix as a hash tag (`{prefix}:idx:…`), so they share one slot.
//!
//! They run when `UT360_TEST_REDIS_CLUSTER_NODES` names the cluster's nodes
//! (comma-separated `redis://` URLs; scripts/redis_cluster.sh starts one on
//! 127.0.0.1:7000-7002) and return at once otherwise. A cluster has only database 0:
//! each test has an organization (a Redis prefix) of its own and deletes its keys.

use crate::common::{api_client, encoded, spawn_app, TestDb};
use redis::cluster_async::ClusterConnection;
use redis::AsyncCommands;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use ut360::data::bulk::{BULK_INDEX, MAX_KEPT_BULK_ANSWERS};
use ut360::data::dataset::Dataset;
use ut360::data::redis_connection::{key_slot, KeyLayout};
use ut360::data::Organization;
use ut360::domain::isdn::Isdn;
use ut360::server::generate::generate;

/// The cluster's nodes, or `None` (and a line saying the test is skipped).
fn cluster_nodes(test: &str) -> Option<Vec<String>> {
    match std::env::var("UT360_TEST_REDIS_CLUSTER_NODES") {
        Ok(nodes) if !nodes.trim().is_empty() => Some(nodes.split(',').map(|node| node.trim().to_owned()).collect()),
        _ => {
            eprintln!("{test}: skipped, UT360_TEST_REDIS_CLUSTER_NODES is not set (scripts/redis_cluster.sh starts a cluster)");
            None
        }
    }
}

/// The test's own view of the cluster, for assertions.
async fn cluster(nodes: &[String]) -> ClusterConnection {
    redis::cluster::ClusterClient::new(nodes.to_vec()).unwrap().get_async_connection().await.unwrap()
}

/// A database whose store uses the cluster, and an organization with a prefix of its own.
async fn cluster_db(nodes: &[String]) -> (TestDb, Organization) {
    let db = TestDb::with_redis_cluster(nodes).await;
    assert_eq!(db.store.redis_layout(), KeyLayout::Cluster, "the store found the cluster");
    let org = db.organization_with_own_prefix().await;
    (db, org)
}

/// Every key of `org`, in both forms (`prefix:…` and `{prefix}:…`), sorted. KEYS is
/// asked of every master by the cluster client (the test cluster is small).
async fn keys_of(redis: &mut ClusterConnection, org: &Organization) -> Vec<String> {
    let p = &org.redis_prefix;
    let mut keys: Vec<String> = redis.keys(format!("{p}:*")).await.unwrap();
    keys.extend(redis.keys::<_, Vec<String>>(format!("{{{p}}}:*")).await.unwrap());
    keys.sort();
    keys
}

async fn forget(redis: &mut ClusterConnection, org: &Organization) {
    for key in keys_of(redis, org).await {
        redis.del::<_, ()>(key).await.unwrap();
    }
}

#[tokio::test]
async fn the_sync_writes_seed_001s_keys_over_every_master_and_the_indexes_in_one_slot() {
    let Some(nodes) = cluster_nodes("the_sync_writes_seed_001s_keys_over_every_master") else { return };
    let (db, org) = cluster_db(&nodes).await;
    let records = generate(51, 0.003);
    db.load(&org, &records).await;
    let summary = db.store.for_organization(&org).sync_cache(|_| {}).await.unwrap();
    assert_eq!(summary.recommendations, records.len() as u64);
    let mut redis = cluster(&nodes).await;
    let p = &org.redis_prefix;

    // Subscribers' hashes under seed 001's names, spread over the masters.
    let first = &records[0];
    let rec: HashMap<String, String> = redis.hgetall(format!("{p}:rec:{}", first.isdn)).await.unwrap();
    assert_eq!(rec["isdn"], first.isdn);
    assert_eq!(rec["service_type"], first.service_type.as_str());
    assert_eq!(rec.len(), 14);
    let kpi: String = redis.hget(format!("{p}:profile:{}", first.isdn), "kpi_scores").await.unwrap();
    assert!(kpi.contains("customer_value"), "{kpi}");
    let mut masters_with_recs = 0;
    for node in &nodes {
        let mut one = redis::Client::open(node.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
        let role: Vec<redis::Value> = redis::cmd("ROLE").query_async(&mut one).await.unwrap();
        let here: Vec<String> = one.keys(format!("{p}:rec:*")).await.unwrap();
        if matches!(&role[0], redis::Value::BulkString(role) if role == b"master") && !here.is_empty() {
            masters_with_recs += 1;
        }
    }
    assert!(masters_with_recs >= 2, "rec hashes are on {masters_with_recs} master(s)");
    // The app's slot of a key is the cluster's.
    for key in [format!("{p}:rec:{}", first.isdn), format!("{{{p}}}:idx:risk:LOW"), "foo".to_owned()] {
        let slot: u16 = redis::cmd("CLUSTER").arg("KEYSLOT").arg(&key).query_async(&mut redis).await.unwrap();
        assert_eq!(slot, key_slot(key.as_bytes()), "{key}");
    }

    // The indexes: seed 001's names with the prefix as hash tag, all in one slot.
    let easy: Vec<(String, f64)> =
        redis.zrevrange_withscores(format!("{{{p}}}:idx:service:EasyCredit"), 0, -1).await.unwrap();
    let expected_easy: HashSet<&str> = records
        .iter()
        .filter(|r| r.service_type == ut360::domain::recommendation::ServiceType::EasyCredit)
        .map(|r| r.isdn.as_str())
        .collect();
    assert_eq!(easy.iter().map(|(isdn, _)| isdn.as_str()).collect::<HashSet<_>>(), expected_easy);
    assert!(easy.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
    let low: HashSet<String> = redis.smembers(format!("{{{p}}}:idx:risk:LOW")).await.unwrap();
    let expected_low: HashSet<String> = records
        .iter()
        .filter(|r| r.bad_debt_risk == ut360::domain::recommendation::RiskLevel::Low)
        .map(|r| r.isdn.clone())
        .collect();
    assert_eq!(low, expected_low);
    let keys = keys_of(&mut redis, &org).await;
    let indexes: Vec<&String> = keys.iter().filter(|k| k.contains(":idx:")).collect();
    assert_eq!(indexes.len() as u64, summary.indexes);
    assert!(indexes.iter().all(|k| k.starts_with(&format!("{{{p}}}:idx:"))), "{indexes:?}");
    let index_slots: HashSet<u16> = indexes.iter().map(|k| key_slot(k.as_bytes())).collect();
    assert_eq!(index_slots.len(), 1, "every index in the organization's slot");
    assert!(!redis.exists::<_, bool>(format!("{p}:idx:service:EasyCredit")).await.unwrap(), "no untagged index");

    // meta:stats under its seed name; no temporary keys left.
    let stats: HashMap<String, String> = redis.hgetall(format!("{p}:meta:stats")).await.unwrap();
    assert_eq!(stats["total_subscribers"], records.len().to_string());
    assert!(keys.iter().all(|k| !k.contains(":sync:")), "temporary index keys remain");
    assert_eq!(keys.len(), 2 * records.len() + summary.indexes as usize + 1);
    assert!(db.store.for_organization(&org).cache_is_filled().await.unwrap());
    // INFO memory is every master's; CONFIG GET is answered by a node.
    assert!(db.store.redis_used_memory().await.unwrap() > 0);
    assert!(db.store.redis_listpack_value().await.is_some());
    assert!(db.store.readiness().await.redis);

    forget(&mut redis, &org).await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_resync_swaps_the_indexes_and_removes_stale_keys() {
    let Some(nodes) = cluster_nodes("a_resync_swaps_the_indexes_and_removes_stale_keys") else { return };
    let (db, org) = cluster_db(&nodes).await;
    let store = db.store.for_organization(&org);
    let mut records = generate(52, 0.003);
    db.load(&org, &records).await;
    store.sync_cache(|_| {}).await.unwrap();
    let mut redis = cluster(&nodes).await;
    let p = org.redis_prefix.clone();
    // A kept bulk answer and its index, and an index left from a single server's layout.
    redis.set_ex::<_, _, ()>(format!("{{{p}}}:bulk:abc"), "[]", 3600).await.unwrap();
    redis.zadd::<_, _, _, ()>(format!("{{{p}}}:{BULK_INDEX}"), format!("{{{p}}}:bulk:abc"), 1).await.unwrap();
    redis.sadd::<_, _, ()>(format!("{p}:idx:risk:LOW"), "old").await.unwrap();

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
    assert!(summary.removed_keys >= 2 * leaving.len() as u64 + 4, "{summary:?}");

    for isdn in &leaving {
        let rec: bool = redis.exists(format!("{p}:rec:{isdn}")).await.unwrap();
        let profile: bool = redis.exists(format!("{p}:profile:{isdn}")).await.unwrap();
        assert!(!rec && !profile, "{isdn} still cached");
    }
    let mbfg: bool = redis.exists(format!("{{{p}}}:idx:service:MBFG")).await.unwrap();
    assert!(!mbfg, "an index nobody is in is gone");
    let mut indexed = HashSet::new();
    for key in keys_of(&mut redis, &org).await.iter().filter(|k| k.contains(":idx:")) {
        assert!(key.starts_with(&format!("{{{p}}}:")), "{key} is in the cluster's layout");
        let members: Vec<String> = if key.contains(":idx:service:") {
            redis.zrange(key, 0, -1).await.unwrap()
        } else {
            redis.smembers(key).await.unwrap()
        };
        indexed.extend(members);
    }
    let remaining: HashSet<String> = records.iter().map(|r| r.isdn.clone()).collect();
    assert_eq!(indexed, remaining, "indexes hold exactly the remaining subscribers");
    for stale in [format!("{{{p}}}:bulk:abc"), format!("{{{p}}}:{BULK_INDEX}"), format!("{p}:idx:risk:LOW")] {
        assert!(!redis.exists::<_, bool>(&stale).await.unwrap(), "{stale} is gone");
    }
    let keys = keys_of(&mut redis, &org).await;
    assert_eq!(keys.len(), 2 * records.len() + summary.indexes as usize + 1, "nothing else is left");

    forget(&mut redis, &org).await;
    db.cleanup().await;
}

#[tokio::test]
async fn lookups_miss_fill_and_hit_on_the_cluster() {
    let Some(nodes) = cluster_nodes("lookups_miss_fill_and_hit_on_the_cluster") else { return };
    let (db, org) = cluster_db(&nodes).await;
    let store = db.store.for_organization(&org);
    let records = generate(53, 0.002);
    db.load(&org, &records).await;
    let isdn = records[3].isdn.clone();

    let before = db.store.cache_counts();
    let first = store.recommendation(&isdn).await.unwrap().expect("known subscriber");
    let after_miss = db.store.cache_counts();
    assert_eq!((after_miss.misses - before.misses, after_miss.database_reads - before.database_reads), (1, 1));
    // The fill's pipeline writes the rec and profile hashes, in two slots.
    assert_eq!(after_miss.fills - before.fills, 1, "{after_miss:?}");
    assert_eq!(after_miss.fallbacks, before.fallbacks, "the cluster answered");
    let mut redis = cluster(&nodes).await;
    let (rec_key, profile_key) =
        (format!("{}:rec:{isdn}", org.redis_prefix), format!("{}:profile:{isdn}", org.redis_prefix));
    assert_ne!(key_slot(rec_key.as_bytes()), key_slot(profile_key.as_bytes()));
    assert!(redis.exists::<_, bool>(&rec_key).await.unwrap() && redis.exists::<_, bool>(&profile_key).await.unwrap());

    let second = store.recommendation(&isdn).await.unwrap().unwrap();
    assert_eq!(second, first, "Redis and PostgreSQL give the same answer");
    assert_eq!(db.store.cache_counts().hits - after_miss.hits, 1);
    let view = store.subscriber_view(&isdn).await.unwrap().unwrap();
    assert_eq!(view.profile.expect("a profile").monthly_arpu.len(), 7);
    assert_eq!(db.store.cache_counts().database_reads, after_miss.database_reads, "both hashes from Redis");
    assert_eq!(store.recommendation("not-a-subscriber").await.unwrap(), None);

    let from_postgres = store.meta_stats().await.unwrap();
    store.sync_cache(|_| {}).await.unwrap();
    let hits = db.store.cache_counts().hits;
    assert_eq!(store.meta_stats().await.unwrap(), from_postgres, "Redis and PostgreSQL agree");
    assert_eq!(db.store.cache_counts().hits, hits + 1, "read from Redis after the sync");

    forget(&mut redis, &org).await;
    db.cleanup().await;
}

#[tokio::test]
async fn bulk_lookups_read_every_master_and_keep_answers_in_the_organizations_slot() {
    let Some(nodes) = cluster_nodes("bulk_lookups_read_every_master") else { return };
    let (db, org) = cluster_db(&nodes).await;
    let store = db.store.for_organization(&org);
    let records = generate(54, 0.01);
    db.load(&org, &records).await;
    store.sync_cache(|_| {}).await.unwrap();
    let mut redis = cluster(&nodes).await;
    let p = org.redis_prefix.clone();

    // 10,000 ISDNs: every subscriber (over all masters, from Redis) and unknown ones.
    let mut asked: Vec<Isdn> = records.iter().map(|r| Isdn::parse(&r.isdn).unwrap()).collect();
    let known = asked.len();
    asked.extend((known..10_000).map(|n| Isdn::parse(&format!("849{n:08}")).unwrap()));
    let before = db.store.cache_counts();
    let lookup = store.bulk_recommendations(&asked).await.unwrap();
    let after = db.store.cache_counts();
    assert_eq!((lookup.found.len(), lookup.not_found.len()), (known, 10_000 - known));
    assert_eq!(after.fallbacks, before.fallbacks, "the cluster answered: {after:?}");
    assert_eq!(after.database_reads - before.database_reads, 1, "PostgreSQL is asked only for the unknown ones");
    let found: Vec<&str> = lookup.found.iter().map(|rec| rec.isdn.as_str()).collect();
    let expected: Vec<&str> = records.iter().map(|r| r.isdn.as_str()).collect();
    assert_eq!(found, expected, "in the order asked");
    for (rec, record) in lookup.found.iter().zip(&records) {
        assert_eq!(rec.service_type, record.service_type);
    }

    // Kept answers: tagged with the prefix, at most the cap, the oldest dropped.
    let index = format!("{{{p}}}:{BULK_INDEX}");
    let mut kept_keys = Vec::new();
    for n in 0..MAX_KEPT_BULK_ANSWERS + 2 {
        let one = [Isdn::parse(&format!("848{n:08}")).unwrap()];
        store.bulk_recommendations(&one).await.unwrap();
        let mut newest = Vec::<String>::new();
        for _ in 0..100 {
            newest = redis.zrange(&index, -1, -1).await.unwrap();
            if newest.len() == 1 && !kept_keys.contains(&newest[0]) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(newest.len(), 1, "list {n} was kept");
        assert!(newest[0].starts_with(&format!("{{{p}}}:bulk:")), "{}", newest[0]);
        kept_keys.push(newest.remove(0));
    }
    let held: usize = redis.zcard(&index).await.unwrap();
    assert_eq!(held, MAX_KEPT_BULK_ANSWERS);
    let oldest: bool = redis.exists(&kept_keys[0]).await.unwrap();
    assert!(!oldest, "the oldest answer was dropped");
    let hits = db.store.cache_counts().hits;
    store.bulk_recommendations(&[Isdn::parse(&format!("848{:08}", MAX_KEPT_BULK_ANSWERS + 1)).unwrap()]).await.unwrap();
    assert_eq!(db.store.cache_counts().hits, hits + 1, "a kept answer is used");

    forget(&mut redis, &org).await;
    db.cleanup().await;
}

#[tokio::test]
async fn redis_url_naming_one_node_finds_the_cluster_and_one_server_keeps_seed_001s_names() {
    let Some(nodes) = cluster_nodes("redis_url_naming_one_node_finds_the_cluster") else { return };
    let db = TestDb::new().await;
    assert_eq!(db.store.redis_layout(), KeyLayout::Single);
    let settings = ut360::data::StoreSettings { redis_url: nodes[1].clone(), ..db.settings.clone() };
    let store = ut360::data::Store::connect(&settings).await.unwrap();
    assert_eq!(store.redis_layout(), KeyLayout::Cluster, "asked at start");
    assert!(store.readiness().await.redis);
    store.close().await;
    // A cluster node that does not answer stops the start with one line naming it.
    let settings = ut360::data::StoreSettings {
        redis_cluster_nodes: vec!["redis://127.0.0.1:1".to_owned()],
        ..db.settings.clone()
    };
    let Err(error) = ut360::data::Store::connect(&settings).await else { panic!("connected to nothing") };
    assert!(error.to_string().starts_with("cannot reach Redis at redis://127.0.0.1:1: "), "{error}");
    db.cleanup().await;
}

#[tokio::test]
async fn the_api_answers_from_the_cluster() {
    let Some(nodes) = cluster_nodes("the_api_answers_from_the_cluster") else { return };
    let (db, org) = cluster_db(&nodes).await;
    let records = generate(55, 0.002);
    db.load(&org, &records).await;
    db.store.for_organization(&org).sync_cache(|_| {}).await.unwrap();
    let http = api_client(&db.store, &org).await;
    let base = spawn_app(db.store.clone()).await;

    let isdn = &records[0].isdn;
    let url = format!("{base}/api/v1/recommendations/{}", encoded(isdn));
    let hits = db.store.cache_counts().hits;
    let response = http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["isdn"], isdn.as_str());
    assert_eq!(body["service_type"], records[0].service_type.as_str());
    assert!(db.store.cache_counts().hits > hits, "answered from the cluster");
    let profile: Value =
        http.get(url.replace("/recommendations/", "/profiles/")).send().await.unwrap().json().await.unwrap();
    assert_eq!(profile["profile"]["monthly_arpu"].as_array().map(Vec::len), Some(7));
    let missing = http.get(format!("{base}/api/v1/recommendations/AAAAAAAAAAAAAAAAAAAAAA==")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let stats: Value = http.get(format!("{base}/api/v1/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["total_subscribers"], records.len());

    let asked = json!([records[5].isdn, "AAAAAAAAAAAAAAAAAAAAAA==", records[2].isdn]);
    let bulk = format!("{base}/api/v1/recommendations/bulk");
    let answer: Value = http.post(&bulk).json(&asked).send().await.unwrap().json().await.unwrap();
    let found: Vec<&str> =
        answer["found"].as_array().unwrap().iter().map(|rec| rec["isdn"].as_str().unwrap()).collect();
    assert_eq!(found, [records[5].isdn.as_str(), records[2].isdn.as_str()]);
    assert_eq!(answer["not_found"], json!(["AAAAAAAAAAAAAAAAAAAAAA=="]));
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);

    let mut redis = cluster(&nodes).await;
    forget(&mut redis, &org).await;
    db.cleanup().await;
}

#[tokio::test]
async fn deleting_an_organization_removes_its_keys_from_every_master_and_no_others() {
    let Some(nodes) = cluster_nodes("deleting_an_organization_removes_its_keys_from_every_master") else { return };
    let (db, doomed) = cluster_db(&nodes).await;
    // A prefix that ends with the doomed one: the cluster's SCAN pattern matches its keys too.
    let kept_prefix = format!("k-{}", doomed.redis_prefix);
    let kept = db.store.create_organization(&kept_prefix, "Kept", &kept_prefix).await.unwrap();
    for org in [&doomed, &kept] {
        db.load(org, &generate(56, 0.002)).await;
        db.store.for_organization(org).sync_cache(|_| {}).await.unwrap();
    }
    let mut redis = cluster(&nodes).await;
    let doomed_keys = keys_of(&mut redis, &doomed).await;
    let kept_keys = keys_of(&mut redis, &kept).await;
    assert!(doomed_keys.iter().any(|k| k.starts_with('{')) && doomed_keys.len() > 100, "{}", doomed_keys.len());

    let deleted = db.store.delete_organization(&doomed.slug).await.unwrap();
    assert_eq!(deleted.redis_keys, doomed_keys.len() as u64);
    assert!(keys_of(&mut redis, &doomed).await.is_empty());
    assert_eq!(keys_of(&mut redis, &kept).await, kept_keys, "the other organization's keys stay");

    forget(&mut redis, &kept).await;
    db.cleanup().await;
}
