//! Test support: every test gets a fresh database (migrated) and its own Redis prefix.
#![allow(dead_code)]

use sqlx::PgPool;
use std::time::Duration;
use ut360::data::dataset::Dataset;
use ut360::data::records::SubscriberRecord;
use ut360::data::{Organization, Store, StoreSettings};

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/ut360";
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

pub fn base_database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned())
}

/// `postgres://u@h:p/db?x` with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let server = without_query.rsplit_once('/').map_or(without_query, |(server, _)| server);
    format!("{server}/{database}")
}

/// A migrated database of its own, dropped by `cleanup` (leftovers from failed runs
/// are dropped by scripts/test.sh).
pub struct TestDb {
    pub name: String,
    pub settings: StoreSettings,
    pub store: Store,
    /// For assertions in SQL; the code under test goes through `store`.
    pub pool: PgPool,
}

impl TestDb {
    pub async fn new() -> Self {
        let name = format!("ut360_test_{}", uuid::Uuid::new_v4().simple());
        let settings = StoreSettings {
            database_url: with_database(&base_database_url(), &name),
            redis_url: redis_url(),
            max_connections: 5,
            connect_timeout: Duration::from_secs(5),
        };
        Store::create_and_migrate(&settings).await.expect("create and migrate the test database");
        let store = Store::connect(&settings).await.expect("connect to the test database");
        let pool = PgPool::connect(&settings.database_url).await.expect("assertion pool");
        Self { name, settings, store, pool }
    }

    pub async fn default_organization(&self) -> Organization {
        self.store.organization_by_slug(Organization::DEFAULT_SLUG).await.unwrap().expect("default organization")
    }

    /// A new organization whose Redis prefix no other test uses.
    pub async fn organization_with_own_prefix(&self) -> Organization {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let prefix = format!("ut360test_{}", &unique[..12]);
        self.store.create_organization(&prefix, "Test organization", &prefix).await.unwrap()
    }

    pub async fn load(&self, organization: &Organization, records: &[SubscriberRecord]) {
        let dataset = Dataset::from_records(records);
        self.store.replace_dataset(organization, &dataset, |_| {}).await.expect("load subscribers");
    }

    pub async fn cleanup(self) {
        self.store.close().await;
        self.pool.close().await;
        let admin = PgPool::connect(&with_database(&base_database_url(), "postgres")).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&admin).await.unwrap();
    }
}

pub async fn scalar_i64(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}
