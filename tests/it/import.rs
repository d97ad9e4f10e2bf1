//! `import`: generate, export, import into an empty database and compare every
//! table; malformed files are refused with their problems and change nothing.

use crate::common;

use common::{scalar_i64, table_constraints, table_indexes, TestDb};
use sqlx::PgPool;
use std::path::Path;
use ut360::data::dataset::{Dataset, TableRows};
use ut360::data::tables::SubscriberTable;
use ut360::data::Organization;
use ut360::pipeline::export::write_dataset;
use ut360::pipeline::validate::read_dataset;
use ut360::pipeline::DataFiles;
use ut360::server::generate::generate;
use ut360::server::import::import_locked;

/// A fingerprint of the organization's rows in `table`, over the columns files carry.
async fn fingerprint(pool: &PgPool, org: &Organization, table: SubscriberTable) -> String {
    let sql = format!(
        "SELECT COALESCE(md5(string_agg(t::text, '|' ORDER BY t::text)), 'empty')
         FROM (SELECT {} FROM {} WHERE organization_id = $1) t",
        table.column_list(),
        table.table_name()
    );
    sqlx::query_scalar(&sql).bind(org.id).fetch_one(pool).await.unwrap()
}

async fn fingerprints(pool: &PgPool, org: &Organization) -> Vec<String> {
    let mut all = Vec::new();
    for table in SubscriberTable::ALL {
        all.push(fingerprint(pool, org, table).await);
    }
    let stats: String = sqlx::query_scalar(
        "SELECT md5(string_agg(concat_ws(',', dimension_type, dimension_value, total_count, total_advance_amount,
             total_revenue_potential, avg_customer_value_score, avg_advance_readiness_score), '|'
             ORDER BY dimension_type, dimension_value))
         FROM recommendation_stats WHERE organization_id = $1",
    )
    .bind(org.id)
    .fetch_one(pool)
    .await
    .unwrap();
    all.push(stats);
    all
}

fn export(dataset: &Dataset, dir: &Path) -> DataFiles {
    let files = DataFiles::in_dir(dir);
    write_dataset(dataset, &files, |_, _| {}).unwrap();
    files
}

#[derive(Debug, sqlx::FromRow)]
struct LoggedRun {
    status: String,
    records_processed: i32,
    records_created: i32,
    records_updated: i32,
    records_failed: i32,
    error_message: Option<String>,
    duration_seconds: Option<i32>,
}

async fn last_import(pool: &PgPool) -> LoggedRun {
    sqlx::query_as(
        "SELECT l.status, l.records_processed, l.records_created, l.records_updated, l.records_failed,
                l.error_message, l.duration_seconds
         FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
         WHERE d.source_type = 'file_import' ORDER BY l.started_at DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn round_trip_through_the_files_reproduces_every_table() {
    let records = generate(11, 0.01);
    let dataset = Dataset::from_records(&records);
    let dir = tempfile::tempdir().unwrap();
    let files = export(&dataset, dir.path());

    let generated = TestDb::new().await;
    let org = generated.default_organization().await;
    generated.load(&org, &records).await;
    let expected = fingerprints(&generated.pool, &org).await;
    generated.cleanup().await;

    let imported = TestDb::new().await;
    let org = imported.default_organization().await;
    import_locked(&imported.store, &org, files.clone()).await.expect("the exported files import");
    assert_eq!(fingerprints(&imported.pool, &org).await, expected);
    let linked = scalar_i64(
        &imported.pool,
        "SELECT COUNT(*) FROM subscriber_360_profiles p JOIN recommendations r ON r.id = p.recommendation_id AND r.isdn = p.isdn",
    )
    .await;
    assert_eq!(linked, records.len() as i64, "every profile points at its recommendation");

    let total_rows = dataset.total_rows() as i32;
    let run = last_import(&imported.pool).await;
    assert_eq!(run.status, "completed");
    assert_eq!((run.records_processed, run.records_created, run.records_updated), (total_rows, total_rows, 0));
    assert!(run.duration_seconds.is_some());

    // The same files again: same data, same ids, nothing rewritten.
    let ids_before: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM recommendations ORDER BY isdn").fetch_all(&imported.pool).await.unwrap();
    import_locked(&imported.store, &org, files).await.expect("re-import");
    assert_eq!(fingerprints(&imported.pool, &org).await, expected);
    let ids_after: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM recommendations ORDER BY isdn").fetch_all(&imported.pool).await.unwrap();
    assert_eq!(ids_after, ids_before);
    let run = last_import(&imported.pool).await;
    assert_eq!((run.records_processed, run.records_created, run.records_updated), (total_rows, 0, 0));
    let sources = scalar_i64(&imported.pool, "SELECT COUNT(*) FROM data_sources WHERE sync_status = 'success'").await;
    assert_eq!(sources, 1, "one data source, marked successful");

    // The next day: one subscriber left, one got a new advance amount.
    let mut next_day = records[1..].to_vec();
    next_day[0].advance_amount += 5_000.0;
    let dir = tempfile::tempdir().unwrap();
    import_locked(&imported.store, &org, export(&Dataset::from_records(&next_day), dir.path())).await.unwrap();
    let reference = imported.organization_with_own_prefix().await;
    imported.load(&reference, &next_day).await;
    assert_eq!(fingerprints(&imported.pool, &org).await, fingerprints(&imported.pool, &reference).await);
    let run = last_import(&imported.pool).await;
    // A recommendation and its profile changed; a recommendation, a profile and 7 months left.
    assert_eq!((run.records_created, run.records_updated), (0, 2));
    let changes: serde_json::Value =
        sqlx::query_scalar("SELECT metadata FROM sync_logs ORDER BY started_at DESC LIMIT 1")
            .fetch_one(&imported.pool)
            .await
            .unwrap();
    assert_eq!(changes["changes"]["recommendations"]["removed"], 1);
    assert_eq!(changes["changes"]["monthly_arpu"]["removed"], 7);
    let kept: i64 = sqlx::query_scalar("SELECT id FROM recommendations WHERE organization_id = $1 AND isdn = $2")
        .bind(org.id)
        .bind(&next_day[0].isdn)
        .fetch_one(&imported.pool)
        .await
        .unwrap();
    assert!(ids_before.contains(&kept), "an updated subscriber keeps its id");
    imported.cleanup().await;
}

const SUBSCRIBER_TABLES: &[&str] = &["recommendations", "subscriber_360_profiles", "subscriber_monthly_arpu"];

#[tokio::test]
async fn a_first_load_restores_indexes_and_constraints_after_its_rows_and_later_loads_keep_them() {
    let db = TestDb::new().await;
    let records = generate(17, 0.005);
    let indexes_as_migrated = table_indexes(&db.pool, SUBSCRIBER_TABLES).await;
    let constraints_as_migrated = table_constraints(&db.pool, SUBSCRIBER_TABLES).await;
    let secondary = indexes_as_migrated.iter().filter(|index| !index.primary_key).count();
    assert!(secondary >= 10, "the tables have their secondary indexes: {indexes_as_migrated:?}");

    // The web app's role owns no table and sees only its organization's rows: it never
    // takes the first load's path, even into empty tables.
    let org = db.default_organization().await;
    let app = db.store.as_database_role(ut360::data::APP_ROLE);
    app.for_organization(&org).replace_dataset(&Dataset::from_records(&records), |_| {}).await.unwrap();
    assert_eq!(
        table_indexes(&db.pool, SUBSCRIBER_TABLES).await,
        indexes_as_migrated,
        "the app role's load left the indexes alone"
    );

    // Empty again, the owner's load (the CLI's) drops and restores them: the same names
    // and definitions, every index but the primary keys built again after the rows.
    for table in ["subscriber_360_profiles", "subscriber_monthly_arpu", "recommendations"] {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&db.pool).await.unwrap();
    }
    db.load(&org, &records).await;
    let restored = table_indexes(&db.pool, SUBSCRIBER_TABLES).await;
    assert_eq!(
        table_constraints(&db.pool, SUBSCRIBER_TABLES).await,
        constraints_as_migrated,
        "every constraint is back, as defined"
    );
    assert_eq!(restored.len(), indexes_as_migrated.len());
    for (after, before) in restored.iter().zip(&indexes_as_migrated) {
        assert_eq!((&after.name, &after.definition), (&before.name, &before.definition), "the index is as defined");
        if before.primary_key {
            assert_eq!(after.oid, before.oid, "{} stayed", before.name);
        } else {
            assert_ne!(after.oid, before.oid, "{} was built again after the rows", before.name);
        }
    }

    // The tables hold rows now: another organization's load keeps every index.
    let other = db.organization_with_own_prefix().await;
    db.load(&other, &records).await;
    assert_eq!(table_indexes(&db.pool, SUBSCRIBER_TABLES).await, restored);
    assert_eq!(fingerprints(&db.pool, &other).await[..3], fingerprints(&db.pool, &org).await[..3]);
    // The first load copied the recommendations straight in and staged only the profiles:
    // each profile names its own subscriber's recommendation, as the second load's do.
    for organization in [&org, &other] {
        let linked: (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE r.isdn = p.isdn AND r.organization_id = p.organization_id)
             FROM subscriber_360_profiles p LEFT JOIN recommendations r ON r.id = p.recommendation_id
             WHERE p.organization_id = $1",
        )
        .bind(organization.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(linked, (records.len() as i64, records.len() as i64), "profiles of {}", organization.slug);
    }
    db.cleanup().await;
}

/// `dataset` with one table's rows changed by `change(index, row)`; rows it returns
/// `None` for are dropped.
fn with_rows(
    dataset: &Dataset,
    table: SubscriberTable,
    mut change: impl FnMut(usize, Vec<Option<String>>) -> Option<Vec<Option<String>>>,
) -> Dataset {
    let mut copy = Dataset::default();
    for each in SubscriberTable::ALL {
        let target: &mut TableRows = copy.table_mut(each);
        for (i, row) in dataset.table(each).iter().enumerate() {
            let row = if each == table { change(i, row) } else { Some(row) };
            if let Some(row) = row {
                target.push(row.iter().map(|v| v.as_deref()));
            }
        }
    }
    copy
}

fn column_index(table: SubscriberTable, name: &str) -> usize {
    table.columns().iter().position(|c| c.name == name).unwrap()
}

/// Rewrites line `line` (1-based, header = 1) of a CSV file.
fn edit_csv(path: &Path, edit: impl FnOnce(&mut Vec<String>)) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    edit(&mut lines);
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn replace_field(line: &str, index: usize, value: &str) -> String {
    let mut fields: Vec<&str> = line.split(',').collect();
    fields[index] = value;
    fields.join(",")
}

#[tokio::test]
async fn malformed_files_are_refused_and_change_nothing() {
    let records = generate(12, 0.002);
    let dataset = Dataset::from_records(&records);
    let db = TestDb::new().await;
    let org = db.default_organization().await;
    let good = tempfile::tempdir().unwrap();
    import_locked(&db.store, &org, export(&dataset, good.path())).await.expect("good files import");
    let before = fingerprints(&db.pool, &org).await;

    let recs = SubscriberTable::Recommendations;
    let risk = column_index(recs, "bad_debt_risk");
    let advance = column_index(recs, "advance_amount");
    let service = column_index(recs, "service_type");
    const CSV_NAME: &str = "recommendations_final_filtered.csv";
    type Breakage = Box<dyn Fn(&Dataset, &Path)>;
    let cases: Vec<(&str, Breakage, &str)> = vec![
        (
            "a bad enum",
            Box::new(move |d, dir| {
                export(d, dir);
                edit_csv(&dir.join(CSV_NAME), |lines| lines[2] = replace_field(&lines[2], risk, "low"));
            }),
            "recommendations_final_filtered.csv line 3, column bad_debt_risk: \"low\" must be one of LOW, MEDIUM, HIGH",
        ),
        (
            "a missing column",
            Box::new(move |d, dir| {
                export(d, dir);
                edit_csv(&dir.join(CSV_NAME), |lines| {
                    for line in lines.iter_mut() {
                        let mut fields: Vec<&str> = line.split(',').collect();
                        fields.remove(service);
                        *line = fields.join(",");
                    }
                });
            }),
            "recommendations_final_filtered.csv: is missing the column service_type",
        ),
        (
            "a non-number",
            Box::new(move |d, dir| {
                export(d, dir);
                edit_csv(&dir.join(CSV_NAME), |lines| lines[4] = replace_field(&lines[4], advance, "12k"));
            }),
            "recommendations_final_filtered.csv line 5, column advance_amount: \"12k\" is not a number",
        ),
        (
            "a truncated Parquet file",
            Box::new(|d, dir| {
                let files = export(d, dir);
                let bytes = std::fs::read(&files.profiles).unwrap();
                std::fs::write(&files.profiles, &bytes[..bytes.len() / 2]).unwrap();
            }),
            "subscriber_360_profile.parquet: is not a readable Parquet file",
        ),
        (
            "a duplicate ISDN",
            Box::new(|d, dir| {
                export(d, dir);
                edit_csv(&dir.join(CSV_NAME), |lines| {
                    let copy = lines[1].clone();
                    lines.push(copy);
                });
            }),
            "column isdn: ", // the ISDN itself is random; the rest is checked below
        ),
        (
            "an empty file",
            Box::new(|d, dir| {
                export(d, dir);
                std::fs::write(dir.join(CSV_NAME), "").unwrap();
            }),
            "recommendations_final_filtered.csv: is empty; expected a header line naming the columns",
        ),
        (
            "a monthly row without a recommendation",
            Box::new(|d, dir| {
                let orphan = with_rows(d, SubscriberTable::MonthlyArpu, |i, mut row| {
                    if i == 6 {
                        row[0] = Some("notASubscriber00".into());
                    }
                    Some(row)
                });
                export(&orphan, dir);
            }),
            "subscriber_monthly_summary.parquet row 7, column isdn: \"notASubscriber00\" has no row in the recommendations file",
        ),
        (
            "a month not written YYYYMM",
            Box::new(|d, dir| {
                let bad_month = with_rows(d, SubscriberTable::MonthlyArpu, |i, mut row| {
                    if i == 2 {
                        row[1] = Some("2025-05".into());
                    }
                    Some(row)
                });
                export(&bad_month, dir);
            }),
            "subscriber_monthly_summary.parquet row 3, column data_month: \"2025-05\" must be a month written YYYYMM",
        ),
        (
            "a percentage above 100",
            Box::new(|d, dir| {
                let share = column_index(SubscriberTable::Profiles, "revenue_data_pct");
                let bad_share = with_rows(d, SubscriberTable::Profiles, |i, mut row| {
                    if i == 0 {
                        row[share] = Some("140.00".into());
                    }
                    Some(row)
                });
                export(&bad_share, dir);
            }),
            "subscriber_360_profile.parquet row 1, column revenue_data_pct: \"140.0\" must be a percentage from 0 to 100",
        ),
    ];

    for (name, break_files, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        break_files(&dataset, dir.path());
        let error = import_locked(&db.store, &org, DataFiles::in_dir(dir.path())).await.unwrap_err();
        assert!(error.contains("nothing was changed"), "{name}: {error}");
        let run = last_import(&db.pool).await;
        assert_eq!(run.status, "failed", "{name}");
        let message = run.error_message.unwrap_or_default();
        assert!(message.contains(expected), "{name}: {message}");
        assert!(run.records_failed >= 1 || message.contains(": is "), "{name}: failed rows counted");
        assert_eq!(fingerprints(&db.pool, &org).await, before, "{name} changed the data");
    }
    db.cleanup().await;
}

#[test]
fn every_bad_row_is_listed_up_to_the_cap_with_a_count() {
    let dataset = Dataset::from_records(&generate(13, 0.001));
    let risk = column_index(SubscriberTable::Recommendations, "bad_debt_risk");
    let broken = with_rows(&dataset, SubscriberTable::Recommendations, |i, mut row| {
        if i % 2 == 0 {
            row[risk] = Some("SEVERE".into());
        }
        Some(row)
    });
    let dir = tempfile::tempdir().unwrap();
    let files = export(&broken, dir.path());
    let problems = match read_dataset(&files, |_| {}) {
        Err(problems) => problems,
        Ok(_) => panic!("SEVERE is not a risk level"),
    };
    let bad_rows = broken.recommendations.len().div_ceil(2);
    assert_eq!(problems.total(), bad_rows);
    assert_eq!(problems.failed_rows(), bad_rows);
    assert_eq!(problems.listed().len() as u64, bad_rows.min(100));
    assert!(problems.listed()[1]
        .to_string()
        .starts_with("recommendations_final_filtered.csv line 4, column bad_debt_risk"));
    if bad_rows > 100 {
        assert!(problems.report().ends_with(&format!("… and {} more problems", bad_rows - 100)));
    }
}

#[test]
fn duplicate_isdns_say_where_they_were_first_seen() {
    let dataset = Dataset::from_records(&generate(14, 0.001));
    let dir = tempfile::tempdir().unwrap();
    let files = export(&dataset, dir.path());
    edit_csv(&files.recommendations, |lines| {
        let copy = lines[1].clone();
        lines.push(copy);
    });
    let Err(problems) = read_dataset(&files, |_| {}) else { panic!("duplicate accepted") };
    let message = problems.listed()[0].to_string();
    let last_line = dataset.recommendations.len() + 2;
    assert!(
        message.starts_with(&format!("recommendations_final_filtered.csv line {last_line}, column isdn: ")),
        "{message}"
    );
    assert!(message.ends_with("appears more than once (first at line 2)"), "{message}");
}

/// Issue 29: the import holds an ISDN to the rule the API and the pages hold it to.
#[test]
fn an_isdn_the_api_refuses_is_refused_naming_its_line_and_column() {
    let dataset = Dataset::from_records(&generate(16, 0.001));
    let dir = tempfile::tempdir().unwrap();
    let files = export(&dataset, dir.path());
    let isdn = column_index(SubscriberTable::Recommendations, "isdn");
    edit_csv(&files.recommendations, |lines| lines[2] = replace_field(&lines[2], isdn, "=1+2"));
    let Err(problems) = read_dataset(&files, |_| {}) else { panic!("=1+2 accepted") };
    let listed: Vec<String> = problems.listed().iter().map(ToString::to_string).collect();
    let expected = "recommendations_final_filtered.csv line 3, column isdn: \"=1+2\" is not an ISDN: \
                    '=' is only base64's padding, at most two at the end";
    assert_eq!(listed.first().map(String::as_str), Some(expected), "{listed:#?}");
}

#[test]
fn columns_may_come_in_any_order_and_extra_ones_are_ignored() {
    let dataset = Dataset::from_records(&generate(15, 0.001));
    let dir = tempfile::tempdir().unwrap();
    let files = export(&dataset, dir.path());
    edit_csv(&files.recommendations, |lines| {
        for line in lines.iter_mut() {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.reverse();
            *line = format!("{},extra", fields.join(","));
        }
        lines[0] = lines[0].replace(",extra", ",comment");
    });
    let read = read_dataset(&files, |_| {}).unwrap_or_else(|p| panic!("{}", p.report()));
    assert_eq!(
        read.dataset.recommendations.iter().collect::<Vec<_>>(),
        dataset.recommendations.iter().collect::<Vec<_>>()
    );
    let (_, summary) = read.files.iter().find(|(t, _)| *t == SubscriberTable::Recommendations).unwrap();
    assert_eq!(summary.ignored_columns, ["comment"]);
}
