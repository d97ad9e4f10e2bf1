//! Issue 23, item 4: one pool serves every organization. Each transaction sets its
//! organization itself (`set_config(…, true)`), so concurrent requests of different
//! organizations on the same connections each see their own rows only, a connection
//! carries nothing from one transaction to the next, and the pool never opens more
//! connections than its size however many organizations are served. The same tests run
//! through PgBouncer in transaction pooling mode (scripts/test.sh's second run).
//!
//! The probes' statements are unnamed (`persistent(false)`) and run inside the store's
//! transactions, as the data layer's must through PgBouncer.

use crate::common::{self, TestDb};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use ut360::data::{Organization, Store, StoreSettings, APP_ROLE};
use ut360::domain::lists::{ListSort, RecommendationFilter};
use ut360::server::generate::generate;
use uuid::Uuid;

/// The app's store on the test database with a pool of `size` connections.
async fn app_store(db: &TestDb, size: u32) -> Store {
    let settings = StoreSettings { max_connections: size, ..db.settings.clone() };
    Store::connect(&settings).await.unwrap().as_database_role(APP_ROLE)
}

/// What a transaction of `store` sees: the organization it acts for, and the
/// organizations of the recommendations row-level security lets through (no condition
/// of the query's own).
async fn seen_in_one_transaction(store: &Store) -> (Option<String>, Vec<Uuid>) {
    let mut tx = store.begin().await.unwrap();
    let acting: Option<String> = sqlx::query_scalar("SELECT current_setting('app.organization_id', true)")
        .persistent(false)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let visible: Vec<Uuid> = sqlx::query_scalar("SELECT DISTINCT organization_id FROM recommendations")
        .persistent(false)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    (acting, visible)
}

#[tokio::test]
async fn concurrent_requests_of_two_organizations_on_one_pool_see_only_their_own_rows() {
    let db = TestDb::new().await;
    let (ours, theirs) = (db.default_organization().await, db.organization_with_own_prefix().await);
    db.load(&ours, &generate(11, 0.001)).await;
    db.load(&theirs, &generate(12, 0.0015)).await;
    let isdns_of = |organization: &Organization| {
        let pool = db.pool.clone();
        let id = organization.id;
        async move {
            sqlx::query_scalar::<_, String>("SELECT isdn FROM recommendations WHERE organization_id = $1")
                .bind(id)
                .fetch_all(&pool)
                .await
                .unwrap()
                .into_iter()
                .collect::<BTreeSet<String>>()
        }
    };
    let expected = [isdns_of(&ours).await, isdns_of(&theirs).await];
    assert!(expected[0].len() > 100 && expected[1].len() > expected[0].len(), "both hold rows, not as many");

    // Four connections for 400 requests: each connection serves both organizations many times.
    let app = app_store(&db, 4).await;
    let mut requests = tokio::task::JoinSet::new();
    for request in 0..400usize {
        let which = request % 2;
        let organization = [&ours, &theirs][which].clone();
        let store = app.for_organization(&organization);
        requests.spawn(async move {
            let (acting, visible) = seen_in_one_transaction(&store).await;
            assert_eq!(acting, Some(organization.id.to_string()), "request {request} acts for its organization");
            assert_eq!(visible, vec![organization.id], "request {request} sees its organization's rows only");
            // And a page of the app's own list, read through the data layer.
            let page = store
                .recommendation_page(&ut360::data::lists::ListRequest {
                    filter: RecommendationFilter::default(),
                    sort: ListSort::default(),
                    start: ut360::data::lists::PageStart::First,
                    limit: 50,
                })
                .await
                .unwrap();
            assert_eq!(page.items.len(), 50);
            (which, page.items.into_iter().map(|item| item.recommendation.isdn.to_string()).collect::<Vec<String>>())
        });
    }
    while let Some(done) = requests.join_next().await {
        let (which, isdns) = done.unwrap();
        assert!(isdns.iter().all(|isdn| expected[which].contains(isdn)), "a page of organization {which} only");
    }
    assert!(app.pool_usage().open <= 4);

    // Unscoped, the app's role sees nobody's rows (default deny), on the same connections.
    let (acting, visible) = seen_in_one_transaction(&app).await;
    assert_eq!(acting.as_deref().unwrap_or_default(), "");
    assert!(visible.is_empty(), "{visible:?}");
    app.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_connection_carries_no_organization_after_its_transaction() {
    let db = TestDb::new().await;
    let organization = db.default_organization().await;
    db.load(&organization, &generate(13, 0.0005)).await;
    // One connection, so every transaction and the probe after it share it.
    let app = app_store(&db, 1).await;
    let scoped = app.for_organization(&organization);

    // A read, dropped without commit (as the data layer's reads are).
    let mut tx = scoped.begin().await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").persistent(false).fetch_one(&mut *tx).await.unwrap();
    let acting: String = sqlx::query_scalar("SELECT current_setting('app.organization_id')")
        .persistent(false)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(acting, organization.id.to_string());
    let jit: String =
        sqlx::query_scalar("SELECT current_setting('jit')").persistent(false).fetch_one(&mut *tx).await.unwrap();
    assert_eq!(jit, "off", "the store's transactions compile nothing");
    drop(tx);
    let (probe_pid, left) = app.pooled_connection_setting().await.unwrap();
    assert_eq!(left.as_deref().unwrap_or_default(), "", "nothing left after a dropped transaction");

    // A write, committed.
    scoped.create_api_key("carry-over").await.unwrap();
    let (_, left) = app.pooled_connection_setting().await.unwrap();
    assert_eq!(left.as_deref().unwrap_or_default(), "", "nothing left after a committed transaction");

    // A failed transaction (rolled back by PostgreSQL) leaves nothing either.
    let mut tx = scoped.begin().await.unwrap();
    assert!(sqlx::query("SELECT 1 / 0").persistent(false).execute(&mut *tx).await.is_err());
    drop(tx);
    let (_, left) = app.pooled_connection_setting().await.unwrap();
    assert_eq!(left.as_deref().unwrap_or_default(), "", "nothing left after a failed transaction");

    if common::pooled_database_url().is_none() {
        // Straight to PostgreSQL the pool's one connection is the same server process;
        // through PgBouncer the probe gets whichever server connection is free.
        assert_eq!(probe_pid, pid, "the probe ran on the transaction's connection");
    }
    // And an unscoped transaction on it sees no organization's rows.
    let (_, visible) = seen_in_one_transaction(&app).await;
    assert!(visible.is_empty(), "{visible:?}");
    app.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn two_hundred_organizations_at_once_never_open_more_than_the_pool() {
    let db = TestDb::new().await;
    let mut organizations = Vec::new();
    for n in 0..200 {
        let slug = format!("pool-{n:03}-{}", &Uuid::new_v4().simple().to_string()[..8]);
        organizations.push(db.store.create_organization(&slug, &slug, &slug).await.unwrap());
    }
    const POOL: u32 = 5;
    let app = app_store(&db, POOL).await;

    // Watches the pool while the requests run.
    let most_open = Arc::new(AtomicU32::new(0));
    let watching = {
        let (app, most_open) = (app.clone(), most_open.clone());
        tokio::spawn(async move {
            loop {
                most_open.fetch_max(app.pool_usage().open, Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        })
    };
    let mut requests = tokio::task::JoinSet::new();
    for organization in &organizations {
        let store = app.for_organization(organization);
        let id = organization.id;
        requests.spawn(async move {
            for _ in 0..2 {
                let mut tx = store.begin().await.unwrap();
                let acting: String = sqlx::query_scalar("SELECT current_setting('app.organization_id')")
                    .persistent(false)
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                assert_eq!(acting, id.to_string());
                // Holds the connection a little, so requests queue for the pool.
                sqlx::query("SELECT pg_sleep(0.002)").persistent(false).execute(&mut *tx).await.unwrap();
                drop(tx);
                // And the data layer's own reads, acting for this organization.
                assert_eq!(store.organization_settings().await.unwrap().members, 0);
            }
        });
    }
    while let Some(done) = requests.join_next().await {
        done.unwrap();
    }
    watching.abort();
    most_open.fetch_max(app.pool_usage().open, Ordering::Relaxed);
    let most = most_open.load(Ordering::Relaxed);
    assert!((1..=POOL).contains(&most), "at most {POOL} connections open, saw {most}");

    // PostgreSQL agrees: the app's role holds at most the pool's size on this database.
    let sessions = common::scalar_i64(
        &db.pool,
        &format!("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{}' AND usename = '{APP_ROLE}'", db.name),
    )
    .await;
    assert!(sessions <= i64::from(POOL), "{sessions} server sessions of the app's role");
    app.close().await;
    db.cleanup().await;
}
