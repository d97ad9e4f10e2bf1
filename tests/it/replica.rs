//! Reads from a PostgreSQL streaming replica (issue 27): lists, dashboards, Customer360
//! and reports go to a caught-up replica; a lagging or stopped one is skipped and the
//! primary answers, failing no request.
//!
//! These run against the private primary and replica that `scripts/lib.sh ensure_replica`
//! starts, one at a time (they pause and stop the replica): scripts/test.sh runs them as
//! their own suite, `cargo test --test it replica:: -- --test-threads=1`, and skips them
//! in the other runs.

use crate::common::{signed_in_client, spawn_app, TestDb};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::Duration;
use ut360::data::replicas::ReplicaReads;
use ut360::data::Store;
use ut360::domain::access::Role;
use ut360::server::generate::generate;

/// A replica further behind than this is skipped (short, so the tests need not wait).
const MAX_LAG: Duration = Duration::from_millis(400);

struct ReplicaServers {
    primary: String,
    replica: String,
    /// The replica's data directory and PostgreSQL's programs, to stop and start it.
    data: String,
    bin: String,
}

fn replica_servers() -> ReplicaServers {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: the replica tests run through scripts/test.sh (ensure_replica)")
        })
    };
    ReplicaServers {
        primary: var("UT360_TEST_REPLICA_PRIMARY_URL"),
        replica: var("UT360_TEST_REPLICA_URL"),
        data: var("UT360_TEST_REPLICA_DATA"),
        bin: var("UT360_TEST_REPLICA_BIN"),
    }
}

/// `pg_ctl` on the replica, as the postgres user that owns it.
fn pg_ctl(servers: &ReplicaServers, action: &[&str]) {
    let log = format!("{}/../replica.log", servers.data);
    let mut command = std::process::Command::new("runuser");
    command.args(["-u", "postgres", "--", &format!("{}/pg_ctl", servers.bin), "-D", &servers.data, "-w", "-l", &log]);
    let status = command.args(action).status().expect("run pg_ctl");
    assert!(status.success(), "pg_ctl {action:?} failed");
}

/// Waits until `done` holds of the store's replica reads, for at most 15 s.
async fn wait_for(store: &Store, what: &str, done: impl Fn(ReplicaReads) -> bool, poke: impl AsyncFn()) {
    for _ in 0..150 {
        poke().await;
        if done(store.replica_reads()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: still not after 15 s ({:?})", store.replica_reads());
}

async fn replica_pool(servers: &ReplicaServers, db: &TestDb) -> PgPool {
    PgPool::connect(&crate::common::with_database(&servers.replica, &db.name)).await.expect("connect to the replica")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_read_from_a_caught_up_replica_and_show_the_primarys_rows() {
    let servers = replica_servers();
    let db = TestDb::with_replica(&servers.primary, &servers.replica, MAX_LAG).await;
    let org = db.default_organization().await;
    let records = generate(41, 0.001);
    db.load(&org, &records).await;
    let base = spawn_app(db.store.clone()).await;
    let http = signed_in_client(&base, &db.store, &org, Role::Analyst).await;
    let list = |http: reqwest::Client| {
        let url = format!("{base}/subscribers");
        async move { http.get(url).send().await.unwrap() }
    };

    let before = db.store.replica_reads();
    wait_for(
        &db.store,
        "reads go to the replica",
        |reads| reads.on_replica > before.on_replica,
        async || {
            list(http.clone()).await;
        },
    )
    .await;
    let answered = db.store.replica_reads();
    let page = list(http.clone()).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(db.store.replica_reads().on_replica > answered.on_replica, "the list was read on the replica");
    // What the replica answered is the primary's data.
    let on_replica: i64 = sqlx::query_scalar("SELECT count(*) FROM recommendations")
        .fetch_one(&replica_pool(&servers, &db).await)
        .await
        .unwrap();
    let on_primary: i64 = sqlx::query_scalar("SELECT count(*) FROM recommendations").fetch_one(&db.pool).await.unwrap();
    assert_eq!(on_replica, on_primary);
    assert!(records.iter().any(|record| html.contains(&record.isdn)), "the list shows the loaded subscribers");

    // Dashboards, the overview and Customer360 read there too.
    let reads = db.store.replica_reads().on_replica;
    for path in ["/dashboards", "/"] {
        assert_eq!(http.get(format!("{base}{path}")).send().await.unwrap().status(), StatusCode::OK, "{path}");
    }
    assert!(db.store.replica_reads().on_replica >= reads + 2, "{:?}", db.store.replica_reads());
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_lags_is_skipped_until_it_catches_up() {
    let servers = replica_servers();
    let db = TestDb::with_replica(&servers.primary, &servers.replica, MAX_LAG).await;
    let org = db.default_organization().await;
    db.load(&org, &generate(42, 0.001)).await;
    let base = spawn_app(db.store.clone()).await;
    let http = signed_in_client(&base, &db.store, &org, Role::Analyst).await;
    let get_list = || {
        let (http, url) = (http.clone(), format!("{base}/subscribers"));
        async move {
            let response = http.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        }
    };
    wait_for(
        &db.store,
        "reads go to the replica",
        |reads| reads.on_replica > 0,
        async || {
            get_list().await;
        },
    )
    .await;

    // The replica stops replaying; the primary moves on.
    let replica = replica_pool(&servers, &db).await;
    sqlx::query("SELECT pg_wal_replay_pause()").execute(&replica).await.unwrap();
    let renamed = "Replica Lag Probe";
    sqlx::query("UPDATE organizations SET name = $1 WHERE id = $2")
        .bind(renamed)
        .bind(org.id)
        .execute(&db.pool)
        .await
        .unwrap();
    let paused = async {
        let skipped = db.store.replica_reads();
        wait_for(
            &db.store,
            "a lagging replica is skipped",
            |reads| reads.on_primary_instead > skipped.on_primary_instead,
            async || {
                get_list().await;
            },
        )
        .await;
        // Answered by the primary meanwhile: the replica has not replayed the change.
        let on_replica: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
            .bind(org.id)
            .fetch_one(&replica)
            .await
            .unwrap();
        assert_ne!(on_replica, renamed, "the replica was paused");
        let before = db.store.replica_reads();
        get_list().await;
        let after = db.store.replica_reads();
        assert_eq!(after.on_replica, before.on_replica, "no read went to the lagging replica");
    };
    paused.await;
    sqlx::query("SELECT pg_wal_replay_resume()").execute(&replica).await.unwrap();

    let resumed = db.store.replica_reads();
    wait_for(
        &db.store,
        "reads go back to the replica",
        |reads| reads.on_replica > resumed.on_replica,
        async || {
            get_list().await;
        },
    )
    .await;
    replica.close().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_replica_mid_run_fails_no_request() {
    let servers = replica_servers();
    let db = TestDb::with_replica(&servers.primary, &servers.replica, MAX_LAG).await;
    let org = db.default_organization().await;
    db.load(&org, &generate(43, 0.001)).await;
    let base = spawn_app(db.store.clone()).await;
    let http = signed_in_client(&base, &db.store, &org, Role::Analyst).await;
    let status_of = move |path: &'static str| {
        let (http, url) = (http.clone(), format!("{base}{path}"));
        async move { http.get(url).send().await.unwrap().status() }
    };
    wait_for(
        &db.store,
        "reads go to the replica",
        |reads| reads.on_replica > 0,
        async || {
            status_of("/subscribers").await;
        },
    )
    .await;

    // Requests one after another on two connections, while the replica is stopped.
    let load = {
        let status_of = status_of.clone();
        tokio::spawn(async move {
            let mut failed = Vec::new();
            for round in 0..120 {
                for path in ["/subscribers", "/dashboards"] {
                    let status = status_of(path).await;
                    if status != StatusCode::OK {
                        failed.push((round, path, status));
                    }
                }
            }
            failed
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let servers_for_stop = replica_servers();
    tokio::task::spawn_blocking(move || pg_ctl(&servers_for_stop, &["-m", "fast", "stop"])).await.unwrap();
    let failed = load.await.unwrap();
    assert_eq!(failed, vec![], "requests failed while the replica stopped");
    assert!(db.store.replica_reads().on_primary_instead > 0, "{:?}", db.store.replica_reads());

    // Started again, it is used again.
    let servers_for_start = replica_servers();
    tokio::task::spawn_blocking(move || pg_ctl(&servers_for_start, &["start"])).await.unwrap();
    let restarted = db.store.replica_reads();
    wait_for(
        &db.store,
        "reads go back to the restarted replica",
        |reads| reads.on_replica > restarted.on_replica,
        async || {
            assert_eq!(status_of("/subscribers").await, StatusCode::OK);
        },
    )
    .await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_read_their_rows_on_the_replica_and_are_recorded_on_the_primary() {
    let servers = replica_servers();
    let db = TestDb::with_replica(&servers.primary, &servers.replica, MAX_LAG).await;
    let org = db.default_organization().await;
    let records = generate(44, 0.001);
    db.load(&org, &records).await;
    let base = spawn_app(db.store.clone()).await;
    let http = signed_in_client(&base, &db.store, &org, Role::Admin).await;
    let export = || {
        let (http, url) = (http.clone(), format!("{base}/subscribers/export.csv?columns=isdn"));
        async move {
            let response = http.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let mut isdns: Vec<String> = response
                .text()
                .await
                .unwrap()
                .trim_start_matches('\u{feff}')
                .lines()
                .skip(1)
                .map(|line| line.trim_matches('"').replace('\'', ""))
                .collect();
            isdns.sort();
            isdns
        }
    };
    let mut expected: Vec<String> = records.iter().map(|record| record.isdn.clone()).collect();
    expected.sort();
    let recorded = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM event_tracking WHERE event_name = 'export'")
            .fetch_one(&db.pool)
            .await
            .unwrap()
    };

    // Once the watcher has seen the replica caught up, the rows come from it.
    let before = db.store.replica_reads();
    wait_for(
        &db.store,
        "an export reads on the replica",
        |reads| reads.on_replica > before.on_replica,
        async || {
            export().await;
        },
    )
    .await;
    let read = db.store.replica_reads();
    assert_eq!(export().await, expected, "the replica's rows are the primary's");
    assert!(db.store.replica_reads().on_replica > read.on_replica, "{:?}", db.store.replica_reads());
    let exports_recorded = recorded().await;
    assert!(exports_recorded >= 1, "the export is recorded on the primary");

    // With the replica stopped, the primary answers the next export in full.
    let stop = replica_servers();
    tokio::task::spawn_blocking(move || pg_ctl(&stop, &["-m", "fast", "stop"])).await.unwrap();
    let stopped = db.store.replica_reads();
    assert_eq!(export().await, expected, "the primary exports every row");
    assert!(db.store.replica_reads().on_primary_instead > stopped.on_primary_instead, "{:?}", db.store.replica_reads());
    assert_eq!(recorded().await, exports_recorded + 1);

    let start = replica_servers();
    tokio::task::spawn_blocking(move || pg_ctl(&start, &["start"])).await.unwrap();
    db.cleanup().await;
}
