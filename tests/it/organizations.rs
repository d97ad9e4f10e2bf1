//! Organizations made and removed by command (issue 23): what a new one gets, the
//! first admin with or without an account, all or nothing; a deletion that leaves no
//! row in any table and no Redis key, and touches no other organization; the
//! background job serving every organization, one's failure stopping none.

use crate::common;

use chrono::NaiveDate;
use common::{scalar_i64, TestDb};
use std::collections::BTreeMap;
use std::process::Command;
use ut360::data::organization_lifecycle::AdminAccount;
use ut360::data::sync_logs::{SourceType, SyncOutcome};
use ut360::data::transactions::{DashboardRequest, DashboardSource};
use ut360::data::{Organization, Store};
use ut360::domain::access::Role;
use ut360::domain::campaign::CampaignRules;
use ut360::domain::transactions::DashboardRange;
use ut360::server::generate::transactions::TransactionSynth;
use ut360::server::jobs::{self, Schedule};
use ut360::server::organizations_cli;

/// `ut360 organization …` on the test's database: exit code, stdout, stderr.
fn organization_command(db: &TestDb, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ut360"))
        .arg("organization")
        .args(args)
        .envs(db.command_env())
        .env("REDIS_URL", common::redis_url())
        .output()
        .unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

/// A slug no other test uses (its Redis prefix is `ut360-{slug}`).
fn unique_slug(label: &str) -> String {
    format!("{label}-{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

async fn organization(db: &TestDb, slug: &str) -> Organization {
    db.store.organization_by_slug(slug).await.unwrap().unwrap_or_else(|| panic!("organization {slug}"))
}

/// Every key under the organization's prefix.
async fn redis_keys(organization: &Organization) -> Vec<String> {
    let client = redis::Client::open(common::redis_url()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    let mut keys = Vec::new();
    let mut cursor = 0u64;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{}:*", organization.redis_prefix))
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut redis)
            .await
            .unwrap();
        keys.extend(batch);
        if next == 0 {
            keys.sort();
            return keys;
        }
        cursor = next;
    }
}

async fn forget_redis_keys(organization: &Organization) {
    let keys = redis_keys(organization).await;
    let client = redis::Client::open(common::redis_url()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    for batch in keys.chunks(1000) {
        redis::cmd("UNLINK").arg(batch).query_async::<()>(&mut redis).await.unwrap();
    }
}

/// The organization's rows in every table and partition that has `organization_id`,
/// found in the catalog as the owner sees it (no row-level security).
async fn rows_per_table(db: &TestDb, organization_id: uuid::Uuid) -> BTreeMap<String, i64> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut rows = BTreeMap::new();
    for table in tables {
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM ONLY {table} WHERE organization_id = $1"))
            .bind(organization_id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        rows.insert(table, count);
    }
    rows
}

#[tokio::test]
async fn create_checks_every_field_and_gives_what_the_default_organization_has() {
    let db = TestDb::new().await;
    let organizations_before = scalar_i64(&db.pool, "SELECT COUNT(*) FROM organizations").await;

    let (code, stdout, stderr) =
        organization_command(&db, &["create", "--name", " ", "--slug", "Acme_VN", "--admin-email", "not an email"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("error: slug: \"Acme_VN\" has 'A'"), "{stderr}");
    assert!(stderr.contains("name: give 1 to 255 characters (this has 0)"), "{stderr}");
    assert!(stderr.contains("admin-email: \"not an email\" is not an email address"), "{stderr}");
    let (code, _, stderr) =
        organization_command(&db, &["create", "--name", "X", "--slug", "default", "--admin-email", "a@b.vn"]);
    assert_eq!((code, stderr.trim()), (1, "error: slug: an organization with slug \"default\" already exists"));
    assert_eq!(scalar_i64(&db.pool, "SELECT COUNT(*) FROM organizations").await, organizations_before);

    let slug = unique_slug("acme");
    let email = format!("boss-{slug}@acme.vn");
    let (code, stdout, stderr) = organization_command(
        &db,
        &["create", "--name", "Công ty Acme", "--slug", &slug, "--admin-email", &email.to_uppercase()],
    );
    assert_eq!(code, 0, "{stderr}");
    let password = stdout.trim();
    assert_eq!(stdout.lines().count(), 1, "only the password on stdout: {stdout:?}");
    assert!(stderr.contains(&format!("Created organization {slug:?} (Công ty Acme).")), "{stderr}");
    assert!(stderr.contains("a new account") && stderr.contains("shown once"), "{stderr}");
    let acme = organization(&db, &slug).await;
    assert_eq!(acme.redis_prefix, format!("ut360-{slug}"));

    // Seed 000's rates, as the default organization has them after migrating.
    let rates = |id: uuid::Uuid| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_as::<_, (i16, String, NaiveDate)>(
                "SELECT level, rate::text, effective_from FROM hoa_hong_config WHERE organization_id = $1 ORDER BY level",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let default = db.default_organization().await;
    assert_eq!(rates(acme.id).await, rates(default.id).await);
    assert_eq!(rates(acme.id).await.len(), 5);
    // Its data sources, and the partitions of this month and the next three.
    let sources: Vec<(String, String, serde_json::Value)> = sqlx::query_as(
        "SELECT source_type, sync_status, connection_config FROM data_sources WHERE organization_id = $1 ORDER BY 1",
    )
    .bind(acme.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert_eq!(sources[0].0, "redis_cache");
    assert_eq!(sources[0].2["redis_prefix"], acme.redis_prefix.as_str());
    assert_eq!(sources[1].0, "transaction_maintenance");
    let partitions = db.store.transaction_partitions().await.unwrap();
    for months in 0..=3 {
        let month = today() + chrono::Months::new(months);
        let name = format!("transaction_detail_{}", month.format("%Y_%m"));
        assert!(partitions.contains(&name), "{name} in {partitions:?}");
    }
    // The admin: a new account whose printed password works once and must be changed.
    let credentials = db.store.credentials(&email).await.unwrap().expect("the admin's account");
    assert!(ut360::server::auth::password::verify(password.to_owned(), Some(credentials.password_hash)).await);
    let (role, must_change): (String, bool) = sqlx::query_as(
        "SELECT m.role, u.must_change_password FROM organization_members m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1",
    )
    .bind(acme.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((role.as_str(), must_change), ("admin", true));

    let (code, _, stderr) =
        organization_command(&db, &["create", "--name", "Again", "--slug", &slug, "--admin-email", "x@y.vn"]);
    assert_eq!(
        (code, stderr.trim()),
        (1, format!("error: slug: an organization with slug {slug:?} already exists").as_str())
    );
    forget_redis_keys(&acme).await;
    db.cleanup().await;
}

#[tokio::test]
async fn an_existing_account_becomes_admin_without_its_password_changing() {
    let db = TestDb::new().await;
    let default = db.default_organization().await;
    let email = common::create_user(&db.store, &default, Role::Analyst).await;
    let hash_before = db.store.credentials(&email).await.unwrap().unwrap().password_hash;

    let slug = unique_slug("second");
    let (code, stdout, stderr) =
        organization_command(&db, &["create", "--name", "Second", "--slug", &slug, "--admin-email", &email]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "no password for an account that has one: {stdout:?}");
    assert!(stderr.contains("already exists and is now admin of"), "{stderr}");
    assert!(stderr.contains("password and its other organizations are unchanged"), "{stderr}");
    assert!(stderr.contains("trusted"), "{stderr}");

    let hash_after = db.store.credentials(&email).await.unwrap().unwrap().password_hash;
    assert_eq!(hash_after, hash_before, "the password is the person's own still");
    let must_change: bool = sqlx::query_scalar("SELECT must_change_password FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(!must_change);
    let roles: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.slug, m.role FROM organization_members m JOIN organizations o ON o.id = m.organization_id
         JOIN users u ON u.id = m.user_id WHERE u.email = $1 ORDER BY o.created_at",
    )
    .bind(&email)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(roles, [("default".to_owned(), "analyst".to_owned()), (slug.clone(), "admin".to_owned())]);
    forget_redis_keys(&organization(&db, &slug).await).await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_failed_create_leaves_nothing_half_made() {
    let db = TestDb::new().await;
    // The last step (the admin's membership) fails: everything before it goes too.
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_members() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'members refused by the test'; END $$;
         CREATE TRIGGER refuse_members BEFORE INSERT ON organization_members
             FOR EACH ROW EXECUTE FUNCTION refuse_members();",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let count = |sql: &'static str| scalar_i64(&db.pool, sql);
    let before = (
        count("SELECT COUNT(*) FROM organizations").await,
        count("SELECT COUNT(*) FROM hoa_hong_config").await,
        count("SELECT COUNT(*) FROM data_sources").await,
        count("SELECT COUNT(*) FROM users").await,
    );
    let slug = unique_slug("broken");
    let failed = organizations_cli::create(&db.store, "Broken", &slug, "new-admin@broken.vn", today()).await;
    assert!(failed.unwrap_err().contains("members refused by the test"));
    let after = (
        count("SELECT COUNT(*) FROM organizations").await,
        count("SELECT COUNT(*) FROM hoa_hong_config").await,
        count("SELECT COUNT(*) FROM data_sources").await,
        count("SELECT COUNT(*) FROM users").await,
    );
    assert_eq!(after, before);
    db.cleanup().await;
}

#[tokio::test]
async fn organizations_are_listed_and_renamed() {
    let db = TestDb::new().await;
    let slug = unique_slug("list");
    let (created, _) =
        organizations_cli::create(&db.store, "Danh sách", &slug, "admin@list.vn", today()).await.unwrap();
    assert_eq!(created.admin, AdminAccount::Created);
    common::create_user(&db.store, &created.organization, Role::Analyst).await;
    db.load(&created.organization, &ut360::server::generate::generate(5, 0.001)).await;
    let subscribers = scalar_i64(
        &db.pool,
        &format!("SELECT COUNT(*) FROM recommendations WHERE organization_id = '{}'", created.organization.id),
    )
    .await;

    let (code, stdout, stderr) = organization_command(&db, &["list"]);
    assert_eq!(code, 0, "{stderr}");
    let mut lines = stdout.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("SLUG") && header.contains("NAME") && header.contains("MEMBERS"), "{header}");
    assert!(header.contains("SUBSCRIBERS") && header.contains("CREATED"), "{header}");
    let row = stdout.lines().find(|line| line.starts_with(&slug)).unwrap_or_else(|| panic!("{stdout}"));
    let columns: Vec<&str> = row.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(
        &columns[..4],
        [
            slug.as_str(),
            "Danh sách",
            "2",
            &ut360::domain::format::format_count(ut360::domain::language::Language::En, subscribers)
        ]
    );
    assert!(stdout.lines().any(|line| line.starts_with("default ")), "{stdout}");
    assert!(stdout.trim_end().ends_with("2 organizations"), "{stdout}");

    let (code, stdout, stderr) = organization_command(&db, &["rename", "--slug", &slug, "--name", "  Tên mới  "]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.trim(), format!("Renamed organization {slug:?}: \"Danh sách\" is now \"Tên mới\"."));
    assert_eq!(organization(&db, &slug).await.name, "Tên mới");
    let (code, _, stderr) = organization_command(&db, &["rename", "--slug", &slug, "--name", ""]);
    assert_eq!((code, stderr.trim()), (1, "error: name: give 1 to 255 characters (this has 0)"));
    let (code, _, stderr) = organization_command(&db, &["rename", "--slug", "nope", "--name", "X"]);
    assert_eq!((code, stderr.trim()), (1, "error: no organization with slug \"nope\""));
    forget_redis_keys(&created.organization).await;
    db.cleanup().await;
}

/// Data in (nearly) every table: subscribers and their Redis keys, the collaborator
/// network with its paid ledger, transactions and their summaries and cached
/// dashboards, a campaign with an export, a suppression list, an API key, a closed
/// month, a sync log, members.
async fn fill(db: &TestDb, organization: &Organization, seed: u64) {
    let store = db.store.for_organization(organization);
    let today = today();
    let records = ut360::server::generate::generate(seed, 0.002);
    db.load(organization, &records).await;
    let lock = store.try_lock_refresh().await.unwrap().unwrap();
    store.sync_cache(|_| {}).await.unwrap();
    lock.release().await.unwrap();
    let network = ut360::server::generate::network::generate_network(seed, 0.005, today);
    store.replace_ctv_network(&network).await.unwrap();
    assert!(store.recalculate_commissions(Some(today)).await.unwrap().lines() > 0);
    store.close_commission_period(today - chrono::Months::new(2)).await.unwrap();
    let isdns = records.iter().map(|r| r.isdn.clone()).collect();
    let mut synth = TransactionSynth::new(seed, 3_000, 45, today, isdns);
    let days: Vec<NaiveDate> = synth.days().collect();
    let rows: Vec<_> = days.iter().flat_map(|day| synth.rows_of(*day)).collect();
    store.load_transactions(&synth.records(&rows)).await.unwrap();
    store.precompute_transaction_dashboards(today).await.unwrap();
    let campaign = match store.save_campaign(None, "Seed 002", "tester", &CampaignRules::default()).await.unwrap() {
        ut360::data::campaigns::Saved::Saved(campaign) => campaign,
        _ => panic!("campaign not saved"),
    };
    let export_id: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO event_tracking (organization_id, session_id, event_name, timestamp, metadata)
         VALUES ($1, 'test', 'export', NOW(), jsonb_build_object('campaign_id', $2::text)) RETURNING id",
    )
    .bind(organization.id)
    .bind(campaign.id.uuid())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO campaign_export_members (organization_id, campaign_id, export_id, isdn)
         SELECT $1, $2, $3, isdn FROM recommendations WHERE organization_id = $1 LIMIT 50",
    )
    .bind(organization.id)
    .bind(campaign.id.uuid())
    .bind(export_id)
    .execute(&db.pool)
    .await
    .unwrap();
    let isdn = ut360::domain::isdn::Isdn::parse(&records[0].isdn).unwrap();
    store.create_suppression_list("opt-outs", &[isdn]).await.unwrap();
    store.create_api_key("advance-system").await.unwrap();
    let run = store.start_sync(SourceType::FileImport, serde_json::json!({})).await.unwrap();
    db.store.finish_sync(run, &SyncOutcome::default()).await.unwrap();
    common::create_user(&db.store, organization, Role::Manager).await;
}

#[tokio::test]
async fn delete_removes_every_row_and_key_of_one_organization_and_nothing_of_another() {
    let db = TestDb::new().await;
    let (doomed, _) =
        organizations_cli::create(&db.store, "Doomed", &unique_slug("doomed"), "admin@doomed.vn", today())
            .await
            .unwrap();
    let (kept, _) =
        organizations_cli::create(&db.store, "Kept", &unique_slug("kept"), "admin@kept.vn", today()).await.unwrap();
    let (doomed, kept) = (doomed.organization, kept.organization);
    fill(&db, &doomed, 3).await;
    fill(&db, &kept, 4).await;
    // Tables a later migration might add: one with no key to organizations, one whose
    // key would refuse the deletion (NO ACTION), in a schema of its own.
    sqlx::raw_sql(
        "CREATE TABLE added_later (organization_id UUID NOT NULL, note TEXT);
         CREATE SCHEMA reports;
         CREATE TABLE reports.added_later_keyed (organization_id UUID NOT NULL REFERENCES organizations(id), note TEXT);",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    for organization in [&doomed, &kept] {
        for table in ["added_later", "reports.added_later_keyed"] {
            sqlx::query(&format!("INSERT INTO {table} (organization_id, note) VALUES ($1, 'a'), ($1, 'b')"))
                .bind(organization.id)
                .execute(&db.pool)
                .await
                .unwrap();
        }
    }
    // Someone in both: their account stays, with the other membership.
    let shared = common::create_user(&db.store, &kept, Role::Analyst).await;
    ut360::server::users_cli::create(&db.store, &doomed, &shared, Role::Marketing, common::TEST_PASSWORD)
        .await
        .unwrap();
    // And an invitation of the doomed organization still waiting for an answer.
    let inviter: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(&shared).fetch_one(&db.pool).await.unwrap();
    let invited = db.store.for_organization(&doomed);
    invited.invite("invited@ut360.test", Role::Analyst, inviter, "unused", chrono::Duration::days(7)).await.unwrap();

    let doomed_rows = rows_per_table(&db, doomed.id).await;
    let kept_rows = rows_per_table(&db, kept.id).await;
    let filled: Vec<&String> = doomed_rows.iter().filter(|(_, rows)| **rows > 0).map(|(table, _)| table).collect();
    assert!(filled.len() >= 20, "the test fills most tables: {filled:?}");
    let doomed_keys = redis_keys(&doomed).await;
    let kept_keys = redis_keys(&kept).await;
    assert!(doomed_keys.len() > 500 && kept_keys.len() > 500, "{} and {}", doomed_keys.len(), kept_keys.len());
    assert!(doomed_keys.iter().any(|key| key.contains(":transactions:dashboard:")));

    // Refused: without --confirm, and the default organization ever.
    let (code, _, stderr) = organization_command(&db, &["delete", "--slug", &doomed.slug]);
    assert_eq!(code, 1);
    assert!(stderr.contains("run again with --confirm"), "{stderr}");
    assert_eq!(rows_per_table(&db, doomed.id).await, doomed_rows, "nothing deleted without --confirm");
    let (code, _, stderr) = organization_command(&db, &["delete", "--slug", "default", "--confirm"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("the default organization cannot be deleted"), "{stderr}");

    let (code, stdout, stderr) = organization_command(&db, &["delete", "--slug", &doomed.slug, "--confirm"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with(&format!("Deleted organization {:?} (Doomed):", doomed.slug)), "{stdout}");
    let total: i64 = doomed_rows.values().sum();
    let total_line = stdout.lines().find(|line| line.trim_start().starts_with("total")).unwrap();
    assert!(
        total_line.contains(&format!(
            "{} rows in {} tables",
            ut360::domain::format::format_count(ut360::domain::language::Language::En, total),
            filled.len()
        )),
        "{stdout}"
    );
    for later in ["added_later ", "reports.added_later_keyed "] {
        let line =
            stdout.lines().find(|line| line.trim_start().starts_with(later)).unwrap_or_else(|| panic!("{stdout}"));
        assert!(line.trim_end().ends_with(" 2 rows"), "{line}");
    }
    let recommendations = stdout.lines().find(|line| line.trim_start().starts_with("recommendations ")).unwrap();
    assert!(
        recommendations.contains(&ut360::domain::format::format_count(
            ut360::domain::language::Language::En,
            doomed_rows["public.recommendations"]
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Redis: {} keys deleted under {}:*",
            ut360::domain::format::format_count(ut360::domain::language::Language::En, doomed_keys.len() as i64),
            doomed.redis_prefix
        )),
        "{stdout}"
    );
    assert!(stdout.contains("accounts: 2 deleted") && stdout.contains("admin@doomed.vn"), "{stdout}");

    // As the owner: no table or partition holds a row of it, no key is left under its
    // prefix; the other organization has every row and key it had.
    let left: Vec<(String, i64)> =
        rows_per_table(&db, doomed.id).await.into_iter().filter(|(_, rows)| *rows > 0).collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(redis_keys(&doomed).await.is_empty());
    assert_eq!(rows_per_table(&db, kept.id).await, kept_rows);
    assert_eq!(redis_keys(&kept).await, kept_keys);
    assert!(db.store.organization_by_slug(&doomed.slug).await.unwrap().is_none());
    let accounts: Vec<String> = sqlx::query_scalar("SELECT email FROM users WHERE email IN ('admin@doomed.vn', $1)")
        .bind(&shared)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(accounts, [shared], "the admin of the deleted one alone goes");

    let (code, _, stderr) = organization_command(&db, &["delete", "--slug", &doomed.slug, "--confirm"]);
    assert_eq!((code, stderr.trim()), (1, format!("error: no organization with slug {:?}", doomed.slug).as_str()));
    forget_redis_keys(&kept).await;
    db.cleanup().await;
}

/// The test database's default organization on a prefix of its own, so the job's
/// dashboards for it do not land on the shared `ut360:*` keys other tests read.
async fn default_on_own_prefix(db: &TestDb) -> Organization {
    let prefix = format!("ut360test_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    sqlx::query("UPDATE organizations SET redis_prefix = $1 WHERE slug = 'default'")
        .bind(&prefix)
        .execute(&db.pool)
        .await
        .unwrap();
    db.default_organization().await
}

#[tokio::test]
async fn the_job_serves_every_organization_and_picks_up_a_new_one() {
    let db = TestDb::new().await;
    let default = default_on_own_prefix(&db).await;
    let (second, _) =
        organizations_cli::create(&db.store, "Second", &unique_slug("job"), "admin@job.vn", today()).await.unwrap();
    let second = second.organization;
    // As `serve` runs it: as the app's role, under row-level security.
    let app: Store = db.store.as_database_role(ut360::data::APP_ROLE);

    let report = jobs::transaction_maintenance_round(&app, Schedule::NOW, today()).await.unwrap();
    let mut expected = vec![default.slug.clone(), second.slug.clone()];
    expected.sort();
    assert_eq!((report.served, report.failed), (expected, vec![]));
    for organization in [&default, &second] {
        let week = DashboardRequest::standard(DashboardRange::Week, today());
        let (_, source) = db.store.for_organization(organization).transaction_dashboard(&week).await.unwrap();
        assert_eq!(source, DashboardSource::Cache, "{} was served", organization.slug);
        let status: String = sqlx::query_scalar(
            "SELECT sync_status FROM data_sources WHERE organization_id = $1 AND source_type = 'transaction_maintenance'",
        )
        .bind(organization.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(status, "success");
    }

    // An organization made after a round is served by the next.
    let (third, _) =
        organizations_cli::create(&db.store, "Third", &unique_slug("job"), "admin@job3.vn", today()).await.unwrap();
    let report = jobs::transaction_maintenance_round(&app, Schedule::NOW, today()).await.unwrap();
    assert_eq!(report.served.len(), 3);
    assert!(report.served.contains(&third.organization.slug));
    for organization in [&default, &second, &third.organization] {
        forget_redis_keys(organization).await;
    }
    app.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn one_organizations_failure_stops_none_of_the_others_and_is_in_its_sync_logs() {
    let db = TestDb::new().await;
    default_on_own_prefix(&db).await;
    let mut slugs = Vec::new();
    for label in ["fails", "panics", "hangs", "works"] {
        let slug = unique_slug(label);
        organizations_cli::create(&db.store, label, &slug, &format!("admin@{slug}.vn"), today()).await.unwrap();
        slugs.push(slug);
    }
    let app: Store = db.store.as_database_role(ut360::data::APP_ROLE);
    let served = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = served.clone();
    // One at a time, so a stuck organization would hold up everyone after it.
    let schedule =
        Schedule { spread: std::time::Duration::ZERO, at_once: 1, time_limit: std::time::Duration::from_millis(500) };
    let report = jobs::serve_every_organization(&app, schedule, SourceType::TransactionMaintenance, move |store| {
        let seen = seen.clone();
        async move {
            let slug = store.organization().slug.clone();
            if slug.starts_with("fails-") {
                return Err("injected failure".to_owned());
            }
            if slug.starts_with("panics-") {
                panic!("injected panic");
            }
            if slug.starts_with("hangs-") {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
            // Real work for the others, under row-level security.
            store.count_subscribers().await.map_err(|e| e.to_string())?;
            seen.lock().unwrap().push(slug);
            Ok(())
        }
    })
    .await
    .unwrap();

    let mut expected_served = vec!["default".to_owned(), slugs[3].clone()];
    expected_served.sort();
    assert_eq!(report.served, expected_served);
    let mut worked = served.lock().unwrap().clone();
    worked.sort();
    assert_eq!(worked, expected_served);
    let failed: BTreeMap<String, String> = report.failed.into_iter().collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert_eq!(failed[&slugs[0]], "injected failure");
    assert!(failed[&slugs[1]].contains("panic"), "{}", failed[&slugs[1]]);
    assert!(failed[&slugs[2]].contains("still running after 500ms"), "{}", failed[&slugs[2]]);

    // Each failure is in that organization's own sync_logs, and only there.
    for (slug, error) in &failed {
        let organization = organization(&db, slug).await;
        let logged: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT d.source_type, l.sync_type, l.status, l.error_message FROM sync_logs l
             JOIN data_sources d ON d.id = l.data_source_id WHERE l.organization_id = $1",
        )
        .bind(organization.id)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        assert_eq!(
            logged,
            [("transaction_maintenance".to_owned(), "scheduled".to_owned(), "failed".to_owned(), Some(error.clone()))]
        );
    }
    let works = organization(&db, &slugs[3]).await;
    let (status, logs): (String, i64) = sqlx::query_as(
        "SELECT d.sync_status, (SELECT COUNT(*) FROM sync_logs l WHERE l.data_source_id = d.id)
         FROM data_sources d WHERE d.organization_id = $1 AND d.source_type = 'transaction_maintenance'",
    )
    .bind(works.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), logs), ("success", 0));
    app.close().await;
    db.cleanup().await;
}
