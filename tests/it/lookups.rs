//! The cached data layer and `/api/v1` lookups: Redis first, Postgres on a miss (one
//! read however many ask), Redis filled; Redis going away makes reads slower, not failed.

use crate::common;

use common::{free_port, PrivateRedis, TestDb};
use redis::AsyncCommands;
use std::time::Duration;
use ut360::server::generate::generate;

#[derive(sqlx::FromRow)]
struct Expected {
    advance_amount: f64,
    service_type: String,
    priority_score: f64,
}

#[tokio::test]
async fn a_miss_reads_postgres_once_and_fills_redis_then_hits() {
    let mut redis = PrivateRedis::start(free_port());
    let db = TestDb::new().await;
    let store = redis.connect(&db.settings).await;
    let org = db.organization_with_own_prefix().await;
    let records = generate(31, 0.002);
    db.load(&org, &records).await;
    let isdn = records[3].isdn.clone();
    let expected: Expected = sqlx::query_as(
        "SELECT advance_amount::float8 AS advance_amount, service_type, priority_score::float8 AS priority_score
         FROM recommendations WHERE organization_id = $1 AND isdn = $2",
    )
    .bind(org.id)
    .bind(&isdn)
    .fetch_one(&db.pool)
    .await
    .unwrap();

    let before = store.cache_counts();
    let first = store.for_organization(&org).recommendation(&isdn).await.unwrap().expect("known subscriber");
    let after_miss = store.cache_counts();
    assert_eq!(after_miss.misses - before.misses, 1);
    assert_eq!(after_miss.database_reads - before.database_reads, 1);
    assert_eq!(after_miss.fills - before.fills, 1);
    assert_eq!(first.advance_amount, Some(expected.advance_amount));
    assert_eq!(first.service_type.as_str(), expected.service_type);
    assert_eq!(first.priority, Some(ut360::domain::recommendation::Priority::from_score(expected.priority_score)));

    let mut client = redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let cached: bool = client.exists(format!("{}:rec:{isdn}", org.redis_prefix)).await.unwrap();
    assert!(cached, "the miss filled Redis");
    let second = store.for_organization(&org).recommendation(&isdn).await.unwrap().unwrap();
    let after_hit = store.cache_counts();
    assert_eq!(second, first, "Redis and Postgres give the same answer");
    assert_eq!(after_hit.hits - after_miss.hits, 1);
    assert_eq!(after_hit.database_reads, after_miss.database_reads, "a hit does not touch Postgres");

    let view = store.for_organization(&org).subscriber_view(&isdn).await.unwrap().unwrap();
    let profile = view.profile.expect("a profile");
    assert_eq!(profile.monthly_arpu.len(), 7);
    assert_eq!(profile.basic.isdn, isdn);

    assert_eq!(store.for_organization(&org).recommendation("not-a-subscriber").await.unwrap(), None);

    let from_postgres = store.for_organization(&org).meta_stats().await.unwrap();
    assert_eq!(from_postgres.total_subscribers, records.len() as i64);
    store.for_organization(&org).sync_cache(|_| {}).await.unwrap();
    let hits = store.cache_counts().hits;
    assert_eq!(store.for_organization(&org).meta_stats().await.unwrap(), from_postgres, "Redis and PostgreSQL agree");
    assert_eq!(store.cache_counts().hits, hits + 1, "read from Redis after the sync");
    redis.stop();
    db.cleanup().await;
}

#[tokio::test]
async fn a_hundred_concurrent_misses_make_one_postgres_read() {
    let redis = PrivateRedis::start(free_port());
    let db = TestDb::new().await;
    let store = redis.connect(&db.settings).await;
    let org = db.organization_with_own_prefix().await;
    let records = generate(32, 0.002);
    db.load(&org, &records).await;
    let isdn = records[5].isdn.clone();

    let before = store.cache_counts();
    let lookups: Vec<_> = (0..100)
        .map(|_| {
            let (store, org, isdn) = (store.clone(), org.clone(), isdn.clone());
            tokio::spawn(async move { store.for_organization(&org).recommendation(&isdn).await })
        })
        .collect();
    for lookup in lookups {
        assert_eq!(lookup.await.unwrap().unwrap().expect("found").isdn.as_str(), isdn);
    }
    let after = store.cache_counts();
    assert_eq!(after.database_reads - before.database_reads, 1, "{after:?}");
    db.cleanup().await;
}

#[tokio::test]
async fn reads_go_on_from_postgres_while_redis_is_away_and_use_it_again_when_it_returns() {
    let mut redis = PrivateRedis::start(free_port());
    let db = TestDb::new().await;
    let store = redis.connect(&db.settings).await;
    let org = db.organization_with_own_prefix().await;
    let records = generate(33, 0.002);
    db.load(&org, &records).await;

    redis.stop();
    let before = store.cache_counts();
    for record in &records[..20] {
        let found = store.for_organization(&org).recommendation(&record.isdn).await.expect("answered from Postgres");
        assert_eq!(found.expect("found").isdn.as_str(), record.isdn);
    }
    let away = store.cache_counts();
    assert_eq!(away.fallbacks - before.fallbacks, 20, "every read fell back: {away:?}");
    assert_eq!(away.hits, before.hits);

    redis.restart();
    // The breaker tries Redis again after its cool-down; the connection manager reconnects.
    let mut used_again = false;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let counts = store.cache_counts();
        let _ = store.for_organization(&org).recommendation(&records[0].isdn).await.unwrap();
        let now = store.cache_counts();
        if now.hits + now.misses > counts.hits + counts.misses {
            used_again = true;
            break;
        }
    }
    assert!(used_again, "Redis is asked again once it is back");
    let _ = store.for_organization(&org).recommendation(&records[1].isdn).await.unwrap();
    let hit_before = store.cache_counts().hits;
    let _ = store.for_organization(&org).recommendation(&records[1].isdn).await.unwrap();
    assert_eq!(store.cache_counts().hits, hit_before + 1, "filled and hit again");
    db.cleanup().await;
}

/// Issue 29: the bulk answers an organization keeps are capped; the oldest go first.
#[tokio::test]
async fn an_organization_keeps_at_most_the_capped_number_of_bulk_answers() {
    use ut360::data::bulk::{BULK_INDEX, MAX_KEPT_BULK_ANSWERS};
    use ut360::domain::isdn::Isdn;
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let mut redis = redis::Client::open(common::redis_url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let lists = MAX_KEPT_BULK_ANSWERS + 5;
    let mut kept_keys = Vec::new();
    for n in 0..lists {
        let asked = [Isdn::parse(&format!("849{n:08}")).unwrap()];
        db.store.for_organization(&org).bulk_recommendations(&asked).await.unwrap();
        // Kept after answering: wait until this one is in the index.
        let index = org.redis_key(BULK_INDEX);
        let mut newest = Vec::<String>::new();
        for _ in 0..100 {
            newest = redis.zrange(&index, -1, -1).await.unwrap();
            if newest.len() == 1 && !kept_keys.contains(&newest[0]) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(newest.len(), 1, "list {n} was kept");
        kept_keys.push(newest.remove(0));
    }
    let mut held: Vec<String> = redis.keys(org.redis_key("bulk:*")).await.unwrap();
    held.sort();
    let mut newest: Vec<String> = kept_keys[lists - MAX_KEPT_BULK_ANSWERS..].to_vec();
    newest.sort();
    assert_eq!(held, newest, "the newest {MAX_KEPT_BULK_ANSWERS} answers, no others");
    let indexed: usize = redis.zcard(org.redis_key(BULK_INDEX)).await.unwrap();
    assert_eq!(indexed, MAX_KEPT_BULK_ANSWERS);
    // A sync drops the answers and their index.
    db.store.for_organization(&org).sync_cache(|_| {}).await.unwrap();
    assert!(redis.keys::<_, Vec<String>>(org.redis_key("bulk*")).await.unwrap().is_empty());
    db.cleanup().await;
}
