//! The overview figures and seed 001's `{prefix}:meta:stats` hash in Redis.

use crate::common;

use common::TestDb;
use redis::AsyncCommands;
use std::collections::HashMap;
use ut360::server::generate::{generate, DemoSize};

#[tokio::test]
async fn overview_is_empty_before_any_load() {
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let overview = db.store.for_organization(&org).overview().await.unwrap();
    assert!(overview.is_empty());
    assert!(overview.by_service.is_empty());
    assert_eq!(overview.last_updated, None);
    db.cleanup().await;
}

#[tokio::test]
async fn overview_and_meta_stats_match_the_loaded_rows() {
    let db = TestDb::new().await;
    let org = db.organization_with_own_prefix().await;
    let store = db.store.for_organization(&org);
    let scale = 0.02;
    let records = generate(9, scale);
    db.load(&org, &records).await;

    let overview = store.overview().await.unwrap();
    let size = DemoSize::at_scale(scale);
    assert_eq!(overview.total_subscribers, size.subscribers() as i64);
    for (service, expected) in &size.per_service {
        let shown = overview.by_service.iter().find(|c| c.label == service.as_str()).unwrap();
        assert_eq!(shown.subscribers, *expected as i64, "{service}");
    }
    let cells: i64 = overview.by_service_and_risk.iter().map(|c| c.subscribers).sum();
    assert_eq!(cells, overview.total_subscribers);
    let average = records.iter().map(|r| r.advance_amount).sum::<f64>() / records.len() as f64;
    assert!((overview.avg_advance_amount - average).abs() < 0.01);
    let revenue: f64 = records.iter().map(|r| r.revenue_per_advance).sum();
    assert!((overview.total_revenue_potential - revenue).abs() < 0.01);

    store.publish_meta_stats(&overview).await.unwrap();
    let client = redis::Client::open(common::redis_url()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("{}:meta:stats", org.redis_prefix);
    let stats: HashMap<String, String> = redis.hgetall(&key).await.unwrap();

    let mut fields: Vec<&str> = stats.keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "avg_advance_amount",
            "data_version",
            "last_updated",
            "total_easycredit",
            "total_low_risk",
            "total_mbfg",
            "total_medium_risk",
            "total_revenue_potential",
            "total_subscribers",
            "total_ungsanluong",
        ]
    );
    assert_eq!(stats["total_subscribers"], size.subscribers().to_string());
    assert_eq!(stats["total_mbfg"], size.per_service[1].1.to_string());
    assert_eq!(stats["total_medium_risk"], size.medium_risk.to_string());
    assert_eq!(stats["avg_advance_amount"], format!("{average:.0}"));
    assert_eq!(stats["data_version"], "v1.0");

    let _: () = redis.del(&key).await.unwrap();
    db.cleanup().await;
}
