//! Issue 24: the nightly drop-folder job (`UT360_DROP_FOLDER`, seed 002's daily refresh).
//! Each organization's three files in `<folder>/<slug>/` are imported (then Redis synced)
//! when one changed since its last import; the files stay where they are, and the same
//! files are not imported again. A bad file is refused with its file and line in the
//! organization's `sync_logs`, changes nothing, and leaves the other organizations alone.

use crate::common::TestDb;
use sqlx::PgPool;
use std::path::Path;
use std::time::SystemTime;
use ut360::data::dataset::Dataset;
use ut360::data::tables::SubscriberTable;
use ut360::data::{Organization, APP_ROLE};
use ut360::pipeline::export::write_dataset;
use ut360::pipeline::DataFiles;
use ut360::server::generate::generate;
use ut360::server::jobs::Schedule;
use ut360::server::scheduler::drop_folder_round;

/// Seed 002's three files of `records`, under their standard names in `<folder>/<slug>/`.
fn drop_files(folder: &Path, organization: &Organization, seed: u64) -> (DataFiles, usize) {
    let records = generate(seed, 0.002);
    let dir = folder.join(&organization.slug);
    std::fs::create_dir_all(&dir).unwrap();
    let files = DataFiles::in_dir(&dir);
    write_dataset(&Dataset::from_records(&records), &files, |_, _| {}).unwrap();
    (files, records.len())
}

/// Each file's bytes and when it was last written.
fn snapshot(files: &DataFiles) -> Vec<(Vec<u8>, SystemTime)> {
    [&files.recommendations, &files.profiles, &files.monthly_arpu]
        .into_iter()
        .map(|path| (std::fs::read(path).unwrap(), std::fs::metadata(path).unwrap().modified().unwrap()))
        .collect()
}

async fn recommendations(pool: &PgPool, organization: &Organization) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM recommendations WHERE organization_id = $1")
        .bind(organization.id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The organization's runs of a source, oldest first: (status, error).
async fn runs(pool: &PgPool, organization: &Organization, source: &str) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT l.status, l.error_message FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
         WHERE d.organization_id = $1 AND d.source_type = $2 ORDER BY l.started_at",
    )
    .bind(organization.id)
    .bind(source)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The organization's source of that type: its status and last error.
async fn source(pool: &PgPool, organization: &Organization, source: &str) -> Option<(String, Option<String>)> {
    sqlx::query_as("SELECT sync_status, last_error FROM data_sources WHERE organization_id = $1 AND source_type = $2")
        .bind(organization.id)
        .bind(source)
        .fetch_optional(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drop_folder_job_imports_new_files_once_and_records_a_bad_file_with_its_line() {
    let db = TestDb::new().await;
    let good = db.organization_with_own_prefix().await;
    let bad = db.organization_with_own_prefix().await;
    let idle = db.default_organization().await; // no folder of its own: left alone
    let folder = tempfile::tempdir().unwrap();
    let (good_files, good_rows) = drop_files(folder.path(), &good, 21);
    let (bad_files, _) = drop_files(folder.path(), &bad, 22);
    // Line 3 (the header is line 1) gets a risk the files' format does not know.
    let risk = SubscriberTable::Recommendations.columns().iter().position(|c| c.name == "bad_debt_risk").unwrap();
    let text = std::fs::read_to_string(&bad_files.recommendations).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut fields: Vec<&str> = lines[2].split(',').collect();
    fields[risk] = "SOMETIMES";
    lines[2] = fields.join(",");
    std::fs::write(&bad_files.recommendations, lines.join("\n") + "\n").unwrap();
    let (good_before, bad_before) = (snapshot(&good_files), snapshot(&bad_files));

    // As `serve` runs it: the app's role, every organization.
    let app = db.store.as_database_role(APP_ROLE);
    let report = drop_folder_round(&app, Schedule::NOW, folder.path().to_path_buf()).await.unwrap();

    // The good organization's files are its data now, and its Redis cache was synced.
    assert_eq!(recommendations(&db.pool, &good).await, good_rows as i64);
    let imported = runs(&db.pool, &good, "file_import").await;
    assert_eq!(imported, vec![("completed".to_owned(), None)]);
    assert_eq!(runs(&db.pool, &good, "redis_cache").await.len(), 1, "the cache is synced after the import");
    // The bad one: refused, nothing changed, the file and line named in its sync_logs.
    assert_eq!(recommendations(&db.pool, &bad).await, 0);
    let refused = runs(&db.pool, &bad, "file_import").await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].0, "failed");
    let message = refused[0].1.clone().unwrap_or_default();
    assert!(
        message.contains("recommendations_final_filtered.csv line 3, column bad_debt_risk: \"SOMETIMES\""),
        "{message}"
    );
    assert!(runs(&db.pool, &bad, "redis_cache").await.is_empty(), "no sync after a refused import");
    // The round went on: the bad organization is reported failed, its job run logged
    // failed; the others' runs succeeded (a success marks the source, logs no row).
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.failed[0].0, bad.slug);
    assert!(report.failed[0].1.contains("import refused"), "{report:?}");
    assert!(report.served.contains(&good.slug) && report.served.contains(&idle.slug), "{report:?}");
    let job_runs = runs(&db.pool, &bad, "drop_folder_import").await;
    assert_eq!(job_runs.len(), 1, "{job_runs:?}");
    assert_eq!(job_runs[0].0, "failed");
    assert_eq!(source(&db.pool, &bad, "drop_folder_import").await.unwrap().0, "failed");
    assert_eq!(source(&db.pool, &good, "drop_folder_import").await, Some(("success".to_owned(), None)));
    assert!(runs(&db.pool, &good, "drop_folder_import").await.is_empty());
    // An organization without files: nothing imported.
    assert!(runs(&db.pool, &idle, "file_import").await.is_empty());

    // The files stay where they were, as they were: the job reads, never moves or edits.
    assert_eq!(snapshot(&good_files), good_before);
    assert_eq!(snapshot(&bad_files), bad_before);

    // The next night, the same files: neither is imported again (the bad ones wait until
    // they are replaced; their refusal is on the data sources page).
    let report = drop_folder_round(&app, Schedule::NOW, folder.path().to_path_buf()).await.unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(runs(&db.pool, &good, "file_import").await.len(), 1);
    assert_eq!(runs(&db.pool, &bad, "file_import").await.len(), 1);

    // The bad organization's files replaced by good ones: imported the night after.
    let (_, fixed_rows) = drop_files(folder.path(), &bad, 23);
    let report = drop_folder_round(&app, Schedule::NOW, folder.path().to_path_buf()).await.unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(recommendations(&db.pool, &bad).await, fixed_rows as i64);
    let statuses: Vec<String> =
        runs(&db.pool, &bad, "file_import").await.into_iter().map(|(status, _)| status).collect();
    assert_eq!(statuses, ["failed", "completed"]);
    assert_eq!(runs(&db.pool, &good, "file_import").await.len(), 1, "unchanged files stay imported once");
    db.cleanup().await;
}
