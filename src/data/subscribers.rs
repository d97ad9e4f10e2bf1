//! Replacing an organization's whole subscriber dataset: `recommendations`,
//! `subscriber_360_profiles` and `subscriber_monthly_arpu`.
//!
//! Rows are COPYed into staging tables first, then swapped in by one transaction:
//! readers see the old dataset until the commit and the new one after it, never a mix,
//! and a failure anywhere leaves the live data as it was. The first load of a new
//! database skips most of the staging and builds the indexes after the rows.

use super::dataset::Dataset;
use super::first_load;
use super::tables::SubscriberTable;
use super::Organization;
use crate::data::{sql, OrganizationStore};
use sqlx::PgConnection;

/// COPY data is sent to Postgres in chunks of about this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

/// What a replacement did to one table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TableChange {
    /// Rows whose key was not in the live data.
    pub created: u64,
    /// Rows whose key was in the live data with other values.
    pub updated: u64,
    /// Rows identical to the live ones (left untouched).
    pub unchanged: u64,
    /// Live rows whose key is not in the new dataset.
    pub removed: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReplaceSummary {
    pub recommendations: TableChange,
    pub profiles: TableChange,
    pub monthly_arpu: TableChange,
}

impl ReplaceSummary {
    pub fn total(&self) -> TableChange {
        let all = [self.recommendations, self.profiles, self.monthly_arpu];
        TableChange {
            created: all.iter().map(|c| c.created).sum(),
            updated: all.iter().map(|c| c.updated).sum(),
            unchanged: all.iter().map(|c| c.unchanged).sum(),
            removed: all.iter().map(|c| c.removed).sum(),
        }
    }

    fn change_mut(&mut self, table: SubscriberTable) -> &mut TableChange {
        match table {
            SubscriberTable::Recommendations => &mut self.recommendations,
            SubscriberTable::Profiles => &mut self.profiles,
            SubscriberTable::MonthlyArpu => &mut self.monthly_arpu,
        }
    }
}

/// Where a replacement is, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplaceProgress {
    /// This many more rows of the table are copied in: to staging, or on a first load
    /// (mostly) straight into the table.
    Staged(SubscriberTable, u64),
    /// Every row is copied in; the swap into the live tables (or the indexes of a first
    /// load) has begun.
    Swapping,
}

impl OrganizationStore {
    /// Replaces the organization's subscribers with `dataset`, all or nothing, then
    /// recomputes `recommendation_stats` and refreshes the planner statistics and the visibility map.
    /// Subscribers that stay keep their recommendation id; unchanged rows are not rewritten.
    pub async fn replace_dataset(
        &self,
        dataset: &Dataset,
        mut progress: impl FnMut(ReplaceProgress),
    ) -> Result<ReplaceSummary, sqlx::Error> {
        let organization = &self.organization;
        let started = std::time::Instant::now();
        let mut tx = self.begin().await?;
        // Sorting and anti-joining millions of staged rows in memory instead of on disk.
        sql::query("SET LOCAL work_mem = '128MB'").execute(&mut *tx).await?;
        let tables = SubscriberTable::ALL.map(SubscriberTable::table_name);
        let summary = if first_load::lock_if_first_load(&mut tx, &tables).await? {
            let restores = first_load::set_constraints_aside(&mut tx, &tables).await?;
            let summary = load_into_empty_tables(&mut tx, organization, dataset, &mut progress).await?;
            tracing::debug!(elapsed = ?started.elapsed(), "rows loaded");
            first_load::restore_constraints(&mut tx, &restores).await?;
            tracing::debug!(elapsed = ?started.elapsed(), restored = restores.len(), "indexes and constraints restored");
            summary
        } else {
            for table in SubscriberTable::ALL {
                stage(&mut tx, table, dataset, &mut progress).await?;
            }
            progress(ReplaceProgress::Swapping);
            tracing::debug!(elapsed = ?started.elapsed(), "dataset staged");
            // Readers keep seeing the old data until commit; other writers wait.
            first_load::lock(&mut tx, &tables).await?;
            let summary = apply_changes(&mut tx, organization, dataset).await?;
            tracing::debug!(elapsed = ?started.elapsed(), "changes applied");
            summary
        };
        refresh_recommendation_stats(&mut tx, organization).await?;
        tx.commit().await?;
        tracing::debug!(elapsed = ?started.elapsed(), "statistics recomputed, committed");

        let total = summary.total();
        let tables = if total.created + total.updated + total.removed >= super::VACUUM_AFTER_ROWS {
            "recommendations, recommendation_cells, subscriber_360_profiles, subscriber_monthly_arpu, recommendation_stats"
        } else {
            // The subscriber tables are as they were, or changed too little to matter to
            // their planner statistics (see `VACUUM_AFTER_ROWS`).
            "recommendation_stats"
        };
        // VACUUM as well: a load leaves no page all-visible, and list counts (and the rows
        // of a band a campaign's score minimum cuts) read the covering index alone only
        // where the visibility map says so; the load's triggers rewrote the counts' cells
        // (migration 130). VACUUM cannot run
        // in a transaction: one simple query (nothing prepared), a transaction of its own
        // through PgBouncer.
        sqlx::raw_sql(&format!("VACUUM (ANALYZE) {tables}")).execute(&self.pg).await?;
        Ok(summary)
    }

    pub async fn count_subscribers(&self) -> Result<i64, sqlx::Error> {
        let organization = &self.organization;
        sql::query_scalar("SELECT COUNT(*) FROM recommendations WHERE organization_id = $1")
            .bind(organization.id)
            .fetch_one(&mut *self.begin().await?)
            .await
    }

    /// Every subscriber's ISDN, in ISDN order (the transaction generator draws from them).
    pub async fn subscriber_isdns(&self) -> Result<Vec<String>, sqlx::Error> {
        let organization = &self.organization;
        sql::query_scalar("SELECT isdn FROM recommendations WHERE organization_id = $1 ORDER BY isdn")
            .bind(organization.id)
            .fetch_all(&mut *self.begin().await?)
            .await
    }
}

fn staging_name(table: SubscriberTable) -> String {
    format!("staging_{}", table.table_name())
}

/// COPYs the table's rows into a temporary table of their own, keyed as the live one.
async fn stage(
    conn: &mut PgConnection,
    table: SubscriberTable,
    dataset: &Dataset,
    progress: &mut impl FnMut(ReplaceProgress),
) -> Result<(), sqlx::Error> {
    let staging = staging_name(table);
    sql::query(&format!(
        "CREATE TEMP TABLE {staging} ON COMMIT DROP AS SELECT {columns} FROM {live} WITH NO DATA",
        columns = table.column_list(),
        live = table.table_name()
    ))
    .execute(&mut *conn)
    .await?;
    copy_text(conn, &staging, &table.column_list(), dataset.table(table).copy_text(), "", |rows| {
        progress(ReplaceProgress::Staged(table, rows))
    })
    .await?;
    // Two staged rows with one key would both match one live row; refuse them.
    sql::query(&format!("CREATE UNIQUE INDEX ON {staging} ({})", table.key_columns().join(", ")))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A first load: the recommendations and monthly rows go straight into their tables (the
/// files were checked for keys given twice before, and the restored unique constraints
/// check again); the profiles, which take their recommendation's id, go through staging.
async fn load_into_empty_tables(
    conn: &mut PgConnection,
    organization: &Organization,
    dataset: &Dataset,
    progress: &mut impl FnMut(ReplaceProgress),
) -> Result<ReplaceSummary, sqlx::Error> {
    let leading_organization = format!("{}\t", organization.id);
    for table in [SubscriberTable::Recommendations, SubscriberTable::MonthlyArpu] {
        let columns = format!("organization_id, {}", table.column_list());
        copy_text(
            conn,
            table.table_name(),
            &columns,
            dataset.table(table).copy_text(),
            &leading_organization,
            |rows| progress(ReplaceProgress::Staged(table, rows)),
        )
        .await?;
    }
    stage(conn, SubscriberTable::Profiles, dataset, progress).await?;
    progress(ReplaceProgress::Swapping);
    insert_new(conn, organization, SubscriberTable::Profiles).await?;
    let created =
        |table: SubscriberTable| TableChange { created: dataset.table(table).len(), ..TableChange::default() };
    Ok(ReplaceSummary {
        recommendations: created(SubscriberTable::Recommendations),
        profiles: created(SubscriberTable::Profiles),
        monthly_arpu: created(SubscriberTable::MonthlyArpu),
    })
}

/// Applies the difference between the staged and the live rows: rows whose key left
/// are deleted, rows that changed are updated in place (so recommendations keep their
/// id), new rows are inserted, and identical rows are not touched at all.
async fn apply_changes(
    conn: &mut PgConnection,
    organization: &Organization,
    dataset: &Dataset,
) -> Result<ReplaceSummary, sqlx::Error> {
    let mut summary = ReplaceSummary::default();
    // Profiles reference recommendations, so they go first and come back last.
    for table in [SubscriberTable::Profiles, SubscriberTable::MonthlyArpu, SubscriberTable::Recommendations] {
        summary.change_mut(table).removed = delete_departed(conn, organization, table).await?;
    }
    for table in SubscriberTable::ALL {
        let change = summary.change_mut(table);
        let step = std::time::Instant::now();
        change.updated = update_changed(conn, organization, table).await?;
        tracing::debug!(table = table.table_name(), elapsed = ?step.elapsed(), "changed rows updated");
        let step = std::time::Instant::now();
        change.created = insert_new(conn, organization, table).await?;
        tracing::debug!(table = table.table_name(), elapsed = ?step.elapsed(), "new rows inserted");
        change.unchanged = dataset.table(table).len() - change.created - change.updated;
    }
    Ok(summary)
}

/// `alias.a, alias.b, …`.
fn qualified<'a>(alias: &str, columns: impl IntoIterator<Item = &'a str>) -> String {
    columns.into_iter().map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

/// `l.k = s.k AND …` over the table's key columns.
fn key_match(table: SubscriberTable) -> String {
    table.key_columns().iter().map(|k| format!("l.{k} = s.{k}")).collect::<Vec<_>>().join(" AND ")
}

/// The file columns that are not the key.
fn value_columns(table: SubscriberTable) -> Vec<&'static str> {
    let keys = table.key_columns();
    table.columns().iter().map(|c| c.name).filter(|name| !keys.contains(name)).collect()
}

async fn delete_departed(
    conn: &mut PgConnection,
    organization: &Organization,
    table: SubscriberTable,
) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "DELETE FROM {live} l WHERE l.organization_id = $1
           AND NOT EXISTS (SELECT 1 FROM {staging} s WHERE {matches})",
        live = table.table_name(),
        staging = staging_name(table),
        matches = key_match(table),
    );
    Ok(sql::query(&sql).bind(organization.id).execute(&mut *conn).await?.rows_affected())
}

async fn update_changed(
    conn: &mut PgConnection,
    organization: &Organization,
    table: SubscriberTable,
) -> Result<u64, sqlx::Error> {
    let values = value_columns(table);
    let live_values = qualified("l", values.iter().copied());
    let staged_values = qualified("s", values.iter().copied());
    let touch = if table == SubscriberTable::MonthlyArpu { "" } else { ", updated_at = NOW()" };
    let sql = format!(
        "UPDATE {live} l SET ({columns}) = ({staged_values}){touch}
         FROM {staging} s
         WHERE l.organization_id = $1 AND {matches} AND ({live_values}) IS DISTINCT FROM ({staged_values})",
        live = table.table_name(),
        columns = values.join(", "),
        staging = staging_name(table),
        matches = key_match(table),
    );
    Ok(sql::query(&sql).bind(organization.id).execute(&mut *conn).await?.rows_affected())
}

async fn insert_new(
    conn: &mut PgConnection,
    organization: &Organization,
    table: SubscriberTable,
) -> Result<u64, sqlx::Error> {
    let columns = table.column_list();
    let staged = qualified("s", table.columns().iter().map(|c| c.name));
    let (extra_column, extra_value, join) = match table {
        SubscriberTable::Profiles => (
            ", recommendation_id",
            ", r.id",
            "LEFT JOIN recommendations r ON r.organization_id = $1 AND r.isdn = s.isdn",
        ),
        _ => ("", "", ""),
    };
    let sql = format!(
        "INSERT INTO {live} (organization_id{extra_column}, {columns})
         SELECT $1{extra_value}, {staged} FROM {staging} s {join}
         WHERE NOT EXISTS (SELECT 1 FROM {live} l WHERE l.organization_id = $1 AND {matches})
         ORDER BY {order}",
        live = table.table_name(),
        staging = staging_name(table),
        matches = key_match(table),
        // In key order the B-tree inserts stay on neighbouring pages: 2-3x faster than file order.
        order = qualified("s", table.key_columns().iter().copied()),
    );
    Ok(sql::query(&sql).bind(organization.id).execute(&mut *conn).await?.rows_affected())
}

/// COPYs rows already in COPY text format into `table`, in chunks of whole lines, each
/// row after `leading` (the COPY text of its first columns, or nothing).
pub(super) async fn copy_text(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    text: &str,
    leading: &str,
    mut progress: impl FnMut(u64),
) -> Result<u64, sqlx::Error> {
    let mut copy = conn.copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN")).await?;
    let mut rest = text;
    let mut with_leading = Vec::new();
    while !rest.is_empty() {
        // A newline byte always ends a character, so the split is safe in UTF-8.
        let end = match rest.as_bytes().iter().skip(CHUNK_BYTES).position(|b| *b == b'\n') {
            Some(newline) => CHUNK_BYTES + newline + 1,
            None => rest.len(),
        };
        let (chunk, tail) = rest.split_at(end);
        let rows = chunk.split_inclusive('\n').count();
        if leading.is_empty() {
            copy.send(chunk.as_bytes()).await?;
        } else {
            with_leading.clear();
            for row in chunk.split_inclusive('\n') {
                with_leading.extend_from_slice(leading.as_bytes());
                with_leading.extend_from_slice(row.as_bytes());
            }
            copy.send(with_leading.as_slice()).await?;
        }
        progress(rows as u64);
        rest = tail;
    }
    copy.finish().await
}

/// Recomputes today's `recommendation_stats` rows of the organization from `recommendations`.
///
/// Dimensions: `all`, `service`, `risk`, `cluster`, `subscriber_type`, `arpu_trend`,
/// `service_risk` (`EasyCredit|LOW`), `service_cluster` (`EasyCredit|3`) and
/// `segment` (`EasyCredit|LOW|3|PRE|Giảm`: every combination that occurs, so a list
/// filtered by any of these is counted exactly from a few hundred rows).
/// `total_revenue_potential` sums `revenue_per_advance`.
pub(super) async fn refresh_recommendation_stats(
    conn: &mut PgConnection,
    organization: &Organization,
) -> Result<(), sqlx::Error> {
    sql::query("DELETE FROM recommendation_stats WHERE organization_id = $1 AND stats_date = CURRENT_DATE")
        .bind(organization.id)
        .execute(&mut *conn)
        .await?;
    sql::query(
        "INSERT INTO recommendation_stats (organization_id, dimension_type, dimension_value, total_count,
             total_advance_amount, total_revenue_potential, avg_customer_value_score,
             avg_advance_readiness_score, avg_arpu_6m, stats_date)
         SELECT $1, d.dimension_type, d.dimension_value, COUNT(*), SUM(r.advance_amount),
             SUM(r.revenue_per_advance), ROUND(AVG(r.customer_value_score), 2),
             ROUND(AVG(r.advance_readiness_score), 2), ROUND(AVG(r.arpu_avg_6m), 2), CURRENT_DATE
         FROM recommendations r
         CROSS JOIN LATERAL (VALUES
             ('all', 'all'),
             ('service', r.service_type),
             ('risk', r.bad_debt_risk),
             ('cluster', COALESCE(r.cluster_group::text, 'none')),
             ('subscriber_type', r.subscriber_type),
             ('arpu_trend', COALESCE(r.arpu_trend, 'none')),
             ('service_risk', r.service_type || '|' || r.bad_debt_risk),
             ('service_cluster', r.service_type || '|' || COALESCE(r.cluster_group::text, 'none')),
             ('segment', concat_ws('|', r.service_type, r.bad_debt_risk, COALESCE(r.cluster_group::text, 'none'),
                 r.subscriber_type, COALESCE(r.arpu_trend, 'none')))
         ) AS d(dimension_type, dimension_value)
         WHERE r.organization_id = $1
         GROUP BY d.dimension_type, d.dimension_value",
    )
    .bind(organization.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
